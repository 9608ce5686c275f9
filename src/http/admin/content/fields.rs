//! The language-neutral fields of an item as the API writes them out, and the names of
//! their enumerations.

use chrono::{DateTime, FixedOffset, NaiveDate};
use poem_openapi::{Enum, Object};
use serde::Deserialize;
use uuid::Uuid;

use crate::domain::content::{
    EventFields, ItemFields, MaterialFields, MaterialKind, NewsFields, PageFields, RegistrationMode,
};

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

/// Language-neutral fields by kind. News: `date`, `cover_asset_id`. Events: everything
/// from `city` to `materials`, and `cover_asset_id` (`starts_at`, `ends_at`, `time_zone`
/// required; `city` unless online). Materials: `material_kind` (required). Pages: none.
/// A field of another kind is refused (`null` for it is accepted and changes nothing).
///
/// One object for every kind, because the kind is the path's `{kind}`; inside the
/// server each kind's fields are their own type.
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
    /// Events with registration_mode `form`: whether a sign-up waits until the person
    /// confirms their address through the mailed link (absent: yes). `false` confirms
    /// at once (the person still gets a mail, with a link to cancel).
    #[oai(nullable)]
    pub double_opt_in: Option<bool>,
    /// Events with registration_mode `form`: whether people may join a waitlist when
    /// the event is full (absent: yes). Places that free up are offered by mail to the
    /// first on the list, for `registrations.offer_hours`.
    #[oai(nullable)]
    pub waitlist: Option<bool>,
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
    /// Each kind's fields destructured whole, so that a field added to a kind and not
    /// shown here does not compile.
    fn from(fields: ItemFields) -> Self {
        match fields {
            ItemFields::Page(PageFields {}) => Self::default(),
            ItemFields::News(NewsFields {
                date,
                cover_asset_id,
            }) => Self {
                date,
                cover_asset_id: cover_asset_id.map(Into::into),
                ..Self::default()
            },
            ItemFields::Material(MaterialFields { material_kind }) => Self {
                material_kind: material_kind.map(MaterialKindName::from),
                ..Self::default()
            },
            ItemFields::Event(event) => event.into(),
        }
    }
}

impl From<EventFields> for FieldsBody {
    fn from(event: EventFields) -> Self {
        let EventFields {
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
            double_opt_in,
            waitlist,
            materials,
            cover_asset_id,
        } = event;
        Self {
            city,
            venue,
            online_url,
            starts_at,
            ends_at,
            time_zone,
            workshop_languages,
            capacity,
            registration_mode: registration_mode.map(RegistrationModeName::from),
            registration_url,
            registration_opens_at,
            registration_closes_at,
            cancelled,
            double_opt_in,
            waitlist,
            materials: materials.map(|ids| ids.into_iter().map(Into::into).collect()),
            cover_asset_id: cover_asset_id.map(Into::into),
            date: None,
            material_kind: None,
        }
    }
}
