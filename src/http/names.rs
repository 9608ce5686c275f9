//! The fixed sets of values responses carry, as enums, so that the spec lists them and
//! generated clients get union types instead of `string`.

use std::borrow::Cow;

use poem_openapi::Enum;
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::{ParseFromJSON, ParseResult, ToJSON, Type};

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

/// A string that the spec documents as the enum `E` but that parses as any string, so
/// that the service checks it with every other field of the request and a wrong value
/// is reported together with the rest, not alone by the JSON parser.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(transparent)]
pub struct Checked<E> {
    pub value: String,
    #[serde(skip)]
    documented_as: std::marker::PhantomData<fn() -> E>,
}

impl<E: Type> Type for Checked<E> {
    const IS_REQUIRED: bool = true;
    type RawValueType = String;
    type RawElementValueType = String;

    fn name() -> Cow<'static, str> {
        E::name()
    }

    fn schema_ref() -> MetaSchemaRef {
        E::schema_ref()
    }

    fn register(registry: &mut Registry) {
        E::register(registry);
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(&self.value)
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(std::iter::once(&self.value))
    }
}

impl<E: Type> ParseFromJSON for Checked<E> {
    fn parse_from_json(value: Option<serde_json::Value>) -> ParseResult<Self> {
        String::parse_from_json(value)
            .map(|value| Self {
                value,
                documented_as: std::marker::PhantomData,
            })
            .map_err(poem_openapi::types::ParseError::propagate)
    }
}

impl<E: Type> ToJSON for Checked<E> {
    fn to_json(&self) -> Option<serde_json::Value> {
        self.value.to_json()
    }
}
