//! `translations`: the working draft of one locale of a document.

use sea_orm::entity::prelude::*;

use crate::ids::{ActorId, ItemId, RevisionId};

use crate::values::ContentKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "translations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub document_id: ItemId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub locale: String,
    pub kind: ContentKind,
    pub slug: String,
    pub title: String,
    pub summary: String,
    /// Markdown.
    pub body: String,
    pub seo_title: String,
    pub seo_description: String,
    /// Kind-specific per-locale fields (JSON object).
    pub fields: Json,
    /// Increases with every saved draft; the translation's ETag.
    pub version: i64,
    pub updated_by: Option<ActorId>,
    pub updated_at: DateTimeUtc,
    /// The revision of the source locale this translation follows; `None` for the
    /// source itself.
    pub base_revision_id: Option<RevisionId>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::document::Entity",
        from = "Column::DocumentId",
        to = "super::document::Column::Id",
        on_delete = "Cascade"
    )]
    Document,
}

impl Related<super::document::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Document.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
