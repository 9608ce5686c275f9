//! Sending deliveries: each due delivery is claimed by one instance (`FOR UPDATE SKIP
//! LOCKED` on PostgreSQL) for a lease, sent signed with a timeout to the address checked
//! at that moment (no redirects, a small read of the answer), and its attempt recorded.
//! A failure is retried with exponential backoff and jitter up to a limit, then the
//! delivery is marked failed. A crash mid-send loses nothing: the lease lapses and the
//! delivery goes out again, with the same id. An attempt is recorded only while the
//! claim is still the sender's own (a fencing token), so a send that outlived its lease
//! cannot overwrite what another instance recorded since. A delivery waits while an
//! earlier one of the same webhook and key (item, site, file) is still pending, so
//! order holds.

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use entity::values::DeliveryStatus;
use entity::webhook::{self, Entity as Webhooks};
use entity::webhook_attempt::{self, Entity as Attempts};
use entity::webhook_delivery::{self, Column, Entity as Deliveries};
use sea_orm::sea_query::{Expr, LockBehavior, LockType};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use super::{address, signing};
use crate::error::AppError;
use crate::settings::WebhookSettings;
use crate::state::AppState;

/// What one attempt came to.
#[derive(Debug, Clone)]
pub struct AttemptOutcome {
    pub status_code: Option<u16>,
    pub error: Option<String>,
    pub duration: Duration,
}

impl AttemptOutcome {
    fn succeeded(&self) -> bool {
        self.error.is_none()
    }
}

/// Sends the deliveries that are due, a few at a time; returns how many were tried.
pub async fn send_due(state: &AppState) -> Result<usize, AppError> {
    let claimed = claim(state, state.settings.webhooks.concurrency).await?;
    let count = claimed.len();
    let sends = claimed.into_iter().map(|(delivery, hook)| async move {
        deliver(state, &delivery, &hook, Retries::UpToTheLimit).await
    });
    for result in futures_util::future::join_all(sends).await {
        result?;
    }
    Ok(count)
}

/// Whether a failed attempt is tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Retries {
    UpToTheLimit,
    /// A test ping: it says how it went, once.
    None,
}

