//! `/api/v1/{kind}`: what national frontends read. Every response has a strong ETag
//! (304 on `If-None-Match`) and `Cache-Control` from `delivery.cache_control`;
//! previews (`?preview=true` with a preview token) are `no-store`.

use chrono::{DateTime, Utc};
use poem::Request;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::ToJSON;
use poem_openapi::{ApiResponse, Object, OpenApi};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::admin::content::dto::FieldsBody;
use crate::domain::content::ContentKind;
use crate::error::AppError;
use crate::http::ApiTags;
use crate::http::admin::pagination::PageInfo;
use crate::http::client;
use crate::http::problem::{ApiError, error_set};
use crate::services::assets::Asset;
use crate::services::delivery::{
    self, Audience, DeliveredItem, LinkedMaterial, ListFilter, Lookup,
};
use crate::services::pagination::PageRequest;
use crate::services::registrations;
use crate::state::AppState;

pub struct DeliveryApi {
    pub state: AppState,
}

/// An item in one locale.
#[derive(Debug, Object)]
struct DeliveryItem {
    id: Uuid,
    /// `page`, `news`, `event` or `material`.
    kind: String,
    /// The locale served: the first of the chain the item exists in.
    locale: String,
    slug: String,
    title: String,
    summary: String,
    /// The body as Markdown.
    body_markdown: String,
    /// The body as sanitized HTML.
    body_html: String,
    seo_title: String,
    seo_description: String,
    /// Language-neutral fields of the kind (dates, place, capacity, …).
    fields: FieldsBody,
    countries: Vec<String>,
    tags: Vec<String>,
    parent_id: Option<Uuid>,
    position: i32,
    /// When this locale was published (absent in previews).
    published_at: Option<DateTime<Utc>>,
    /// Every locale the item exists in, with its slug, for a language switcher.
    locales: Vec<LocaleLink>,
    /// Events: status for readers and whether registration is open.
    event: Option<EventStatus>,
    /// Materials: the file of this locale.
    file: Option<AssetInfo>,
    /// News and events: the cover image.
    cover: Option<AssetInfo>,
    /// Events: the linked materials, in the event's order, each in the first locale of
    /// the chain it has; only published ones the reader may see.
    materials: Vec<MaterialLink>,
}

/// A material linked from an event.
#[derive(Debug, Object)]
struct MaterialLink {
    id: Uuid,
    locale: String,
    slug: String,
    title: String,
    summary: String,
    /// `presentation`, `report`, `guide`, `video`, …
    material_kind: Option<String>,
    /// The file of this locale, with its download URL.
    file: Option<AssetInfo>,
}

impl From<LinkedMaterial> for MaterialLink {
    fn from(material: LinkedMaterial) -> Self {
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
            file: material.file.as_ref().map(AssetInfo::from),
        }
    }
}

#[derive(Debug, Object)]
struct LocaleLink {
    locale: String,
    slug: String,
}

#[derive(Debug, Object)]
struct EventStatus {
    /// `upcoming`, `full`, `past` or `cancelled`.
    status: String,
    registration_open: bool,
}

/// What a frontend needs to link or show a file.
#[derive(Debug, Object)]
struct AssetInfo {
    id: Uuid,
    url: String,
    file_name: String,
    content_type: String,
    size: u64,
    title: String,
    alt: String,
}

impl From<&Asset> for AssetInfo {
    fn from(asset: &Asset) -> Self {
        Self {
            id: asset.id,
            url: asset.url(),
            file_name: asset.file_name.clone(),
            content_type: asset.content_type.clone(),
            size: asset.size,
            title: asset.title.clone(),
            alt: asset.alt.clone(),
        }
    }
}

impl From<DeliveredItem> for DeliveryItem {
    fn from(item: DeliveredItem) -> Self {
        let asset = |id: Option<Uuid>| {
            item.assets
                .iter()
                .find(|a| Some(a.id) == id)
                .map(AssetInfo::from)
        };
        let (file, cover) = (asset(item.file_asset_id), asset(item.fields.cover_asset_id));
        Self {
            file,
            cover,
            materials: item.materials.into_iter().map(MaterialLink::from).collect(),
            id: item.id,
            kind: item.kind.as_str().to_owned(),
            locale: item.locale,
            slug: item.slug,
            title: item.title,
            summary: item.summary,
            body_markdown: item.body,
            body_html: item.body_html,
            seo_title: item.seo_title,
            seo_description: item.seo_description,
            fields: item.fields.into(),
            countries: item.countries,
            tags: item.tags,
            parent_id: item.parent_id,
            position: item.position,
            published_at: item.published_at,
            locales: item
                .locales
                .into_iter()
                .map(|(locale, slug)| LocaleLink { locale, slug })
                .collect(),
            event: item.event.map(|e| EventStatus {
                status: e.status.to_owned(),
                registration_open: e.registration_open,
            }),
        }
    }
}

/// A page of items.
#[derive(Debug, Object)]
struct DeliveryList {
    items: Vec<DeliveryItem>,
    page: PageInfo,
    /// The locales tried, in order.
    locales: Vec<String>,
}

