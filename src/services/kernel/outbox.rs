//! The outbox: what a write announces is written in its own transaction, so that
//! webhooks hear of a change if, and only if, it commits (the `webhooks` feature fans
//! each event out to its subscribers and sends it later), and delivery caches hear of
//! the change behind it once the write is over.

use chrono::{DateTime, Utc};
use entity::outbox_event::{self, Entity as Outbox};
use sea_orm::{ConnectionTrait, EntityTrait, Set};
use serde_json::{Value, json};
use uuid::Uuid;

use super::effects;
use super::events::EventType;
use crate::error::AppError;

/// Writes an event to the outbox in the caller's transaction: webhooks hear of it if,
/// and only if, the change commits. Delivery caches hear of it too, once the write is
/// over (every change readers can see is announced).
pub async fn announce(
    txn: &impl ConnectionTrait,
    event: EventType,
    payload: Value,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    effects::record(effects::of_event(event, &payload));
    let row = outbox_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        topic: Set(event.as_str().to_owned()),
        payload: Set(payload),
        created_at: Set(now),
        processed_at: Set(None),
    };
    Outbox::insert(row).exec_without_returning(txn).await?;
    Ok(())
}

/// The countries of every version named (JSON arrays), for an event to reach each site
/// that showed or shows the item: empty (EU-wide, shown everywhere) if any is.
pub fn countries_of_all(lists: &[&Value]) -> Value {
    let mut all: Vec<Value> = Vec::new();
    for list in lists {
        let Some(countries) = list.as_array() else {
            continue;
        };
        if countries.is_empty() {
            return json!([]);
        }
        for country in countries {
            if !all.contains(country) {
                all.push(country.clone());
            }
        }
    }
    Value::Array(all)
}
