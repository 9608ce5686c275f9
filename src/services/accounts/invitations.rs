//! Invitations: an administrator names an address, a role and a scope; the person
//! follows the mailed link (single use, expiring after `auth.invitation_hours`) and
//! chooses their own password, which makes the account and signs them in. An open
//! invitation can be sent again (a new link; the old one stops working) or withdrawn.

use chrono::{DateTime, TimeDelta, Utc};
use entity::ids::InvitationId;
use entity::invitation::{self, Column, Entity as Invitations};
use entity::user::{Column as UserColumn, Entity as Users};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait as _, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel as _,
    PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::json;

use super::links::{self, INVITATION_PREFIX};
use super::mails;
use crate::auth::token;
use crate::domain::{Email, Role, Scope};
use crate::error::{AppError, FieldErrors, Refusal};
use crate::policy::Action;
use crate::services::kernel::actor::{Actor, ClientInfo};
use crate::services::kernel::audit::{self, AuditAction, Event, Who};
use crate::services::kernel::events::DomainEvent;
use crate::services::kernel::unit_of_work::UnitOfWork;
use crate::services::pagination::{PageRequest, Paged};
use crate::services::scopes;
use crate::services::sessions::{self, LoginOutcome};
use crate::services::users::{self, NewUser};
use crate::state::AppState;

/// What an administrator asks for, as received (not yet validated).
#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub email: String,
    pub display_name: Option<String>,
    pub role: Role,
    pub countries: Vec<String>,
    pub locales: Vec<String>,
    /// The language of the mail and of the account's later mails; none: the first
    /// locale of the scope, else English.
    pub language: Option<String>,
}

/// Where an open invitation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationStatus {
    /// The link works.
    Pending,
    /// The link no longer works; it can be sent again.
    Expired,
}

/// An open invitation, as administrators see it (never with its link).
#[derive(Debug, Clone)]
pub struct Invitation {
    pub id: InvitationId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub scope: Scope,
    pub language: String,
    pub status: InvitationStatus,
    pub expires_at: DateTime<Utc>,
    pub invited_by: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: DateTime<Utc>,
}

impl Invitation {
    fn of(model: invitation::Model, now: DateTime<Utc>) -> Result<Self, AppError> {
        Ok(Self {
            scope: scopes::from_json(model.scope_countries, model.scope_locales)?,
            status: if model.expires_at > now {
                InvitationStatus::Pending
            } else {
                InvitationStatus::Expired
            },
            id: model.id,
            email: model.email,
            display_name: model.display_name,
            role: model.role,
            language: model.language,
            expires_at: model.expires_at,
            invited_by: model.invited_by_label,
            created_at: model.created_at,
            sent_at: model.sent_at,
        })
    }
}

/// Invites someone: the invitation, and its mail queued with it.
pub async fn invite(
    state: &AppState,
    actor: &Actor,
    new: NewInvitation,
) -> Result<Invitation, AppError> {
    audit::authorize(state, actor, Action::ManageUsers, "invitation", None).await?;
    let checked = check(state, new)?;
    let now = state.clock.now();
    let secret = token::generate(INVITATION_PREFIX);
    let (countries, locales) = scopes::to_json(&checked.scope);
    let model = invitation::Model {
        id: InvitationId::new(),
        email: checked.email.as_str().to_owned(),
        display_name: checked.display_name,
        role: checked.role,
        scope_countries: countries,
        scope_locales: locales,
        language: checked.language,
        token_hash: token::hash(&secret),
        expires_at: expiry(state, now),
        invited_by: Some(actor.id()),
        invited_by_label: inviter_name(actor),
        created_at: now,
        sent_at: now,
        accepted_at: None,
        withdrawn_at: None,
        user_id: None,
    };
    let work = UnitOfWork::begin(state).await?;
    let txn = work.txn();
    ensure_free(txn, &model.email).await?;
    Invitations::insert(model.clone().into_active_model().reset_all())
        .exec_without_returning(txn)
        .await?;
    let link = links::url(state, "invitation", &secret);
    let mail = mails::invitation(state, &model, &link);
    work.record(DomainEvent::MailQueued(Box::new(mail)), now)
        .await?;
    let event = Event::success(AuditAction::InvitationCreate, "invitation", model.id)
        .with_details(json!({ "email": model.email, "role": model.role.as_str() }));
    audit::record(txn, now, actor, event).await?;
    work.commit().await?;
    Invitation::of(model, now)
}