#[derive(ApiResponse)]
enum ListResponse {
    /// The items.
    #[oai(status = 200)]
    Ok(
        Json<DeliveryList>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Cache-Control")] String,
        #[oai(header = "Vary")] String,
    ),
    /// Unchanged since the `If-None-Match` ETag.
    #[oai(status = 304)]
    NotModified(
        #[oai(header = "ETag")] String,
        #[oai(header = "Cache-Control")] String,
        #[oai(header = "Vary")] String,
    ),
}

#[derive(ApiResponse)]
enum ItemResponse {
    /// The item.
    #[oai(status = 200)]
    Ok(
        Json<Box<DeliveryItem>>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Cache-Control")] String,
        #[oai(header = "Vary")] String,
    ),
    /// The slug changed: `Location` has the current one.
    #[oai(status = 301)]
    Moved(
        #[oai(header = "Location")] String,
        #[oai(header = "Cache-Control")] String,
        #[oai(header = "Vary")] String,
    ),
    /// Unchanged since the `If-None-Match` ETag.
    #[oai(status = 304)]
    NotModified(
        #[oai(header = "ETag")] String,
        #[oai(header = "Cache-Control")] String,
        #[oai(header = "Vary")] String,
    ),
}

error_set!(
    /// Reading published content.
    DeliveryErrors: 400, 401, 403, 404
);

/// An expression of interest in an event.
#[derive(Debug, Object, serde::Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
struct RegistrationRequest {
    name: String,
    email: String,
    organisation: String,
    /// `public_buyer`, `social_economy_entity` or `other`.
    organisation_type: String,
    /// The participant's country (an EU member state).
    country: String,
    /// Agreement to the use of these details for organising the event; must be `true`.
    consent: bool,
}

#[derive(Debug, Object)]
struct RegistrationCreated {
    id: Uuid,
}

#[derive(ApiResponse)]
enum Registered {
    /// Registered.
    #[oai(status = 201)]
    Created(Json<RegistrationCreated>),
}

error_set!(
    /// Registering.
    RegistrationErrors: 400, 401, 403, 404, 409, 410, 422, 429
);

/// The query parameters each operation understands; anything else is refused (400).
const SHARED: [&str; 6] = ["site", "locale", "fallback", "preview", "page", "per_page"];

fn check_parameters(req: &Request, kind: ContentKind, single: bool) -> Result<(), AppError> {
    let filters: &[&str] = match (single, kind) {
        (true, _) => &[],
        (false, ContentKind::News) => &["country", "tag"],
        (false, ContentKind::Event) => &["country", "when", "language", "tag"],
        (false, ContentKind::Material) => &["event", "kind"],
        (false, ContentKind::Page) => &[],
    };
    for (name, _) in url::form_urlencoded::parse(req.uri().query().unwrap_or_default().as_bytes()) {
        let shared =
            SHARED.contains(&name.as_ref()) && !(single && (name == "page" || name == "per_page"));
        if !shared && !filters.contains(&name.as_ref()) {
            return Err(AppError::invalid_parameter(
                name.into_owned(),
                "is not a parameter of this request",
            ));
        }
    }
    Ok(())
}

async fn audience(state: &AppState, req: &Request) -> Result<Audience, AppError> {
    audience_of(state, req, false).await
}

async fn audience_of(
    state: &AppState,
    req: &Request,
    any_locale: bool,
) -> Result<Audience, AppError> {
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(req.uri().query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let get = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let preview = match get("preview").as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(AppError::invalid_parameter(
                "preview",
                format!("{other:?} is not true or false"),
            ));
        }
    };
    let bearer = client::bearer(req).map(str::to_owned);
    let request = delivery::Request {
        site: get("site"),
        locale: get("locale"),
        fallback: get("fallback"),
        preview,
        bearer,
        any_locale,
    };
    delivery::resolve(state, request).await
}

/// The strong ETag of a JSON body, and whether the request already has it.
fn etag_of(req: &Request, body: &impl ToJSON) -> (String, bool) {
    let bytes = body.to_json().map(|v| v.to_string()).unwrap_or_default();
    let etag = format!(
        "\"{}\"",
        &hex::encode(Sha256::digest(bytes.as_bytes()))[..32]
    );
    let cached = client::if_none_match_hits(req, &etag);
    (etag, cached)
}

/// The kind named by the path; any other first segment is simply not a resource.
fn kind_of(segment: &str) -> Result<ContentKind, AppError> {
    ContentKind::ALL
        .into_iter()
        .find(|kind| kind.plural() == segment)
        .ok_or_else(|| AppError::NotFound("no resource at this path".into()))
}

fn cache_control(state: &AppState, audience: &Audience) -> String {
    if audience.preview {
        "no-store".into()
    } else {
        state.settings.delivery.cache_control.clone()
    }
}

