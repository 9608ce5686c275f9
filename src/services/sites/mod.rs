//! Sites: the national frontends, with their countries, locales and fallback chain.

use chrono::{DateTime, Utc};
use entity::api_token::{self, Entity as ApiTokens};
use entity::site::{self, Column, Entity as Sites};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set, SqlErr,
};
use serde_json::{Value, json};

use crate::domain::consent::SiteConsent;
use crate::domain::content::ContentKind;
use crate::domain::routes::{self, Placeholder, Route, SiteRoutes, UrlPattern};
use crate::domain::{CountryCode, Locale, SiteCode};
use crate::error::{AppError, FieldErrors, Refusal};
use crate::policy::Action;
use crate::services::kernel::actor::Actor;
use crate::services::kernel::audit::{self, AuditAction, Event};
use crate::services::kernel::events::{DomainEvent, SiteChange, SiteChanged};
use crate::services::kernel::unit_of_work::UnitOfWork;
use crate::services::pagination::{PageRequest, Paged};
use crate::state::AppState;

mod preview;

pub use preview::{LocalePreview, SitePreview, preview};

#[derive(Debug, Clone)]
pub struct Site {
    pub code: String,
    pub name: String,
    /// The countries whose content the site shows; empty: EU-wide.
    pub countries: Vec<CountryCode>,
    pub locales: Vec<Locale>,
    pub default_locale: Locale,
    /// Locales tried, in order, when a translation is missing.
    pub fallback: Vec<Locale>,
    /// Where the frontend shows items, per kind and locale.
    pub routes: Vec<Route>,
    /// Where the frontend previews a draft, with `{token}`.
    pub preview_url: Option<UrlPattern>,
    /// What the sign-up form asks people to agree to; `None`: buysocial's own text.
    pub registration_consent: Option<SiteConsent>,
    /// Where the site shows the pages of mailed sign-up links (`{action}`, `{token}`);
    /// `None`: buysocial's own pages.
    pub sign_up_links_url: Option<UrlPattern>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Site {
    /// The site's routes, each serving only the site's locales.
    pub fn item_routes(&self) -> SiteRoutes {
        SiteRoutes::new(self.routes.clone(), self.locales.clone())
    }
}

/// A route as stored: `{"kind": "news", "locale": "fr" | null, "pattern": "…"}`.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct StoredRoute {
    kind: String,
    locale: Option<String>,
    pattern: String,
}

fn routes_from_stored(value: Value) -> Result<Vec<Route>, AppError> {
    let stored: Vec<StoredRoute> = serde_json::from_value(value).map_err(AppError::internal)?;
    stored
        .into_iter()
        .map(|route| {
            Ok(Route {
                kind: route.kind.parse().map_err(AppError::internal)?,
                locale: route.locale.map(Locale::from_stored),
                pattern: UrlPattern::from_stored(&route.pattern),
            })
        })
        .collect()
}

fn routes_to_stored(routes: &[Route]) -> Value {
    let stored: Vec<StoredRoute> = routes
        .iter()
        .map(|route| StoredRoute {
            kind: route.kind.as_str().to_owned(),
            locale: route.locale.as_ref().map(ToString::to_string),
            pattern: route.pattern.as_str().to_owned(),
        })
        .collect();
    serde_json::to_value(stored).unwrap_or_else(|_| Value::Array(Vec::new()))
}

impl TryFrom<site::Model> for Site {
    type Error = AppError;

    fn try_from(model: site::Model) -> Result<Self, AppError> {
        let strings = |value: Value| -> Result<Vec<String>, AppError> {
            serde_json::from_value(value).map_err(AppError::internal)
        };
        Ok(Self {
            countries: strings(model.countries)?
                .into_iter()
                .map(CountryCode::from_stored)
                .collect(),
            locales: strings(model.locales)?
                .into_iter()
                .map(Locale::from_stored)
                .collect(),
            fallback: strings(model.fallback)?
                .into_iter()
                .map(Locale::from_stored)
                .collect(),
            default_locale: Locale::from_stored(model.default_locale),
            routes: routes_from_stored(model.routes)?,
            preview_url: model.preview_url.as_deref().map(UrlPattern::from_stored),
            registration_consent: model
                .registration_consent
                .map(serde_json::from_value)
                .transpose()
                .map_err(AppError::internal)?,
            sign_up_links_url: model
                .sign_up_links_url
                .as_deref()
                .map(UrlPattern::from_stored),
            code: model.code,
            name: model.name,
            created_at: model.created_at,
            updated_at: model.updated_at,
        })
    }
}

