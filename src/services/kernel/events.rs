//! What a write did, as typed [`DomainEvent`]s, and the event types webhooks subscribe
//! to. Every side effect of a write follows from its events in one place
//! ([`super::unit_of_work`]): the outbox row (its payload serialised from the event),
//! and the change the delivery caches drop (from the event's fields). A new effect of
//! every write of a kind is one match arm here.

use entity::ids::{AssetId, ItemId};
use serde::Serialize;

use crate::delivery_cache::{Change, ItemChange};
use crate::domain::Locale;
use crate::domain::content::ContentKind;

use super::mail::OutgoingMail;

/// A change a webhook can ask to hear about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EventType {
    /// A translation went live for the first time (or again after an unpublish).
    TranslationPublished,
    /// A live translation was published again with changes.
    TranslationChanged,
    TranslationUnpublished,
    /// A scheduled publish or unpublish ran.
    ScheduleDone,
    ItemTrashed,
    ItemRestored,
    ItemPurged,
    AssetReplaced,
    AssetDeleted,
    /// A site was created, changed or deleted.
    SiteChanged,
    /// Someone signed up for an event (the count, never who).
    RegistrationCreated,
    /// An event's sign-ups reached its capacity.
    EventFull,
    /// A test sent from the admin API.
    Ping,
}

impl EventType {
    /// Every type a webhook may subscribe to (a ping always reaches its webhook).
    pub const SUBSCRIBABLE: [EventType; 12] = [
        Self::TranslationPublished,
        Self::TranslationChanged,
        Self::TranslationUnpublished,
        Self::ScheduleDone,
        Self::ItemTrashed,
        Self::ItemRestored,
        Self::ItemPurged,
        Self::AssetReplaced,
        Self::AssetDeleted,
        Self::SiteChanged,
        Self::RegistrationCreated,
        Self::EventFull,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::TranslationPublished => "translation.published",
            Self::TranslationChanged => "translation.changed",
            Self::TranslationUnpublished => "translation.unpublished",
            Self::ScheduleDone => "schedule.done",
            Self::ItemTrashed => "item.trashed",
            Self::ItemRestored => "item.restored",
            Self::ItemPurged => "item.purged",
            Self::AssetReplaced => "asset.replaced",
            Self::AssetDeleted => "asset.deleted",
            Self::SiteChanged => "site.changed",
            Self::RegistrationCreated => "registration.created",
            Self::EventFull => "event.full",
            Self::Ping => "ping",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::SUBSCRIBABLE
            .into_iter()
            .chain([Self::Ping])
            .find(|t| t.as_str() == raw)
    }

    /// Whether the event concerns a content item (and so the sites that show it).
    pub fn is_about_an_item(self) -> bool {
        matches!(
            self,
            Self::TranslationPublished
                | Self::TranslationChanged
                | Self::TranslationUnpublished
                | Self::ScheduleDone
                | Self::ItemTrashed
                | Self::ItemRestored
                | Self::ItemPurged
                | Self::RegistrationCreated
                | Self::EventFull
        )
    }
}

/// Something a write did that readers, webhooks or caches must hear of.
#[derive(Debug, Clone, PartialEq)]
pub enum DomainEvent {
    /// A translation went live for the first time (or again after an unpublish).
    TranslationPublished(TranslationLive),
    /// A live translation changed: published again, or its item's details brought live.
    TranslationChanged(TranslationLive),
    /// A translation went offline (unpublished, or dropped while live).
    TranslationUnpublished(TranslationOffline),
    /// A scheduled publish or unpublish ran.
    ScheduleDone(ScheduleRan),
    ItemTrashed(ItemTrashed),
    ItemRestored(ItemOfCountries),
    ItemPurged(ItemOfCountries),
    AssetReplaced(AssetReplaced),
    AssetDeleted(AssetGone),
    /// A file's name, title or alternative text changed (readers see them; webhooks are
    /// not told).
    AssetDetailsChanged {
        asset_id: AssetId,
    },
    SiteChanged(SiteChanged),
    /// Someone signed up for an event.
    RegistrationCreated(EventSignUps),
    /// An event's sign-ups reached its capacity.
    EventFull(EventSignUps),
    /// A sign-up was erased: the event's count (and so perhaps its status) changed.
    RegistrationErased(ItemOfCountries),
    /// Sign-ups holding a place changed without a new one (confirmed late, cancelled):
    /// readers' "full" may change; webhooks are not told who.
    SignUpsChanged(ItemOfCountries),
    /// A mail to send because of the change (queued in its transaction).
    MailQueued(Box<OutgoingMail>),
}

/// A translation as it is live now; `previous_slug` when its address changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TranslationLive {
    pub item_id: ItemId,
    pub kind: ContentKind,
    pub locale: Locale,
    pub slug: String,
    pub previous_slug: Option<String>,
    /// The countries of the versions readers saw and see; empty: EU-wide.
    pub countries: Vec<String>,
}

