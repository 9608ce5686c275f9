//! The links of account mails and the tokens in them: 256 random bits, shown only in
//! the mail, stored as their SHA-256, for one purpose, expiring, used once.
//!
//! Links lead to the web app (`{public_url}/admin/{page}#token=…`): the token is in the
//! fragment, which browsers send to no server, so it stays out of access logs and
//! `Referer` headers; the web app posts it to the API.

use chrono::{DateTime, Utc};
use entity::account_token::{self, Column, Entity as Tokens};
use entity::ids::UserId;
use entity::values::AccountTokenPurpose;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::auth::token;
use crate::error::{AppError, Refusal};
use crate::state::AppState;

/// Prefix of invitation tokens, so that a leaked one is recognisable.
pub(super) const INVITATION_PREFIX: &str = "bsi_";
/// Prefix of password-reset tokens.
const RESET_PREFIX: &str = "bsk_";
/// Prefix of the token between a right password and the second factor's code.
const CHALLENGE_PREFIX: &str = "bsc_";
/// Prefix of the code a single sign-on hands the web app.
const HANDOFF_PREFIX: &str = "bso_";

/// The web app's page for `page` with `secret`.
pub(super) fn url(state: &AppState, page: &str, secret: &str) -> String {
    format!(
        "{}/admin/{page}#token={secret}",
        state.settings.server.links_base()
    )
}

fn prefix(purpose: AccountTokenPurpose) -> &'static str {
    match purpose {
        AccountTokenPurpose::PasswordReset => RESET_PREFIX,
        AccountTokenPurpose::SecondFactor => CHALLENGE_PREFIX,
        AccountTokenPurpose::SsoHandoff => HANDOFF_PREFIX,
    }
}

/// Whether `secret` can be a token of `prefix` at all: anything else is not looked up.
pub(super) fn is_shaped(secret: &str, prefix: &str) -> bool {
    secret.starts_with(prefix) && secret.len() <= 100
}

/// A new token for `purpose` on `user`, valid until `expires`.
pub(super) async fn issue(
    txn: &impl ConnectionTrait,
    user: UserId,
    purpose: AccountTokenPurpose,
    expires: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let secret = token::generate(prefix(purpose));
    Tokens::insert(account_token::ActiveModel {
        hash: Set(token::hash(&secret)),
        user_id: Set(user),
        purpose: Set(purpose),
        expires_at: Set(expires),
        used_at: Set(None),
        created_at: Set(now),
    })
    .exec_without_returning(txn)
    .await?;
    Ok(secret)
}

/// The live token for `secret` and `purpose`: 404 for one that never was, 410 for one
/// used or expired.
pub(super) async fn find_live(
    db: &impl ConnectionTrait,
    secret: &str,
    purpose: AccountTokenPurpose,
    now: DateTime<Utc>,
) -> Result<account_token::Model, AppError> {
    let found = if is_shaped(secret, prefix(purpose)) {
        Tokens::find_by_id(token::hash(secret))
            .filter(Column::Purpose.eq(purpose))
            .one(db)
            .await?
    } else {
        None
    };
    let found = found.ok_or_else(not_valid)?;
    if found.used_at.is_some() {
        return Err(AppError::refused(
            Refusal::LinkExpired,
            "this link was used already; ask for a new one",
        ));
    }
    if found.expires_at <= now {
        return Err(AppError::refused(
            Refusal::LinkExpired,
            "this link has expired; ask for a new one",
        ));
    }
    Ok(found)
}

/// Marks the token used, unless it was meanwhile: then 410, and the caller's
/// transaction must change nothing.
pub(super) async fn use_up(
    txn: &impl ConnectionTrait,
    found: &account_token::Model,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let used = Tokens::update_many()
        .col_expr(Column::UsedAt, Expr::value(Some(now)))
        .filter(Column::Hash.eq(found.hash.clone()))
        .filter(Column::UsedAt.is_null())
        .exec(txn)
        .await?;
    if used.rows_affected == 0 {
        return Err(AppError::refused(
            Refusal::LinkExpired,
            "this link was used already; ask for a new one",
        ));
    }
    Ok(())
}

/// Forgets tokens that ended (used or expired) before `before`.
pub(super) async fn prune(
    db: &impl ConnectionTrait,
    before: DateTime<Utc>,
) -> Result<u64, AppError> {
    let gone = Tokens::delete_many()
        .filter(Column::ExpiresAt.lt(before))
        .exec(db)
        .await?;
    Ok(gone.rows_affected)
}

/// The answer for a token that never was (or was mistyped).
pub(super) fn not_valid() -> AppError {
    AppError::NotFound("this link is not valid; check that it was copied whole".into())
}
