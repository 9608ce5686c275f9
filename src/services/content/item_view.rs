//! The whole admin view of an item, assembled from its rows: every translation's draft
//! and live state, its schedules and open reviews, what changed in its source, where
//! readers see it, and which languages its sites still lack.

use std::collections::BTreeSet;

use entity::document::{self};
use entity::published_translation::{self, Entity as Published};
use entity::schedule::{self, Entity as Schedules};
use entity::site::Entity as Sites;
use entity::translation::{self, Entity as Translations};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::load::{countries, fields, file_of, kind, tags};
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
    id: Uuid,
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
    let db = &state.db;
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
    let countries = countries(&model)?;
    let failures = failures(db, model.id).await?;
    let people = crate::services::people::names(
        db,
        drafts
            .iter()
            .filter_map(|d| d.updated_by)
            .chain(lives.iter().filter_map(|l| l.published_by)),
    )
    .await?;
    let name_of = |id: Option<Uuid>| id.and_then(|id| people.get(&id).cloned());
    let source = drafts
        .iter()
        .find(|t| t.locale == model.source_locale)
        .cloned();
    let source_updated_at = source.as_ref().map(|t| t.updated_at);
    let in_review = super::reviews::open_locales(db, model.id).await?;
    let bases = sources::snapshots(
        db,
        drafts.iter().filter_map(|t| t.base_revision_id).collect(),
    )
    .await?;
    // Outdated: the source's text is not what the translation follows. Without a base
    // (written before bases were kept, with no source revision to follow), the old
    // rule: the source was edited after the translation.
    let outdated = |draft: &translation::Model| {
        if draft.locale == model.source_locale {
            return false;
        }
        match (
            draft.base_revision_id.and_then(|id| bases.get(&id)),
            &source,
        ) {
            (Some(base), Some(source)) => !sources::changes(base, source).is_empty(),
            _ => source_updated_at.is_some_and(|at| at > draft.updated_at),
        }
    };
    let translations =
        drafts
            .into_iter()
            .map(|draft| {
                let live = lives.iter().find(|l| l.locale == draft.locale);
                TranslationState {
                    locale: Locale::from_stored(draft.locale.clone()),
                    outdated: outdated(&draft),
                    base_revision_id: draft.base_revision_id,
                    in_review: in_review.contains(&draft.locale),
                    changed_since_publish: live.is_some_and(|l| {
                        l.draft_version != draft.version || l.document_version != model.version
                    }),
                    live: live.map(|l| Live {
                        file_asset_id: file_of(&l.fields),
                        slug: l.slug.clone(),
                        title: l.title.clone(),
                        summary: l.summary.clone(),
                        body: l.body.clone(),
                        body_html: l.body_html.clone(),
                        seo_title: l.seo_title.clone(),
                        seo_description: l.seo_description.clone(),
                        published_by: l.published_by,
                        published_by_name: name_of(l.published_by),
                        published_at: l.published_at,
                        urls: Vec::new(),
                        details_outdated: l.document_version != model.version,
                        // Written from a validated document; a row that cannot be read
                        // falls back to the item's countries rather than to "EU-wide".
                        countries: crate::services::scopes::countries_from_json(&l.countries)
                            .unwrap_or_else(|_| countries.clone()),
                    }),
                    failed_schedule: failures
                        .iter()
                        .find(|f| f.locale == draft.locale)
                        .filter(|f| {
                            let finished = f.done_at.unwrap_or(f.run_at);
                            live.is_none_or(|l| l.published_at < finished)
                                && !pending.iter().any(|p| p.locale == draft.locale)
                        })
                        .map(|f| FailedSchedule {
                            action: f.action.clone(),
                            run_at: f.run_at,
                            reason: f.outcome.clone().unwrap_or_default(),
                        }),
                    schedules: pending
                        .iter()
                        .filter(|s| s.locale == draft.locale)
                        .map(|s| ScheduleView {
                            id: s.id,
                            action: s.action.clone(),
                            run_at: s.run_at,
                        })
                        .collect(),
                    draft: Draft {
                        file_asset_id: file_of(&draft.fields),
                        slug: draft.slug,
                        title: draft.title,
                        summary: draft.summary,
                        body_exceeds_limits: state.renderer.check(&draft.body).err().map(
                            |exceeded| format!("the body {exceeded}; it is shown as plain text"),
                        ),
                        body: draft.body,
                        seo_title: draft.seo_title,
                        seo_description: draft.seo_description,
                        version: draft.version,
                        updated_by: draft.updated_by,
                        updated_by_name: name_of(draft.updated_by),
                        updated_at: draft.updated_at,
                    },
                }
            })
            .collect::<Vec<_>>();
    let mut translations = translations;
    let kind = kind(&model)?;
    let sites = if translations.iter().any(|t| t.live.is_some()) {
        crate::services::sites::all(db).await?
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
    let missing_locales = missing_locales(db, &countries, &translations).await?;
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
async fn failures(db: &impl ConnectionTrait, id: Uuid) -> Result<Vec<schedule::Model>, AppError> {
    Ok(Schedules::find()
        .filter(schedule::Column::DocumentId.eq(id))
        .filter(schedule::Column::DoneAt.is_not_null())
        .filter(schedule::Column::Outcome.ne("done"))
        .filter(schedule::Column::Outcome.ne("cancelled"))
        .order_by_desc(schedule::Column::DoneAt)
        .all(db)
        .await?)
}
