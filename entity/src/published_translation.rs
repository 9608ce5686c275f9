//! `published_translations`: the read model. What readers see of one locale of a
//! document, copied from the draft when it was published.

use sea_orm::entity::prelude::*;

use crate::ids::{ActorId, ItemId, RevisionId};

use crate::values::ContentKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "published_translations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub document_id: ItemId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub locale: String,
    pub kind: ContentKind,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    /// The body rendered to sanitized HTML at publish time.
    pub body_html: String,
    pub seo_title: String,
    pub seo_description: String,
    pub fields: Json,
    /// The document's neutral fields as they were when this was published.
    pub document_fields: Json,
    pub countries: Json,
    pub tags: Json,
    pub parent_id: Option<ItemId>,
    pub position: i32,
    pub sort_at: Option<DateTimeUtc>,
    /// The draft and document versions that were published.
    pub draft_version: i64,
    pub document_version: i64,
    pub revision_id: RevisionId,
    pub published_by: Option<ActorId>,
    pub published_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
