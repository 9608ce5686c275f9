//! `api_tokens`: delivery, preview and admin tokens. Only a hash of the secret is kept.

use sea_orm::entity::prelude::*;

use crate::ids::{ActorId, ItemId, TokenId};

use crate::values::{Role, TokenKind};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_tokens")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: TokenId,
    pub name: String,
    pub kind: TokenKind,
    #[sea_orm(unique)]
    pub token_hash: String,
    /// The first characters of the secret, e.g. `bsd_3f9a…`.
    pub hint: String,
    pub site_code: Option<String>,
    /// For admin tokens: the role they act with.
    pub role: Option<Role>,
    pub scope_countries: Json,
    pub scope_locales: Json,
    pub created_by: Option<ActorId>,
    pub created_at: DateTimeUtc,
    pub expires_at: Option<DateTimeUtc>,
    pub last_used_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
    /// Preview links: the one document this preview token shows as a draft.
    pub document_id: Option<ItemId>,
    /// Preview links: the one locale of `document_id` shown as a draft.
    pub locale: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
