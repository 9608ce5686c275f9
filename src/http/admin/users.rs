//! `/api/v1/admin/users`: user accounts (admins only).

use chrono::{DateTime, Utc};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use serde::Deserialize;
use uuid::Uuid;

use super::pagination::PageInfo;
use entity::values::SignUpNotices;

use crate::domain::{Role, Scope};
use crate::http::ApiTags;
use crate::http::json::JsonBody;
use crate::http::problem::{ApiError, error_set};
use crate::http::security::AdminAuth;
use crate::services::pagination::PageRequest;
use crate::services::users::{self, NewUser, User, UserChanges, UserFilter};
use crate::state::AppState;

pub struct UsersApi {
    pub state: AppState,
}

/// What a user may do: `admin` everything; `editor` write, publish and delete content
/// in scope; `author` write drafts in scope; `viewer` read only.
#[derive(Debug, Clone, Copy, Enum, Deserialize)]
#[oai(rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum RoleName {
    Admin,
    Editor,
    Author,
    Viewer,
}

impl From<Role> for RoleName {
    fn from(role: Role) -> Self {
        match role {
            Role::Admin => Self::Admin,
            Role::Editor => Self::Editor,
            Role::Author => Self::Author,
            Role::Viewer => Self::Viewer,
        }
    }
}

impl From<RoleName> for Role {
    fn from(role: RoleName) -> Self {
        match role {
            RoleName::Admin => Role::Admin,
            RoleName::Editor => Role::Editor,
            RoleName::Author => Role::Author,
            RoleName::Viewer => Role::Viewer,
        }
    }
}

/// Countries and locales someone may work on; empty lists mean all.
#[derive(Debug, Clone, Object)]
pub struct ScopeResponse {
    /// EU member states (ISO 3166-1 alpha-2); empty: all countries.
    pub countries: Vec<String>,
    /// Locales (BCP 47); empty: all locales.
    pub locales: Vec<String>,
}

impl From<&Scope> for ScopeResponse {
    fn from(scope: &Scope) -> Self {
        Self {
            countries: scope.countries.iter().map(ToString::to_string).collect(),
            locales: scope.locales.iter().map(ToString::to_string).collect(),
        }
    }
}

/// A user account.
#[derive(Debug, Object)]
pub struct UserResponse {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: RoleName,
    /// Where the user may work.
    pub scope: ScopeResponse,
    /// The password was set by someone else (or generated) and must be changed
    /// before the admin API can be used.
    pub must_change_password: bool,
    /// Disabled users cannot log in; their sessions ended when they were disabled.
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Live admin-kind API tokens this person created. Disabling or deleting them
    /// revokes these (their delivery and preview tokens keep working).
    pub admin_tokens: u64,
    /// How they hear about sign-ups to the events of their countries: `none`, `each`
    /// (a mail on each sign-up) or `daily` (a summary a day). Set by each person
    /// (`PATCH /api/v1/auth/me`).
    pub sign_up_notices: SignUpNoticesName,
    /// The language of mails about the account (set by the invitation they accepted);
    /// `null`: English.
    #[oai(nullable)]
    pub language: Option<String>,
    /// They sign in with a second factor (an authenticator app).
    pub two_factor: bool,
}

/// How someone hears about sign-ups by mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum, serde::Deserialize)]
#[oai(rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum SignUpNoticesName {
    /// Not by mail.
    None,
    /// A mail on each sign-up.
    Each,
    /// A summary of the last 24 hours, once a day, when there was any.
    Daily,
}

impl From<SignUpNotices> for SignUpNoticesName {
    fn from(notices: SignUpNotices) -> Self {
        match notices {
            SignUpNotices::None => Self::None,
            SignUpNotices::Each => Self::Each,
            SignUpNotices::Daily => Self::Daily,
        }
    }
}

impl From<SignUpNoticesName> for SignUpNotices {
    fn from(name: SignUpNoticesName) -> Self {
        match name {
            SignUpNoticesName::None => Self::None,
            SignUpNoticesName::Each => Self::Each,
            SignUpNoticesName::Daily => Self::Daily,
        }
    }
}

