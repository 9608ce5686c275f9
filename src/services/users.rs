//! User accounts: creation, administration and the first admin.

use chrono::{DateTime, Utc};
use entity::ids::{ActorId, TokenId, UserId};
use entity::session::{Column as SessionColumn, Entity as Sessions};
use entity::user::{self, Column, Entity as Users};
use rand::RngExt as _;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, SqlErr,
};
use serde_json::json;

use crate::domain::{CountryCode, Email, NewPassword, PasswordRules, Role, Scope};
use crate::error::{AppError, FieldErrors, Refusal};
use crate::policy::Action;
use crate::services::kernel::actor::Actor;
use crate::services::kernel::audit::{self, AuditAction, Event};
pub use crate::services::kernel::identity::User;
use crate::services::kernel::unit_of_work::UnitOfWork;
use crate::services::pagination::{PageRequest, Paged};
use crate::services::{scopes, tokens};
use crate::state::AppState;

/// What it takes to create a user, as received (not yet validated).
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub display_name: Option<String>,
    pub role: Role,
    pub countries: Vec<String>,
    pub locales: Vec<String>,
    pub password: String,
    pub must_change_password: bool,
    /// The language of mails about the account; none: English.
    pub language: Option<String>,
}

impl NewUser {
    /// An unrestricted user (no scope), as the CLI and the bootstrap create.
    pub fn unscoped(email: &str, role: Role, password: &str) -> Self {
        Self {
            email: email.to_owned(),
            display_name: None,
            role,
            countries: Vec::new(),
            locales: Vec::new(),
            password: password.to_owned(),
            must_change_password: false,
            language: None,
        }
    }
}

/// A change to a user; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub countries: Option<Vec<String>>,
    pub locales: Option<Vec<String>>,
    pub disabled: Option<bool>,
    pub must_change_password: Option<bool>,
    /// A new password set by an admin; the user's sessions end.
    pub password: Option<String>,
}

/// Filters of the user list.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub role: Option<Role>,
    /// Users who may work on this country (explicitly, or with all countries).
    pub country: Option<String>,
}

pub fn password_rules(state: &AppState) -> PasswordRules {
    PasswordRules {
        min_length: state.settings.auth.password_min_length,
    }
}

/// Creates a user as an admin does, with the audit entry.
pub async fn create_by(state: &AppState, actor: &Actor, new: NewUser) -> Result<User, AppError> {
    audit::authorize(state, actor, Action::ManageUsers, "user", None).await?;
    // Validated and hashed before the transaction: no connection waits on argon2.
    let model = prepare(state, new).await?;
    let work = UnitOfWork::begin(state).await?;
    let txn = work.txn();
    let user = insert(txn, model).await?;
    let event = Event::success(AuditAction::UserCreate, "user", user.id)
        .with_details(json!({ "email": user.email, "role": user.role.as_str() }));
    audit::record(txn, state.clock.now(), actor, event).await?;
    work.commit().await?;
    Ok(user)
}

/// Creates a user without an acting user: the CLI and the first start.
pub async fn create(state: &AppState, new: NewUser) -> Result<User, AppError> {
    let model = prepare(state, new).await?;
    insert(&state.db, model).await
}

/// The new user's row: validated fields and the password's hash.
pub(crate) async fn prepare(state: &AppState, new: NewUser) -> Result<user::ActiveModel, AppError> {
    let mut errors = FieldErrors::new();
    let email = errors.check("email", Email::parse(&new.email));
    let password = errors.check(
        "password",
        NewPassword::parse(&new.password, password_rules(state)),
    );
    let display_name = new.display_name.unwrap_or_default().trim().to_owned();
    if display_name.chars().count() > 200 {
        errors.push("display_name", "must be at most 200 characters");
    }
    let scope = scopes::parse(
        &new.countries,
        &new.locales,
        &state.settings.content.locales,
        "scope",
        &mut errors,
    );
    if let Some(refusal) = crate::policy::scope_refusal(new.role, &scope) {
        errors.push("scope", refusal);
    }
    errors.finish()?;
    let (Some(email), Some(password)) = (email, password) else {
        return Err(AppError::internal("validated fields are missing"));
    };
    let password_hash = state.hasher.hash(password.expose()).await?;
    let now = state.clock.now();
    let display_name = if display_name.is_empty() {
        email
            .as_str()
            .split('@')
            .next()
            .unwrap_or_default()
            .to_owned()
    } else {
        display_name
    };
    let (countries, locales) = scopes::to_json(&scope);
    Ok(user::ActiveModel {
        id: Set(UserId::new()),
        email: Set(email.as_str().to_owned()),
        display_name: Set(display_name),
        password_hash: Set(password_hash),
        role: Set(new.role),
        scope_countries: Set(countries),
        scope_locales: Set(locales),
        must_change_password: Set(new.must_change_password),
        disabled_at: Set(None),
        sign_up_notices: Set(entity::values::SignUpNotices::None),
        language: Set(new.language),
        totp_secret: Set(None),
        totp_pending_secret: Set(None),
        totp_enabled_at: Set(None),
        totp_last_step: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    })
}

