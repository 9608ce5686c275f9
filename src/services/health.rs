//! Readiness: are the database and the object store really reachable?

use std::time::Duration;

use crate::state::AppState;
use crate::storage;

const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// The outcome of each dependency's check; `None` means healthy.
#[derive(Debug)]
pub struct Readiness {
    pub database: Option<String>,
    pub storage: Option<String>,
}

impl Readiness {
    pub fn is_ready(&self) -> bool {
        self.database.is_none() && self.storage.is_none()
    }
}

/// Checks both dependencies concurrently, each within a deadline.
pub async fn readiness(state: &AppState) -> Readiness {
    let database = async {
        match tokio::time::timeout(PROBE_TIMEOUT, state.db.ping()).await {
            Ok(Ok(())) => None,
            Ok(Err(err)) => Some(err.to_string()),
            Err(_) => Some(format!("no answer within {} ms", PROBE_TIMEOUT.as_millis())),
        }
    };
    let storage = async {
        storage::probe(&state.store, &state.instance_id, PROBE_TIMEOUT)
            .await
            .err()
    };
    let (database, storage) = tokio::join!(database, storage);
    Readiness { database, storage }
}
