//! Review requests: `POST .../translations/{locale}/review-request` asks for a review;
//! `/api/v1/admin/review-requests` is the queue of those the caller may publish, each
//! published or sent back with a comment; `GET /api/v1/admin/{kind}/{id}/review-requests`
//! is an item's review history.

use chrono::{DateTime, Utc};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use serde::Deserialize;
use uuid::Uuid;

use super::content::dto::KindPath;
use super::pagination::PageInfo;
use crate::http::ApiTags;
use crate::http::json::{JsonBody, OptionalJsonBody};
use crate::http::names::KindName;
use crate::http::problem::{ApiError, error_set};
use crate::http::security::AdminAuth;
use crate::services::content::{self, Decision, Review, ReviewStatus};
use crate::services::pagination::PageRequest;
use crate::state::AppState;

pub struct ReviewsApi {
    pub state: AppState,
}

/// Where a review request stands.
#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "snake_case")]
enum ReviewStatusName {
    /// Waiting for an editor who may publish the translation.
    Open,
    /// Published by the reviewer.
    Published,
    /// Sent back to its author with an answer.
    Returned,
}

impl From<ReviewStatus> for ReviewStatusName {
    fn from(status: ReviewStatus) -> Self {
        match status {
            ReviewStatus::Open => Self::Open,
            ReviewStatus::Published => Self::Published,
            ReviewStatus::Returned => Self::Returned,
        }
    }
}

/// A translation someone asked to be reviewed.
#[derive(Debug, Object)]
struct ReviewResponse {
    id: Uuid,
    kind: KindName,
    item_id: Uuid,
    locale: String,
    /// The translation's title now (empty in an item's history).
    title: String,
    status: ReviewStatusName,
    /// The requester's message.
    comment: String,
    #[oai(nullable)]
    requested_by: Option<Uuid>,
    requested_at: DateTime<Utc>,
    #[oai(nullable)]
    decided_by: Option<Uuid>,
    #[oai(nullable)]
    decided_at: Option<DateTime<Utc>>,
    /// The reviewer's answer when the translation was sent back.
    answer: String,
}

impl From<Review> for ReviewResponse {
    fn from(review: Review) -> Self {
        Self {
            id: review.id.into(),
            kind: review.kind.into(),
            item_id: review.document_id.into(),
            locale: review.locale,
            title: review.title,
            status: review.status.into(),
            comment: review.comment,
            requested_by: review.requested_by.map(Into::into),
            requested_at: review.requested_at,
            decided_by: review.decided_by.map(Into::into),
            decided_at: review.decided_at,
            answer: review.answer,
        }
    }
}

/// A page of review requests.
#[derive(Debug, Object)]
struct ReviewList {
    items: Vec<ReviewResponse>,
    page: PageInfo,
}

/// An item's review requests, newest first.
#[derive(Debug, Object)]
struct ReviewHistory {
    items: Vec<ReviewResponse>,
}

/// What to tell the reviewer.
#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
struct RequestBody {
    /// At most 2,000 characters; may be empty.
    #[serde(default)]
    #[oai(default)]
    comment: String,
}

/// Why the translation goes back.
#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
struct SendBackBody {
    /// What to change, for the author (1 to 2,000 characters).
    answer: String,
}

#[derive(ApiResponse)]
enum Requested {
    /// The request is open.
    #[oai(status = 201)]
    Review(Json<ReviewResponse>),
}

error_set!(
    /// Requesting a review.
    RequestErrors: 400, 401, 403, 404, 409, 422
);
error_set!(
    /// Reading reviews.
    ReadErrors: 400, 401, 403, 404
);
error_set!(
    /// Deciding on a review: 409 when already decided; publishing's own refusals.
    DecideErrors: 400, 401, 403, 404, 409, 412, 422
);

#[OpenApi(prefix_path = "/api/v1/admin", tag = "ApiTags::Content")]
impl ReviewsApi {
    /// Ask for a translation to be reviewed.
    ///
    /// For whoever may write the translation (authors, who may not publish, above
    /// all). One open request per translation (409 for a second). It shows as
    /// `in_review` on the item and in the queue of the editors who may publish it.
    #[oai(
        path = "/:kind/:id/translations/:locale/review-request",
        method = "post",
        operation_id = "content_request_review"
    )]
    async fn request(
        &self,
        auth: AdminAuth,
        kind: Path<KindPath>,
        id: Path<Uuid>,
        locale: Path<String>,
        body: OptionalJsonBody<RequestBody>,
    ) -> Result<Requested, ApiError<RequestErrors>> {
        let comment = body.0.map(|b| b.comment).unwrap_or_default();
        let review = content::request_review(
            &self.state,
            &auth.0,
            kind.0.into(),
            id.0.into(),
            &locale.0,
            &comment,
        )
        .await?;
        Ok(Requested::Review(Json(review.into())))
    }

    /// An item's review requests, newest first: its review history.
    #[oai(
        path = "/:kind/:id/review-requests",
        method = "get",
        operation_id = "content_review_history"
    )]
    async fn history(
        &self,
        auth: AdminAuth,
        kind: Path<KindPath>,
        id: Path<Uuid>,
    ) -> Result<Json<ReviewHistory>, ApiError<ReadErrors>> {
        let items =
            content::reviews_of_item(&self.state, &auth.0, kind.0.into(), id.0.into()).await?;
        Ok(Json(ReviewHistory {
            items: items.into_iter().map(ReviewResponse::from).collect(),
        }))
    }

    /// The review queue: open requests the caller may publish, oldest first.
    #[oai(
        path = "/review-requests",
        method = "get",
        operation_id = "reviews_queue"
    )]
    async fn queue(
        &self,
        auth: AdminAuth,
        page: Query<Option<u64>>,
        per_page: Query<Option<u64>>,
    ) -> Result<Json<ReviewList>, ApiError<ReadErrors>> {
        let page = PageRequest::parse(page.0, per_page.0, &self.state.settings.api)?;
        let paged = content::review_queue(&self.state, &auth.0, page).await?;
        Ok(Json(ReviewList {
            page: PageInfo::of(&paged),
            items: paged.items.into_iter().map(ReviewResponse::from).collect(),
        }))
    }

    /// Publish a translation under review.
    ///
    /// For whoever may publish it; publishing runs as `.../publish` would.
    #[oai(
        path = "/review-requests/:review/publish",
        method = "post",
        operation_id = "reviews_publish"
    )]
    async fn publish(
        &self,
        auth: AdminAuth,
        review: Path<Uuid>,
    ) -> Result<Json<ReviewResponse>, ApiError<DecideErrors>> {
        let decided =
            content::decide(&self.state, &auth.0, review.0.into(), Decision::Publish).await?;
        Ok(Json(decided.into()))
    }

    /// Send a translation back to its author with an answer.
    #[oai(
        path = "/review-requests/:review/send-back",
        method = "post",
        operation_id = "reviews_send_back"
    )]
    async fn send_back(
        &self,
        auth: AdminAuth,
        review: Path<Uuid>,
        body: JsonBody<SendBackBody>,
    ) -> Result<Json<ReviewResponse>, ApiError<DecideErrors>> {
        let decision = Decision::SendBack {
            answer: body.0.answer,
        };
        let decided = content::decide(&self.state, &auth.0, review.0.into(), decision).await?;
        Ok(Json(decided.into()))
    }
}
