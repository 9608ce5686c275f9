//! `/api/v1/...`: what national frontends read (items by kind in `items`; search,
//! sitemaps and registrations here). Every response has a strong ETag
//! (304 on `If-None-Match`) and `Cache-Control` from `delivery.cache_control`;
//! previews (`?preview=true` with a preview token) are `no-store`. Published responses
//! are kept in the response cache until a write changes what they were made from.

mod dto;
mod params;
mod respond;
mod sitemap;

use poem::Request;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

pub use self::items::ItemsApi;

use self::dto::{RegistrationCreated, RegistrationRequest, SearchResult, SearchResults};
use self::params::{QueryParams, audience};
use self::respond::{Answer, JsonBytes, Rendered, Xml, XmlBytes, respond, respond_keyed};
use crate::domain::content::ContentKind;
use crate::error::AppError;
use crate::http::ApiTags;
use crate::http::admin::content::dto::KindPath;
use crate::http::admin::pagination::PageInfo;
use crate::http::problem::{ApiError, error_set};
use crate::services::delivery;
use crate::services::pagination::PageRequest;
use crate::services::registrations;
use crate::state::AppState;

/// Responses differ by token (site-bound tokens, previews), so shared caches must key on it.
const VARY: &str = "Authorization";

/// A list's or search's answer as its response type (neither can be moved).
macro_rules! body_or_not_modified {
    ($answer:expr, $response:ident) => {
        match $answer {
            Answer::Body {
                body,
                etag,
                cache_control,
            } => $response::Ok(JsonBytes::new(body), etag, cache_control, VARY.into()),
            Answer::NotModified {
                etag,
                cache_control,
            } => $response::NotModified(etag, cache_control, VARY.into()),
            Answer::Moved { location, .. } => match location {},
        }
    };
}

// After the macro, which it uses.
mod items;

pub struct DeliveryApi {
    pub state: AppState,
}