pub(crate) async fn insert(
    db: &impl ConnectionTrait,
    model: user::ActiveModel,
) -> Result<User, AppError> {
    let email = model.email.clone().take().unwrap_or_default();
    match Users::insert(model).exec_with_returning(db).await {
        Ok(model) => model.try_into(),
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Err(AppError::refused(
                Refusal::AlreadyExists,
                format!("a user with the email {email} already exists"),
            ))
        }
        Err(err) => Err(err.into()),
    }
}

pub async fn list(
    state: &AppState,
    actor: &Actor,
    filter: UserFilter,
    page: PageRequest,
) -> Result<Paged<User>, AppError> {
    audit::authorize(state, actor, Action::ManageUsers, "user", None).await?;
    let mut query = Users::find().order_by_asc(Column::Email);
    if let Some(role) = filter.role {
        query = query.filter(Column::Role.eq(role));
    }
    let Some(raw_country) = filter.country else {
        let paginator = query.paginate(&state.db, page.size);
        let total = paginator.num_items().await?;
        let items = paginator.fetch_page(page.index()).await?;
        let users = Paged::new(items, total, page).try_map(User::try_from)?;
        return with_admin_tokens(state, users).await;
    };
    let country =
        CountryCode::parse(&raw_country).map_err(|m| AppError::invalid_parameter("country", m))?;
    // Scopes are JSON arrays, which SQLite and PostgreSQL query differently; an
    // organisation has hundreds of users at most, so filter them here.
    let matching: Vec<User> = query
        .all(&state.db)
        .await?
        .into_iter()
        .map(User::try_from)
        .filter(|user| {
            user.as_ref()
                .map_or(true, |u| u.scope.covers_country(&country))
        })
        .collect::<Result<_, _>>()?;
    let total = matching.len() as u64;
    let items = matching
        .into_iter()
        .skip(usize::try_from(page.index() * page.size).unwrap_or(usize::MAX))
        .take(usize::try_from(page.size).unwrap_or(usize::MAX))
        .collect();
    with_admin_tokens(state, Paged::new(items, total, page)).await
}

/// `users` with how many live admin tokens each created: one query for the page.
async fn with_admin_tokens(state: &AppState, users: Paged<User>) -> Result<Paged<User>, AppError> {
    let ids: Vec<UserId> = users.items.iter().map(|u| u.id).collect();
    let tokens = tokens::live_admin_tokens_of(&state.db, &ids, state.clock.now()).await?;
    users.try_map(|mut user| {
        let creator = ActorId::from(user.id);
        user.admin_tokens = tokens.iter().filter(|(_, by)| *by == creator).count() as u64;
        Ok(user)
    })
}

async fn one_with_admin_tokens(state: &AppState, mut user: User) -> Result<User, AppError> {
    let now = state.clock.now();
    user.admin_tokens = tokens::live_admin_tokens_of(&state.db, &[user.id], now)
        .await?
        .len() as u64;
    Ok(user)
}

pub async fn get(state: &AppState, actor: &Actor, id: UserId) -> Result<User, AppError> {
    audit::authorize(
        state,
        actor,
        Action::ManageUsers,
        "user",
        Some(id.to_string()),
    )
    .await?;
    let user: User = find(&state.db, id).await?.try_into()?;
    one_with_admin_tokens(state, user).await
}

