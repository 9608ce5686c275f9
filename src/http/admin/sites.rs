//! `/api/v1/admin/sites`: the national frontends. Everyone in the admin API reads
//! them; admins change them.

use chrono::{DateTime, Utc};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;

use super::pagination::PageInfo;
use crate::http::ApiTags;
use crate::http::json::JsonBody;
use crate::http::problem::{ApiError, error_set};
use crate::http::security::AdminAuth;
use crate::services::pagination::PageRequest;
use crate::services::sites::{self, Site, SiteFields};
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
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
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
            code: site.code,
            name: site.name,
            created_at: site.created_at,
            updated_at: site.updated_at,
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
}

/// Changes to a site; a field absent or `null` stays as it is.
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
        };
        let site = sites::create(&self.state, &auth.0, &body.code, fields).await?;
        let location = format!("/api/v1/admin/sites/{}", site.code);
        Ok(Created::Site(Json(site.into()), location))
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
