//! `users`: people who log in to the admin API.

use sea_orm::entity::prelude::*;

use crate::ids::UserId;

use crate::values::{Role, SignUpNotices};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: UserId,
    /// Lower-cased; unique.
    #[sea_orm(unique)]
    pub email: String,
    pub display_name: String,
    /// An argon2id PHC string.
    pub password_hash: String,
    /// `admin`, `editor`, `author` or `viewer`.
    pub role: Role,
    /// JSON array of country codes the user may work on; empty means all.
    pub scope_countries: Json,
    /// JSON array of locales the user may work on; empty means all.
    pub scope_locales: Json,
    pub must_change_password: bool,
    pub disabled_at: Option<DateTimeUtc>,
    /// How they hear about sign-ups to the events of their countries.
    pub sign_up_notices: SignUpNotices,
    /// The language of mails about the account (a configured locale); none: English.
    pub language: Option<String>,
    /// The base32 secret of the confirmed second factor (TOTP); none: not turned on.
    pub totp_secret: Option<String>,
    /// The secret being enrolled, until a code from it is confirmed.
    pub totp_pending_secret: Option<String>,
    pub totp_enabled_at: Option<DateTimeUtc>,
    /// The time step of the last code accepted: a code is accepted once.
    pub totp_last_step: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

// Sessions point at their user (`session::Relation::User`); nothing reads a user's
// sessions through a relation, so the user knows none and the two do not import each
// other.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
