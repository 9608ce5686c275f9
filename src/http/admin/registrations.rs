//! `/api/v1/admin/events/{id}/registrations`: who expressed interest (editors of the
//! event's country, and admins); CSV export; erasure.

use chrono::{DateTime, Utc};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use crate::http::ApiTags;
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
    organisation_type: String,
    country: String,
    /// The locale the event was read in.
    locale: Option<String>,
    consented_at: DateTime<Utc>,
    created_at: DateTime<Utc>,
}

#[derive(ApiResponse)]
enum Listed {
    /// The registrations, oldest first.
    #[oai(status = 200)]
    Json(Json<Vec<RegistrationResponse>>),
    /// With `format=csv`: a spreadsheet.
    #[oai(status = 200, content_type = "text/csv; charset=utf-8")]
    Csv(
        PlainText<String>,
        #[oai(header = "Content-Disposition")] String,
    ),
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
        format: Query<Option<String>>,
    ) -> Result<Listed, ApiError<Errors>> {
        let found = registrations::list(&self.state, &auth.0, id.0).await?;
        match format.0.as_deref() {
            Some("csv") => {
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
                Ok(Listed::Csv(PlainText(csv), disposition))
            }
            None | Some("json") => Ok(Listed::Json(Json(
                found
                    .into_iter()
                    .map(|r| RegistrationResponse {
                        id: r.id,
                        name: r.name,
                        email: r.email,
                        organisation: r.organisation,
                        organisation_type: r.organisation_type,
                        country: r.country,
                        locale: r.locale,
                        consented_at: r.consented_at,
                        created_at: r.created_at,
                    })
                    .collect(),
            ))),
            Some(other) => Err(crate::error::AppError::invalid_parameter(
                "format",
                format!("{other:?} is not csv or json"),
            )
            .into()),
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
