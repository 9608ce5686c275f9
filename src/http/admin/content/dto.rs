//! Request and response bodies of the content API.

use chrono::{DateTime, Utc};

use crate::policy::ItemAbilities;
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{Enum, Object};
use serde::Deserialize;
use uuid::Uuid;

use super::changes::FieldsChanges;
pub use super::fields::{FieldsBody, MaterialKindName, RegistrationModeName};
use crate::domain::content::ContentKind;
use crate::http::names::{KindName, TranslationStatusName};
use crate::services::content::{
    Draft, Item, ItemSummary, Live, RevisionDetail, RevisionSummary, ScheduleChoice, ScheduleView,
    TranslationInput, TranslationState, etag_of_document, etag_of_translation,
};

/// The kind of content, as the path segment: `pages`, `news`, `events`, `materials`.
#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "lowercase")]
pub enum KindPath {
    Pages,
    News,
    Events,
    Materials,
}

impl From<KindPath> for ContentKind {
    fn from(kind: KindPath) -> Self {
        match kind {
            KindPath::Pages => ContentKind::Page,
            KindPath::News => ContentKind::News,
            KindPath::Events => ContentKind::Event,
            KindPath::Materials => ContentKind::Material,
        }
    }
}

/// One locale's text.
#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct TranslationBody {
    /// Absent: keep the current slug, or make one from the title (transliterated,
    /// made unique with `-2`, `-3`...).
    #[oai(nullable)]
    pub slug: Option<String>,
    pub title: String,
    #[serde(default)]
    #[oai(default)]
    pub summary: String,
    /// Markdown (CommonMark with tables).
    #[serde(default)]
    #[oai(default)]
    pub body: String,
    #[serde(default)]
    #[oai(default)]
    pub seo_title: String,
    #[serde(default)]
    #[oai(default)]
    pub seo_description: String,
    /// Materials: the asset downloaded in this locale.
    #[oai(nullable)]
    pub file_asset_id: Option<Uuid>,
    /// The source revision the translator worked from (the one shown beside the
    /// draft): the translation follows it from now on and is no longer outdated if it
    /// is the newest. Absent: the translation keeps following what it did.
    #[serde(default)]
    #[oai(nullable)]
    pub based_on: Option<Uuid>,
    /// Required when the translation's publication is scheduled (409
    /// `schedule-pending` otherwise): `keep` publishes this new draft at the scheduled
    /// time (for whoever may publish it), `cancel` cancels the scheduled publication.
    #[serde(default)]
    #[oai(nullable)]
    pub schedule: Option<ScheduleChoiceName>,
}

/// What happens to a scheduled publication when its draft is saved again.
#[derive(Debug, Clone, Copy, poem_openapi::Enum, Deserialize)]
#[oai(rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum ScheduleChoiceName {
    Keep,
    Cancel,
}

impl From<ScheduleChoiceName> for ScheduleChoice {
    fn from(name: ScheduleChoiceName) -> Self {
        match name {
            ScheduleChoiceName::Keep => ScheduleChoice::Keep,
            ScheduleChoiceName::Cancel => ScheduleChoice::Cancel,
        }
    }
}

impl From<TranslationBody> for TranslationInput {
    fn from(body: TranslationBody) -> Self {
        Self {
            slug: body.slug,
            title: body.title,
            summary: body.summary,
            body: body.body,
            seo_title: body.seo_title,
            seo_description: body.seo_description,
            file_asset_id: body.file_asset_id,
            based_on: body.based_on.map(Into::into),
        }
    }
}

/// The first translation of a new item.
#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct FirstTranslation {
    /// The locale; it becomes the item's source locale.
    pub locale: String,
    /// Absent: made from the title.
    #[oai(nullable)]
    pub slug: Option<String>,
    pub title: String,
    #[serde(default)]
    #[oai(default)]
    pub summary: String,
    /// Markdown (CommonMark with tables).
    #[serde(default)]
    #[oai(default)]
    pub body: String,
    #[serde(default)]
    #[oai(default)]
    pub seo_title: String,
    #[serde(default)]
    #[oai(default)]
    pub seo_description: String,
    /// Materials: the asset downloaded in this locale.
    #[oai(nullable)]
    pub file_asset_id: Option<Uuid>,
}

impl FirstTranslation {
    pub fn into_parts(self) -> (String, TranslationInput) {
        let input = TranslationInput {
            slug: self.slug,
            title: self.title,
            summary: self.summary,
            body: self.body,
            seo_title: self.seo_title,
            seo_description: self.seo_description,
            file_asset_id: self.file_asset_id,
            based_on: None,
        };
        (self.locale, input)
    }
}

