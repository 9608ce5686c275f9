//! `account_tokens`: a single-use, expiring secret that acts for an account (a mailed
//! password-reset link), stored as its SHA-256.

use sea_orm::entity::prelude::*;

use crate::ids::UserId;
use crate::values::AccountTokenPurpose;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "account_tokens")]
pub struct Model {
    /// Hex SHA-256 of the token: the token itself is only where it was sent.
    #[sea_orm(primary_key, auto_increment = false)]
    pub hash: String,
    pub user_id: UserId,
    pub purpose: AccountTokenPurpose,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