#[derive(ApiResponse)]
enum SearchResponse {
    /// The results, best first.
    #[oai(status = 200)]
    Ok(
        JsonBytes<SearchResults>,
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
enum SitemapResponse {
    /// The sitemap (`<urlset>`), or past `delivery.sitemap_urls_per_file` URLs an index
    /// of its parts (`<sitemapindex>`).
    #[oai(status = 200)]
    Ok(
        XmlBytes,
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

error_set!(
    /// Reading published content.
    DeliveryErrors: 400, 401, 403, 404, 429
);

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

// Each query parameter is an argument, so that the spec declares it with its type.
#[allow(clippy::too_many_arguments)]
#[OpenApi(tag = "ApiTags::Delivery")]
impl DeliveryApi {
    /// Search published content of the reader's locales.
    ///
    /// Every word of `q` must appear; the last may be the start of a word. Results are
    /// ranked (title above summary above body), each in the first locale of the chain
    /// the item has, with a snippet whose matching words are in `<mark>`. Words are
    /// stemmed per language on PostgreSQL (its text search configurations, `simple`
    /// where it has none) and with the Porter stemmer on SQLite. `kind` (`pages`,
    /// `news`, `events`, `materials`) narrows the search. Drafts are never searched.
    /// Searches that miss the response cache are limited per client address
    /// (`delivery.searches_per_address_per_minute`) and, with a token, per token
    /// (`delivery.searches_per_token_per_minute`): 429 past them.
    #[oai(
        path = "/api/v1/search",
        method = "get",
        operation_id = "delivery_search"
    )]
    async fn search(
        &self,
        req: &Request,
        /// The words to look for (at most 200 characters and 8 words); required.
        q: Query<Option<String>>,
        /// Only items of this kind.
        kind: Query<Option<KindPath>>,
        /// A site code, e.g. `be`: its default locale, fallback chain and countries. A
        /// token bound to a site reads that site by default, and only it.
        #[oai(name = "site")]
        _site: Query<Option<String>>,
        /// The locale to serve first (a configured locale, e.g. `fr`), instead of the
        /// site's default.
        #[oai(name = "locale")]
        _locale: Query<Option<String>>,
        /// The locales to fall back to, in order, comma-separated (e.g. `nl,en`),
        /// instead of the site's chain.
        #[oai(name = "fallback")]
        _fallback: Query<Option<String>>,
        /// With a preview token: show drafts as publishing would (`Cache-Control:
        /// no-store`).
        #[oai(name = "preview")]
        _preview: Query<Option<bool>>,
        /// The page, from 1.
        page: Query<Option<u64>>,
        /// Results per page (default `api.default_page_size`, at most `api.max_page_size`).
        per_page: Query<Option<u64>>,
    ) -> Result<SearchResponse, ApiError<DeliveryErrors>> {
        let params = QueryParams::of(req);
        params.check_search()?;
        let query =
            q.0.ok_or_else(|| AppError::invalid_parameter("q", "is required"))?;
        let kind = kind.0.map(ContentKind::from);
        let page = PageRequest::parse(page.0, per_page.0, &self.state.settings.api)?;
        let state = &self.state;
        let answer: Answer = respond(state, req, &params, |audience| async move {
            // Only a search that misses the cache gets here, and only such are limited.
            respond::limit_search(state, req)?;
            let paged = delivery::search(state, &audience, &query, kind, page).await?;
            let reads = delivery::reads::of_everything(&audience, &ContentKind::ALL);
            Ok(Rendered::Body(
                SearchResults {
                    page: PageInfo::of(&paged),
                    items: paged.items.into_iter().map(SearchResult::from).collect(),
                    locales: audience.locales.iter().map(ToString::to_string).collect(),
                },
                reads,
            ))
        })
        .await?;
        Ok(body_or_not_modified!(answer, SearchResponse))
    }

    /// The site's sitemap: every published item its frontend has a route for.
    ///
    /// A standard sitemap (sitemaps.org 0.9) whose `<url>`s are built from the site's
    /// routes, each with `lastmod` (when that translation was published) and, for items
    /// in several of the site's locales, `xhtml:link rel="alternate" hreflang` links to
    /// every locale and `x-default` (the site's default locale). Past
    /// `delivery.sitemap_urls_per_file` URLs (50,000) the answer is a sitemap index
    /// whose parts are `?site=…&part=N`, named under `server.public_url` (or this
    /// request's host). Drafts never appear, whatever the token.
    #[oai(
        path = "/api/v1/sitemap.xml",
        method = "get",
        operation_id = "delivery_sitemap"
    )]
    async fn sitemap(
        &self,
        req: &Request,
        /// The site's code, e.g. `be`; required.
        #[oai(name = "site")]
        _site: Query<Option<String>>,
        /// One part of a sitemap index, from 1.
        part: Query<Option<u32>>,
    ) -> Result<SitemapResponse, ApiError<DeliveryErrors>> {
        let params = QueryParams::of(req);
        params.check_sitemap()?;
        let state = &self.state;
        // The index names its parts under this origin: a forged Host or scheme must not
        // reach other clients through the cache.
        let base = sitemap_base(state, req);
        let base = base.as_str();
        let answer: Answer = respond_keyed(state, req, &params, base, |audience| async move {
            let entries = delivery::sitemap(state, &audience).await?;
            let per_file = state.settings.delivery.sitemap_urls_per_file;
            let parts: Vec<&[_]> = entries.chunks(per_file).collect();
            let xml = match part.0 {
                None if parts.len() <= 1 => sitemap::urlset(&entries),
                None => {
                    let code = audience.site.as_ref().map_or("", |s| s.code.as_str());
                    let index: Vec<_> = parts
                        .iter()
                        .enumerate()
                        .map(|(i, chunk)| {
                            let newest = chunk.iter().map(|e| e.lastmod).max().unwrap_or_default();
                            let url =
                                format!("{base}/api/v1/sitemap.xml?site={code}&part={}", i + 1);
                            (url, newest)
                        })
                        .collect();
                    sitemap::index(&index)
                }
                Some(n) => {
                    let chunk = usize::try_from(n)
                        .ok()
                        .and_then(|n| n.checked_sub(1))
                        .and_then(|i| parts.get(i).copied())
                        .or_else(|| (n == 1 && parts.is_empty()).then_some(&[][..]))
                        .ok_or_else(|| {
                            AppError::NotFound(format!(
                                "the sitemap has {} part(s)",
                                parts.len().max(1)
                            ))
                        })?;
                    sitemap::urlset(chunk)
                }
            };
            let reads = delivery::reads::of_everything(&audience, &ContentKind::ALL);
            Ok(Rendered::Body(Xml(xml), reads))
        })
        .await?;
        Ok(match answer {
            Answer::Body {
                body,
                etag,
                cache_control,
            } => SitemapResponse::Ok(XmlBytes::new(body), etag, cache_control, VARY.into()),
            Answer::NotModified {
                etag,
                cache_control,
            } => SitemapResponse::NotModified(etag, cache_control, VARY.into()),
            Answer::Moved { location, .. } => match location {},
        })
    }

