//! Opening sessions: after a password (and second factor), an accepted invitation, or
//! a single sign-on. The session's token is shown once; only its hash is stored.

use chrono::{DateTime, TimeDelta, Utc};
use entity::session::{self, Entity as Sessions};
use sea_orm::{EntityTrait, Set};
use uuid::Uuid;

use crate::auth::token;
use crate::error::AppError;
use crate::services::kernel::actor::ClientInfo;
use crate::services::kernel::audit::{self, AuditAction, Event, Who};
use crate::services::kernel::unit_of_work::UnitOfWork;
use crate::services::users::User;
use crate::state::AppState;

/// A new session: the secret token is shown to the client once.
#[derive(Debug)]
pub struct LoginOutcome {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: User,
}

/// A new session for `user`, recorded in the audit log as a sign-in (`how` says which
/// way, e.g. `password` or `invitation`).
pub async fn open(
    state: &AppState,
    now: DateTime<Utc>,
    user: User,
    client: &ClientInfo,
    how: &str,
) -> Result<LoginOutcome, AppError> {
    let work = UnitOfWork::begin(state).await?;
    let outcome = open_in(state, &work, now, user, client, how).await?;
    work.commit().await?;
    Ok(outcome)
}

/// [`open`] inside a write under way, so that the session exists if, and only if, the
/// change that grants it commits.
pub async fn open_in(
    state: &AppState,
    work: &UnitOfWork<'_>,
    now: DateTime<Utc>,
    user: User,
    client: &ClientInfo,
    how: &str,
) -> Result<LoginOutcome, AppError> {
    let token = token::generate(token::SESSION_PREFIX);
    let absolute_end = now + TimeDelta::hours(state.settings.auth.session_absolute_hours.into());
    let session_id = Uuid::now_v7();
    let session = session::ActiveModel {
        id: Set(session_id),
        user_id: Set(user.id),
        token_hash: Set(token::hash(&token)),
        created_at: Set(now),
        last_used_at: Set(now),
        expires_at: Set(absolute_end),
        revoked_at: Set(None),
        client_addr: Set(client.address.as_deref().map(|a| truncate(a, 64))),
        user_agent: Set(client.user_agent.as_deref().map(|a| truncate(a, 512))),
    };
    let who = Who::user(&user, client.address.clone());
    Sessions::insert(session)
        .exec_without_returning(work.txn())
        .await?;
    let event = Event::success(AuditAction::AuthLogin, "session", session_id)
        .with_details(serde_json::json!({ "method": how }));
    audit::record(work.txn(), now, who, event).await?;
    Ok(LoginOutcome {
        token,
        expires_at: idle_end(state, now).min(absolute_end),
        user,
    })
}

/// How long an unused session lasts.
pub fn idle_timeout(state: &AppState) -> TimeDelta {
    TimeDelta::minutes(state.settings.auth.session_idle_minutes.into())
}

/// When a session used at `from` ends if unused from then on.
pub fn idle_end(state: &AppState, from: DateTime<Utc>) -> DateTime<Utc> {
    from + idle_timeout(state)
}

fn truncate(value: &str, max_chars: usize) -> String {
    value.chars().take(max_chars).collect()
}
