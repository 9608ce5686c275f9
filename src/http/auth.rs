//! `/api/v1/auth`: log in, see yourself, log out, change your password.

use chrono::{DateTime, Utc};
use poem::Request;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use serde::Deserialize;
use uuid::Uuid;

use crate::domain::Role;
use crate::http::ApiTags;
use crate::http::client::client_info;
use crate::http::json::JsonBody;
use crate::http::problem::{ApiError, error_set};
use crate::http::security::SessionAuth;
use crate::services::auth;
use crate::services::users::User;
use crate::state::AppState;

pub struct AuthApi {
    pub state: AppState,
}

/// Credentials for a new session.
#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
struct LoginRequest {
    /// The account's email address (case does not matter).
    email: String,
    /// The account's password.
    #[oai(validator(max_length = 1024))]
    password: String,
}

/// A new session.
#[derive(Object)]
struct LoginResponse {
    /// The session token: send it as `Authorization: Bearer <token>`. Shown only now.
    token: String,
    /// When the session ends if unused; each use extends it, up to an absolute limit.
    expires_at: DateTime<Utc>,
    /// Who logged in.
    user: UserResponse,
}

/// The logged-in user and its session.
#[derive(Object)]
struct MeResponse {
    user: UserResponse,
    /// When the session ends if unused from now on.
    session_expires_at: DateTime<Utc>,
}

/// A user account.
#[derive(Object)]
pub struct UserResponse {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: RoleName,
    /// Where the user may work; empty lists mean everywhere.
    pub scope: ScopeResponse,
    /// The password was set by someone else (or generated) and must be changed.
    pub must_change_password: bool,
    pub created_at: DateTime<Utc>,
}

/// Countries and locales a user may work on.
#[derive(Object)]
pub struct ScopeResponse {
    /// ISO 3166-1 alpha-2 codes; empty means all countries.
    pub countries: Vec<String>,
    /// BCP 47 locale codes; empty means all locales.
    pub locales: Vec<String>,
}

/// What a user may do: `admin` everything; `editor` write and publish in scope;
/// `author` write drafts in scope; `viewer` read only.
#[derive(Enum)]
#[oai(rename_all = "lowercase")]
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

impl From<User> for UserResponse {
    fn from(user: User) -> Self {
        Self {
            id: user.id,
            email: user.email,
            display_name: user.display_name,
            role: user.role.into(),
            scope: ScopeResponse {
                countries: user.scope.countries,
                locales: user.scope.locales,
            },
            must_change_password: user.must_change_password,
            created_at: user.created_at,
        }
    }
}

/// A change of one's own password.
#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
struct ChangePasswordRequest {
    /// The password in use now.
    current_password: String,
    /// The new password: at least `auth.password_min_length` (default 12) characters.
    new_password: String,
}

#[derive(ApiResponse)]
enum NoContent {
    /// Done.
    #[oai(status = 204)]
    Done,
}

error_set!(
    /// Login failures: bad pair, throttled, busy hashing, malformed body.
    LoginErrors: 400, 401, 422, 429, 503
);
error_set!(
    /// Failures of an authenticated call without a body.
    SessionErrors: 401
);
error_set!(
    /// Password change failures.
    PasswordErrors: 400, 401, 422, 429, 503
);

#[OpenApi(prefix_path = "/api/v1/auth", tag = "ApiTags::Auth")]
impl AuthApi {
    /// Log in with email and password.
    ///
    /// Returns a session token to send as `Authorization: Bearer <token>`.
    /// Any wrong email/password pair gets the same 401. After repeated failures for
    /// an account or from an address, attempts get 429 with `Retry-After`.
    #[oai(path = "/login", method = "post", operation_id = "auth_login")]
    async fn login(
        &self,
        req: &Request,
        body: JsonBody<LoginRequest>,
    ) -> Result<Json<LoginResponse>, ApiError<LoginErrors>> {
        let client = client_info(req, self.state.settings.server.trust_proxy_headers);
        let outcome = auth::login(&self.state, &body.0.email, &body.0.password, client).await?;
        Ok(Json(LoginResponse {
            token: outcome.token,
            expires_at: outcome.expires_at,
            user: outcome.user.into(),
        }))
    }

    /// Log out.
    ///
    /// Ends the current session; its token stops working at once.
    #[oai(path = "/logout", method = "post", operation_id = "auth_logout")]
    async fn logout(&self, session: SessionAuth) -> Result<NoContent, ApiError<SessionErrors>> {
        auth::logout(&self.state, &session.0).await?;
        Ok(NoContent::Done)
    }

    /// Who am I.
    ///
    /// The logged-in user, with role and scope, and when the session ends if unused.
    #[oai(path = "/me", method = "get", operation_id = "auth_me")]
    async fn me(&self, session: SessionAuth) -> Json<MeResponse> {
        Json(MeResponse {
            session_expires_at: session.0.session_expires_at,
            user: session.0.user.into(),
        })
    }

    /// Change your own password.
    ///
    /// Every other session of yours ends; this one stays.
    #[oai(
        path = "/password",
        method = "post",
        operation_id = "auth_change_password"
    )]
    async fn change_password(
        &self,
        session: SessionAuth,
        body: JsonBody<ChangePasswordRequest>,
    ) -> Result<NoContent, ApiError<PasswordErrors>> {
        let body = body.0;
        auth::change_password(
            &self.state,
            &session.0,
            &body.current_password,
            &body.new_password,
        )
        .await?;
        Ok(NoContent::Done)
    }
}
