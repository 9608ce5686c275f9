//! `recovery_codes`: a person's one-time codes for signing in without their
//! authenticator, stored as their SHA-256, each used once.

use sea_orm::entity::prelude::*;

use crate::ids::UserId;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "recovery_codes")]
pub struct Model {
    /// Hex SHA-256 of the code as shown (without separators, lower case).
    #[sea_orm(primary_key, auto_increment = false)]
    pub hash: String,
    pub user_id: UserId,
    pub used_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
