//! Background work of each instance: scheduled publishing and the sweep of orphaned
//! files. Several instances may run them at once (each is safe to run concurrently).

use std::time::Duration;

use tokio::task::JoinHandle;

use crate::services::delivery::published_state;
use crate::services::{assets, content};
use crate::state::AppState;

/// Polls for due schedules until the returned task is aborted.
pub fn spawn(state: AppState) -> JoinHandle<()> {
    let interval = Duration::from_millis(state.settings.jobs.poll_interval_ms);
    let sweep_every = Duration::from_secs(state.settings.assets.sweep_interval_seconds);
    tokio::spawn(async move {
        let mut last_sweep = tokio::time::Instant::now();
        loop {
            if last_sweep.elapsed() >= sweep_every {
                last_sweep = tokio::time::Instant::now();
                if let Err(err) = assets::sweep_orphans(&state).await {
                    tracing::warn!(error = %err, "the orphan sweep failed; will retry");
                }
            }
            tokio::time::sleep(interval).await;
            match content::run_due_schedules(&state).await {
                Ok(0) => {}
                Ok(ran) => {
                    published_state::changed(&state).await;
                    tracing::info!(ran, "scheduled publishing ran");
                }
                Err(err) => {
                    // Some schedules may have run before the failure.
                    published_state::changed(&state).await;
                    tracing::warn!(error = %err, "scheduled publishing failed; will retry");
                }
            }
        }
    })
}
