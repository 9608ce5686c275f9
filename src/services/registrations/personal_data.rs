//! A person's own data (the GDPR, and regulation 2018/1725 for EU institutions): anyone
//! may ask, with only an address, for a mail to that address listing every sign-up it
//! made, with a link to erase them all. The answer is the same whether or not the
//! address signed up, and the list goes only to the address itself. Erasing frees the
//! places the sign-ups held (offered to waitlists) and is audited without personal data.
//! Sign-ups of past events are deleted after `registrations.keep_days_after_event`.

use chrono::{DateTime, TimeDelta, Utc};
use entity::ids::ItemId;
use entity::registration::{self, Column, Entity as Registrations};
use entity::values::TokenPurpose;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::json;

use super::links::LinkPages;
use super::organisers::MailFiles;
use super::{links, lock_event, mails, waitlist};
use crate::domain::content::ContentKind;
use crate::domain::{Email, Locale};
use crate::error::{AppError, FieldErrors, Refusal};
use crate::services::kernel::audit::{self, AuditAction, Event, Who};
use crate::services::kernel::events::{DomainEvent, ItemOfCountries, countries_of_all};
use crate::services::kernel::unit_of_work::UnitOfWork;
use crate::state::AppState;

/// How long the erasure link of a "my data" mail works.
const ERASE_LINK_HOURS: i64 = 24;

/// Mails `email` what is held about it, with a link to erase it (or that nothing is).
/// Limited like the form: per client address and per e-mail address (429).
pub async fn mail_my_data(
    state: &AppState,
    email: &str,
    locale: Option<&str>,
    client_address: Option<&str>,
) -> Result<(), AppError> {
    let now = state.clock.now();
    if let Some(address) = client_address {
        state.registration_limit.check(address, now)?;
    }
    let mut errors = FieldErrors::new();
    let email = errors.check("email", Email::parse(email));
    let locale = match locale {
        Some(raw) => errors.check(
            "locale",
            Locale::parse(raw, &state.settings.content.locales),
        ),
        None => None,
    };
    errors.finish()?;
    let Some(email) = email else {
        return Err(AppError::internal("a validated address is missing"));
    };
    state.registration_email_limit.check(email.as_str(), now)?;
    let held = Registrations::find()
        .filter(Column::Email.eq(email.as_str()))
        .order_by_asc(Column::CreatedAt)
        .all(&state.db)
        .await?;
    // The language asked for, else that of the latest sign-up.
    let locale = locale
        .map(|l| l.to_string())
        .or_else(|| held.last().and_then(|r| r.locale.clone()))
        .unwrap_or_else(|| "en".into());
    let work = UnitOfWork::begin(state).await?;
    // The link and the mail hang on the newest sign-up, the last to be deleted by the
    // purges; erasing it takes them with it.
    let mail = match held.last() {
        None => mails::no_data(state, email.as_str(), &locale, now),
        Some(newest) => {
            let mut lines = Vec::with_capacity(held.len());
            for sign_up in &held {
                let title = mails::event_title(work.txn(), sign_up.event_id, &locale).await?;
                let (_, fields) = super::event_facts(work.txn(), sign_up.event_id).await?;
                lines.push(mails::data_line(state, &locale, sign_up, &title, &fields));
            }
            let expires = now + TimeDelta::hours(ERASE_LINK_HOURS);
            let erase = links::issue(&work, newest.id, TokenPurpose::Erase, expires, now).await?;
            let pages = LinkPages::in_locale(state, work.txn(), newest, &locale).await?;
            mails::my_data(
                state,
                &pages,
                newest,
                &locale,
                &lines.join("\n"),
                &erase,
                now,
            )
        }
    };
    work.record(DomainEvent::MailQueued(Box::new(mail)), now)
        .await?;
    work.commit().await?;
    Ok(())
}

/// What an erasure link names before anything is done.
#[derive(Debug, Clone)]
pub struct ErasureTarget {
    /// How many sign-ups it would erase.
    pub count: usize,
    /// The person's language, for the page.
    pub locale: String,
}

/// The sign-ups an erasure link would erase, for the page that asks first; 404 for a
/// link that names none, 410 once it has expired.
pub async fn erasure_page(state: &AppState, secret: &str) -> Result<ErasureTarget, AppError> {
    let (_, held, locale) = erasure_of(state, secret).await?;
    Ok(ErasureTarget {
        count: held.len(),
        locale,
    })
}

