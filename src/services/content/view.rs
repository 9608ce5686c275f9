//! What the admin API shows of an item: neutral fields, and per locale the draft,
//! the live version and their state.

use chrono::{DateTime, Utc};
use entity::ids::{ActorId, AssetId, ItemId, RevisionId, ScheduleId};
use entity::values::{RevisionAction, ScheduleAction};

use crate::domain::content::{ContentKind, ItemFields};
use crate::domain::{CountryCode, Locale};

#[derive(Debug, Clone)]
pub struct Item {
    pub id: ItemId,
    pub kind: ContentKind,
    pub fields: ItemFields,
    pub countries: Vec<CountryCode>,
    pub tags: Vec<String>,
    pub parent_id: Option<ItemId>,
    pub position: i32,
    pub source_locale: Locale,
    pub version: i64,
    pub created_by: Option<ActorId>,
    pub updated_by: Option<ActorId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub translations: Vec<TranslationState>,
    /// Locales that sites showing this item use, without a translation.
    pub missing_locales: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct TranslationState {
    pub locale: Locale,
    pub draft: Draft,
    pub live: Option<Live>,
    /// The source's text differs from the source revision this translation follows.
    pub outdated: bool,
    /// The source revision this translation follows (`None` for the source).
    pub base_revision_id: Option<RevisionId>,
    /// A review of this translation is requested and not yet decided.
    pub in_review: bool,
    /// Live, and the draft or the neutral fields changed since it was published.
    pub changed_since_publish: bool,
    pub schedules: Vec<ScheduleView>,
    /// The last scheduled publication or unpublication that did not happen, until the
    /// translation is published or scheduled again.
    pub failed_schedule: Option<FailedSchedule>,
}

#[derive(Debug, Clone)]
pub struct FailedSchedule {
    pub action: ScheduleAction,
    pub run_at: DateTime<Utc>,
    /// Why it did not happen, in words.
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct Draft {
    pub file_asset_id: Option<AssetId>,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    /// Why the body is shown as plain text: it crosses the bounds on Markdown bodies
    /// (stored before they existed, or with larger ones).
    pub body_exceeds_limits: Option<String>,
    pub seo_title: String,
    pub seo_description: String,
    pub version: i64,
    pub updated_by: Option<ActorId>,
    /// The current name of whoever saved it last.
    pub updated_by_name: Option<String>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Live {
    pub file_asset_id: Option<AssetId>,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub body_html: String,
    pub seo_title: String,
    pub seo_description: String,
    pub published_by: Option<ActorId>,
    pub published_by_name: Option<String>,
    pub published_at: DateTime<Utc>,
    /// Where readers see it: `(site code, URL)` for each site that shows the item and
    /// has a route for its kind and locale.
    pub urls: Vec<(String, String)>,
    /// Readers see older details (neutral fields) than the item's: they were changed
    /// since this language was published.
    pub details_outdated: bool,
    /// The countries it was published with: the sites that show it now.
    pub countries: Vec<CountryCode>,
}

#[derive(Debug, Clone)]
pub struct ScheduleView {
    pub id: ScheduleId,
    pub action: ScheduleAction,
    pub run_at: DateTime<Utc>,
}

/// One line of a list: enough to find and recognise an item.
#[derive(Debug, Clone)]
pub struct ItemSummary {
    pub id: ItemId,
    pub kind: ContentKind,
    pub countries: Vec<CountryCode>,
    pub tags: Vec<String>,
    pub created_by: Option<ActorId>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    /// `(locale, title, slug, live, changed_since_publish)` per translation.
    pub translations: Vec<(String, String, String, bool, bool)>,
}

#[derive(Debug, Clone)]
pub struct RevisionSummary {
    pub id: RevisionId,
    pub locale: Option<String>,
    pub action: RevisionAction,
    pub created_by: Option<ActorId>,
    /// The current name of whoever made it.
    pub created_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The strong ETag of an item's neutral fields.
pub fn etag_of_document(version: i64) -> String {
    format!("\"d{version}\"")
}

/// The strong ETag of one translation's draft.
pub fn etag_of_translation(version: i64) -> String {
    format!("\"t{version}\"")
}
