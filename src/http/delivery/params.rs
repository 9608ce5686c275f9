//! The query of a delivery request: which parameters each operation takes, who reads
//! (the audience), and which kind the path names.

use poem::Request;

use crate::domain::content::ContentKind;
use crate::domain::{CountryCode, Locale};
use crate::error::AppError;
use crate::http::client;
use crate::services::delivery::{self, Audience};
use crate::state::AppState;

/// The query parameters every read understands; anything an operation does not name is
/// refused (400).
const SHARED: [&str; 6] = ["site", "locale", "fallback", "preview", "page", "per_page"];

/// A delivery request's query string, parsed once.
pub(super) struct QueryParams(Vec<(String, String)>);

impl QueryParams {
    pub(super) fn of(req: &Request) -> Self {
        Self(
            url::form_urlencoded::parse(req.uri().query().unwrap_or_default().as_bytes())
                .into_owned()
                .collect(),
        )
    }

    /// The first value of `name`.
    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Refuses any parameter other than the shared ones (without `page` and `per_page`
    /// unless `paged`) and `own`.
    fn allow_only(&self, own: &[&str], paged: bool) -> Result<(), AppError> {
        for (name, _) in &self.0 {
            let shared = SHARED.contains(&name.as_str())
                && (paged || (name != "page" && name != "per_page"));
            if !shared && !own.contains(&name.as_str()) {
                return Err(AppError::invalid_parameter(
                    name.clone(),
                    "is not a parameter of this request",
                ));
            }
        }
        Ok(())
    }

    /// A list (`single: false`) or one item of `kind`.
    pub(super) fn check_read(&self, kind: ContentKind, single: bool) -> Result<(), AppError> {
        let filters: &[&str] = match (single, kind) {
            (true, _) => &[],
            (false, ContentKind::News) => &["country", "tag", "fields"],
            (false, ContentKind::Event) => &["country", "when", "language", "tag", "fields"],
            (false, ContentKind::Material) => &["event", "kind", "fields"],
            (false, ContentKind::Page) => &["fields"],
        };
        self.allow_only(filters, !single)
    }

    /// A sitemap is of a site, in all its locales, published only: `site` and `part`.
    pub(super) fn check_sitemap(&self) -> Result<(), AppError> {
        for (name, _) in &self.0 {
            if name != "site" && name != "part" {
                return Err(AppError::invalid_parameter(
                    name.clone(),
                    "is not a parameter of this request",
                ));
            }
        }
        if self.get("site").is_none() {
            return Err(AppError::invalid_parameter("site", "is required"));
        }
        Ok(())
    }

    /// Search takes the shared parameters, `q` and `kind`.
    pub(super) fn check_search(&self) -> Result<(), AppError> {
        self.allow_only(&["q", "kind"], true)
    }
}

/// Who reads: the token's checks and the locale chain of `site`, `locale`, `fallback`.
pub(super) async fn audience(
    state: &AppState,
    req: &Request,
    params: &QueryParams,
    any_locale: bool,
) -> Result<Audience, AppError> {
    let preview = match params.get("preview") {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(AppError::invalid_parameter(
                "preview",
                format!("{other:?} is not true or false"),
            ));
        }
    };
    let request = delivery::Request {
        site: params.get("site").map(str::to_owned),
        locale: params.get("locale").map(str::to_owned),
        fallback: params.get("fallback").map(str::to_owned),
        preview,
        bearer: client::bearer(req).map(str::to_owned),
        any_locale,
    };
    delivery::resolve(state, request).await
}

pub(super) fn cache_control(state: &AppState, audience: &Audience) -> String {
    if audience.preview {
        "no-store".into()
    } else {
        state.settings.delivery.cache_control.clone()
    }
}

/// A list's `country`, parsed: 400 naming it.
pub(super) fn country(raw: Option<String>) -> Result<Option<CountryCode>, AppError> {
    raw.map(|raw| CountryCode::parse(&raw).map_err(|m| AppError::invalid_parameter("country", m)))
        .transpose()
}

/// A list's `language`, one of the configured locales: 400 naming it.
pub(super) fn language(state: &AppState, raw: Option<String>) -> Result<Option<Locale>, AppError> {
    raw.map(|raw| {
        Locale::parse(&raw, &state.settings.content.locales)
            .map_err(|m| AppError::invalid_parameter("language", m))
    })
    .transpose()
}
