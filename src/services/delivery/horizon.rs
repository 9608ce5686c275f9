//! When published responses can change without any write: an event's status and the
//! `when=upcoming|past` filters move with the clock at each start, end and registration
//! window edge, and an event's "full" when an unconfirmed sign-up's hold runs out.
//! Caches keep responses no later than the next such instant.

use chrono::{DateTime, Utc};
use entity::published_translation::{self, Entity as Published};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::Value;

use crate::domain::content::{ContentKind, EventFields};
use crate::error::AppError;
use crate::state::AppState;
use entity::values::RegistrationStatus;

/// The first instant at or after `now` at which some published event's status can
/// change; `None` when none will.
pub async fn next_status_change(
    state: &AppState,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, AppError> {
    let fields: Vec<Value> = Published::find()
        .select_only()
        .column(published_translation::Column::DocumentFields)
        .filter(published_translation::Column::Kind.eq(ContentKind::Event))
        .into_tuple()
        .all(&state.db)
        .await?;
    // An unconfirmed sign-up or an offer stops holding its place: the event may no
    // longer be full.
    let hold_ends: Option<DateTime<Utc>> = entity::registration::Entity::find()
        .select_only()
        .column_as(entity::registration::Column::HoldUntil.min(), "until")
        .filter(
            entity::registration::Column::Status
                .is_in([RegistrationStatus::Pending, RegistrationStatus::Offered]),
        )
        .filter(entity::registration::Column::HoldUntil.gte(now))
        .into_tuple::<Option<DateTime<Utc>>>()
        .one(&state.db)
        .await?
        .flatten();
    let edges = fields
        .into_iter()
        .filter_map(|value| serde_json::from_value::<EventFields>(value).ok())
        .flat_map(|f| {
            [
                f.starts_at,
                f.ends_at,
                f.registration_opens_at,
                f.registration_closes_at,
            ]
        })
        .flatten()
        .map(|at| at.with_timezone(&Utc))
        .filter(|at| *at >= now)
        .min();
    Ok(edges.into_iter().chain(hold_ends).min())
}
