//! Logging in and out, sessions, and changing one's password.

use chrono::{DateTime, TimeDelta, Utc};
use entity::session::{Column as SessionColumn, Entity as Sessions};
use entity::user::{self, Entity as Users};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

use crate::auth::throttle::{self, ThrottleKey};
use crate::auth::token;
use crate::domain::NewPassword;
use crate::error::AppError;
use crate::policy::Principal;
use crate::services::accounts::{sso, two_factor};
pub use crate::services::kernel::actor::ClientInfo;
use crate::services::kernel::actor::{Actor, Credential};
use crate::services::kernel::audit::{self, AuditAction, Event, Outcome, Who};
use crate::services::kernel::unit_of_work::UnitOfWork;
use crate::services::sessions::{idle_end, idle_timeout};
use crate::services::tokens::{self, TokenKind};
use crate::services::users::{self, User};
use crate::state::AppState;

/// The one answer for any bad email/password pair, so that it reveals nothing.
pub const INVALID_CREDENTIALS: &str = "the email or password is incorrect";
const INVALID_SESSION: &str = "the session token is missing, invalid or expired";

pub use crate::services::accounts::two_factor::sign_in::{Challenge, LoginStep, Proof};
pub use crate::services::sessions::LoginOutcome;

/// A request authenticated by a session token.
#[derive(Debug, Clone)]
pub struct SessionCaller {
    pub user: User,
    pub session_id: Uuid,
    pub client: ClientInfo,
}

impl From<&SessionCaller> for Who {
    fn from(caller: &SessionCaller) -> Self {
        Who::user(&caller.user, caller.client.address.clone())
    }
}

pub async fn login(
    state: &AppState,
    email: &str,
    password: &str,
    client: ClientInfo,
) -> Result<LoginStep, AppError> {
    let settings = &state.settings.auth;
    let now = state.clock.now();
    let email = email.trim().to_lowercase();
    // The first key is cleared by a successful login; the others give back one attempt.
    let keys = two_factor::sign_in::throttle_keys(state, &email, &client);
    throttle::reserve(&state.db, &keys, &settings.throttle, now).await?;
    let user = users::find_by_email(&state.db, &email).await?;
    let accepted = match check_password(state, user.as_ref(), password).await {
        Ok(accepted) => accepted,
        Err(err) => {
            // No password was checked (the hashing queue was full): not a failure.
            throttle::release(&state.db, &keys).await?;
            return Err(err);
        }
    };
    let known = user.is_some();
    let Some(user) = user.filter(|_| accepted) else {
        // The failure was counted when the attempt was reserved.
        record_failure(state, now, &email, known, &client).await?;
        return Err(AppError::Unauthorized(INVALID_CREDENTIALS.into()));
    };
    let user = User::try_from(user)?;
    if user.two_factor {
        // The attempt is given back, but earlier failures stay counted until the
        // code is right too: a known password buys no fresh guesses at the code.
        throttle::release(&state.db, &keys).await?;
    } else {
        throttle::succeeded(&state.db, &keys).await?;
    }
    if let Some(provider) = sso::password_refused_by(state, user.id).await? {
        return Err(AppError::Forbidden(format!(
            "this account signs in with {provider}, not with a password"
        )));
    }
    two_factor::sign_in::after_first_factor(state, user, &client, "password").await
}

/// The second step of signing in to an account with a second factor: the challenge
/// that a right password answered, and a code from the app or a recovery code.
pub async fn login_with_code(
    state: &AppState,
    challenge: &str,
    proof: Proof<'_>,
    client: ClientInfo,
) -> Result<LoginOutcome, AppError> {
    two_factor::sign_in::complete(state, challenge, proof, client).await
}

