//! `revisions`: a snapshot at every saved draft, publish, unpublish and restore.

use sea_orm::entity::prelude::*;

use crate::ids::{ActorId, ItemId, RevisionId};

use crate::values::RevisionAction;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "revisions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: RevisionId,
    pub document_id: ItemId,
    /// The translation's locale; `None` for a change of the neutral fields.
    pub locale: Option<String>,
    /// `create`, `draft`, `fields`, `publish`, `unpublish`, `restore`.
    pub action: RevisionAction,
    pub snapshot: Json,
    pub created_by: Option<ActorId>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
