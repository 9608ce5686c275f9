//! An event's neutral fields and their rules.

use chrono::{DateTime, FixedOffset};
use entity::ids::{AssetId, ItemId};
use serde::{Deserialize, Serialize};

use super::{ContentKind, OfKind};
use crate::domain::{CountryCode, Locale};
use crate::error::FieldErrors;

/// How readers express interest in an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationMode {
    /// buysocial's own form (`POST /api/v1/events/{slug}/registrations`).
    Form,
    /// A form elsewhere, at `registration_url`.
    External,
    /// No registration.
    Closed,
}

/// Where and when an event is, and how readers sign up. Start, end and zone are
/// required; optional in the type only so that every missing field of a write is named
/// at once (see [`EventFields::validate`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub venue: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub online_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<DateTime<FixedOffset>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<DateTime<FixedOffset>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workshop_languages: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_mode: Option<RegistrationMode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_opens_at: Option<DateTime<FixedOffset>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_closes_at: Option<DateTime<FixedOffset>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled: Option<bool>,
    /// Whether a sign-up through the form waits for the person to confirm their
    /// address by mail; absent: yes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub double_opt_in: Option<bool>,
    /// Whether people may join a waitlist when the event is full, to be offered places
    /// that free up; absent: yes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waitlist: Option<bool>,
    /// Events: linked materials, in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub materials: Option<Vec<ItemId>>,
    /// An image asset shown with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cover_asset_id: Option<AssetId>,
}

impl OfKind for EventFields {
    const KIND: ContentKind = ContentKind::Event;
}

impl EventFields {
    /// Whether form sign-ups wait for the person to confirm their address.
    pub fn asks_confirmation(&self) -> bool {
        self.double_opt_in != Some(false)
    }

    /// Whether people may join a waitlist when it is full.
    pub fn keeps_waitlist(&self) -> bool {
        self.waitlist != Some(false)
    }

    /// Whether `taken` places leave none free.
    pub fn is_full(&self, taken: u64) -> bool {
        self.capacity
            .is_some_and(|capacity| taken >= u64::try_from(capacity).unwrap_or(0))
    }

    /// Places left for `taken` sign-ups; `None`: no limit.
    pub fn places_left(&self, taken: u64) -> Option<u64> {
        self.capacity
            .map(|capacity| u64::try_from(capacity).unwrap_or(0).saturating_sub(taken))
    }

    /// Checks the event's rules, with the item's `countries`, recording every error
    /// under `fields.<name>`, and normalises web addresses (see
    /// [`crate::domain::web_url`]). Locales are checked against `locales`.
    pub fn validate(
        &mut self,
        countries: &[CountryCode],
        locales: &[String],
        errors: &mut FieldErrors,
    ) {
        if countries.len() != 1 {
            errors.push("countries", "an event takes place in exactly one country");
        }
        self.validate_place(errors);
        self.validate_time(errors);
        for (i, language) in self.workshop_languages.iter().flatten().enumerate() {
            if let Err(message) = Locale::parse(language, locales) {
                errors.push(&format!("fields.workshop_languages[{i}]"), message);
            }
        }
        self.validate_registration(errors);
        if let Some(materials) = &self.materials {
            for (i, id) in materials.iter().enumerate() {
                if materials[..i].contains(id) {
                    errors.push(&format!("fields.materials[{i}]"), "is listed twice");
                }
            }
        }
    }

    /// Where: a city and venue of sensible length, a city unless online, a web address
    /// for an online event.
    fn validate_place(&mut self, errors: &mut FieldErrors) {
        for (field, value) in [("city", &self.city), ("venue", &self.venue)] {
            if value
                .as_ref()
                .is_some_and(|v| v.trim().is_empty() || v.chars().count() > 300)
            {
                errors.push(&format!("fields.{field}"), "must be 1 to 300 characters");
            }
        }
        if self.city.is_none() && self.online_url.is_none() {
            errors.push(
                "fields.city",
                "is required unless the event is online (fields.online_url)",
            );
        }
        if let Some(url) = &mut self.online_url {
            check_url("fields.online_url", url, errors);
        }
    }

