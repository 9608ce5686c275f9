//! Expressions of interest in events: readers register through a frontend; editors of
//! the event's country read them (or a CSV of them) and erase them on request (GDPR).

use chrono::Utc;
use entity::ids::{ItemId, RegistrationId};
use entity::registration::{self, Column, Entity as Registrations};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, SqlErr,
};
use serde_json::json;

use crate::domain::content::{ContentKind, EventFields, RegistrationMode};
use crate::domain::{CountryCode, Email};
use crate::error::{AppError, FieldErrors, Refusal};
use crate::policy::Action;
use crate::services::delivery::{self, Audience, Lookup};
use crate::services::kernel::actor::Actor;
use crate::services::kernel::audit::{self, AuditAction, Event};
use crate::services::kernel::events::{
    DomainEvent, EventSignUps, ItemOfCountries, countries_of_all,
};
use crate::services::kernel::unit_of_work::UnitOfWork;
use crate::state::AppState;

/// Who may register, by the kind of organisation they come from.
pub const ORGANISATION_TYPES: [&str; 3] = ["public_buyer", "social_economy_entity", "other"];

/// A registration as received from a frontend.
#[derive(Debug, Clone, Default)]
pub struct NewRegistration {
    pub name: String,
    pub email: String,
    pub organisation: String,
    pub organisation_type: String,
    pub country: String,
    pub consent: bool,
}

