//! The audit log: who did what, when, from where. Services record an entry in the
//! same transaction as the change it describes; refusals are recorded on their own.

use chrono::{DateTime, Utc};
use entity::audit_entry::{self, Column, Entity as AuditLog};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use serde_json::Value;
use uuid::Uuid;

use crate::error::AppError;
use crate::policy::{self, Action};
use crate::services::actor::Actor;
use crate::services::pagination::{PageRequest, Paged};
use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
    Denied,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Denied => "denied",
        }
    }
}

/// Who an entry is about when there is no authenticated actor (e.g. a failed login).
#[derive(Debug, Clone)]
pub struct Who {
    pub kind: &'static str,
    pub id: Option<Uuid>,
    pub label: String,
    pub client_addr: Option<String>,
}

impl From<&Actor> for Who {
    fn from(actor: &Actor) -> Self {
        Self {
            kind: actor.kind(),
            id: Some(actor.id()),
            label: actor.label().to_owned(),
            client_addr: actor.client.address.clone(),
        }
    }
}

/// One thing that happened.
#[derive(Debug, Clone)]
pub struct Event {
    pub action: &'static str,
    pub outcome: Outcome,
    pub resource_kind: &'static str,
    pub resource_id: Option<String>,
    pub details: Value,
}

impl Event {
    pub fn success(
        action: &'static str,
        resource_kind: &'static str,
        resource_id: impl ToString,
    ) -> Self {
        Self {
            action,
            outcome: Outcome::Success,
            resource_kind,
            resource_id: Some(resource_id.to_string()),
            details: Value::Object(Default::default()),
        }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }
}

pub async fn record(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    who: impl Into<Who>,
    event: Event,
) -> Result<(), AppError> {
    let who = who.into();
    let entry = audit_entry::ActiveModel {
        id: Set(Uuid::now_v7()),
        at: Set(now),
        actor_kind: Set(who.kind.to_owned()),
        actor_id: Set(who.id),
        actor_label: Set(who.label.chars().take(300).collect()),
        action: Set(event.action.to_owned()),
        outcome: Set(event.outcome.as_str().to_owned()),
        resource_kind: Set(event.resource_kind.to_owned()),
        resource_id: Set(event.resource_id.map(|id| id.chars().take(300).collect())),
        client_addr: Set(who.client_addr),
        details: Set(event.details),
    };
    AuditLog::insert(entry).exec_without_returning(db).await?;
    Ok(())
}

/// Asks the policy; a refusal is recorded in the audit log and becomes a 403.
pub async fn authorize(
    state: &AppState,
    actor: &Actor,
    action: Action<'_>,
    resource_kind: &'static str,
    resource_id: Option<String>,
) -> Result<(), AppError> {
    match policy::authorize(&actor.principal, action) {
        Ok(()) => Ok(()),
        Err(denied) => Err(refuse(state, actor, denied, resource_kind, resource_id).await),
    }
}

/// [`authorize`] for a decision taken inside a write transaction, on what it locked. A
/// refusal rolls the transaction back before it is recorded: the record must outlive
/// the transaction, and on SQLite it would otherwise wait for the very write lock the
/// transaction holds.
pub async fn authorize_locked(
    state: &AppState,
    txn: DatabaseTransaction,
    actor: &Actor,
    action: Action<'_>,
    resource_kind: &'static str,
    resource_id: Option<String>,
) -> Result<DatabaseTransaction, AppError> {
    match policy::authorize(&actor.principal, action) {
        Ok(()) => Ok(txn),
        Err(denied) => {
            txn.rollback().await?;
            Err(refuse(state, actor, denied, resource_kind, resource_id).await)
        }
    }
}

/// Records a refusal in the audit log; the 403 to answer.
async fn refuse(
    state: &AppState,
    actor: &Actor,
    denied: policy::Denied,
    resource_kind: &'static str,
    resource_id: Option<String>,
) -> AppError {
    let event = Event {
        action: "permission.denied",
        outcome: Outcome::Denied,
        resource_kind,
        resource_id,
        details: serde_json::json!({ "permission": denied.permission, "reason": denied.reason }),
    };
    if let Err(err) = record(&state.db, state.clock.now(), actor, event).await {
        return err;
    }
    AppError::Forbidden(denied.to_string())
}

/// Filters of the audit log; all optional.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor_id: Option<Uuid>,
    pub action: Option<String>,
    pub resource_kind: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// Entries matching `filter`, newest first.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    filter: AuditFilter,
    page: PageRequest,
) -> Result<Paged<audit_entry::Model>, AppError> {
    authorize(state, actor, Action::ReadAudit, "audit", None).await?;
    let mut query = AuditLog::find();
    if let Some(id) = filter.actor_id {
        query = query.filter(Column::ActorId.eq(id));
    }
    if let Some(action) = filter.action {
        query = query.filter(Column::Action.eq(action));
    }
    if let Some(kind) = filter.resource_kind {
        query = query.filter(Column::ResourceKind.eq(kind));
    }
    if let Some(from) = filter.from {
        query = query.filter(Column::At.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(Column::At.lt(to));
    }
    let paginator = query
        .order_by_desc(Column::Id)
        .paginate(&state.db, page.size);
    let total = paginator.num_items().await?;
    let items = paginator.fetch_page(page.index()).await?;
    Ok(Paged::new(items, total, page))
}
