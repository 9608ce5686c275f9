//! `/api/v1/admin/webhooks`: outgoing webhooks (admins only): receivers, their
//! deliveries and attempts, a test ping and redelivery.

use chrono::{DateTime, Utc};
use entity::values::DeliveryStatus as Stored;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use serde::Deserialize;
use uuid::Uuid;

use super::pagination::PageInfo;
use crate::http::ApiTags;
use crate::http::json::JsonBody;
use crate::http::problem::{ApiError, error_set};
use crate::http::security::AdminAuth;
use crate::services::pagination::PageRequest;
use crate::services::webhooks::{self, DeliveryView, Webhook, WebhookFields};
use crate::state::AppState;

pub struct WebhooksApi {
    pub state: AppState,
}

/// A registered receiver (never its secret).
#[derive(Debug, Object)]
struct WebhookResponse {
    id: Uuid,
    name: String,
    /// Where events are POSTed.
    url: String,
    /// The event types it receives; empty: every type.
    events: Vec<String>,
    /// Only events concerning what this site shows (and the site itself); `null`: all.
    #[oai(nullable)]
    site: Option<String>,
    /// A paused webhook receives nothing; events meanwhile are not kept for it.
    paused: bool,
    #[oai(nullable)]
    created_by: Option<Uuid>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<Webhook> for WebhookResponse {
    fn from(hook: Webhook) -> Self {
        Self {
            id: hook.id.into(),
            name: hook.name,
            url: hook.url,
            events: hook.events.iter().map(|e| e.as_str().to_owned()).collect(),
            site: hook.site,
            paused: hook.paused,
            created_by: hook.created_by.map(Into::into),
            created_at: hook.created_at,
            updated_at: hook.updated_at,
        }
    }
}

/// A new webhook and its signing secret.
#[derive(Debug, Object)]
struct CreatedWebhook {
    /// The signing secret, shown only now: receivers verify
    /// `Buysocial-Webhook-Signature` with it (see the README).
    secret: String,
    webhook: WebhookResponse,
}

/// A page of webhooks.
#[derive(Debug, Object)]
struct WebhookList {
    items: Vec<WebhookResponse>,
    page: PageInfo,
}

/// A new webhook.
#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
struct CreateWebhookRequest {
    /// What receives it, e.g. "Belgian frontend revalidation".
    name: String,
    /// An absolute http(s) URL on a public address (private, loopback and link-local
    /// addresses are refused unless `webhooks.allow_private_addresses` is set).
    url: String,
    /// Event types to receive; absent or empty: all of them. `translation.published`,
    /// `translation.changed`, `translation.unpublished`, `schedule.done`,
    /// `item.trashed`, `item.restored`, `item.purged`, `asset.replaced`,
    /// `asset.deleted`, `site.changed`, `registration.created`, `event.full`.
    #[oai(nullable)]
    events: Option<Vec<String>>,
    /// Only events concerning what this site shows; absent: all sites.
    #[oai(nullable)]
    site: Option<String>,
    #[oai(nullable)]
    paused: Option<bool>,
}

/// Changes to a webhook; an absent field stays as it is. `site: null` removes the filter.
#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
struct UpdateWebhookRequest {
    #[oai(nullable)]
    name: Option<String>,
    #[oai(nullable)]
    url: Option<String>,
    #[oai(nullable)]
    events: Option<Vec<String>>,
    #[serde(default)]
    site: MaybeUndefined<String>,
    /// `true` pauses it, `false` resumes it.
    #[oai(nullable)]
    paused: Option<bool>,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, Enum, Deserialize)]
#[oai(rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
enum DeliveryStatus {
    /// Waiting for its first or next attempt.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Every attempt failed; redeliver to try again.
    Failed,
}

impl From<Stored> for DeliveryStatus {
    fn from(stored: Stored) -> Self {
        match stored {
            Stored::Pending => Self::Pending,
            Stored::Delivered => Self::Delivered,
            Stored::Failed => Self::Failed,
        }
    }
}

impl From<DeliveryStatus> for Stored {
    fn from(wire: DeliveryStatus) -> Self {
        match wire {
            DeliveryStatus::Pending => Self::Pending,
            DeliveryStatus::Delivered => Self::Delivered,
            DeliveryStatus::Failed => Self::Failed,
        }
    }
}

