//! `/api/v1/admin/{kind}/{id}/translations/{locale}/schedule`: cancel or move a
//! translation's pending scheduled publication (or unpublication).

use chrono::{DateTime, Utc};
use poem_openapi::param::Path;
use poem_openapi::{Object, OpenApi};
use serde::Deserialize;
use uuid::Uuid;

use super::dto::KindPath;
use super::{ItemWithTag, WriteErrors, item_response};
use crate::http::ApiTags;
use crate::http::json::JsonBody;
use crate::http::problem::ApiError;
use crate::http::security::AdminAuth;
use crate::services::content;
use crate::state::AppState;

pub struct SchedulesApi {
    pub state: AppState,
}

/// When the scheduled change is to happen instead.
#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
struct MoveSchedule {
    /// A time in the future.
    at: DateTime<Utc>,
}

#[OpenApi(prefix_path = "/api/v1/admin", tag = "ApiTags::Content")]
impl SchedulesApi {
    /// Cancel a translation's scheduled publication or unpublication.
    ///
    /// For whoever may publish the translation; 404 when nothing is scheduled.
    #[oai(
        path = "/:kind/:id/translations/:locale/schedule",
        method = "delete",
        operation_id = "content_cancel_schedule"
    )]
    async fn cancel(
        &self,
        auth: AdminAuth,
        kind: Path<KindPath>,
        id: Path<Uuid>,
        locale: Path<String>,
    ) -> Result<ItemWithTag, ApiError<WriteErrors>> {
        let item =
            content::cancel_schedule(&self.state, &auth.0, kind.0.into(), id.0, &locale.0).await?;
        Ok(item_response(&self.state, &auth.0, item))
    }

    /// Move a translation's scheduled publication or unpublication to another time.
    ///
    /// What it publishes stays what was scheduled. For whoever may publish the
    /// translation; 404 when nothing is scheduled, 422 for a time in the past.
    #[oai(
        path = "/:kind/:id/translations/:locale/schedule",
        method = "patch",
        operation_id = "content_move_schedule"
    )]
    async fn reschedule(
        &self,
        auth: AdminAuth,
        kind: Path<KindPath>,
        id: Path<Uuid>,
        locale: Path<String>,
        body: JsonBody<MoveSchedule>,
    ) -> Result<ItemWithTag, ApiError<WriteErrors>> {
        let item = content::reschedule(
            &self.state,
            &auth.0,
            kind.0.into(),
            id.0,
            &locale.0,
            body.0.at,
        )
        .await?;
        Ok(item_response(&self.state, &auth.0, item))
    }
}