/// Registers interest in the published event `slug`. Refused with 409 when it is full,
/// cancelled or not taking registrations here, and 410 once it is over.
pub async fn register(
    state: &AppState,
    audience: &Audience,
    slug: &str,
    new: NewRegistration,
    client_address: Option<&str>,
) -> Result<RegistrationId, AppError> {
    // Every attempt counts, so that nobody fills an event (or probes) from one address.
    if let Some(address) = client_address {
        state.registration_limit.check(address, state.clock.now())?;
    }
    let event = published_event(state, audience, slug).await?;
    let person = Person::check(new)?;
    let Some(facts) = event.fields.as_event() else {
        return Err(AppError::NotFound(format!("no event {slug:?}")));
    };
    check_open(facts, state.clock.now())?;

    let now = state.clock.now();
    let work = UnitOfWork::begin(state).await?;
    let (live, fields, taken) = lock_event(&work, event.id, slug).await?;
    check_open(&fields, now)?;
    let full_at = |count: u64| {
        fields
            .capacity
            .is_some_and(|capacity| count >= u64::try_from(capacity).unwrap_or(0))
    };
    if full_at(taken) {
        return Err(AppError::refused(Refusal::EventFull, "the event is full"));
    }
    let id = insert(&work, &event, person, now).await?;
    // Who signed up stays here; webhooks hear only how many did.
    let registered = taken.saturating_add(1);
    let sign_ups = EventSignUps {
        item_id: event.id,
        kind: ContentKind::Event,
        registrations: registered,
        capacity: fields.capacity,
        countries: countries_of_all(&[&live.countries]),
    };
    work.record(DomainEvent::RegistrationCreated(sign_ups.clone()), now)
        .await?;
    if full_at(registered) {
        work.record(DomainEvent::EventFull(sign_ups), now).await?;
    }
    work.commit().await?;
    Ok(id)
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

/// Who signs up, checked: every problem at once, as field errors.
struct Person {
    name: String,
    email: Email,
    organisation: String,
    organisation_type: String,
    country: CountryCode,
}

impl Person {
    fn check(new: NewRegistration) -> Result<Self, AppError> {
        let mut errors = FieldErrors::new();
        let name = new.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 200 {
            errors.push("name", "must be 1 to 200 characters");
        } else if !is_plain_text(&name) {
            errors.push("name", "must not contain control characters or semicolons");
        }
        let email = errors.check("email", Email::parse(&new.email));
        let organisation = new.organisation.trim().to_owned();
        if organisation.is_empty() || organisation.chars().count() > 300 {
            errors.push("organisation", "must be 1 to 300 characters");
        } else if !is_plain_text(&organisation) {
            errors.push(
                "organisation",
                "must not contain control characters or semicolons",
            );
        }
        if !ORGANISATION_TYPES.contains(&new.organisation_type.as_str()) {
            errors.push(
                "organisation_type",
                "must be public_buyer, social_economy_entity or other",
            );
        }
        let country = errors.check("country", CountryCode::parse(&new.country));
        if !new.consent {
            errors.push(
                "consent",
                "must be given: we keep these details only to organise the event",
            );
        }
        errors.finish()?;
        let (Some(email), Some(country)) = (email, country) else {
            return Err(AppError::internal("validated fields are missing"));
        };
        Ok(Self {
            name,
            email,
            organisation,
            organisation_type: new.organisation_type,
            country,
        })
    }
}

/// Takes the event for this sign-up alone, so that its last place goes once; the
/// event as it is now (live row, details) and how many signed up already.
///
/// A no-op write takes the row lock on PostgreSQL and the write lock on SQLite, so that
/// writers queue (busy_timeout) instead of failing when the read turns into a write.
async fn lock_event(
    work: &UnitOfWork<'_>,
    event: ItemId,
    slug: &str,
) -> Result<(entity::published_translation::Model, EventFields, u64), AppError> {
    entity::document::Entity::update_many()
        .col_expr(
            entity::document::Column::Position,
            Expr::col(entity::document::Column::Position),
        )
        .filter(entity::document::Column::Id.eq(event))
        .exec(work.txn())
        .await?;
    let live = entity::published_translation::Entity::find()
        .filter(entity::published_translation::Column::DocumentId.eq(event))
        .one(work.txn())
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no event {slug:?}")))?;
    let fields: EventFields =
        serde_json::from_value(live.document_fields.clone()).map_err(AppError::internal)?;
    let taken = Registrations::find()
        .filter(Column::EventId.eq(event))
        .count(work.txn())
        .await?;
    Ok((live, fields, taken))
}

/// Stores the sign-up; 409 when the address signed up for the event already.
async fn insert(
    work: &UnitOfWork<'_>,
    event: &delivery::DeliveredItem,
    person: Person,
    now: chrono::DateTime<Utc>,
) -> Result<RegistrationId, AppError> {
    let id = RegistrationId::new();
    let model = registration::ActiveModel {
        id: Set(id),
        event_id: Set(event.id),
        name: Set(person.name),
        email: Set(person.email.as_str().to_owned()),
        organisation: Set(person.organisation),
        organisation_type: Set(person.organisation_type),
        country: Set(person.country.as_str().to_owned()),
        locale: Set(Some(event.locale.clone())),
        consented_at: Set(now),
        created_at: Set(now),
    };
    match Registrations::insert(model)
        .exec_without_returning(work.txn())
        .await
    {
        Ok(_) => Ok(id),
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Err(AppError::refused(
                Refusal::AlreadyRegistered,
                "this email is registered for the event already",
            ))
        }
        Err(err) => Err(err.into()),
    }
}

/// Text that stays one cell in any spreadsheet: no control characters, no `;`.
fn is_plain_text(value: &str) -> bool {
    !value.chars().any(|c| {
        c.is_control() || c == ';' || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
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

/// Registrations per event, for the "full" status (one query for many events).
pub async fn counts(
    db: &impl ConnectionTrait,
    events: &[ItemId],
) -> Result<Vec<(ItemId, i64)>, AppError> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    Ok(Registrations::find()
        .select_only()
        .column(Column::EventId)
        .column_as(Column::Id.count(), "count")
        .filter(Column::EventId.is_in(events.iter().copied()))
        .group_by(Column::EventId)
        .into_tuple::<(ItemId, i64)>()
        .all(db)
        .await?)
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
    let work = UnitOfWork::begin(state).await?;
    let gone = Registrations::delete_many()
        .filter(Column::Id.eq(id))
        .filter(Column::EventId.eq(event))
        .exec(work.txn())
        .await?;
    if gone.rows_affected == 0 {
        return Err(AppError::NotFound(format!(
            "there is no registration {id} for this event"
        )));
    }
    let now = state.clock.now();
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
