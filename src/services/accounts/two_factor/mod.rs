//! Two-factor sign-in with an authenticator app (TOTP): enrolling (a secret shown as a
//! QR code, confirmed with a code from the app), ten recovery codes, turning it off,
//! an administrator's reset, and the roles that must use it. Signing in with it is in
//! [`sign_in`].

mod policy;
mod recovery;
pub mod sign_in;
pub mod totp;

use entity::ids::UserId;
use entity::user::{self, Entity as Users};
use sea_orm::{EntityTrait, Set};
use serde_json::json;

pub use policy::{get as required_roles_for, required_roles, set as require_for_roles};

use crate::auth::throttle::{self, ThrottleKey};
use crate::error::{AppError, Refusal};
use crate::policy::Action;
use crate::services::kernel::actor::{Actor, ClientInfo};
use crate::services::kernel::audit::{self, AuditAction, Event, Who};
use crate::services::kernel::unit_of_work::UnitOfWork;
use crate::services::users::User;
use crate::state::AppState;

/// The name authenticator apps show for buysocial's entries.
const ISSUER: &str = "buysocial";

/// What enrolling shows: the secret, for the app to read from the QR code or to be
/// typed.
#[derive(Debug, Clone)]
pub struct Enrolment {
    pub secret: String,
    pub otpauth_uri: String,
    pub qr_svg: String,
}

/// Where someone stands with the second factor.
#[derive(Debug, Clone, Copy)]
pub struct Standing {
    pub enabled: bool,
    /// Their role must use one (they can do nothing else until it is on).
    pub required: bool,
    pub recovery_codes_left: u64,
}

/// Where `user` stands.
pub async fn standing(state: &AppState, user: &User) -> Result<Standing, AppError> {
    let required = required_roles(&state.db).await?.contains(&user.role);
    let recovery_codes_left = if user.two_factor {
        recovery::left(&state.db, user.id).await?
    } else {
        0
    };
    Ok(Standing {
        enabled: user.two_factor,
        required,
        recovery_codes_left,
    })
}

