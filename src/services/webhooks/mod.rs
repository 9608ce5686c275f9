//! Outgoing webhooks: admins register receivers; every change that frontends or CDNs
//! care about reaches them signed, at least once, in order per item, with the URLs it
//! affects on each site. See `fanout` (outbox → deliveries) and `sender` (deliveries →
//! HTTP), both driven by [`run_once`] in every instance's background loop.

mod address;
mod fanout;
mod sender;
mod signing;

use chrono::{DateTime, Utc};
use entity::ids::{ActorId, WebhookId};
use entity::values::DeliveryStatus;
use entity::webhook::{self, Column, Entity as Webhooks};
use entity::webhook_attempt::{self, Entity as Attempts};
use entity::webhook_delivery::{self, Entity as Deliveries};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};
use serde_json::{Value, json};
use uuid::Uuid;

pub use crate::services::kernel::events::EventType;

pub use fanout::fan_out;
pub use sender::{backlog, prune, send_due};
pub use signing::sign;

use crate::auth::token;
use crate::error::{AppError, FieldErrors};
use crate::policy::Action;
use crate::services::kernel::actor::Actor;
use crate::services::kernel::audit::{self, AuditAction, Event};
use crate::services::kernel::unit_of_work::UnitOfWork;
use crate::services::pagination::{PageRequest, Paged};
use crate::services::sites;
use crate::state::AppState;

