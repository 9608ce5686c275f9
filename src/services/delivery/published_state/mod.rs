//! How delivery caches hear that the published state changed, and what changed.
//!
//! Every write's changes follow from its domain events and are applied once it has
//! committed (the kernel's unit of work and `cache_notices`). In the `instance` scope that is all: this process's cache is
//! the only one. In the `shared` scope each change also moves the version in the
//! `published_state` table, so that the other instances hear of it:
//! - on PostgreSQL, the same transaction sends the changes with `NOTIFY`; every instance
//!   `LISTEN`s (`listen`) and drops what they touch, so a cache hit costs no query. A
//!   periodic read of the version is the safety net: a version never heard of (a
//!   notification lost with its connection) drops everything;
//! - on SQLite (one instance, or several sharing a file on one machine) each request
//!   reads the version, and a new one drops everything.

mod listen;

use crate::error::AppError;
pub use crate::services::kernel::cache_notices::changed;
use crate::services::kernel::cache_notices::read_version;
use crate::state::AppState;
pub use listen::spawn as spawn_listener;

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
