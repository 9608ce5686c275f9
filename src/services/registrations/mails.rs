//! The mails of a sign-up, in the language of the page the person signed up on: the
//! texts come from the templates (`mailer::templates`), the facts from the event.

use chrono::{DateTime, Utc};
use entity::ids::ItemId;
use entity::registration;
use entity::values::RegistrationStatus;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::links::{self, LinkPages};
use super::person::language;
use crate::domain::Locale;
use crate::domain::content::EventFields;
use crate::error::AppError;
use crate::mailer::Rendered;
use crate::mailer::calendar::{self, CalendarEvent};
use crate::services::delivery::DeliveredItem;
use crate::services::kernel::identity::User;
use crate::services::kernel::mail::{Attachment, OutgoingMail, message_domain};
use crate::state::AppState;

/// What every sign-up mail says about the event.
struct Facts {
    title: String,
    when: String,
    place: String,
}

impl Facts {
    fn of(state: &AppState, locale: &str, title: &str, fields: &EventFields) -> Self {
        let templates = &state.mailer.templates;
        let zone = fields.time_zone.as_deref().unwrap_or("UTC");
        let when = match (fields.starts_at, fields.ends_at) {
            (Some(start), Some(end)) => templates.when(locale, start, end, zone),
            _ => String::new(),
        };
        let place = match (&fields.venue, &fields.city) {
            (Some(venue), Some(city)) => format!("{venue}, {city}"),
            (None, Some(city)) => city.clone(),
            (Some(venue), None) => venue.clone(),
            (None, None) => templates.raw(locale, "online").to_owned(),
        };
        Self {
            title: title.to_owned(),
            when,
            place,
        }
    }
}

/// The mail `kind` in `locale` to the person of `registration`, with `extra` values.
fn compose(
    state: &AppState,
    (registration, locale): (&registration::Model, &str),
    facts: &Facts,
    kind: &str,
    reason: String,
    extra: &[(&str, &str)],
) -> OutgoingMail {
    let mut values: Vec<(&str, &str)> = vec![
        ("name", &registration.name),
        ("event", &facts.title),
        ("when", &facts.when),
        ("where", &facts.place),
    ];
    values.extend_from_slice(extra);
    let Rendered {
        subject,
        text,
        html,
    } = state.mailer.templates.mail(locale, kind, &values);
    OutgoingMail {
        reason,
        to: registration.email.clone(),
        locale: locale.to_owned(),
        subject,
        text,
        html,
        attachments: Vec::new(),
        event: Some(registration.event_id),
        registration: Some(registration.id),
    }
}

/// "Please confirm": the confirmation link, and how long the place is kept.
pub(super) fn confirm(
    state: &AppState,
    pages: &LinkPages,
    registration: &registration::Model,
    event: &DeliveredItem,
    fields: &EventFields,
    (confirm_token, cancel_token): (&str, &str),
    now: DateTime<Utc>,
) -> OutgoingMail {
    let locale = language(registration);
    let facts = Facts::of(state, locale, &event.title, fields);
    let link = pages.url("confirm", confirm_token);
    let cancel = pages.url("cancel", cancel_token);
    let hold = state.settings.registrations.hold_minutes.to_string();
    compose(
        state,
        (registration, locale),
        &facts,
        "confirm",
        format!(
            "registration:{}:confirm:{}",
            registration.id,
            now.timestamp_micros()
        ),
        &[
            ("link", &link),
            ("hold_minutes", &hold),
            ("cancel_link", &cancel),
        ],
    )
}

/// "You are signed up", with the link to cancel.
pub(super) fn confirmed(
    state: &AppState,
    pages: &LinkPages,
    registration: &registration::Model,
    event_title: &str,
    fields: &EventFields,
    cancel_token: &str,
    now: DateTime<Utc>,
) -> OutgoingMail {
    let locale = language(registration);
    let facts = Facts::of(state, locale, event_title, fields);
    let cancel = pages.url("cancel", cancel_token);
    let mut mail = compose(
        state,
        (registration, locale),
        &facts,
        "confirmed",
        format!(
            "registration:{}:confirmed:{}",
            registration.id,
            now.timestamp_micros()
        ),
        &[("cancel_link", &cancel)],
    );
    mail.attachments
        .extend(calendar_entry(state, registration, &facts, fields, now));
    mail
}