/// Changes a user. Disabling, and setting a password, end the user's sessions.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: UserId,
    changes: UserChanges,
) -> Result<User, AppError> {
    audit::authorize(
        state,
        actor,
        Action::ManageUsers,
        "user",
        Some(id.to_string()),
    )
    .await?;
    let checked = CheckedChanges::check(state, &changes).await?;
    let now = state.clock.now();
    let work = UnitOfWork::begin(state).await?;
    let txn = work.txn();
    let current: User = find(txn, id).await?.try_into()?;
    let stays_active_admin = changes.role.unwrap_or(current.role) == Role::Admin
        && !changes.disabled.unwrap_or(current.disabled_at.is_some());
    if current.role == Role::Admin && current.disabled_at.is_none() && !stays_active_admin {
        ensure_another_active_admin(txn, id).await?;
    }
    let scope = checked.scope_over(&changes, &current);
    let role = changes.role.unwrap_or(current.role);
    if let Some(refusal) = crate::policy::scope_refusal(role, &scope) {
        let mut errors = FieldErrors::new();
        errors.push("scope", refusal);
        errors.finish()?;
    }
    let (countries, locales) = scopes::to_json(&scope);
    let disabled_at = match changes.disabled {
        Some(true) => current.disabled_at.or(Some(now)),
        Some(false) => None,
        None => current.disabled_at,
    };
    let mut model = user::ActiveModel {
        id: Set(id),
        display_name: Set(checked
            .display_name
            .unwrap_or_else(|| current.display_name.clone())),
        role: Set(role),
        scope_countries: Set(countries),
        scope_locales: Set(locales),
        must_change_password: Set(changes
            .must_change_password
            .unwrap_or(current.must_change_password)),
        disabled_at: Set(disabled_at),
        updated_at: Set(now),
        ..Default::default()
    };
    if let Some(hash) = checked.password_hash {
        model.password_hash = Set(hash);
    }
    let updated: User = Users::update(model).exec(txn).await?.try_into()?;
    let revoked_tokens = end_access(txn, &changes, &current, &updated, now).await?;
    let event = Event::success(AuditAction::UserUpdate, "user", id).with_details(json!({
        "changed": changes.named(), "role": updated.role.as_str(),
        "disabled": updated.disabled_at.is_some(), "revoked_admin_tokens": revoked_tokens,
    }));
    audit::record(txn, now, actor, event).await?;
    work.commit().await?;
    one_with_admin_tokens(state, updated).await
}

/// A user's changes, checked (every problem at once), with a new password hashed.
struct CheckedChanges {
    display_name: Option<String>,
    scope: Scope,
    password_hash: Option<String>,
}

impl CheckedChanges {
    async fn check(state: &AppState, changes: &UserChanges) -> Result<Self, AppError> {
        let mut errors = FieldErrors::new();
        let display_name = changes.display_name.as_ref().map(|n| n.trim().to_owned());
        if display_name
            .as_ref()
            .is_some_and(|n| n.is_empty() || n.chars().count() > 200)
        {
            errors.push("display_name", "must be 1 to 200 characters");
        }
        let new_password = changes.password.as_ref().and_then(|raw| {
            errors.check("password", NewPassword::parse(raw, password_rules(state)))
        });
        let scope = scopes::parse(
            changes.countries.as_deref().unwrap_or_default(),
            changes.locales.as_deref().unwrap_or_default(),
            &state.settings.content.locales,
            "scope",
            &mut errors,
        );
        errors.finish()?;
        let password_hash = match &new_password {
            Some(password) => Some(state.hasher.hash(password.expose()).await?),
            None => None,
        };
        Ok(Self {
            display_name,
            scope,
            password_hash,
        })
    }

    /// The scope after the change: each part given replaces the current one.
    fn scope_over(&self, changes: &UserChanges, current: &User) -> Scope {
        Scope {
            countries: match changes.countries {
                Some(_) => self.scope.countries.clone(),
                None => current.scope.countries.clone(),
            },
            locales: match changes.locales {
                Some(_) => self.scope.locales.clone(),
                None => current.scope.locales.clone(),
            },
        }
    }
}

