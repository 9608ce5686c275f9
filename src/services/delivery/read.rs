//! Reading items for frontends: choosing each item's locale along the fallback chain,
//! filtering, sorting and paging. Published items come from the read model alone;
//! previews read drafts, rendered exactly as publishing would.

use chrono::{DateTime, Utc};
use entity::ids::ItemId;
use entity::slug_redirect;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;

use super::Audience;
use super::chosen::{DocumentFilter, chosen};
use super::items::{DeliveredItem, Parts, deliver};
use super::rows::{Row, choose, rows, strings};
use crate::domain::content::{ContentKind, EventFields, ItemFields, MaterialKind};
use crate::domain::{CountryCode, Locale};
use crate::error::AppError;
use crate::services::pagination::{PageRequest, Paged};
use crate::state::AppState;

/// A list's filters, parsed at the edge.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Items concerning this country, and EU-wide ones.
    pub country: Option<CountryCode>,
    pub tag: Option<String>,
    /// Events: by their time.
    pub when: When,
    /// Events: a workshop language.
    pub language: Option<Locale>,
    /// Materials: those linked to this event.
    pub event: Option<ItemId>,
    /// Materials: the material kind.
    pub material_kind: Option<MaterialKind>,
}

/// What a slug lookup found.
#[derive(Debug)]
pub enum Lookup {
    Found(Box<DeliveredItem>),
    /// The slug was the item's before; here is its current one.
    MovedTo(String),
}

/// A page of items of `kind`, each in its best locale, with `parts`.
pub async fn list(
    state: &AppState,
    audience: &Audience,
    kind: ContentKind,
    filter: ListFilter,
    page: PageRequest,
    parts: Parts,
) -> Result<Paged<DeliveredItem>, AppError> {
    let now = state.clock.now();
    let linked = match filter.event {
        Some(event) => Some(linked_materials(state, audience, event).await?),
        None => None,
    };
    // Readers: the database chooses each item's locale and applies the document
    // filters, and for news and pages cuts the page. Previews read drafts in Rust.
    let candidates = if audience.preview {
        let chain: Vec<String> = audience.locales.iter().map(ToString::to_string).collect();
        let drafts = rows(state, kind, audience, Some(&chain), linked.as_deref(), None).await?;
        choose(drafts, &audience.locales)
    } else {
        let documents = DocumentFilter {
            country: filter.country.as_ref().map(CountryCode::as_str),
            tag: filter.tag.as_deref(),
            only: linked.as_deref(),
        };
        let found = chosen(state, kind, audience, &documents, page).await?;
        if let Some(total) = found.total {
            let items = deliver(state, audience, kind, found.rows, parts, now).await?;
            return Ok(Paged::new(items, total, page));
        }
        found.rows
    };
    let mut kept: Vec<Row> = candidates
        .into_iter()
        .filter(|row| filter.keeps(kind, row, now))
        .collect();
    sort(&mut kept, kind, filter.when, linked.as_deref());
    let total = kept.len() as u64;
    let start = usize::try_from(page.index() * page.size).unwrap_or(usize::MAX);
    let rows: Vec<Row> = kept
        .into_iter()
        .skip(start)
        .take(usize::try_from(page.size).unwrap_or(usize::MAX))
        .collect();
    let items = deliver(state, audience, kind, rows, parts, now).await?;
    Ok(Paged::new(items, total, page))
}

/// Which events a list shows by their time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum When {
    /// Not over yet: upcoming and running.
    #[default]
    Upcoming,
    Past,
    All,
}

impl ListFilter {
    /// Whether a row passes the filters the database did not apply. Only what a filter
    /// needs is parsed: lists of thousands of news stay cheap.
    fn keeps(&self, kind: ContentKind, row: &Row, now: DateTime<Utc>) -> bool {
        let for_country = self
            .country
            .as_ref()
            .is_none_or(|c| strings(&row.countries).iter().any(|x| x == c.as_str()));
        let for_tag = self
            .tag
            .as_ref()
            .is_none_or(|t| strings(&row.tags).contains(t));
        if !(for_country && for_tag) {
            return false;
        }
        if !matches!(kind, ContentKind::Event | ContentKind::Material) {
            return true;
        }
        let fields = ItemFields::read_or_empty(kind, &row.document_fields);
        let event = fields.as_event();
        let for_language = self.language.as_ref().is_none_or(|l| {
            event
                .and_then(|e| e.workshop_languages.as_ref())
                .is_some_and(|ls| ls.iter().any(|x| x == l.as_str()))
        });
        let ends = event
            .and_then(|e| e.ends_at)
            .map(|end| end.with_timezone(&Utc));
        let for_time = kind != ContentKind::Event
            || match self.when {
                When::Upcoming => ends.is_none_or(|end| end >= now),
                When::Past => ends.is_some_and(|end| end < now),
                When::All => true,
            };
        let for_material_kind = self
            .material_kind
            .is_none_or(|k| fields.as_material().and_then(|m| m.material_kind) == Some(k));
        for_language && for_time && for_material_kind
    }
}

/// The materials an event links, in its order (none for an event readers cannot see).
async fn linked_materials(
    state: &AppState,
    audience: &Audience,
    event: ItemId,
) -> Result<Vec<ItemId>, AppError> {
    let chain: Vec<String> = audience.locales.iter().map(ToString::to_string).collect();
    let found = rows(
        state,
        ContentKind::Event,
        audience,
        Some(&chain),
        Some(&[event]),
        None,
    )
    .await?;
    let events = choose(found, &audience.locales);
    let fields = events
        .first()
        .and_then(|row| EventFields::deserialize(&row.document_fields).ok());
    Ok(fields.and_then(|f| f.materials).unwrap_or_default())
}

/// Stable orders: news newest first, events by start (past ones latest first), pages by
/// position, materials as linked (or by title); ties by id.
fn sort(rows: &mut [Row], kind: ContentKind, when: When, linked: Option<&[ItemId]>) {
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
        (ContentKind::Event, _) if when == When::Past => {
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
    let mut items = deliver(state, audience, kind, vec![row], Parts::ALL, now).await?;
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
        .filter(slug_redirect::Column::Kind.eq(kind))
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

fn locales_text(audience: &Audience) -> String {
    audience
        .locales
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