/// The reminder before the event, with its calendar entry and a link to cancel.
pub(super) fn reminder(
    state: &AppState,
    pages: &LinkPages,
    registration: &registration::Model,
    (event_title, fields): (&str, &EventFields),
    cancel_token: &str,
    now: DateTime<Utc>,
    start: DateTime<Utc>,
) -> OutgoingMail {
    let locale = language(registration);
    let facts = Facts::of(state, locale, event_title, fields);
    let cancel = pages.url("cancel", cancel_token);
    let (kind, online) = match &fields.online_url {
        Some(url) => ("reminder_online", url.as_str()),
        None => ("reminder", ""),
    };
    let mut mail = compose(
        state,
        (registration, locale),
        &facts,
        kind,
        // Once per start: an event moved gets its reminder again.
        format!(
            "registration:{}:reminder:{}",
            registration.id,
            start.timestamp()
        ),
        &[("cancel_link", &cancel), ("online_url", online)],
    );
    mail.attachments
        .extend(calendar_entry(state, registration, &facts, fields, now));
    mail
}

/// The event as a calendar entry (`.ics`), the same entry for the person each time
/// (its UID is theirs), so that a reminder updates what the confirmation added.
fn calendar_entry(
    state: &AppState,
    registration: &registration::Model,
    facts: &Facts,
    fields: &EventFields,
    now: DateTime<Utc>,
) -> Option<Attachment> {
    let (start, end) = (fields.starts_at?, fields.ends_at?);
    let domain = message_domain(&state.settings.server.public_url);
    let uid = format!("{}-{}@{domain}", registration.event_id, registration.id);
    let description = match &fields.online_url {
        Some(url) => format!("{}\n{}\n{url}", facts.when, facts.place),
        None => format!("{}\n{}", facts.when, facts.place),
    };
    let content = calendar::ics(&CalendarEvent {
        uid: &uid,
        stamp: now,
        start: start.with_timezone(&Utc),
        end: end.with_timezone(&Utc),
        summary: &facts.title,
        location: &facts.place,
        url: fields.online_url.as_deref(),
        description: &description,
    });
    Some(Attachment {
        file_name: "event.ics".into(),
        content_type: "text/calendar; charset=utf-8; method=PUBLISH".into(),
        content,
    })
}

/// To an address that signed up already: nothing changed, and how to cancel.
pub(super) fn already_signed_up(
    state: &AppState,
    pages: &LinkPages,
    registration: &registration::Model,
    event: &DeliveredItem,
    fields: &EventFields,
    locale: &Locale,
    cancel_token: &str,
) -> OutgoingMail {
    // In the language of the form just sent, whoever sent it.
    let facts = Facts::of(state, locale.as_str(), &event.title, fields);
    let cancel = pages.url("cancel", cancel_token);
    compose(
        state,
        (registration, locale.as_str()),
        &facts,
        "already_signed_up",
        format!(
            "registration:{}:again:{}",
            registration.id,
            crate::auth::token::hash(cancel_token)
        ),
        &[("cancel_link", &cancel)],
    )
}

/// "Your sign-up is cancelled".
pub(super) fn cancelled(
    state: &AppState,
    registration: &registration::Model,
    event_title: &str,
    fields: &EventFields,
    now: DateTime<Utc>,
) -> OutgoingMail {
    let locale = language(registration);
    let facts = Facts::of(state, locale, event_title, fields);
    compose(
        state,
        (registration, locale),
        &facts,
        "cancelled",
        format!(
            "registration:{}:cancelled:{}",
            registration.id,
            now.timestamp_micros()
        ),
        &[],
    )
}

/// "You are on the waitlist", with the place on it and the link to leave it.
pub(super) fn waitlisted(
    state: &AppState,
    pages: &LinkPages,
    registration: &registration::Model,
    event_title: &str,
    fields: &EventFields,
    cancel_token: &str,
    position: u64,
) -> OutgoingMail {
    let locale = language(registration);
    let facts = Facts::of(state, locale, event_title, fields);
    let cancel = pages.url("cancel", cancel_token);
    let position = position.to_string();
    compose(
        state,
        (registration, locale),
        &facts,
        "waitlisted",
        format!(
            "registration:{}:waitlisted:{}",
            registration.id,
            registration.created_at.timestamp_micros()
        ),
        &[("cancel_link", &cancel), ("position", &position)],
    )
}

