//! The shared scope on PostgreSQL: each instance `LISTEN`s for the changes the others
//! make, so that a cache hit costs no query.
//!
//! Nothing may be missed silently. On every (re)connection, and every
//! `delivery.response_cache_check_ms`, the version in the database is read: a version
//! committed but never heard of drops everything (`ResponseCache::catch_up`). While the
//! listening connection is down, requests read the version themselves, as on SQLite.

use std::time::Duration;

use sea_orm::DatabaseBackend;
use sea_orm::sqlx::postgres::PgListener;
use tokio::task::JoinHandle;

use crate::error::AppError;
use crate::services::kernel::cache_notices::{CHANNEL, Notice, read_version};
use crate::state::AppState;

/// Listens until the returned task is aborted; `None` where there is nothing to listen
/// to (the instance scope, SQLite, the cache switched off).
pub fn spawn(state: AppState) -> Option<JoinHandle<()>> {
    let cache = &state.delivery_cache;
    if !cache.is_shared() || state.db.get_database_backend() != DatabaseBackend::Postgres {
        return None;
    }
    Some(tokio::spawn(async move {
        loop {
            if let Err(err) = listen(&state).await {
                tracing::warn!(error = %err, "listening for other instances' changes failed; will retry");
            }
            state.delivery_cache.set_listening(false);
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }))
}

/// One listening connection, for as long as it lasts.
async fn listen(state: &AppState) -> Result<(), AppError> {
    let cache = &state.delivery_cache;
    let pool = state.db.get_postgres_connection_pool();
    let mut listener = PgListener::connect_with(pool)
        .await
        .map_err(AppError::internal)?;
    // A lost connection is reported (`Ok(None)`), not silently replaced.
    listener.eager_reconnect(false);
    listener.listen(CHANNEL).await.map_err(AppError::internal)?;
    // Listening now: whatever committed before and was not heard of is caught up.
    let mut committed = read_version(&state.db).await?;
    cache.catch_up(committed);
    cache.set_listening(true);
    let every = Duration::from_millis(state.settings.delivery.response_cache_check_ms.max(10));
    let mut check = tokio::time::interval(every);
    check.tick().await;
    loop {
        tokio::select! {
            // Notifications first: a check must not count one already received as missed.
            biased;
            received = listener.try_recv() => match received.map_err(AppError::internal)? {
                Some(notification) => hear(state, notification.payload()),
                None => return Ok(()),
            },
            _ = check.tick() => {
                // Versions committed by the last check have been notified by now.
                cache.catch_up(committed);
                committed = read_version(&state.db).await?;
            }
        }
    }
}

/// Applies another instance's changes.
fn hear(state: &AppState, payload: &str) {
    let cache = &state.delivery_cache;
    match serde_json::from_str::<Notice>(payload) {
        Ok(notice) => {
            if *notice.from != *state.instance_id {
                for change in notice.changes {
                    cache.apply(change);
                }
            }
            cache.hear(notice.version);
        }
        Err(err) => {
            tracing::warn!(error = %err, "an unreadable change notification; dropping everything");
            cache.apply(crate::delivery_cache::Change::Everything);
        }
    }
}
