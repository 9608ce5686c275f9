//! The mails of a sign-up, in the language of the page the person signed up on: the
//! texts come from the templates (`mailer::templates`), the facts from the event.

use chrono::{DateTime, Utc};
use entity::registration;

use super::links;
use crate::domain::Locale;
use crate::domain::content::EventFields;
use crate::mailer::Rendered;
use crate::services::delivery::DeliveredItem;
use crate::services::kernel::mail::OutgoingMail;
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

/// The language of `registration`'s mails: that of the page they signed up on.
fn language(registration: &registration::Model) -> &str {
    registration.locale.as_deref().unwrap_or("en")
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
    registration: &registration::Model,
    event: &DeliveredItem,
    fields: &EventFields,
    (confirm_token, cancel_token): (&str, &str),
    now: DateTime<Utc>,
) -> OutgoingMail {
    let locale = language(registration);
    let facts = Facts::of(state, locale, &event.title, fields);
    let link = links::url(state, "confirm", confirm_token);
    let cancel = links::url(state, "cancel", cancel_token);
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
    registration: &registration::Model,
    event_title: &str,
    fields: &EventFields,
    cancel_token: &str,
    now: DateTime<Utc>,
) -> OutgoingMail {
    let locale = language(registration);
    let facts = Facts::of(state, locale, event_title, fields);
    let cancel = links::url(state, "cancel", cancel_token);
    compose(
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
    )
}

/// To an address that signed up already: nothing changed, and how to cancel.
pub(super) fn already_signed_up(
    state: &AppState,
    registration: &registration::Model,
    event: &DeliveredItem,
    fields: &EventFields,
    locale: &Locale,
    cancel_token: &str,
) -> OutgoingMail {
    // In the language of the form just sent, whoever sent it.
    let facts = Facts::of(state, locale.as_str(), &event.title, fields);
    let cancel = links::url(state, "cancel", cancel_token);
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
