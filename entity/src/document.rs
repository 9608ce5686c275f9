//! `documents`: a page, news item, event or material, with its language-neutral fields.

use sea_orm::entity::prelude::*;

use crate::ids::{ActorId, ItemId};

use crate::values::ContentKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "documents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: ItemId,
    pub kind: ContentKind,
    /// Kind-specific language-neutral fields (JSON object).
    pub fields: Json,
    /// JSON array of the country codes the item concerns; empty: EU-wide.
    pub countries: Json,
    pub tags: Json,
    pub parent_id: Option<ItemId>,
    pub position: i32,
    /// The locale other translations are translated from.
    pub source_locale: String,
    /// Increases with every change of the neutral fields; the ETag.
    pub version: i64,
    pub created_by: Option<ActorId>,
    pub updated_by: Option<ActorId>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Set while the document is in the trash.
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
