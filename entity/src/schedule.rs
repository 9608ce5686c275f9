//! `schedules`: publish or unpublish one translation at a given time.

use sea_orm::entity::prelude::*;

use crate::ids::{ActorId, ItemId, ScheduleId};

use crate::values::{ScheduleAction, ScheduleOutcome};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "schedules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: ScheduleId,
    pub document_id: ItemId,
    pub locale: String,
    pub action: ScheduleAction,
    pub run_at: DateTimeUtc,
    pub created_by: Option<ActorId>,
    pub created_at: DateTimeUtc,
    pub done_at: Option<DateTimeUtc>,
    /// Unset while it waits.
    pub outcome: Option<ScheduleOutcome>,
    /// For a publish: the draft and neutral-field versions that were scheduled.
    pub draft_version: Option<i64>,
    pub document_version: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
