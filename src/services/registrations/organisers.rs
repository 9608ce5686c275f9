//! What organisers do with sign-ups: count them, read them (with the waitlist in
//! order), erase one (GDPR; a place it held goes to the waitlist).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use entity::ids::{ItemId, RegistrationId};
use entity::registration::{self, Column, Entity as Registrations};
use entity::values::RegistrationStatus;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::json;

use super::{holding, lock_event, waitlist};
use crate::domain::CountryCode;
use crate::domain::content::ContentKind;
use crate::error::AppError;
use crate::policy::Action;
use crate::services::kernel::actor::Actor;
use crate::services::kernel::audit::{self, AuditAction, Event};
use crate::services::kernel::events::{DomainEvent, ItemOfCountries, countries_of_all};
use crate::services::kernel::unit_of_work::UnitOfWork;
use crate::state::AppState;

/// The sign-ups that hold a place now, per event, for the "full" status (one query
/// for many events): confirmed ones, and pending ones whose hold has not run out.
pub async fn counts(
    db: &impl ConnectionTrait,
    events: &[ItemId],
    now: DateTime<Utc>,
) -> Result<Vec<(ItemId, i64)>, AppError> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    Ok(Registrations::find()
        .select_only()
        .column(Column::EventId)
        .column_as(Column::Id.count(), "count")
        .filter(Column::EventId.is_in(events.iter().copied()))
        .filter(holding(now))
        .group_by(Column::EventId)
        .into_tuple::<(ItemId, i64)>()
        .all(db)
        .await?)
}

/// How many of an event's sign-ups are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Waiting for the person to confirm their address (holding a place or not).
    pub pending: i64,
    pub confirmed: i64,
    /// Offered a place from the waitlist, not accepted yet.
    pub offered: i64,
    pub waitlisted: i64,
    pub cancelled: i64,
    /// Offers from the waitlist not accepted in time.
    pub expired: i64,
}

/// The sign-ups of each event per state (one query for many events).
pub async fn tally(
    db: &impl ConnectionTrait,
    events: &[ItemId],
) -> Result<BTreeMap<ItemId, Tally>, AppError> {
    if events.is_empty() {
        return Ok(BTreeMap::new());
    }
    let rows: Vec<(ItemId, RegistrationStatus, i64)> = Registrations::find()
        .select_only()
        .column(Column::EventId)
        .column(Column::Status)
        .column_as(Column::Id.count(), "count")
        .filter(Column::EventId.is_in(events.iter().copied()))
        .group_by(Column::EventId)
        .group_by(Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    let mut tallies: BTreeMap<ItemId, Tally> = BTreeMap::new();
    for (event, status, count) in rows {
        let tally = tallies.entry(event).or_default();
        let slot = match status {
            RegistrationStatus::Pending => &mut tally.pending,
            RegistrationStatus::Confirmed => &mut tally.confirmed,
            RegistrationStatus::Offered => &mut tally.offered,
            RegistrationStatus::Waitlisted => &mut tally.waitlisted,
            RegistrationStatus::Cancelled => &mut tally.cancelled,
            RegistrationStatus::Expired => &mut tally.expired,
        };
        *slot += count;
    }
    Ok(tallies)
}

/// A mail to a sign-up's address that could not be delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedMail {
    pub subject: String,
    /// What the mail server said (or why it could not be reached).
    pub reason: String,
    pub at: DateTime<Utc>,
}

/// The latest undeliverable mail of each of an event's sign-ups that has one, for
/// organisers to see who did not get their link (and why).
pub async fn failed_mails(
    db: &impl ConnectionTrait,
    event: ItemId,
) -> Result<BTreeMap<RegistrationId, FailedMail>, AppError> {
    use entity::mail_outbox::{Column as Mail, Entity as Outbox};
    let failed = Outbox::find()
        .filter(Mail::EventId.eq(event))
        .filter(Mail::Status.eq(entity::values::MailStatus::Failed))
        // Mails about the sign-up to organisers are not the person's.
        .filter(Mail::Reason.not_like("organiser:%"))
        .order_by_asc(Mail::CreatedAt)
        .all(db)
        .await?;
    Ok(failed
        .into_iter()
        .filter_map(|mail| {
            let failure = FailedMail {
                subject: mail.subject,
                reason: mail.last_error.unwrap_or_default(),
                at: mail.finished_at.unwrap_or(mail.created_at),
            };
            Some((mail.registration_id?, failure))
        })
        .collect())
}