/// Erases every sign-up of the address the link was mailed to (as they are when it is
/// followed); returns what it did.
pub async fn erase_my_data(state: &AppState, secret: &str) -> Result<ErasureTarget, AppError> {
    let now = state.clock.now();
    let (email, _, locale) = erasure_of(state, secret).await?;
    let work = UnitOfWork::begin(state).await?;
    let held = Registrations::find()
        .filter(Column::Email.eq(email.as_str()))
        .all(work.txn())
        .await?;
    let mut events: Vec<ItemId> = held.iter().map(|r| r.event_id).collect();
    events.sort();
    events.dedup();
    let mut erased = 0;
    let mut files = MailFiles::default();
    for event in events {
        let locked = lock_event(&work, event, now).await?;
        let ids: Vec<_> = held
            .iter()
            .filter(|r| r.event_id == event)
            .map(|r| r.id)
            .collect();
        files.extend(super::organisers::forget_mails(work.txn(), &ids).await?);
        let gone = Registrations::delete_many()
            .filter(Column::Id.is_in(ids.iter().copied()))
            .exec(work.txn())
            .await?;
        erased += gone.rows_affected as usize;
        for id in ids {
            let entry = Event::success(AuditAction::RegistrationErase, "registration", id)
                .with_details(json!({ "event": event, "by": "the person" }));
            audit::record(work.txn(), now, Who::mailed_link(), entry).await?;
        }
        work.record(
            DomainEvent::RegistrationErased(ItemOfCountries {
                item_id: event,
                kind: ContentKind::Event,
                countries: countries_of_all(&[&locked.countries]),
            }),
            now,
        )
        .await?;
        waitlist::offer_free_places(state, &work, &locked, now).await?;
    }
    work.commit().await?;
    files.delete(state).await;
    Ok(ErasureTarget {
        count: erased,
        locale,
    })
}

/// The address an erasure link was mailed to, its sign-ups, and its language.
async fn erasure_of(
    state: &AppState,
    secret: &str,
) -> Result<(String, Vec<registration::Model>, String), AppError> {
    let now: DateTime<Utc> = state.clock.now();
    let unknown =
        || AppError::NotFound("this link is not valid; check that it was copied whole".into());
    let found = links::find(&state.db, secret, TokenPurpose::Erase)
        .await?
        .ok_or_else(unknown)?;
    if found.expires_at <= now {
        return Err(AppError::refused(
            Refusal::LinkExpired,
            "this link has expired; ask for your data again",
        ));
    }
    let named = Registrations::find_by_id(found.registration_id)
        .one(&state.db)
        .await?
        .ok_or_else(unknown)?;
    let held = Registrations::find()
        .filter(Column::Email.eq(named.email.as_str()))
        .all(&state.db)
        .await?;
    let locale = super::person::language(&named).to_owned();
    Ok((named.email, held, locale))
}

/// Deletes the sign-ups of events that ended more than
/// `registrations.keep_days_after_event` ago, with their links and mails; one audit
/// entry per event (how many, not whose). Safe on several instances at once: a
/// sign-up is deleted once, and only the instance that deleted some records it.
/// Returns how many were deleted.
pub async fn purge_past_sign_ups(state: &AppState) -> Result<u64, AppError> {
    let days = state.settings.registrations.keep_days_after_event;
    let now = state.clock.now();
    let before = now - TimeDelta::days(i64::from(days));
    let mut events: Vec<ItemId> = Registrations::find()
        .select_only()
        .column(Column::EventId)
        .distinct()
        .into_tuple()
        .all(&state.db)
        .await?;
    events.sort();
    let mut deleted = 0;
    for event in events {
        // The document's own facts: an event no longer live still ended when it did.
        let ended = match super::event_facts(&state.db, event).await {
            Ok((_, fields)) => fields.ends_at.map(|at| at.with_timezone(&Utc)),
            Err(AppError::NotFound(_)) => continue,
            Err(err) => return Err(err),
        };
        if ended.is_none_or(|end| end >= before) {
            continue;
        }
        let work = UnitOfWork::begin(state).await?;
        let ids: Vec<entity::ids::RegistrationId> = Registrations::find()
            .select_only()
            .column(Column::Id)
            .filter(Column::EventId.eq(event))
            .into_tuple()
            .all(work.txn())
            .await?;
        let files = super::organisers::forget_mails(work.txn(), &ids).await?;
        let gone = Registrations::delete_many()
            .filter(Column::EventId.eq(event))
            .exec(work.txn())
            .await?;
        if gone.rows_affected == 0 {
            work.rollback().await?;
            continue;
        }
        let entry = Event::success(AuditAction::RegistrationRetention, "event", event)
            .with_details(json!({ "count": gone.rows_affected, "keep_days_after_event": days }));
        audit::record(work.txn(), now, Who::system("retention of sign-ups"), entry).await?;
        work.commit().await?;
        files.delete(state).await;
        deleted += gone.rows_affected;
    }
    Ok(deleted)
}
