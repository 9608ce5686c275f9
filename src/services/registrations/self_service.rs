//! What a person does with the links their mails carry: confirm their address, cancel
//! their sign-up, accept a place offered from the waitlist. Opening a link changes nothing (mail scanners open every link): the
//! page it opens asks, and only its button (or a frontend's POST with the token) acts.
//! Following a link twice is harmless and says so. Unconfirmed sign-ups are deleted
//! once their confirmation link has expired.

use chrono::{DateTime, TimeDelta, Utc};
use entity::ids::RegistrationId;
use entity::registration::{self, Column, Entity as Registrations};
use entity::registration_token;
use entity::values::{RegistrationStatus, TokenPurpose};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QuerySelect, Set,
};

use super::links::LinkPages;
use super::{EventNow, links, lock_event, mails, sign_ups_changed, waitlist};
use crate::domain::content::ContentKind;
use crate::error::{AppError, Refusal};
use crate::services::kernel::audit::{self, AuditAction, Event, Who};
use crate::services::kernel::events::{DomainEvent, EventSignUps, countries_of_all};
use crate::services::kernel::mail::OutgoingMail;
use crate::services::kernel::unit_of_work::UnitOfWork;
use crate::state::AppState;

/// What following a link came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redeemed {
    Confirmed,
    /// Confirmed before: nothing changed.
    AlreadyConfirmed,
    Cancelled,
    /// Cancelled before: nothing changed.
    AlreadyCancelled,
    /// A place offered from the waitlist was taken.
    Accepted,
    /// Confirmed after the event filled up: on its waitlist, at this place.
    Waitlisted(u64),
}

/// A link's sign-up as its page shows it before anything is done.
#[derive(Debug, Clone)]
pub struct LinkTarget {
    pub event_title: String,
    /// The person's language, for the page.
    pub locale: String,
    pub registration: registration::Model,
}

/// The sign-up a link names, for the page that asks before acting; 404 for a link that
/// names none.
pub async fn token_page(
    state: &AppState,
    secret: &str,
    purpose: TokenPurpose,
) -> Result<LinkTarget, AppError> {
    let found = links::find(&state.db, secret, purpose)
        .await?
        .ok_or_else(unknown_link)?;
    target(state, &found).await
}

async fn target(
    state: &AppState,
    found: &registration_token::Model,
) -> Result<LinkTarget, AppError> {
    let registration = Registrations::find_by_id(found.registration_id)
        .one(&state.db)
        .await?
        .ok_or_else(unknown_link)?;
    let locale = super::person::language(&registration).to_owned();
    let event_title = mails::event_title(&state.db, registration.event_id, &locale).await?;
    Ok(LinkTarget {
        event_title,
        locale,
        registration,
    })
}

/// Confirms the address of the link's sign-up. A sign-up whose hold ran out is
/// confirmed while places are left; once the event is full, it joins the waitlist if
/// the event keeps one (409 `event-full` otherwise).
pub async fn confirm(state: &AppState, secret: &str) -> Result<(Redeemed, LinkTarget), AppError> {
    let now = state.clock.now();
    let found = links::find(&state.db, secret, TokenPurpose::Confirm)
        .await?
        .ok_or_else(unknown_link)?;
    let shown = target(state, &found).await?;
    match shown.registration.status {
        RegistrationStatus::Confirmed => return Ok((Redeemed::AlreadyConfirmed, shown)),
        RegistrationStatus::Pending if found.expires_at <= now => {
            return Err(gone(
                "this confirmation link has expired; please sign up again",
            ));
        }
        RegistrationStatus::Pending => {}
        _ => return Err(gone("this sign-up was cancelled")),
    }
    let work = UnitOfWork::begin(state).await?;
    let locked = lock_event(&work, shown.registration.event_id, now).await?;
    let current = Registrations::find_by_id(shown.registration.id)
        .one(work.txn())
        .await?
        .ok_or_else(unknown_link)?;
    match current.status {
        RegistrationStatus::Pending => {}
        RegistrationStatus::Confirmed => {
            work.rollback().await?;
            return Ok((Redeemed::AlreadyConfirmed, shown));
        }
        // Cancelled meanwhile (the two links raced).
        _ => {
            work.rollback().await?;
            return Err(gone("this sign-up was cancelled"));
        }
    }
    let still_held = current.hold_until.is_some_and(|until| until > now);
    let mut taken = locked.taken;
    if !still_held {
        // A place freed since goes to those waiting for one first; then the late
        // confirmation takes one if any is left.
        if waitlist::offer_free_places(state, &work, &locked, now).await? > 0 {
            taken = super::count_holding(work.txn(), locked.id, now).await?;
        }
        if locked.fields.is_full(taken) {
            if locked.fields.keeps_waitlist() {
                // Confirmed, but too late for a place: on the waitlist instead.
                let (waiting, position) =
                    wait(state, &work, (current, &found), &shown, &locked, now).await?;
                work.commit().await?;
                let target = LinkTarget {
                    registration: waiting,
                    ..shown
                };
                return Ok((Redeemed::Waitlisted(position), target));
            }
            work.commit().await?;
            return Err(AppError::refused(
                Refusal::EventFull,
                "the event filled up before the address was confirmed",
            ));
        }
    }
    let confirmed = sign_up(&work, current, now).await?;
    links::use_up(&work, &found, now).await?;
    let mail = confirmed_mail(state, &work, (&confirmed, &shown.event_title), &locked, now).await?;
    work.record(DomainEvent::MailQueued(Box::new(mail)), now)
        .await?;
    if !still_held {
        // It counts again: readers' "full" may change, and webhooks hear when it fills.
        work.record(sign_ups_changed(&locked), now).await?;
        let registered = taken.saturating_add(1);
        if locked.fields.is_full(registered) {
            let full = EventSignUps {
                item_id: locked.id,
                kind: ContentKind::Event,
                registrations: registered,
                capacity: locked.fields.capacity,
                countries: countries_of_all(&[&locked.countries]),
            };
            work.record(DomainEvent::EventFull(full), now).await?;
        }
    }
    work.commit().await?;
    Ok((
        Redeemed::Confirmed,
        LinkTarget {
            registration: confirmed,
            ..shown
        },
    ))
}

