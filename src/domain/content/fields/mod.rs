//! The language-neutral fields of each kind of item: one typed value per kind.
//!
//! A field of another kind cannot be held by the type: a news item's fields are a
//! [`NewsFields`], which has no `capacity`. [`ItemFields`] is the one of the four an item
//! has; it is stored as the flat JSON object of its kind's fields, as before (no tag:
//! the row's `kind` says which). Changes arrive as JSON ([`FieldChanges`]) and are
//! merged into the kind's type, naming every field that is refused.

mod changes;
mod event;
mod material;
mod news;
mod page;

use chrono::{DateTime, NaiveTime, Utc};
use entity::ids::{AssetId, ItemId};
use serde::de::DeserializeOwned;
use serde::{Serialize, Serializer};
use serde_json::Value;

use super::ContentKind;
use crate::domain::CountryCode;
use crate::error::FieldErrors;

pub use changes::FieldChanges;
pub use event::{EventFields, RegistrationMode};
pub use material::{MaterialFields, MaterialKind};
pub use news::NewsFields;
pub use page::PageFields;

/// The typed fields of one kind, as [`FieldChanges`] merges into them.
trait OfKind: Serialize + DeserializeOwned + Clone {
    const KIND: ContentKind;
}

/// The neutral fields of one item, typed by its kind.
// Most items in a list are of one kind, so boxing the event's fields would only add an
// allocation per event.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum ItemFields {
    Page(PageFields),
    News(NewsFields),
    Event(EventFields),
    Material(MaterialFields),
}

impl ItemFields {
    /// No field set, for a new item of `kind`.
    pub fn empty(kind: ContentKind) -> Self {
        match kind {
            ContentKind::Page => Self::Page(PageFields::default()),
            ContentKind::News => Self::News(NewsFields::default()),
            ContentKind::Event => Self::Event(EventFields::default()),
            ContentKind::Material => Self::Material(MaterialFields::default()),
        }
    }

    /// The fields of a published row or a draft for readers: a row that does not read
    /// (never written by this version) shows no fields rather than failing the list.
    pub fn read_or_empty(kind: ContentKind, stored: &Value) -> Self {
        Self::read(kind, stored).unwrap_or_else(|_| Self::empty(kind))
    }

    /// The fields of an item of `kind`, as stored (a document's `fields` column or a
    /// revision's snapshot).
    pub fn read(kind: ContentKind, stored: &Value) -> Result<Self, serde_json::Error> {
        use serde::Deserialize;
        Ok(match kind {
            ContentKind::Page => Self::Page(PageFields::deserialize(stored)?),
            ContentKind::News => Self::News(NewsFields::deserialize(stored)?),
            ContentKind::Event => Self::Event(EventFields::deserialize(stored)?),
            ContentKind::Material => Self::Material(MaterialFields::deserialize(stored)?),
        })
    }

    pub fn kind(&self) -> ContentKind {
        match self {
            Self::Page(_) => ContentKind::Page,
            Self::News(_) => ContentKind::News,
            Self::Event(_) => ContentKind::Event,
            Self::Material(_) => ContentKind::Material,
        }
    }

    pub fn as_news(&self) -> Option<&NewsFields> {
        match self {
            Self::News(news) => Some(news),
            _ => None,
        }
    }

    pub fn as_event(&self) -> Option<&EventFields> {
        match self {
            Self::Event(event) => Some(event),
            _ => None,
        }
    }

    pub fn as_material(&self) -> Option<&MaterialFields> {
        match self {
            Self::Material(material) => Some(material),
            _ => None,
        }
    }

    /// The image shown with the item (news and events have one).
    pub fn cover_asset_id(&self) -> Option<AssetId> {
        match self {
            Self::News(news) => news.cover_asset_id,
            Self::Event(event) => event.cover_asset_id,
            Self::Page(_) | Self::Material(_) => None,
        }
    }

