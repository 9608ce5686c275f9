//! Which account a provider's person signs in to: the one linked to their subject; else
//! the one of their e-mail address, if the provider vouches for it (`email_verified`),
//! which is then linked; else an open invitation to that address, accepted; else, when
//! the provider may make accounts, a new one for an allowed domain with the provider's
//! role and scope. Nothing else: anyone can open an account at a public provider.

use chrono::{DateTime, Utc};
use entity::ids::UserId;
use entity::invitation::{Column as InvitationColumn, Entity as Invitations};
use entity::user::Entity as Users;
use entity::user_identity::{self, Column, Entity as Identities};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;

use super::{Claims, Failure};
use crate::auth::token;
use crate::domain::Role;
use crate::error::AppError;
use crate::services::kernel::audit::{self, AuditAction, Event, Who};
use crate::services::kernel::unit_of_work::UnitOfWork;
use crate::services::scopes;
use crate::services::users::{self, NewUser, User};
use crate::settings::OidcProviderSettings;
use crate::state::AppState;

/// The account `claims` sign in to, or why none.
pub(super) async fn account_for(
    state: &AppState,
    provider: &OidcProviderSettings,
    claims: &Claims,
    now: DateTime<Utc>,
) -> Result<Result<User, Failure>, AppError> {
    let linked = Identities::find_by_id((provider.id.clone(), claims.subject.clone()))
        .one(&state.db)
        .await?;
    if let Some(linked) = linked {
        Identities::update_many()
            .col_expr(Column::LastUsedAt, Expr::value(now))
            .filter(Column::Provider.eq(&provider.id))
            .filter(Column::Subject.eq(&claims.subject))
            .exec(&state.db)
            .await?;
        return Ok(enabled_user(state, linked.user_id)
            .await?
            .ok_or(Failure::AccountDisabled));
    }
    let Some(email) = claims.email.clone().filter(|_| claims.email_verified) else {
        return Ok(Err(Failure::EmailUnverified));
    };
    if let Some(existing) = users::find_by_email(&state.db, &email).await? {
        if existing.disabled_at.is_some() {
            return Ok(Err(Failure::AccountDisabled));
        }
        // An account linked to another of the provider's people already is not taken
        // over by a second one with the same address.
        let linked_here = Identities::find()
            .filter(Column::Provider.eq(&provider.id))
            .filter(Column::UserId.eq(existing.id))
            .one(&state.db)
            .await?;
        if linked_here.is_some() {
            return Ok(Err(Failure::NoAccount));
        }
        let user = User::try_from(existing)?;
        link(state, provider, claims, &email, &user, now).await?;
        return Ok(Ok(user));
    }
    let invited = Invitations::find()
        .filter(InvitationColumn::Email.eq(&email))
        .filter(InvitationColumn::AcceptedAt.is_null())
        .filter(InvitationColumn::WithdrawnAt.is_null())
        .filter(InvitationColumn::ExpiresAt.gt(now))
        .one(&state.db)
        .await?;
    if let Some(invitation) = invited {
        let scope = scopes::from_json(
            invitation.scope_countries.clone(),
            invitation.scope_locales.clone(),
        )?;
        let new = NewUser {
            email: email.clone(),
            display_name: Some(invitation.display_name.clone())
                .filter(|n| !n.is_empty())
                .or_else(|| claims.name.clone()),
            role: invitation.role,
            countries: scope.countries.iter().map(ToString::to_string).collect(),
            locales: scope.locales.iter().map(ToString::to_string).collect(),
            password: unusable_password(),
            must_change_password: false,
            language: Some(invitation.language.clone()),
        };
        let user = create(
            state,
            provider,
            claims,
            &email,
            new,
            now,
            Some(invitation.id),
        )
        .await?;
        return Ok(Ok(user));
    }
    let domain = email.rsplit('@').next().unwrap_or_default();
    let allowed = provider.create_accounts
        && provider
            .allowed_domains
            .iter()
            .any(|d| d.trim_start_matches('@').eq_ignore_ascii_case(domain));
    if !allowed {
        return Ok(Err(Failure::NoAccount));
    }
    let role: Role = provider.role.parse().map_err(AppError::internal)?;
    let new = NewUser {
        email: email.clone(),
        display_name: claims.name.clone(),
        role,
        countries: provider.countries.clone(),
        locales: provider.locales.clone(),
        password: unusable_password(),
        must_change_password: false,
        language: None,
    };
    Ok(Ok(
        create(state, provider, claims, &email, new, now, None).await?
    ))
}