/// Takes the place offered to the link's sign-up from the waitlist, while the offer
/// holds (410 `link-expired` after its deadline: the place went to the next person).
pub async fn accept_offer(
    state: &AppState,
    secret: &str,
) -> Result<(Redeemed, LinkTarget), AppError> {
    let now = state.clock.now();
    let found = links::find(&state.db, secret, TokenPurpose::Offer)
        .await?
        .ok_or_else(unknown_link)?;
    let shown = target(state, &found).await?;
    let work = UnitOfWork::begin(state).await?;
    let locked = lock_event(&work, shown.registration.event_id, now).await?;
    let current = Registrations::find_by_id(shown.registration.id)
        .one(work.txn())
        .await?
        .ok_or_else(unknown_link)?;
    match current.status {
        RegistrationStatus::Confirmed => {
            work.rollback().await?;
            return Ok((Redeemed::AlreadyConfirmed, shown));
        }
        RegistrationStatus::Offered
            if found.expires_at > now && current.hold_until.is_some_and(|until| until > now) => {}
        RegistrationStatus::Cancelled => {
            work.rollback().await?;
            return Err(gone("this sign-up was cancelled"));
        }
        _ => {
            work.rollback().await?;
            return Err(gone(OFFER_GONE));
        }
    }
    // The place was held for this person: taking it changes no count.
    let confirmed = sign_up(&work, current, now).await?;
    links::use_up(&work, &found, now).await?;
    let mail = confirmed_mail(state, &work, (&confirmed, &shown.event_title), &locked, now).await?;
    work.record(DomainEvent::MailQueued(Box::new(mail)), now)
        .await?;
    work.commit().await?;
    Ok((
        Redeemed::Accepted,
        LinkTarget {
            registration: confirmed,
            ..shown
        },
    ))
}

/// A late confirmation of a full event: the address is the person's, and they wait
/// for a place on the waitlist (a mail says where they are, with a link to leave).
async fn wait(
    state: &AppState,
    work: &UnitOfWork<'_>,
    (current, found): (registration::Model, &registration_token::Model),
    shown: &LinkTarget,
    event: &EventNow,
    now: DateTime<Utc>,
) -> Result<(registration::Model, u64), AppError> {
    let mut waiting = current.into_active_model();
    waiting.status = Set(RegistrationStatus::Waitlisted);
    waiting.hold_until = Set(None);
    // In line from now, behind those who waited while the hold ran out.
    waiting.created_at = Set(now);
    let waiting = waiting.update(work.txn()).await?;
    links::use_up(work, found, now).await?;
    let cancel = links::issue_cancel(work, waiting.id, &event.fields, now).await?;
    let position = waitlist::position(work.txn(), &waiting).await?;
    let pages = LinkPages::of(state, work.txn(), &waiting).await?;
    let mail = mails::waitlisted(
        state,
        &pages,
        &waiting,
        &shown.event_title,
        &event.fields,
        &cancel,
        position,
    );
    work.record(DomainEvent::MailQueued(Box::new(mail)), now)
        .await?;
    Ok((waiting, position))
}

/// The sign-up is confirmed: its address is the person's, its place is theirs.
async fn sign_up(
    work: &UnitOfWork<'_>,
    current: registration::Model,
    now: DateTime<Utc>,
) -> Result<registration::Model, AppError> {
    let mut confirmed = current.into_active_model();
    confirmed.status = Set(RegistrationStatus::Confirmed);
    confirmed.confirmed_at = Set(Some(now));
    confirmed.hold_until = Set(None);
    Ok(confirmed.update(work.txn()).await?)
}

