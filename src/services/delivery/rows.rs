//! The rows items are read from, before each item's locale is chosen: the read model
//! for readers, drafts rendered as publishing would for previews. A site's countries
//! are applied here, so no caller can forget them.

use entity::ids::ItemId;
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use entity::published_translation::{self, Entity as Published};
use entity::{document, translation};
use sea_orm::{ColumnTrait, EntityTrait, FromQueryResult, QueryFilter, QuerySelect};
use serde_json::Value;

use super::Audience;
use crate::domain::Locale;
use crate::domain::content::{ContentKind, ItemFields};
use crate::error::AppError;
use crate::services::tokens::PreviewOf;
use crate::state::AppState;

/// One row of either source, before the locale is chosen.
#[derive(Debug, Clone)]
pub(super) struct Row {
    pub(super) document_id: ItemId,
    pub(super) locale: String,
    pub(super) slug: String,
    pub(super) title: String,
    pub(super) summary: String,
    pub(super) body: String,
    pub(super) body_html: String,
    pub(super) seo_title: String,
    pub(super) seo_description: String,
    pub(super) fields: Value,
    pub(super) document_fields: Value,
    pub(super) countries: Value,
    pub(super) tags: Value,
    pub(super) parent_id: Option<ItemId>,
    pub(super) position: i32,
    pub(super) sort_at: Option<DateTime<Utc>>,
    pub(super) published_at: Option<DateTime<Utc>>,
}

impl Row {
    /// A draft shown by a preview: it has no publication time.
    pub(super) fn is_draft(&self) -> bool {
        self.published_at.is_none()
    }
}

/// A published row without its bodies and SEO texts: what choosing, filtering, sorting
/// and paging need. Bodies are read only for the rows shown (`hydrate`).
#[derive(Debug, FromQueryResult)]
pub(super) struct LightRow {
    document_id: ItemId,
    locale: String,
    slug: String,
    title: String,
    summary: String,
    fields: Value,
    document_fields: Value,
    countries: Value,
    tags: Value,
    parent_id: Option<ItemId>,
    position: i32,
    sort_at: Option<DateTime<Utc>>,
    published_at: DateTime<Utc>,
}

pub(super) const LIGHT_COLUMNS: [published_translation::Column; 13] = [
    published_translation::Column::DocumentId,
    published_translation::Column::Locale,
    published_translation::Column::Slug,
    published_translation::Column::Title,
    published_translation::Column::Summary,
    published_translation::Column::Fields,
    published_translation::Column::DocumentFields,
    published_translation::Column::Countries,
    published_translation::Column::Tags,
    published_translation::Column::ParentId,
    published_translation::Column::Position,
    published_translation::Column::SortAt,
    published_translation::Column::PublishedAt,
];

/// The same columns by name, for statements written in SQL.
pub(super) const LIGHT_COLUMN_NAMES: [&str; 13] = [
    "document_id",
    "locale",
    "slug",
    "title",
    "summary",
    "fields",
    "document_fields",
    "countries",
    "tags",
    "parent_id",
    "position",
    "sort_at",
    "published_at",
];

impl From<LightRow> for Row {
    fn from(p: LightRow) -> Self {
        Self {
            document_id: p.document_id,
            locale: p.locale,
            slug: p.slug,
            title: p.title,
            summary: p.summary,
            body: String::new(),
            body_html: String::new(),
            seo_title: String::new(),
            seo_description: String::new(),
            fields: p.fields,
            document_fields: p.document_fields,
            countries: p.countries,
            tags: p.tags,
            parent_id: p.parent_id,
            position: p.position,
            sort_at: p.sort_at,
            published_at: Some(p.published_at),
        }
    }
}

/// Reads the bodies and SEO texts of published rows about to be shown, in one query.
/// Drafts (previews) are read whole already.
pub(super) async fn hydrate(state: &AppState, mut rows: Vec<Row>) -> Result<Vec<Row>, AppError> {
    let published = || rows.iter().filter(|r| !r.is_draft());
    if published().next().is_none() {
        return Ok(rows);
    }
    let ids: Vec<ItemId> = published().map(|r| r.document_id).collect();
    let locales: Vec<String> = published().map(|r| r.locale.clone()).collect();
    let texts: BTreeMap<(ItemId, String), (String, String, String, String)> = Published::find()
        .select_only()
        .columns([
            published_translation::Column::DocumentId,
            published_translation::Column::Locale,
            published_translation::Column::Body,
            published_translation::Column::BodyHtml,
            published_translation::Column::SeoTitle,
            published_translation::Column::SeoDescription,
        ])
        .filter(published_translation::Column::DocumentId.is_in(ids))
        .filter(published_translation::Column::Locale.is_in(locales))
        .into_tuple::<(ItemId, String, String, String, String, String)>()
        .all(&state.db)
        .await?
        .into_iter()
        .map(|(id, locale, body, html, seo_title, seo_description)| {
            ((id, locale), (body, html, seo_title, seo_description))
        })
        .collect();
    for row in rows.iter_mut().filter(|r| !r.is_draft()) {
        if let Some((body, html, seo_title, seo_description)) =
            texts.get(&(row.document_id, row.locale.clone()))
        {
            row.body.clone_from(body);
            row.body_html.clone_from(html);
            row.seo_title.clone_from(seo_title);
            row.seo_description.clone_from(seo_description);
        }
    }
    Ok(rows)
}

