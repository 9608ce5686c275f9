//! The tags in use, for offering them when an item is tagged: a tag typed twice with
//! different spellings splits a frontend's filter in two.

use std::collections::BTreeMap;

use entity::document::{Column, Entity as Documents};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::Value;

use crate::error::AppError;
use crate::policy::Action;
use crate::services::kernel::actor::Actor;
use crate::services::kernel::audit;
use crate::state::AppState;

/// Every tag of items not in the trash, with how many items carry it, by name.
pub async fn tags_in_use(state: &AppState, actor: &Actor) -> Result<Vec<(String, u64)>, AppError> {
    audit::authorize(state, actor, Action::ReadContent, "tag", None).await?;
    let lists: Vec<Value> = Documents::find()
        .select_only()
        .column(Column::Tags)
        .filter(Column::DeletedAt.is_null())
        .into_tuple()
        .all(&state.db)
        .await?;
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for tag in lists
        .iter()
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(Value::as_str)
    {
        *counts.entry(tag.to_owned()).or_default() += 1;
    }
    Ok(counts.into_iter().collect())
}
