//! `/api/v1/admin/events/{id}/registrations`: who expressed interest (editors of the
//! event's country, and admins); CSV export; erasure.

use chrono::{DateTime, Utc};
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

use crate::http::ApiTags;
use crate::http::names::OrganisationTypeName;
use crate::http::problem::{ApiError, error_set};
use crate::http::security::AdminAuth;
use crate::services::registrations;
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
    /// The locale the event was read in.
    #[oai(nullable)]
    locale: Option<String>,
    consented_at: DateTime<Utc>,
    created_at: DateTime<Utc>,
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
    ) -> Result<Listed, ApiError<Errors>> {
        let found = registrations::list(&self.state, &auth.0, id.0).await?;
        match format.0.unwrap_or_default() {
            ListFormat::Csv => {
                let mut csv = String::from(
                    "name,email,organisation,organisation_type,country,locale,registered_at\r\n",
                );
                for r in &found {
                    let fields = [
                        r.name.as_str(),
                        r.email.as_str(),
                        r.organisation.as_str(),
                        r.organisation_type.as_str(),
                        r.country.as_str(),
                        r.locale.as_deref().unwrap_or_default(),
                        &r.created_at.to_rfc3339(),
                    ];
                    csv.push_str(&fields.map(csv_field).join(","));
                    csv.push_str("\r\n");
                }
                let disposition = format!("attachment; filename=\"registrations-{}.csv\"", id.0);
                Ok(Listed::Csv {
                    body: csv,
                    disposition,
                })
            }
            ListFormat::Json => Ok(Listed::Json(Json(
                found
                    .into_iter()
                    .map(|r| RegistrationResponse {
                        id: r.id,
                        name: r.name,
                        email: r.email,
                        organisation: r.organisation,
                        organisation_type: OrganisationTypeName::from_stored(&r.organisation_type),
                        country: r.country,
                        locale: r.locale,
                        consented_at: r.consented_at,
                        created_at: r.created_at,
                    })
                    .collect(),
            ))),
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
        registrations::erase(&self.state, &auth.0, id.0, rid.0).await?;
        Ok(Erased::Done)
    }
}

/// A CSV field, quoted when needed. A value that a spreadsheet could read as a formula,
/// at its start or after a separator some locales use (`;`, tab), is defused with a
/// leading `'`.
fn csv_field(value: &str) -> String {
    let risky = value
        .split([';', '\t'])
        .any(|part| part.trim_start().starts_with(['=', '+', '-', '@']));
    let defused = if risky {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if defused.contains([',', ';', '"', '\r', '\n', '\t']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn formulas_never_reach_a_spreadsheet() {
        assert_eq!(csv_field("Ana Silva"), "Ana Silva");
        assert_eq!(csv_field("=1+1"), "'=1+1");
        assert_eq!(csv_field("a;=HYPERLINK(x)"), "\"'a;=HYPERLINK(x)\"");
        assert_eq!(csv_field("say \"hi\", ok"), "\"say \"\"hi\"\", ok\"");
    }
}
