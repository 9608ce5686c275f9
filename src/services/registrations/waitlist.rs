//! The waitlist of a full event. People join it in order when the event is full (and
//! keeps one); a place that frees up (a cancellation, an erasure, a hold that ran out,
//! a raised capacity) is offered by mail to the first on the list, held for them until
//! a deadline (`registrations.offer_hours`, never past the start). An offer not taken
//! in time expires, and the place goes to the next.
//!
//! Offers are made under the event's lock ([`super::lock_event`]) from a count taken
//! inside it, so that racing cancellations never offer more places than are free:
//! every path that frees a place offers it in the same transaction, and a job catches
//! what time alone frees (holds and offers that ran out) and raised capacities.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use entity::ids::{ItemId, RegistrationId};
use entity::registration::{Column, Entity as Registrations};
use entity::values::{RegistrationStatus, TokenPurpose};
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::links::LinkPages;
use super::{EventNow, event_facts, links, lock_event, mails};
use crate::domain::content::EventFields;
use crate::error::AppError;
use crate::services::kernel::events::DomainEvent;
use crate::services::kernel::unit_of_work::UnitOfWork;
use crate::state::AppState;

/// Offers the event's free places to the first on its waitlist, under the lock
/// `event` was taken with; returns how many were offered. Counts the places taken
/// itself, inside the transaction, so that what the caller changed before counts.
pub(super) async fn offer_free_places(
    state: &AppState,
    work: &UnitOfWork<'_>,
    event: &EventNow,
    now: DateTime<Utc>,
) -> Result<u64, AppError> {
    let Some(deadline) = offer_deadline(state, &event.fields, now) else {
        return Ok(0);
    };
    let taken = super::count_holding(work.txn(), event.id, now).await?;
    // `None`: no limit (any more), so everyone waiting is offered a place.
    let free = event.fields.places_left(taken);
    if free == Some(0) {
        return Ok(0);
    }
    let next = Registrations::find()
        .filter(Column::EventId.eq(event.id))
        .filter(Column::Status.eq(RegistrationStatus::Waitlisted))
        .order_by_asc(Column::CreatedAt)
        .order_by_asc(Column::Id)
        .limit(free)
        .all(work.txn())
        .await?;
    let mut offered = 0;
    for person in next {
        // Only if it is still waiting (it was read under the event's lock, so it is).
        let moved = Registrations::update_many()
            .col_expr(Column::Status, Expr::value(RegistrationStatus::Offered))
            .col_expr(Column::HoldUntil, Expr::value(Some(deadline)))
            .filter(Column::Id.eq(person.id))
            .filter(Column::Status.eq(RegistrationStatus::Waitlisted))
            .exec(work.txn())
            .await?;
        if moved.rows_affected == 0 {
            continue;
        }
        offered += 1;
        let accept = links::issue(work, person.id, TokenPurpose::Offer, deadline, now).await?;
        let cancel = links::issue_cancel(work, person.id, &event.fields, now).await?;
        let title =
            mails::event_title(work.txn(), event.id, super::person::language(&person)).await?;
        let pages = LinkPages::of(state, work.txn(), &person).await?;
        let mail = mails::offer(
            state,
            &pages,
            &person,
            (&title, &event.fields),
            (&accept, &cancel),
            deadline,
        );
        work.record(DomainEvent::MailQueued(Box::new(mail)), now)
            .await?;
    }
    if offered > 0 {
        // Readers' "full" may have changed between the freeing and now.
        work.record(super::sign_ups_changed(event), now).await?;
    }
    Ok(offered)
}

/// Until when an offer made `now` holds: `registrations.offer_hours`, and not past the
/// start. `None` when no offer can be made any more (called off, started, or too close
/// to the start to come).
fn offer_deadline(
    state: &AppState,
    fields: &EventFields,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    if fields.cancelled == Some(true) {
        return None;
    }
    let hours = TimeDelta::hours(i64::from(state.settings.registrations.offer_hours));
    let start = fields.starts_at.map(|at| at.with_timezone(&Utc));
    let deadline = start.map_or(now + hours, |start| (now + hours).min(start));
    (deadline - now >= TimeDelta::minutes(1)).then_some(deadline)
}

/// Offers whose deadline passed expire, under the event's lock: each person is told
/// by mail, and leaves the waitlist. Returns how many.
async fn expire_offers(
    state: &AppState,
    work: &UnitOfWork<'_>,
    event: &EventNow,
    now: DateTime<Utc>,
) -> Result<u64, AppError> {
    let lapsed = Registrations::find()
        .filter(Column::EventId.eq(event.id))
        .filter(lapsed_offer(now))
        .all(work.txn())
        .await?;
    for person in &lapsed {
        Registrations::update_many()
            .col_expr(Column::Status, Expr::value(RegistrationStatus::Expired))
            .filter(Column::Id.eq(person.id))
            .exec(work.txn())
            .await?;
        let title =
            mails::event_title(work.txn(), event.id, super::person::language(person)).await?;
        let deadline = person.hold_until.unwrap_or(now);
        let mail = mails::offer_expired(state, person, (&title, &event.fields), deadline);
        work.record(DomainEvent::MailQueued(Box::new(mail)), now)
            .await?;
    }
    Ok(lapsed.len() as u64)
}

