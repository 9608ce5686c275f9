//! The rows items are read from, before each item's locale is chosen: the read model
//! for readers, drafts rendered as publishing would for previews. A site's countries
//! are applied here, so no caller can forget them.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveTime, Utc};
use entity::published_translation::{self, Entity as Published};
use entity::{document, translation};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;
use uuid::Uuid;

use super::Audience;
use crate::domain::Locale;
use crate::domain::content::{ContentKind, ItemFields};
use crate::error::AppError;
use crate::state::AppState;

/// One row of either source, before the locale is chosen.
#[derive(Debug, Clone)]
pub(super) struct Row {
    pub(super) document_id: Uuid,
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
    pub(super) parent_id: Option<Uuid>,
    pub(super) position: i32,
    pub(super) sort_at: Option<DateTime<Utc>>,
    pub(super) published_at: Option<DateTime<Utc>>,
}

impl From<published_translation::Model> for Row {
    fn from(p: published_translation::Model) -> Self {
        Self {
            document_id: p.document_id,
            locale: p.locale,
            slug: p.slug,
            title: p.title,
            summary: p.summary,
            body: p.body,
            body_html: p.body_html,
            seo_title: p.seo_title,
            seo_description: p.seo_description,
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

/// Rows of `kind` in `locales` (all locales when `None`), from the read model or, for
/// a preview, from the drafts of items not in the trash.
pub(super) async fn rows(
    state: &AppState,
    kind: ContentKind,
    audience: &Audience,
    locales: Option<&[String]>,
    only: Option<&[Uuid]>,
    slug: Option<&str>,
) -> Result<Vec<Row>, AppError> {
    let found = source_rows(state, kind, audience, locales, only, slug).await?;
    // A site shows EU-wide items and those of its countries, and nothing else: this
    // also holds for slugs, redirects and registrations, and bounds site-bound tokens.
    Ok(found
        .into_iter()
        .filter(|row| audience.shows(&strings(&row.countries)))
        .collect())
}

async fn source_rows(
    state: &AppState,
    kind: ContentKind,
    audience: &Audience,
    locales: Option<&[String]>,
    only: Option<&[Uuid]>,
    slug: Option<&str>,
) -> Result<Vec<Row>, AppError> {
    if !audience.preview {
        let mut query =
            Published::find().filter(published_translation::Column::Kind.eq(kind.as_str()));
        if let Some(locales) = locales {
            query =
                query.filter(published_translation::Column::Locale.is_in(locales.iter().cloned()));
        }
        if let Some(ids) = only {
            query =
                query.filter(published_translation::Column::DocumentId.is_in(ids.iter().copied()));
        }
        if let Some(slug) = slug {
            query = query.filter(published_translation::Column::Slug.eq(slug));
        }
        return Ok(query
            .all(&state.db)
            .await?
            .into_iter()
            .map(Row::from)
            .collect());
    }
    let mut query = translation::Entity::find()
        .find_also_related(document::Entity)
        .filter(translation::Column::Kind.eq(kind.as_str()))
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
    let drafts = query.all(&state.db).await?;
    Ok(drafts
        .into_iter()
        .filter_map(|(draft, doc)| doc.map(|doc| draft_row(draft, doc, kind)))
        .collect())
}

/// A draft rendered as publishing would render it.
fn draft_row(draft: translation::Model, doc: document::Model, kind: ContentKind) -> Row {
    let fields: ItemFields = serde_json::from_value(doc.fields.clone()).unwrap_or_default();
    Row {
        document_id: draft.document_id,
        // Rendered in `deliver`, only for the drafts that are actually shown.
        body_html: String::new(),
        sort_at: sort_at(kind, &fields),
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

fn sort_at(kind: ContentKind, fields: &ItemFields) -> Option<DateTime<Utc>> {
    match kind {
        ContentKind::Event => fields.starts_at.map(|at| at.with_timezone(&Utc)),
        ContentKind::News => fields.date.map(|d| d.and_time(NaiveTime::MIN).and_utc()),
        ContentKind::Page | ContentKind::Material => None,
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
    let mut best: BTreeMap<Uuid, Row> = BTreeMap::new();
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

pub(super) fn strings(value: &Value) -> Vec<String> {
    serde_json::from_value(value.clone()).unwrap_or_default()
}
