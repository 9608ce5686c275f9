//! The language-neutral fields of an item as the API writes them out, and the names of
//! their enumerations.

use chrono::{DateTime, FixedOffset, NaiveDate};
use poem_openapi::{Enum, Object};
use serde::Deserialize;
use uuid::Uuid;

use crate::domain::content::{ItemFields, MaterialKind, RegistrationMode};

/// How readers express interest in an event.
#[derive(Debug, Clone, Copy, Enum, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum RegistrationModeName {
    /// buysocial's own form.
    Form,
    /// A form elsewhere, at `registration_url`.
    External,
    /// No registration.
    Closed,
}

/// What kind of downloadable a material is.
#[derive(Debug, Clone, Copy, Enum, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum MaterialKindName {
    Presentation,
    Report,
    Guide,
    Handout,
    Video,
    Other,
}

/// A wire enum and the domain enum it shows, variant for variant: one list makes both
/// conversions, so that a variant added to one and not the other does not compile.
macro_rules! mirrors {
    ($wire:ident <=> $domain:ident { $($variant:ident),+ $(,)? }) => {
        impl From<$domain> for $wire {
            fn from(value: $domain) -> Self {
                match value {
                    $($domain::$variant => Self::$variant),+
                }
            }
        }

        impl From<$wire> for $domain {
            fn from(value: $wire) -> Self {
                match value {
                    $($wire::$variant => Self::$variant),+
                }
            }
        }
    };
}

mirrors!(RegistrationModeName <=> RegistrationMode { Form, External, Closed });
mirrors!(MaterialKindName <=> MaterialKind { Presentation, Report, Guide, Handout, Video, Other });

/// Language-neutral fields by kind. News: `date`. Events: everything from `city` to
/// `materials` (`starts_at`, `ends_at`, `time_zone` required; `city` unless online).
/// Materials: `material_kind` (required). Pages: none. A field of another kind is refused.
#[derive(Debug, Clone, Default, Object, Deserialize)]
#[oai(deny_unknown_fields, skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct FieldsBody {
    /// News: the date it is about.
    #[oai(nullable)]
    pub date: Option<NaiveDate>,
    /// Events: the city.
    #[oai(nullable)]
    pub city: Option<String>,
    /// Events: the venue.
    #[oai(nullable)]
    pub venue: Option<String>,
    /// Events: the URL of an online event.
    #[oai(nullable)]
    pub online_url: Option<String>,
    /// Events: start, with its UTC offset, e.g. `2024-05-23T09:00:00+03:00`.
    #[oai(nullable)]
    pub starts_at: Option<DateTime<FixedOffset>>,
    /// Events: end, after the start.
    #[oai(nullable)]
    pub ends_at: Option<DateTime<FixedOffset>>,
    /// Events: the IANA time zone, e.g. `Europe/Vilnius`.
    #[oai(nullable)]
    pub time_zone: Option<String>,
    /// Events: the languages the workshop is held in (configured locales).
    #[oai(nullable)]
    pub workshop_languages: Option<Vec<String>>,
    /// Events: places available; absent: no limit.
    #[oai(nullable)]
    pub capacity: Option<i64>,
    /// Events: how readers register.
    #[oai(nullable)]
    pub registration_mode: Option<RegistrationModeName>,
    /// Events with external registration: where.
    #[oai(nullable)]
    pub registration_url: Option<String>,
    /// Events: registration opens (absent: now).
    #[oai(nullable)]
    pub registration_opens_at: Option<DateTime<FixedOffset>>,
    /// Events: registration closes (absent: at the start).
    #[oai(nullable)]
    pub registration_closes_at: Option<DateTime<FixedOffset>>,
    /// Events: called off.
    #[oai(nullable)]
    pub cancelled: Option<bool>,
    /// Events: linked materials, in order.
    #[oai(nullable)]
    pub materials: Option<Vec<Uuid>>,
    /// Materials: what kind of material.
    #[oai(nullable)]
    pub material_kind: Option<MaterialKindName>,
    /// News and events: the id of an image asset to show with it.
    #[oai(nullable)]
    pub cover_asset_id: Option<Uuid>,
}

impl From<ItemFields> for FieldsBody {
    fn from(fields: ItemFields) -> Self {
        Self {
            date: fields.date,
            city: fields.city,
            venue: fields.venue,
            online_url: fields.online_url,
            starts_at: fields.starts_at,
            ends_at: fields.ends_at,
            time_zone: fields.time_zone,
            workshop_languages: fields.workshop_languages,
            capacity: fields.capacity,
            registration_mode: fields.registration_mode.map(RegistrationModeName::from),
            registration_url: fields.registration_url,
            registration_opens_at: fields.registration_opens_at,
            registration_closes_at: fields.registration_closes_at,
            cancelled: fields.cancelled,
            materials: fields
                .materials
                .map(|ids| ids.into_iter().map(Into::into).collect()),
            material_kind: fields.material_kind.map(MaterialKindName::from),
            cover_asset_id: fields.cover_asset_id,
        }
    }
}
