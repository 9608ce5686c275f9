//! Reading items for frontends: choosing each item's locale along the fallback chain,
//! filtering, sorting and paging. Published items come from the read model alone;
//! previews read drafts, rendered exactly as publishing would.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, NaiveTime, Utc};
use entity::published_translation::{self, Entity as Published};
use entity::{document, slug_redirect, translation};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;
use uuid::Uuid;

use super::Audience;
use crate::domain::content::{ContentKind, ItemFields, MaterialKind, RegistrationMode, markdown};
use crate::domain::{CountryCode, Locale};
use crate::error::AppError;
use crate::services::pagination::{PageRequest, Paged};
use crate::state::AppState;

/// One item as a frontend sees it, in the first locale of the chain it exists in.
#[derive(Debug, Clone)]
pub struct DeliveredItem {
    pub id: Uuid,
    pub kind: ContentKind,
    /// The locale served (the first of the chain that the item has).
    pub locale: String,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub body_html: String,
    pub seo_title: String,
    pub seo_description: String,
    pub fields: ItemFields,
    /// Materials: the file of the served locale.
    pub file_asset_id: Option<Uuid>,
    pub countries: Vec<String>,
    pub tags: Vec<String>,
    pub parent_id: Option<Uuid>,
    pub position: i32,
    pub published_at: Option<DateTime<Utc>>,
    /// Every locale the item can be read in, with its slug (for language switchers).
    pub locales: Vec<(String, String)>,
    /// Events: what readers are told.
    pub event: Option<EventState>,
    /// The assets the item shows (its file, its cover), by id.
    pub assets: Vec<crate::services::assets::Asset>,
}

/// An event's state for readers, computed from its facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventState {
    /// `upcoming`, `full`, `past` or `cancelled`.
    pub status: &'static str,
    pub registration_open: bool,
}

#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub country: Option<String>,
    pub tag: Option<String>,
    /// Events: `upcoming`, `past` or `all` (default `upcoming`).
    pub when: Option<String>,
    /// Events: a workshop language.
    pub language: Option<String>,
    /// Materials: those linked to this event.
    pub event: Option<Uuid>,
    /// Materials: the material kind.
    pub material_kind: Option<String>,
}

/// What a slug lookup found.
#[derive(Debug)]
pub enum Lookup {
    Found(Box<DeliveredItem>),
    /// The slug was the item's before; here is its current one.
    MovedTo(String),
}

