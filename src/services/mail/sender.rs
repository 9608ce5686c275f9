//! Sending queued mails: each due mail is claimed by one instance (`FOR UPDATE SKIP
//! LOCKED` on PostgreSQL) for a lease, composed with the `Message-ID` fixed when it was
//! queued, and handed to the transport. A refusal for good (a recipient the server
//! rejects) marks that mail failed with the reason and does not hold up the others; any
//! other failure is retried with backoff up to `mail.max_attempts`. A crash mid-send
//! loses nothing: the lease lapses and the mail goes out again with the same
//! `Message-ID`, so receivers can drop the copy. The outcome is recorded only while the
//! claim is still the sender's own (a fencing token). Once sent or failed, the mail's
//! text is emptied: its links held tokens.

use chrono::{DateTime, TimeDelta, Utc};
use entity::mail_outbox::{self, Column, Entity as Outbox};
use entity::values::MailStatus;
use sea_orm::sea_query::{Expr, LockBehavior, LockType};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::error::AppError;
use crate::mailer::{Composed, SendFailure};
use crate::services::kernel::mail::Attachment;
use crate::state::AppState;

/// Mails one round claims.
const ROUND: u64 = 16;

/// Sends the mails that are due, round after round until none is (bounded, so that
/// the loop's other work comes round); returns how many were tried.
pub async fn run_once(state: &AppState) -> Result<usize, AppError> {
    let mut tried = 0;
    for _ in 0..16 {
        let claimed = claim(state).await?;
        if claimed.is_empty() {
            break;
        }
        tried += claimed.len();
        let sends = claimed.iter().map(|mail| async move {
            let outcome = send(state, mail).await;
            record(state, mail, outcome).await
        });
        for result in futures_util::future::join_all(sends).await {
            result?;
        }
    }
    Ok(tried)
}

/// Due pending mails, oldest first, each now claimed for a lease.
async fn claim(state: &AppState) -> Result<Vec<mail_outbox::Model>, AppError> {
    let now = state.clock.now();
    let (txn, _turn) = crate::db::begin_write(&state.db).await?;
    let mut due = Outbox::find()
        .filter(Column::Status.eq(MailStatus::Pending))
        .filter(Column::NextAttemptAt.lte(now))
        .order_by_asc(Column::NextAttemptAt)
        .order_by_asc(Column::Id)
        .limit(ROUND);
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        due = due.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let mut mails = due.all(&txn).await?;
    if mails.is_empty() {
        txn.commit().await?;
        return Ok(mails);
    }
    let claim = Uuid::now_v7();
    Outbox::update_many()
        .col_expr(Column::NextAttemptAt, Expr::value(now + lease(state)))
        .col_expr(Column::ClaimedBy, Expr::value(Some(claim)))
        .filter(Column::Id.is_in(mails.iter().map(|m| m.id)))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    for mail in &mut mails {
        mail.claimed_by = Some(claim);
    }
    Ok(mails)
}

/// How long a claim holds: every step of the SMTP dialogue's timeout, and a margin.
fn lease(state: &AppState) -> TimeDelta {
    let step = i64::try_from(state.settings.mail.timeout_seconds).unwrap_or(i64::MAX / 8);
    TimeDelta::seconds(step.saturating_mul(4)) + TimeDelta::seconds(60)
}

async fn send(state: &AppState, mail: &mail_outbox::Model) -> Result<(), SendFailure> {
    let attachments: Vec<Attachment> = serde_json::from_value(mail.attachments.clone())
        .map_err(|err| SendFailure::permanent(format!("its attachments do not read: {err}")))?;
    let composed = Composed {
        message_id: &mail.message_id,
        to: &mail.to_address,
        subject: &mail.subject,
        text: &mail.text_body,
        html: &mail.html_body,
        attachments: attachments
            .into_iter()
            .map(|a| (a.file_name, a.content_type, a.content))
            .collect(),
    };
    let message = composed
        .message(&state.settings.mail)
        .map_err(SendFailure::permanent)?;
    let stem = super::file_stem(mail.id, mail.created_at);
    state.mailer.transport.send(&message, &stem).await
}