/// A registered receiver (never its secret).
#[derive(Debug, Clone)]
pub struct Webhook {
    pub id: WebhookId,
    pub name: String,
    pub url: String,
    /// Empty: every event.
    pub events: Vec<EventType>,
    pub site: Option<String>,
    pub paused: bool,
    pub created_by: Option<ActorId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<webhook::Model> for Webhook {
    fn from(model: webhook::Model) -> Self {
        let names: Vec<String> = serde_json::from_value(model.events).unwrap_or_default();
        Self {
            id: model.id,
            name: model.name,
            url: model.url,
            events: names.iter().filter_map(|n| EventType::parse(n)).collect(),
            site: model.site_code,
            paused: model.paused,
            created_by: model.created_by,
            created_at: model.created_at,
            updated_at: model.updated_at,
        }
    }
}

/// A webhook's fields as received; `None` leaves one as it is (on update).
#[derive(Debug, Clone, Default)]
pub struct WebhookFields {
    pub name: Option<String>,
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    /// `Some(None)` removes the site filter.
    pub site: Option<Option<String>>,
    pub paused: Option<bool>,
}

/// One delivery with its attempts, newest attempt last.
#[derive(Debug, Clone)]
pub struct DeliveryView {
    pub delivery: webhook_delivery::Model,
    pub attempts: Vec<webhook_attempt::Model>,
}

/// Fans out what the outbox holds and sends what is due: one round of the background
/// loop (tests call it directly).
pub async fn run_once(state: &AppState) -> Result<usize, AppError> {
    let mut sent = 0;
    // Rounds until nothing is due (bounded, so that the loop's other work comes round);
    // new events are fanned out before each, so that a round spent waiting on a slow
    // receiver does not hold up what happened meanwhile.
    for _ in 0..16 {
        fan_out(state).await?;
        let round = send_due(state).await?;
        sent += round;
        if round == 0 {
            break;
        }
    }
    Ok(sent)
}

pub async fn list(
    state: &AppState,
    actor: &Actor,
    page: PageRequest,
) -> Result<Paged<Webhook>, AppError> {
    may_manage(state, actor, None).await?;
    let paginator = Webhooks::find()
        .order_by_asc(Column::Id)
        .paginate(&state.db, page.size);
    let total = paginator.num_items().await?;
    let items = paginator.fetch_page(page.index()).await?;
    Ok(Paged::new(items, total, page).map(Webhook::from))
}

pub async fn get(state: &AppState, actor: &Actor, id: WebhookId) -> Result<Webhook, AppError> {
    may_manage(state, actor, Some(id)).await?;
    Ok(find(state, id).await?.into())
}

/// Registers a webhook; returns it with its signing secret, shown this once.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    fields: WebhookFields,
) -> Result<(Webhook, String), AppError> {
    may_manage(state, actor, None).await?;
    let mut errors = FieldErrors::new();
    for (field, missing) in [
        ("name", fields.name.is_none()),
        ("url", fields.url.is_none()),
    ] {
        if missing {
            errors.push(field, "is required");
        }
    }
    let valid = validate(state, &fields, &mut errors).await?;
    errors.finish()?;
    let now = state.clock.now();
    let secret = token::generate("whsec_");
    let model = webhook::ActiveModel {
        id: Set(WebhookId::new()),
        name: Set(valid.name.unwrap_or_default()),
        url: Set(valid.url.unwrap_or_default()),
        events: Set(valid.events.unwrap_or_else(|| json!([]))),
        site_code: Set(valid.site.flatten()),
        secret: Set(secret.clone()),
        paused: Set(fields.paused.unwrap_or(false)),
        created_by: Set(Some(actor.id())),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let work = UnitOfWork::begin(state).await?;
    let txn = work.txn();
    let created = Webhooks::insert(model).exec_with_returning(txn).await?;
    let event = Event::success(AuditAction::WebhookCreate, "webhook", created.id).with_details(
        json!({ "url": created.url, "events": created.events, "site": created.site_code }),
    );
    audit::record(txn, now, actor, event).await?;
    work.commit().await?;
    Ok((created.into(), secret))
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: WebhookId,
    fields: WebhookFields,
) -> Result<Webhook, AppError> {
    may_manage(state, actor, Some(id)).await?;
    let current = find(state, id).await?;
    let mut errors = FieldErrors::new();
    let valid = validate(state, &fields, &mut errors).await?;
    errors.finish()?;
    let now = state.clock.now();
    let mut model: webhook::ActiveModel = current.into();
    let mut changed = Vec::new();
    if let Some(name) = valid.name {
        model.name = Set(name);
        changed.push("name");
    }
    if let Some(url) = valid.url {
        model.url = Set(url);
        changed.push("url");
    }
    if let Some(events) = valid.events {
        model.events = Set(events);
        changed.push("events");
    }
    if let Some(site) = valid.site {
        model.site_code = Set(site);
        changed.push("site");
    }
    if let Some(paused) = fields.paused {
        model.paused = Set(paused);
        changed.push("paused");
    }
    model.updated_at = Set(now);
    let work = UnitOfWork::begin(state).await?;
    let txn = work.txn();
    let updated = Webhooks::update(model).exec(txn).await?;
    let event = Event::success(AuditAction::WebhookUpdate, "webhook", id)
        .with_details(json!({ "changed": changed, "paused": updated.paused }));
    audit::record(txn, now, actor, event).await?;
    work.commit().await?;
    Ok(updated.into())
}

/// Deletes a webhook with its deliveries and their attempts.
pub async fn delete(state: &AppState, actor: &Actor, id: WebhookId) -> Result<(), AppError> {
    may_manage(state, actor, Some(id)).await?;
    let current = find(state, id).await?;
    let work = UnitOfWork::begin(state).await?;
    let txn = work.txn();
    // Its deliveries and their attempts go with it (ON DELETE CASCADE).
    Webhooks::delete_by_id(id).exec(txn).await?;
    let event = Event::success(AuditAction::WebhookDelete, "webhook", id)
        .with_details(json!({ "url": current.url }));
    audit::record(txn, state.clock.now(), actor, event).await?;
    work.commit().await?;
    Ok(())
}

/// Sends a test event now (paused or not) and returns the delivery with its attempt.
pub async fn ping(
    state: &AppState,
    actor: &Actor,
    id: WebhookId,
) -> Result<DeliveryView, AppError> {
    may_manage(state, actor, Some(id)).await?;
    let hook = find(state, id).await?;
    let now = state.clock.now();
    let delivery_id = Uuid::now_v7();
    let body = json!({
        "id": delivery_id, "type": EventType::Ping.as_str(), "occurred_at": now,
        "data": { "webhook_id": id, "name": hook.name }, "sites": [],
    });
    let delivery = webhook_delivery::ActiveModel {
        id: Set(delivery_id),
        webhook_id: Set(id),
        event_type: Set(EventType::Ping.as_str().to_owned()),
        ordering_key: Set(format!("ping:{delivery_id}")),
        // A key of its own: nothing waits for it, and it waits for nothing.
        sequence: Set(0),
        body: Set(body.to_string()),
        status: Set(DeliveryStatus::Pending),
        attempts: Set(0),
        // Claimed by this request, which sends it below.
        next_attempt_at: Set(now + sender::lease(&state.settings.webhooks)),
        claimed_by: Set(Some(Uuid::now_v7())),
        last_status_code: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        finished_at: Set(None),
    };
    let work = UnitOfWork::begin(state).await?;
    let txn = work.txn();
    let delivery = Deliveries::insert(delivery)
        .exec_with_returning(txn)
        .await?;
    let event = Event::success(AuditAction::WebhookPing, "webhook", id);
    audit::record(txn, now, actor, event).await?;
    work.commit().await?;
    sender::deliver(state, &delivery, &hook, sender::Retries::None).await?;
    delivery_view(state, delivery_id).await
}

/// A webhook's deliveries, newest first, each with its attempts.
pub async fn deliveries(
    state: &AppState,
    actor: &Actor,
    id: WebhookId,
    status: Option<DeliveryStatus>,
    page: PageRequest,
) -> Result<Paged<DeliveryView>, AppError> {
    may_manage(state, actor, Some(id)).await?;
    find(state, id).await?;
    let mut query = Deliveries::find().filter(webhook_delivery::Column::WebhookId.eq(id));
    if let Some(status) = status {
        query = query.filter(webhook_delivery::Column::Status.eq(status));
    }
    let paginator = query
        .order_by_desc(webhook_delivery::Column::Id)
        .paginate(&state.db, page.size);
    let total = paginator.num_items().await?;
    let found = paginator.fetch_page(page.index()).await?;
    let attempts = Attempts::find()
        .filter(webhook_attempt::Column::DeliveryId.is_in(found.iter().map(|d| d.id)))
        .order_by_asc(webhook_attempt::Column::Id)
        .all(&state.db)
        .await?;
    let views = found
        .into_iter()
        .map(|delivery| DeliveryView {
            attempts: attempts
                .iter()
                .filter(|a| a.delivery_id == delivery.id)
                .cloned()
                .collect(),
            delivery,
        })
        .collect();
    Ok(Paged::new(views, total, page))
}

/// Sends a finished delivery (delivered or failed) again, with the same id and body:
/// it is due now, with a fresh round of attempts. A pending one is refused (409): it is
/// on its way already.
pub async fn redeliver(
    state: &AppState,
    actor: &Actor,
    id: WebhookId,
    delivery_id: Uuid,
) -> Result<DeliveryView, AppError> {
    may_manage(state, actor, Some(id)).await?;
    let now = state.clock.now();
    let work = UnitOfWork::begin(state).await?;
    let txn = work.txn();
    let requeued = Deliveries::update_many()
        .col_expr(
            webhook_delivery::Column::Status,
            Expr::value(DeliveryStatus::Pending),
        )
        .col_expr(webhook_delivery::Column::Attempts, Expr::value(0))
        .col_expr(webhook_delivery::Column::NextAttemptAt, Expr::value(now))
        .col_expr(
            webhook_delivery::Column::FinishedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            webhook_delivery::Column::ClaimedBy,
            Expr::value(Option::<Uuid>::None),
        )
        .filter(webhook_delivery::Column::Id.eq(delivery_id))
        .filter(webhook_delivery::Column::WebhookId.eq(id))
        .filter(webhook_delivery::Column::Status.ne(DeliveryStatus::Pending))
        .exec(txn)
        .await?;
    if requeued.rows_affected == 0 {
        let pending = Deliveries::find_by_id(delivery_id)
            .filter(webhook_delivery::Column::WebhookId.eq(id))
            .one(txn)
            .await?
            .is_some();
        return Err(if pending {
            AppError::Conflict("this delivery is waiting to be sent already".into())
        } else {
            AppError::NotFound(format!("webhook {id} has no delivery {delivery_id}"))
        });
    }
    let event = Event::success(AuditAction::WebhookRedeliver, "webhook", id)
        .with_details(json!({ "delivery": delivery_id }));
    audit::record(txn, now, actor, event).await?;
    work.commit().await?;
    delivery_view(state, delivery_id).await
}

async fn delivery_view(state: &AppState, id: Uuid) -> Result<DeliveryView, AppError> {
    let delivery = Deliveries::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no delivery {id}")))?;
    let attempts = Attempts::find()
        .filter(webhook_attempt::Column::DeliveryId.eq(id))
        .order_by_asc(webhook_attempt::Column::Id)
        .all(&state.db)
        .await?;
    Ok(DeliveryView { delivery, attempts })
}

/// Webhooks are for admins; a refusal is audited.
async fn may_manage(
    state: &AppState,
    actor: &Actor,
    id: Option<WebhookId>,
) -> Result<(), AppError> {
    let resource = id.map(|id| id.to_string());
    audit::authorize(state, actor, Action::ManageWebhooks, "webhook", resource).await
}

async fn find(state: &AppState, id: WebhookId) -> Result<webhook::Model, AppError> {
    Webhooks::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no webhook {id}")))
}

/// Parsed fields; each `Some` when given and valid.
struct ValidWebhook {
    name: Option<String>,
    url: Option<String>,
    events: Option<Value>,
    site: Option<Option<String>>,
}

async fn validate(
    state: &AppState,
    fields: &WebhookFields,
    errors: &mut FieldErrors,
) -> Result<ValidWebhook, AppError> {
    let name = fields.name.as_ref().map(|n| n.trim().to_owned());
    if name
        .as_ref()
        .is_some_and(|n| n.is_empty() || n.chars().count() > 200)
    {
        errors.push("name", "must be 1 to 200 characters");
    }
    let mut url = None;
    if let Some(raw) = &fields.url {
        match address::parse(raw) {
            Ok(parsed) => {
                // Refused now, and checked again at every delivery.
                match address::resolve(&parsed, state.settings.webhooks.allow_private_addresses)
                    .await
                {
                    Ok(_) => url = Some(parsed.to_string()),
                    Err(reason) => errors.push("url", reason),
                }
            }
            Err(reason) => errors.push("url", reason),
        }
    }
    let events = fields.events.as_ref().map(|list| {
        let mut names = Vec::new();
        for (i, raw) in list.iter().enumerate() {
            match EventType::parse(raw).filter(|t| *t != EventType::Ping) {
                Some(t) if !names.contains(&t.as_str()) => names.push(t.as_str()),
                Some(_) => errors.push(&format!("events[{i}]"), "is listed twice"),
                None => errors.push(
                    &format!("events[{i}]"),
                    format!("{raw:?} is not an event type"),
                ),
            }
        }
        json!(names)
    });
    let mut site = None;
    if let Some(wanted) = &fields.site {
        match wanted {
            Some(code) if !sites::exists(&state.db, code).await? => {
                errors.push("site", format!("there is no site {code:?}"));
            }
            other => site = Some(other.clone()),
        }
    }
    Ok(ValidWebhook {
        name,
        url,
        events,
        site,
    })
}
