//! The query of a delivery request: which parameters each operation takes, who reads
//! (the audience), and which kind the path names.

use poem::Request;

use crate::domain::content::ContentKind;
use crate::error::AppError;
use crate::http::client;
use crate::services::delivery::{self, Audience};
use crate::state::AppState;

/// The query parameters each operation understands; anything else is refused (400).
const SHARED: [&str; 6] = ["site", "locale", "fallback", "preview", "page", "per_page"];

pub(super) fn check_parameters(
    req: &Request,
    kind: ContentKind,
    single: bool,
) -> Result<(), AppError> {
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

/// Search takes the shared parameters, `q` and `kind`.
pub(super) fn check_search_parameters(req: &Request) -> Result<(), AppError> {
    for (name, _) in url::form_urlencoded::parse(req.uri().query().unwrap_or_default().as_bytes()) {
        if !SHARED.contains(&name.as_ref()) && name != "q" && name != "kind" {
            return Err(AppError::invalid_parameter(
                name.into_owned(),
                "is not a parameter of this request",
            ));
        }
    }
    Ok(())
}

pub(super) async fn audience(state: &AppState, req: &Request) -> Result<Audience, AppError> {
    audience_of(state, req, false).await
}

pub(super) async fn audience_of(
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

/// The kind named by the path; any other first segment is simply not a resource.
pub(super) fn kind_of(segment: &str) -> Result<ContentKind, AppError> {
    ContentKind::ALL
        .into_iter()
        .find(|kind| kind.plural() == segment)
        .ok_or_else(|| AppError::NotFound("no resource at this path".into()))
}

pub(super) fn cache_control(state: &AppState, audience: &Audience) -> String {
    if audience.preview {
        "no-store".into()
    } else {
        state.settings.delivery.cache_control.clone()
    }
}
