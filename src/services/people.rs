//! The names of the people (and tokens) whose ids content records: who saved a draft,
//! published it, made a revision. Current names, read in one query per table, so that
//! editors see "Els Peeters" where the database keeps an id.

use std::collections::HashMap;

use entity::ids::ActorId;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::error::AppError;

/// The display name of each of `ids` that is a user, else the name of each that is an
/// API token; ids of neither (deleted since) are absent.
pub async fn names(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = ActorId>,
) -> Result<HashMap<ActorId, String>, AppError> {
    let mut wanted: Vec<Uuid> = ids.into_iter().map(Uuid::from).collect();
    wanted.sort();
    wanted.dedup();
    if wanted.is_empty() {
        return Ok(HashMap::new());
    }
    let mut found: HashMap<Uuid, String> = entity::user::Entity::find()
        .select_only()
        .column(entity::user::Column::Id)
        .column(entity::user::Column::DisplayName)
        .filter(entity::user::Column::Id.is_in(wanted.clone()))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let tokens: Vec<Uuid> = wanted
        .into_iter()
        .filter(|id| !found.contains_key(id))
        .collect();
    if !tokens.is_empty() {
        let named: Vec<(Uuid, String)> = entity::api_token::Entity::find()
            .select_only()
            .column(entity::api_token::Column::Id)
            .column(entity::api_token::Column::Name)
            .filter(entity::api_token::Column::Id.is_in(tokens))
            .into_tuple()
            .all(db)
            .await?;
        found.extend(named);
    }
    Ok(found
        .into_iter()
        .map(|(id, name)| (ActorId(id), name))
        .collect())
}