/// "A place is free for you": the link to accept it by `deadline`, and to leave.
pub(super) fn offer(
    state: &AppState,
    pages: &LinkPages,
    registration: &registration::Model,
    (event_title, fields): (&str, &EventFields),
    (accept_token, cancel_token): (&str, &str),
    deadline: DateTime<Utc>,
) -> OutgoingMail {
    let locale = language(registration);
    let facts = Facts::of(state, locale, event_title, fields);
    let link = pages.url("accept-offer", accept_token);
    let cancel = pages.url("cancel", cancel_token);
    let until = deadline_of(state, locale, fields, deadline);
    compose(
        state,
        (registration, locale),
        &facts,
        "offer",
        format!(
            "registration:{}:offer:{}",
            registration.id,
            deadline.timestamp_micros()
        ),
        &[
            ("link", &link),
            ("cancel_link", &cancel),
            ("deadline", &until),
        ],
    )
}

/// "The place you were offered has gone": the offer ran out at `deadline`.
pub(super) fn offer_expired(
    state: &AppState,
    registration: &registration::Model,
    (event_title, fields): (&str, &EventFields),
    deadline: DateTime<Utc>,
) -> OutgoingMail {
    let locale = language(registration);
    let facts = Facts::of(state, locale, event_title, fields);
    let until = deadline_of(state, locale, fields, deadline);
    compose(
        state,
        (registration, locale),
        &facts,
        "offer_expired",
        format!(
            "registration:{}:offer_expired:{}",
            registration.id,
            deadline.timestamp_micros()
        ),
        &[("deadline", &until)],
    )
}

/// A deadline as the language writes it, in the event's own zone.
fn deadline_of(
    state: &AppState,
    locale: &str,
    fields: &EventFields,
    deadline: DateTime<Utc>,
) -> String {
    let zone = fields.time_zone.as_deref().unwrap_or("UTC");
    state
        .mailer
        .templates
        .moment(locale, deadline.fixed_offset(), zone)
}

/// The event's title in `locale` (else in a language it has): the live version's, or
/// the draft's once it is no longer live (people can still cancel).
pub(super) async fn event_title(
    db: &impl ConnectionTrait,
    event: ItemId,
    locale: &str,
) -> Result<String, AppError> {
    use entity::published_translation::{Column as Live, Entity as Published};
    let live = Published::find()
        .filter(Live::DocumentId.eq(event))
        .all(db)
        .await?;
    if let Some(title) = live
        .iter()
        .find(|l| l.locale == locale)
        .or_else(|| live.first())
        .map(|l| l.title.clone())
    {
        return Ok(title);
    }
    use entity::translation::{Column as Draft, Entity as Drafts};
    let drafts = Drafts::find()
        .filter(Draft::DocumentId.eq(event))
        .all(db)
        .await?;
    Ok(drafts
        .iter()
        .find(|d| d.locale == locale)
        .or_else(|| drafts.first())
        .map(|d| d.title.clone())
        .unwrap_or_default())
}

/// One sign-up as the "my data" mail lists it: the event, and what was given with it.
pub(super) fn data_line(
    state: &AppState,
    locale: &str,
    registration: &registration::Model,
    event_title: &str,
    fields: &EventFields,
) -> String {
    let facts = Facts::of(state, locale, event_title, fields);
    let zone = fields.time_zone.as_deref().unwrap_or("UTC");
    let date = match zone.parse::<chrono_tz::Tz>() {
        Ok(tz) => registration.created_at.with_timezone(&tz).date_naive(),
        Err(_) => registration.created_at.date_naive(),
    };
    let date = date.format("%Y-%m-%d").to_string();
    state.mailer.templates.text(
        locale,
        "data_line",
        &[
            ("event", &facts.title),
            ("when", &facts.when),
            ("name", &registration.name),
            ("organisation", &registration.organisation),
            ("country", &registration.country),
            ("date", &date),
        ],
    )
}

/// What is held about the address of `newest` (its sign-ups, one per line in `list`),
/// with the link to erase it. Erasing the sign-ups takes this mail (and its address)
/// with them.
pub(super) fn my_data(
    state: &AppState,
    pages: &LinkPages,
    newest: &registration::Model,
    locale: &str,
    list: &str,
    erase_token: &str,
    now: DateTime<Utc>,
) -> OutgoingMail {
    let link = pages.url("erase", erase_token);
    let values = [("list", list), ("link", link.as_str())];
    let mail = (newest.email.as_str(), locale, "my_data", &values[..]);
    about_an_address(state, mail, Some(newest.id), now)
}

