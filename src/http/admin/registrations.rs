//! `/api/v1/admin/events/{id}/registrations`: who expressed interest (editors of the
//! event's country, and admins); CSV export; erasure.

use chrono::{DateTime, Utc};
use entity::values::RegistrationStatus;
use poem::http::header;
use poem::{IntoResponse, Response};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::registry::{
    MetaHeader, MetaMediaType, MetaResponse, MetaResponses, MetaSchema, MetaSchemaRef, Registry,
};
use poem_openapi::types::Type;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use uuid::Uuid;

use crate::domain::files::content_disposition;
use crate::http::ApiTags;
use crate::http::names::OrganisationTypeName;
use crate::http::problem::{ApiError, error_set};
use crate::http::security::AdminAuth;
use crate::services::registrations;
use crate::services::sign_up_sheet::{Separator, sign_up_sheet};
use crate::state::AppState;

pub struct RegistrationsApi {
    pub state: AppState,
}

#[derive(Debug, Object)]
struct RegistrationResponse {
    id: Uuid,
    name: String,
    email: String,
    organisation: String,
    organisation_type: OrganisationTypeName,
    country: String,
    /// The language of the page the person signed up on (their mails are in it).
    #[oai(nullable)]
    locale: Option<String>,
    consented_at: DateTime<Utc>,
    /// The consent text the person agreed to, as the form showed it (`null` for
    /// sign-ups from before buysocial kept it).
    #[oai(nullable)]
    consent_text: Option<String>,
    #[oai(nullable)]
    consent_version: Option<String>,
    /// The privacy notice the form linked to.
    #[oai(nullable)]
    privacy_notice_url: Option<String>,
    created_at: DateTime<Utc>,
    /// `pending` (the person has not confirmed their address yet), `confirmed`,
    /// `cancelled`, `waitlisted` (the event was full), `offered` (a freed place is
    /// held for them until `hold_until`) or `expired` (an offer not accepted in time).
    status: RegistrationStatusName,
    /// Waitlisted: the place on the waitlist (1: the next to be offered a place).
    #[oai(nullable)]
    waitlist_position: Option<u64>,
    /// When the person confirmed their address.
    #[oai(nullable)]
    confirmed_at: Option<DateTime<Utc>>,
    /// Pending: until when the sign-up holds its place without confirmation; offered
    /// (and expired): until when the offered place is (was) held.
    #[oai(nullable)]
    hold_until: Option<DateTime<Utc>>,
    #[oai(nullable)]
    cancelled_at: Option<DateTime<Utc>>,
    /// The latest mail to the person that could not be delivered (the mail server
    /// refused the address, or could not be reached in `mail.max_attempts`): they
    /// may not have their link.
    #[oai(nullable)]
    mail_failed: Option<MailFailure>,
}

/// A mail that could not be delivered.
#[derive(Debug, Object)]
struct MailFailure {
    subject: String,
    /// What the mail server said, or why it could not be reached.
    reason: String,
    at: DateTime<Utc>,
}

/// Where a sign-up stands.
#[derive(Debug, Clone, Copy, poem_openapi::Enum)]
#[oai(rename_all = "snake_case")]
enum RegistrationStatusName {
    Pending,
    Confirmed,
    Cancelled,
    Waitlisted,
    Offered,
    Expired,
}

impl From<RegistrationStatus> for RegistrationStatusName {
    fn from(status: RegistrationStatus) -> Self {
        match status {
            RegistrationStatus::Pending => Self::Pending,
            RegistrationStatus::Confirmed => Self::Confirmed,
            RegistrationStatus::Cancelled => Self::Cancelled,
            RegistrationStatus::Waitlisted => Self::Waitlisted,
            RegistrationStatus::Offered => Self::Offered,
            RegistrationStatus::Expired => Self::Expired,
        }
    }
}

/// The registrations, oldest first: JSON, or with `format=csv` a spreadsheet. One
/// 200 response with two media types (two 200 responses would be two identical keys in
/// the spec, which client generators refuse).
enum Listed {
    Json(Json<Vec<RegistrationResponse>>),
    Csv { body: String, disposition: String },
}

impl IntoResponse for Listed {
    fn into_response(self) -> Response {
        match self {
            Listed::Json(json) => json.into_response(),
            Listed::Csv { body, disposition } => Response::builder()
                .content_type("text/csv; charset=utf-8")
                .header(header::CONTENT_DISPOSITION, disposition)
                .body(body),
        }
    }
}