fn lapsed_offer(now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(Column::Status.eq(RegistrationStatus::Offered))
        .add(Column::HoldUntil.lte(now))
}

/// What time alone changes: offers that ran out expire, and places freed by holds
/// that ran out or by a raised capacity are offered. One read finds the events that
/// need it; only those are locked. Safe on several instances at once (each event's
/// change is made under its lock, from counts taken inside it). Returns how many
/// places were offered.
pub async fn run(state: &AppState) -> Result<u64, AppError> {
    let now = state.clock.now();
    let mut offered = 0;
    for event in needing_attention(state, now).await? {
        // One event's failure (logged) holds up no other.
        match attend(state, event, now).await {
            Ok(made) => offered += made,
            Err(err) => {
                tracing::warn!(error = %err, %event, "offering places from the waitlist failed")
            }
        }
    }
    Ok(offered)
}

/// Expires the event's lapsed offers and offers its free places; how many it offered.
async fn attend(state: &AppState, event: ItemId, now: DateTime<Utc>) -> Result<u64, AppError> {
    let work = UnitOfWork::begin(state).await?;
    let locked = lock_event(&work, event, now).await?;
    let expired = expire_offers(state, &work, &locked, now).await?;
    let made = offer_free_places(state, &work, &locked, now).await?;
    if expired + made == 0 {
        work.rollback().await?;
    } else {
        work.commit().await?;
    }
    Ok(made)
}

/// Events with a lapsed offer, or with people waiting while places are free.
async fn needing_attention(state: &AppState, now: DateTime<Utc>) -> Result<Vec<ItemId>, AppError> {
    let waiting: Vec<(ItemId, RegistrationStatus)> = Registrations::find()
        .select_only()
        .column(Column::EventId)
        .column(Column::Status)
        .filter(
            Condition::any()
                .add(Column::Status.eq(RegistrationStatus::Waitlisted))
                .add(lapsed_offer(now)),
        )
        .distinct()
        .into_tuple()
        .all(&state.db)
        .await?;
    // Events with a lapsed offer are due; those with people waiting, if places are free.
    let mut due = Vec::new();
    let mut queued = Vec::new();
    for (event, status) in waiting {
        if status == RegistrationStatus::Offered {
            due.push(event);
        } else {
            queued.push(event);
        }
    }
    queued.retain(|event| !due.contains(event));
    let taken: BTreeMap<ItemId, i64> = super::counts(&state.db, &queued, now)
        .await?
        .into_iter()
        .collect();
    for event in queued {
        let (_, fields) = match event_facts(&state.db, event).await {
            Ok(facts) => facts,
            Err(AppError::NotFound(_)) => continue,
            Err(err) => return Err(err),
        };
        let held = u64::try_from(taken.get(&event).copied().unwrap_or(0)).unwrap_or(0);
        if offer_deadline(state, &fields, now).is_some() && !fields.is_full(held) {
            due.push(event);
        }
    }
    Ok(due)
}

/// The place of `registration` on its event's waitlist (1: the next to be offered).
pub(super) async fn position(
    db: &impl ConnectionTrait,
    registration: &entity::registration::Model,
) -> Result<u64, AppError> {
    let ahead = Registrations::find()
        .filter(Column::EventId.eq(registration.event_id))
        .filter(Column::Status.eq(RegistrationStatus::Waitlisted))
        .filter(
            Condition::any()
                .add(Column::CreatedAt.lt(registration.created_at))
                .add(
                    Condition::all()
                        .add(Column::CreatedAt.eq(registration.created_at))
                        .add(Column::Id.lt(registration.id)),
                ),
        )
        .count(db)
        .await?;
    Ok(ahead + 1)
}

/// The waitlist positions of an event's waiting sign-ups, for organisers.
pub fn positions(registrations: &[entity::registration::Model]) -> BTreeMap<RegistrationId, u64> {
    let mut waiting: Vec<&entity::registration::Model> = registrations
        .iter()
        .filter(|r| r.status == RegistrationStatus::Waitlisted)
        .collect();
    waiting.sort_by_key(|r| (r.created_at, r.id));
    waiting
        .into_iter()
        .zip(1..)
        .map(|(r, position)| (r.id, position))
        .collect()
}
