//! Turning chosen rows into what frontends get: every locale of each item, its assets,
//! an event's status and linked materials, in a fixed number of queries per list.

use entity::ids::{AssetId, ItemId};
use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::Audience;
use super::links::Links;
use super::rows::{Row, choose, hydrate, rows, strings};
use crate::domain::consent::ShownConsent;
use crate::domain::content::{
    ContentKind, EventState, ItemFields, MaterialKind, RegistrationMode, event_state,
};
use crate::error::AppError;
use crate::services::assets::Asset;
use crate::state::AppState;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// One item as a frontend sees it, in the first locale of the chain it exists in.
#[derive(Debug, Clone)]
pub struct DeliveredItem {
    pub id: ItemId,
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
    pub file_asset_id: Option<AssetId>,
    pub countries: Vec<String>,
    pub tags: Vec<String>,
    pub parent_id: Option<ItemId>,
    pub position: i32,
    pub published_at: Option<DateTime<Utc>>,
    /// Every locale the item can be read in, with its slug (for language switchers).
    pub locales: Vec<(String, String)>,
    /// Where the asked site's frontend shows the item in the served locale.
    pub url: Option<String>,
    /// `(locale, url)` for every locale the site shows the item in: for `hreflang`.
    pub alternates: Vec<(String, String)>,
    /// Events: what readers are told.
    pub event: Option<EventState>,
    /// The assets the item shows (its file, its cover), by id.
    pub assets: Vec<Asset>,
    /// Events: the linked materials a reader may see, in the event's order.
    pub materials: Vec<LinkedMaterial>,
    /// Events taking sign-ups through the form: what it asks people to agree to.
    pub consent: Option<ShownConsent>,
}

/// A material as an event shows it: in the first locale of the chain it has.
#[derive(Debug, Clone)]
pub struct LinkedMaterial {
    pub id: ItemId,
    pub locale: String,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub material_kind: Option<MaterialKind>,
    /// The file of the served locale.
    pub file: Option<Asset>,
    /// Where the asked site's frontend shows the material.
    pub url: Option<String>,
}

/// What items carry besides what a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts {
    /// Bodies and SEO texts.
    pub texts: bool,
    /// Every locale the item is published in, with its slug (and so its alternates).
    pub locales: bool,
}

impl Parts {
    /// Everything: one item.
    pub const ALL: Self = Self {
        texts: true,
        locales: true,
    };
}

/// Turns chosen rows into items. Whatever the number of rows, this takes a fixed number
/// of queries: bodies, every item's locales (each only when asked for), linked
/// materials, assets and registration counts are each read in one.
pub(super) async fn deliver(
    state: &AppState,
    audience: &Audience,
    kind: ContentKind,
    rows: Vec<Row>,
    parts: Parts,
    now: DateTime<Utc>,
) -> Result<Vec<DeliveredItem>, AppError> {
    let rows = if parts.texts {
        hydrate(state, rows).await?
    } else {
        rows
    };
    let mut seen = HashSet::new();
    let rows: Vec<(Row, ItemFields)> = rows
        .into_iter()
        .filter(|row| seen.insert(row.document_id))
        .map(|row| {
            let fields = ItemFields::read_or_empty(kind, &row.document_fields);
            (row, fields)
        })
        .collect();
    let mut around = Around::load(state, audience, kind, &rows, parts).await?;
    Ok(rows
        .into_iter()
        .map(|(row, fields)| around.item(kind, row, fields, now))
        .collect())
}

/// What a page of items shows besides their own rows, read once for the whole page:
/// other locales, linked materials, URLs, files, sign-up counts and rendered drafts.
struct Around {
    available: BTreeMap<ItemId, Vec<(String, String)>>,
    linked: BTreeMap<ItemId, Row>,
    links: Links,
    material_links: Links,
    assets: BTreeMap<AssetId, Asset>,
    taken: BTreeMap<ItemId, i64>,
    previews: BTreeMap<ItemId, String>,
    /// The consent the form shows, per locale served (events only).
    consents: BTreeMap<String, ShownConsent>,
}