/// The fields of a site as received; `None` leaves a field as it is (on update).
#[derive(Debug, Clone, Default)]
pub struct SiteFields {
    pub name: Option<String>,
    pub countries: Option<Vec<String>>,
    pub locales: Option<Vec<String>>,
    pub default_locale: Option<String>,
    pub fallback: Option<Vec<String>>,
    pub routes: Option<Vec<RouteFields>>,
    /// `Some(None)` removes the preview route.
    pub preview_url: Option<Option<String>>,
    /// `Some(None)` goes back to buysocial's own consent text.
    pub registration_consent: Option<Option<SiteConsent>>,
    /// `Some(None)`: mailed links open buysocial's own pages again.
    pub sign_up_links_url: Option<Option<String>>,
}

/// A route as received.
#[derive(Debug, Clone)]
pub struct RouteFields {
    pub kind: ContentKind,
    /// `None`: every locale of the site without a route of its own.
    pub locale: Option<String>,
    pub pattern: String,
}

/// A site has at most one route per kind and locale, and one site-wide per kind.
const MAX_ROUTES: usize = 100;

/// Every site, by code (for webhooks: which sites an event concerns).
pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<Site>, AppError> {
    Sites::find()
        .order_by_asc(Column::Code)
        .all(db)
        .await?
        .into_iter()
        .map(Site::try_from)
        .collect()
}

pub async fn exists(db: &impl ConnectionTrait, code: &str) -> Result<bool, AppError> {
    Ok(Sites::find_by_id(code.to_owned()).count(db).await? > 0)
}

/// A site by code, for the delivery API (no actor: sites are public configuration).
pub async fn find_public(db: &impl ConnectionTrait, code: &str) -> Result<Option<Site>, AppError> {
    Sites::find_by_id(code.to_owned())
        .one(db)
        .await?
        .map(Site::try_from)
        .transpose()
}

pub async fn list(
    state: &AppState,
    actor: &Actor,
    page: PageRequest,
) -> Result<Paged<Site>, AppError> {
    audit::authorize(state, actor, Action::ReadSites, "site", None).await?;
    let paginator = Sites::find()
        .order_by_asc(Column::Code)
        .paginate(&state.db, page.size);
    let total = paginator.num_items().await?;
    let items = paginator.fetch_page(page.index()).await?;
    Paged::new(items, total, page).try_map(Site::try_from)
}

pub async fn get(state: &AppState, actor: &Actor, code: &str) -> Result<Site, AppError> {
    audit::authorize(
        state,
        actor,
        Action::ReadSites,
        "site",
        Some(code.to_owned()),
    )
    .await?;
    find(&state.db, code).await?.try_into()
}

pub async fn create(
    state: &AppState,
    actor: &Actor,
    code: &str,
    fields: SiteFields,
) -> Result<Site, AppError> {
    audit::authorize(
        state,
        actor,
        Action::ManageSites,
        "site",
        Some(code.to_owned()),
    )
    .await?;
    let mut errors = FieldErrors::new();
    let code = errors.check("code", SiteCode::parse(code));
    for (field, missing) in [
        ("name", fields.name.is_none()),
        ("locales", fields.locales.is_none()),
        ("default_locale", fields.default_locale.is_none()),
    ] {
        if missing {
            errors.push(field, "is required");
        }
    }
    let valid = validate(state, &fields, &mut errors);
    errors.finish()?;
    let Some(code) = code else {
        return Err(AppError::internal("validated site fields are missing"));
    };
    let now = state.clock.now();
    let model = active_model(code.as_str(), valid, now, now);
    let work = UnitOfWork::begin(state).await?;
    let created = match Sites::insert(model).exec_with_returning(work.txn()).await {
        Ok(created) => created,
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(AppError::refused(
                Refusal::AlreadyExists,
                format!("a site with the code {code} already exists"),
            ));
        }
        Err(err) => return Err(err.into()),
    };
    let announced = SiteChanged {
        site: code.to_string(),
        change: SiteChange::Created,
        fields: None,
    };
    work.record(DomainEvent::SiteChanged(announced), now)
        .await?;
    audit::record(
        work.txn(),
        now,
        actor,
        Event::success(AuditAction::SiteCreate, "site", &code),
    )
    .await?;
    work.commit().await?;
    created.try_into()
}