impl UserChanges {
    /// The names of the settings changed, for the audit log (never their values).
    fn named(&self) -> Vec<&'static str> {
        [
            ("display_name", self.display_name.is_some()),
            ("role", self.role.is_some()),
            ("scope.countries", self.countries.is_some()),
            ("scope.locales", self.locales.is_some()),
            ("disabled", self.disabled.is_some()),
            ("must_change_password", self.must_change_password.is_some()),
            ("password", self.password.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect()
    }
}

/// What a change ends: sessions when disabled or given a new password; the automation
/// tokens they made when disabled (offboarding) or no longer an admin. The tokens
/// revoked.
async fn end_access(
    txn: &impl ConnectionTrait,
    changes: &UserChanges,
    current: &User,
    updated: &User,
    now: DateTime<Utc>,
) -> Result<Vec<TokenId>, AppError> {
    if changes.disabled == Some(true) || changes.password.is_some() {
        revoke_sessions(txn, current.id, now).await?;
    }
    let leaves_admin = current.role == Role::Admin && updated.role != Role::Admin;
    if (changes.disabled == Some(true) && current.disabled_at.is_none()) || leaves_admin {
        tokens::revoke_admin_tokens_of(txn, current.id, now).await
    } else {
        Ok(Vec::new())
    }
}

/// Deletes a user and their sessions; the audit log keeps their email.
pub async fn delete(state: &AppState, actor: &Actor, id: UserId) -> Result<(), AppError> {
    audit::authorize(
        state,
        actor,
        Action::ManageUsers,
        "user",
        Some(id.to_string()),
    )
    .await?;
    let work = UnitOfWork::begin(state).await?;
    let txn = work.txn();
    let current: User = find(txn, id).await?.try_into()?;
    if current.role == Role::Admin && current.disabled_at.is_none() {
        ensure_another_active_admin(txn, id).await?;
    }
    Sessions::delete_many()
        .filter(SessionColumn::UserId.eq(id))
        .exec(txn)
        .await?;
    Users::delete_by_id(id).exec(txn).await?;
    let now = state.clock.now();
    let revoked_tokens = tokens::revoke_admin_tokens_of(txn, id, now).await?;
    let event = Event::success(AuditAction::UserDelete, "user", id)
        .with_details(json!({ "email": current.email, "revoked_admin_tokens": revoked_tokens }));
    audit::record(txn, now, actor, event).await?;
    work.commit().await?;
    Ok(())
}

/// Refuses to leave the organisation without an active admin. The other admins'
/// rows are locked (on PostgreSQL), so two admins cannot demote each other at once.
async fn ensure_another_active_admin(
    txn: &impl ConnectionTrait,
    except: UserId,
) -> Result<(), AppError> {
    let others = Users::find()
        .filter(Column::Role.eq(Role::Admin))
        .filter(Column::DisabledAt.is_null())
        .filter(Column::Id.ne(except))
        .lock_exclusive()
        .all(txn)
        .await?;
    if others.is_empty() {
        return Err(AppError::refused(
            Refusal::LastAdmin,
            "this is the last active admin; make another user admin first",
        ));
    }
    Ok(())
}

/// Ends every session of the user, and every secret that could start one or change
/// the account (reset links, second-factor challenges, single sign-on codes).
pub async fn revoke_sessions(
    db: &impl ConnectionTrait,
    user_id: UserId,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    Sessions::update_many()
        .col_expr(SessionColumn::RevokedAt, Expr::value(Some(now)))
        .filter(SessionColumn::UserId.eq(user_id))
        .filter(SessionColumn::RevokedAt.is_null())
        .exec(db)
        .await?;
    revoke_account_tokens(db, user_id, now).await
}

/// Every unused account token of the user (reset links, second-factor challenges,
/// single sign-on codes) stops working: after a change of credentials, none made
/// before it may act.
pub async fn revoke_account_tokens(
    db: &impl ConnectionTrait,
    user_id: UserId,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    use entity::account_token::{Column as TokenColumn, Entity as AccountTokens};
    AccountTokens::update_many()
        .col_expr(TokenColumn::UsedAt, Expr::value(Some(now)))
        .filter(TokenColumn::UserId.eq(user_id))
        .filter(TokenColumn::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

async fn find(db: &impl ConnectionTrait, id: UserId) -> Result<user::Model, AppError> {
    Users::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no user {id}")))
}

pub async fn find_by_email(
    db: &impl ConnectionTrait,
    email: &str,
) -> Result<Option<user::Model>, AppError> {
    Ok(Users::find()
        .filter(Column::Email.eq(email))
        .one(db)
        .await?)
}

pub async fn count(db: &impl ConnectionTrait) -> Result<u64, AppError> {
    Ok(Users::find().count(db).await?)
}

/// How the first admin came to be, so the caller can tell the operator.
#[derive(Debug)]
pub enum Bootstrap {
    /// Users exist already; nothing was done.
    NotNeeded,
    /// Created from the configured email and password.
    FromSettings { email: String },
    /// Created with a generated password, to be shown once and changed at first login.
    Generated { email: String, password: String },
}

/// The email of the admin created when nothing is configured.
pub const GENERATED_ADMIN_EMAIL: &str = "admin@localhost";

/// Creates the first admin when there is no user at all.
pub async fn bootstrap_admin(state: &AppState) -> Result<Bootstrap, AppError> {
    if count(&state.db).await? > 0 {
        return Ok(Bootstrap::NotNeeded);
    }
    let configured = &state.settings.bootstrap;
    let (email, password, generated) = if configured.admin_email.is_empty() {
        (GENERATED_ADMIN_EMAIL.to_owned(), generate_password(), true)
    } else {
        (
            configured.admin_email.clone(),
            configured.admin_password.expose().to_owned(),
            false,
        )
    };
    let mut new = NewUser::unscoped(&email, Role::Admin, &password);
    new.display_name = Some("Administrator".into());
    new.must_change_password = generated;
    match create(state, new).await {
        Ok(user) if generated => Ok(Bootstrap::Generated {
            email: user.email,
            password,
        }),
        Ok(user) => Ok(Bootstrap::FromSettings { email: user.email }),
        // Another instance starting at the same moment created it first.
        Err(AppError::Refused {
            reason: Refusal::AlreadyExists,
            ..
        }) => Ok(Bootstrap::NotNeeded),
        Err(AppError::Validation(errors)) => Err(AppError::Validation(
            errors
                .into_iter()
                .map(|mut e| {
                    e.field = format!("bootstrap.admin_{}", e.field);
                    e
                })
                .collect(),
        )),
        Err(err) => Err(err),
    }
}

/// 20 characters from an alphabet without look-alikes (~115 bits).
fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}