impl ApiResponse for Listed {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![MetaResponse {
                description: "The registrations, oldest first: JSON, or with `format=csv` a \
                              spreadsheet (with `Content-Disposition: attachment`).",
                status: Some(200),
                status_range: None,
                content: vec![
                    MetaMediaType {
                        content_type: "application/json; charset=utf-8",
                        schema: <Vec<RegistrationResponse> as Type>::schema_ref(),
                    },
                    MetaMediaType {
                        content_type: "text/csv; charset=utf-8",
                        schema: MetaSchemaRef::Inline(Box::new(MetaSchema::new("string"))),
                    },
                ],
                headers: vec![MetaHeader {
                    name: "Content-Disposition".into(),
                    description: Some("With `format=csv`: the file name to save as.".into()),
                    required: false,
                    deprecated: false,
                    schema: MetaSchemaRef::Inline(Box::new(MetaSchema::new("string"))),
                }],
            }],
        }
    }

    fn register(registry: &mut Registry) {
        <Vec<RegistrationResponse> as Type>::register(registry);
    }
}

/// The representation of the list.
#[derive(Debug, Clone, Copy, Default, Enum)]
#[oai(rename_all = "lowercase")]
enum ListFormat {
    /// JSON (the default).
    #[default]
    Json,
    /// A spreadsheet, formula-like cells defused.
    Csv,
}

/// The column separator of a spreadsheet.
#[derive(Debug, Clone, Copy, Default, Enum)]
#[oai(rename_all = "lowercase")]
enum SeparatorName {
    #[default]
    Comma,
    Semicolon,
}

#[derive(ApiResponse)]
enum Erased {
    /// The registration is gone.
    #[oai(status = 204)]
    Done,
}

error_set!(
    /// Reading and erasing registrations.
    Errors: 400, 401, 403, 404
);

#[OpenApi(prefix_path = "/api/v1/admin/events", tag = "ApiTags::Content")]
impl RegistrationsApi {
    /// Who expressed interest in an event (`format=csv` for a spreadsheet).
    #[oai(
        path = "/:id/registrations",
        method = "get",
        operation_id = "registrations_list"
    )]
    async fn list(
        &self,
        auth: AdminAuth,
        id: Path<Uuid>,
        /// `json` (the default) or `csv`.
        format: Query<Option<ListFormat>>,
        /// With `format=csv`: the column separator, `comma` (the default) or `semicolon`
        /// (what Excel expects where the decimal mark is a comma: Portugal, Belgium,
        /// France...).
        separator: Query<Option<SeparatorName>>,
    ) -> Result<Listed, ApiError<Errors>> {
        match format.0.unwrap_or_default() {
            ListFormat::Csv => {
                let separator = match separator.0.unwrap_or_default() {
                    SeparatorName::Comma => Separator::Comma,
                    SeparatorName::Semicolon => Separator::Semicolon,
                };
                let sheet = sign_up_sheet(&self.state, &auth.0, id.0.into(), separator).await?;
                Ok(Listed::Csv {
                    body: sheet.body,
                    disposition: content_disposition(&sheet.file_name, "text/csv"),
                })
            }
            ListFormat::Json => {
                let found = registrations::list(&self.state, &auth.0, id.0.into()).await?;
                let positions = registrations::waitlist_positions(&found);
                let mut failed = registrations::failed_mails(&self.state.db, id.0.into()).await?;
                Ok(Listed::Json(Json(
                    found
                        .into_iter()
                        .map(|r| RegistrationResponse {
                            waitlist_position: positions.get(&r.id).copied(),
                            mail_failed: failed.remove(&r.id).map(|f| MailFailure {
                                subject: f.subject,
                                reason: f.reason,
                                at: f.at,
                            }),
                            id: r.id.into(),
                            name: r.name,
                            email: r.email,
                            organisation: r.organisation,
                            organisation_type: OrganisationTypeName::from_stored(
                                &r.organisation_type,
                            ),
                            country: r.country,
                            locale: r.locale,
                            consented_at: r.consented_at,
                            consent_text: r.consent_text,
                            consent_version: r.consent_version,
                            privacy_notice_url: r.privacy_notice_url,
                            created_at: r.created_at,
                            status: r.status.into(),
                            confirmed_at: r.confirmed_at,
                            hold_until: r.hold_until,
                            cancelled_at: r.cancelled_at,
                        })
                        .collect(),
                )))
            }
        }
    }

    /// Erase one registration for good (right to erasure).
    #[oai(
        path = "/:id/registrations/:rid",
        method = "delete",
        operation_id = "registrations_erase"
    )]
    async fn erase(
        &self,
        auth: AdminAuth,
        id: Path<Uuid>,
        rid: Path<Uuid>,
    ) -> Result<Erased, ApiError<Errors>> {
        registrations::erase(&self.state, &auth.0, id.0.into(), rid.0.into()).await?;
        Ok(Erased::Done)
    }
}
