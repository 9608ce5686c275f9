//! Sign-ups for events through buysocial's form. A sign-up is `pending` until the
//! person confirms their address through the mailed link (unless the event turns that
//! off), holding its place for `registrations.hold_minutes`; then `confirmed`, or
//! `cancelled` through the link every mail carries. When the event is full, people may
//! join its waitlist and are offered places that free up ([`waitlist`]). The form's answer never says
//! whether the address had signed up already: the same answer, and a mail to the
//! address instead. Editors of the event's country read and erase sign-ups
//! ([`organisers`]); the mailed links' actions are in [`self_service`].

mod consent;
mod links;
mod mails;
mod organiser_notices;
mod organisers;
mod person;
mod personal_data;
mod reminders;
mod self_service;
mod waitlist;

use chrono::{DateTime, TimeDelta, Utc};
use entity::ids::{ItemId, RegistrationId};
use entity::registration::{self, Column, Entity as Registrations};
use entity::values::{RegistrationStatus, TokenPurpose};
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, Set,
};

use crate::domain::Locale;
use crate::domain::consent::ShownConsent;
use crate::domain::content::{ContentKind, EventFields, RegistrationMode};
use crate::error::{AppError, Refusal};
use crate::services::delivery::{self, Audience, DeliveredItem, Lookup};
use crate::services::kernel::events::{
    DomainEvent, EventSignUps, ItemOfCountries, countries_of_all,
};
use crate::services::kernel::unit_of_work::UnitOfWork;
use crate::state::AppState;

pub use consent::consent_for;
pub use organiser_notices::send_digests;
pub use organisers::{FailedMail, Tally, counts, erase, failed_mails, list, tally};
pub use person::{NewRegistration, ORGANISATION_TYPES};
pub use personal_data::{
    ErasureTarget, erase_my_data, erasure_page, mail_my_data, purge_past_sign_ups,
};
pub use reminders::send_reminders;
pub use self_service::{
    LinkTarget, Redeemed, accept_offer, cancel, confirm, purge_unconfirmed, token_page,
};
pub use waitlist::{positions as waitlist_positions, run as run_waitlists};

use links::LinkPages;
use person::Person;

/// What the form's answer says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignUpAnswer {
    /// A mail asks the person to confirm their address.
    Pending,
    /// Signed up (the event does not ask for confirmation).
    Confirmed,
    /// The event is full: on its waitlist, to be offered a place that frees up.
    Waitlisted,
}

/// Sign-ups that hold a place at `now`: confirmed ones, and pending or offered ones
/// whose hold has not run out.
pub(crate) fn holding(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(Column::Status.eq(RegistrationStatus::Confirmed))
        .add(
            Condition::all()
                .add(
                    Column::Status
                        .is_in([RegistrationStatus::Pending, RegistrationStatus::Offered]),
                )
                .add(Column::HoldUntil.gt(now)),
        )
}

/// How many of the event's sign-ups hold a place at `now`.
pub(super) async fn count_holding(
    db: &impl ConnectionTrait,
    event: ItemId,
    now: DateTime<Utc>,
) -> Result<u64, AppError> {
    Ok(Registrations::find()
        .filter(Column::EventId.eq(event))
        .filter(holding(now))
        .count(db)
        .await?)
}