/// A translation that readers no longer see, with the address it had.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TranslationOffline {
    pub item_id: ItemId,
    pub kind: ContentKind,
    pub locale: Locale,
    pub slug: String,
    pub countries: Vec<String>,
}

/// What a scheduled job did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScheduleRan {
    pub item_id: ItemId,
    pub kind: ContentKind,
    pub locale: Locale,
    pub action: ScheduledAction,
    pub countries: Vec<String>,
}

/// What a schedule does when it runs.
pub use entity::values::ScheduleAction as ScheduledAction;

/// An item moved to the trash, with the addresses its live translations had.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemTrashed {
    pub item_id: ItemId,
    pub kind: ContentKind,
    pub translations: Vec<LiveAddress>,
    pub countries: Vec<String>,
}

/// Where a live translation was.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LiveAddress {
    pub locale: Locale,
    pub slug: String,
}

/// An item and its countries (restored, purged, its sign-ups changed).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemOfCountries {
    pub item_id: ItemId,
    pub kind: ContentKind,
    pub countries: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssetReplaced {
    pub asset_id: AssetId,
    pub replaced_by: AssetId,
    pub file_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssetGone {
    pub asset_id: AssetId,
    pub file_name: String,
}

/// A site created, changed or deleted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteChanged {
    pub site: String,
    pub change: SiteChange,
    /// For an update, the settings it changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SiteChange {
    Created,
    Updated,
    Deleted,
}

/// An event's sign-ups: how many, against its capacity (never who).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventSignUps {
    pub item_id: ItemId,
    pub kind: ContentKind,
    pub registrations: u64,
    pub capacity: Option<i64>,
    pub countries: Vec<String>,
}

impl DomainEvent {
    /// The webhook event it is announced as; `None`: webhooks are not told.
    pub fn event_type(&self) -> Option<EventType> {
        Some(match self {
            Self::TranslationPublished(_) => EventType::TranslationPublished,
            Self::TranslationChanged(_) => EventType::TranslationChanged,
            Self::TranslationUnpublished(_) => EventType::TranslationUnpublished,
            Self::ScheduleDone(_) => EventType::ScheduleDone,
            Self::ItemTrashed(_) => EventType::ItemTrashed,
            Self::ItemRestored(_) => EventType::ItemRestored,
            Self::ItemPurged(_) => EventType::ItemPurged,
            Self::AssetReplaced(_) => EventType::AssetReplaced,
            Self::AssetDeleted(_) => EventType::AssetDeleted,
            Self::SiteChanged(_) => EventType::SiteChanged,
            Self::RegistrationCreated(_) => EventType::RegistrationCreated,
            Self::EventFull(_) => EventType::EventFull,
            Self::AssetDetailsChanged { .. }
            | Self::RegistrationErased(_)
            | Self::SignUpsChanged(_)
            | Self::MailQueued(_) => return None,
        })
    }

    /// The webhook payload: the event's fields, serialised.
    pub fn payload(&self) -> Result<serde_json::Value, serde_json::Error> {
        match self {
            Self::TranslationPublished(e) | Self::TranslationChanged(e) => serde_json::to_value(e),
            Self::TranslationUnpublished(e) => serde_json::to_value(e),
            Self::ScheduleDone(e) => serde_json::to_value(e),
            Self::ItemTrashed(e) => serde_json::to_value(e),
            Self::ItemRestored(e)
            | Self::ItemPurged(e)
            | Self::RegistrationErased(e)
            | Self::SignUpsChanged(e) => serde_json::to_value(e),
            Self::AssetReplaced(e) => serde_json::to_value(e),
            Self::AssetDeleted(e) => serde_json::to_value(e),
            Self::AssetDetailsChanged { asset_id } => {
                Ok(serde_json::json!({ "asset_id": asset_id }))
            }
            Self::SiteChanged(e) => serde_json::to_value(e),
            Self::RegistrationCreated(e) | Self::EventFull(e) => serde_json::to_value(e),
            // Never a webhook's: who is mailed stays here.
            Self::MailQueued(_) => Ok(serde_json::Value::Null),
        }
    }