impl SiteFields {
    /// These changes over the site as it is: every field the request leaves out keeps
    /// its current value.
    fn over(self, current: &Site) -> SiteFields {
        SiteFields {
            name: self.name.or_else(|| Some(current.name.clone())),
            countries: self.countries.or_else(|| Some(strings(&current.countries))),
            locales: self.locales.or_else(|| Some(strings(&current.locales))),
            default_locale: self
                .default_locale
                .or_else(|| Some(current.default_locale.to_string())),
            fallback: self.fallback.or_else(|| Some(strings(&current.fallback))),
            routes: self.routes.or_else(|| {
                Some(
                    current
                        .routes
                        .iter()
                        .map(|route| RouteFields {
                            kind: route.kind,
                            locale: route.locale.as_ref().map(ToString::to_string),
                            pattern: route.pattern.to_string(),
                        })
                        .collect(),
                )
            }),
            preview_url: self
                .preview_url
                .or_else(|| Some(current.preview_url.as_ref().map(ToString::to_string))),
            registration_consent: self
                .registration_consent
                .or_else(|| Some(current.registration_consent.clone())),
            sign_up_links_url: self
                .sign_up_links_url
                .or_else(|| Some(current.sign_up_links_url.as_ref().map(ToString::to_string))),
        }
    }

