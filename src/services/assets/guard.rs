//! Who may change or delete a file: the right to manage assets, and then the right to
//! edit everything the file shows up in. A file's title, alt text and name appear on
//! every item that uses it (live ones included, without a new publish), so changing
//! them is editing those items; replacing the file rewrites their drafts. A file
//! nothing uses belongs to the countries of whoever uploaded it.

use entity::asset;
use entity::ids::ActorId;

use super::usage;
use crate::domain::{CountryCode, Locale};
use crate::error::AppError;
use crate::policy::Action;
use crate::services::kernel::actor::Actor;
use crate::services::kernel::audit;
use crate::services::scopes;
use crate::state::AppState;

/// Refuses (403, recorded) unless `actor` may change `found` and every use of it.
pub async fn authorize_change(
    state: &AppState,
    actor: &Actor,
    found: &asset::Model,
) -> Result<(), AppError> {
    let resource = Some(found.id.to_string());
    audit::authorize(
        state,
        actor,
        Action::ManageAssets,
        "asset",
        resource.clone(),
    )
    .await?;
    let mut users = usage::users(&state.db, found.id).await?;
    users.sort_by(|a, b| (&a.countries, &a.locale).cmp(&(&b.countries, &b.locale)));
    users.dedup_by(|a, b| a.countries == b.countries && a.locale == b.locale);
    if users.is_empty() {
        let uploader = uploader_countries(state, found.uploaded_by).await?;
        let action = Action::ManageUnusedAsset {
            uploader_countries: uploader.as_deref(),
        };
        return audit::authorize(state, actor, action, "asset", resource).await;
    }
    for used in users {
        let locale = used.locale.map(Locale::from_stored);
        let action = match &locale {
            Some(locale) => Action::EditTranslation {
                countries: &used.countries,
                locale,
            },
            None => Action::EditItem {
                countries: &used.countries,
            },
        };
        audit::authorize(state, actor, action, "asset", resource.clone()).await?;
    }
    Ok(())
}

/// The countries of whoever uploaded a file (a user or an admin token); `None` when
/// nobody is known, or they are gone, disabled, revoked or expired.
async fn uploader_countries(
    state: &AppState,
    uploaded_by: Option<ActorId>,
) -> Result<Option<Vec<CountryCode>>, AppError> {
    let Some(id) = uploaded_by else {
        return Ok(None);
    };
    use sea_orm::EntityTrait as _;
    if let Some(user) = entity::user::Entity::find_by_id(id.as_user())
        .one(&state.db)
        .await?
    {
        if user.disabled_at.is_some() {
            return Ok(None);
        }
        let scope = scopes::from_json(user.scope_countries, user.scope_locales)?;
        return Ok(Some(scope.countries.into_iter().collect()));
    }
    if let Some(token) = entity::api_token::Entity::find_by_id(id.as_token())
        .one(&state.db)
        .await?
    {
        let now = state.clock.now();
        if token.revoked_at.is_some() || token.expires_at.is_some_and(|at| at <= now) {
            return Ok(None);
        }
        let scope = scopes::from_json(token.scope_countries, token.scope_locales)?;
        return Ok(Some(scope.countries.into_iter().collect()));
    }
    Ok(None)
}
