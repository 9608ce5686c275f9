//! `/api/v1/admin/invitations`: inviting people by mail to make their own account
//! (admins only).

use chrono::{DateTime, Utc};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use serde::Deserialize;
use uuid::Uuid;

use super::pagination::PageInfo;
use super::users::{RoleName, ScopeRequest, ScopeResponse};
use crate::http::ApiTags;
use crate::http::json::JsonBody;
use crate::http::problem::{ApiError, error_set};
use crate::http::security::AdminAuth;
use crate::services::accounts::invitations::{self, Invitation, InvitationStatus, NewInvitation};
use crate::services::pagination::PageRequest;
use crate::state::AppState;

pub struct InvitationsApi {
    pub state: AppState,
}

/// Where an open invitation stands.
#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "snake_case")]
pub enum InvitationStatusName {
    /// The mailed link works until `expires_at`.
    Pending,
    /// The link no longer works; send the invitation again.
    Expired,
}

/// An invitation not yet accepted or withdrawn. Its link is only in the mail.
#[derive(Debug, Object)]
pub struct InvitationResponse {
    pub id: Uuid,
    pub email: String,
    /// The name the account will have unless the person gives another.
    pub display_name: String,
    pub role: RoleName,
    pub scope: ScopeResponse,
    /// The language of the mail and of the account's later mails.
    pub language: String,
    pub status: InvitationStatusName,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
    /// Who invited (their name).
    pub invited_by: String,
    pub created_at: DateTime<Utc>,
    /// When the link was last mailed.
    pub sent_at: DateTime<Utc>,
}

impl From<Invitation> for InvitationResponse {
    fn from(invitation: Invitation) -> Self {
        Self {
            id: invitation.id.into(),
            scope: ScopeResponse::from(&invitation.scope),
            email: invitation.email,
            display_name: invitation.display_name,
            role: invitation.role.into(),
            language: invitation.language,
            status: match invitation.status {
                InvitationStatus::Pending => InvitationStatusName::Pending,
                InvitationStatus::Expired => InvitationStatusName::Expired,
            },
            expires_at: invitation.expires_at,
            invited_by: invitation.invited_by,
            created_at: invitation.created_at,
            sent_at: invitation.sent_at,
        }
    }
}

/// A page of open invitations.
#[derive(Debug, Object)]
struct InvitationList {
    items: Vec<InvitationResponse>,
    page: PageInfo,
}

/// Whom to invite, with what role and scope.
#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
struct CreateInvitationRequest {
    /// Where the invitation is mailed; the account's email.
    email: String,
    /// The name the account will have (the person can change it when accepting).
    #[oai(nullable)]
    display_name: Option<String>,
    role: RoleName,
    /// Absent: all countries and locales. With the role `admin` a scope with countries
    /// or locales is refused (422 on `scope`).
    #[oai(nullable)]
    scope: Option<ScopeRequest>,
    /// A configured locale: the language of the mail and of the account's later mails.
    /// Absent: the first locale of the scope, else English.
    #[oai(nullable)]
    language: Option<String>,
}

#[derive(ApiResponse)]
enum Created {
    /// Invited: the mail is on its way.
    #[oai(status = 201)]
    Invitation(Json<InvitationResponse>, #[oai(header = "Location")] String),
}

#[derive(ApiResponse)]
enum Withdrawn {
    /// Withdrawn: the link no longer works.
    #[oai(status = 204)]
    Done,
}

error_set!(
    /// Reading invitations.
    ReadErrors: 400, 401, 403
);
error_set!(
    /// Inviting, sending again, withdrawing.
    WriteErrors: 400, 401, 403, 404, 409, 422
);

#[OpenApi(prefix_path = "/api/v1/admin/invitations", tag = "ApiTags::Users")]
impl InvitationsApi {
    /// List open invitations.
    ///
    /// Those neither accepted nor withdrawn, newest first: `pending` while the link
    /// works, `expired` after. Accepted invitations are users now.
    #[oai(path = "/", method = "get", operation_id = "invitations_list")]
    async fn list(
        &self,
        auth: AdminAuth,
        page: Query<Option<u64>>,
        per_page: Query<Option<u64>>,
    ) -> Result<Json<InvitationList>, ApiError<ReadErrors>> {
        let page = PageRequest::parse(page.0, per_page.0, &self.state.settings.api)?;
        let paged = invitations::list(&self.state, &auth.0, page).await?;
        Ok(Json(InvitationList {
            page: PageInfo::of(&paged),
            items: paged.items.into_iter().map(Into::into).collect(),
        }))
    }

    /// Invite someone by mail.
    ///
    /// The person gets a link (working once, for `auth.invitation_hours`, 72) to
    /// choose their own password; accepting makes their account with this role and
    /// scope. Nobody else ever knows their password. 409 `already-exists` when the
    /// address has an account or an open invitation.
    #[oai(path = "/", method = "post", operation_id = "invitations_create")]
    async fn create(
        &self,
        auth: AdminAuth,
        body: JsonBody<CreateInvitationRequest>,
    ) -> Result<Created, ApiError<WriteErrors>> {
        let body = body.0;
        let scope = body.scope.unwrap_or_default();
        let new = NewInvitation {
            email: body.email,
            display_name: body.display_name,
            role: body.role.into(),
            countries: scope.countries,
            locales: scope.locales,
            language: body.language,
        };
        let invitation = invitations::invite(&self.state, &auth.0, new).await?;
        let location = format!("/api/v1/admin/invitations/{}", invitation.id);
        Ok(Created::Invitation(Json(invitation.into()), location))
    }

    /// Send an invitation again.
    ///
    /// A new link with a new deadline; the old link stops working. 404 for an
    /// invitation accepted or withdrawn.
    #[oai(
        path = "/:id/resend",
        method = "post",
        operation_id = "invitations_resend"
    )]
    async fn resend(
        &self,
        auth: AdminAuth,
        id: Path<Uuid>,
    ) -> Result<Json<InvitationResponse>, ApiError<WriteErrors>> {
        let invitation = invitations::resend(&self.state, &auth.0, id.0.into()).await?;
        Ok(Json(invitation.into()))
    }

    /// Withdraw an invitation.
    ///
    /// Its link stops working. 404 for an invitation accepted or withdrawn.
    #[oai(
        path = "/:id",
        method = "delete",
        operation_id = "invitations_withdraw"
    )]
    async fn withdraw(
        &self,
        auth: AdminAuth,
        id: Path<Uuid>,
    ) -> Result<Withdrawn, ApiError<WriteErrors>> {
        invitations::withdraw(&self.state, &auth.0, id.0.into()).await?;
        Ok(Withdrawn::Done)
    }
}
