//! `/api/v1/admin/sites`: the national frontends. Everyone in the admin API reads
//! them; admins change them.

use chrono::{DateTime, Utc};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;
use uuid::Uuid;

use super::pagination::PageInfo;
use crate::domain::consent::SiteConsent;
use crate::http::ApiTags;
use crate::http::json::JsonBody;
use crate::http::names::KindName;
use crate::http::problem::{ApiError, error_set};
use crate::http::security::AdminAuth;
use crate::services::pagination::PageRequest;
use crate::services::sites::{self, RouteFields, Site, SiteFields, SitePreview};
use crate::state::AppState;

pub struct SitesApi {
    pub state: AppState,
}

/// A national frontend and how it asks for content.
#[derive(Debug, Object)]
struct SiteResponse {
    /// Short identifier, e.g. `be`, used as `?site=be` in the delivery API.
    code: String,
    name: String,
    /// EU member states whose content the site shows; empty: EU-wide.
    countries: Vec<String>,
    /// The site's locales.
    locales: Vec<String>,
    default_locale: String,
    /// Locales tried in order when a translation is missing, e.g. `["fr", "en"]`.
    fallback: Vec<String>,
    /// Where the frontend shows items: what delivery `url`s, `alternates` and the
    /// sitemap are made of.
    routes: Vec<SiteRoute>,
    /// Where the frontend previews a draft; preview links fill it in.
    #[oai(nullable)]
    preview_url: Option<String>,
    /// What the sign-up form asks people to agree to; `null`: buysocial's own text.
    #[oai(nullable)]
    registration_consent: Option<ConsentBody>,
    /// Where the site shows the pages of mailed sign-up links; `null`: buysocial's own
    /// pages (`/registrations/{action}?token=…`).
    #[oai(nullable)]
    sign_up_links_url: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// What the site's sign-up form asks people to agree to. Each sign-up keeps the text
/// it was given with, its version and the privacy notice. In a locale without a text
/// here, readers get buysocial's own text (in their language), with this notice.
#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
struct ConsentBody {
    /// Names this wording, e.g. `2024-05`: change it whenever the text changes in
    /// substance. 1 to 100 characters.
    version: String,
    /// The text per locale of the site, e.g. `{"fr": "J'accepte que…"}`; 1 to 5,000
    /// characters each.
    texts: std::collections::BTreeMap<String, String>,
    /// The site's privacy notice, linked from the form (an absolute http(s) URL).
    #[oai(nullable)]
    #[serde(default)]
    privacy_notice_url: Option<String>,
}

impl From<ConsentBody> for SiteConsent {
    fn from(body: ConsentBody) -> Self {
        Self {
            version: body.version,
            texts: body.texts,
            privacy_notice_url: body.privacy_notice_url,
        }
    }
}

impl From<SiteConsent> for ConsentBody {
    fn from(consent: SiteConsent) -> Self {
        Self {
            version: consent.version,
            texts: consent.texts,
            privacy_notice_url: consent.privacy_notice_url,
        }
    }
}

impl From<Site> for SiteResponse {
    fn from(site: Site) -> Self {
        let strings = |values: &[_]| {
            values
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<String>>()
        };
        Self {
            countries: site.countries.iter().map(ToString::to_string).collect(),
            locales: strings(&site.locales),
            fallback: strings(&site.fallback),
            default_locale: site.default_locale.to_string(),
            routes: site
                .routes
                .iter()
                .map(|route| SiteRoute {
                    kind: route.kind.into(),
                    locale: route.locale.as_ref().map(ToString::to_string),
                    pattern: route.pattern.to_string(),
                })
                .collect(),
            preview_url: site.preview_url.as_ref().map(ToString::to_string),
            registration_consent: site.registration_consent.map(ConsentBody::from),
            sign_up_links_url: site.sign_up_links_url.as_ref().map(ToString::to_string),
            code: site.code,
            name: site.name,
            created_at: site.created_at,
            updated_at: site.updated_at,
        }
    }
}

/// Where the site's frontend shows items of one kind in one locale (or in every locale
/// of the site without a route of its own).
#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
struct SiteRoute {
    kind: KindName,
    /// One of the site's locales; absent or `null`: every locale of the site that has
    /// no route of its own for this kind.
    #[oai(nullable)]
    #[serde(default)]
    locale: Option<String>,
    /// An absolute URL with placeholders in its path or query: `{locale}`, `{slug}`,
    /// `{id}`, and for pages `{path}` (the slugs of the page's parents and the page,
    /// joined by `/`). It must hold `{slug}`, `{path}` or `{id}`, e.g.
    /// `https://webuysocial.be/{locale}/actualites/{slug}`.
    pattern: String,
}

impl From<SiteRoute> for RouteFields {
    fn from(route: SiteRoute) -> Self {
        Self {
            kind: route.kind.into(),
            locale: route.locale,
            pattern: route.pattern,
        }
    }
}

/// A page of sites, by code.
#[derive(Debug, Object)]
struct SiteList {
    items: Vec<SiteResponse>,
    page: PageInfo,
}

/// A new site.
#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
struct CreateSiteRequest {
    /// 2 to 32 lower-case letters, digits or hyphens, e.g. `be`.
    code: String,
    name: String,
    /// EU member states; absent or empty: EU-wide.
    #[oai(nullable)]
    countries: Option<Vec<String>>,
    /// At least one configured locale.
    locales: Vec<String>,
    /// One of `locales`.
    default_locale: String,
    /// Configured locales to try in order when a translation is missing.
    #[oai(nullable)]
    fallback: Option<Vec<String>>,
    /// Where the frontend shows items; absent: none, and items carry no `url`.
    #[oai(nullable)]
    routes: Option<Vec<SiteRoute>>,
    /// Where the frontend previews a draft: an absolute URL holding `{token}`, and any
    /// of `{kind}`, `{id}`, `{locale}`, `{slug}`, e.g.
    /// `https://webuysocial.be/api/preview?token={token}&kind={kind}&slug={slug}&locale={locale}`.
    #[oai(nullable)]
    preview_url: Option<String>,
    /// What the sign-up form asks people to agree to; absent: buysocial's own text.
    #[oai(nullable)]
    registration_consent: Option<ConsentBody>,
    /// Where the site shows the pages of the links mailed to people who signed up
    /// through it: an absolute URL holding `{action}` (`confirm`, `cancel`,
    /// `accept-offer`, `erase`) and `{token}`, and perhaps `{locale}` (the person's),
    /// e.g. `https://webuysocial.be/{locale}/sign-up/{action}?token={token}`. The page
    /// shows what the link is for and a button that sends the token to
    /// `POST /api/v1/registrations/{action}`. Absent: buysocial's own pages.
    #[oai(nullable)]
    sign_up_links_url: Option<String>,
}

/// Changes to a site; a field absent or `null` stays as it is, except `preview_url`
/// and `registration_consent`.
#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
struct UpdateSiteRequest {
    #[oai(nullable)]
    name: Option<String>,
    #[oai(nullable)]
    countries: Option<Vec<String>>,
    #[oai(nullable)]
    locales: Option<Vec<String>>,
    #[oai(nullable)]
    default_locale: Option<String>,
    #[oai(nullable)]
    fallback: Option<Vec<String>>,
    /// Replaces every route; `[]` removes them.
    #[oai(nullable)]
    routes: Option<Vec<SiteRoute>>,
    /// `null` removes the preview route.
    #[serde(default)]
    preview_url: MaybeUndefined<String>,
    /// Replaces the consent; `null` goes back to buysocial's own text.
    #[serde(default)]
    registration_consent: MaybeUndefined<ConsentBody>,
    /// `null`: mailed links open buysocial's own pages again.
    #[serde(default)]
    sign_up_links_url: MaybeUndefined<String>,
}

/// Site settings to try on one item, as in the site form; nothing is saved.
#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
struct SitePreviewRequest {
    /// EU member states; absent or empty: EU-wide.
    #[oai(nullable)]
    countries: Option<Vec<String>>,
    locales: Vec<String>,
    default_locale: String,
    #[oai(nullable)]
    fallback: Option<Vec<String>>,
    /// The item's kind.
    kind: KindName,
    /// The item.
    id: Uuid,
}

/// A reader asking the site for one of its locales.
#[derive(Debug, Object)]
struct LocalePreviewResponse {
    locale: String,
    /// The locales tried, in order: this one, then the fallback chain.
    chain: Vec<String>,
    /// The locale of the live translation served; `null`: nothing live on the chain.
    #[oai(nullable)]
    served_locale: Option<String>,
    /// The title served.
    #[oai(nullable)]
    title: Option<String>,
}

/// What the site would show of the item (live translations only).
#[derive(Debug, Object)]
struct SitePreviewResponse {
    /// Whether the site shows items of the item's countries at all.
    shown: bool,
    /// The item's countries; empty: EU-wide.
    item_countries: Vec<String>,
    /// One reader per site locale, in the site's order.
    readers: Vec<LocalePreviewResponse>,
}

impl From<SitePreview> for SitePreviewResponse {
    fn from(preview: SitePreview) -> Self {
        Self {
            shown: preview.shown,
            item_countries: preview
                .item_countries
                .iter()
                .map(ToString::to_string)
                .collect(),
            readers: preview
                .readers
                .into_iter()
                .map(|reader| LocalePreviewResponse {
                    locale: reader.locale.to_string(),
                    chain: reader.chain.iter().map(ToString::to_string).collect(),
                    served_locale: reader.served.as_ref().map(|(l, _)| l.to_string()),
                    title: reader.served.map(|(_, title)| title),
                })
                .collect(),
        }
    }
}

#[derive(ApiResponse)]
enum Created {
    /// The site was created.
    #[oai(status = 201)]
    Site(Json<SiteResponse>, #[oai(header = "Location")] String),
}

#[derive(ApiResponse)]
enum Deleted {
    /// The site was deleted and the tokens bound to it revoked.
    #[oai(status = 204)]
    Done,
}

error_set!(
    /// Reading sites.
    ReadErrors: 400, 401, 403, 404
);
error_set!(
    /// Trying site settings on an item.
    PreviewErrors: 400, 401, 403, 404, 422
);
error_set!(
    /// Writing sites.
    WriteErrors: 400, 401, 403, 404, 409, 422
);

#[OpenApi(prefix_path = "/api/v1/admin/sites", tag = "ApiTags::Sites")]
impl SitesApi {
    /// List sites.
    #[oai(path = "/", method = "get", operation_id = "sites_list")]
    async fn list(
        &self,
        auth: AdminAuth,
        page: Query<Option<u64>>,
        per_page: Query<Option<u64>>,
    ) -> Result<Json<SiteList>, ApiError<ReadErrors>> {
        let page = PageRequest::parse(page.0, per_page.0, &self.state.settings.api)?;
        let paged = sites::list(&self.state, &auth.0, page).await?;
        Ok(Json(SiteList {
            page: PageInfo::of(&paged),
            items: paged.items.into_iter().map(SiteResponse::from).collect(),
        }))
    }

