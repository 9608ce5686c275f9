//! `invitations`: an administrator's invitation to make an account, with the role and
//! scope it will have. The mailed link's token is stored as its SHA-256.

use sea_orm::entity::prelude::*;

use crate::ids::{ActorId, InvitationId, UserId};
use crate::values::Role;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invitations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: InvitationId,
    /// Lower-cased.
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// JSON array of country codes; empty means all.
    pub scope_countries: Json,
    /// JSON array of locales; empty means all.
    pub scope_locales: Json,
    /// The language of the mail, and of the account's later mails.
    pub language: String,
    /// Hex SHA-256 of the link's token (a new one on each resend).
    #[sea_orm(unique)]
    pub token_hash: String,
    pub expires_at: DateTimeUtc,
    pub invited_by: Option<ActorId>,
    pub invited_by_label: String,
    pub created_at: DateTimeUtc,
    /// When the link was last mailed.
    pub sent_at: DateTimeUtc,
    pub accepted_at: Option<DateTimeUtc>,
    pub withdrawn_at: Option<DateTimeUtc>,
    /// The account made by accepting.
    pub user_id: Option<UserId>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
