//! What the delivery API returns and accepts, as documented in the OpenAPI spec.

use chrono::{DateTime, Utc};
use poem_openapi::Object;
use uuid::Uuid;

use crate::http::admin::content::dto::FieldsBody;
use crate::http::admin::pagination::PageInfo;
use crate::http::names::{EventStatusName, KindName};
use crate::services::assets::Asset;
use crate::services::delivery::{DeliveredItem, LinkedMaterial, SearchHit};

/// What lists and details of an item share: what a list shows.
#[derive(Debug, Object)]
pub(super) struct DeliveryCore {
    pub(super) id: Uuid,
    pub(super) kind: KindName,
    /// The locale served: the first of the chain the item exists in.
    pub(super) locale: String,
    pub(super) slug: String,
    /// Where the asked site's frontend shows the item in this locale, from the site's
    /// routes; `null` without a site, or when the site has no route for it.
    #[oai(nullable)]
    pub(super) url: Option<String>,
    pub(super) title: String,
    pub(super) summary: String,
    /// Language-neutral fields of the kind (dates, place, capacity, …).
    pub(super) fields: FieldsBody,
    pub(super) countries: Vec<String>,
    pub(super) tags: Vec<String>,
    #[oai(nullable)]
    pub(super) parent_id: Option<Uuid>,
    pub(super) position: i32,
    /// When this locale was published (absent in previews).
    #[oai(nullable)]
    pub(super) published_at: Option<DateTime<Utc>>,
    /// Events: status for readers and whether registration is open.
    #[oai(nullable)]
    pub(super) event: Option<EventStatus>,
    /// Materials: the file of this locale.
    #[oai(nullable)]
    pub(super) file: Option<AssetInfo>,
    /// News and events: the cover image.
    #[oai(nullable)]
    pub(super) cover: Option<AssetInfo>,
    /// Events: the linked materials, in the event's order, each in the first locale of
    /// the chain it has; only published ones the reader may see.
    pub(super) materials: Vec<MaterialLink>,
}

/// An item in one locale, whole.
#[derive(Debug, Object)]
pub(super) struct DeliveryItem {
    #[oai(flatten)]
    pub(super) core: DeliveryCore,
    /// The body as Markdown.
    pub(super) body_markdown: String,
    /// The body as sanitized HTML.
    pub(super) body_html: String,
    pub(super) seo_title: String,
    pub(super) seo_description: String,
    /// Every locale the item exists in, with its slug, for a language switcher.
    pub(super) locales: Vec<LocaleLink>,
    /// The item's URL in every locale the asked site shows it in: what `hreflang`
    /// links need. Empty without a site or routes.
    pub(super) alternates: Vec<Alternate>,
}

/// An item in a list: what a list shows; the parts named in `fields=` too.
#[derive(Debug, Object)]
pub(super) struct DeliveryListItem {
    #[oai(flatten)]
    pub(super) core: DeliveryCore,
    /// With `fields=body`: the body as Markdown.
    #[oai(skip_serializing_if_is_none)]
    pub(super) body_markdown: Option<String>,
    /// With `fields=body`: the body as sanitized HTML.
    #[oai(skip_serializing_if_is_none)]
    pub(super) body_html: Option<String>,
    /// With `fields=seo`.
    #[oai(skip_serializing_if_is_none)]
    pub(super) seo_title: Option<String>,
    /// With `fields=seo`.
    #[oai(skip_serializing_if_is_none)]
    pub(super) seo_description: Option<String>,
    /// With `fields=locales`: every locale the item exists in, with its slug.
    #[oai(skip_serializing_if_is_none)]
    pub(super) locales: Option<Vec<LocaleLink>>,
    /// With `fields=locales`: the item's URL in every locale the site shows it in.
    #[oai(skip_serializing_if_is_none)]
    pub(super) alternates: Option<Vec<Alternate>>,
}

/// The optional parts of list items, as `fields=` names them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct ListParts {
    pub(super) body: bool,
    pub(super) seo: bool,
    pub(super) locales: bool,
}

impl ListParts {
    /// `body,seo,locales` (any of them, in any order); an unknown name is the error.
    pub(super) fn parse(raw: Option<&str>) -> Result<Self, String> {
        let mut parts = Self::default();
        for name in raw
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            match name {
                "body" => parts.body = true,
                "seo" => parts.seo = true,
                "locales" => parts.locales = true,
                other => {
                    return Err(format!("{other:?} is not body, seo or locales"));
                }
            }
        }
        Ok(parts)
    }
}

impl DeliveryListItem {
    pub(super) fn of(item: DeliveryItem, parts: ListParts) -> Self {
        Self {
            core: item.core,
            body_markdown: parts.body.then_some(item.body_markdown),
            body_html: parts.body.then_some(item.body_html),
            seo_title: parts.seo.then_some(item.seo_title),
            seo_description: parts.seo.then_some(item.seo_description),
            locales: parts.locales.then_some(item.locales),
            alternates: parts.locales.then_some(item.alternates),
        }
    }
}

/// A material linked from an event.
#[derive(Debug, Object)]
pub(super) struct MaterialLink {
    pub(super) id: Uuid,
    pub(super) locale: String,
    pub(super) slug: String,
    pub(super) title: String,
    pub(super) summary: String,
    /// `presentation`, `report`, `guide`, `video`, …
    #[oai(nullable)]
    pub(super) material_kind: Option<String>,
    /// The file of this locale, with its download URL.
    #[oai(nullable)]
    pub(super) file: Option<AssetInfo>,
    /// Where the asked site's frontend shows the material; `null` without a route.
    #[oai(nullable)]
    pub(super) url: Option<String>,
}

