//! A site's sitemap: every published translation its frontend has a route for, with
//! its other locales as `hreflang` alternates. Read from the read model alone, in one
//! lean query per kind.

use entity::ids::ItemId;
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use entity::published_translation::{Column, Entity as Published};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::Value;

use super::Audience;
use super::links::{Links, PageTree};
use super::rows::shown;
use crate::domain::content::ContentKind;
use crate::error::AppError;
use crate::state::AppState;

/// One `<url>` of a sitemap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitemapEntry {
    pub url: String,
    /// When this translation was last published.
    pub lastmod: DateTime<Utc>,
    /// `(hreflang, url)`: every locale of the item on the site, this one included, and
    /// `x-default` for the site's default locale; empty when the item has one locale.
    pub alternates: Vec<(String, String)>,
}

/// A published translation, as much of it as a sitemap needs.
type SitemapRow = (ItemId, String, String, Option<ItemId>, Value, DateTime<Utc>);

/// The sitemap entries of the audience's site, kind by kind, each item's locales
/// together. Previews never reach here: a sitemap is for search engines.
pub async fn sitemap(state: &AppState, audience: &Audience) -> Result<Vec<SitemapEntry>, AppError> {
    let Some(site) = &audience.site else {
        return Err(AppError::invalid_parameter("site", "is required"));
    };
    let locales: Vec<String> = site.locales.iter().map(ToString::to_string).collect();
    let mut entries = Vec::new();
    for kind in ContentKind::ALL {
        let routed = site
            .locales
            .iter()
            .any(|l| audience.routes.pattern(kind, l.as_str()).is_some());
        if !routed {
            continue;
        }
        let rows: Vec<SitemapRow> = Published::find()
            .select_only()
            .columns([
                Column::DocumentId,
                Column::Locale,
                Column::Slug,
                Column::ParentId,
                Column::Countries,
                Column::PublishedAt,
            ])
            .filter(Column::Kind.eq(kind))
            .filter(Column::Locale.is_in(locales.iter().cloned()))
            .order_by_asc(Column::DocumentId)
            .order_by_asc(Column::Locale)
            .into_tuple()
            .all(&state.db)
            .await?;
        let rows: Vec<SitemapRow> = rows
            .into_iter()
            .filter(|(_, _, _, _, countries, _)| shown(audience, countries))
            .collect();
        let mut pages = PageTree::default();
        if kind == ContentKind::Page {
            for (id, locale, slug, parent, _, _) in &rows {
                pages.insert(*id, locale.clone(), slug.clone(), *parent);
            }
        }
        let links = Links::new(audience.routes.clone(), pages);
        let mut by_item: BTreeMap<ItemId, Vec<(String, String, DateTime<Utc>)>> = BTreeMap::new();
        for (id, locale, slug, _, _, published_at) in rows {
            by_item
                .entry(id)
                .or_default()
                .push((locale, slug, published_at));
        }
        for (id, translations) in by_item {
            entries.extend(item_entries(
                &links,
                kind,
                id,
                &translations,
                site.default_locale.as_str(),
            ));
        }
    }
    Ok(entries)
}

/// One entry per translation with a URL, each listing them all.
fn item_entries(
    links: &Links,
    kind: ContentKind,
    id: ItemId,
    translations: &[(String, String, DateTime<Utc>)],
    default_locale: &str,
) -> Vec<SitemapEntry> {
    let mut urls: Vec<(&str, String, DateTime<Utc>)> = Vec::with_capacity(translations.len());
    for (locale, slug, at) in translations {
        // Two locales whose routes and slugs coincide share one page: list it once.
        if let Some(url) = links
            .url(kind, id, locale, slug)
            .filter(|url| !urls.iter().any(|(_, seen, _)| seen == url))
        {
            urls.push((locale.as_str(), url, *at));
        }
    }
    let alternates: Vec<(String, String)> = if urls.len() < 2 {
        Vec::new()
    } else {
        let mut all: Vec<(String, String)> = urls
            .iter()
            .map(|(locale, url, _)| ((*locale).to_owned(), url.clone()))
            .collect();
        if let Some((_, url, _)) = urls.iter().find(|(locale, _, _)| *locale == default_locale) {
            all.push(("x-default".to_owned(), url.clone()));
        }
        all
    };
    urls.into_iter()
        .map(|(_, url, lastmod)| SitemapEntry {
            url,
            lastmod,
            alternates: alternates.clone(),
        })
        .collect()
}
