//! `/api/v1/admin/activity`: what happened while you were away.

use chrono::{DateTime, Utc};
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use uuid::Uuid;

use crate::http::ApiTags;
use crate::http::names::KindName;
use crate::http::problem::{ApiError, error_set};
use crate::http::security::AdminAuth;
use crate::services::content::{self, Activity, ActivityKind};
use crate::state::AppState;

pub struct ActivityApi {
    pub state: AppState,
}

/// What happened.
#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "snake_case")]
enum ActivityKindName {
    /// The source changed: this translation in your locales is outdated.
    Outdated,
    /// Someone asks you to review a translation you may publish.
    ReviewRequested,
    /// Your review request was published.
    ReviewPublished,
    /// Your review request was sent back; `detail` is the answer.
    ReviewReturned,
    /// Your scheduled publishing or unpublishing ran; `detail` says which.
    ScheduleRan,
    /// Your scheduled publishing or unpublishing did not run; `detail` says why.
    ScheduleFailed,
}

impl From<ActivityKind> for ActivityKindName {
    fn from(kind: ActivityKind) -> Self {
        match kind {
            ActivityKind::Outdated => Self::Outdated,
            ActivityKind::ReviewRequested => Self::ReviewRequested,
            ActivityKind::ReviewPublished => Self::ReviewPublished,
            ActivityKind::ReviewReturned => Self::ReviewReturned,
            ActivityKind::ScheduleRan => Self::ScheduleRan,
            ActivityKind::ScheduleFailed => Self::ScheduleFailed,
        }
    }
}

#[derive(Debug, Object)]
struct ActivityEntry {
    at: DateTime<Utc>,
    what: ActivityKindName,
    item_kind: KindName,
    item_id: Uuid,
    /// The translation's title.
    title: String,
    locale: String,
    /// The requester's message, a reviewer's answer, or why a schedule did not run.
    detail: String,
}

impl From<Activity> for ActivityEntry {
    fn from(a: Activity) -> Self {
        Self {
            at: a.at,
            what: a.kind.into(),
            item_kind: a.item_kind.into(),
            item_id: a.item_id.into(),
            title: a.title,
            locale: a.locale,
            detail: a.detail,
        }
    }
}

/// What concerns the caller since their last visit (at most 100, newest first).
#[derive(Debug, Object)]
struct ActivityResponse {
    /// The start: `since`, the last visit marked with `POST .../activity/seen`, or a
    /// week ago.
    since: DateTime<Utc>,
    items: Vec<ActivityEntry>,
}

#[derive(ApiResponse)]
enum Seen {
    /// The next list starts now.
    #[oai(status = 204)]
    Done,
}

error_set!(
    /// Reading or marking activity.
    Errors: 400, 401, 403
);

#[OpenApi(prefix_path = "/api/v1/admin/activity", tag = "ApiTags::Content")]
impl ActivityApi {
    /// What happened while you were away.
    ///
    /// Since your last visit (or `since`): translations in your locales that became
    /// outdated, review requests waiting for you, decisions on your own requests, and
    /// your scheduled publications that ran or did not, with the reason.
    #[oai(path = "/", method = "get", operation_id = "activity_list")]
    async fn list(
        &self,
        auth: AdminAuth,
        /// Start here instead of the last visit.
        since: Query<Option<DateTime<Utc>>>,
    ) -> Result<Json<ActivityResponse>, ApiError<Errors>> {
        let feed = content::since_last_visit(&self.state, &auth.0, since.0).await?;
        Ok(Json(ActivityResponse {
            since: feed.since,
            items: feed.items.into_iter().map(ActivityEntry::from).collect(),
        }))
    }

    /// Mark what happened as seen: the next list starts now. For signed-in users.
    #[oai(path = "/seen", method = "post", operation_id = "activity_seen")]
    async fn seen(&self, auth: AdminAuth) -> Result<Seen, ApiError<Errors>> {
        content::mark_seen(&self.state, &auth.0).await?;
        Ok(Seen::Done)
    }
}
