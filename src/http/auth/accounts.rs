//! `/api/v1/auth`, without a session: what the links of account mails do (accept an
//! invitation, choose a new password) and asking for a reset mail.

use poem::Request;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use serde::Deserialize;

use super::LoginResponse;
use crate::http::ApiTags;
use crate::http::admin::invitations::InvitationResponse;
use crate::http::client::client_info;
use crate::http::json::JsonBody;
use crate::http::problem::{ApiError, error_set};
use crate::services::accounts::{invitations, password_reset};
use crate::state::AppState;

pub struct AccountsApi {
    pub state: AppState,
}

/// Asking for a password-reset mail.
#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
struct ResetRequest {
    /// The account's email address (case does not matter).
    #[oai(validator(max_length = 320))]
    email: String,
}

/// The same answer for any address.
#[derive(Debug, Object)]
struct ResetRequested {
    /// `accepted`: if the address has an enabled account, a mail with a link is on
    /// its way to it.
    status: ResetRequestStatus,
}

#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "snake_case")]
enum ResetRequestStatus {
    Accepted,
}

#[derive(ApiResponse)]
enum ResetAnswer {
    /// Asked; a mail follows if the address has an account.
    #[oai(status = 202)]
    Accepted(Json<ResetRequested>),
}

/// A new password, with the token of a mailed reset link.
#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
struct ResetConfirm {
    /// The token from the link (what follows `#token=`).
    #[oai(validator(max_length = 200))]
    token: String,
    /// The new password: at least `auth.password_min_length` (default 12) characters.
    #[oai(validator(max_length = 1024))]
    new_password: String,
}

/// The token of an invitation's link.
#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
struct InvitationToken {
    /// The token from the link (what follows `#token=`).
    #[oai(validator(max_length = 200))]
    token: String,
}

/// Accepting an invitation: the password the person chose.
#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
struct AcceptInvitation {
    /// The token from the link (what follows `#token=`).
    #[oai(validator(max_length = 200))]
    token: String,
    /// The password: at least `auth.password_min_length` (default 12) characters.
    #[oai(validator(max_length = 1024))]
    password: String,
    /// The name others see; absent: the one the administrator gave.
    #[oai(validator(max_length = 200))]
    display_name: Option<String>,
}

#[derive(ApiResponse)]
enum NoContent {
    /// Done.
    #[oai(status = 204)]
    Done,
}

error_set!(
    /// Asking for a reset mail: a malformed address, too many requests.
    ResetRequestErrors: 400, 422, 429
);
error_set!(
    /// What a mailed link's token can meet: never valid (404), used or expired
    /// (410 `link-expired`), a password the rules refuse (422), hashing busy (503).
    LinkErrors: 400, 404, 409, 410, 422, 503
);

#[OpenApi(prefix_path = "/api/v1/auth", tag = "ApiTags::Auth")]
impl AccountsApi {
    /// Ask for a mail with a link to choose a new password.
    ///
    /// The answer is the same 202 for any address, and so is the work done: the mail
    /// goes out (within seconds) only when the address has an enabled account. The link
    /// works once, for `auth.password_reset_minutes` (30). 429 past
    /// `auth.throttle.max_reset_requests_per_account` requests for one address, or
    /// `max_reset_requests_per_address` from one client, within the throttle window.
    #[oai(
        path = "/password-reset",
        method = "post",
        operation_id = "auth_password_reset"
    )]
    async fn password_reset(
        &self,
        req: &Request,
        body: JsonBody<ResetRequest>,
    ) -> Result<ResetAnswer, ApiError<ResetRequestErrors>> {
        let client = client_info(req, &self.state.settings.server);
        password_reset::request(&self.state, &body.0.email, client).await?;
        Ok(ResetAnswer::Accepted(Json(ResetRequested {
            status: ResetRequestStatus::Accepted,
        })))
    }

    /// Choose a new password with the token of a mailed reset link.
    ///
    /// Every session of the account ends (sign in again with the new password), every
    /// other reset link stops working, and a mail tells the owner. 404 for a token
    /// that never was; 410 `link-expired` for one used or expired.
    #[oai(
        path = "/password-reset/confirm",
        method = "post",
        operation_id = "auth_password_reset_confirm"
    )]
    async fn password_reset_confirm(
        &self,
        req: &Request,
        body: JsonBody<ResetConfirm>,
    ) -> Result<NoContent, ApiError<LinkErrors>> {
        let client = client_info(req, &self.state.settings.server);
        let body = body.0;
        password_reset::confirm(&self.state, &body.token, &body.new_password, client).await?;
        Ok(NoContent::Done)
    }

    /// What an invitation's link offers.
    ///
    /// The address, role and scope the account will have, and who invited, for the
    /// page that asks the person to choose a password. Changes nothing. 404 for a token
    /// that never was, or whose invitation was sent again (the newest link works); 410
    /// `link-expired` for an invitation accepted, withdrawn or expired.
    #[oai(
        path = "/invitations/open",
        method = "post",
        operation_id = "auth_invitation_open"
    )]
    async fn open_invitation(
        &self,
        body: JsonBody<InvitationToken>,
    ) -> Result<Json<InvitationResponse>, ApiError<LinkErrors>> {
        let invitation = invitations::open(&self.state, &body.0.token).await?;
        Ok(Json(invitation.into()))
    }

    /// Accept an invitation: choose a password, and be signed in.
    ///
    /// Makes the account with the invitation's role and scope and answers a session,
    /// as `login` does. The link works once. 404 for a token that never was; 410
    /// `link-expired` for an invitation accepted, withdrawn or expired; 409
    /// `already-exists` when the address got an account meanwhile.
    #[oai(
        path = "/invitations/accept",
        method = "post",
        operation_id = "auth_invitation_accept"
    )]
    async fn accept_invitation(
        &self,
        req: &Request,
        body: JsonBody<AcceptInvitation>,
    ) -> Result<Json<LoginResponse>, ApiError<LinkErrors>> {
        let client = client_info(req, &self.state.settings.server);
        let body = body.0;
        let outcome = invitations::accept(
            &self.state,
            &body.token,
            &body.password,
            body.display_name,
            client,
        )
        .await?;
        Ok(Json(outcome.into()))
    }
}