/// To an address that asked what is held about it, when nothing is.
pub(super) fn no_data(
    state: &AppState,
    email: &str,
    locale: &str,
    now: DateTime<Utc>,
) -> OutgoingMail {
    about_an_address(state, (email, locale, "my_data_none", &[]), None, now)
}

/// A mail about an address rather than one sign-up: `kind` in `locale` to `to`.
fn about_an_address(
    state: &AppState,
    (to, locale, kind, values): (&str, &str, &str, &[(&str, &str)]),
    registration: Option<entity::ids::RegistrationId>,
    now: DateTime<Utc>,
) -> OutgoingMail {
    let Rendered {
        subject,
        text,
        html,
    } = state.mailer.templates.mail(locale, kind, values);
    OutgoingMail {
        reason: format!(
            "data:{}:{}",
            crate::auth::token::hash(to),
            now.timestamp_micros()
        ),
        to: to.to_owned(),
        locale: locale.to_owned(),
        subject,
        text,
        html,
        attachments: Vec::new(),
        event: None,
        registration,
    }
}

/// To an organiser who asked for a mail on each sign-up: who signed up, where they
/// stand, the places taken, and the event's sign-ups in the web app.
pub(super) fn to_organiser_on_sign_up(
    state: &AppState,
    (organiser, locale): (&User, &str),
    sign_up: &registration::Model,
    (event_title, fields): (&str, &EventFields),
    taken: &str,
) -> OutgoingMail {
    let templates = &state.mailer.templates;
    let facts = Facts::of(state, locale, event_title, fields);
    let status = match sign_up.status {
        RegistrationStatus::Waitlisted => "status_waitlisted",
        RegistrationStatus::Confirmed => "status_confirmed",
        _ => "status_pending",
    };
    let status = templates.raw(locale, status).to_owned();
    let link = format!(
        "{}/admin/event-desk/{}",
        links::own_base(state),
        sign_up.event_id
    );
    let Rendered {
        subject,
        text,
        html,
    } = templates.mail(
        locale,
        "organiser_sign_up",
        &[
            ("organiser", &organiser.display_name),
            ("name", &sign_up.name),
            ("organisation", &sign_up.organisation),
            ("country", &sign_up.country),
            ("event", &facts.title),
            ("when", &facts.when),
            ("status", &status),
            ("taken", taken),
            ("link", &link),
        ],
    );
    OutgoingMail {
        reason: format!(
            "organiser:{}:sign-up:{}:{}",
            organiser.id,
            sign_up.id,
            sign_up.created_at.timestamp_micros()
        ),
        to: organiser.email.clone(),
        locale: locale.to_owned(),
        subject,
        text,
        html,
        attachments: Vec::new(),
        event: Some(sign_up.event_id),
        // It names the person: erasing the sign-up takes it too.
        registration: Some(sign_up.id),
    }
}

/// One event in an organiser's daily summary: counts only.
pub(super) fn digest_line(
    state: &AppState,
    locale: &str,
    (event_title, fields): (&str, &EventFields),
    new: i64,
    taken: &str,
    waitlisted: i64,
) -> String {
    let facts = Facts::of(state, locale, event_title, fields);
    state.mailer.templates.text(
        locale,
        "digest_line",
        &[
            ("event", &facts.title),
            ("when", &facts.when),
            ("new", &new.to_string()),
            ("taken", taken),
            ("waitlisted", &waitlisted.to_string()),
        ],
    )
}

/// An organiser's daily summary, one line per event.
pub(super) fn to_organiser_digest(
    state: &AppState,
    (organiser, locale): (&User, &str),
    lines: &[String],
    reason: String,
) -> OutgoingMail {
    let link = format!("{}/admin/event-desk", links::own_base(state));
    let Rendered {
        subject,
        text,
        html,
    } = state.mailer.templates.mail(
        locale,
        "organiser_digest",
        &[
            ("organiser", &organiser.display_name),
            ("list", &lines.join("\n")),
            ("link", &link),
        ],
    );
    OutgoingMail {
        reason,
        to: organiser.email.clone(),
        locale: locale.to_owned(),
        subject,
        text,
        html,
        attachments: Vec::new(),
        event: None,
        registration: None,
    }
}