/// One try to deliver.
#[derive(Debug, Object)]
struct AttemptResponse {
    at: DateTime<Utc>,
    /// The receiver's answer, when there was one.
    #[oai(nullable)]
    status_code: Option<i32>,
    duration_ms: i64,
    /// Why it failed: a refused address, no answer in time, a non-2xx answer.
    #[oai(nullable)]
    error: Option<String>,
}

/// One event sent to one webhook.
#[derive(Debug, Object)]
struct DeliveryResponse {
    /// The delivery id, also in the body and in `Buysocial-Webhook-Id`: the same on
    /// every attempt, for receivers to de-duplicate.
    id: Uuid,
    event_type: String,
    status: DeliveryStatus,
    /// Attempts in the current round (a redelivery starts a new round).
    attempt_count: i32,
    /// When the next attempt is due, while pending.
    #[oai(nullable)]
    next_attempt_at: Option<DateTime<Utc>>,
    #[oai(nullable)]
    last_status_code: Option<i32>,
    #[oai(nullable)]
    last_error: Option<String>,
    created_at: DateTime<Utc>,
    #[oai(nullable)]
    finished_at: Option<DateTime<Utc>>,
    /// The JSON body, as sent.
    body: String,
    /// Every attempt, oldest first.
    attempts: Vec<AttemptResponse>,
}

impl From<DeliveryView> for DeliveryResponse {
    fn from(view: DeliveryView) -> Self {
        let d = view.delivery;
        let status = DeliveryStatus::from(d.status);
        Self {
            id: d.id,
            event_type: d.event_type,
            status,
            attempt_count: d.attempts,
            next_attempt_at: matches!(status, DeliveryStatus::Pending).then_some(d.next_attempt_at),
            last_status_code: d.last_status_code,
            last_error: d.last_error,
            created_at: d.created_at,
            finished_at: d.finished_at,
            body: d.body,
            attempts: view
                .attempts
                .into_iter()
                .map(|a| AttemptResponse {
                    at: a.at,
                    status_code: a.status_code,
                    duration_ms: a.duration_ms,
                    error: a.error,
                })
                .collect(),
        }
    }
}

/// A page of deliveries, newest first.
#[derive(Debug, Object)]
struct DeliveryList {
    items: Vec<DeliveryResponse>,
    page: PageInfo,
}

#[derive(ApiResponse)]
enum Created {
    /// The webhook was created; its secret is in the body, once.
    #[oai(status = 201)]
    Webhook(Json<CreatedWebhook>, #[oai(header = "Location")] String),
}

#[derive(ApiResponse)]
enum Deleted {
    /// The webhook is gone, with its deliveries.
    #[oai(status = 204)]
    Done,
}

error_set!(
    /// Reading webhooks.
    ReadErrors: 400, 401, 403, 404
);
error_set!(
    /// Sending a delivery again (409 while it is waiting to be sent).
    RedeliverErrors: 400, 401, 403, 404, 409
);
error_set!(
    /// Writing webhooks.
    WriteErrors: 400, 401, 403, 404, 422
);

#[OpenApi(prefix_path = "/api/v1/admin/webhooks", tag = "ApiTags::Webhooks")]
impl WebhooksApi {
    /// List webhooks.
    #[oai(path = "/", method = "get", operation_id = "webhooks_list")]
    async fn list(
        &self,
        auth: AdminAuth,
        page: Query<Option<u64>>,
        per_page: Query<Option<u64>>,
    ) -> Result<Json<WebhookList>, ApiError<ReadErrors>> {
        let page = PageRequest::parse(page.0, per_page.0, &self.state.settings.api)?;
        let paged = webhooks::list(&self.state, &auth.0, page).await?;
        Ok(Json(WebhookList {
            page: PageInfo::of(&paged),
            items: paged.items.into_iter().map(WebhookResponse::from).collect(),
        }))
    }

    /// Register a webhook.
    ///
    /// The signing secret (`whsec_…`) is in this response only. Each event is POSTed
    /// as JSON with `Buysocial-Webhook-Id`, `Buysocial-Webhook-Event`,
    /// `Buysocial-Webhook-Timestamp` and `Buysocial-Webhook-Signature`
    /// (`v1=` + hex HMAC-SHA256 of `{timestamp}.{body}` with the secret).
    #[oai(path = "/", method = "post", operation_id = "webhooks_create")]
    async fn create(
        &self,
        auth: AdminAuth,
        body: JsonBody<CreateWebhookRequest>,
    ) -> Result<Created, ApiError<WriteErrors>> {
        let body = body.0;
        let fields = WebhookFields {
            name: Some(body.name),
            url: Some(body.url),
            events: body.events,
            site: body.site.map(Some),
            paused: body.paused,
        };
        let (hook, secret) = webhooks::create(&self.state, &auth.0, fields).await?;
        let location = format!("/api/v1/admin/webhooks/{}", hook.id);
        Ok(Created::Webhook(
            Json(CreatedWebhook {
                secret,
                webhook: hook.into(),
            }),
            location,
        ))
    }

