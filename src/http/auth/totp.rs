//! `/api/v1/auth/totp/...` and `/api/v1/auth/login/totp`: turning two-factor sign-in
//! on and off for oneself, recovery codes, and the second step of signing in.

use poem::Request;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;

use super::LoginResponse;
use crate::error::AppError;
use crate::http::ApiTags;
use crate::http::client::client_info;
use crate::http::json::JsonBody;
use crate::http::problem::{ApiError, error_set};
use crate::http::security::SessionAuth;
use crate::services::accounts::two_factor;
use crate::services::auth::{self, Proof};
use crate::state::AppState;

pub struct TwoFactorApi {
    pub state: AppState,
}

/// A secret to add to an authenticator app.
#[derive(Object)]
struct EnrolmentResponse {
    /// The secret in base32, for typing it into the app by hand.
    secret: String,
    /// The `otpauth://` URI the QR code holds.
    otpauth_uri: String,
    /// The QR code, an SVG image drawn by this server.
    qr_svg: String,
}

/// A code from the authenticator app.
#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
struct CodeRequest {
    /// The six digits the app shows now.
    #[oai(validator(max_length = 20))]
    code: String,
}

/// Ten new recovery codes, shown only now.
#[derive(Object)]
struct RecoveryCodesResponse {
    /// Each works once, instead of a code from the app; keep them somewhere safe.
    recovery_codes: Vec<String>,
}

/// Turning the second factor off: the password again.
#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
struct DisableRequest {
    #[oai(validator(max_length = 1024))]
    password: String,
}

/// The second step of signing in.
#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
struct SecondFactorRequest {
    /// The `challenge` that `POST /api/v1/auth/login` answered.
    #[oai(validator(max_length = 200))]
    challenge: String,
    /// The six digits the authenticator app shows; or instead `recovery_code`.
    #[oai(validator(max_length = 20))]
    code: Option<String>,
    /// One of the recovery codes (each works once).
    #[oai(validator(max_length = 40))]
    recovery_code: Option<String>,
}

#[derive(ApiResponse)]
enum NoContent {
    /// Done.
    #[oai(status = 204)]
    Done,
}

error_set!(
    /// Enrolling: no session, on already.
    EnrolErrors: 401, 403, 409
);
error_set!(
    /// Checking a code or a password: a wrong one is 422 on its field.
    CheckErrors: 400, 401, 403, 422, 429, 503
);
error_set!(
    /// The second step of signing in: a wrong code is 401.
    SecondStepErrors: 400, 401, 422, 429
);

#[OpenApi(prefix_path = "/api/v1/auth", tag = "ApiTags::Auth")]
impl TwoFactorApi {
    /// Start turning on two-factor sign-in.
    ///
    /// A new secret for an authenticator app, as a QR code (SVG) and as text. Nothing
    /// changes until a code from it is confirmed (`POST /api/v1/auth/totp/confirm`);
    /// starting again replaces the secret. 409 when it is on already; 403 more than 15
    /// minutes after signing in (sign in again first).
    #[oai(
        path = "/totp/enrol",
        method = "post",
        operation_id = "auth_totp_enrol"
    )]
    async fn enrol(
        &self,
        session: SessionAuth,
    ) -> Result<Json<EnrolmentResponse>, ApiError<EnrolErrors>> {
        let caller = &session.0;
        let enrolment = two_factor::enrol(&self.state, &caller.user, caller.session_id).await?;
        Ok(Json(EnrolmentResponse {
            secret: enrolment.secret,
            otpauth_uri: enrolment.otpauth_uri,
            qr_svg: enrolment.qr_svg,
        }))
    }

    /// Confirm two-factor sign-in with a code from the app.
    ///
    /// It is on from now: signing in asks for a code after the password. Answers ten
    /// recovery codes, shown only now. A wrong code is 422 on `code` and counts in the
    /// sign-in throttle. Only within 15 minutes of signing in (403 after: sign in again),
    /// so that a session taken earlier cannot put another authenticator on the account.
    #[oai(
        path = "/totp/confirm",
        method = "post",
        operation_id = "auth_totp_confirm"
    )]
    async fn confirm(
        &self,
        req: &Request,
        session: SessionAuth,
        body: JsonBody<CodeRequest>,
    ) -> Result<Json<RecoveryCodesResponse>, ApiError<CheckErrors>> {
        let client = client_info(req, &self.state.settings.server);
        let caller = &session.0;
        let codes = two_factor::confirm(
            &self.state,
            &caller.user,
            caller.session_id,
            &body.0.code,
            &client,
        )
        .await?;
        Ok(Json(RecoveryCodesResponse {
            recovery_codes: codes,
        }))
    }

    /// Make new recovery codes.
    ///
    /// With a code from the app; the old recovery codes stop working. Answers the ten
    /// new ones, shown only now.
    #[oai(
        path = "/totp/recovery-codes",
        method = "post",
        operation_id = "auth_totp_recovery_codes"
    )]
    async fn recovery_codes(
        &self,
        req: &Request,
        session: SessionAuth,
        body: JsonBody<CodeRequest>,
    ) -> Result<Json<RecoveryCodesResponse>, ApiError<CheckErrors>> {
        let client = client_info(req, &self.state.settings.server);
        let codes =
            two_factor::new_recovery_codes(&self.state, &session.0.user, &body.0.code, &client)
                .await?;
        Ok(Json(RecoveryCodesResponse {
            recovery_codes: codes,
        }))
    }

    /// Turn two-factor sign-in off.
    ///
    /// With the password. 403 when the person's role must use it (an administrator can
    /// reset it instead, to move it to another phone).
    #[oai(
        path = "/totp/disable",
        method = "post",
        operation_id = "auth_totp_disable"
    )]
    async fn disable(
        &self,
        req: &Request,
        session: SessionAuth,
        body: JsonBody<DisableRequest>,
    ) -> Result<NoContent, ApiError<CheckErrors>> {
        let client = client_info(req, &self.state.settings.server);
        two_factor::disable(&self.state, &session.0.user, &body.0.password, &client).await?;
        Ok(NoContent::Done)
    }

    /// Finish signing in with the second factor.
    ///
    /// The `challenge` from `login` and either `code` (from the app; each is accepted
    /// once) or `recovery_code` (each works once): a session, as `login` answers it.
    /// 401 with one message for any wrong code, and for a challenge expired (after 5
    /// minutes) or used; wrong codes count in the sign-in throttle like wrong
    /// passwords (429 past it).
    #[oai(
        path = "/login/totp",
        method = "post",
        operation_id = "auth_login_totp"
    )]
    async fn login_totp(
        &self,
        req: &Request,
        body: JsonBody<SecondFactorRequest>,
    ) -> Result<Json<LoginResponse>, ApiError<SecondStepErrors>> {
        let client = client_info(req, &self.state.settings.server);
        let body = body.0;
        let proof = match (&body.code, &body.recovery_code) {
            (Some(code), None) => Proof::Code(code),
            (None, Some(code)) => Proof::RecoveryCode(code),
            _ => {
                return Err(AppError::invalid(
                    "code",
                    "send either `code` (from the app) or `recovery_code`",
                )
                .into());
            }
        };
        let outcome = auth::login_with_code(&self.state, &body.challenge, proof, client).await?;
        Ok(Json(outcome.into()))
    }
}