/// A new item with its first translation.
#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct CreateItemRequest {
    /// EU member states the item concerns (events: exactly one); absent: EU-wide.
    #[oai(nullable)]
    pub countries: Option<Vec<String>>,
    /// Lower-case labels, e.g. `srpp`, `training`.
    #[oai(nullable)]
    pub tags: Option<Vec<String>>,
    /// Pages: the parent page.
    #[oai(nullable)]
    pub parent_id: Option<Uuid>,
    /// Pages: order among siblings.
    #[oai(nullable)]
    pub position: Option<i32>,
    #[oai(nullable)]
    pub fields: Option<FieldsChanges>,
    pub translation: FirstTranslation,
}

/// Changes to neutral fields. `countries`, `tags` and `position` absent or `null` stay
/// as they are; `parent_id: null` makes a page top-level; within `fields`, `null` clears
/// a field and an absent one stays.
#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct UpdateItemRequest {
    #[oai(nullable)]
    pub countries: Option<Vec<String>>,
    #[oai(nullable)]
    pub tags: Option<Vec<String>>,
    /// Pages: the parent page; `null` makes it a top-level page.
    #[serde(default)]
    pub parent_id: MaybeUndefined<Uuid>,
    #[oai(nullable)]
    pub position: Option<i32>,
    /// Only the fields given change; a field given `null` is cleared (an event's
    /// `capacity`, `venue`, `cover_asset_id`, registration window, `materials`, ...).
    #[oai(nullable)]
    pub fields: Option<FieldsChanges>,
    /// Required when publications of the item are scheduled (409 `schedule-pending`
    /// otherwise): `keep` publishes the new details at the scheduled times (for whoever
    /// may publish those languages), `cancel` cancels the scheduled publications.
    #[serde(default)]
    #[oai(nullable)]
    pub schedules: Option<ScheduleChoiceName>,
}

/// When to publish or unpublish; absent or in the past: now.
#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct WhenRequest {
    #[oai(nullable)]
    pub at: Option<DateTime<Utc>>,
}

/// A whole item: neutral fields and every translation's draft and live state.
#[derive(Debug, Object)]
pub struct ItemResponse {
    pub id: Uuid,
    pub kind: KindName,
    /// The ETag of the neutral fields, for `If-Match` on PATCH and DELETE.
    pub etag: String,
    pub countries: Vec<String>,
    pub tags: Vec<String>,
    #[oai(nullable)]
    pub parent_id: Option<Uuid>,
    pub position: i32,
    pub fields: FieldsBody,
    /// The locale translations are made from; others are `outdated` when it changes after them.
    pub source_locale: String,
    pub translations: Vec<TranslationResponse>,
    /// Locales of sites showing this item that have no translation yet.
    pub missing_locales: Vec<String>,
    #[oai(nullable)]
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    #[oai(nullable)]
    pub updated_by: Option<Uuid>,
    pub updated_at: DateTime<Utc>,
    /// Set while the item is in the trash.
    #[oai(nullable)]
    pub deleted_at: Option<DateTime<Utc>>,
    /// What the caller may do to it.
    pub permissions: ItemPermissions,
}

/// One locale of an item.
#[derive(Debug, Object)]
pub struct TranslationResponse {
    pub locale: String,
    /// The draft's ETag, for `If-Match` on PUT and DELETE of this translation.
    pub etag: String,
    pub status: TranslationStatusName,
    /// The source's text changed since the source revision this translation follows
    /// (`base_revision_id`); its changes are at `.../source-changes`.
    pub outdated: bool,
    /// The source revision this translation follows; `null` for the source itself.
    #[oai(nullable)]
    pub base_revision_id: Option<Uuid>,
    /// A review of this translation is requested and not yet decided.
    pub in_review: bool,
    pub draft: DraftResponse,
    /// What readers see; absent when not published.
    #[oai(nullable)]
    pub live: Option<LiveResponse>,
    /// Pending scheduled publishing.
    pub schedules: Vec<ScheduleResponse>,
    /// The last scheduled publication or unpublication of this translation that did
    /// not happen (its scheduler may no longer publish, the draft was changed
    /// meanwhile, ...), shown until the translation is published or scheduled again.
    #[oai(nullable)]
    pub failed_schedule: Option<FailedScheduleResponse>,
}

/// Where one site shows a live translation.
#[derive(Debug, Object)]
pub struct SiteUrl {
    /// The site's code, e.g. `be`.
    pub site: String,
    pub url: String,
}

/// A scheduled change that did not happen, and why.
#[derive(Debug, Object)]
pub struct FailedScheduleResponse {
    /// `publish` or `unpublish`.
    pub action: String,
    /// When it was due.
    pub at: DateTime<Utc>,
    /// Why it did not happen.
    pub reason: String,
}

