//! Who is reading, for which site, in which locales.

use crate::domain::routes::SiteRoutes;
use crate::domain::{CountryCode, Locale};
use crate::error::AppError;
use crate::services::auth;
use crate::services::kernel::actor::Credential;
use crate::services::sites::{self, Site};
use crate::services::tokens::{ApiToken, PreviewOf, TokenKind};
use crate::state::AppState;

/// The shared parameters of a delivery request, as received.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub site: Option<String>,
    pub locale: Option<String>,
    /// Comma-separated locales.
    pub fallback: Option<String>,
    pub preview: bool,
    /// The bearer token, if any.
    pub bearer: Option<String>,
    /// Without a site or locale, look in every configured locale (for registrations,
    /// where the slug alone names the event) instead of refusing.
    pub any_locale: bool,
}

/// A resolved reader: the locales to try in order, the site's countries, and whether
/// drafts may be shown.
#[derive(Debug, Clone)]
pub struct Audience {
    pub locales: Vec<Locale>,
    /// The site's countries (empty: EU-wide site, or no site).
    pub site_countries: Vec<CountryCode>,
    pub preview: bool,
    /// A preview link's token: only this translation is shown as a draft; everything
    /// else as published.
    pub preview_only: Option<PreviewOf>,
    /// The site asked for (or the token's), whose routes give items their URLs.
    pub site: Option<Site>,
    /// The site's routes; empty without a site.
    pub routes: SiteRoutes,
}

impl Audience {
    /// Whether the site shows an item of `countries`.
    pub fn shows(&self, countries: &[String]) -> bool {
        crate::domain::country::site_shows(&self.site_countries, countries)
    }
}

/// Checks the token (required by `delivery.require_token`, and for previews) and works
/// out the locale chain: `locale` then `fallback`, or the site's default then its chain.
pub async fn resolve(state: &AppState, request: Request) -> Result<Audience, AppError> {
    let token = reader(state, &request).await?;
    let site = site_of(state, &request, token.as_ref()).await?;
    let mut locales = first_locales(state, &request, site.as_ref())?;
    locales.extend(fallback_locales(state, &request, site.as_ref())?);
    let mut seen = std::collections::HashSet::new();
    locales.retain(|l| seen.insert(l.clone()));
    Ok(Audience {
        locales,
        site_countries: site
            .as_ref()
            .map(|s| s.countries.clone())
            .unwrap_or_default(),
        preview: request.preview,
        preview_only: token
            .as_ref()
            .filter(|_| request.preview)
            .and_then(|t| t.preview_of.clone()),
        routes: site.as_ref().map(Site::item_routes).unwrap_or_default(),
        site,
    })
}

/// The token the request reads with: a delivery or preview token, required when the
/// settings say so and for previews.
async fn reader(state: &AppState, request: &Request) -> Result<Option<ApiToken>, AppError> {
    let token = match request.bearer.as_deref() {
        Some(bearer) => match auth::authenticate(state, bearer).await? {
            Credential::Token(token)
                if matches!(token.kind, TokenKind::Delivery | TokenKind::Preview) =>
            {
                Some(token)
            }
            _ => {
                return Err(AppError::Forbidden(
                    "the delivery API takes a delivery or preview token".into(),
                ));
            }
        },
        None => None,
    };
    if state.settings.delivery.require_token && token.is_none() {
        return Err(AppError::Unauthorized(
            "a delivery token is required".into(),
        ));
    }
    if request.preview && !token.as_ref().is_some_and(|t| t.kind == TokenKind::Preview) {
        return Err(AppError::Unauthorized(
            "preview=true needs a preview token".into(),
        ));
    }
    Ok(token)
}

/// The site asked for, or the token's; a token bound to a site reads only that site.
async fn site_of(
    state: &AppState,
    request: &Request,
    token: Option<&ApiToken>,
) -> Result<Option<Site>, AppError> {
    let site_code = match (
        request.site.as_deref(),
        token.and_then(|t| t.site.as_deref()),
    ) {
        (Some(asked), Some(bound)) if asked != bound => {
            return Err(AppError::Forbidden(format!(
                "this token is for the site {bound}"
            )));
        }
        (Some(asked), _) => Some(asked.to_owned()),
        (None, bound) => bound.map(str::to_owned),
    };
    match site_code {
        Some(code) => Ok(Some(
            sites::find_public(&state.db, &code).await?.ok_or_else(|| {
                AppError::invalid_parameter("site", format!("there is no site {code:?}"))
            })?,
        )),
        None => Ok(None),
    }
}

fn parse_locale(state: &AppState, raw: &str, name: &str) -> Result<Locale, AppError> {
    Locale::parse(raw, &state.settings.content.locales)
        .map_err(|m| AppError::invalid_parameter(name.to_owned(), m))
}

/// The locale to serve first: `locale`, else the site's default; with neither, every
/// locale where the operation allows it.
fn first_locales(
    state: &AppState,
    request: &Request,
    site: Option<&Site>,
) -> Result<Vec<Locale>, AppError> {
    let configured = &state.settings.content.locales;
    match (&request.locale, site) {
        (Some(raw), _) => Ok(vec![parse_locale(state, raw, "locale")?]),
        (None, Some(site)) => Ok(vec![site.default_locale.clone()]),
        (None, None) if request.any_locale => Ok(configured
            .iter()
            .map(|l| Locale::from_stored(l.clone()))
            .collect()),
        (None, None) => Err(AppError::invalid_parameter(
            "locale",
            "name a site (?site=be) or a locale (?locale=fr)",
        )),
    }
}

/// The locales to fall back to: `fallback`, else the site's chain.
fn fallback_locales(
    state: &AppState,
    request: &Request,
    site: Option<&Site>,
) -> Result<Vec<Locale>, AppError> {
    let configured = &state.settings.content.locales;
    match (&request.fallback, site) {
        (Some(raw), _) => {
            let parts: Vec<&str> = raw
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect();
            if parts.len() > configured.len() {
                return Err(AppError::invalid_parameter(
                    "fallback",
                    format!("at most {} locales", configured.len()),
                ));
            }
            parts
                .into_iter()
                .map(|part| parse_locale(state, part, "fallback"))
                .collect()
        }
        (None, Some(site)) => Ok(site.fallback.clone()),
        (None, None) => Ok(Vec::new()),
    }
}