    /// Where a live item sorts in lists: an event by its start, news by its date.
    pub fn sorts_at(&self) -> Option<DateTime<Utc>> {
        match self {
            Self::Event(event) => event.starts_at.map(|at| at.with_timezone(&Utc)),
            Self::News(news) => news.date.map(|d| d.and_time(NaiveTime::MIN).and_utc()),
            Self::Page(_) | Self::Material(_) => None,
        }
    }

    /// The materials an event links, in order (none for other kinds).
    pub fn linked_materials(&self) -> &[ItemId] {
        self.as_event()
            .and_then(|event| event.materials.as_deref())
            .unwrap_or_default()
    }

    /// These fields with `changes` applied. Every refused change is recorded under
    /// `fields.<name>` (a field of another kind, a value of the wrong type) and leaves
    /// that field as it was, so that the rest can still be checked.
    pub fn changed(&self, changes: &FieldChanges, errors: &mut FieldErrors) -> ItemFields {
        match self {
            Self::Page(page) => Self::Page(changes.apply(page, errors)),
            Self::News(news) => Self::News(changes.apply(news, errors)),
            Self::Event(event) => Self::Event(changes.apply(event, errors)),
            Self::Material(material) => Self::Material(changes.apply(material, errors)),
        }
    }

    /// Checks the rules of the kind, with the item's `countries`, recording every error
    /// under `fields.<name>`, and normalises web addresses (see
    /// [`crate::domain::web_url`]). Locales are checked against `locales`.
    pub fn validate(
        &mut self,
        countries: &[CountryCode],
        locales: &[String],
        errors: &mut FieldErrors,
    ) {
        match self {
            Self::Page(_) | Self::News(_) => {}
            Self::Event(event) => event.validate(countries, locales, errors),
            Self::Material(material) => material.validate(errors),
        }
    }
}

/// Whether `name` is a neutral field of any kind.
fn is_a_field_of_some_kind(name: &str) -> bool {
    [
        changes::field_names::<PageFields>(),
        changes::field_names::<NewsFields>(),
        changes::field_names::<EventFields>(),
        changes::field_names::<MaterialFields>(),
    ]
    .iter()
    .any(|names| names.contains(&name))
}

impl Serialize for ItemFields {
    /// The kind's fields as a flat object, the shape the database has always stored.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Page(page) => page.serialize(serializer),
            Self::News(news) => news.serialize(serializer),
            Self::Event(event) => event.serialize(serializer),
            Self::Material(material) => material.serialize(serializer),
        }
    }
}

impl From<PageFields> for ItemFields {
    fn from(fields: PageFields) -> Self {
        Self::Page(fields)
    }
}

impl From<NewsFields> for ItemFields {
    fn from(fields: NewsFields) -> Self {
        Self::News(fields)
    }
}

impl From<EventFields> for ItemFields {
    fn from(fields: EventFields) -> Self {
        Self::Event(fields)
    }
}

impl From<MaterialFields> for ItemFields {
    fn from(fields: MaterialFields) -> Self {
        Self::Material(fields)
    }
}

/// Runs `check` and returns the fields it recorded, for the tests of each kind.
#[cfg(test)]
fn fields_refused(check: impl FnOnce(&mut FieldErrors)) -> Vec<String> {
    FieldErrors::refused_by(check)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn stored_fields_keep_their_flat_shape() {
        let stored = json!({ "date": "2024-05-23", "cover_asset_id": uuid::Uuid::nil() });
        let news = ItemFields::read(ContentKind::News, &stored).unwrap();
        assert_eq!(news.kind(), ContentKind::News);
        assert_eq!(serde_json::to_value(&news).unwrap(), stored);
        assert_eq!(
            serde_json::to_value(ItemFields::empty(ContentKind::Page)).unwrap(),
            json!({})
        );
    }

    #[test]
    fn a_field_of_another_kind_is_not_read_as_this_kind() {
        assert!(ItemFields::read(ContentKind::News, &json!({ "capacity": 3 })).is_err());
        assert!(ItemFields::read(ContentKind::Page, &json!({ "date": "2024-05-23" })).is_err());
    }
}
