//! Background work of each instance: scheduled publishing. Several instances may run
//! it at once (see `services::content::run_due_schedules`).

use std::time::Duration;

use tokio::task::JoinHandle;

use crate::services::content;
use crate::state::AppState;

/// Polls for due schedules until the returned task is aborted.
pub fn spawn(state: AppState) -> JoinHandle<()> {
    let interval = Duration::from_millis(state.settings.jobs.poll_interval_ms);
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(interval).await;
            match content::run_due_schedules(&state).await {
                Ok(0) => {}
                Ok(ran) => tracing::info!(ran, "scheduled publishing ran"),
                Err(err) => tracing::warn!(error = %err, "scheduled publishing failed; will retry"),
            }
        }
    })
}