/// One row of either source, before the locale is chosen.
#[derive(Debug, Clone)]
struct Row {
    document_id: Uuid,
    locale: String,
    slug: String,
    title: String,
    summary: String,
    body: String,
    body_html: String,
    seo_title: String,
    seo_description: String,
    fields: Value,
    document_fields: Value,
    countries: Value,
    tags: Value,
    parent_id: Option<Uuid>,
    position: i32,
    sort_at: Option<DateTime<Utc>>,
    published_at: Option<DateTime<Utc>>,
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
async fn rows(
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
fn choose(rows: Vec<Row>, chain: &[Locale]) -> Vec<Row> {
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

fn strings(value: &Value) -> Vec<String> {
    serde_json::from_value(value.clone()).unwrap_or_default()
}

/// A page of items of `kind`, each in its best locale.
pub async fn list(
    state: &AppState,
    audience: &Audience,
    kind: ContentKind,
    filter: ListFilter,
    page: PageRequest,
) -> Result<Paged<DeliveredItem>, AppError> {
    let now = state.clock.now();
    let chain: Vec<String> = audience.locales.iter().map(ToString::to_string).collect();
    let country = filter
        .country
        .as_deref()
        .map(|raw| CountryCode::parse(raw).map_err(|m| AppError::invalid_parameter("country", m)))
        .transpose()?;
    let language = filter
        .language
        .as_deref()
        .map(|raw| {
            Locale::parse(raw, &state.settings.content.locales)
                .map_err(|m| AppError::invalid_parameter("language", m))
        })
        .transpose()?;
    let when = match filter.when.as_deref().unwrap_or("upcoming") {
        when @ ("upcoming" | "past" | "all") => when,
        other => {
            return Err(AppError::invalid_parameter(
                "when",
                format!("{other:?} is not upcoming, past or all"),
            ));
        }
    };
    let material_kind: Option<MaterialKind> = filter
        .material_kind
        .as_deref()
        .map(|raw| {
            serde_json::from_value(Value::from(raw)).map_err(|_| {
                AppError::invalid_parameter("kind", format!("{raw:?} is not a material kind"))
            })
        })
        .transpose()?;
    let linked: Option<Vec<Uuid>> = match filter.event {
        Some(event) => {
            let events = choose(
                rows(
                    state,
                    ContentKind::Event,
                    audience,
                    Some(&chain),
                    Some(&[event]),
                    None,
                )
                .await?,
                &audience.locales,
            );
            let fields: Option<ItemFields> = events
                .first()
                .and_then(|row| serde_json::from_value(row.document_fields.clone()).ok());
            Some(fields.and_then(|f| f.materials).unwrap_or_default())
        }
        None => None,
    };

    let mut chosen: Vec<Row> = choose(
        rows(state, kind, audience, Some(&chain), linked.as_deref(), None).await?,
        &audience.locales,
    )
    .into_iter()
    .filter(|row| {
        let countries = strings(&row.countries);
        let fields: ItemFields =
            serde_json::from_value(row.document_fields.clone()).unwrap_or_default();
        let for_country = country
            .as_ref()
            .is_none_or(|c| countries.iter().any(|x| x == c.as_str()));
        let for_tag = filter
            .tag
            .as_ref()
            .is_none_or(|t| strings(&row.tags).contains(t));
        let for_language = language.as_ref().is_none_or(|l| {
            fields
                .workshop_languages
                .as_ref()
                .is_some_and(|ls| ls.iter().any(|x| x == l.as_str()))
        });
        let for_time = kind != ContentKind::Event
            || match when {
                "upcoming" => fields
                    .ends_at
                    .is_none_or(|end| end.with_timezone(&Utc) >= now),
                "past" => fields
                    .ends_at
                    .is_some_and(|end| end.with_timezone(&Utc) < now),
                _ => true,
            };
        let for_material_kind = material_kind.is_none_or(|k| fields.material_kind == Some(k));
        for_country && for_tag && for_language && for_time && for_material_kind
    })
    .collect();
    sort(&mut chosen, kind, when, linked.as_deref());
    let total = chosen.len() as u64;
    let start = usize::try_from(page.index() * page.size).unwrap_or(usize::MAX);
    let rows: Vec<Row> = chosen
        .into_iter()
        .skip(start)
        .take(usize::try_from(page.size).unwrap_or(usize::MAX))
        .collect();
    let items = deliver(state, audience, kind, rows, now).await?;
    Ok(Paged::new(items, total, page))
}

/// Stable orders: news newest first, events by start (past ones latest first), pages by
/// position, materials as linked (or by title); ties by id.
fn sort(rows: &mut [Row], kind: ContentKind, when: &str, linked: Option<&[Uuid]>) {
    match (kind, linked) {
        (ContentKind::Material, Some(order)) => {
            rows.sort_by_key(|r| {
                order
                    .iter()
                    .position(|id| *id == r.document_id)
                    .unwrap_or(usize::MAX)
            });
        }
        (ContentKind::Material, None) => rows.sort_by(|a, b| {
            a.title
                .cmp(&b.title)
                .then(a.document_id.cmp(&b.document_id))
        }),
        (ContentKind::News, _) => {
            rows.sort_by_key(|r| std::cmp::Reverse((r.sort_at, r.published_at, r.document_id)));
        }
        (ContentKind::Event, _) if when == "past" => {
            rows.sort_by_key(|r| std::cmp::Reverse((r.sort_at, r.document_id)));
        }
        (ContentKind::Event, _) => rows.sort_by_key(|r| (r.sort_at, r.document_id)),
        (ContentKind::Page, _) => rows.sort_by_key(|r| (r.position, r.document_id)),
    }
}

/// One item by its slug in any locale of the chain; an old slug gives `MovedTo`.
pub async fn get(
    state: &AppState,
    audience: &Audience,
    kind: ContentKind,
    slug: &str,
) -> Result<Lookup, AppError> {
    let not_found =
        || AppError::NotFound(format!("no {kind} {slug:?} in {}", locales_text(audience)));
    let chain: Vec<String> = audience.locales.iter().map(ToString::to_string).collect();
    let with_slug = rows(state, kind, audience, Some(&chain), None, Some(slug)).await?;
    // Slugs are unique per kind and locale only: the chain's order decides.
    let rank = |locale: &str| {
        audience
            .locales
            .iter()
            .position(|l| l.as_str() == locale)
            .unwrap_or(usize::MAX)
    };
    let Some(first) = with_slug
        .into_iter()
        .min_by_key(|r| (rank(&r.locale), r.document_id))
    else {
        if audience.preview {
            return Err(not_found());
        }
        return moved(state, audience, kind, slug, &chain)
            .await?
            .ok_or_else(not_found);
    };
    let id = first.document_id;
    let best = choose(
        rows(state, kind, audience, Some(&chain), Some(&[id]), None).await?,
        &audience.locales,
    );
    let row = best.into_iter().next().ok_or_else(not_found)?;
    let now = state.clock.now();
    let mut items = deliver(state, audience, kind, vec![row], now).await?;
    items
        .pop()
        .map(|item| Lookup::Found(Box::new(item)))
        .ok_or_else(not_found)
}

/// An old slug of a live item: its current slug in the same locale.
async fn moved(
    state: &AppState,
    audience: &Audience,
    kind: ContentKind,
    slug: &str,
    chain: &[String],
) -> Result<Option<Lookup>, AppError> {
    let redirects = slug_redirect::Entity::find()
        .filter(slug_redirect::Column::Kind.eq(kind.as_str()))
        .filter(slug_redirect::Column::Slug.eq(slug))
        .filter(slug_redirect::Column::Locale.is_in(chain.iter().cloned()))
        .all(&state.db)
        .await?;
    for redirect in redirects {
        let live = rows(
            state,
            kind,
            audience,
            Some(std::slice::from_ref(&redirect.locale)),
            Some(&[redirect.document_id]),
            None,
        )
        .await?;
        if let Some(row) = live.into_iter().next() {
            return Ok(Some(Lookup::MovedTo(row.slug)));
        }
    }
    Ok(None)
}

/// Turns chosen rows into items, with every item's locales in one query.
async fn deliver(
    state: &AppState,
    audience: &Audience,
    kind: ContentKind,
    rows: Vec<Row>,
    now: DateTime<Utc>,
) -> Result<Vec<DeliveredItem>, AppError> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.document_id).collect();
    let mut available: BTreeMap<Uuid, Vec<(String, String)>> = BTreeMap::new();
    if !ids.is_empty() {
        for row in self::rows(state, kind, audience, None, Some(&ids), None).await? {
            available
                .entry(row.document_id)
                .or_default()
                .push((row.locale, row.slug));
        }
    }
    let mut wanted: Vec<Uuid> = Vec::new();
    for row in &rows {
        let fields: ItemFields =
            serde_json::from_value(row.document_fields.clone()).unwrap_or_default();
        wanted.extend(fields.cover_asset_id);
        wanted.extend(
            row.fields
                .get("file_asset_id")
                .and_then(Value::as_str)
                .and_then(|v| v.parse::<Uuid>().ok()),
        );
    }
    let assets: Vec<crate::services::assets::Asset> = if wanted.is_empty() {
        Vec::new()
    } else {
        entity::asset::Entity::find()
            .filter(entity::asset::Column::Id.is_in(wanted))
            .all(&state.db)
            .await?
            .into_iter()
            .map(Into::into)
            .collect()
    };
    let taken: BTreeMap<Uuid, i64> = if kind == ContentKind::Event {
        crate::services::registrations::counts(&state.db, &ids)
            .await?
            .into_iter()
            .collect()
    } else {
        BTreeMap::new()
    };
    let mut seen = HashSet::new();
    Ok(rows
        .into_iter()
        .filter(|row| seen.insert(row.document_id))
        .map(|row| {
            let fields: ItemFields =
                serde_json::from_value(row.document_fields.clone()).unwrap_or_default();
            let registered = taken.get(&row.document_id).copied().unwrap_or(0);
            let event = (kind == ContentKind::Event).then(|| event_state(&fields, registered, now));
            let mut locales = available.remove(&row.document_id).unwrap_or_default();
            locales.sort();
            let file_asset_id: Option<Uuid> = row
                .fields
                .get("file_asset_id")
                .and_then(Value::as_str)
                .and_then(|v| v.parse().ok());
            let shown = [file_asset_id, fields.cover_asset_id];
            let item_assets = assets
                .iter()
                .filter(|a| shown.contains(&Some(a.id)))
                .cloned()
                .collect();
            let body_html = if audience.preview {
                markdown::to_safe_html(&row.body)
            } else {
                row.body_html.clone()
            };
            DeliveredItem {
                assets: item_assets,
                id: row.document_id,
                kind,
                file_asset_id,
                countries: strings(&row.countries),
                tags: strings(&row.tags),
                locale: row.locale,
                slug: row.slug,
                title: row.title,
                summary: row.summary,
                body: row.body,
                body_html,
                seo_title: row.seo_title,
                seo_description: row.seo_description,
                fields,
                parent_id: row.parent_id,
                position: row.position,
                published_at: row.published_at,
                locales,
                event,
            }
        })
        .collect())
}

/// Cancelled, past, full or upcoming; registration open while the mode allows it, the
/// window is open, there are places left and the event has not started.
fn event_state(fields: &ItemFields, registered: i64, now: DateTime<Utc>) -> EventState {
    let full = fields
        .capacity
        .is_some_and(|capacity| registered >= capacity);
    let started = fields
        .starts_at
        .is_some_and(|s| s.with_timezone(&Utc) <= now);
    let ended = fields.ends_at.is_some_and(|e| e.with_timezone(&Utc) < now);
    let cancelled = fields.cancelled == Some(true);
    let status = if cancelled {
        "cancelled"
    } else if ended {
        "past"
    } else if full {
        "full"
    } else {
        "upcoming"
    };
    let window_open = fields
        .registration_opens_at
        .is_none_or(|o| o.with_timezone(&Utc) <= now)
        && fields
            .registration_closes_at
            .is_none_or(|c| c.with_timezone(&Utc) > now);
    let takes_registrations = matches!(
        fields.registration_mode,
        Some(RegistrationMode::Form | RegistrationMode::External)
    );
    EventState {
        status,
        registration_open: !cancelled && !started && !full && takes_registrations && window_open,
    }
}

fn locales_text(audience: &Audience) -> String {
    audience
        .locales
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