    /// Read a webhook.
    #[oai(path = "/:id", method = "get", operation_id = "webhooks_get")]
    async fn get(
        &self,
        auth: AdminAuth,
        id: Path<Uuid>,
    ) -> Result<Json<WebhookResponse>, ApiError<ReadErrors>> {
        Ok(Json(
            webhooks::get(&self.state, &auth.0, id.0.into())
                .await?
                .into(),
        ))
    }

    /// Change, pause or resume a webhook.
    #[oai(path = "/:id", method = "patch", operation_id = "webhooks_update")]
    async fn update(
        &self,
        auth: AdminAuth,
        id: Path<Uuid>,
        body: JsonBody<UpdateWebhookRequest>,
    ) -> Result<Json<WebhookResponse>, ApiError<WriteErrors>> {
        let body = body.0;
        let fields = WebhookFields {
            name: body.name,
            url: body.url,
            events: body.events,
            site: match body.site {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(code) => Some(Some(code)),
            },
            paused: body.paused,
        };
        Ok(Json(
            webhooks::update(&self.state, &auth.0, id.0.into(), fields)
                .await?
                .into(),
        ))
    }

    /// Delete a webhook and its deliveries.
    #[oai(path = "/:id", method = "delete", operation_id = "webhooks_delete")]
    async fn delete(
        &self,
        auth: AdminAuth,
        id: Path<Uuid>,
    ) -> Result<Deleted, ApiError<WriteErrors>> {
        webhooks::delete(&self.state, &auth.0, id.0.into()).await?;
        Ok(Deleted::Done)
    }

    /// Send a test event (`ping`) now, even when paused; answers with its delivery and
    /// the attempt's outcome.
    #[oai(path = "/:id/ping", method = "post", operation_id = "webhooks_ping")]
    async fn ping(
        &self,
        auth: AdminAuth,
        id: Path<Uuid>,
    ) -> Result<Json<DeliveryResponse>, ApiError<ReadErrors>> {
        Ok(Json(
            webhooks::ping(&self.state, &auth.0, id.0.into())
                .await?
                .into(),
        ))
    }

    /// A webhook's deliveries, newest first, with every attempt.
    #[oai(
        path = "/:id/deliveries",
        method = "get",
        operation_id = "webhooks_deliveries"
    )]
    async fn deliveries(
        &self,
        auth: AdminAuth,
        id: Path<Uuid>,
        /// Only deliveries in this state.
        status: Query<Option<DeliveryStatus>>,
        page: Query<Option<u64>>,
        per_page: Query<Option<u64>>,
    ) -> Result<Json<DeliveryList>, ApiError<ReadErrors>> {
        let page = PageRequest::parse(page.0, per_page.0, &self.state.settings.api)?;
        let status = status.0.map(Stored::from);
        let paged = webhooks::deliveries(&self.state, &auth.0, id.0.into(), status, page).await?;
        Ok(Json(DeliveryList {
            page: PageInfo::of(&paged),
            items: paged
                .items
                .into_iter()
                .map(DeliveryResponse::from)
                .collect(),
        }))
    }

    /// Send a finished delivery again: the same id and body, due now, with a new round
    /// of attempts (receivers that already processed it may de-duplicate it). 409 while
    /// it is still waiting to be sent.
    #[oai(
        path = "/:id/deliveries/:delivery_id/redeliver",
        method = "post",
        operation_id = "webhooks_redeliver"
    )]
    async fn redeliver(
        &self,
        auth: AdminAuth,
        id: Path<Uuid>,
        delivery_id: Path<Uuid>,
    ) -> Result<Json<DeliveryResponse>, ApiError<RedeliverErrors>> {
        Ok(Json(
            webhooks::redeliver(&self.state, &auth.0, id.0.into(), delivery_id.0)
                .await?
                .into(),
        ))
    }
}