impl From<User> for UserResponse {
    fn from(user: User) -> Self {
        Self {
            scope: ScopeResponse::from(&user.scope),
            id: user.id.into(),
            email: user.email,
            display_name: user.display_name,
            role: user.role.into(),
            must_change_password: user.must_change_password,
            disabled: user.disabled_at.is_some(),
            created_at: user.created_at,
            updated_at: user.updated_at,
            sign_up_notices: user.sign_up_notices.into(),
            admin_tokens: user.admin_tokens,
            language: user.language,
            two_factor: user.two_factor,
        }
    }
}

/// A page of users.
#[derive(Debug, Object)]
struct UserList {
    items: Vec<UserResponse>,
    page: PageInfo,
}

/// Countries and locales, as set on a user or a token.
#[derive(Debug, Default, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct ScopeRequest {
    /// EU member states (e.g. `["BE"]`); empty or absent: all countries.
    #[serde(default)]
    #[oai(default)]
    pub countries: Vec<String>,
    /// Configured locales (e.g. `["fr", "nl"]`); empty or absent: all locales.
    #[serde(default)]
    #[oai(default)]
    pub locales: Vec<String>,
}

/// A new user account.
#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
struct CreateUserRequest {
    email: String,
    /// Defaults to the part of the email before `@`.
    #[oai(nullable)]
    display_name: Option<String>,
    role: RoleName,
    /// Absent: all countries and locales. An admin acts everywhere: with the role
    /// `admin`, a scope with countries or locales is refused (422 on `scope`).
    #[oai(nullable)]
    scope: Option<ScopeRequest>,
    /// The initial password (at least `auth.password_min_length` characters).
    password: String,
    /// Make the user choose a new password at first login.
    #[serde(default)]
    #[oai(default)]
    must_change_password: bool,
}

/// A change of scope; an absent list stays as it is.
#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
struct ScopePatch {
    #[oai(nullable)]
    countries: Option<Vec<String>>,
    #[oai(nullable)]
    locales: Option<Vec<String>>,
}

/// Changes to a user; a field absent or `null` stays as it is.
#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
struct UpdateUserRequest {
    #[oai(nullable)]
    display_name: Option<String>,
    #[oai(nullable)]
    role: Option<RoleName>,
    /// A user who is or becomes an admin must have an empty scope (422 on `scope`
    /// otherwise): send empty lists with `"role": "admin"`.
    #[oai(nullable)]
    scope: Option<ScopePatch>,
    /// `true` disables the account and ends its sessions at once; `false` enables it.
    #[oai(nullable)]
    disabled: Option<bool>,
    #[oai(nullable)]
    must_change_password: Option<bool>,
    /// A new password set by the admin; the user's sessions end.
    #[oai(nullable)]
    password: Option<String>,
}

#[derive(ApiResponse)]
enum Created {
    /// The user was created.
    #[oai(status = 201)]
    User(Json<UserResponse>, #[oai(header = "Location")] String),
}

#[derive(ApiResponse)]
enum Deleted {
    /// The user was deleted.
    #[oai(status = 204)]
    Done,
}

#[derive(ApiResponse)]
enum SecondFactorReset {
    /// Their second factor is off and their sessions have ended.
    #[oai(status = 204)]
    Done,
}

error_set!(
    /// Reading users.
    ReadErrors: 400, 401, 403, 404
);
error_set!(
    /// Writing users.
    WriteErrors: 400, 401, 403, 404, 409, 422, 503
);

#[OpenApi(prefix_path = "/api/v1/admin/users", tag = "ApiTags::Users")]
impl UsersApi {
    /// List users.
    ///
    /// Sorted by email. `role` keeps users of that role; `country` keeps users who
    /// may work on that country (explicitly, or with all countries).
    #[oai(path = "/", method = "get", operation_id = "users_list")]
    async fn list(
        &self,
        auth: AdminAuth,
        role: Query<Option<RoleName>>,
        country: Query<Option<String>>,
        page: Query<Option<u64>>,
        per_page: Query<Option<u64>>,
    ) -> Result<Json<UserList>, ApiError<ReadErrors>> {
        let page = PageRequest::parse(page.0, per_page.0, &self.state.settings.api)?;
        let filter = UserFilter {
            role: role.0.map(Role::from),
            country: country.0,
        };
        let paged = users::list(&self.state, &auth.0, filter, page).await?;
        Ok(Json(UserList {
            page: PageInfo::of(&paged),
            items: paged.items.into_iter().map(UserResponse::from).collect(),
        }))
    }