/// The working draft.
#[derive(Debug, Object)]
pub struct DraftResponse {
    /// Materials: the file of this locale.
    #[oai(nullable)]
    pub file_asset_id: Option<Uuid>,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    /// Set when the body crosses the bounds on Markdown bodies (`content.max_body_depth`,
    /// `content.max_body_elements`): it was stored before they existed, or with larger
    /// ones. Publishing and previews show it as plain text, and saving it again is
    /// refused until it is simplified; this says why.
    #[oai(nullable)]
    pub body_exceeds_limits: Option<String>,
    pub seo_title: String,
    pub seo_description: String,
    pub version: i64,
    /// Who saved it last (a user's or token's id).
    #[oai(nullable)]
    pub updated_by: Option<Uuid>,
    /// Their current name (absent when they were deleted since).
    #[oai(nullable)]
    pub updated_by_name: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// The published version.
#[derive(Debug, Object)]
pub struct LiveResponse {
    /// Materials: the file of this locale.
    #[oai(nullable)]
    pub file_asset_id: Option<Uuid>,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    /// The body as sanitized HTML.
    pub body_html: String,
    pub seo_title: String,
    pub seo_description: String,
    #[oai(nullable)]
    pub published_by: Option<Uuid>,
    /// Their current name (absent when they were deleted since).
    #[oai(nullable)]
    pub published_by_name: Option<String>,
    /// Where readers see it: one URL per site that shows the item and has a route for
    /// its kind and locale (see the sites' `routes`).
    pub urls: Vec<SiteUrl>,
    /// Readers of this language see older details than the item has (they changed
    /// after it was published): `POST .../publish-details` brings them live.
    pub details_outdated: bool,
    pub published_at: DateTime<Utc>,
}

#[derive(Debug, Object)]
pub struct ScheduleResponse {
    pub id: Uuid,
    /// `publish` or `unpublish`.
    pub action: String,
    pub at: DateTime<Utc>,
}

/// What the caller may do to an item: what an admin client offers on it.
#[derive(Debug, Object)]
pub struct ItemPermissions {
    /// Change the language-neutral fields (PATCH).
    pub edit_fields: bool,
    /// Move it to the trash (DELETE).
    pub trash: bool,
    /// Configured locales whose translation the caller may write or drop.
    pub write_locales: Vec<String>,
    /// Configured locales the caller may publish, unpublish and schedule.
    pub publish_locales: Vec<String>,
}

impl From<ItemAbilities> for ItemPermissions {
    fn from(abilities: ItemAbilities) -> Self {
        let strings =
            |locales: Vec<crate::domain::Locale>| locales.iter().map(ToString::to_string).collect();
        Self {
            edit_fields: abilities.edit_fields,
            trash: abilities.trash,
            write_locales: strings(abilities.write_locales),
            publish_locales: strings(abilities.publish_locales),
        }
    }
}

impl ItemResponse {
    /// The item, with what the caller may do to it.
    pub fn of(item: Item, abilities: ItemAbilities) -> Self {
        Self {
            permissions: abilities.into(),
            id: item.id.into(),
            kind: item.kind.into(),
            etag: etag_of_document(item.version),
            countries: item.countries.iter().map(ToString::to_string).collect(),
            tags: item.tags,
            parent_id: item.parent_id.map(Into::into),
            position: item.position,
            fields: item.fields.into(),
            source_locale: item.source_locale.to_string(),
            translations: item
                .translations
                .into_iter()
                .map(TranslationResponse::from)
                .collect(),
            missing_locales: item.missing_locales,
            created_by: item.created_by.map(Into::into),
            created_at: item.created_at,
            updated_by: item.updated_by.map(Into::into),
            updated_at: item.updated_at,
            deleted_at: item.deleted_at,
        }
    }
}

impl From<TranslationState> for TranslationResponse {
    fn from(state: TranslationState) -> Self {
        let status = match (&state.live, state.changed_since_publish) {
            (None, _) => TranslationStatusName::Draft,
            (Some(_), false) => TranslationStatusName::Published,
            (Some(_), true) => TranslationStatusName::Changed,
        };
        Self {
            locale: state.locale.to_string(),
            etag: etag_of_translation(state.draft.version),
            status,
            outdated: state.outdated,
            base_revision_id: state.base_revision_id.map(Into::into),
            in_review: state.in_review,
            draft: state.draft.into(),
            live: state.live.map(LiveResponse::from),
            schedules: state
                .schedules
                .into_iter()
                .map(ScheduleResponse::from)
                .collect(),
            failed_schedule: state.failed_schedule.map(|f| FailedScheduleResponse {
                action: f.action.to_string(),
                at: f.run_at,
                reason: f.reason,
            }),
        }
    }
}

impl From<Draft> for DraftResponse {
    fn from(d: Draft) -> Self {
        Self {
            file_asset_id: d.file_asset_id.map(Into::into),
            slug: d.slug,
            title: d.title,
            summary: d.summary,
            body: d.body,
            body_exceeds_limits: d.body_exceeds_limits,
            seo_title: d.seo_title,
            seo_description: d.seo_description,
            version: d.version,
            updated_by: d.updated_by.map(Into::into),
            updated_by_name: d.updated_by_name,
            updated_at: d.updated_at,
        }
    }
}

impl From<Live> for LiveResponse {
    fn from(l: Live) -> Self {
        Self {
            file_asset_id: l.file_asset_id.map(Into::into),
            slug: l.slug,
            title: l.title,
            summary: l.summary,
            body: l.body,
            body_html: l.body_html,
            seo_title: l.seo_title,
            seo_description: l.seo_description,
            published_by: l.published_by.map(Into::into),
            published_by_name: l.published_by_name,
            urls: l
                .urls
                .into_iter()
                .map(|(site, url)| SiteUrl { site, url })
                .collect(),
            details_outdated: l.details_outdated,
            published_at: l.published_at,
        }
    }
}

impl From<ScheduleView> for ScheduleResponse {
    fn from(s: ScheduleView) -> Self {
        Self {
            id: s.id.into(),
            action: s.action.to_string(),
            at: s.run_at,
        }
    }
}

/// One item in a list.
#[derive(Debug, Object)]
pub struct ItemSummaryResponse {
    pub id: Uuid,
    pub kind: KindName,
    pub countries: Vec<String>,
    pub tags: Vec<String>,
    #[oai(nullable)]
    pub created_by: Option<Uuid>,
    pub updated_at: DateTime<Utc>,
    pub trashed: bool,
    pub translations: Vec<TranslationSummary>,
}

/// One locale of an item in a list.
#[derive(Debug, Object)]
pub struct TranslationSummary {
    pub locale: String,
    pub title: String,
    pub slug: String,
    pub live: bool,
    /// Live, and changed since publishing.
    pub changed: bool,
}

impl From<ItemSummary> for ItemSummaryResponse {
    fn from(item: ItemSummary) -> Self {
        Self {
            id: item.id.into(),
            kind: item.kind.into(),
            countries: item.countries.iter().map(ToString::to_string).collect(),
            tags: item.tags,
            created_by: item.created_by.map(Into::into),
            updated_at: item.updated_at,
            trashed: item.deleted_at.is_some(),
            translations: item
                .translations
                .into_iter()
                .map(|(locale, title, slug, live, changed)| TranslationSummary {
                    locale,
                    title,
                    slug,
                    live,
                    changed,
                })
                .collect(),
        }
    }
}

/// One revision in the history.
#[derive(Debug, Object)]
pub struct RevisionResponse {
    pub id: Uuid,
    /// The translation's locale; absent for a change of neutral fields.
    #[oai(nullable)]
    pub locale: Option<String>,
    /// `create`, `draft`, `fields`, `publish`, `unpublish`, `restore` or `drop`.
    pub action: String,
    #[oai(nullable)]
    pub created_by: Option<Uuid>,
    /// The current name of whoever made it (absent when they were deleted since, or for
    /// scheduled publishing).
    #[oai(nullable)]
    pub created_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<RevisionSummary> for RevisionResponse {
    fn from(r: RevisionSummary) -> Self {
        Self {
            id: r.id.into(),
            locale: r.locale,
            action: r.action.to_string(),
            created_by: r.created_by.map(Into::into),
            created_by_name: r.created_by_name,
            created_at: r.created_at,
        }
    }
}

/// A revision's content, and what differs from another revision.
#[derive(Debug, Object)]
pub struct RevisionDetailResponse {
    pub revision: RevisionResponse,
    /// The content as it was.
    pub snapshot: serde_json::Value,
    /// The revision compared against; absent when this is the first.
    #[oai(nullable)]
    pub compared_to: Option<Uuid>,
    /// Each field that differs.
    pub changes: Vec<FieldChange>,
}

#[derive(Debug, Object)]
pub struct FieldChange {
    pub field: String,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
}

impl From<RevisionDetail> for RevisionDetailResponse {
    fn from(d: RevisionDetail) -> Self {
        Self {
            revision: d.summary.into(),
            snapshot: d.snapshot,
            compared_to: d.compared_to.map(Into::into),
            changes: d
                .changes
                .into_iter()
                .map(|(field, before, after)| FieldChange {
                    field,
                    before,
                    after,
                })
                .collect(),
        }
    }
}
