//! API tokens: `delivery` (read published content), `preview` (read drafts through
//! the delivery API), `admin` (automation, acting with a role and scope). The secret
//! is returned once; only its SHA-256 is stored.

use chrono::{DateTime, TimeDelta, Utc};
use entity::api_token::{self, Column, Entity as Tokens};
use entity::ids::{ActorId, TokenId, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};
use serde_json::json;
use uuid::Uuid;

use crate::auth::token;
use crate::domain::{Role, Scope, SiteCode};
use crate::error::{AppError, FieldErrors};
use crate::policy::Action;
use crate::services::kernel::actor::Actor;
use crate::services::kernel::audit::{self, AuditAction, Event};
pub use crate::services::kernel::identity::{ApiToken, PreviewOf, TokenKind, secret_prefix};
use crate::services::kernel::unit_of_work::UnitOfWork;
use crate::services::pagination::{PageRequest, Paged};
use crate::services::{scopes, sites};
use crate::state::AppState;

const INVALID_TOKEN: &str = "the token is missing, invalid, revoked or expired";

/// A token request as received.
#[derive(Debug, Clone, Default)]
pub struct NewToken {
    pub name: String,
    pub kind: Option<TokenKind>,
    pub site: Option<String>,
    pub role: Option<Role>,
    pub countries: Vec<String>,
    pub locales: Vec<String>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// A preview link's token: a preview token bound to `site` that shows the draft of one
/// translation, until `expires_at`. The caller authorizes and audits; written in `db`
/// (the caller's transaction). Returns the token's secret.
pub async fn insert_preview_link(
    db: &impl sea_orm::ConnectionTrait,
    actor: &Actor,
    site: &str,
    preview_of: &PreviewOf,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<String, AppError> {
    let kind = TokenKind::Preview;
    let secret = token::generate(secret_prefix(kind));
    let (countries, locales) = scopes::to_json(&Scope::default());
    let model = api_token::ActiveModel {
        id: Set(TokenId::new()),
        name: Set(format!(
            "Preview link: {} {} on {site}",
            preview_of.document_id, preview_of.locale
        )),
        kind: Set(kind),
        token_hash: Set(token::hash(&secret)),
        hint: Set(secret.chars().take(10).collect()),
        site_code: Set(Some(site.to_owned())),
        role: Set(None),
        scope_countries: Set(countries),
        scope_locales: Set(locales),
        created_by: Set(actor.user().map(|u| u.id.into())),
        created_at: Set(now),
        expires_at: Set(Some(expires_at)),
        last_used_at: Set(None),
        revoked_at: Set(None),
        document_id: Set(Some(preview_of.document_id)),
        locale: Set(Some(preview_of.locale.clone())),
    };
    Tokens::insert(model).exec(db).await?;
    Ok(secret)
}

/// A new token's request, checked: every invalid field named at once.
struct Checked {
    name: String,
    kind: TokenKind,
    site: Option<SiteCode>,
    scope: Scope,
}

async fn check(state: &AppState, new: &NewToken, now: DateTime<Utc>) -> Result<Checked, AppError> {
    let mut errors = FieldErrors::new();
    let name = new.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push("name", "must be 1 to 200 characters");
    }
    let kind = new.kind.unwrap_or(TokenKind::Delivery);
    let site = match &new.site {
        Some(_) if kind == TokenKind::Admin => {
            errors.push("site", "admin tokens act by role and scope, not for a site");
            None
        }
        Some(raw) => errors.check("site", SiteCode::parse(raw)),
        None => None,
    };
    let scope = scopes::parse(
        &new.countries,
        &new.locales,
        &state.settings.content.locales,
        "scope",
        &mut errors,
    );
    check_role_and_scope(kind, new.role, &scope, &mut errors);
    if new.expires_at.is_some_and(|at| at <= now) {
        errors.push("expires_at", "must be in the future");
    }
    errors.finish()?;
    if let Some(site) = &site
        && !sites::exists(&state.db, site.as_str()).await?
    {
        return Err(AppError::invalid(
            "site",
            format!("there is no site {site}"),
        ));
    }
    Ok(Checked {
        name,
        kind,
        site,
        scope,
    })
}

/// Admin tokens act with a role and maybe a scope (none for the admin role); delivery
/// and preview tokens have neither.
fn check_role_and_scope(
    kind: TokenKind,
    role: Option<Role>,
    scope: &Scope,
    errors: &mut FieldErrors,
) {
    match (kind, role) {
        (TokenKind::Admin, None) => errors.push("role", "admin tokens need the role they act with"),
        (TokenKind::Delivery | TokenKind::Preview, Some(_)) => {
            errors.push("role", "only admin tokens have a role")
        }
        _ => {}
    }
    if let Some(refusal) = role.and_then(|role| crate::policy::scope_refusal(role, scope)) {
        errors.push("scope", refusal);
    }
    if kind != TokenKind::Admin && *scope != Scope::default() {
        errors.push(
            "scope",
            "only admin tokens have a scope; bind delivery and preview tokens to a site",
        );
    }
}

/// Creates a token; returns it with its secret, which is never shown again.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    new: NewToken,
) -> Result<(ApiToken, String), AppError> {
    audit::authorize(state, actor, Action::ManageTokens, "token", None).await?;
    let now = state.clock.now();
    let Checked {
        name,
        kind,
        site,
        scope,
    } = check(state, &new, now).await?;

    let secret = token::generate(secret_prefix(kind));
    let (countries, locales) = scopes::to_json(&scope);
    let model = api_token::ActiveModel {
        id: Set(TokenId::new()),
        name: Set(name),
        kind: Set(kind),
        token_hash: Set(token::hash(&secret)),
        hint: Set(secret.chars().take(10).collect()),
        site_code: Set(site.map(|s| s.as_str().to_owned())),
        role: Set(new.role),
        scope_countries: Set(countries),
        scope_locales: Set(locales),
        created_by: Set(actor.user().map(|u| u.id.into())),
        created_at: Set(now),
        expires_at: Set(new.expires_at),
        last_used_at: Set(None),
        revoked_at: Set(None),
        document_id: Set(None),
        locale: Set(None),
    };
    let work = UnitOfWork::begin(state).await?;
    let txn = work.txn();
    let created: ApiToken = Tokens::insert(model)
        .exec_with_returning(txn)
        .await?
        .try_into()?;
    let event = Event::success(AuditAction::TokenCreate, "token", created.id).with_details(json!({
        "name": created.name, "kind": kind.as_str(), "site": created.site,
        "role": created.role.map(Role::as_str),
    }));
    audit::record(txn, now, actor, event).await?;
    work.commit().await?;
    Ok((created, secret))
}

