//! Background work of each instance: scheduled publishing, offering freed places to
//! waitlists, reminders before events, the sweep of orphaned files, webhook delivery, sending queued mail and, in the shared cache scope on PostgreSQL, listening for the
//! other instances' changes. Several instances may run them at once (each is safe to run
//! concurrently).

use std::time::Duration;

use tokio::task::JoinHandle;

use crate::services::delivery::published_state;
use crate::services::{accounts, assets, content, mail, registrations, webhooks};
use crate::state::AppState;

/// Polls for due schedules until the returned task is aborted; webhooks go out from a
/// task of their own, so that a slow receiver never delays scheduled publishing.
pub fn spawn(state: AppState) -> JoinHandle<()> {
    let hooks = spawn_webhooks(state.clone());
    let mail = spawn_mail(state.clone());
    let listener = published_state::spawn_listener(state.clone());
    let interval = Duration::from_millis(state.settings.jobs.poll_interval_ms);
    let sweep_every = Duration::from_secs(state.settings.assets.sweep_interval_seconds);
    tokio::spawn(async move {
        // Dropping this task's future (on abort) stops the webhook task too.
        let _hooks = AbortOnDrop(hooks);
        let _mail = AbortOnDrop(mail);
        let _listener = listener.map(AbortOnDrop);
        let mut last_sweep = tokio::time::Instant::now();
        let mut last_reminders: Option<tokio::time::Instant> = None;
        loop {
            // Reminders and summaries are due by the hour: a look each minute is on time.
            if last_reminders.is_none_or(|at| at.elapsed() >= REMINDERS_EVERY) {
                last_reminders = Some(tokio::time::Instant::now());
                match registrations::send_reminders(&state).await {
                    Ok(0) => {}
                    Ok(sent) => tracing::info!(sent, "event reminders queued"),
                    Err(err) => tracing::warn!(error = %err, "queueing event reminders failed"),
                }
                match registrations::send_digests(&state).await {
                    Ok(0) => {}
                    Ok(sent) => tracing::info!(sent, "organisers' daily summaries queued"),
                    Err(err) => tracing::warn!(error = %err, "queueing daily summaries failed"),
                }
            }
            if last_sweep.elapsed() >= sweep_every {
                last_sweep = tokio::time::Instant::now();
                if let Err(err) = assets::sweep_orphans(&state).await {
                    tracing::warn!(error = %err, "the orphan sweep failed; will retry");
                }
                match registrations::purge_past_sign_ups(&state).await {
                    Ok(0) => {}
                    Ok(gone) => tracing::info!(gone, "sign-ups of past events deleted"),
                    Err(err) => {
                        tracing::warn!(error = %err, "deleting sign-ups of past events failed")
                    }
                }
                match registrations::purge_unconfirmed(&state).await {
                    Ok(0) => {}
                    Ok(gone) => tracing::info!(gone, "unconfirmed sign-ups deleted"),
                    Err(err) => {
                        tracing::warn!(error = %err, "deleting unconfirmed sign-ups failed")
                    }
                }
            }
            tokio::time::sleep(interval).await;
            // Each schedule that ran told the caches what it changed as it committed.
            match content::run_due_schedules(&state).await {
                Ok(0) => {}
                Ok(ran) => tracing::info!(ran, "scheduled publishing ran"),
                Err(err) => tracing::warn!(error = %err, "scheduled publishing failed; will retry"),
            }
            // Offers that ran out, and places that time or a raised capacity freed.
            match registrations::run_waitlists(&state).await {
                Ok(0) => {}
                Ok(offered) => tracing::info!(offered, "places offered from waitlists"),
                Err(err) => tracing::warn!(error = %err, "offering places from waitlists failed"),
            }
        }
    })
}

/// How often each instance looks for reminders and organisers' summaries that are due.
const REMINDERS_EVERY: Duration = Duration::from_secs(60);

struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Fans out new events and sends due deliveries until aborted; counts the backlog for
/// `/metrics` and forgets old deliveries now and then.
fn spawn_webhooks(state: AppState) -> JoinHandle<()> {
    let interval = Duration::from_millis(state.settings.webhooks.poll_interval_ms);
    tokio::spawn(async move {
        let mut rounds: u64 = 0;
        loop {
            tokio::time::sleep(interval).await;
            rounds = rounds.wrapping_add(1);
            if let Err(err) = webhooks::run_once(&state).await {
                tracing::warn!(error = %err, "webhook delivery failed; will retry");
            }
            match webhooks::backlog(&state).await {
                Ok((deliveries, events)) => state.metrics.set_webhook_backlog(deliveries, events),
                Err(err) => tracing::warn!(error = %err, "cannot count the webhook backlog"),
            }
            // About once an hour at the default interval.
            if rounds % 7200 == 1
                && let Err(err) = webhooks::prune(&state).await
            {
                tracing::warn!(error = %err, "pruning old webhook deliveries failed");
            }
        }
    })
}

/// Sends due mails until aborted; counts the backlog for `/metrics` and forgets old
/// mails now and then. A task of its own, so that a slow mail server delays nothing else.
fn spawn_mail(state: AppState) -> JoinHandle<()> {
    let interval = Duration::from_millis(state.settings.mail.poll_interval_ms);
    tokio::spawn(async move {
        let mut rounds: u64 = 0;
        loop {
            tokio::time::sleep(interval).await;
            rounds = rounds.wrapping_add(1);
            if let Err(err) = accounts::password_reset::answer_requests(&state).await {
                tracing::warn!(error = %err, "answering password-reset requests failed");
            }
            if let Err(err) = mail::run_once(&state).await {
                tracing::warn!(error = %err, "sending mail failed; will retry");
            }
            match mail::backlog(&state).await {
                Ok(waiting) => state.metrics.set_mail_backlog(waiting),
                Err(err) => tracing::warn!(error = %err, "cannot count the mail backlog"),
            }
            // About once an hour at the default interval.
            if rounds % 3600 == 1
                && let Err(err) = mail::prune(&state).await
            {
                tracing::warn!(error = %err, "pruning old mails failed");
            }
        }
    })
}
