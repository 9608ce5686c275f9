//! `registration_tokens`: the token of a mailed link, stored as its SHA-256, for one
//! purpose and one sign-up, expiring, used once.

use sea_orm::entity::prelude::*;

use crate::ids::RegistrationId;
use crate::values::TokenPurpose;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "registration_tokens")]
pub struct Model {
    /// Hex SHA-256 of the token: the token itself is only in the mail.
    #[sea_orm(primary_key, auto_increment = false)]
    pub hash: String,
    pub registration_id: RegistrationId,
    pub purpose: TokenPurpose,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