    /// Create a user.
    #[oai(path = "/", method = "post", operation_id = "users_create")]
    async fn create(
        &self,
        auth: AdminAuth,
        body: JsonBody<CreateUserRequest>,
    ) -> Result<Created, ApiError<WriteErrors>> {
        let body = body.0;
        let scope = body.scope.unwrap_or_default();
        let new = NewUser {
            language: None,
            email: body.email,
            display_name: body.display_name,
            role: body.role.into(),
            countries: scope.countries,
            locales: scope.locales,
            password: body.password,
            must_change_password: body.must_change_password,
        };
        let user = users::create_by(&self.state, &auth.0, new).await?;
        let location = format!("/api/v1/admin/users/{}", user.id);
        Ok(Created::User(Json(user.into()), location))
    }

    /// Read a user.
    #[oai(path = "/:id", method = "get", operation_id = "users_get")]
    async fn get(
        &self,
        auth: AdminAuth,
        id: Path<Uuid>,
    ) -> Result<Json<UserResponse>, ApiError<ReadErrors>> {
        Ok(Json(
            users::get(&self.state, &auth.0, id.0.into()).await?.into(),
        ))
    }

    /// Change a user's name, role, scope, password or state.
    ///
    /// The last active admin cannot be demoted or disabled (409).
    #[oai(path = "/:id", method = "patch", operation_id = "users_update")]
    async fn update(
        &self,
        auth: AdminAuth,
        id: Path<Uuid>,
        body: JsonBody<UpdateUserRequest>,
    ) -> Result<Json<UserResponse>, ApiError<WriteErrors>> {
        let body = body.0;
        let changes = UserChanges {
            display_name: body.display_name,
            role: body.role.map(Role::from),
            countries: body.scope.as_ref().and_then(|s| s.countries.clone()),
            locales: body.scope.and_then(|s| s.locales),
            disabled: body.disabled,
            must_change_password: body.must_change_password,
            password: body.password,
        };
        Ok(Json(
            users::update(&self.state, &auth.0, id.0.into(), changes)
                .await?
                .into(),
        ))
    }

    /// Delete a user.
    ///
    /// Their sessions end; the audit log keeps what they did. The last active admin
    /// cannot be deleted (409).
    #[oai(path = "/:id", method = "delete", operation_id = "users_delete")]
    async fn delete(
        &self,
        auth: AdminAuth,
        id: Path<Uuid>,
    ) -> Result<Deleted, ApiError<WriteErrors>> {
        users::delete(&self.state, &auth.0, id.0.into()).await?;
        Ok(Deleted::Done)
    }

    /// Reset a user's second factor.
    ///
    /// For a lost phone: their two-factor sign-in is off, their recovery codes stop
    /// working and every session of theirs ends; they sign in with their password and,
    /// if their role must use a second factor, turn it on again before anything else.
    /// Recorded in the audit log. 403 for one's own (turn it off with your password,
    /// `POST /api/v1/auth/totp/disable`).
    #[oai(
        path = "/:id/totp",
        method = "delete",
        operation_id = "users_reset_totp"
    )]
    async fn reset_totp(
        &self,
        auth: AdminAuth,
        id: Path<Uuid>,
    ) -> Result<SecondFactorReset, ApiError<WriteErrors>> {
        crate::services::accounts::two_factor::reset(&self.state, &auth.0, id.0.into()).await?;
        Ok(SecondFactorReset::Done)
    }
}
