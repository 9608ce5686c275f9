//! User accounts: creation, lookup and the first admin.

use chrono::{DateTime, Utc};
use entity::user::{self, Column, Entity as Users};
use rand::RngExt as _;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set, SqlErr,
};
use uuid::Uuid;

use crate::domain::{Email, NewPassword, PasswordRules, Role};
use crate::error::{AppError, FieldErrors};
use crate::state::AppState;

/// Users can be scoped to countries and locales; empty lists mean all.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scope {
    pub countries: Vec<String>,
    pub locales: Vec<String>,
}

/// A user as the rest of the application sees it (never with its password hash).
#[derive(Debug, Clone)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub scope: Scope,
    pub must_change_password: bool,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<user::Model> for User {
    type Error = AppError;

    fn try_from(model: user::Model) -> Result<Self, Self::Error> {
        let strings = |json: serde_json::Value| -> Result<Vec<String>, AppError> {
            serde_json::from_value(json).map_err(AppError::internal)
        };
        Ok(Self {
            role: model.role.parse().map_err(AppError::internal)?,
            scope: Scope {
                countries: strings(model.scope_countries)?,
                locales: strings(model.scope_locales)?,
            },
            id: model.id,
            email: model.email,
            display_name: model.display_name,
            must_change_password: model.must_change_password,
            disabled: model.disabled_at.is_some(),
            created_at: model.created_at,
        })
    }
}

/// What it takes to create a user, as received (not yet validated).
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub display_name: Option<String>,
    pub role: Role,
    pub password: String,
    pub must_change_password: bool,
}

pub fn password_rules(state: &AppState) -> PasswordRules {
    PasswordRules {
        min_length: state.settings.auth.password_min_length,
    }
}

/// Creates a user; 422 for bad fields, 409 when the email is taken.
pub async fn create(state: &AppState, new: NewUser) -> Result<User, AppError> {
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
    let model = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email.as_str().to_owned()),
        display_name: Set(display_name),
        password_hash: Set(password_hash),
        role: Set(new.role.as_str().to_owned()),
        scope_countries: Set(serde_json::json!([])),
        scope_locales: Set(serde_json::json!([])),
        must_change_password: Set(new.must_change_password),
        disabled_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    match Users::insert(model).exec_with_returning(&state.db).await {
        Ok(model) => model.try_into(),
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => Err(
            AppError::Conflict(format!("a user with the email {email} already exists")),
        ),
        Err(err) => Err(err.into()),
    }
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
    let created = create(
        state,
        NewUser {
            email,
            display_name: Some("Administrator".into()),
            role: Role::Admin,
            password: password.clone(),
            must_change_password: generated,
        },
    )
    .await;
    match created {
        Ok(user) if generated => Ok(Bootstrap::Generated {
            email: user.email,
            password,
        }),
        Ok(user) => Ok(Bootstrap::FromSettings { email: user.email }),
        // Another instance starting at the same moment created it first.
        Err(AppError::Conflict(_)) => Ok(Bootstrap::NotNeeded),
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