    /// What readers may now see differently, for the delivery caches. Sites and files
    /// may show anywhere: they change everything.
    /// What the delivery caches drop; `None` when readers see nothing new.
    pub fn change(&self) -> Option<Change> {
        let item = |kind, id, locales: Option<&Locale>, slugs: Vec<&str>, countries: &[String]| {
            Change::Item(ItemChange {
                kind,
                id,
                locales: locales.map(|l| vec![l.to_string()]),
                slugs: slugs.into_iter().map(str::to_owned).collect(),
                countries: countries.to_vec(),
            })
        };
        Some(match self {
            Self::TranslationPublished(e) | Self::TranslationChanged(e) => {
                let mut slugs = vec![e.slug.as_str()];
                slugs.extend(e.previous_slug.as_deref());
                item(e.kind, e.item_id, Some(&e.locale), slugs, &e.countries)
            }
            Self::TranslationUnpublished(e) => item(
                e.kind,
                e.item_id,
                Some(&e.locale),
                vec![&e.slug],
                &e.countries,
            ),
            Self::ScheduleDone(e) => item(e.kind, e.item_id, Some(&e.locale), vec![], &e.countries),
            Self::ItemTrashed(e) => {
                let slugs = e.translations.iter().map(|t| t.slug.as_str()).collect();
                item(e.kind, e.item_id, None, slugs, &e.countries)
            }
            Self::ItemRestored(e)
            | Self::ItemPurged(e)
            | Self::RegistrationErased(e)
            | Self::SignUpsChanged(e) => item(e.kind, e.item_id, None, vec![], &e.countries),
            Self::RegistrationCreated(e) | Self::EventFull(e) => {
                item(e.kind, e.item_id, None, vec![], &e.countries)
            }
            Self::AssetReplaced(_)
            | Self::AssetDeleted(_)
            | Self::AssetDetailsChanged { .. }
            | Self::SiteChanged(_) => Change::Everything,
            Self::MailQueued(_) => return None,
        })
    }
}

/// The countries of every version named (stored JSON arrays), for an event to reach
/// each site that showed or shows the item: empty (EU-wide, shown everywhere) if any is.
pub fn countries_of_all(lists: &[&serde_json::Value]) -> Vec<String> {
    let mut all: Vec<String> = Vec::new();
    for list in lists {
        let Some(countries) = list.as_array() else {
            continue;
        };
        if countries.is_empty() {
            return Vec::new();
        }
        for country in countries.iter().filter_map(serde_json::Value::as_str) {
            if !all.iter().any(|c| c == country) {
                all.push(country.to_owned());
            }
        }
    }
    all
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use uuid::Uuid;

    use super::*;

    #[test]
    fn an_event_is_its_payload_and_the_change_behind_it() {
        let id = Uuid::now_v7();
        let published = DomainEvent::TranslationPublished(TranslationLive {
            item_id: id.into(),
            kind: ContentKind::News,
            locale: Locale::from_stored("lt".into()),
            slug: "naujiena".into(),
            previous_slug: Some("sena".into()),
            countries: vec!["LT".into()],
        });
        assert_eq!(
            published.event_type(),
            Some(EventType::TranslationPublished)
        );
        assert_eq!(
            published.payload().unwrap(),
            json!({ "item_id": id, "kind": "news", "locale": "lt", "slug": "naujiena",
                    "previous_slug": "sena", "countries": ["LT"] })
        );
        let expected = Change::Item(ItemChange {
            kind: ContentKind::News,
            id: id.into(),
            locales: Some(vec!["lt".into()]),
            slugs: vec!["naujiena".into(), "sena".into()],
            countries: vec!["LT".into()],
        });
        assert_eq!(published.change(), Some(expected));
        let trashed = DomainEvent::ItemTrashed(ItemTrashed {
            item_id: id.into(),
            kind: ContentKind::Event,
            translations: vec![LiveAddress {
                locale: Locale::from_stored("fr".into()),
                slug: "atelier".into(),
            }],
            countries: vec![],
        });
        let Some(Change::Item(change)) = trashed.change() else {
            panic!("an item change");
        };
        assert_eq!(change.locales, None, "every locale");
        assert_eq!(change.slugs, ["atelier"]);
        let site = DomainEvent::SiteChanged(SiteChanged {
            site: "be".into(),
            change: SiteChange::Deleted,
            fields: None,
        });
        assert_eq!(
            site.payload().unwrap(),
            json!({ "site": "be", "change": "deleted" })
        );
        assert_eq!(site.change(), Some(Change::Everything));
        assert_eq!(
            DomainEvent::AssetDetailsChanged {
                asset_id: AssetId(id)
            }
            .event_type(),
            None
        );
    }

    #[test]
    fn an_item_shown_eu_wide_in_any_version_reaches_every_site() {
        assert_eq!(
            countries_of_all(&[&json!(["BE"]), &json!(["BE", "LT"])]),
            ["BE", "LT"]
        );
        assert!(countries_of_all(&[&json!(["BE"]), &json!([])]).is_empty());
    }

    #[test]
    fn every_type_reads_back_from_its_name() {
        for t in EventType::SUBSCRIBABLE.into_iter().chain([EventType::Ping]) {
            assert_eq!(EventType::parse(t.as_str()), Some(t));
        }
        assert_eq!(EventType::parse("translation.deleted"), None);
    }
}
