//! From the outbox to deliveries: each event written with a change (in the change's own
//! transaction) becomes one delivery per webhook that wants it, with the URLs it affects
//! on each site, and leaves the outbox. Deliveries are worked out first, with reads of
//! their own; then, holding the write lock (and on PostgreSQL an advisory lock, so that
//! one instance fans out at a time), each event still in the outbox is taken out and its
//! deliveries are numbered in the outbox's order: the order they are sent in per key.

use chrono::{DateTime, Utc};
use entity::ids::ItemId;
use entity::outbox_event::{self, Entity as Outbox};
use entity::values::DeliveryStatus;
use entity::webhook::{self, Entity as Webhooks};
use entity::webhook_delivery::{self, Entity as Deliveries};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ConnectionTrait, DatabaseBackend, EntityTrait, QueryOrder, QuerySelect, Set, Statement,
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::domain::content::ContentKind;
use crate::domain::country::site_shows;
use crate::error::AppError;
use crate::services::delivery;
use crate::services::kernel::events::EventType;
use crate::services::scopes::countries_from_json;
use crate::services::sites::{self, Site};
use crate::state::AppState;

/// Outbox events fanned out per round.
const BATCH: u64 = 200;
/// The advisory lock that lets one PostgreSQL instance fan out at a time.
const FAN_OUT_LOCK: i64 = 0x6275_7973_6f63_0001;

/// Turns pending outbox events into deliveries; returns how many events it took.
pub async fn fan_out(state: &AppState) -> Result<usize, AppError> {
    let events = Outbox::find()
        .order_by_asc(outbox_event::Column::Id)
        .limit(BATCH)
        .all(&state.db)
        .await?;
    if events.is_empty() {
        return Ok(0);
    }
    let hooks: Vec<webhook::Model> = Webhooks::find()
        .all(&state.db)
        .await?
        .into_iter()
        .filter(|hook| !hook.paused)
        .collect();
    let all_sites = if hooks.is_empty() {
        Vec::new()
    } else {
        sites::all(&state.db).await?
    };
    let now = state.clock.now();
    let mut prepared = Vec::with_capacity(events.len());
    for event in &events {
        match prepare(state, &hooks, &all_sites, event, now).await {
            Ok(deliveries) => prepared.push((event.id, deliveries)),
            Err(err) => {
                // Taken out now, it would be lost; skipped, order would break. It waits,
                // with the events after it, for the next round (the outbox gauge shows it).
                tracing::warn!(event = %event.id, error = %err, "cannot work out the sites an event concerns; it waits for the next round");
                break;
            }
        }
    }

    let (txn, _turn) = crate::db::begin_write(&state.db).await?;
    if !fan_out_lock(&txn).await? {
        txn.rollback().await?;
        return Ok(0);
    }
    let mut sequence = last_sequence(&txn).await?;
    let mut taken = 0;
    for (id, deliveries) in prepared {
        // Another instance may have taken it since it was read.
        if Outbox::delete_by_id(id).exec(&txn).await?.rows_affected == 0 {
            continue;
        }
        taken += 1;
        for mut delivery in deliveries {
            sequence += 1;
            delivery.sequence = Set(sequence);
            Deliveries::insert(delivery)
                .exec_without_returning(&txn)
                .await?;
        }
    }
    txn.commit().await?;
    Ok(taken)
}

/// On PostgreSQL, whether this instance may fan out now; SQLite has one writer.
async fn fan_out_lock(txn: &impl ConnectionTrait) -> Result<bool, AppError> {
    if txn.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(true);
    }
    Ok(txn
        .query_one_raw(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT pg_try_advisory_xact_lock($1) AS locked",
            [FAN_OUT_LOCK.into()],
        ))
        .await?
        .and_then(|row| row.try_get::<bool>("", "locked").ok())
        .unwrap_or(false))
}

async fn last_sequence(txn: &impl ConnectionTrait) -> Result<i64, AppError> {
    let last: Option<Option<i64>> = Deliveries::find()
        .select_only()
        .expr(Func::max(Expr::col(webhook_delivery::Column::Sequence)))
        .into_tuple()
        .one(txn)
        .await?;
    Ok(last.flatten().unwrap_or(0))
}

/// The deliveries of one event.
async fn prepare(
    state: &AppState,
    hooks: &[webhook::Model],
    sites: &[Site],
    event: &outbox_event::Model,
    now: DateTime<Utc>,
) -> Result<Vec<webhook_delivery::ActiveModel>, AppError> {
    let Some(kind) = EventType::parse(&event.topic) else {
        tracing::warn!(topic = %event.topic, "an outbox event of no known type; dropped");
        return Ok(Vec::new());
    };
    let wanting: Vec<&webhook::Model> = hooks.iter().filter(|h| wants(h, kind)).collect();
    if wanting.is_empty() {
        return Ok(Vec::new());
    }
    let affected = affected_sites(state, sites, kind, &event.payload).await?;
    let mut deliveries = Vec::new();
    for hook in wanting {
        let sites: Vec<&SiteUrls> = affected
            .iter()
            .filter(|s| hook.site_code.as_ref().is_none_or(|code| *code == s.site))
            .collect();
        // A site filter keeps the events of what that site shows, and its own.
        let concerns_site = match (&hook.site_code, kind) {
            (None, _) => true,
            (Some(code), EventType::SiteChanged) => {
                Some(code.as_str()) == event.payload.get("site").and_then(Value::as_str)
            }
            (Some(_), t) if t.is_about_an_item() => !sites.is_empty(),
            (Some(_), _) => true,
        };
        if concerns_site {
            deliveries.push(delivery_of(hook, kind, event, &sites, now));
        }
    }
    Ok(deliveries)
}