#[OpenApi(tag = "ApiTags::Delivery")]
impl DeliveryApi {
    /// List published items of a kind, each in the first locale of the chain it has.
    ///
    /// Name a site (`?site=be`: its default locale, fallback chain and countries) or
    /// give `locale` and `fallback` (comma list). Filters: news `country`, `tag`;
    /// events `country`, `when` (`upcoming` default, `past`, `all`), `language`, `tag`;
    /// materials `event`, `kind`. Unknown parameters are refused (400).
    #[oai(path = "/api/v1/:kind", method = "get", operation_id = "delivery_list")]
    async fn list(
        &self,
        req: &Request,
        /// `pages`, `news`, `events` or `materials`.
        kind: Path<String>,
        page: Query<Option<u64>>,
        per_page: Query<Option<u64>>,
    ) -> Result<ListResponse, ApiError<DeliveryErrors>> {
        let kind = kind_of(&kind.0)?;
        check_parameters(req, kind, false)?;
        let audience = audience(&self.state, req).await?;
        let page = PageRequest::parse(page.0, per_page.0, &self.state.settings.api)?;
        let param = |name: &str| {
            url::form_urlencoded::parse(req.uri().query().unwrap_or_default().as_bytes())
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        let event = param("event")
            .map(|raw| {
                raw.parse::<Uuid>()
                    .map_err(|_| AppError::invalid_parameter("event", "must be an event id"))
            })
            .transpose()?;
        let filter = ListFilter {
            country: param("country"),
            tag: param("tag"),
            when: param("when"),
            language: param("language"),
            event,
            material_kind: param("kind"),
        };
        let paged = delivery::list(&self.state, &audience, kind, filter, page).await?;
        let body = DeliveryList {
            page: PageInfo::of(&paged),
            items: paged.items.into_iter().map(DeliveryItem::from).collect(),
            locales: audience.locales.iter().map(ToString::to_string).collect(),
        };
        let (etag, cached) = etag_of(req, &body);
        let cache = cache_control(&self.state, &audience);
        if cached {
            return Ok(ListResponse::NotModified(
                etag,
                cache,
                "Authorization".into(),
            ));
        }
        Ok(ListResponse::Ok(
            Json(body),
            etag,
            cache,
            "Authorization".into(),
        ))
    }

    /// Express interest in a published event.
    ///
    /// For events whose registration mode is `form`. 409 when the event is full,
    /// cancelled, or not taking registrations now (or elsewhere); 410 once it is over.
    #[oai(
        path = "/api/v1/events/:slug/registrations",
        method = "post",
        operation_id = "delivery_register"
    )]
    async fn register(
        &self,
        req: &Request,
        slug: Path<String>,
        body: crate::http::json::JsonBody<RegistrationRequest>,
    ) -> Result<Registered, ApiError<RegistrationErrors>> {
        check_parameters(req, ContentKind::Event, true)?;
        // The slug names the event; a site or locale only narrows where to look.
        let audience = audience_of(&self.state, req, true).await?;
        let body = body.0;
        let new = registrations::NewRegistration {
            name: body.name,
            email: body.email,
            organisation: body.organisation,
            organisation_type: body.organisation_type,
            country: body.country,
            consent: body.consent,
        };
        let client =
            crate::http::client::client_info(req, self.state.settings.server.trust_proxy_headers);
        let id = registrations::register(
            &self.state,
            &audience,
            &slug.0,
            new,
            client.address.as_deref(),
        )
        .await?;
        Ok(Registered::Created(Json(RegistrationCreated { id })))
    }

    /// One published item by its slug in any locale of the chain.
    ///
    /// A slug the item had before answers 301 to the current one.
    #[oai(
        path = "/api/v1/:kind/:slug",
        method = "get",
        operation_id = "delivery_get"
    )]
    async fn get(
        &self,
        req: &Request,
        /// `pages`, `news`, `events` or `materials`.
        kind: Path<String>,
        slug: Path<String>,
    ) -> Result<ItemResponse, ApiError<DeliveryErrors>> {
        let kind = kind_of(&kind.0)?;
        check_parameters(req, kind, true)?;
        let audience = audience(&self.state, req).await?;
        let item = match delivery::get(&self.state, &audience, kind, &slug.0).await? {
            Lookup::Found(item) => DeliveryItem::from(*item),
            Lookup::MovedTo(current) => {
                let query = req
                    .uri()
                    .query()
                    .map(|q| format!("?{q}"))
                    .unwrap_or_default();
                // Cached like the content: a later publish may give the slug to another item.
                let location = format!("/api/v1/{}/{current}{query}", kind.plural());
                let cache = cache_control(&self.state, &audience);
                return Ok(ItemResponse::Moved(location, cache, "Authorization".into()));
            }
        };
        let (etag, cached) = etag_of(req, &item);
        let cache = cache_control(&self.state, &audience);
        if cached {
            return Ok(ItemResponse::NotModified(
                etag,
                cache,
                "Authorization".into(),
            ));
        }
        Ok(ItemResponse::Ok(
            Json(Box::new(item)),
            etag,
            cache,
            "Authorization".into(),
        ))
    }
}
