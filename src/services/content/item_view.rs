//! The whole admin view of an item, assembled from its rows: every translation's draft
//! and live state, its schedules and open reviews, what changed in its source, where
//! readers see it, and which languages its sites still lack.

use entity::ids::{ActorId, ItemId, RevisionId};
use std::collections::BTreeSet;

use entity::document::{self};
use entity::published_translation::{self, Entity as Published};
use entity::schedule::{self, Entity as Schedules};
use entity::site::Entity as Sites;
use entity::translation::{self, Entity as Translations};
use entity::values::ScheduleOutcome;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::load::{countries, fields, file_of, tags};
use super::sources;
use super::view::{Draft, FailedSchedule, Item, Live, ScheduleView, TranslationState};
use crate::domain::content::ContentKind;
use crate::domain::{CountryCode, Locale};
use crate::error::AppError;
use crate::state::AppState;

/// Where readers see a live translation: on each site that shows an item of
/// `countries` and has a route for its kind and locale.
async fn live_urls(
    state: &AppState,
    sites: &[crate::services::sites::Site],
    kind: ContentKind,
    id: ItemId,
    countries: &[CountryCode],
    locale: &str,
    slug: &str,
) -> Result<Vec<(String, String)>, AppError> {
    let mut urls = Vec::new();
    let translation = [(locale.to_owned(), slug.to_owned())];
    for site in sites {
        if !crate::domain::country::site_shows(&site.countries, countries)
            || !site.locales.iter().any(|l| l.as_str() == locale)
        {
            continue;
        }
        let found =
            crate::services::delivery::site_urls(state, site, kind, id, &translation).await?;
        urls.extend(found.into_iter().map(|url| (site.code.clone(), url)));
    }
    Ok(urls)
}

/// The whole admin view of a document: every translation's draft and live state.
pub async fn item(state: &AppState, model: document::Model) -> Result<Item, AppError> {
    let rows = Rows::read(&state.db, &model).await?;
    let countries = countries(&model)?;
    let mut translations: Vec<TranslationState> = rows
        .drafts
        .iter()
        .map(|draft| rows.translation(state, &model, &countries, draft))
        .collect();
    let kind = model.kind;
    let sites = if translations.iter().any(|t| t.live.is_some()) {
        crate::services::sites::all(&state.db).await?
    } else {
        Vec::new()
    };
    for translation in &mut translations {
        if let Some(live) = &mut translation.live {
            let locale = translation.locale.as_str();
            let shown_in = live.countries.clone();
            live.urls =
                live_urls(state, &sites, kind, model.id, &shown_in, locale, &live.slug).await?;
        }
    }
    let missing_locales = missing_locales(&state.db, &countries, &translations).await?;
    Ok(Item {
        id: model.id,
        kind,
        fields: fields(&model)?,
        tags: tags(&model)?,
        countries,
        parent_id: model.parent_id,
        position: model.position,
        source_locale: Locale::from_stored(model.source_locale),
        version: model.version,
        created_by: model.created_by,
        updated_by: model.updated_by,
        created_at: model.created_at,
        updated_at: model.updated_at,
        deleted_at: model.deleted_at,
        translations,
        missing_locales,
    })
}

/// Everything stored about an item's translations that its view shows.
struct Rows {
    drafts: Vec<translation::Model>,
    lives: Vec<published_translation::Model>,
    pending: Vec<schedule::Model>,
    failures: Vec<schedule::Model>,
    /// Names of whoever saved a draft or published a live version.
    people: std::collections::HashMap<ActorId, String>,
    in_review: Vec<String>,
    /// The source texts the translations follow, by revision.
    bases: std::collections::BTreeMap<RevisionId, entity::revision::Model>,
}

impl Rows {
    async fn read(
        db: &sea_orm::DatabaseConnection,
        model: &document::Model,
    ) -> Result<Self, AppError> {
        let drafts = Translations::find()
            .filter(translation::Column::DocumentId.eq(model.id))
            .order_by_asc(translation::Column::Locale)
            .all(db)
            .await?;
        let lives = Published::find()
            .filter(published_translation::Column::DocumentId.eq(model.id))
            .all(db)
            .await?;
        let pending = Schedules::find()
            .filter(schedule::Column::DocumentId.eq(model.id))
            .filter(schedule::Column::DoneAt.is_null())
            .order_by_asc(schedule::Column::RunAt)
            .all(db)
            .await?;
        let editors = drafts.iter().filter_map(|d| d.updated_by);
        let publishers = lives.iter().filter_map(|l| l.published_by);
        let people = crate::services::people::names(db, editors.chain(publishers)).await?;
        let followed = drafts.iter().filter_map(|t| t.base_revision_id).collect();
        Ok(Self {
            failures: failures(db, model.id).await?,
            in_review: super::reviews::open_locales(db, model.id).await?,
            bases: sources::snapshots(db, followed).await?,
            drafts,
            lives,
            pending,
            people,
        })
    }

    fn name_of(&self, id: Option<ActorId>) -> Option<String> {
        id.and_then(|id| self.people.get(&id).cloned())
    }