/// The open invitations (pending or expired), newest first.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    page: PageRequest,
) -> Result<Paged<Invitation>, AppError> {
    audit::authorize(state, actor, Action::ManageUsers, "invitation", None).await?;
    let now = state.clock.now();
    let paginator = Invitations::find()
        .filter(Column::AcceptedAt.is_null())
        .filter(Column::WithdrawnAt.is_null())
        .order_by_desc(Column::CreatedAt)
        .paginate(&state.db, page.size);
    let total = paginator.num_items().await?;
    let items = paginator.fetch_page(page.index()).await?;
    Paged::new(items, total, page).try_map(|model| Invitation::of(model, now))
}

/// Sends an open invitation again, with a new link and a new deadline: the old link
/// stops working.
pub async fn resend(
    state: &AppState,
    actor: &Actor,
    id: InvitationId,
) -> Result<Invitation, AppError> {
    audit::authorize(
        state,
        actor,
        Action::ManageUsers,
        "invitation",
        Some(id.to_string()),
    )
    .await?;
    let now = state.clock.now();
    let secret = token::generate(INVITATION_PREFIX);
    let work = UnitOfWork::begin(state).await?;
    let txn = work.txn();
    let mut model = find_open(txn, id).await?;
    model.token_hash = token::hash(&secret);
    model.expires_at = expiry(state, now);
    model.sent_at = now;
    Invitations::update(invitation::ActiveModel {
        id: Set(id),
        token_hash: Set(model.token_hash.clone()),
        expires_at: Set(model.expires_at),
        sent_at: Set(now),
        ..Default::default()
    })
    .exec(txn)
    .await?;
    let link = links::url(state, "invitation", &secret);
    let mail = mails::invitation(state, &model, &link);
    work.record(DomainEvent::MailQueued(Box::new(mail)), now)
        .await?;
    let event = Event::success(AuditAction::InvitationResend, "invitation", id)
        .with_details(json!({ "email": model.email }));
    audit::record(txn, now, actor, event).await?;
    work.commit().await?;
    Invitation::of(model, now)
}

/// Withdraws an open invitation: its link stops working.
pub async fn withdraw(state: &AppState, actor: &Actor, id: InvitationId) -> Result<(), AppError> {
    audit::authorize(
        state,
        actor,
        Action::ManageUsers,
        "invitation",
        Some(id.to_string()),
    )
    .await?;
    let now = state.clock.now();
    let work = UnitOfWork::begin(state).await?;
    let txn = work.txn();
    let model = find_open(txn, id).await?;
    Invitations::update(invitation::ActiveModel {
        id: Set(id),
        withdrawn_at: Set(Some(now)),
        ..Default::default()
    })
    .exec(txn)
    .await?;
    let event = Event::success(AuditAction::InvitationWithdraw, "invitation", id)
        .with_details(json!({ "email": model.email }));
    audit::record(txn, now, actor, event).await?;
    work.commit().await?;
    Ok(())
}

/// What the link of an invitation offers, for its page to show before the person
/// chooses a password. Changes nothing.
pub async fn open(state: &AppState, secret: &str) -> Result<Invitation, AppError> {
    let now = state.clock.now();
    let model = find_usable(&state.db, secret, now).await?;
    Invitation::of(model, now)
}

/// Accepts an invitation with the password the person chose: the account, with the
/// invitation's role and scope, and a session for it.
pub async fn accept(
    state: &AppState,
    secret: &str,
    password: &str,
    display_name: Option<String>,
    client: ClientInfo,
) -> Result<LoginOutcome, AppError> {
    let now = state.clock.now();
    let found = find_usable(&state.db, secret, now).await?;
    let scope = scopes::from_json(found.scope_countries.clone(), found.scope_locales.clone())?;
    let new = NewUser {
        email: found.email.clone(),
        display_name: display_name
            .filter(|name| !name.trim().is_empty())
            .or_else(|| Some(found.display_name.clone())),
        role: found.role,
        countries: scope.countries.iter().map(ToString::to_string).collect(),
        locales: scope.locales.iter().map(ToString::to_string).collect(),
        password: password.to_owned(),
        must_change_password: false,
        language: Some(found.language.clone()),
    };
    // Validated and hashed before the transaction: no connection waits on argon2.
    let prepared = users::prepare(state, new).await?;
    let work = UnitOfWork::begin(state).await?;
    let txn = work.txn();
    let user = users::insert(txn, prepared).await?;
    let taken = Invitations::update_many()
        .col_expr(Column::AcceptedAt, Expr::value(Some(now)))
        .col_expr(Column::UserId, Expr::value(Some(user.id)))
        .filter(Column::Id.eq(found.id))
        .filter(Column::TokenHash.eq(found.token_hash.clone()))
        .filter(Column::AcceptedAt.is_null())
        .filter(Column::WithdrawnAt.is_null())
        .exec(txn)
        .await?;
    if taken.rows_affected == 0 {
        work.rollback().await?;
        return Err(accepted_already());
    }
    let who = Who::user(&user, client.address.clone());
    let event = Event::success(AuditAction::InvitationAccept, "invitation", found.id)
        .with_details(json!({ "user": user.id, "role": user.role.as_str() }));
    audit::record(txn, now, who, event).await?;
    let outcome = sessions::open_in(state, &work, now, user, &client, "invitation").await?;
    work.commit().await?;
    Ok(outcome)
}