impl Around {
    async fn load(
        state: &AppState,
        audience: &Audience,
        kind: ContentKind,
        rows: &[(Row, ItemFields)],
        parts: Parts,
    ) -> Result<Self, AppError> {
        let ids: Vec<ItemId> = rows.iter().map(|(r, _)| r.document_id).collect();
        let mut available: BTreeMap<ItemId, Vec<(String, String)>> = BTreeMap::new();
        if parts.locales && !ids.is_empty() {
            for row in self::rows(state, kind, audience, None, Some(&ids), None).await? {
                available
                    .entry(row.document_id)
                    .or_default()
                    .push((row.locale, row.slug));
            }
        }
        let linked_ids: Vec<ItemId> = rows
            .iter()
            .flat_map(|(_, fields)| fields.linked_materials().iter().copied())
            .collect();
        let linked = linked_materials(state, audience, &linked_ids).await?;
        let mut files: Vec<AssetId> = Vec::new();
        for (row, fields) in rows {
            files.extend(fields.cover_asset_id());
            files.extend(file_of(row));
        }
        files.extend(linked.values().filter_map(file_of));
        let taken: BTreeMap<ItemId, i64> = if kind == ContentKind::Event {
            crate::services::registrations::counts(&state.db, &ids, state.clock.now())
                .await?
                .into_iter()
                .collect()
        } else {
            BTreeMap::new()
        };
        // Drafts (previews only) are rendered here, on the render pool, and kept by body.
        let mut previews = BTreeMap::new();
        for (row, _) in rows.iter().filter(|(row, _)| row.is_draft()) {
            let rendered = state.renderer.preview(&row.body).await?;
            previews.insert(row.document_id, rendered.html.clone());
        }
        let mut consents = BTreeMap::new();
        if kind == ContentKind::Event {
            for (row, _) in rows {
                consents.entry(row.locale.clone()).or_insert_with(|| {
                    crate::services::registrations::consent_for(
                        state,
                        audience.site.as_ref(),
                        &row.locale,
                    )
                });
            }
        }
        Ok(Self {
            consents,
            available,
            linked,
            links: Links::load(state, audience, kind).await?,
            material_links: Links::load(state, audience, ContentKind::Material).await?,
            assets: assets(state, files).await?,
            taken,
            previews,
        })
    }

    fn item(
        &mut self,
        kind: ContentKind,
        row: Row,
        fields: ItemFields,
        now: DateTime<Utc>,
    ) -> DeliveredItem {
        let registered = self.taken.get(&row.document_id).copied().unwrap_or(0);
        let event = fields
            .as_event()
            .map(|event| event_state(event, registered, now));
        let mut locales = self.available.remove(&row.document_id).unwrap_or_default();
        locales.sort();
        let file_asset_id = file_of(&row);
        let item_assets = [file_asset_id, fields.cover_asset_id()]
            .into_iter()
            .flatten()
            .filter_map(|id| self.assets.get(&id).cloned())
            .collect();
        let materials = fields
            .linked_materials()
            .iter()
            .filter_map(|id| self.linked.get(id))
            .map(|material| LinkedMaterial::of(material, &self.assets, &self.material_links))
            .collect();
        let body_html = match self.previews.remove(&row.document_id) {
            Some(html) => html,
            None => row.body_html.clone(),
        };
        let url = self
            .links
            .url(kind, row.document_id, &row.locale, &row.slug);
        let alternates = self.links.alternates(kind, row.document_id, &locales);
        let takes_form = fields
            .as_event()
            .is_some_and(|e| e.registration_mode == Some(RegistrationMode::Form));
        let consent = takes_form
            .then(|| self.consents.get(&row.locale).cloned())
            .flatten();
        DeliveredItem {
            consent,
            url,
            alternates,
            assets: item_assets,
            materials,
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
    }
}

/// The files `ids` name, by id.
async fn assets(state: &AppState, ids: Vec<AssetId>) -> Result<BTreeMap<AssetId, Asset>, AppError> {
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    Ok(entity::asset::Entity::find()
        .filter(entity::asset::Column::Id.is_in(ids))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|model| (model.id, Asset::from(model)))
        .collect())
}

/// The materials that `ids` name and the audience may see, each in its best locale.
async fn linked_materials(
    state: &AppState,
    audience: &Audience,
    ids: &[ItemId],
) -> Result<BTreeMap<ItemId, Row>, AppError> {
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    let chain: Vec<String> = audience.locales.iter().map(ToString::to_string).collect();
    let found = rows(
        state,
        ContentKind::Material,
        audience,
        Some(&chain),
        Some(ids),
        None,
    )
    .await?;
    Ok(choose(found, &audience.locales)
        .into_iter()
        .map(|row| (row.document_id, row))
        .collect())
}

/// A material row's file in its locale.
fn file_of(row: &Row) -> Option<AssetId> {
    row.fields
        .get("file_asset_id")
        .and_then(Value::as_str)
        .and_then(|v| v.parse().ok())
}

impl LinkedMaterial {
    fn of(row: &Row, assets: &BTreeMap<AssetId, Asset>, links: &Links) -> Self {
        let fields = ItemFields::read_or_empty(ContentKind::Material, &row.document_fields);
        Self {
            id: row.document_id,
            locale: row.locale.clone(),
            slug: row.slug.clone(),
            title: row.title.clone(),
            summary: row.summary.clone(),
            material_kind: fields.as_material().and_then(|m| m.material_kind),
            file: file_of(row).and_then(|id| assets.get(&id).cloned()),
            url: links.url(
                ContentKind::Material,
                row.document_id,
                &row.locale,
                &row.slug,
            ),
        }
    }
}