    /// Express interest in a published event.
    ///
    /// For events whose registration mode is `form`. The sign-up is `pending` until the
    /// person confirms their address through the link mailed to them (unless the event
    /// has `double_opt_in: false`), and holds a place for `registrations.hold_minutes`
    /// meanwhile. When the event is full and keeps a waitlist (`waitlist_open`), a
    /// sign-up with `waitlist: true` joins it (`waitlisted`). An address that is signed
    /// up already gets the same answer, and a mail saying so, with a link to cancel.
    /// 409 when the event is full (without the waitlist), cancelled or not taking
    /// registrations now (or elsewhere); 410 once it is over; 422 for a field, or a
    /// `consent_version` that is no longer the event's `consent`; 429 past
    /// `delivery.registrations_per_address_per_hour` attempts from one client address
    /// or `registrations.per_email_per_hour` for one e-mail address.
    #[oai(
        path = "/api/v1/events/:slug/registrations",
        method = "post",
        operation_id = "delivery_register"
    )]
    async fn register(
        &self,
        req: &Request,
        slug: Path<String>,
        /// A site code, e.g. `be`: its default locale, fallback chain and countries. A
        /// token bound to a site reads that site by default, and only it.
        #[oai(name = "site")]
        _site: Query<Option<String>>,
        /// The locale to serve first (a configured locale, e.g. `fr`), instead of the
        /// site's default.
        #[oai(name = "locale")]
        _locale: Query<Option<String>>,
        /// The locales to fall back to, in order, comma-separated (e.g. `nl,en`),
        /// instead of the site's chain.
        #[oai(name = "fallback")]
        _fallback: Query<Option<String>>,
        body: crate::http::json::JsonBody<RegistrationRequest>,
    ) -> Result<Registered, ApiError<RegistrationErrors>> {
        let params = QueryParams::of(req);
        params.check_read(ContentKind::Event, true)?;
        // The slug names the event; a site or locale only narrows where to look.
        let audience = audience(&self.state, req, &params, true).await?;
        let body = body.0;
        let new = registrations::NewRegistration {
            name: body.name,
            email: body.email,
            organisation: body.organisation,
            organisation_type: body.organisation_type.value,
            country: body.country,
            consent: body.consent,
            locale: body.locale,
            waitlist: body.waitlist.unwrap_or(false),
            consent_version: body.consent_version,
        };
        let client = crate::http::client::client_info(req, &self.state.settings.server);
        let answer = registrations::register(
            &self.state,
            &audience,
            &slug.0,
            new,
            client.limit_key.as_deref(),
        )
        .await?;
        Ok(Registered::Created(Json(RegistrationCreated {
            status: answer.into(),
        })))
    }
}

/// Where a sitemap index's parts live: `server.public_url`, else this request's host.
fn sitemap_base(state: &AppState, req: &Request) -> String {
    let public = state.settings.server.files_base();
    if !public.is_empty() {
        return public.to_owned();
    }
    let host = req.header(poem::http::header::HOST).unwrap_or("localhost");
    let forwarded_https = state.settings.server.trust_proxy_headers
        && req.header("x-forwarded-proto") == Some("https");
    let scheme = if forwarded_https { "https" } else { "http" };
    format!("{scheme}://{host}")
}