/// Signs a person up for the published event `slug`: `pending` until they confirm
/// their address (or `confirmed` when the event does not ask), or `waitlisted` when it
/// is full and they asked for its waitlist. Refused with 409 when it is full (without
/// the waitlist), cancelled or not taking registrations here, 410 once it is over, 429
/// past the limits per client address and per e-mail address.
pub async fn register(
    state: &AppState,
    audience: &Audience,
    slug: &str,
    new: NewRegistration,
    client_address: Option<&str>,
) -> Result<SignUpAnswer, AppError> {
    let now = state.clock.now();
    // Every attempt counts, so that nobody fills an event (or probes) from one address.
    if let Some(address) = client_address {
        state.registration_limit.check(address, now)?;
    }
    let event = published_event(state, audience, slug).await?;
    let person = Person::check(new, &state.settings.content.locales)?;
    let Some(facts) = event.fields.as_event() else {
        return Err(AppError::NotFound(format!("no event {slug:?}")));
    };
    check_open(facts, now)?;
    let locale = person
        .locale
        .clone()
        .unwrap_or_else(|| Locale::from_stored(event.locale.clone()));
    // The consent kept is the one shown: a form showing an older text asks again.
    let consent = consent::consent_for(state, audience.site.as_ref(), locale.as_str());
    if let Some(shown) = &person.consent_version
        && *shown != consent.version
    {
        return Err(AppError::invalid(
            "consent_version",
            format!(
                "the consent text has changed (it is now version {}): show it again",
                consent.version
            ),
        ));
    }

    let work = UnitOfWork::begin(state).await?;
    let locked = lock_event(&work, event.id, now).await?;
    if let Err(closed) = check_open(&locked.fields, now) {
        return refuse(work, 0, closed).await;
    }
    // Places that freed up go to those waiting for one before anyone new.
    let offered = waitlist::offer_free_places(state, &work, &locked, now).await?;
    let taken = if offered > 0 {
        count_holding(work.txn(), event.id, now).await?
    } else {
        locked.taken
    };
    let fields = &locked.fields;
    let answer = if !fields.is_full(taken) {
        if fields.asks_confirmation() {
            SignUpAnswer::Pending
        } else {
            SignUpAnswer::Confirmed
        }
    } else if person.waitlist && fields.keeps_waitlist() {
        SignUpAnswer::Waitlisted
    } else {
        let full = AppError::refused(Refusal::EventFull, "the event is full");
        return refuse(work, offered, full).await;
    };
    // Nobody floods someone else's inbox through the form: sign-ups that would mail an
    // address count against `registrations.per_email_per_hour` (429 past it); refused
    // ones (full, closed) mail nobody and do not count.
    if let Err(limited) = state
        .registration_email_limit
        .check(person.email.as_str(), now)
    {
        return refuse(work, offered, limited).await;
    }
    let earlier = Registrations::find()
        .filter(Column::EventId.eq(event.id))
        .filter(Column::Email.eq(person.email.as_str()))
        .one(work.txn())
        .await?;
    // The links lead back to the site the form was sent from.
    let site = audience.site.as_ref();
    let pages = LinkPages::new(state, site, locale.as_str());
    if let Some(existing) = earlier.as_ref().filter(|r| still_stands(r, now)) {
        // The same answer as anyone else would get, and a mail to the address instead.
        let cancel = links::issue_cancel(&work, existing.id, fields, now).await?;
        let mail =
            mails::already_signed_up(state, &pages, existing, &event, fields, &locale, &cancel);
        work.record(DomainEvent::MailQueued(Box::new(mail)), now)
            .await?;
        work.commit().await?;
        return Ok(answer);
    }
    let signed_up = store(
        state,
        &work,
        (&event, person, &locale, consent),
        site.map(|s| s.code.clone()),
        answer,
        earlier,
        now,
    )
    .await?;
    let cancel = links::issue_cancel(&work, signed_up.id, fields, now).await?;
    let mail = match answer {
        SignUpAnswer::Pending => {
            let confirm_until =
                now + TimeDelta::hours(i64::from(state.settings.registrations.confirm_hours));
            let confirm = links::issue(
                &work,
                signed_up.id,
                TokenPurpose::Confirm,
                confirm_until,
                now,
            )
            .await?;
            mails::confirm(
                state,
                &pages,
                &signed_up,
                &event,
                fields,
                (&confirm, &cancel),
                now,
            )
        }
        SignUpAnswer::Confirmed => mails::confirmed(
            state,
            &pages,
            &signed_up,
            &event.title,
            fields,
            &cancel,
            now,
        ),
        SignUpAnswer::Waitlisted => {
            let position = waitlist::position(work.txn(), &signed_up).await?;
            mails::waitlisted(
                state,
                &pages,
                &signed_up,
                &event.title,
                fields,
                &cancel,
                position,
            )
        }
    };
    work.record(DomainEvent::MailQueued(Box::new(mail)), now)
        .await?;
    let held = match answer {
        SignUpAnswer::Waitlisted => taken,
        SignUpAnswer::Pending | SignUpAnswer::Confirmed => taken.saturating_add(1),
    };
    organiser_notices::each_sign_up(state, &work, &locked, &signed_up, held, now).await?;
    if answer != SignUpAnswer::Waitlisted {
        // Who signed up stays here; webhooks hear only how many did.
        let registered = taken.saturating_add(1);
        let sign_ups = EventSignUps {
            item_id: event.id,
            kind: ContentKind::Event,
            registrations: registered,
            capacity: fields.capacity,
            countries: countries_of_all(&[&locked.countries]),
        };
        work.record(DomainEvent::RegistrationCreated(sign_ups.clone()), now)
            .await?;
        if fields.is_full(registered) {
            work.record(DomainEvent::EventFull(sign_ups), now).await?;
        }
    }
    work.commit().await?;
    Ok(answer)
}

