//! How delivery caches hear that the published state changed, and what changed.
//!
//! Every write's changes are collected while it runs (`writes`) and applied once it has
//! committed (`changed`). In the `instance` scope that is all: this process's cache is
//! the only one. In the `shared` scope each change also moves the version in the
//! `published_state` table, so that the other instances hear of it:
//! - on PostgreSQL, the same transaction sends the changes with `NOTIFY`; every instance
//!   `LISTEN`s (`listen`) and drops what they touch, so a cache hit costs no query. A
//!   periodic read of the version is the safety net: a version never heard of (a
//!   notification lost with its connection) drops everything;
//! - on SQLite (one instance, or several sharing a file on one machine) each request
//!   reads the version, and a new one drops everything.

mod listen;

use sea_orm::{ConnectionTrait, DatabaseBackend, FromQueryResult, Statement};
use serde::{Deserialize, Serialize};

use crate::delivery_cache::Change;
use crate::error::AppError;
pub use crate::services::kernel::effects::{Effects, collect, nothing_visible, of_event, record};
use crate::state::AppState;
pub use listen::spawn as spawn_listener;

#[derive(Debug, FromQueryResult)]
struct Version {
    version: i64,
}

/// The channel changes go out on.
const CHANNEL: &str = "buysocial_published_state";

/// A notification: which instance changed what, as which version.
#[derive(Debug, Serialize, Deserialize)]
struct Notice {
    from: String,
    version: u64,
    changes: Vec<Change>,
}

/// PostgreSQL refuses payloads of 8,000 bytes and more; larger changes go out as
/// `Everything`.
const MAX_PAYLOAD_BYTES: usize = 7_900;

/// Brings the cache up to date before a request reads it. Only needed in the shared
/// scope while changes do not arrive as notifications (SQLite, or the listening
/// connection is down): then it reads the version.
pub async fn refresh(state: &AppState) -> Result<(), AppError> {
    let cache = &state.delivery_cache;
    if !cache.is_shared() || cache.is_listening() {
        return Ok(());
    }
    let version = read_version(&state.db).await?;
    cache.catch_up(version);
    Ok(())
}

async fn read_version(db: &impl ConnectionTrait) -> Result<u64, AppError> {
    let read = Statement::from_string(
        db.get_database_backend(),
        "SELECT version FROM published_state WHERE id = 1",
    );
    Ok(Version::find_by_statement(read)
        .one(db)
        .await?
        .map_or(0, |v| u64::try_from(v.version).unwrap_or(0)))
}

/// Changes that committed: this instance's cache drops what they touch and, in the
/// shared scope, the other instances hear of them.
pub async fn changed(state: &AppState, changes: Vec<Change>) {
    apply_here(state, &changes);
    if let Some(announced) = share(state, changes)
        && let Err(err) = announced.await
    {
        tracing::error!(error = %err, "announcing a change to other instances stopped");
    }
}

/// This instance's cache drops what `changes` touch, at once (no await).
pub fn apply_here(state: &AppState, changes: &[Change]) {
    for change in changes {
        state.delivery_cache.apply(change.clone());
    }
}

/// In the shared scope, tells the other instances of `changes`, in a task of its own: a
/// request dropped meanwhile (the client went away) must not keep them from hearing of
/// a change that committed. `None` when there is no one to tell.
pub fn share(state: &AppState, changes: Vec<Change>) -> Option<tokio::task::JoinHandle<()>> {
    if changes.is_empty() || !state.delivery_cache.is_shared() {
        return None;
    }
    let state = state.clone();
    Some(tokio::spawn(async move {
        match announce(&state, changes).await {
            Ok(version) => state.delivery_cache.hear(version),
            // Other instances keep what they cached until their maximum age or the next
            // change that reaches them: say so loudly.
            Err(err) => {
                tracing::error!(error = %err, "cannot move the shared published-state version");
            }
        }
    }))
}

/// Moves the shared version and, on PostgreSQL, notifies the other instances in the
/// same transaction (a notification goes out when, and only if, it commits).
async fn announce(state: &AppState, changes: Vec<Change>) -> Result<u64, AppError> {
    let backend = state.db.get_database_backend();
    let txn = crate::db::begin_write(&state.db).await?;
    let bump = "UPDATE published_state SET version = version + 1 WHERE id = 1";
    txn.execute_raw(Statement::from_string(backend, bump))
        .await?;
    let version = read_version(&txn).await?;
    if backend == DatabaseBackend::Postgres {
        let mut notice = Notice {
            from: state.instance_id.to_string(),
            version,
            changes,
        };
        let mut payload = serde_json::to_string(&notice).unwrap_or_default();
        if payload.len() > MAX_PAYLOAD_BYTES || payload.is_empty() {
            notice.changes = vec![Change::Everything];
            payload = serde_json::to_string(&notice).unwrap_or_default();
        }
        let notify = Statement::from_sql_and_values(
            backend,
            "SELECT pg_notify($1, $2)",
            [CHANNEL.into(), payload.into()],
        );
        txn.execute_raw(notify).await?;
    }
    txn.commit().await?;
    Ok(version)
}