/// The registrations of an event, oldest first, for its country's editors.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    event: ItemId,
) -> Result<Vec<registration::Model>, AppError> {
    let (country, _) = event_country(state, event).await?;
    let action = Action::ReadRegistrations { country: &country };
    audit::authorize(
        state,
        actor,
        action,
        "registration",
        Some(event.to_string()),
    )
    .await?;
    let found = Registrations::find()
        .filter(Column::EventId.eq(event))
        .order_by_asc(Column::Id)
        .all(&state.db)
        .await?;
    // Reading personal data is recorded too (how many, not whose).
    let read = Event::success(AuditAction::RegistrationRead, "event", event)
        .with_details(json!({ "count": found.len() }));
    audit::record(&state.db, state.clock.now(), actor, read).await?;
    Ok(found)
}

/// Erases one registration for good (a reader's right to erasure).
pub async fn erase(
    state: &AppState,
    actor: &Actor,
    event: ItemId,
    id: RegistrationId,
) -> Result<(), AppError> {
    let (country, countries) = event_country(state, event).await?;
    let action = Action::ReadRegistrations { country: &country };
    audit::authorize(state, actor, action, "registration", Some(id.to_string())).await?;
    let now = state.clock.now();
    let work = UnitOfWork::begin(state).await?;
    let locked = lock_event(&work, event, now).await?;
    let gone = Registrations::delete_many()
        .filter(Column::Id.eq(id))
        .filter(Column::EventId.eq(event))
        .exec(work.txn())
        .await?;
    if gone.rows_affected == 0 {
        work.rollback().await?;
        return Err(AppError::NotFound(format!(
            "there is no registration {id} for this event"
        )));
    }
    // Their mails go too, sent or not: the outbox keeps the address until it prunes.
    let files = forget_mails(work.txn(), &[id]).await?;
    // A place it held goes to the first on the waitlist.
    waitlist::offer_free_places(state, &work, &locked, now).await?;
    // Readers see how many signed up (and so whether the event is full), on every site
    // that shows a live version: those carry the countries they were published with.
    let live = entity::published_translation::Entity::find()
        .filter(entity::published_translation::Column::DocumentId.eq(event))
        .all(work.txn())
        .await?;
    let mut shown_in: Vec<&serde_json::Value> = live.iter().map(|l| &l.countries).collect();
    shown_in.push(&countries);
    let erased = ItemOfCountries {
        item_id: event,
        kind: ContentKind::Event,
        countries: countries_of_all(&shown_in),
    };
    work.record(DomainEvent::RegistrationErased(erased), now)
        .await?;
    // The log keeps that it happened, not who it was about.
    let event_details = json!({ "event": event });
    let entry = Event::success(AuditAction::RegistrationErase, "registration", id)
        .with_details(event_details);
    audit::record(work.txn(), now, actor, entry).await?;
    work.commit().await?;
    files.delete(state).await;
    Ok(())
}

/// The event's country, and its countries as stored (a JSON array).
async fn event_country(
    state: &AppState,
    event: ItemId,
) -> Result<(CountryCode, serde_json::Value), AppError> {
    let found = entity::document::Entity::find_by_id(event)
        .filter(entity::document::Column::Kind.eq(ContentKind::Event))
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no event {event}")))?;
    let country = crate::services::scopes::countries_from_json(&found.countries)?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::internal("an event without a country"))?;
    Ok((country, found.countries))
}

/// The `.eml` files of forgotten mails, deleted once the erasure has committed (so a
/// failed commit keeps both the rows and their files).
#[must_use = "delete the files after the commit"]
#[derive(Debug, Default)]
pub(super) struct MailFiles(Vec<String>);

impl MailFiles {
    pub(super) fn extend(&mut self, more: MailFiles) {
        self.0.extend(more.0);
    }

    pub(super) async fn delete(self, state: &AppState) {
        state.mailer.transport.forget(&self.0).await;
    }
}

/// Deletes the mails of `registrations` from the mail outbox (the address they went to
/// is personal data); a pending one is then not sent. Without a mail server, the
/// `.eml` files they were written to go too, through what it returns.
pub(super) async fn forget_mails(
    db: &impl ConnectionTrait,
    registrations: &[RegistrationId],
) -> Result<MailFiles, AppError> {
    use entity::mail_outbox::{Column as Mail, Entity as Outbox};
    if registrations.is_empty() {
        return Ok(MailFiles(Vec::new()));
    }
    let mails: Vec<(uuid::Uuid, DateTime<Utc>)> = Outbox::find()
        .select_only()
        .column(Mail::Id)
        .column(Mail::CreatedAt)
        .filter(Mail::RegistrationId.is_in(registrations.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    Outbox::delete_many()
        .filter(Mail::RegistrationId.is_in(registrations.iter().copied()))
        .exec(db)
        .await?;
    Ok(MailFiles(
        mails
            .iter()
            .map(|(id, created)| crate::services::mail::file_stem(*id, *created))
            .collect(),
    ))
}