/// The invitation of `secret` while its link works: 404 for a link that never was (or
/// was replaced by a newer one), 410 for one accepted, withdrawn or expired.
async fn find_usable(
    db: &impl ConnectionTrait,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<invitation::Model, AppError> {
    let found = if links::is_shaped(secret, INVITATION_PREFIX) {
        Invitations::find()
            .filter(Column::TokenHash.eq(token::hash(secret)))
            .one(db)
            .await?
    } else {
        None
    };
    let found = found.ok_or_else(|| {
        AppError::NotFound(
            "this invitation link is not valid: check that it was copied whole; if the invitation was sent again, use the newest mail".into(),
        )
    })?;
    if found.accepted_at.is_some() {
        return Err(accepted_already());
    }
    if found.withdrawn_at.is_some() {
        return Err(AppError::refused(
            Refusal::LinkExpired,
            "this invitation was withdrawn; ask an administrator",
        ));
    }
    if found.expires_at <= now {
        return Err(AppError::refused(
            Refusal::LinkExpired,
            format!(
                "this invitation has expired; ask {} to send it again",
                found.invited_by_label
            ),
        ));
    }
    Ok(found)
}

fn accepted_already() -> AppError {
    AppError::refused(
        Refusal::LinkExpired,
        "this invitation was accepted already; sign in with your email and password",
    )
}

/// An invitation still open (neither accepted nor withdrawn), locked for the change.
async fn find_open(
    txn: &impl ConnectionTrait,
    id: InvitationId,
) -> Result<invitation::Model, AppError> {
    use sea_orm::QuerySelect as _;
    Invitations::find_by_id(id)
        .filter(Column::AcceptedAt.is_null())
        .filter(Column::WithdrawnAt.is_null())
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no open invitation {id}")))
}

/// 409 when the address has an account, or an open invitation already.
async fn ensure_free(txn: &impl ConnectionTrait, email: &str) -> Result<(), AppError> {
    let has_account = Users::find()
        .filter(UserColumn::Email.eq(email))
        .count(txn)
        .await?
        > 0;
    if has_account {
        return Err(AppError::refused(
            Refusal::AlreadyExists,
            format!("{email} has an account already"),
        ));
    }
    let invited = Invitations::find()
        .filter(Column::Email.eq(email))
        .filter(Column::AcceptedAt.is_null())
        .filter(Column::WithdrawnAt.is_null())
        .count(txn)
        .await?
        > 0;
    if invited {
        return Err(AppError::refused(
            Refusal::AlreadyExists,
            format!("{email} is invited already; send that invitation again instead"),
        ));
    }
    Ok(())
}

fn expiry(state: &AppState, now: DateTime<Utc>) -> DateTime<Utc> {
    now + TimeDelta::hours(state.settings.auth.invitation_hours.into())
}

/// Who invites, as the mail names them.
fn inviter_name(actor: &Actor) -> String {
    actor.user().map_or_else(
        || actor.label().to_owned(),
        |user| user.display_name.clone(),
    )
}

/// An invitation's fields, validated: every problem at once.
struct Checked {
    email: Email,
    display_name: String,
    role: Role,
    scope: Scope,
    language: String,
}

fn check(state: &AppState, new: NewInvitation) -> Result<Checked, AppError> {
    let mut errors = FieldErrors::new();
    let email = errors.check("email", Email::parse(&new.email));
    let display_name = new.display_name.unwrap_or_default().trim().to_owned();
    if display_name.chars().count() > 200 {
        errors.push("display_name", "must be at most 200 characters");
    }
    let configured = &state.settings.content.locales;
    let scope = scopes::parse(
        &new.countries,
        &new.locales,
        configured,
        "scope",
        &mut errors,
    );
    if let Some(refusal) = crate::policy::scope_refusal(new.role, &scope) {
        errors.push("scope", refusal);
    }
    let language = match new.language {
        Some(language) if configured.contains(&language) => language,
        Some(_) => {
            errors.push("language", "must be one of the configured locales");
            String::new()
        }
        None => scope.locales.iter().next().map_or_else(
            || crate::mailer::templates::FALLBACK.to_owned(),
            ToString::to_string,
        ),
    };
    errors.finish()?;
    let email = email.ok_or_else(|| AppError::internal("a validated email is missing"))?;
    Ok(Checked {
        email,
        display_name,
        role: new.role,
        scope,
        language,
    })
}