/// Whether `password` is the password of `user` and the account is enabled; an error
/// only when no password could be checked. Unknown accounts cost a hash too, so that
/// timing reveals nothing.
async fn check_password(
    state: &AppState,
    user: Option<&user::Model>,
    password: &str,
) -> Result<bool, AppError> {
    let verified = match user {
        Some(user) => state.hasher.verify(password, &user.password_hash).await?,
        None => state.hasher.verify_dummy(password).await.map(|()| false)?,
    };
    Ok(verified && user.is_some_and(|u| u.disabled_at.is_none()))
}

/// A failed sign-in in the audit log. What was typed is kept only when it names an
/// account: a mistyped address (or a password typed into the email field) is nobody's
/// business there.
async fn record_failure(
    state: &AppState,
    now: DateTime<Utc>,
    email: &str,
    known: bool,
    client: &ClientInfo,
) -> Result<(), AppError> {
    let label = if known {
        email.to_owned()
    } else {
        "an unknown email".to_owned()
    };
    let who = Who::anonymous(label, client.address.clone());
    let event = Event {
        action: AuditAction::AuthLogin,
        outcome: Outcome::Failure,
        resource_kind: "session",
        resource_id: None,
        details: json!({}),
    };
    audit::record(&state.db, now, who, event).await
}

/// Resolves a session token to its session and user, refusing revoked, expired and
/// disabled ones, and marks the session as used.
pub async fn authenticate_session(state: &AppState, bearer: &str) -> Result<Credential, AppError> {
    let now = state.clock.now();
    let found = Sessions::find()
        .filter(SessionColumn::TokenHash.eq(token::hash(bearer)))
        .find_also_related(Users)
        .one(&state.db)
        .await?;
    let Some((session, Some(user))) = found else {
        return Err(AppError::Unauthorized(INVALID_SESSION.into()));
    };
    let idle_deadline = session.last_used_at + idle_timeout(state);
    let live = session.revoked_at.is_none() && session.expires_at > now && idle_deadline > now;
    if !live || user.disabled_at.is_some() {
        return Err(AppError::Unauthorized(INVALID_SESSION.into()));
    }
    let mut user = User::try_from(user)?;
    if !user.two_factor {
        user.must_enrol_second_factor = two_factor::required_roles(&state.db)
            .await?
            .contains(&user.role);
    }
    // Writing on every request would turn reads into writes; a minute of slack in
    // the idle timeout is harmless.
    if now - session.last_used_at > TimeDelta::minutes(1) {
        Sessions::update_many()
            .col_expr(SessionColumn::LastUsedAt, Expr::value(now))
            .filter(SessionColumn::Id.eq(session.id))
            .exec(&state.db)
            .await?;
    }
    Ok(Credential::Session {
        session_id: session.id,
        expires_at: idle_end(state, now).min(session.expires_at),
        user,
    })
}

/// Ends the caller's session.
pub async fn logout(state: &AppState, caller: &SessionCaller) -> Result<(), AppError> {
    let now = state.clock.now();
    let work = UnitOfWork::begin(state).await?;
    let txn = work.txn();
    Sessions::update_many()
        .col_expr(SessionColumn::RevokedAt, Expr::value(Some(now)))
        .filter(SessionColumn::Id.eq(caller.session_id))
        .exec(txn)
        .await?;
    let event = Event::success(AuditAction::AuthLogout, "session", caller.session_id);
    audit::record(txn, now, caller, event).await?;
    work.commit().await?;
    Ok(())
}

