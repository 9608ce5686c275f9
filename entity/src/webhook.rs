//! `webhooks`: receivers of change notifications, registered by admins.

use sea_orm::entity::prelude::*;

use crate::ids::{ActorId, WebhookId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhooks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: WebhookId,
    pub name: String,
    pub url: String,
    /// JSON array of the event types wanted; empty: all.
    pub events: Json,
    /// Only events concerning what this site shows; `None`: every site.
    pub site_code: Option<String>,
    /// The signing key.
    pub secret: String,
    pub paused: bool,
    pub created_by: Option<ActorId>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
