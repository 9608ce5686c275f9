//! Recovery codes: ten one-time codes for signing in without the authenticator app,
//! shown once when made and stored as their SHA-256. Each has 16 characters from an
//! alphabet without look-alikes (~79 bits), so a fast hash suffices.

use chrono::{DateTime, Utc};
use entity::ids::UserId;
use entity::recovery_code::{self, Column, Entity as Codes};
use rand::RngExt as _;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};

use crate::auth::token;
use crate::error::AppError;

/// How many codes a person gets.
pub const COUNT: usize = 10;
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A new code as shown: four groups of four, e.g. `k7rm-2xqa-…`.
fn generate() -> String {
    let mut rng = rand::rng();
    let chars: Vec<char> = (0..16)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect();
    chars
        .chunks(4)
        .map(|group| group.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// What is hashed: the code without separators or spaces, in lower case, so that it
/// can be typed either way.
fn normalised(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Replaces the codes of `user` with ten new ones, returned to be shown once.
pub(super) async fn replace(
    txn: &impl ConnectionTrait,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<Vec<String>, AppError> {
    delete_all(txn, user).await?;
    let codes: Vec<String> = (0..COUNT).map(|_| generate()).collect();
    let rows = codes.iter().map(|code| recovery_code::ActiveModel {
        hash: Set(token::hash(&normalised(code))),
        user_id: Set(user),
        used_at: Set(None),
        created_at: Set(now),
    });
    Codes::insert_many(rows).exec_without_returning(txn).await?;
    Ok(codes)
}

/// Uses `code` of `user`: whether it was one of theirs, not used before (once used, it
/// is used for good, even by two sign-ins at once).
pub(super) async fn use_one(
    txn: &impl ConnectionTrait,
    user: UserId,
    code: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let normalised = normalised(code);
    if normalised.len() != 16 {
        return Ok(false);
    }
    let used = Codes::update_many()
        .col_expr(Column::UsedAt, Expr::value(Some(now)))
        .filter(Column::Hash.eq(token::hash(&normalised)))
        .filter(Column::UserId.eq(user))
        .filter(Column::UsedAt.is_null())
        .exec(txn)
        .await?;
    Ok(used.rows_affected == 1)
}

/// How many unused codes `user` has left.
pub(super) async fn left(db: &impl ConnectionTrait, user: UserId) -> Result<u64, AppError> {
    Ok(Codes::find()
        .filter(Column::UserId.eq(user))
        .filter(Column::UsedAt.is_null())
        .count(db)
        .await?)
}

pub(super) async fn delete_all(txn: &impl ConnectionTrait, user: UserId) -> Result<(), AppError> {
    Codes::delete_many()
        .filter(Column::UserId.eq(user))
        .exec(txn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_grouped_and_read_back_however_typed() {
        let code = generate();
        assert_eq!(code.len(), 19);
        assert_eq!(code.split('-').count(), 4);
        assert_eq!(
            normalised(&code.to_uppercase().replace('-', " ")),
            normalised(&code)
        );
        assert_ne!(generate(), code);
    }
}
