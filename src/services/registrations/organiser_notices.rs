//! Organisers hear about sign-ups by mail as each chose (`users.sign_up_notices`): a
//! mail on each sign-up, or a summary of the last 24 hours once a day. An event's
//! organisers are the active people who may read its sign-ups (editors of its
//! country, and admins). The mail on each sign-up names the person (organisers may
//! read that anyway) and is erased with the sign-up; the summary holds only counts.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Timelike, Utc};
use entity::ids::ItemId;
use entity::registration::{self, Column, Entity as Registrations};
use entity::user::{Column as UserColumn, Entity as Users};
use entity::values::{RegistrationStatus, SignUpNotices};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use super::{EventNow, event_facts, mails};
use crate::domain::content::EventFields;
use crate::error::AppError;
use crate::policy::{self, Action, Principal};
use crate::services::kernel::events::DomainEvent;
use crate::services::kernel::identity::User;
use crate::services::kernel::mail::OutgoingMail;
use crate::services::kernel::unit_of_work::UnitOfWork;
use crate::state::AppState;

/// The summaries go out from this hour on (UTC), once a day.
const DIGEST_HOUR_UTC: u32 = 7;

/// Queues a mail about the new `sign_up` to each organiser of its event who asked for
/// one per sign-up; `taken`: the places held now.
pub(super) async fn each_sign_up(
    state: &AppState,
    work: &UnitOfWork<'_>,
    event: &EventNow,
    sign_up: &registration::Model,
    taken: u64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    // Who may read the sign-ups is decided by the document's countries (as for the
    // list itself), not by those of the version readers see.
    let countries = entity::document::Entity::find_by_id(event.id)
        .one(work.txn())
        .await?
        .map(|document| document.countries)
        .unwrap_or_default();
    let organisers = organisers(work.txn(), SignUpNotices::Each, &countries).await?;
    for organiser in organisers {
        let locale = language_of(state, &organiser);
        let title = mails::event_title(work.txn(), event.id, &locale).await?;
        let mail = mails::to_organiser_on_sign_up(
            state,
            (&organiser, &locale),
            sign_up,
            (&title, &event.fields),
            &places(state, &locale, &event.fields, taken),
        );
        work.record(DomainEvent::MailQueued(Box::new(mail)), now)
            .await?;
    }
    Ok(())
}

/// Queues today's summary to each organiser who asked for one, once a day from
/// `DIGEST_HOUR_UTC`, when their events had sign-ups in the last 24 hours. Safe on
/// several instances: the mail's reason names the person and the day, so it is
/// queued once. Returns how many were queued.
pub async fn send_digests(state: &AppState) -> Result<u64, AppError> {
    let now = state.clock.now();
    if now.hour() < DIGEST_HOUR_UTC {
        return Ok(0);
    }
    // The day's summary covers the 24 hours up to this morning's hour, whenever it is
    // sent: each sign-up is in one summary, even after a restart.
    let until = now
        .date_naive()
        .and_hms_opt(DIGEST_HOUR_UTC, 0, 0)
        .map_or(now, |at| at.and_utc());
    let since = until - TimeDelta::hours(24);
    let recent: Vec<ItemId> = Registrations::find()
        .select_only()
        .column(Column::EventId)
        .filter(Column::CreatedAt.gt(since))
        .filter(Column::CreatedAt.lte(until))
        // Those that still stand: not cancelled, not an expired offer.
        .filter(Column::Status.is_in([
            RegistrationStatus::Pending,
            RegistrationStatus::Confirmed,
            RegistrationStatus::Waitlisted,
            RegistrationStatus::Offered,
        ]))
        .into_tuple()
        .all(&state.db)
        .await?;
    if recent.is_empty() {
        return Ok(0);
    }
    let mut new: BTreeMap<ItemId, i64> = BTreeMap::new();
    for event in &recent {
        *new.entry(*event).or_default() += 1;
    }
    let ids: Vec<ItemId> = new.keys().copied().collect();
    let taken: BTreeMap<ItemId, i64> = super::counts(&state.db, &ids, now)
        .await?
        .into_iter()
        .collect();
    let tallies = super::tally(&state.db, &ids).await?;
    let mut events = Vec::with_capacity(ids.len());
    for id in &ids {
        let document = entity::document::Entity::find_by_id(*id)
            .one(&state.db)
            .await?;
        match (document, event_facts(&state.db, *id).await) {
            // Who may read them: the document's countries, as for the list itself.
            (Some(document), Ok((_, fields))) => events.push((*id, document.countries, fields)),
            (_, Err(err)) if !matches!(err, AppError::NotFound(_)) => return Err(err),
            _ => {}
        }
    }
    let day = now.format("%Y-%m-%d").to_string();
    let mut queued = 0;
    for organiser in active_with(&state.db, SignUpNotices::Daily).await? {
        let reason = format!("organiser:{}:digest:{day}", organiser.id);
        if already_queued(&state.db, &reason).await? {
            continue;
        }
        let locale = language_of(state, &organiser);
        let mut lines = Vec::new();
        for (id, countries, fields) in &events {
            if !organises(&organiser, countries) {
                continue;
            }
            let title = mails::event_title(&state.db, *id, &locale).await?;
            let held = u64::try_from(taken.get(id).copied().unwrap_or(0)).unwrap_or(0);
            let waiting = tallies.get(id).map_or(0, |t| t.waitlisted);
            let line = mails::digest_line(
                state,
                &locale,
                (&title, fields),
                new.get(id).copied().unwrap_or(0),
                &places(state, &locale, fields, held),
                waiting,
            );
            lines.push(line);
        }
        if lines.is_empty() {
            continue;
        }
        let mail = mails::to_organiser_digest(state, (&organiser, &locale), &lines, reason);
        queue_alone(state, mail, now).await?;
        queued += 1;
    }
    Ok(queued)
}

