//! `slug_redirects`: slugs a published translation had before, for 301s.

use sea_orm::entity::prelude::*;

use crate::ids::ItemId;

use crate::values::ContentKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "slug_redirects")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: ContentKind,
    #[sea_orm(primary_key, auto_increment = false)]
    pub locale: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub slug: String,
    pub document_id: ItemId,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