/// A password nobody knows (256 random bits, hashed like any other): the account signs
/// in through its provider until its owner sets one through a reset link.
fn unusable_password() -> String {
    token::generate("sso-")
}

/// Makes the account (accepting `invitation` when it came from one) and links it.
async fn create(
    state: &AppState,
    provider: &OidcProviderSettings,
    claims: &Claims,
    email: &str,
    new: NewUser,
    now: DateTime<Utc>,
    invitation: Option<entity::ids::InvitationId>,
) -> Result<User, AppError> {
    // Validated and hashed before the transaction: no connection waits on argon2.
    let prepared = users::prepare(state, new).await?;
    let work = UnitOfWork::begin(state).await?;
    let txn = work.txn();
    let user = users::insert(txn, prepared).await?;
    if let Some(id) = invitation {
        let taken = Invitations::update_many()
            .col_expr(InvitationColumn::AcceptedAt, Expr::value(Some(now)))
            .col_expr(InvitationColumn::UserId, Expr::value(Some(user.id)))
            .filter(InvitationColumn::Id.eq(id))
            .filter(InvitationColumn::AcceptedAt.is_null())
            .filter(InvitationColumn::WithdrawnAt.is_null())
            .exec(txn)
            .await?;
        if taken.rows_affected == 0 {
            work.rollback().await?;
            return Err(AppError::Unauthorized(
                "the invitation was accepted or withdrawn meanwhile; sign in again".into(),
            ));
        }
    }
    let (action, resource, id) = match invitation {
        Some(id) => (AuditAction::InvitationAccept, "invitation", id.to_string()),
        None => (AuditAction::UserCreate, "user", user.id.to_string()),
    };
    let event = Event::success(action, resource, id).with_details(json!({
        "method": "single sign-on", "provider": provider.id, "role": user.role.as_str(),
    }));
    audit::record(txn, now, Who::user(&user, None), event).await?;
    insert_identity(txn, provider, claims, email, user.id, now).await?;
    work.commit().await?;
    Ok(user)
}

/// Links an existing account to the provider's subject, in the audit log.
async fn link(
    state: &AppState,
    provider: &OidcProviderSettings,
    claims: &Claims,
    email: &str,
    user: &User,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let work = UnitOfWork::begin(state).await?;
    insert_identity(work.txn(), provider, claims, email, user.id, now).await?;
    let event = Event::success(AuditAction::UserSsoLink, "user", user.id)
        .with_details(json!({ "provider": provider.id, "matched_by": "verified e-mail" }));
    audit::record(work.txn(), now, Who::user(user, None), event).await?;
    work.commit().await
}

async fn insert_identity(
    txn: &impl ConnectionTrait,
    provider: &OidcProviderSettings,
    claims: &Claims,
    email: &str,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    Identities::insert(user_identity::ActiveModel {
        provider: Set(provider.id.clone()),
        subject: Set(claims.subject.clone()),
        user_id: Set(user),
        email: Set(email.to_owned()),
        created_at: Set(now),
        last_used_at: Set(now),
    })
    .on_conflict_do_nothing_on([Column::Provider, Column::Subject])
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// The account `id`, if it exists and is enabled.
pub(super) async fn enabled_user(state: &AppState, id: UserId) -> Result<Option<User>, AppError> {
    Users::find_by_id(id)
        .one(&state.db)
        .await?
        .filter(|u| u.disabled_at.is_none())
        .map(User::try_from)
        .transpose()
}

/// The provider (its display name) whose accounts may not sign in with a password, if
/// `user` is linked to one.
pub async fn password_refused_by(
    state: &AppState,
    user: UserId,
) -> Result<Option<String>, AppError> {
    let refusing: Vec<&OidcProviderSettings> = state
        .settings
        .auth
        .oidc
        .iter()
        .filter(|p| !p.password_sign_in)
        .collect();
    if refusing.is_empty() {
        return Ok(None);
    }
    let linked = Identities::find()
        .filter(Column::UserId.eq(user))
        .all(&state.db)
        .await?;
    Ok(refusing
        .into_iter()
        .find(|p| linked.iter().any(|l| l.provider == p.id))
        .map(|p| p.display_name.clone()))
}