/// Refuses the sign-up; places offered to the waitlist on the way are kept.
async fn refuse(
    work: UnitOfWork<'_>,
    offered: u64,
    refusal: AppError,
) -> Result<SignUpAnswer, AppError> {
    if offered > 0 {
        work.commit().await?;
    } else {
        work.rollback().await?;
    }
    Err(refusal)
}

/// Whether a stored sign-up still stands (signed up, waiting, or holding a place): a
/// cancelled or expired one, or one whose hold ran out, is replaced by a new sign-up.
fn still_stands(registration: &registration::Model, now: DateTime<Utc>) -> bool {
    match registration.status {
        RegistrationStatus::Confirmed | RegistrationStatus::Waitlisted => true,
        RegistrationStatus::Pending | RegistrationStatus::Offered => {
            registration.hold_until.is_some_and(|until| until > now)
        }
        RegistrationStatus::Cancelled | RegistrationStatus::Expired => false,
    }
}

/// Stores the sign-up, over an earlier one of the same address that no longer holds a
/// place (the unique key is the event and the address).
async fn store(
    state: &AppState,
    work: &UnitOfWork<'_>,
    (event, person, locale, consent): (&DeliveredItem, Person, &Locale, ShownConsent),
    site_code: Option<String>,
    answer: SignUpAnswer,
    stale: Option<registration::Model>,
    now: DateTime<Utc>,
) -> Result<registration::Model, AppError> {
    let hold = TimeDelta::minutes(i64::from(state.settings.registrations.hold_minutes));
    let (status, confirmed_at, hold_until) = match answer {
        SignUpAnswer::Pending => (RegistrationStatus::Pending, None, Some(now + hold)),
        SignUpAnswer::Confirmed => (RegistrationStatus::Confirmed, Some(now), None),
        SignUpAnswer::Waitlisted => (RegistrationStatus::Waitlisted, None, None),
    };
    let replacing = stale.is_some();
    let mut row = match stale {
        Some(stale) => {
            // Its old links must not act on the new sign-up.
            links::revoke_all(work, stale.id).await?;
            stale.into_active_model()
        }
        None => registration::ActiveModel {
            id: Set(RegistrationId::new()),
            event_id: Set(event.id),
            ..Default::default()
        },
    };
    row.name = Set(person.name);
    row.email = Set(person.email.as_str().to_owned());
    row.organisation = Set(person.organisation);
    row.organisation_type = Set(person.organisation_type);
    row.country = Set(person.country.as_str().to_owned());
    row.locale = Set(Some(locale.to_string()));
    row.consented_at = Set(now);
    row.consent_text = Set(Some(consent.text));
    row.consent_version = Set(Some(consent.version));
    row.privacy_notice_url = Set(consent.privacy_notice_url);
    row.created_at = Set(now);
    row.status = Set(status);
    row.confirmed_at = Set(confirmed_at);
    row.hold_until = Set(hold_until);
    row.cancelled_at = Set(None);
    row.reminded_at = Set(None);
    row.site_code = Set(site_code);
    Ok(if replacing {
        row.update(work.txn()).await?
    } else {
        row.insert(work.txn()).await?
    })
}

/// The event as readers see it (never a draft, whatever the token).
async fn published_event(
    state: &AppState,
    audience: &Audience,
    slug: &str,
) -> Result<Box<delivery::DeliveredItem>, AppError> {
    let published = Audience {
        preview: false,
        preview_only: None,
        ..audience.clone()
    };
    match delivery::get(state, &published, ContentKind::Event, slug).await? {
        Lookup::Found(event) => Ok(event),
        Lookup::MovedTo(_) => Err(AppError::NotFound(format!(
            "no event {slug:?}; it has moved"
        ))),
    }
}

