//! The language-neutral fields of each kind of item, and their rules.
//!
//! One flat structure serves every kind (and is what the database stores as JSON);
//! [`ItemFields::validate`] refuses the fields that do not belong to a kind and checks
//! those that do.

use chrono::{DateTime, FixedOffset, NaiveDate};
use entity::ids::ItemId;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::ContentKind;
use crate::domain::{CountryCode, Locale};
use crate::error::{FieldError, FieldErrors};

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

/// What kind of downloadable a material is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaterialKind {
    Presentation,
    Report,
    Guide,
    Handout,
    Video,
    Other,
}

/// Language-neutral fields; which ones apply depends on the kind.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemFields {
    // news
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    // events
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
    /// Events: linked materials, in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub materials: Option<Vec<ItemId>>,
    // materials
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub material_kind: Option<MaterialKind>,
    /// News and events: an image asset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cover_asset_id: Option<Uuid>,
}

/// Changes to neutral fields, as a client sends them: a field given a value is set, a
/// field given `null` is cleared, a field left out stays as it is. Applied through the
/// fields' own serde shape, so a new field needs no change here.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldChanges(serde_json::Map<String, serde_json::Value>);

impl FieldChanges {
    pub fn from_json(changes: serde_json::Map<String, serde_json::Value>) -> Self {
        Self(changes)
    }
}

impl From<&ItemFields> for FieldChanges {
    /// Sets every field that `fields` has (for items created in code, as the demo's).
    fn from(fields: &ItemFields) -> Self {
        match serde_json::to_value(fields) {
            Ok(serde_json::Value::Object(set)) => Self(set),
            _ => Self::default(),
        }
    }
}

impl ItemFields {
    /// These fields with `changes` applied; an unknown field or a value of the wrong
    /// type is the error, named `fields.<name>`.
    pub fn changed(&self, changes: &FieldChanges) -> Result<ItemFields, FieldError> {
        let mut merged = match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(current)) => current,
            _ => serde_json::Map::new(),
        };
        // `null` stays in: every field is optional, so it deserializes as "not set",
        // while an unknown name is still refused.
        merged.extend(changes.0.iter().map(|(k, v)| (k.clone(), v.clone())));
        serde_path_to_error::deserialize(serde_json::Value::Object(merged)).map_err(|err| {
            let path = err.path().to_string();
            let message = err.into_inner().to_string();
            let field = match message.strip_prefix("unknown field `") {
                Some(rest) => rest.split('`').next().unwrap_or_default().to_owned(),
                None => path,
            };
            FieldError::new(format!("fields.{field}"), message)
        })
    }

    /// The names of the fields that are set.
    fn set_fields(&self) -> Vec<&'static str> {
        let mut set = Vec::new();
        macro_rules! collect {
            ($($field:ident),*) => { $( if self.$field.is_some() { set.push(stringify!($field)); } )* };
        }
        collect!(
            date,
            city,
            venue,
            online_url,
            starts_at,
            ends_at,
            time_zone,
            workshop_languages,
            capacity,
            registration_mode,
            registration_url,
            registration_opens_at,
            registration_closes_at,
            cancelled,
            materials,
            material_kind,
            cover_asset_id
        );
        set
    }

    /// Checks the fields for `kind`, with the item's `countries`, recording every
    /// error under `fields.<name>`, and normalises web addresses (see
    /// [`crate::domain::web_url`]). Locales are checked against `locales`.
    pub fn validate(
        &mut self,
        kind: ContentKind,
        countries: &[CountryCode],
        locales: &[String],
        errors: &mut FieldErrors,
    ) {
        let allowed: &[&str] = match kind {
            ContentKind::Page => &[],
            ContentKind::News => &["date", "cover_asset_id"],
            ContentKind::Material => &["material_kind"],
            ContentKind::Event => &[
                "city",
                "venue",
                "online_url",
                "starts_at",
                "ends_at",
                "time_zone",
                "workshop_languages",
                "capacity",
                "registration_mode",
                "registration_url",
                "registration_opens_at",
                "registration_closes_at",
                "cancelled",
                "materials",
                "cover_asset_id",
            ],
        };
        for field in self.set_fields() {
            if !allowed.contains(&field) {
                errors.push(
                    &format!("fields.{field}"),
                    format!("is not a field of {} items", kind),
                );
            }
        }
        match kind {
            ContentKind::Event => self.validate_event(countries, locales, errors),
            ContentKind::Material if self.material_kind.is_none() => {
                errors.push("fields.material_kind", "is required for materials");
            }
            _ => {}
        }
    }

    fn validate_event(
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
    use super::*;

    fn event() -> ItemFields {
        serde_json::from_value(serde_json::json!({
            "city": "Vilnius", "venue": "Ministry of Economy",
            "starts_at": "2024-05-23T09:00:00+03:00", "ends_at": "2024-05-23T16:00:00+03:00",
            "time_zone": "Europe/Vilnius", "workshop_languages": ["lt"], "capacity": 40,
            "registration_mode": "form"
        }))
        .unwrap()
    }

    fn errors_of(fields: &ItemFields, kind: ContentKind, countries: &[&str]) -> Vec<String> {
        let countries: Vec<_> = countries
            .iter()
            .map(|c| CountryCode::parse(c).unwrap())
            .collect();
        let mut errors = FieldErrors::new();
        fields
            .clone()
            .validate(kind, &countries, &["lt".into(), "en".into()], &mut errors);
        match errors.finish() {
            Ok(()) => vec![],
            Err(crate::error::AppError::Validation(list)) => {
                list.into_iter().map(|e| e.field).collect()
            }
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_well_formed_event_passes() {
        assert!(errors_of(&event(), ContentKind::Event, &["LT"]).is_empty());
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
            errors_of(&bad, ContentKind::Event, &["LT", "BE"]),
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
    fn fields_of_other_kinds_are_refused() {
        assert_eq!(errors_of(&event(), ContentKind::Page, &[]).len(), 8);
        let news = ItemFields {
            capacity: Some(3),
            ..Default::default()
        };
        assert_eq!(
            errors_of(&news, ContentKind::News, &[]),
            ["fields.capacity"]
        );
        assert_eq!(
            errors_of(&ItemFields::default(), ContentKind::Material, &[]),
            ["fields.material_kind"]
        );
    }

    fn changes(json: serde_json::Value) -> FieldChanges {
        match json {
            serde_json::Value::Object(map) => FieldChanges::from_json(map),
            _ => unreachable!(),
        }
    }

    #[test]
    fn changes_set_what_they_give_clear_what_is_null_and_keep_the_rest() {
        let mut with_venue = event();
        with_venue.venue = Some("Hall A".into());
        with_venue.capacity = Some(40);

        let changed = with_venue
            .changed(&changes(
                serde_json::json!({ "capacity": null, "venue": "Hall B" }),
            ))
            .unwrap();

        assert_eq!(changed.capacity, None);
        assert_eq!(changed.venue.as_deref(), Some("Hall B"));
        assert_eq!(changed.city.as_deref(), Some("Vilnius"));
    }

    #[test]
    fn unknown_or_mistyped_changes_name_the_field() {
        let unknown = event()
            .changed(&changes(serde_json::json!({ "colour": null })))
            .unwrap_err();
        assert_eq!(unknown.field, "fields.colour");
        let mistyped = event()
            .changed(&changes(serde_json::json!({ "capacity": "many" })))
            .unwrap_err();
        assert_eq!(mistyped.field, "fields.capacity");
    }
}