/// "You are signed up", with a new link to cancel.
async fn confirmed_mail(
    state: &AppState,
    work: &UnitOfWork<'_>,
    (confirmed, title): (&registration::Model, &str),
    event: &EventNow,
    now: DateTime<Utc>,
) -> Result<OutgoingMail, AppError> {
    let cancel = links::issue_cancel(work, confirmed.id, &event.fields, now).await?;
    let pages = LinkPages::of(state, work.txn(), confirmed).await?;
    Ok(mails::confirmed(
        state,
        &pages,
        confirmed,
        title,
        &event.fields,
        &cancel,
        now,
    ))
}

/// Cancels the link's sign-up: its place is free at once; a mail confirms it.
pub async fn cancel(state: &AppState, secret: &str) -> Result<(Redeemed, LinkTarget), AppError> {
    let now = state.clock.now();
    let found = links::find(&state.db, secret, TokenPurpose::Cancel)
        .await?
        .ok_or_else(unknown_link)?;
    let shown = target(state, &found).await?;
    // An offer that expired took the person off the waitlist already.
    let gone_already = |status| {
        matches!(
            status,
            RegistrationStatus::Cancelled | RegistrationStatus::Expired
        )
    };
    if gone_already(shown.registration.status) {
        return Ok((Redeemed::AlreadyCancelled, shown));
    }
    if found.expires_at <= now {
        return Err(gone("this link has expired"));
    }
    let work = UnitOfWork::begin(state).await?;
    let locked = lock_event(&work, shown.registration.event_id, now).await?;
    let current = Registrations::find_by_id(shown.registration.id)
        .one(work.txn())
        .await?
        .ok_or_else(unknown_link)?;
    if gone_already(current.status) {
        work.rollback().await?;
        return Ok((Redeemed::AlreadyCancelled, shown));
    }
    let mut cancelled = current.into_active_model();
    cancelled.status = Set(RegistrationStatus::Cancelled);
    cancelled.cancelled_at = Set(Some(now));
    cancelled.hold_until = Set(None);
    let cancelled = cancelled.update(work.txn()).await?;
    links::use_up(&work, &found, now).await?;
    let mail = mails::cancelled(state, &cancelled, &shown.event_title, &locked.fields, now);
    work.record(DomainEvent::MailQueued(Box::new(mail)), now)
        .await?;
    work.record(sign_ups_changed(&locked), now).await?;
    // The log keeps that it happened, not who it was about.
    let entry = Event::success(
        AuditAction::RegistrationCancel,
        "registration",
        cancelled.id,
    )
    .with_details(serde_json::json!({ "event": locked.id }));
    audit::record(work.txn(), now, Who::mailed_link(), entry).await?;
    // The freed place goes to the first on the waitlist, in the same transaction.
    waitlist::offer_free_places(state, &work, &locked, now).await?;
    work.commit().await?;
    Ok((
        Redeemed::Cancelled,
        LinkTarget {
            registration: cancelled,
            ..shown
        },
    ))
}

/// Deletes sign-ups nobody confirmed, once their confirmation link has expired (with
/// their links); returns how many.
pub async fn purge_unconfirmed(state: &AppState) -> Result<u64, AppError> {
    let hours = i64::from(state.settings.registrations.confirm_hours);
    let before: DateTime<Utc> = state.clock.now() - TimeDelta::hours(hours);
    // Chosen inside the write, so that a sign-up that replaces one of them meanwhile
    // (same row, new `created_at`) is not taken with it.
    let work = UnitOfWork::begin(state).await?;
    let mut query = Registrations::find()
        .select_only()
        .column(Column::Id)
        .filter(Column::Status.eq(RegistrationStatus::Pending))
        .filter(Column::CreatedAt.lt(before));
    // SQLite's write transaction excludes other writers; PostgreSQL locks the rows.
    if work.txn().get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        query = query.lock_exclusive();
    }
    let stale: Vec<RegistrationId> = query.into_tuple().all(work.txn()).await?;
    if stale.is_empty() {
        work.rollback().await?;
        return Ok(0);
    }
    // The rows hold no place any more; they go with their links and their mails.
    let files = super::organisers::forget_mails(work.txn(), &stale).await?;
    entity::registration_token::Entity::delete_many()
        .filter(entity::registration_token::Column::RegistrationId.is_in(stale.iter().copied()))
        .exec(work.txn())
        .await?;
    let gone = Registrations::delete_many()
        .filter(Column::Id.is_in(stale.iter().copied()))
        .filter(Column::Status.eq(RegistrationStatus::Pending))
        .filter(Column::CreatedAt.lt(before))
        .exec(work.txn())
        .await?;
    work.commit().await?;
    files.delete(state).await;
    Ok(gone.rows_affected)
}

const OFFER_GONE: &str =
    "this offer has expired: the place went to the next person on the waitlist";

fn unknown_link() -> AppError {
    AppError::NotFound("this link is not valid; check that it was copied whole".into())
}

fn gone(detail: &str) -> AppError {
    AppError::refused(Refusal::LinkExpired, detail)
}
