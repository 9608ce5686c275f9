//! The fixed sets of values responses carry, as enums, so that the spec lists them and
//! generated clients get union types instead of `string`.

use poem_openapi::Enum;

use crate::domain::content::ContentKind;
use crate::services::delivery::EventStatus;

/// The kind of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, serde::Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum KindName {
    Page,
    News,
    Event,
    Material,
}

impl From<ContentKind> for KindName {
    fn from(kind: ContentKind) -> Self {
        match kind {
            ContentKind::Page => KindName::Page,
            ContentKind::News => KindName::News,
            ContentKind::Event => KindName::Event,
            ContentKind::Material => KindName::Material,
        }
    }
}

impl From<KindName> for ContentKind {
    fn from(kind: KindName) -> Self {
        match kind {
            KindName::Page => ContentKind::Page,
            KindName::News => ContentKind::News,
            KindName::Event => ContentKind::Event,
            KindName::Material => ContentKind::Material,
        }
    }
}

/// What readers are told of an event, computed from its facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum EventStatusName {
    /// Not over, places left (or no limit).
    Upcoming,
    /// Registrations have reached the capacity.
    Full,
    /// Over.
    Past,
    /// Called off.
    Cancelled,
}

impl From<EventStatus> for EventStatusName {
    fn from(status: EventStatus) -> Self {
        match status {
            EventStatus::Upcoming => EventStatusName::Upcoming,
            EventStatus::Full => EventStatusName::Full,
            EventStatus::Past => EventStatusName::Past,
            EventStatus::Cancelled => EventStatusName::Cancelled,
        }
    }
}

/// Where a translation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum TranslationStatusName {
    /// Never published.
    Draft,
    /// Live, as drafted.
    Published,
    /// Live, and its draft or the item's neutral fields changed since.
    Changed,
}

/// Who registers for an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum OrganisationTypeName {
    PublicBuyer,
    SocialEconomyEntity,
    Other,
}

impl OrganisationTypeName {
    /// The stored value, which registration validated (`other` for anything else).
    pub fn from_stored(value: &str) -> Self {
        match value {
            "public_buyer" => OrganisationTypeName::PublicBuyer,
            "social_economy_entity" => OrganisationTypeName::SocialEconomyEntity,
            _ => OrganisationTypeName::Other,
        }
    }
}