fn wants(hook: &webhook::Model, kind: EventType) -> bool {
    let wanted: Vec<String> = serde_json::from_value(hook.events.clone()).unwrap_or_default();
    wanted.is_empty() || wanted.iter().any(|w| w == kind.as_str())
}

/// One site that shows the item, and the URLs there that changed.
#[derive(Debug, Clone)]
struct SiteUrls {
    site: String,
    urls: Vec<String>,
}

/// For events about an item: every site that shows it, with the URLs of the
/// translations concerned (their new and previous slugs) where the site has routes.
async fn affected_sites(
    state: &AppState,
    sites: &[Site],
    kind: EventType,
    payload: &Value,
) -> Result<Vec<SiteUrls>, AppError> {
    if !kind.is_about_an_item() {
        return Ok(Vec::new());
    }
    let (Some(item), Some(content)) = (
        payload
            .get("item_id")
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<ItemId>().ok()),
        payload
            .get("kind")
            .and_then(Value::as_str)
            .and_then(|k| k.parse::<ContentKind>().ok()),
    ) else {
        return Ok(Vec::new());
    };
    let countries = match payload.get("countries") {
        Some(value) => countries_from_json(value)?,
        None => Vec::new(),
    };
    let codes: Vec<&str> = countries.iter().map(|c| c.as_str()).collect();
    let translations = translations_of(payload);
    let mut affected = Vec::new();
    for site in sites.iter().filter(|s| site_shows(&s.countries, &codes)) {
        let reads = |locale: &str| {
            site.locales
                .iter()
                .chain(&site.fallback)
                .any(|l| l.as_str() == locale)
        };
        let concerned: Vec<(String, String)> = translations
            .iter()
            .filter(|(locale, _)| reads(locale))
            .cloned()
            .collect();
        let urls = delivery::site_urls(state, site, content, item, &concerned).await?;
        affected.push(SiteUrls {
            site: site.code.clone(),
            urls,
        });
    }
    Ok(affected)
}

/// The (locale, slug) pairs an item event names: a translation's new and previous slug,
/// or every live translation of a trashed item.
fn translations_of(payload: &Value) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
    if let Some(locale) = text(payload, "locale") {
        for key in ["slug", "previous_slug"] {
            if let Some(slug) = text(payload, key) {
                pairs.push((locale.clone(), slug));
            }
        }
    }
    for translation in payload
        .get("translations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let (Some(locale), Some(slug)) = (text(translation, "locale"), text(translation, "slug"))
        {
            pairs.push((locale, slug));
        }
    }
    pairs.dedup();
    pairs
}

/// What an event's deliveries are kept in order by: its item, site or file.
fn ordering_key(kind: EventType, payload: &Value) -> String {
    let text = |key: &str| payload.get(key).and_then(Value::as_str).unwrap_or_default();
    match kind {
        EventType::SiteChanged => format!("site:{}", text("site")),
        EventType::AssetReplaced | EventType::AssetDeleted => format!("asset:{}", text("asset_id")),
        _ => format!("item:{}", text("item_id")),
    }
}

fn delivery_of(
    hook: &webhook::Model,
    kind: EventType,
    event: &outbox_event::Model,
    sites: &[&SiteUrls],
    now: DateTime<Utc>,
) -> webhook_delivery::ActiveModel {
    let id = Uuid::now_v7();
    let mut data = event.payload.clone();
    // Countries are only there to find the sites.
    if let Some(object) = data.as_object_mut() {
        object.remove("countries");
    }
    let body = json!({
        "id": id,
        "type": kind.as_str(),
        "occurred_at": event.created_at,
        "data": data,
        "sites": sites.iter().map(|s| json!({ "site": s.site, "urls": s.urls })).collect::<Vec<_>>(),
    });
    webhook_delivery::ActiveModel {
        id: Set(id),
        webhook_id: Set(hook.id),
        event_type: Set(kind.as_str().to_owned()),
        ordering_key: Set(ordering_key(kind, &event.payload)),
        body: Set(body.to_string()),
        // Numbered when it is inserted.
        sequence: Set(0),
        status: Set(DeliveryStatus::Pending),
        attempts: Set(0),
        next_attempt_at: Set(now),
        claimed_by: Set(None),
        last_status_code: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        finished_at: Set(None),
    }
}
