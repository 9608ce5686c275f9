//! `webhook_deliveries`: one event for one webhook, delivered at least once.

use sea_orm::entity::prelude::*;

use crate::ids::WebhookId;

use crate::values::DeliveryStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_deliveries")]
pub struct Model {
    /// The delivery id receivers de-duplicate on; ordered by creation (UUID v7).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub webhook_id: WebhookId,
    pub event_type: String,
    /// Deliveries with one key (an item, a site, a file) are sent in order.
    pub ordering_key: String,
    /// The order deliveries of one key are sent in.
    pub sequence: i64,
    /// The JSON body, byte for byte as every attempt sends it.
    pub body: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    /// When it is due; while an instance sends it, when that claim lapses.
    pub next_attempt_at: DateTimeUtc,
    /// The claim of the instance sending it now.
    pub claimed_by: Option<Uuid>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
