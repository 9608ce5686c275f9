//! Telling the delivery caches what a committed write changed: this instance's at once,
//! and in the `shared` scope the other instances, through the `published_state` version
//! (and on PostgreSQL a `NOTIFY` in the same transaction; the `delivery` feature
//! listens). See `services::delivery::published_state` for the reading side.

use sea_orm::{ConnectionTrait, DatabaseBackend, FromQueryResult, Statement};
use serde::{Deserialize, Serialize};

use crate::delivery_cache::Change;
use crate::error::AppError;
use crate::state::AppState;

#[derive(Debug, FromQueryResult)]
struct Version {
    version: i64,
}

/// The channel changes go out on.
pub const CHANNEL: &str = "buysocial_published_state";

/// A notification: which instance changed what, as which version.
#[derive(Debug, Serialize, Deserialize)]
pub struct Notice {
    pub from: String,
    pub version: u64,
    pub changes: Vec<Change>,
}

/// PostgreSQL refuses payloads of 8,000 bytes and more; larger changes go out as
/// `Everything`.
const MAX_PAYLOAD_BYTES: usize = 7_900;

pub async fn read_version(db: &impl ConnectionTrait) -> Result<u64, AppError> {
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
    let (txn, _turn) = crate::db::begin_write(&state.db).await?;
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