    /// Create a site (admins).
    #[oai(path = "/", method = "post", operation_id = "sites_create")]
    async fn create(
        &self,
        auth: AdminAuth,
        body: JsonBody<CreateSiteRequest>,
    ) -> Result<Created, ApiError<WriteErrors>> {
        let body = body.0;
        let fields = SiteFields {
            name: Some(body.name),
            countries: Some(body.countries.unwrap_or_default()),
            locales: Some(body.locales),
            default_locale: Some(body.default_locale),
            fallback: Some(body.fallback.unwrap_or_default()),
            routes: Some(
                body.routes
                    .unwrap_or_default()
                    .into_iter()
                    .map(RouteFields::from)
                    .collect(),
            ),
            preview_url: Some(body.preview_url),
            registration_consent: Some(body.registration_consent.map(SiteConsent::from)),
            sign_up_links_url: Some(body.sign_up_links_url),
        };
        let site = sites::create(&self.state, &auth.0, &body.code, fields).await?;
        let location = format!("/api/v1/admin/sites/{}", site.code);
        Ok(Created::Site(Json(site.into()), location))
    }

    /// Try site settings on one item (admins).
    ///
    /// For a reader in each of the given locales: the chain of locales tried (that
    /// locale, then `fallback`) and the live translation it lands on, as the delivery
    /// API would choose it; and whether `countries` let the site show the item at all.
    /// The settings are validated as for saving (422), and nothing is saved.
    #[oai(path = "/preview", method = "post", operation_id = "sites_preview")]
    async fn preview(
        &self,
        auth: AdminAuth,
        body: JsonBody<SitePreviewRequest>,
    ) -> Result<Json<SitePreviewResponse>, ApiError<PreviewErrors>> {
        let body = body.0;
        let fields = SiteFields {
            countries: Some(body.countries.unwrap_or_default()),
            locales: Some(body.locales),
            default_locale: Some(body.default_locale),
            fallback: Some(body.fallback.unwrap_or_default()),
            ..SiteFields::default()
        };
        let preview =
            sites::preview(&self.state, &auth.0, fields, body.kind.into(), body.id).await?;
        Ok(Json(preview.into()))
    }