/// Starts enrolling: a new secret, kept until a code from it is confirmed. 409 when
/// the second factor is on already (turn it off first).
pub async fn enrol(
    state: &AppState,
    user: &User,
    session: uuid::Uuid,
) -> Result<Enrolment, AppError> {
    ensure_fresh_sign_in(state, session).await?;
    if user.two_factor {
        return Err(AppError::refused(
            Refusal::AlreadyExists,
            "two-factor sign-in is on already; turn it off first to move it to another device",
        ));
    }
    let secret = totp::new_secret();
    let otpauth_uri = totp::otpauth_uri(&secret, ISSUER, &user.email);
    let qr_svg = totp::qr_svg(&otpauth_uri, "QR code for your authenticator app")
        .ok_or_else(|| AppError::internal("the QR code could not be drawn"))?;
    let now = state.clock.now();
    Users::update(user::ActiveModel {
        id: Set(user.id),
        totp_pending_secret: Set(Some(secret.clone())),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(&state.db)
    .await?;
    Ok(Enrolment {
        secret,
        otpauth_uri,
        qr_svg,
    })
}

/// How recent a sign-in must be to turn a second factor on: a session stolen earlier
/// cannot put the thief's authenticator on the account.
const FRESH_SIGN_IN_MINUTES: i64 = 15;

/// 403 unless `session` signed in within `FRESH_SIGN_IN_MINUTES`.
async fn ensure_fresh_sign_in(state: &AppState, session: uuid::Uuid) -> Result<(), AppError> {
    let now = state.clock.now();
    let signed_in_at = entity::session::Entity::find_by_id(session)
        .one(&state.db)
        .await?
        .map(|s| s.created_at);
    let limit = chrono::TimeDelta::minutes(FRESH_SIGN_IN_MINUTES);
    if signed_in_at.is_none_or(|at| now - at > limit) {
        return Err(AppError::Forbidden(format!(
            "sign in again to turn on two-factor sign-in: it needs a sign-in of the last {FRESH_SIGN_IN_MINUTES} minutes"
        )));
    }
    Ok(())
}

/// Confirms enrolment with a code from the app: the second factor is on, and the ten
/// recovery codes (shown only now) are returned. A wrong code counts like a wrong
/// password. Only within `FRESH_SIGN_IN_MINUTES` of signing in (`session`): 403 after.
pub async fn confirm(
    state: &AppState,
    user: &User,
    session: uuid::Uuid,
    code: &str,
    client: &ClientInfo,
) -> Result<Vec<String>, AppError> {
    ensure_fresh_sign_in(state, session).await?;
    let now = state.clock.now();
    let keys = throttle_keys(state, user, client);
    throttle::reserve(&state.db, &keys, &state.settings.auth.throttle, now).await?;
    let stored = find(state, user.id).await?;
    let Some(pending) = stored
        .totp_pending_secret
        .filter(|_| stored.totp_secret.is_none())
    else {
        return Err(AppError::invalid(
            "code",
            "no enrolment is under way: start again",
        ));
    };
    let Some(step) = totp::matching_step(&pending, code, now.timestamp(), None) else {
        return Err(AppError::invalid(
            "code",
            "is not the code your app shows now; check the time on your phone",
        ));
    };
    throttle::succeeded(&state.db, &keys).await?;
    let work = UnitOfWork::begin(state).await?;
    let txn = work.txn();
    Users::update(user::ActiveModel {
        id: Set(user.id),
        totp_secret: Set(Some(pending)),
        totp_pending_secret: Set(None),
        totp_enabled_at: Set(Some(now)),
        totp_last_step: Set(Some(step)),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(txn)
    .await?;
    let codes = recovery::replace(txn, user.id, now).await?;
    let who = Who::user(user, client.address.clone());
    audit::record(
        txn,
        now,
        who,
        Event::success(AuditAction::AuthTotpEnable, "user", user.id),
    )
    .await?;
    work.commit().await?;
    Ok(codes)
}

/// Replaces the recovery codes, after a code from the app: the new ten, shown once.
pub async fn new_recovery_codes(
    state: &AppState,
    user: &User,
    code: &str,
    client: &ClientInfo,
) -> Result<Vec<String>, AppError> {
    let now = state.clock.now();
    let keys = throttle_keys(state, user, client);
    throttle::reserve(&state.db, &keys, &state.settings.auth.throttle, now).await?;
    let stored = find(state, user.id).await?;
    let Some(secret) = stored.totp_secret.as_deref() else {
        return Err(AppError::invalid("code", "two-factor sign-in is not on"));
    };
    let work = UnitOfWork::begin(state).await?;
    let txn = work.txn();
    if !sign_in::accept_code(txn, &stored, secret, code, now).await? {
        work.rollback().await?;
        return Err(AppError::invalid(
            "code",
            "is not the code your app shows now",
        ));
    }
    let codes = recovery::replace(txn, user.id, now).await?;
    let who = Who::user(user, client.address.clone());
    audit::record(
        txn,
        now,
        who,
        Event::success(AuditAction::AuthRecoveryCodes, "user", user.id),
    )
    .await?;
    work.commit().await?;
    throttle::succeeded(&state.db, &keys).await?;
    Ok(codes)
}

/// Turns the second factor off after checking the password; 403 when the person's
/// role must use one.
pub async fn disable(
    state: &AppState,
    user: &User,
    password: &str,
    client: &ClientInfo,
) -> Result<(), AppError> {
    if required_roles(&state.db).await?.contains(&user.role) {
        return Err(AppError::Forbidden(
            "your role must sign in with a second factor; to move it to another device, ask an administrator to reset it".into(),
        ));
    }
    let now = state.clock.now();
    let keys = throttle_keys(state, user, client);
    throttle::reserve(&state.db, &keys, &state.settings.auth.throttle, now).await?;
    let stored = find(state, user.id).await?;
    if !state.hasher.verify(password, &stored.password_hash).await? {
        return Err(AppError::invalid("password", "is incorrect"));
    }
    throttle::succeeded(&state.db, &keys).await?;
    let who = Who::user(user, client.address.clone());
    turn_off(state, user.id, who, AuditAction::AuthTotpDisable).await
}

/// An administrator resets someone's second factor (a lost phone): it is off, with its
/// recovery codes; they enrol again at their next sign-in if their role must use one.
/// Their sessions end too: a lost phone may hold one, and a session of someone without
/// a second factor may turn one on. Nobody resets their own this way (they turn it off,
/// with their password).
pub async fn reset(state: &AppState, actor: &Actor, id: UserId) -> Result<(), AppError> {
    audit::authorize(
        state,
        actor,
        Action::ManageUsers,
        "user",
        Some(id.to_string()),
    )
    .await?;
    if actor.user().is_some_and(|me| me.id == id) {
        return Err(AppError::Forbidden(
            "you cannot reset your own second factor; turn it off with your password (POST /api/v1/auth/totp/disable), or ask another administrator".into(),
        ));
    }
    find(state, id).await?;
    turn_off(state, id, Who::from(actor), AuditAction::UserTotpReset).await
}

async fn turn_off(
    state: &AppState,
    id: UserId,
    who: Who,
    action: AuditAction,
) -> Result<(), AppError> {
    let now = state.clock.now();
    let work = UnitOfWork::begin(state).await?;
    let txn = work.txn();
    Users::update(user::ActiveModel {
        id: Set(id),
        totp_secret: Set(None),
        totp_pending_secret: Set(None),
        totp_enabled_at: Set(None),
        totp_last_step: Set(None),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(txn)
    .await?;
    recovery::delete_all(txn, id).await?;
    if action == AuditAction::UserTotpReset {
        crate::services::users::revoke_sessions(txn, id, now).await?;
    }
    let event = Event::success(action, "user", id).with_details(json!({}));
    audit::record(txn, now, who, event).await?;
    work.commit().await
}

/// The throttle's keys for checks of `user`'s secrets (password or code) from
/// `client`: the same as sign-in's, so that guesses add up whichever form they take.
fn throttle_keys(state: &AppState, user: &User, client: &ClientInfo) -> [ThrottleKey; 3] {
    sign_in::throttle_keys(state, &user.email, client)
}

async fn find(state: &AppState, id: UserId) -> Result<user::Model, AppError> {
    Users::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no user {id}")))
}