/// Rows of `kind` in `locales` (all locales when `None`), from the read model (without
/// bodies: see `hydrate`) or, for a preview, from the drafts of items not in the trash.
pub(super) async fn rows(
    state: &AppState,
    kind: ContentKind,
    audience: &Audience,
    locales: Option<&[String]>,
    only: Option<&[ItemId]>,
    slug: Option<&str>,
) -> Result<Vec<Row>, AppError> {
    let found = source_rows(state, kind, audience, locales, only, slug).await?;
    // A site shows EU-wide items and those of its countries, and nothing else: this
    // also holds for slugs, redirects and registrations, and bounds site-bound tokens.
    Ok(found
        .into_iter()
        .filter(|row| shown(audience, &row.countries))
        .collect())
}

async fn source_rows(
    state: &AppState,
    kind: ContentKind,
    audience: &Audience,
    locales: Option<&[String]>,
    only: Option<&[ItemId]>,
    slug: Option<&str>,
) -> Result<Vec<Row>, AppError> {
    if !audience.preview {
        return published_rows(state, kind, locales, only, slug).await;
    }
    let Some(single) = &audience.preview_only else {
        return draft_rows(state, kind, locales, only, slug, None).await;
    };
    // A preview link: its one translation as a draft, everything else as published.
    let is_single =
        |row: &Row| row.document_id == single.document_id && row.locale == single.locale;
    let mut found: Vec<Row> = published_rows(state, kind, locales, only, slug)
        .await?
        .into_iter()
        .filter(|row| !is_single(row))
        .collect();
    found.extend(draft_rows(state, kind, locales, only, slug, Some(single)).await?);
    Ok(found)
}

/// Rows of the read model, without bodies.
async fn published_rows(
    state: &AppState,
    kind: ContentKind,
    locales: Option<&[String]>,
    only: Option<&[ItemId]>,
    slug: Option<&str>,
) -> Result<Vec<Row>, AppError> {
    let mut query = Published::find().filter(published_translation::Column::Kind.eq(kind));
    if let Some(locales) = locales {
        query = query.filter(published_translation::Column::Locale.is_in(locales.iter().cloned()));
    }
    if let Some(ids) = only {
        query = query.filter(published_translation::Column::DocumentId.is_in(ids.iter().copied()));
    }
    if let Some(slug) = slug {
        query = query.filter(published_translation::Column::Slug.eq(slug));
    }
    Ok(query
        .select_only()
        .columns(LIGHT_COLUMNS)
        .into_model::<LightRow>()
        .all(&state.db)
        .await?
        .into_iter()
        .map(Row::from)
        .collect())
}

/// Drafts of items not in the trash; of one translation only when `single` is given.
async fn draft_rows(
    state: &AppState,
    kind: ContentKind,
    locales: Option<&[String]>,
    only: Option<&[ItemId]>,
    slug: Option<&str>,
    single: Option<&PreviewOf>,
) -> Result<Vec<Row>, AppError> {
    let mut query = translation::Entity::find()
        .find_also_related(document::Entity)
        .filter(translation::Column::Kind.eq(kind))
        .filter(document::Column::DeletedAt.is_null());
    if let Some(locales) = locales {
        query = query.filter(translation::Column::Locale.is_in(locales.iter().cloned()));
    }
    if let Some(ids) = only {
        query = query.filter(translation::Column::DocumentId.is_in(ids.iter().copied()));
    }
    if let Some(slug) = slug {
        query = query.filter(translation::Column::Slug.eq(slug));
    }
    if let Some(single) = single {
        query = query
            .filter(translation::Column::DocumentId.eq(single.document_id))
            .filter(translation::Column::Locale.eq(single.locale.as_str()));
    }
    let drafts = query.all(&state.db).await?;
    Ok(drafts
        .into_iter()
        .filter_map(|(draft, doc)| doc.map(|doc| draft_row(draft, doc, kind)))
        .collect())
}

/// A draft rendered as publishing would render it.
fn draft_row(draft: translation::Model, doc: document::Model, kind: ContentKind) -> Row {
    let fields = ItemFields::read_or_empty(kind, &doc.fields);
    Row {
        document_id: draft.document_id,
        // Rendered in `deliver`, only for the drafts that are actually shown.
        body_html: String::new(),
        sort_at: fields.sorts_at(),
        locale: draft.locale,
        slug: draft.slug,
        title: draft.title,
        summary: draft.summary,
        body: draft.body,
        seo_title: draft.seo_title,
        seo_description: draft.seo_description,
        fields: draft.fields,
        document_fields: doc.fields,
        countries: doc.countries,
        tags: doc.tags,
        parent_id: doc.parent_id,
        position: doc.position,
        published_at: None,
    }
}

/// For each item, its row in the first locale of the chain it has.
pub(super) fn choose(rows: Vec<Row>, chain: &[Locale]) -> Vec<Row> {
    let rank = |locale: &str| {
        chain
            .iter()
            .position(|l| l.as_str() == locale)
            .unwrap_or(usize::MAX)
    };
    let mut best: BTreeMap<ItemId, Row> = BTreeMap::new();
    for row in rows {
        match best.get(&row.document_id) {
            Some(kept) if rank(&kept.locale) <= rank(&row.locale) => {}
            _ => {
                best.insert(row.document_id, row);
            }
        }
    }
    best.into_values().collect()
}

/// Whether the audience's site shows an item of `countries` (a JSON array). Anything
/// unreadable is not shown: an item must never reach a site by accident.
pub(super) fn shown(audience: &Audience, countries: &Value) -> bool {
    audience.site_countries.is_empty()
        || countries
            .as_array()
            .is_some_and(|_| audience.shows(&strings(countries)))
}

/// A JSON array of strings (countries, tags); anything else reads as empty.
pub(super) fn strings(value: &Value) -> Vec<String> {
    value.as_array().map_or_else(Vec::new, |items| {
        items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()
    })
}