    /// Outdated: the source's text is not what the translation follows. Without a base
    /// (written before bases were kept, with no source revision to follow), the old
    /// rule: the source was edited after the translation.
    fn is_outdated(&self, model: &document::Model, draft: &translation::Model) -> bool {
        if draft.locale == model.source_locale {
            return false;
        }
        let source = self.drafts.iter().find(|t| t.locale == model.source_locale);
        match (
            draft.base_revision_id.and_then(|id| self.bases.get(&id)),
            source,
        ) {
            (Some(base), Some(source)) => !sources::changes(base, source).is_empty(),
            _ => source.is_some_and(|source| source.updated_at > draft.updated_at),
        }
    }

    fn translation(
        &self,
        state: &AppState,
        model: &document::Model,
        countries: &[CountryCode],
        draft: &translation::Model,
    ) -> TranslationState {
        let live = self.lives.iter().find(|l| l.locale == draft.locale);
        TranslationState {
            locale: Locale::from_stored(draft.locale.clone()),
            outdated: self.is_outdated(model, draft),
            base_revision_id: draft.base_revision_id,
            in_review: self.in_review.contains(&draft.locale),
            changed_since_publish: live.is_some_and(|l| {
                l.draft_version != draft.version || l.document_version != model.version
            }),
            live: live.map(|l| self.live(model, countries, l)),
            failed_schedule: self.failed_schedule(draft, live),
            schedules: self
                .pending
                .iter()
                .filter(|s| s.locale == draft.locale)
                .map(|s| ScheduleView {
                    id: s.id,
                    action: s.action,
                    run_at: s.run_at,
                })
                .collect(),
            draft: self.draft(state, draft),
        }
    }

    fn live(
        &self,
        model: &document::Model,
        countries: &[CountryCode],
        live: &published_translation::Model,
    ) -> Live {
        Live {
            file_asset_id: file_of(&live.fields),
            slug: live.slug.clone(),
            title: live.title.clone(),
            summary: live.summary.clone(),
            body: live.body.clone(),
            body_html: live.body_html.clone(),
            seo_title: live.seo_title.clone(),
            seo_description: live.seo_description.clone(),
            published_by: live.published_by,
            published_by_name: self.name_of(live.published_by),
            published_at: live.published_at,
            urls: Vec::new(),
            details_outdated: live.document_version != model.version,
            // Written from a validated document; a row that cannot be read falls back
            // to the item's countries rather than to "EU-wide".
            countries: crate::services::scopes::countries_from_json(&live.countries)
                .unwrap_or_else(|_| countries.to_vec()),
        }
    }

    /// The schedule of this translation that failed, unless it was published since or
    /// is scheduled again.
    fn failed_schedule(
        &self,
        draft: &translation::Model,
        live: Option<&published_translation::Model>,
    ) -> Option<FailedSchedule> {
        self.failures
            .iter()
            .find(|f| f.locale == draft.locale)
            .filter(|f| {
                let finished = f.done_at.unwrap_or(f.run_at);
                live.is_none_or(|l| l.published_at < finished)
                    && !self.pending.iter().any(|p| p.locale == draft.locale)
            })
            .map(|f| FailedSchedule {
                action: f.action,
                run_at: f.run_at,
                reason: f
                    .outcome
                    .as_ref()
                    .map(|o| o.to_string())
                    .unwrap_or_default(),
            })
    }

    fn draft(&self, state: &AppState, draft: &translation::Model) -> Draft {
        Draft {
            file_asset_id: file_of(&draft.fields),
            slug: draft.slug.clone(),
            title: draft.title.clone(),
            summary: draft.summary.clone(),
            body_exceeds_limits: state
                .renderer
                .check(&draft.body)
                .err()
                .map(|exceeded| format!("the body {exceeded}; it is shown as plain text")),
            body: draft.body.clone(),
            seo_title: draft.seo_title.clone(),
            seo_description: draft.seo_description.clone(),
            version: draft.version,
            updated_by: draft.updated_by,
            updated_by_name: self.name_of(draft.updated_by),
            updated_at: draft.updated_at,
        }
    }
}

/// Locales of the sites that show this item, which it has no translation for. A site
/// shows an item when the site is EU-wide, the item is EU-wide, or they share a country.
async fn missing_locales(
    db: &impl ConnectionTrait,
    countries: &[CountryCode],
    translations: &[TranslationState],
) -> Result<Vec<String>, AppError> {
    let mut needed = BTreeSet::new();
    for site in Sites::find().all(db).await? {
        let site_countries = crate::services::scopes::countries_from_json(&site.countries)?;
        let shows = site_countries.is_empty()
            || countries.is_empty()
            || countries.iter().any(|c| site_countries.contains(c));
        if shows {
            let locales: Vec<String> =
                serde_json::from_value(site.locales).map_err(AppError::internal)?;
            needed.extend(locales);
        }
    }
    for translation in translations {
        needed.remove(translation.locale.as_str());
    }
    Ok(needed.into_iter().collect())
}

/// The schedules of an item that failed, newest first: shown until the translation is
/// published or scheduled again.
async fn failures(db: &impl ConnectionTrait, id: ItemId) -> Result<Vec<schedule::Model>, AppError> {
    Ok(Schedules::find()
        .filter(schedule::Column::DocumentId.eq(id))
        .filter(schedule::Column::DoneAt.is_not_null())
        .filter(schedule::Column::Outcome.ne(ScheduleOutcome::Done))
        .filter(schedule::Column::Outcome.ne(ScheduleOutcome::Cancelled))
        .order_by_desc(schedule::Column::DoneAt)
        .all(db)
        .await?)
}
