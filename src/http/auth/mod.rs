//! `/api/v1/auth`: log in, see yourself, log out, change your password; and without a
//! session, what mailed links do (`accounts`).

pub mod accounts;
pub mod sso;
pub mod totp;

use chrono::{DateTime, Utc};
use poem::Request;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Union};
use serde::Deserialize;

use crate::http::ApiTags;
use crate::http::admin::tokens::TokenResponse;
use crate::http::admin::users::{SignUpNoticesName, UserResponse};
use crate::http::client::client_info;
use crate::http::json::JsonBody;
use crate::http::problem::{ApiError, error_set};
use crate::http::security::{AnyAuth, SessionAuth};
use crate::policy::Abilities;
use crate::services::accounts::two_factor;
use crate::services::auth;
use crate::services::kernel::actor::Credential;
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

/// What a right password answers: a session (`status: "signed_in"`), or for an account
/// with a second factor the step that asks for its code (`status: "code_needed"`).
#[derive(Union)]
#[oai(discriminator_name = "status")]
pub(super) enum LoginAnswer {
    #[oai(mapping = "signed_in")]
    SignedIn(LoginResponse),
    #[oai(mapping = "code_needed")]
    CodeNeeded(SecondFactorNeeded),
}

/// The password was right; a code from the authenticator app (or a recovery code) is
/// needed: send it with `challenge` to `POST /api/v1/auth/login/totp`.
#[derive(Object)]
pub(super) struct SecondFactorNeeded {
    /// Shown once; valid until `expires_at` (5 minutes), for one sign-in.
    challenge: String,
    expires_at: DateTime<Utc>,
}

impl From<auth::LoginStep> for LoginAnswer {
    fn from(step: auth::LoginStep) -> Self {
        match step {
            auth::LoginStep::SignedIn(outcome) => Self::SignedIn(outcome.into()),
            auth::LoginStep::CodeNeeded(challenge) => Self::CodeNeeded(SecondFactorNeeded {
                challenge: challenge.token,
                expires_at: challenge.expires_at,
            }),
        }
    }
}

/// A new session.
#[derive(Object)]
pub(super) struct LoginResponse {
    /// The session token: send it as `Authorization: Bearer <token>`. Shown only now.
    token: String,
    /// When the session ends if unused; each use extends it, up to an absolute limit.
    expires_at: DateTime<Utc>,
    /// Who logged in.
    user: UserResponse,
}

impl From<auth::LoginOutcome> for LoginResponse {
    fn from(outcome: auth::LoginOutcome) -> Self {
        Self {
            token: outcome.token,
            expires_at: outcome.expires_at,
            user: outcome.user.into(),
        }
    }
}

/// Who a token belongs to: a session's user, or an API token; `kind` tells which.
#[derive(Union)]
#[oai(discriminator_name = "kind")]
enum MeResponse {
    #[oai(mapping = "session")]
    Session(SessionMe),
    #[oai(mapping = "token")]
    Token(TokenMe),
}

/// A logged-in user's session.
#[derive(Object)]
struct SessionMe {
    /// The logged-in user, with role and scope.
    user: UserResponse,
    /// When the session ends if unused from now on.
    #[oai(nullable)]
    expires_at: Option<DateTime<Utc>>,
    /// What the user may do in the admin API (nothing until a generated password is
    /// changed, or while their role needs a second factor they have not turned on).
    permissions: PermissionsResponse,
    /// Their second factor.
    two_factor: TwoFactorResponse,
}

/// Where someone stands with two-factor sign-in.
#[derive(Object)]
struct TwoFactorResponse {
    /// They sign in with a code from an authenticator app.
    enabled: bool,
    /// Their role must: until it is on, the admin API answers 403 to all but
    /// `/api/v1/auth/*` (turn it on: `POST /api/v1/auth/totp/enrol`).
    required: bool,
    /// Unused recovery codes.
    recovery_codes_left: u64,
}

impl From<two_factor::Standing> for TwoFactorResponse {
    fn from(standing: two_factor::Standing) -> Self {
        Self {
            enabled: standing.enabled,
            required: standing.required,
            recovery_codes_left: standing.recovery_codes_left,
        }
    }
}

/// An API token of any kind.
#[derive(Object)]
struct TokenMe {
    token: TokenResponse,
    /// When the token expires, if ever.
    #[oai(nullable)]
    expires_at: Option<DateTime<Utc>>,
    /// What the token may do in the admin API (nothing for delivery and preview tokens).
    permissions: PermissionsResponse,
}

/// What the caller may do in the admin API, as the server's policy decides it: what an
/// admin client offers. The server checks every request anyway.
#[derive(Object)]
struct PermissionsResponse {
    manage_users: bool,
    manage_tokens: bool,
    manage_sites: bool,
    manage_webhooks: bool,
    read_audit: bool,
    /// See and erase who signed up for events of some country in scope (the event desk).
    read_registrations: bool,
    /// Upload files to the media library.
    upload_assets: bool,
    /// Change and delete files of the media library.
    manage_assets: bool,
    /// Create items (for `countries`, or EU-wide when `eu_wide`).
    create_content: bool,
    /// Publish, unpublish and schedule translations in scope.
    publish: bool,
    /// Create and change EU-wide items (a scope of all countries).
    eu_wide: bool,
    /// EU member states the caller may create items for.
    countries: Vec<String>,
    /// Configured locales the caller may write.
    locales: Vec<String>,
}