/// Records the outcome: sent, failed for good, or due again after a backoff; nothing
/// if the claim lapsed and another instance took the mail over meanwhile.
async fn record(
    state: &AppState,
    mail: &mail_outbox::Model,
    outcome: Result<(), SendFailure>,
) -> Result<(), AppError> {
    let settings = &state.settings.mail;
    let now = state.clock.now();
    let attempts = mail.attempts.saturating_add(1);
    let out_of_attempts = u32::try_from(attempts).unwrap_or(u32::MAX) >= settings.max_attempts;
    let (status, next, error) = match &outcome {
        Ok(()) => (MailStatus::Sent, now, None),
        Err(failure) if failure.permanent || out_of_attempts => {
            (MailStatus::Failed, now, Some(failure.reason.clone()))
        }
        Err(failure) => (
            MailStatus::Pending,
            now + crate::services::retry::backoff(
                settings.retry_base_seconds,
                settings.retry_max_seconds,
                attempts,
            ),
            Some(failure.reason.clone()),
        ),
    };
    let finished = status != MailStatus::Pending;
    let mut update = Outbox::update_many()
        .col_expr(Column::Status, Expr::value(status))
        .col_expr(Column::Attempts, Expr::value(attempts))
        .col_expr(Column::NextAttemptAt, Expr::value(next))
        .col_expr(Column::ClaimedBy, Expr::value(Option::<Uuid>::None))
        .col_expr(
            Column::LastError,
            Expr::value(
                error
                    .as_ref()
                    .map(|e| e.chars().take(1000).collect::<String>()),
            ),
        )
        .filter(Column::Id.eq(mail.id))
        .filter(Column::Status.eq(MailStatus::Pending))
        .filter(Column::ClaimedBy.eq(mail.claimed_by));
    if finished {
        update = update
            .col_expr(Column::FinishedAt, Expr::value(Some(now)))
            .col_expr(Column::TextBody, Expr::value(""))
            .col_expr(Column::HtmlBody, Expr::value(""))
            .col_expr(Column::Attachments, Expr::value(serde_json::json!([])));
    }
    // One statement: a mail's outcome is bookkeeping of the outbox, not a change of
    // content, and the fencing filter makes a stale claim change nothing.
    let updated = update.exec(&state.db).await?;
    if updated.rows_affected == 0 {
        tracing::warn!(mail = %mail.id, "a mail's send outlived its claim; another instance took it over");
        return Ok(());
    }
    match (&outcome, status) {
        (Ok(()), _) => {}
        (Err(failure), MailStatus::Failed) => {
            tracing::warn!(mail = %mail.id, reason = %failure.reason, "a mail failed for good")
        }
        (Err(failure), _) => {
            tracing::info!(mail = %mail.id, reason = %failure.reason, "a mail will be tried again")
        }
    }
    state
        .metrics
        .record_mail_attempt(outcome.is_ok(), status == MailStatus::Failed);
    Ok(())
}

/// Mails waiting to be sent (for `/metrics`).
pub async fn backlog(state: &AppState) -> Result<u64, AppError> {
    Ok(Outbox::find()
        .filter(Column::Status.eq(MailStatus::Pending))
        .count(&state.db)
        .await?)
}

/// Forgets mails finished more than `mail.keep_days` ago.
pub async fn prune(state: &AppState) -> Result<u64, AppError> {
    let before: DateTime<Utc> =
        state.clock.now() - TimeDelta::days(i64::from(state.settings.mail.keep_days));
    let gone = Outbox::delete_many()
        .filter(Column::Status.ne(MailStatus::Pending))
        .filter(Column::FinishedAt.lt(before))
        .exec(&state.db)
        .await?;
    Ok(gone.rows_affected)
}
