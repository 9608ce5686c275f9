//! The reminder before an event: `registrations.reminder_hours` before its start, each
//! confirmed sign-up gets a mail with the time in the event's zone, the place or online
//! link, a link to cancel and a calendar entry. Those who signed up within that time
//! had the calendar entry with their confirmation and get no reminder. Marked in the
//! row (`reminded_at`) in the transaction that queues the mail, so that it goes once
//! however many instances run this.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use entity::ids::ItemId;
use entity::registration::{Column, Entity as Registrations};
use entity::values::RegistrationStatus;
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use super::links::LinkPages;
use super::{links, mails};
use crate::domain::content::{ContentKind, EventFields};
use crate::error::AppError;
use crate::services::kernel::events::DomainEvent;
use crate::services::kernel::unit_of_work::UnitOfWork;
use crate::state::AppState;

/// Queues the reminders that are due; returns how many.
pub async fn send_reminders(state: &AppState) -> Result<u64, AppError> {
    let hours = state.settings.registrations.reminder_hours;
    if hours == 0 {
        return Ok(0);
    }
    let ahead = TimeDelta::hours(i64::from(hours));
    let now = state.clock.now();
    let mut sent = 0;
    for (event, fields) in starting_soon(state, now, ahead).await? {
        let Some(start) = fields.starts_at.map(|at| at.with_timezone(&Utc)) else {
            continue;
        };
        // Confirmed before the reminder's time; later ones had the entry already.
        let due = Registrations::find()
            .filter(Column::EventId.eq(event))
            .filter(Column::Status.eq(RegistrationStatus::Confirmed))
            .filter(not_reminded_for(start - ahead))
            .filter(Column::ConfirmedAt.lt(start - ahead))
            .all(&state.db)
            .await?;
        if due.is_empty() {
            continue;
        }
        let work = UnitOfWork::begin(state).await?;
        for person in due {
            // Only the instance that marks it first queues its mail.
            let marked = Registrations::update_many()
                .col_expr(Column::RemindedAt, Expr::value(Some(now)))
                .filter(Column::Id.eq(person.id))
                .filter(Column::Status.eq(RegistrationStatus::Confirmed))
                .filter(not_reminded_for(start - ahead))
                .exec(work.txn())
                .await?;
            if marked.rows_affected == 0 {
                continue;
            }
            let locale = super::person::language(&person);
            let title = mails::event_title(work.txn(), event, locale).await?;
            let cancel = links::issue_cancel(&work, person.id, &fields, now).await?;
            let pages = LinkPages::of(state, work.txn(), &person).await?;
            let mail = mails::reminder(
                state,
                &pages,
                &person,
                (&title, &fields),
                &cancel,
                now,
                start,
            );
            work.record(DomainEvent::MailQueued(Box::new(mail)), now)
                .await?;
            sent += 1;
        }
        work.commit().await?;
    }
    Ok(sent)
}

/// Not reminded since the reminder's time for this start: an event moved later gets
/// its reminder again.
fn not_reminded_for(since: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(Column::RemindedAt.is_null())
        .add(Column::RemindedAt.lt(since))
}

/// Live events, not called off, starting after `now` and within `ahead`.
async fn starting_soon(
    state: &AppState,
    now: DateTime<Utc>,
    ahead: TimeDelta,
) -> Result<BTreeMap<ItemId, EventFields>, AppError> {
    use entity::published_translation::{Column as Live, Entity as Published};
    let live: Vec<(ItemId, serde_json::Value)> = Published::find()
        .select_only()
        .column(Live::DocumentId)
        .column(Live::DocumentFields)
        .filter(Live::Kind.eq(ContentKind::Event))
        .into_tuple()
        .all(&state.db)
        .await?;
    Ok(live
        .into_iter()
        .filter_map(|(id, stored)| Some((id, serde_json::from_value::<EventFields>(stored).ok()?)))
        .filter(|(_, fields)| {
            fields.cancelled != Some(true)
                && fields.starts_at.is_some_and(|at| {
                    let at = at.with_timezone(&Utc);
                    at > now && at <= now + ahead
                })
        })
        .collect())
}