impl MaterialLink {
    fn of(material: LinkedMaterial, files_base: &str) -> Self {
        Self {
            id: material.id,
            locale: material.locale,
            slug: material.slug,
            title: material.title,
            summary: material.summary,
            material_kind: material
                .material_kind
                .and_then(|k| serde_json::to_value(k).ok())
                .and_then(|v| v.as_str().map(str::to_owned)),
            file: material
                .file
                .as_ref()
                .map(|file| AssetInfo::of(file, files_base)),
            url: material.url,
        }
    }
}

/// The item in another locale on the asked site.
#[derive(Debug, Object)]
pub(super) struct Alternate {
    /// The locale, as `hreflang` takes it.
    pub(super) locale: String,
    pub(super) url: String,
}

#[derive(Debug, Object)]
pub(super) struct LocaleLink {
    pub(super) locale: String,
    pub(super) slug: String,
}

#[derive(Debug, Object)]
pub(super) struct EventStatus {
    pub(super) status: EventStatusName,
    pub(super) registration_open: bool,
}

/// What a frontend needs to link or show a file.
#[derive(Debug, Object)]
pub(super) struct AssetInfo {
    pub(super) id: Uuid,
    pub(super) url: String,
    pub(super) file_name: String,
    pub(super) content_type: String,
    pub(super) size: u64,
    pub(super) title: String,
    pub(super) alt: String,
}

impl AssetInfo {
    /// `files_base` (`server.public_url`, or empty for a path) goes before the path.
    fn of(asset: &Asset, files_base: &str) -> Self {
        Self {
            id: asset.id,
            url: format!("{files_base}{}", asset.url()),
            file_name: asset.file_name.clone(),
            content_type: asset.content_type.clone(),
            size: asset.size,
            title: asset.title.clone(),
            alt: asset.alt.clone(),
        }
    }
}

impl DeliveryItem {
    /// The item, its file URLs starting with `files_base` (`server.public_url`).
    pub(super) fn of(item: DeliveredItem, files_base: &str) -> Self {
        let asset = |id: Option<Uuid>| {
            item.assets
                .iter()
                .find(|a| Some(a.id) == id)
                .map(|a| AssetInfo::of(a, files_base))
        };
        let (file, cover) = (asset(item.file_asset_id), asset(item.fields.cover_asset_id));
        Self {
            core: DeliveryCore {
                file,
                cover,
                materials: item
                    .materials
                    .into_iter()
                    .map(|m| MaterialLink::of(m, files_base))
                    .collect(),
                id: item.id,
                kind: item.kind.into(),
                locale: item.locale,
                slug: item.slug,
                url: item.url,
                title: item.title,
                summary: item.summary,
                fields: item.fields.into(),
                countries: item.countries,
                tags: item.tags,
                parent_id: item.parent_id,
                position: item.position,
                published_at: item.published_at,
                event: item.event.map(|e| EventStatus {
                    status: e.status.into(),
                    registration_open: e.registration_open,
                }),
            },
            body_markdown: item.body,
            body_html: item.body_html,
            seo_title: item.seo_title,
            seo_description: item.seo_description,
            locales: item
                .locales
                .into_iter()
                .map(|(locale, slug)| LocaleLink { locale, slug })
                .collect(),
            alternates: item
                .alternates
                .into_iter()
                .map(|(locale, url)| Alternate { locale, url })
                .collect(),
        }
    }
}

/// A page of items.
#[derive(Debug, Object)]
pub(super) struct DeliveryList {
    pub(super) items: Vec<DeliveryListItem>,
    pub(super) page: PageInfo,
    /// The locales tried, in order.
    pub(super) locales: Vec<String>,
}

/// An expression of interest in an event.
#[derive(Debug, Object, serde::Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub(super) struct RegistrationRequest {
    pub(super) name: String,
    pub(super) email: String,
    pub(super) organisation: String,
    /// `public_buyer`, `social_economy_entity` or `other`.
    pub(super) organisation_type: String,
    /// The participant's country (an EU member state).
    pub(super) country: String,
    /// Agreement to the use of these details for organising the event; must be `true`.
    pub(super) consent: bool,
}

#[derive(Debug, Object)]
pub(super) struct RegistrationCreated {
    pub(super) id: Uuid,
}

/// One search result.
#[derive(Debug, Object)]
pub(super) struct SearchResult {
    pub(super) id: Uuid,
    pub(super) kind: KindName,
    /// The locale the item is served (and was found) in.
    pub(super) locale: String,
    pub(super) slug: String,
    pub(super) title: String,
    pub(super) summary: String,
    /// A passage around the matching words, as HTML: the text is escaped and the
    /// matching words are in `<mark>`, so it can be inserted as it is.
    pub(super) snippet: String,
    /// Relevance, higher first; comparable within one response only.
    pub(super) score: f64,
}

impl From<SearchHit> for SearchResult {
    fn from(hit: SearchHit) -> Self {
        Self {
            id: hit.id,
            kind: hit.kind.into(),
            locale: hit.locale,
            slug: hit.slug,
            title: hit.title,
            summary: hit.summary,
            snippet: hit.snippet,
            score: hit.score,
        }
    }
}

/// A page of search results, best first.
#[derive(Debug, Object)]
pub(super) struct SearchResults {
    pub(super) items: Vec<SearchResult>,
    pub(super) page: PageInfo,
    /// The locales searched, in order.
    pub(super) locales: Vec<String>,
}