/// An event as a sign-up's write sees it, under its lock.
pub(super) struct EventNow {
    pub(super) id: ItemId,
    /// The countries it is shown in (its live version's, else the document's).
    pub(super) countries: serde_json::Value,
    pub(super) fields: EventFields,
    /// Sign-ups that held a place when the lock was taken.
    pub(super) taken: u64,
}

/// Takes the event for this sign-up alone, so that its last place goes once: its
/// details as readers see them (see [`event_facts`]) and how many sign-ups hold a place.
///
/// A no-op write takes the row lock on PostgreSQL and the write lock on SQLite, so that
/// writers queue (busy_timeout) instead of failing when the read turns into a write.
pub(super) async fn lock_event(
    work: &UnitOfWork<'_>,
    event: ItemId,
    now: DateTime<Utc>,
) -> Result<EventNow, AppError> {
    entity::document::Entity::update_many()
        .col_expr(
            entity::document::Column::Position,
            Expr::col(entity::document::Column::Position),
        )
        .filter(entity::document::Column::Id.eq(event))
        .exec(work.txn())
        .await?;
    let (countries, fields) = event_facts(work.txn(), event).await?;
    let taken = count_holding(work.txn(), event, now).await?;
    Ok(EventNow {
        id: event,
        countries,
        fields,
        taken,
    })
}

/// An event's countries and facts as readers see them: the live version's, or the
/// document's once it is no longer live (so that people can still cancel).
pub(super) async fn event_facts(
    db: &impl ConnectionTrait,
    event: ItemId,
) -> Result<(serde_json::Value, EventFields), AppError> {
    let live = entity::published_translation::Entity::find()
        .filter(entity::published_translation::Column::DocumentId.eq(event))
        .one(db)
        .await?;
    let (countries, stored) = match live {
        Some(live) => (live.countries, live.document_fields),
        None => {
            let document = entity::document::Entity::find_by_id(event)
                .one(db)
                .await?
                .ok_or_else(|| AppError::NotFound(format!("there is no event {event}")))?;
            (document.countries, document.fields)
        }
    };
    let fields: EventFields = serde_json::from_value(stored).map_err(AppError::internal)?;
    Ok((countries, fields))
}

/// Sign-ups that hold a place changed without a new one: readers' "full" may change.
pub(super) fn sign_ups_changed(event: &EventNow) -> DomainEvent {
    DomainEvent::SignUpsChanged(ItemOfCountries {
        item_id: event.id,
        kind: ContentKind::Event,
        countries: countries_of_all(&[&event.countries]),
    })
}

/// 410 once over; 409 when cancelled, not taking registrations here, or outside its window.
fn check_open(fields: &EventFields, now: chrono::DateTime<Utc>) -> Result<(), AppError> {
    if fields
        .ends_at
        .is_some_and(|end| end.with_timezone(&Utc) < now)
    {
        return Err(AppError::refused(Refusal::EventPast, "the event is over"));
    }
    if fields.cancelled == Some(true) {
        return Err(AppError::refused(
            Refusal::EventCancelled,
            "the event is cancelled",
        ));
    }
    match (fields.registration_mode, &fields.registration_url) {
        (Some(RegistrationMode::Form), _) => {}
        (Some(RegistrationMode::External), Some(url)) => {
            return Err(AppError::refused(
                Refusal::RegistrationClosed,
                format!("registration for this event is at {url}"),
            ));
        }
        _ => {
            return Err(AppError::refused(
                Refusal::RegistrationClosed,
                "registration is closed",
            ));
        }
    }
    let started = fields
        .starts_at
        .is_some_and(|start| start.with_timezone(&Utc) <= now);
    let before_window = fields
        .registration_opens_at
        .is_some_and(|at| at.with_timezone(&Utc) > now);
    let after_window = fields
        .registration_closes_at
        .is_some_and(|at| at.with_timezone(&Utc) <= now);
    if started || before_window || after_window {
        return Err(AppError::refused(
            Refusal::RegistrationClosed,
            "registration is not open now",
        ));
    }
    Ok(())
}