/// Pending deliveries whose webhook is not paused, due, and first of their key; each
/// comes back with the claim (`claimed_by`) its attempt must be recorded under.
async fn claim(
    state: &AppState,
    limit: u64,
) -> Result<Vec<(webhook_delivery::Model, webhook::Model)>, AppError> {
    let now = state.clock.now();
    let (txn, _turn) = crate::db::begin_write(&state.db).await?;
    // A few per webhook (the first of each, in order), so that one slow receiver with
    // a long queue cannot take every slot of a round from the others.
    let per_webhook = (limit / 4).max(1);
    let postgres = txn.get_database_backend() == DatabaseBackend::Postgres;
    // Each backend's own placeholders: PostgreSQL numbers them, and `?` is an operator there.
    let (due_at, per) = if postgres { ("$1", "$2") } else { ("?", "?") };
    let ranked = format!(
        "webhook_deliveries.id IN (SELECT ranked.id FROM ( \
           SELECT d.id, ROW_NUMBER() OVER (PARTITION BY d.webhook_id ORDER BY d.sequence) AS n \
           FROM webhook_deliveries d \
           WHERE d.status = 'pending' AND d.next_attempt_at <= {due_at} \
             AND d.webhook_id IN (SELECT id FROM webhooks WHERE paused = FALSE) \
             AND NOT EXISTS (SELECT 1 FROM webhook_deliveries earlier \
               WHERE earlier.webhook_id = d.webhook_id \
                 AND earlier.ordering_key = d.ordering_key \
                 AND earlier.status = 'pending' \
                 AND earlier.sequence < d.sequence) \
         ) ranked WHERE ranked.n <= {per})"
    );
    let mut due = Deliveries::find()
        .filter(Column::Status.eq(DeliveryStatus::Pending))
        .filter(Column::NextAttemptAt.lte(now))
        .filter(Expr::cust_with_values(
            ranked,
            [
                sea_orm::Value::from(now),
                sea_orm::Value::from(i64::try_from(per_webhook).unwrap_or(i64::MAX)),
            ],
        ))
        .order_by_asc(Column::Sequence)
        .limit(limit);
    if postgres {
        due = due.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let deliveries = due.all(&txn).await?;
    if deliveries.is_empty() {
        txn.commit().await?;
        return Ok(Vec::new());
    }
    // Ours until the lease lapses: long enough to send and record.
    let until = now + lease(&state.settings.webhooks);
    let claim = Uuid::now_v7();
    Deliveries::update_many()
        .col_expr(Column::NextAttemptAt, Expr::value(until))
        .col_expr(Column::ClaimedBy, Expr::value(Some(claim)))
        .filter(Column::Id.is_in(deliveries.iter().map(|d| d.id)))
        .exec(&txn)
        .await?;
    let hooks = Webhooks::find()
        .filter(webhook::Column::Id.is_in(deliveries.iter().map(|d| d.webhook_id)))
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(deliveries
        .into_iter()
        .filter_map(|mut d| {
            let hook = hooks.iter().find(|h| h.id == d.webhook_id)?.clone();
            d.claimed_by = Some(claim);
            Some((d, hook))
        })
        .collect())
}

/// How long a claim holds: the request's timeout, name resolution's, and a margin.
pub(super) fn lease(settings: &WebhookSettings) -> TimeDelta {
    TimeDelta::milliseconds(i64::try_from(settings.timeout_ms).unwrap_or(i64::MAX / 4)) * 2
        + TimeDelta::seconds(60)
}

/// Sends one claimed delivery and records the attempt.
pub(super) async fn deliver(
    state: &AppState,
    delivery: &webhook_delivery::Model,
    hook: &webhook::Model,
    retries: Retries,
) -> Result<AttemptOutcome, AppError> {
    let outcome = send(state, delivery, hook).await;
    record(state, delivery, &outcome, retries).await?;
    Ok(outcome)
}

async fn send(
    state: &AppState,
    delivery: &webhook_delivery::Model,
    hook: &webhook::Model,
) -> AttemptOutcome {
    let started = Instant::now();
    let failed = |error: String| AttemptOutcome {
        status_code: None,
        error: Some(error),
        duration: started.elapsed(),
    };
    let settings = &state.settings.webhooks;
    let (url, client) = match client_for(settings, &hook.url).await {
        Ok(prepared) => prepared,
        Err(reason) => return failed(reason),
    };
    let timestamp = Utc::now().timestamp();
    let signature = match signing::sign(&hook.secret, timestamp, &delivery.body) {
        Ok(signature) => signature,
        Err(err) => return failed(err.to_string()),
    };
    let response = client
        .post(url.as_str())
        .header("content-type", "application/json")
        .header("buysocial-webhook-id", delivery.id.to_string())
        .header("buysocial-webhook-event", delivery.event_type.as_str())
        .header("buysocial-webhook-timestamp", timestamp.to_string())
        .header("buysocial-webhook-signature", signature)
        .body(delivery.body.clone())
        .send()
        .await;
    let mut response = match response {
        Ok(response) => response,
        Err(err) if err.is_timeout() => {
            return failed(format!("no answer within {} ms", settings.timeout_ms));
        }
        Err(err) => return failed(format!("could not connect: {err}")),
    };
    let status = response.status();
    // Read a little of the answer, then hang up: a receiver cannot make us read more.
    let mut read = 0usize;
    while let Ok(Some(chunk)) = response.chunk().await {
        read += chunk.len();
        if read >= settings.max_response_bytes {
            break;
        }
    }
    AttemptOutcome {
        status_code: Some(status.as_u16()),
        error: (!status.is_success()).then(|| {
            if status.is_redirection() {
                format!("answered {status}; redirects are not followed")
            } else {
                format!("answered {status}")
            }
        }),
        duration: started.elapsed(),
    }
}

/// The receiver's URL and a client that reaches it only at the address checked now
/// (no redirects, no proxy, a time limit): an address that turned internal since the
/// webhook was saved is refused here. The reason in words when it cannot be reached.
async fn client_for(
    settings: &crate::settings::WebhookSettings,
    raw: &str,
) -> Result<(url::Url, reqwest::Client), String> {
    let url = address::parse(raw).map_err(|reason| format!("the URL {reason}"))?;
    let resolving = address::resolve(&url, settings.allow_private_addresses);
    let target = tokio::time::timeout(Duration::from_millis(settings.timeout_ms), resolving)
        .await
        .unwrap_or_else(|_| {
            Err(format!(
                "{} did not resolve in time",
                url.host_str().unwrap_or_default()
            ))
        })
        .map_err(|reason| format!("refused: {reason}"))?;
    let host = url.host_str().unwrap_or_default().to_owned();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_millis(settings.timeout_ms))
        .no_proxy()
        .resolve(&host, target)
        .user_agent(concat!("buysocial-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|err| format!("could not prepare the request: {err}"))?;
    Ok((url, client))
}

/// Records the attempt, and the delivery's new state: delivered, failed for good, or
/// due again after a backoff; nothing if the claim lapsed and another instance took the
/// delivery over meanwhile.
async fn record(
    state: &AppState,
    delivery: &webhook_delivery::Model,
    outcome: &AttemptOutcome,
    retries: Retries,
) -> Result<(), AppError> {
    let settings = &state.settings.webhooks;
    let now = state.clock.now();
    let attempts = delivery.attempts.saturating_add(1);
    let (status, next, finished) = if outcome.succeeded() {
        (DeliveryStatus::Delivered, now, Some(now))
    } else if retries == Retries::None
        // A ping is tried once, even when the loop picks up one whose request died.
        || delivery.event_type == super::EventType::Ping.as_str()
        || u32::try_from(attempts).unwrap_or(u32::MAX) >= settings.max_attempts
    {
        (DeliveryStatus::Failed, now, Some(now))
    } else {
        (
            DeliveryStatus::Pending,
            now + backoff(settings, attempts),
            None,
        )
    };
    let (txn, _turn) = crate::db::begin_write(&state.db).await?;
    let updated = Deliveries::update_many()
        .col_expr(Column::Status, Expr::value(status))
        .col_expr(Column::Attempts, Expr::value(attempts))
        .col_expr(Column::NextAttemptAt, Expr::value(next))
        .col_expr(Column::FinishedAt, Expr::value(finished))
        .col_expr(Column::ClaimedBy, Expr::value(Option::<Uuid>::None))
        .col_expr(
            Column::LastStatusCode,
            Expr::value(outcome.status_code.map(i32::from)),
        )
        .col_expr(Column::LastError, Expr::value(outcome.error.clone()))
        .filter(Column::Id.eq(delivery.id))
        .filter(Column::Status.eq(DeliveryStatus::Pending))
        .filter(Column::ClaimedBy.eq(delivery.claimed_by))
        .exec(&txn)
        .await?;
    if updated.rows_affected == 0 {
        txn.rollback().await?;
        tracing::warn!(delivery = %delivery.id, "a webhook attempt outlived its claim; another instance took the delivery over");
        return Ok(());
    }
    let attempt = webhook_attempt::ActiveModel {
        id: Set(Uuid::now_v7()),
        delivery_id: Set(delivery.id),
        at: Set(now),
        status_code: Set(outcome.status_code.map(i32::from)),
        duration_ms: Set(i64::try_from(outcome.duration.as_millis()).unwrap_or(i64::MAX)),
        error: Set(outcome.error.clone()),
    };
    Attempts::insert(attempt)
        .exec_without_returning(&txn)
        .await?;
    txn.commit().await?;
    state
        .metrics
        .record_webhook_attempt(outcome.succeeded(), status == DeliveryStatus::Failed);
    Ok(())
}

/// The wait before the next attempt (see [`crate::services::retry::backoff`]).
pub fn backoff(settings: &WebhookSettings, attempts: i32) -> TimeDelta {
    crate::services::retry::backoff(
        settings.retry_base_seconds,
        settings.retry_max_seconds,
        attempts,
    )
}

/// What waits (for `/metrics`): deliveries to send, and outbox events not yet turned
/// into deliveries (which grow if fan-out is stuck).
pub async fn backlog(state: &AppState) -> Result<(u64, u64), AppError> {
    let deliveries = Deliveries::find()
        .filter(Column::Status.eq(DeliveryStatus::Pending))
        .count(&state.db)
        .await?;
    let events = entity::outbox_event::Entity::find()
        .count(&state.db)
        .await?;
    Ok((deliveries, events))
}

/// Forgets deliveries (and their attempts) finished more than `keep_days` ago.
pub async fn prune(state: &AppState) -> Result<u64, AppError> {
    let before: DateTime<Utc> =
        state.clock.now() - TimeDelta::days(i64::from(state.settings.webhooks.keep_days));
    let old = Deliveries::find()
        .select_only()
        .column(Column::Id)
        .filter(Column::Status.ne(DeliveryStatus::Pending))
        .filter(Column::FinishedAt.lt(before))
        .limit(1000)
        .into_tuple::<Uuid>()
        .all(&state.db)
        .await?;
    if old.is_empty() {
        return Ok(0);
    }
    // Attempts go with their delivery (ON DELETE CASCADE); one sent again since is kept.
    let gone = Deliveries::delete_many()
        .filter(Column::Id.is_in(old.iter().copied()))
        .filter(Column::Status.ne(DeliveryStatus::Pending))
        .exec(&state.db)
        .await?;
    Ok(gone.rows_affected)
}
