//! Preview links: the URL of a site's preview route for one translation's draft, with a
//! short-lived preview token that shows that draft and nothing else unpublished. Editors
//! open it to see the draft in the real site design.

use chrono::{DateTime, TimeDelta, Utc};
use entity::ids::ItemId;
use serde_json::json;

use super::load;
use crate::domain::Locale;
use crate::domain::content::ContentKind;
use crate::domain::country::site_shows;
use crate::domain::routes::Values;
use crate::error::AppError;
use crate::policy::Action;
use crate::services::kernel::actor::Actor;
use crate::services::kernel::audit::{self, AuditAction, Event};
use crate::services::kernel::unit_of_work::UnitOfWork;
use crate::services::sites;
use crate::services::tokens::{self, PreviewOf};
use crate::state::AppState;

/// A preview link, with the token it carries (also in `url`).
#[derive(Debug, Clone)]
pub struct PreviewLink {
    pub url: String,
    pub token: String,
    pub site: String,
    pub expires_at: DateTime<Utc>,
}

/// Anyone who may read the draft may get a link to it: the token shows no more than
/// they can read, for `delivery.preview_link_minutes`.
pub async fn create_preview_link(
    state: &AppState,
    actor: &Actor,
    kind: ContentKind,
    id: ItemId,
    locale: &str,
    site_code: &str,
) -> Result<PreviewLink, AppError> {
    let locale = Locale::parse(locale, &state.settings.content.locales)
        .map_err(|m| AppError::NotFound(format!("no translation {locale:?}: {m}")))?;
    let document = load::live_document(&state.db, kind, id).await?;
    audit::authorize(
        state,
        actor,
        Action::ReadContent,
        kind.as_str(),
        Some(id.to_string()),
    )
    .await?;
    let draft = load::translation(&state.db, id, &locale)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(format!("the {kind} {id} has no {locale} translation"))
        })?;
    let site = sites::find_public(&state.db, site_code)
        .await?
        .ok_or_else(|| AppError::invalid("site", format!("there is no site {site_code:?}")))?;
    let Some(preview_url) = &site.preview_url else {
        return Err(AppError::invalid(
            "site",
            format!("the site {site_code} has no preview route: set its preview_url"),
        ));
    };
    let countries = load::countries(&document)?;
    if !site_shows(&site.countries, &countries) {
        return Err(AppError::invalid(
            "site",
            format!("the site {site_code} does not show this {kind} (not its countries)"),
        ));
    }
    let now = state.clock.now();
    let minutes = i64::from(state.settings.delivery.preview_link_minutes);
    let expires_at = now + TimeDelta::minutes(minutes);
    let preview_of = PreviewOf {
        document_id: id,
        locale: locale.to_string(),
    };
    let work = UnitOfWork::begin(state).await?;
    let txn = work.txn();
    let token =
        tokens::insert_preview_link(txn, actor, &site.code, &preview_of, now, expires_at).await?;
    let event =
        Event::success(AuditAction::PreviewLinkCreate, kind.as_str(), id).with_details(json!({
            "locale": locale.as_str(), "site": site.code, "expires_at": expires_at,
        }));
    audit::record(txn, now, actor, event).await?;
    work.commit().await?;
    let id = id.to_string();
    let url = preview_url
        .fill(&Values {
            locale: Some(locale.as_str()),
            slug: Some(&draft.slug),
            path: None,
            id: Some(&id),
            kind: Some(kind.plural()),
            token: Some(&token),
            action: None,
        })
        .ok_or_else(|| AppError::internal("a preview route has a placeholder it may not have"))?;
    Ok(PreviewLink {
        url,
        token,
        site: site.code,
        expires_at,
    })
}