/// Sets how the caller hears about sign-ups to the events of their countries; the
/// user as they are now.
pub async fn set_sign_up_notices(
    state: &AppState,
    caller: &SessionCaller,
    notices: entity::values::SignUpNotices,
) -> Result<User, AppError> {
    if caller.user.must_change_password {
        return Err(AppError::Forbidden(
            "choose your own password first (POST /api/v1/auth/password)".into(),
        ));
    }
    if caller.user.must_enrol_second_factor {
        return Err(AppError::Forbidden(
            "turn on two-factor sign-in first (POST /api/v1/auth/totp/enrol)".into(),
        ));
    }
    let now = state.clock.now();
    let updated = Users::update(user::ActiveModel {
        id: Set(caller.user.id),
        sign_up_notices: Set(notices),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(&state.db)
    .await?;
    updated.try_into()
}

/// Changes the caller's password after checking the current one, and ends every
/// other session of the user.
pub async fn change_password(
    state: &AppState,
    caller: &SessionCaller,
    current: &str,
    new: &str,
) -> Result<(), AppError> {
    let now = state.clock.now();
    let throttle_settings = &state.settings.auth.throttle;
    let account = ThrottleKey::account(&caller.user.email, throttle_settings);
    let new = NewPassword::parse(new, users::password_rules(state))
        .map_err(|m| AppError::invalid("new_password", m))?;
    let keys = std::slice::from_ref(&account);
    throttle::reserve(&state.db, keys, throttle_settings, now).await?;
    let stored = Users::find_by_id(caller.user.id)
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::Unauthorized(INVALID_SESSION.into()))?;
    if !state.hasher.verify(current, &stored.password_hash).await? {
        // Counted as a failure when reserved.
        return Err(AppError::invalid("current_password", "is incorrect"));
    }
    throttle::succeeded(&state.db, keys).await?;
    if current == new.expose() {
        return Err(AppError::invalid(
            "new_password",
            "must differ from the current password",
        ));
    }
    let password_hash = state.hasher.hash(new.expose()).await?;

    let work = UnitOfWork::begin(state).await?;

    let txn = work.txn();
    Users::update(user::ActiveModel {
        id: Set(stored.id),
        password_hash: Set(password_hash),
        must_change_password: Set(false),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(txn)
    .await?;
    Sessions::update_many()
        .col_expr(SessionColumn::RevokedAt, Expr::value(Some(now)))
        .filter(SessionColumn::UserId.eq(stored.id))
        .filter(SessionColumn::Id.ne(caller.session_id))
        .filter(SessionColumn::RevokedAt.is_null())
        .exec(txn)
        .await?;
    users::revoke_account_tokens(txn, stored.id, now).await?;
    audit::record(
        txn,
        now,
        caller,
        Event::success(AuditAction::AuthPasswordChange, "user", stored.id),
    )
    .await?;
    work.commit().await?;
    Ok(())
}

/// Verifies any bearer token: a session (`bss_`) or an API token (`bsd_`, `bsp_`, `bsa_`).
pub async fn authenticate(state: &AppState, bearer: &str) -> Result<Credential, AppError> {
    if bearer.starts_with(token::SESSION_PREFIX) {
        authenticate_session(state, bearer).await
    } else {
        tokens::authenticate(state, bearer)
            .await
            .map(Credential::Token)
    }
}

/// Verifies a bearer token for the admin API: a session of a user who need not change
/// their password first, or an admin token. Delivery and preview tokens are refused.
pub async fn authenticate_admin(
    state: &AppState,
    bearer: &str,
    client: ClientInfo,
) -> Result<Actor, AppError> {
    let credential = authenticate(state, bearer).await?;
    let principal = match &credential {
        Credential::Local(user) | Credential::Session { user, .. } => {
            if user.must_change_password {
                return Err(AppError::Forbidden(
                    "your password must be changed first: POST /api/v1/auth/password".into(),
                ));
            }
            if user.must_enrol_second_factor {
                return Err(AppError::Forbidden(
                    "your role must sign in with a second factor: turn it on first (POST /api/v1/auth/totp/enrol)".into(),
                ));
            }
            Principal {
                role: user.role,
                scope: user.scope.clone(),
            }
        }
        Credential::Token(token) => match (token.kind, token.role) {
            (TokenKind::Admin, Some(role)) => Principal {
                role,
                scope: token.scope.clone(),
            },
            (kind, _) => {
                return Err(AppError::Forbidden(format!(
                    "a {} token cannot use the admin API; use a session or an admin token",
                    kind.as_str()
                )));
            }
        },
    };
    Ok(Actor {
        principal,
        credential,
        client,
    })
}