impl From<Abilities> for PermissionsResponse {
    fn from(abilities: Abilities) -> Self {
        Self {
            manage_users: abilities.manage_users,
            manage_tokens: abilities.manage_tokens,
            manage_sites: abilities.manage_sites,
            manage_webhooks: abilities.manage_webhooks,
            read_audit: abilities.read_audit,
            read_registrations: abilities.read_registrations,
            upload_assets: abilities.upload_assets,
            manage_assets: abilities.manage_assets,
            create_content: abilities.create_content,
            publish: abilities.publish,
            eu_wide: abilities.eu_wide,
            countries: abilities
                .countries
                .iter()
                .map(ToString::to_string)
                .collect(),
            locales: abilities.locales.iter().map(ToString::to_string).collect(),
        }
    }
}

/// A change of one's own settings; what is absent stays as it is.
#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
struct MySettingsRequest {
    /// How you hear about sign-ups to the events of your countries (for those who may
    /// read them): `none`, `each` (a mail on each sign-up) or `daily`.
    sign_up_notices: Option<SignUpNoticesName>,
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
    /// Login failures: bad pair, throttled, busy hashing, malformed body; 403 for an
    /// account that signs in through its single sign-on provider only.
    LoginErrors: 400, 401, 403, 422, 429, 503
);
error_set!(
    /// Failures of an authenticated call without a body.
    SessionErrors: 401, 403
);
error_set!(
    /// Failures of changing one's own settings.
    SettingsErrors: 400, 401, 403, 422
);
error_set!(
    /// Password change failures.
    PasswordErrors: 400, 401, 403, 422, 429, 503
);

#[OpenApi(prefix_path = "/api/v1/auth", tag = "ApiTags::Auth")]
impl AuthApi {
    /// Log in with email and password.
    ///
    /// `status: "signed_in"`: a session token to send as `Authorization: Bearer
    /// <token>`. `status: "code_needed"`: the account signs in with a second factor;
    /// send a code with the `challenge` to `POST /api/v1/auth/login/totp`. Any wrong
    /// email/password pair gets the same 401. After repeated failures (wrong codes
    /// included) for an account or from an address, attempts get 429 with
    /// `Retry-After`. 403 after a right password for an account that must sign in
    /// through its single sign-on provider (`password_sign_in = false`).
    #[oai(path = "/login", method = "post", operation_id = "auth_login")]
    async fn login(
        &self,
        req: &Request,
        body: JsonBody<LoginRequest>,
    ) -> Result<Json<LoginAnswer>, ApiError<LoginErrors>> {
        let client = client_info(req, &self.state.settings.server);
        let step = auth::login(&self.state, &body.0.email, &body.0.password, client).await?;
        Ok(Json(step.into()))
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
    /// For a session: the logged-in user with role and scope, and where they stand
    /// with two-factor sign-in (`two_factor`). For an API token of any kind: the token,
    /// so a frontend can check its own token.
    #[oai(path = "/me", method = "get", operation_id = "auth_me")]
    async fn me(&self, auth: AnyAuth) -> Result<Json<MeResponse>, ApiError<SessionErrors>> {
        let permissions = PermissionsResponse::from(crate::services::kernel::actor::abilities(
            &self.state,
            &auth.0,
        ));
        let expires_at = match &auth.0 {
            Credential::Session { expires_at, .. } => Some(*expires_at),
            _ => None,
        };
        Ok(Json(match auth.0 {
            // Local credentials exist only in the CLI; over HTTP, a session.
            Credential::Local(user) | Credential::Session { user, .. } => {
                let standing = two_factor::standing(&self.state, &user).await?;
                MeResponse::Session(SessionMe {
                    user: user.into(),
                    expires_at,
                    permissions,
                    two_factor: standing.into(),
                })
            }
            Credential::Token(token) => MeResponse::Token(TokenMe {
                expires_at: token.expires_at,
                token: token.into(),
                permissions,
            }),
        }))
    }

    /// Change your own settings.
    ///
    /// For a session: how you hear about sign-ups to the events of your countries by
    /// mail. Answers the user as they are now.
    #[oai(path = "/me", method = "patch", operation_id = "auth_update_me")]
    async fn update_me(
        &self,
        session: SessionAuth,
        body: JsonBody<MySettingsRequest>,
    ) -> Result<Json<UserResponse>, ApiError<SettingsErrors>> {
        let user = match body.0.sign_up_notices {
            Some(notices) => {
                auth::set_sign_up_notices(&self.state, &session.0, notices.into()).await?
            }
            None => session.0.user.clone(),
        };
        Ok(Json(user.into()))
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
