//! What goes live besides a translation's publish: cancelling or moving a pending
//! schedule (`/api/v1/admin/{kind}/{id}/translations/{locale}/schedule`), and bringing
//! changed details live for live languages (`/api/v1/admin/{kind}/{id}/publish-details`).

use chrono::{DateTime, Utc};
use poem_openapi::param::{Header, Path};
use poem_openapi::{Object, OpenApi};
use serde::Deserialize;
use uuid::Uuid;

use super::dto::KindPath;
use super::{ItemWithTag, WriteErrors, item_response};
use crate::http::ApiTags;
use crate::http::json::{JsonBody, OptionalJsonBody};
use crate::http::problem::ApiError;
use crate::http::security::AdminAuth;
use crate::services::content;
use crate::services::kernel::precondition::Precondition;
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

/// Which live languages get the new details.
#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
struct DetailsRequest {
    /// Live locales; absent: every live language whose readers see older details.
    #[oai(nullable)]
    locales: Option<Vec<String>>,
}

#[OpenApi(prefix_path = "/api/v1/admin", tag = "ApiTags::Content")]
impl SchedulesApi {
    /// Bring an item's changed details live, keeping each language's live text.
    ///
    /// An item's language-neutral details (an event's venue, its linked materials...)
    /// reach readers with each language's live version. This publishes the current
    /// details for the chosen live languages (`locales`; absent: those whose readers see
    /// older details, `live.details_outdated`), without publishing their drafts. For
    /// whoever may publish each language; `If-Match` with the item's ETag publishes
    /// only the details reviewed (412 if they changed).
    #[oai(
        path = "/:kind/:id/publish-details",
        method = "post",
        operation_id = "content_publish_details"
    )]
    async fn publish_details(
        &self,
        auth: AdminAuth,
        kind: Path<KindPath>,
        id: Path<Uuid>,
        #[oai(name = "If-Match")] if_match: Header<Option<String>>,
        body: OptionalJsonBody<DetailsRequest>,
    ) -> Result<ItemWithTag, ApiError<WriteErrors>> {
        let locales = body.0.and_then(|b| b.locales);
        let item = content::publish_details(
            &self.state,
            &auth.0,
            kind.0.into(),
            id.0.into(),
            locales,
            &Precondition::from_if_match(if_match.0.as_deref()),
        )
        .await?;
        Ok(item_response(&self.state, &auth.0, item))
    }

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
            content::cancel_schedule(&self.state, &auth.0, kind.0.into(), id.0.into(), &locale.0)
                .await?;
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
            id.0.into(),
            &locale.0,
            body.0.at,
        )
        .await?;
        Ok(item_response(&self.state, &auth.0, item))
    }
}
