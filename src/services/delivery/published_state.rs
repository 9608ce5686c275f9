//! The published state's version: what delivery caches compare their entries with.
//! In the `instance` scope it lives in this process and moves with this instance's
//! writes. In the `shared` scope it lives in the database (`published_state`), moves
//! with every instance's writes, and is read once per cached request, so several
//! instances can each keep a cache that is never stale.

use sea_orm::{ConnectionTrait, FromQueryResult, Statement};

use crate::error::AppError;
use crate::state::AppState;

#[derive(Debug, FromQueryResult)]
struct Version {
    version: i64,
}

/// The current version.
pub async fn current(state: &AppState) -> Result<u64, AppError> {
    let cache = &state.delivery_cache;
    if !cache.is_shared() {
        return Ok(cache.version());
    }
    let backend = state.db.get_database_backend();
    let read = Statement::from_string(backend, "SELECT version FROM published_state WHERE id = 1");
    let version = Version::find_by_statement(read)
        .one(&state.db)
        .await?
        .map_or(0, |v| u64::try_from(v.version).unwrap_or(0));
    cache.observe(version);
    Ok(version)
}

/// Something readers could notice has changed (after its transaction committed).
pub async fn changed(state: &AppState) {
    state.delivery_cache.invalidate();
    if !state.delivery_cache.is_shared() {
        return;
    }
    let backend = state.db.get_database_backend();
    let bump = Statement::from_string(
        backend,
        "UPDATE published_state SET version = version + 1 WHERE id = 1",
    );
    if let Err(err) = state.db.execute_raw(bump).await {
        // Other instances keep serving what they cached until the next write moves
        // the version: say so loudly.
        tracing::error!(error = %err, "cannot move the shared published-state version");
    }
}