    /// When: a start, an end after it, and the time zone they are shown in.
    fn validate_time(&self, errors: &mut FieldErrors) {
        match (self.starts_at, self.ends_at) {
            (Some(start), Some(end)) if end <= start => {
                errors.push("fields.ends_at", "must be after starts_at")
            }
            (None, _) => errors.push("fields.starts_at", "is required for events"),
            (_, None) => errors.push("fields.ends_at", "is required for events"),
            _ => {}
        }
        match &self.time_zone {
            Some(zone) if zone.parse::<chrono_tz::Tz>().is_err() => {
                errors.push(
                    "fields.time_zone",
                    format!("{zone:?} is not an IANA time zone like Europe/Vilnius"),
                );
            }
            None => errors.push(
                "fields.time_zone",
                "is required for events (e.g. Europe/Vilnius)",
            ),
            _ => {}
        }
    }

    /// Signing up: a positive capacity, an address for external registration (and
    /// only then), a window that closes after it opens.
    fn validate_registration(&mut self, errors: &mut FieldErrors) {
        if self.capacity.is_some_and(|c| c <= 0) {
            errors.push(
                "fields.capacity",
                "must be positive (or absent for no limit)",
            );
        }
        match (self.registration_mode, &mut self.registration_url) {
            (Some(RegistrationMode::External), None) => {
                errors.push(
                    "fields.registration_url",
                    "is required when registration_mode is external",
                );
            }
            (Some(RegistrationMode::External), Some(url)) => {
                check_url("fields.registration_url", url, errors)
            }
            (_, Some(_)) => errors.push(
                "fields.registration_url",
                "is only for registration_mode external",
            ),
            _ => {}
        }
        if let (Some(opens), Some(closes)) =
            (self.registration_opens_at, self.registration_closes_at)
            && closes <= opens
        {
            errors.push(
                "fields.registration_closes_at",
                "must be after registration_opens_at",
            );
        }
    }
}

/// Replaces `url` with its normalised form, or records why it is not a web address.
fn check_url(field: &str, url: &mut String, errors: &mut FieldErrors) {
    match crate::domain::web_url::normalise(url) {
        Ok(normalised) => *url = normalised,
        Err(message) => errors.push(field, message),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fields_refused;
    use super::*;

    fn event() -> EventFields {
        serde_json::from_value(serde_json::json!({
            "city": "Vilnius", "venue": "Ministry of Economy",
            "starts_at": "2024-05-23T09:00:00+03:00", "ends_at": "2024-05-23T16:00:00+03:00",
            "time_zone": "Europe/Vilnius", "workshop_languages": ["lt"], "capacity": 40,
            "registration_mode": "form"
        }))
        .unwrap()
    }

    fn errors_of(fields: &EventFields, countries: &[&str]) -> Vec<String> {
        let countries: Vec<_> = countries
            .iter()
            .map(|c| CountryCode::parse(c).unwrap())
            .collect();
        fields_refused(|errors| {
            fields
                .clone()
                .validate(&countries, &["lt".into(), "en".into()], errors)
        })
    }

    #[test]
    fn a_well_formed_event_passes() {
        assert!(errors_of(&event(), &["LT"]).is_empty());
    }

    #[test]
    fn event_rules_are_enforced() {
        let mut bad = event();
        bad.ends_at = bad.starts_at;
        bad.time_zone = Some("Mars/Olympus".into());
        bad.capacity = Some(0);
        bad.registration_mode = Some(RegistrationMode::External);
        bad.online_url = Some("javascript:alert(1)".into());
        bad.workshop_languages = Some(vec!["xx".into()]);
        assert_eq!(
            errors_of(&bad, &["LT", "BE"]),
            [
                "countries",
                "fields.online_url",
                "fields.ends_at",
                "fields.time_zone",
                "fields.workshop_languages[0]",
                "fields.capacity",
                "fields.registration_url"
            ]
        );
    }

    #[test]
    fn an_empty_event_names_every_required_field() {
        assert_eq!(
            errors_of(&EventFields::default(), &["LT"]),
            ["fields.city", "fields.starts_at", "fields.time_zone"]
        );
    }
}
