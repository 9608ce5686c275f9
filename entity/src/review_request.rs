//! `review_requests`: a translation someone asked to be reviewed, and the answer.

use sea_orm::entity::prelude::*;

use crate::ids::{ActorId, ItemId, ReviewId};

use crate::values::ReviewStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "review_requests")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: ReviewId,
    pub document_id: ItemId,
    pub locale: String,
    pub status: ReviewStatus,
    /// The requester's message.
    pub comment: String,
    /// The draft version to review: publishing it needs the draft unchanged since.
    pub draft_version: i64,
    pub requested_by: Option<ActorId>,
    pub requested_at: DateTimeUtc,
    pub decided_by: Option<ActorId>,
    pub decided_at: Option<DateTimeUtc>,
    /// The reviewer's comment when sending it back.
    pub answer: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
