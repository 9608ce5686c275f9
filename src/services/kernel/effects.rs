//! What one write changed for readers, collected while it runs.
//!
//! Services say what they changed as they announce it (`outbox::announce` records
//! the change behind every event), or that they changed nothing readers see
//! (`nothing_visible`: drafts, new items, uploads). A write that said neither is taken
//! to have changed anything: a new kind of write can make the cache colder, never stale.

use std::cell::RefCell;
use std::future::Future;

use serde_json::Value;
use uuid::Uuid;

use super::events::EventType;
use crate::delivery_cache::{Change, ItemChange};
use crate::domain::content::ContentKind;

tokio::task_local! {
    static WRITE: RefCell<Effects>;
}

/// What a write said it changed.
#[derive(Debug, Default)]
pub struct Effects {
    changes: Vec<Change>,
    quiet: bool,
}

impl Effects {
    /// A write that said nothing (it was cut short, or ran outside `collect`).
    pub fn unknown() -> Self {
        Self::default()
    }

    /// What the caches are told.
    pub fn into_changes(self) -> Vec<Change> {
        if self.changes.contains(&Change::Everything) || (self.changes.is_empty() && !self.quiet) {
            vec![Change::Everything]
        } else {
            self.changes
        }
    }
}

/// Runs `write`, collecting what it changed.
pub async fn collect<F: Future>(write: F) -> (F::Output, Effects) {
    WRITE
        .scope(RefCell::new(Effects::default()), async {
            let output = write.await;
            let effects = WRITE.with(RefCell::take);
            (output, effects)
        })
        .await
}

/// The write under way changed this (recorded before its transaction commits: a
/// change that then fails costs a cache entry, nothing more).
pub fn record(change: Change) {
    // Outside `collect` (tests calling services directly, the demo seed) the caller
    // reports a change itself.
    let _ = WRITE.try_with(|effects| effects.borrow_mut().changes.push(change));
}

/// The write under way changes nothing readers see (unless it also records a change).
pub fn nothing_visible() {
    let _ = WRITE.try_with(|effects| effects.borrow_mut().quiet = true);
}

/// The change behind a webhook event, from its payload (`kind`, `item_id`, `locale`,
/// `slug`, `previous_slug`, `translations`, `countries`). Sites and files may show
/// anywhere: they change everything, and so does a payload missing what is needed.
pub fn of_event(event: EventType, payload: &Value) -> Change {
    match event {
        EventType::TranslationPublished
        | EventType::TranslationChanged
        | EventType::TranslationUnpublished
        | EventType::ScheduleDone
        | EventType::ItemTrashed
        | EventType::ItemRestored
        | EventType::ItemPurged
        | EventType::RegistrationCreated
        | EventType::EventFull => item_change(payload).map_or(Change::Everything, Change::Item),
        EventType::AssetReplaced | EventType::AssetDeleted | EventType::SiteChanged => {
            Change::Everything
        }
        // Never announced by a write; if it ever were, it would be on the safe side.
        EventType::Ping => Change::Everything,
    }
}

fn item_change(payload: &Value) -> Option<ItemChange> {
    let text = |name: &str| payload.get(name).and_then(Value::as_str);
    let kind =
        text("kind").and_then(|name| ContentKind::ALL.into_iter().find(|k| k.as_str() == name))?;
    let id: Uuid = text("item_id").and_then(|id| id.parse().ok())?;
    let countries = payload
        .get("countries")?
        .as_array()?
        .iter()
        .map(|c| c.as_str().map(str::to_owned))
        .collect::<Option<Vec<_>>>()?;
    let mut slugs: Vec<String> = ["slug", "previous_slug"]
        .into_iter()
        .filter_map(|name| text(name).map(str::to_owned))
        .collect();
    if let Some(translations) = payload.get("translations").and_then(Value::as_array) {
        slugs.extend(
            translations
                .iter()
                .filter_map(|t| t.get("slug").and_then(Value::as_str).map(str::to_owned)),
        );
    }
    Some(ItemChange {
        kind,
        id,
        // One translation, or (trash, registrations) the whole item.
        locales: text("locale").map(|locale| vec![locale.to_owned()]),
        slugs,
        countries,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[tokio::test]
    async fn a_write_that_says_nothing_changed_everything() {
        let ((), effects) = collect(async {}).await;
        assert_eq!(effects.into_changes(), [Change::Everything]);
        let ((), effects) = collect(async { nothing_visible() }).await;
        assert!(effects.into_changes().is_empty());
        let id = Uuid::now_v7();
        let payload = json!({ "item_id": id, "kind": "news", "locale": "lt", "slug": "naujiena",
            "previous_slug": null, "countries": ["LT"] });
        let ((), effects) = collect(async {
            nothing_visible();
            record(of_event(EventType::TranslationPublished, &payload));
        })
        .await;
        let expected = Change::Item(ItemChange {
            kind: ContentKind::News,
            id,
            locales: Some(vec!["lt".into()]),
            slugs: vec!["naujiena".into()],
            countries: vec!["LT".into()],
        });
        assert_eq!(effects.into_changes(), [expected]);
        let ((), effects) = collect(async {
            record(of_event(EventType::TranslationPublished, &payload));
            record(of_event(EventType::SiteChanged, &json!({ "site": "be" })));
        })
        .await;
        assert_eq!(effects.into_changes(), [Change::Everything]);
    }

    #[test]
    fn an_event_is_read_as_the_change_behind_it() {
        let id = Uuid::now_v7();
        let trashed = json!({ "item_id": id, "kind": "event",
            "translations": [{ "locale": "fr", "slug": "atelier" }], "countries": [] });
        let Change::Item(change) = of_event(EventType::ItemTrashed, &trashed) else {
            panic!("an item change");
        };
        assert_eq!(change.locales, None, "every locale");
        assert_eq!(change.slugs, ["atelier"]);
        let unreadable = json!({ "item_id": "not an id", "kind": "news", "countries": [] });
        assert_eq!(
            of_event(EventType::TranslationPublished, &unreadable),
            Change::Everything
        );
        assert_eq!(
            of_event(EventType::AssetReplaced, &json!({})),
            Change::Everything
        );
    }
}
