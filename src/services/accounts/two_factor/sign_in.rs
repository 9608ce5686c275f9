//! Signing in with a second factor: a right password for an account with one answers
//! a challenge (a token valid `CHALLENGE_MINUTES`), which a code from the app or a
//! recovery code turns into a session. A code is accepted once: its time step must be
//! later than the last one accepted, and the step is moved on in the same statement
//! that checks it, so two sign-ins with one code cannot both pass. Wrong codes count
//! in the sign-in throttle like wrong passwords, against the same keys.

use chrono::{DateTime, TimeDelta, Utc};
use entity::user::{self, Column, Entity as Users};
use entity::values::AccountTokenPurpose;
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::json;

use super::{recovery, totp};
use crate::auth::throttle::{self, ThrottleKey};
use crate::error::AppError;
use crate::services::accounts::links;
use crate::services::kernel::actor::ClientInfo;
use crate::services::kernel::audit::{self, AuditAction, Event, Outcome, Who};
use crate::services::kernel::unit_of_work::UnitOfWork;
use crate::services::sessions::{self, LoginOutcome};
use crate::services::users::User;
use crate::state::AppState;

/// How long the step between password and code may take.
const CHALLENGE_MINUTES: i64 = 5;

/// The one answer for a wrong code, whichever kind.
pub const WRONG_CODE: &str = "the code is incorrect";
const SIGN_IN_AGAIN: &str = "this sign-in has expired or was used; sign in again";

/// Where a first factor (a right password, a single sign-on) leads: a session, or the
/// second factor's step.
#[derive(Debug)]
pub enum LoginStep {
    SignedIn(LoginOutcome),
    /// The account has a second factor: send a code with the challenge ([`complete`]).
    CodeNeeded(Challenge),
}

/// After a first factor for `user` (`how`: which, for the audit log): a session, or a
/// challenge when they have a second factor.
pub async fn after_first_factor(
    state: &AppState,
    user: User,
    client: &ClientInfo,
    how: &str,
) -> Result<LoginStep, AppError> {
    if user.two_factor {
        return Ok(LoginStep::CodeNeeded(challenge(state, &user).await?));
    }
    let now = state.clock.now();
    let outcome = sessions::open(state, now, user, client, how).await?;
    Ok(LoginStep::SignedIn(outcome))
}

/// A password accepted, a code still needed.
#[derive(Debug)]
pub struct Challenge {
    /// Shown once, to send back with the code.
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// What proves the second factor.
#[derive(Debug)]
pub enum Proof<'a> {
    /// The six digits the authenticator app shows.
    Code(&'a str),
    /// One of the recovery codes.
    RecoveryCode(&'a str),
}

/// The sign-in throttle's keys for `email` from `client`: one account from one client
/// address (cleared by a success), one account from anywhere, and one client address.
pub fn throttle_keys(state: &AppState, email: &str, client: &ClientInfo) -> [ThrottleKey; 3] {
    let settings = &state.settings.auth.throttle;
    let address = client.limit_key.as_deref().unwrap_or("unknown");
    [
        ThrottleKey::account_from(email, address, settings),
        ThrottleKey::account(email, settings),
        ThrottleKey::address(address, settings),
    ]
}

/// The challenge after a right password for `user`, who has a second factor.
pub async fn challenge(state: &AppState, user: &User) -> Result<Challenge, AppError> {
    let now = state.clock.now();
    let expires_at = now + TimeDelta::minutes(CHALLENGE_MINUTES);
    let work = UnitOfWork::begin(state).await?;
    let token = links::issue(
        work.txn(),
        user.id,
        AccountTokenPurpose::SecondFactor,
        expires_at,
        now,
    )
    .await?;
    work.commit().await?;
    Ok(Challenge { token, expires_at })
}

/// Completes a sign-in with the challenge and a proof of the second factor: a session.
/// 401 for a wrong code (the same answer for either kind) and for a challenge expired
/// or used; 429 once the throttle's limit is reached.
pub async fn complete(
    state: &AppState,
    challenge: &str,
    proof: Proof<'_>,
    client: ClientInfo,
) -> Result<LoginOutcome, AppError> {
    let now = state.clock.now();
    let found = links::find_live(&state.db, challenge, AccountTokenPurpose::SecondFactor, now)
        .await
        .map_err(|_| AppError::Unauthorized(SIGN_IN_AGAIN.into()))?;
    let stored = Users::find_by_id(found.user_id)
        .one(&state.db)
        .await?
        .filter(|u| u.disabled_at.is_none())
        .ok_or_else(|| AppError::Unauthorized(SIGN_IN_AGAIN.into()))?;
    let settings = &state.settings.auth.throttle;
    let keys = throttle_keys(state, &stored.email, &client);
    let codes = ThrottleKey::second_factor(&stored.email, settings);
    throttle::reserve(&state.db, &keys, settings, now).await?;
    throttle::reserve(&state.db, std::slice::from_ref(&codes), settings, now).await?;
    let user = User::try_from(stored.clone())?;
    let work = UnitOfWork::begin(state).await?;
    let txn = work.txn();
    let (accepted, how) = match (proof, stored.totp_secret.as_deref()) {
        (Proof::Code(code), Some(secret)) => (
            accept_code(txn, &stored, secret, code, now).await?,
            "authenticator code",
        ),
        (Proof::RecoveryCode(code), Some(_)) => (
            recovery::use_one(txn, stored.id, code, now).await?,
            "recovery code",
        ),
        // The second factor was reset meanwhile: sign in again with the password.
        (_, None) => (false, ""),
    };
    if !accepted {
        work.rollback().await?;
        // Counted as a failure when reserved.
        let event = Event {
            action: AuditAction::AuthLogin,
            outcome: Outcome::Failure,
            resource_kind: "session",
            resource_id: None,
            details: json!({ "step": "second factor" }),
        };
        audit::record(
            &state.db,
            now,
            Who::user(&user, client.address.clone()),
            event,
        )
        .await?;
        return Err(AppError::Unauthorized(WRONG_CODE.into()));
    }
    links::use_up(txn, &found, now)
        .await
        .map_err(|_| AppError::Unauthorized(SIGN_IN_AGAIN.into()))?;
    let outcome = sessions::open_in(state, &work, now, user, &client, how).await?;
    work.commit().await?;
    throttle::succeeded(&state.db, &keys).await?;
    throttle::clear(&state.db, &codes).await?;
    Ok(outcome)
}

/// Whether `code` is a code of `secret` not accepted before; if so, its step is
/// recorded as the last one accepted, in the statement that checks it was later.
pub(super) async fn accept_code(
    txn: &impl ConnectionTrait,
    stored: &user::Model,
    secret: &str,
    code: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let Some(step) = totp::matching_step(secret, code, now.timestamp(), stored.totp_last_step)
    else {
        return Ok(false);
    };
    let moved = Users::update_many()
        .col_expr(Column::TotpLastStep, Expr::value(Some(step)))
        .filter(Column::Id.eq(stored.id))
        .filter(
            Column::TotpLastStep
                .is_null()
                .or(Column::TotpLastStep.lt(step)),
        )
        .exec(txn)
        .await?;
    Ok(moved.rows_affected == 1)
}