/// The active people who chose `notices` and may read the sign-ups of an event shown
/// in `countries` (its countries as stored).
async fn organisers(
    db: &impl ConnectionTrait,
    notices: SignUpNotices,
    countries: &serde_json::Value,
) -> Result<Vec<User>, AppError> {
    Ok(active_with(db, notices)
        .await?
        .into_iter()
        .filter(|user| organises(user, countries))
        .collect())
}

async fn active_with(
    db: &impl ConnectionTrait,
    notices: SignUpNotices,
) -> Result<Vec<User>, AppError> {
    Users::find()
        .filter(UserColumn::SignUpNotices.eq(notices))
        .filter(UserColumn::DisabledAt.is_null())
        // Refused by the admin API until they choose their own password: no mail either.
        .filter(UserColumn::MustChangePassword.eq(false))
        .all(db)
        .await?
        .into_iter()
        .map(User::try_from)
        .collect()
}

/// Whether `user` may read the sign-ups of an event in `countries` (its first is the
/// event's country).
fn organises(user: &User, countries: &serde_json::Value) -> bool {
    let Some(country) = crate::services::scopes::countries_from_json(countries)
        .ok()
        .and_then(|c| c.into_iter().next())
    else {
        return false;
    };
    let principal = Principal {
        role: user.role,
        scope: user.scope.clone(),
    };
    policy::authorize(&principal, Action::ReadRegistrations { country: &country }).is_ok()
}

/// An organiser's language: the first of their languages that buysocial is set up
/// with, else English.
fn language_of(state: &AppState, user: &User) -> String {
    user.scope
        .locales
        .iter()
        .map(ToString::to_string)
        .find(|l| state.settings.content.locales.contains(l))
        .unwrap_or_else(|| "en".into())
}

/// Places taken, as organisers read it: "12 of 40" in their language, or "12" without
/// a limit.
fn places(state: &AppState, locale: &str, fields: &EventFields, taken: u64) -> String {
    match fields.capacity {
        Some(capacity) => state.mailer.templates.text(
            locale,
            "places_of",
            &[
                ("taken", &taken.to_string()),
                ("capacity", &capacity.to_string()),
            ],
        ),
        None => taken.to_string(),
    }
}

async fn already_queued(db: &impl ConnectionTrait, reason: &str) -> Result<bool, AppError> {
    use entity::mail_outbox::{Column as Mail, Entity as Outbox};
    Ok(Outbox::find()
        .select_only()
        .column(Mail::Id)
        .filter(Mail::Reason.eq(reason))
        .into_tuple::<uuid::Uuid>()
        .one(db)
        .await?
        .is_some())
}

/// Queues a mail that goes with no other change.
async fn queue_alone(
    state: &AppState,
    mail: OutgoingMail,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let work = UnitOfWork::begin(state).await?;
    work.record(DomainEvent::MailQueued(Box::new(mail)), now)
        .await?;
    work.commit().await
}