    /// Read a site.
    #[oai(path = "/:code", method = "get", operation_id = "sites_get")]
    async fn get(
        &self,
        auth: AdminAuth,
        code: Path<String>,
    ) -> Result<Json<SiteResponse>, ApiError<ReadErrors>> {
        Ok(Json(
            sites::get(&self.state, &auth.0, &code.0).await?.into(),
        ))
    }

    /// Change a site (admins).
    #[oai(path = "/:code", method = "patch", operation_id = "sites_update")]
    async fn update(
        &self,
        auth: AdminAuth,
        code: Path<String>,
        body: JsonBody<UpdateSiteRequest>,
    ) -> Result<Json<SiteResponse>, ApiError<WriteErrors>> {
        let body = body.0;
        let fields = SiteFields {
            name: body.name,
            countries: body.countries,
            locales: body.locales,
            default_locale: body.default_locale,
            fallback: body.fallback,
            routes: body
                .routes
                .map(|routes| routes.into_iter().map(RouteFields::from).collect()),
            // Absent: as it is; `null`: removed.
            preview_url: body.preview_url.into(),
            registration_consent: body
                .registration_consent
                .map_value(SiteConsent::from)
                .into(),
            sign_up_links_url: body.sign_up_links_url.into(),
        };
        Ok(Json(
            sites::update(&self.state, &auth.0, &code.0, fields)
                .await?
                .into(),
        ))
    }

    /// Delete a site (admins); tokens bound to it are revoked.
    #[oai(path = "/:code", method = "delete", operation_id = "sites_delete")]
    async fn delete(
        &self,
        auth: AdminAuth,
        code: Path<String>,
    ) -> Result<Deleted, ApiError<WriteErrors>> {
        sites::delete(&self.state, &auth.0, &code.0).await?;
        Ok(Deleted::Done)
    }
}