    /// The names of the fields the request gives, for the audit log and webhooks.
    fn given(&self) -> Vec<&'static str> {
        [
            ("name", self.name.is_some()),
            ("countries", self.countries.is_some()),
            ("locales", self.locales.is_some()),
            ("default_locale", self.default_locale.is_some()),
            ("fallback", self.fallback.is_some()),
            ("routes", self.routes.is_some()),
            ("preview_url", self.preview_url.is_some()),
            ("registration_consent", self.registration_consent.is_some()),
            ("sign_up_links_url", self.sign_up_links_url.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect()
    }
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    code: &str,
    fields: SiteFields,
) -> Result<Site, AppError> {
    audit::authorize(
        state,
        actor,
        Action::ManageSites,
        "site",
        Some(code.to_owned()),
    )
    .await?;
    let work = UnitOfWork::begin(state).await?;
    let current: Site = find(work.txn(), code).await?.try_into()?;
    // Check the result as a whole: a new default locale must be among the locales,
    // whether or not those change in the same request.
    let changed = fields.given();
    let merged = fields.over(&current);
    let mut errors = FieldErrors::new();
    let valid = validate(state, &merged, &mut errors);
    errors.finish()?;
    let now = state.clock.now();
    let model = active_model(&current.code, valid, current.created_at, now);
    let updated = Sites::update(model).exec(work.txn()).await?;
    let updated_site = SiteChanged {
        site: code.to_owned(),
        change: SiteChange::Updated,
        fields: Some(changed.iter().map(|f| (*f).to_owned()).collect()),
    };
    work.record(DomainEvent::SiteChanged(updated_site), now)
        .await?;
    let event = Event::success(AuditAction::SiteUpdate, "site", code)
        .with_details(json!({ "changed": changed }));
    audit::record(work.txn(), now, actor, event).await?;
    work.commit().await?;
    updated.try_into()
}

/// Deletes a site and revokes the tokens bound to it.
pub async fn delete(state: &AppState, actor: &Actor, code: &str) -> Result<(), AppError> {
    audit::authorize(
        state,
        actor,
        Action::ManageSites,
        "site",
        Some(code.to_owned()),
    )
    .await?;
    let now = state.clock.now();
    let work = UnitOfWork::begin(state).await?;
    find(work.txn(), code).await?;
    Sites::delete_by_id(code.to_owned())
        .exec(work.txn())
        .await?;
    let revoked = revoke_tokens(work.txn(), code, now).await?;
    let deleted = SiteChanged {
        site: code.to_owned(),
        change: SiteChange::Deleted,
        fields: None,
    };
    work.record(DomainEvent::SiteChanged(deleted), now).await?;
    let event = Event::success(AuditAction::SiteDelete, "site", code)
        .with_details(json!({ "revoked_tokens": revoked }));
    audit::record(work.txn(), now, actor, event).await?;
    work.commit().await?;
    Ok(())
}

async fn find(db: &impl ConnectionTrait, code: &str) -> Result<site::Model, AppError> {
    Sites::find_by_id(code.to_owned())
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no site {code}")))
}

/// Parsed site fields; each is `Some` when it was given and valid.
struct ValidSite {
    name: Option<String>,
    countries: Option<Vec<CountryCode>>,
    locales: Option<Vec<Locale>>,
    default_locale: Option<Locale>,
    fallback: Option<Vec<Locale>>,
    routes: Vec<Route>,
    preview_url: Option<UrlPattern>,
    registration_consent: Option<SiteConsent>,
    sign_up_links_url: Option<UrlPattern>,
}

fn active_model(
    code: &str,
    valid: ValidSite,
    created_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> site::ActiveModel {
    let list =
        |values: Option<Vec<Locale>>| codes(values.unwrap_or_default().iter().map(Locale::as_str));
    site::ActiveModel {
        code: Set(code.to_owned()),
        name: Set(valid.name.unwrap_or_default()),
        countries: Set(codes(
            valid
                .countries
                .unwrap_or_default()
                .iter()
                .map(CountryCode::as_str),
        )),
        locales: Set(list(valid.locales)),
        default_locale: Set(valid
            .default_locale
            .map(|l| l.as_str().to_owned())
            .unwrap_or_default()),
        fallback: Set(list(valid.fallback)),
        routes: Set(routes_to_stored(&valid.routes)),
        preview_url: Set(valid.preview_url.map(|p| p.as_str().to_owned())),
        registration_consent: Set(valid
            .registration_consent
            .and_then(|consent| serde_json::to_value(consent).ok())),
        sign_up_links_url: Set(valid.sign_up_links_url.map(|p| p.as_str().to_owned())),
        created_at: Set(created_at),
        updated_at: Set(now),
    }
}

/// Each route's locale must be one of the site's, its pattern valid for its kind, and
/// no two routes may serve the same kind and locale.
fn valid_routes(
    fields: &[RouteFields],
    locales: Option<&[Locale]>,
    configured: &[String],
    errors: &mut FieldErrors,
) -> Vec<Route> {
    if fields.len() > MAX_ROUTES {
        errors.push("routes", format!("at most {MAX_ROUTES} routes"));
        return Vec::new();
    }
    let mut valid: Vec<Route> = Vec::with_capacity(fields.len());
    for (i, route) in fields.iter().enumerate() {
        let locale = match &route.locale {
            None => None,
            Some(raw) => {
                let field = format!("routes[{i}].locale");
                match errors.check(&field, Locale::parse(raw, configured)) {
                    Some(locale) if locales.is_some_and(|l| !l.contains(&locale)) => {
                        errors.push(&field, format!("{locale} is not one of the site's locales"));
                        continue;
                    }
                    Some(locale) => Some(locale),
                    None => continue,
                }
            }
        };
        let Some(pattern) = errors.check(
            &format!("routes[{i}].pattern"),
            UrlPattern::parse(
                &route.pattern,
                Route::placeholders(route.kind),
                &Route::IDENTIFYING,
            ),
        ) else {
            continue;
        };
        let several_locales = locales.is_some_and(|l| l.len() > 1);
        if locale.is_none() && several_locales && !pattern.uses(Placeholder::Locale) {
            errors.push(
                &format!("routes[{i}].pattern"),
                "serves every locale of the site, so it must contain {locale}: otherwise \
                 each locale's page gets the same URL",
            );
            continue;
        }
        if valid
            .iter()
            .any(|other| other.kind == route.kind && other.locale == locale)
        {
            let which = locale
                .as_ref()
                .map_or_else(|| "every locale".to_owned(), ToString::to_string);
            errors.push(
                &format!("routes[{i}]"),
                format!("a second route for {} in {which}", route.kind.plural()),
            );
            continue;
        }
        valid.push(Route {
            kind: route.kind,
            locale,
            pattern,
        });
    }
    valid
}

fn validate(state: &AppState, fields: &SiteFields, errors: &mut FieldErrors) -> ValidSite {
    let configured = &state.settings.content.locales;
    let name = fields.name.as_ref().map(|n| n.trim().to_owned());
    if name
        .as_ref()
        .is_some_and(|n| n.is_empty() || n.chars().count() > 200)
    {
        errors.push("name", "must be 1 to 200 characters");
    }
    let countries = fields
        .countries
        .as_ref()
        .map(|list| unique(list, "countries", errors, CountryCode::parse));
    let locales = fields.locales.as_ref().map(|list| {
        unique(list, "locales", errors, |raw| {
            Locale::parse(raw, configured)
        })
    });
    if locales.as_ref().is_some_and(Vec::is_empty) {
        errors.push("locales", "must list at least one locale");
    }
    let default_locale = fields
        .default_locale
        .as_ref()
        .and_then(|raw| errors.check("default_locale", Locale::parse(raw, configured)));
    if let (Some(default), Some(locales)) = (&default_locale, &locales)
        && !locales.contains(default)
    {
        errors.push(
            "default_locale",
            format!("{default} is not one of the site's locales"),
        );
    }
    let fallback = fields.fallback.as_ref().map(|list| {
        unique(list, "fallback", errors, |raw| {
            Locale::parse(raw, configured)
        })
    });
    if let (Some(default), Some(fallback)) = (&default_locale, &fallback)
        && fallback.contains(default)
    {
        errors.push(
            "fallback",
            format!("lists the default locale {default}, which is always tried first"),
        );
    }
    let routes = valid_routes(
        fields.routes.as_deref().unwrap_or_default(),
        locales.as_deref(),
        configured,
        errors,
    );
    let preview_url = fields.preview_url.clone().flatten().and_then(|raw| {
        errors.check(
            "preview_url",
            UrlPattern::parse(&raw, &routes::PREVIEW_PLACEHOLDERS, &[Placeholder::Token]),
        )
    });
    let registration_consent = fields
        .registration_consent
        .clone()
        .flatten()
        .map(|mut consent| {
            consent.validate(
                "registration_consent",
                locales.as_deref().unwrap_or_default(),
                errors,
            );
            consent
        });
    let sign_up_links_url = fields.sign_up_links_url.clone().flatten().and_then(|raw| {
        let pattern = errors.check(
            "sign_up_links_url",
            UrlPattern::parse(
                &raw,
                &routes::SIGN_UP_LINK_PLACEHOLDERS,
                &[Placeholder::Token],
            ),
        )?;
        if !pattern.uses(Placeholder::Action) {
            // The page must know what to do with the token it is given.
            errors.push("sign_up_links_url", "must contain {action}");
            return None;
        }
        Some(pattern)
    });
    ValidSite {
        name,
        countries,
        locales,
        default_locale,
        fallback,
        routes,
        preview_url,
        registration_consent,
        sign_up_links_url,
    }
}

/// Parses each entry of `list`, refusing duplicates, with errors under `field[i]`.
fn unique<T: PartialEq>(
    list: &[String],
    field: &str,
    errors: &mut FieldErrors,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Vec<T> {
    let mut parsed = Vec::with_capacity(list.len());
    for (i, raw) in list.iter().enumerate() {
        if let Some(value) = errors.check(&format!("{field}[{i}]"), parse(raw)) {
            if parsed.contains(&value) {
                errors.push(&format!("{field}[{i}]"), format!("{raw:?} is listed twice"));
            } else {
                parsed.push(value);
            }
        }
    }
    parsed
}

fn codes<'a>(values: impl Iterator<Item = &'a str>) -> Value {
    Value::Array(values.map(Value::from).collect())
}

fn strings<T: ToString>(values: &[T]) -> Vec<String> {
    values.iter().map(ToString::to_string).collect()
}

/// Revokes every live token bound to `site`, inside the caller's transaction: a
/// deleted site's frontend reads nothing more.
async fn revoke_tokens(
    txn: &impl sea_orm::ConnectionTrait,
    site: &str,
    now: DateTime<Utc>,
) -> Result<u64, AppError> {
    let revoked = ApiTokens::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(Some(now)))
        .filter(api_token::Column::SiteCode.eq(site))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(txn)
        .await?;
    Ok(revoked.rows_affected)
}