/// Tokens, newest first; revoked ones too, so their history stays visible.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    page: PageRequest,
) -> Result<Paged<ApiToken>, AppError> {
    audit::authorize(state, actor, Action::ManageTokens, "token", None).await?;
    let paginator = Tokens::find()
        .order_by_desc(Column::Id)
        .paginate(&state.db, page.size);
    let total = paginator.num_items().await?;
    let items = paginator.fetch_page(page.index()).await?;
    let creators: Vec<Uuid> = items
        .iter()
        .filter_map(|t| t.created_by)
        .map(Uuid::from)
        .collect();
    let active: std::collections::HashSet<ActorId> = entity::user::Entity::find()
        .filter(entity::user::Column::Id.is_in(creators))
        .filter(entity::user::Column::DisabledAt.is_null())
        .all(&state.db)
        .await?
        .into_iter()
        .map(|user| user.id.into())
        .collect();
    Paged::new(items, total, page).try_map(|model| {
        let mut token = ApiToken::try_from(model)?;
        token.creator_left = token.created_by.is_some_and(|id| !active.contains(&id));
        Ok(token)
    })
}

/// Revokes the live admin tokens that `user` created, inside the caller's transaction
/// (disabling or deleting the user); returns their ids. Delivery and preview tokens
/// stay: national sites must not go offline because someone left.
pub async fn revoke_admin_tokens_of(
    txn: &impl sea_orm::ConnectionTrait,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<Vec<TokenId>, AppError> {
    let ids: Vec<TokenId> = live_admin_tokens_of(txn, &[user], now)
        .await?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    if !ids.is_empty() {
        Tokens::update_many()
            .col_expr(Column::RevokedAt, Expr::value(Some(now)))
            .filter(Column::Id.is_in(ids.clone()))
            .exec(txn)
            .await?;
    }
    Ok(ids)
}

/// The live (not revoked, not expired) admin tokens each of `users` created:
/// (token id, creator id).
pub async fn live_admin_tokens_of(
    db: &impl sea_orm::ConnectionTrait,
    users: &[UserId],
    now: DateTime<Utc>,
) -> Result<Vec<(TokenId, ActorId)>, AppError> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    Ok(Tokens::find()
        .filter(Column::Kind.eq(TokenKind::Admin))
        .filter(Column::RevokedAt.is_null())
        .filter(Column::CreatedBy.is_in(users.iter().map(|&user| ActorId::from(user))))
        .all(db)
        .await?
        .into_iter()
        .filter(|t| t.expires_at.is_none_or(|at| at > now))
        .filter_map(|t| Some((t.id, t.created_by?)))
        .collect())
}

/// Revokes a token; it is refused from the next request on.
pub async fn revoke(state: &AppState, actor: &Actor, id: TokenId) -> Result<(), AppError> {
    audit::authorize(
        state,
        actor,
        Action::ManageTokens,
        "token",
        Some(id.to_string()),
    )
    .await?;
    let now = state.clock.now();
    let work = UnitOfWork::begin(state).await?;
    let txn = work.txn();
    let Some(found) = Tokens::find_by_id(id).one(txn).await? else {
        return Err(AppError::NotFound(format!("there is no token {id}")));
    };
    if found.revoked_at.is_none() {
        Tokens::update_many()
            .col_expr(Column::RevokedAt, Expr::value(Some(now)))
            .filter(Column::Id.eq(id))
            .exec(txn)
            .await?;
        audit::record(
            txn,
            now,
            actor,
            Event::success(AuditAction::TokenRevoke, "token", id),
        )
        .await?;
    }
    work.commit().await?;
    Ok(())
}

/// Verifies an API token's secret: known, not revoked, not expired.
pub async fn authenticate(state: &AppState, secret: &str) -> Result<ApiToken, AppError> {
    let now = state.clock.now();
    let found = Tokens::find()
        .filter(Column::TokenHash.eq(token::hash(secret)))
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::Unauthorized(INVALID_TOKEN.into()))?;
    if found.revoked_at.is_some() || found.expires_at.is_some_and(|at| at <= now) {
        return Err(AppError::Unauthorized(INVALID_TOKEN.into()));
    }
    // Recording every use would turn each read into a write; once a minute is enough.
    if found
        .last_used_at
        .is_none_or(|at| now - at > TimeDelta::minutes(1))
    {
        Tokens::update_many()
            .col_expr(Column::LastUsedAt, Expr::value(Some(now)))
            .filter(Column::Id.eq(found.id))
            .exec(&state.db)
            .await?;
    }
    found.try_into()
}
