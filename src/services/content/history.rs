//! Recording revisions: every saved draft, change of details, publication and
//! restore leaves a snapshot of what it wrote, inside the write's transaction. Reading,
//! comparing and restoring them is `revisions`.

use chrono::{DateTime, Utc};
use entity::ids::{ItemId, RevisionId};
use entity::revision::{self, Entity as Revisions};
use entity::{document, translation};
use sea_orm::{ConnectionTrait, EntityTrait, Set};
use serde_json::{Value, json};

use super::load;
use crate::domain::Locale;
use crate::error::AppError;
use crate::services::kernel::actor::Actor;

pub use entity::values::RevisionAction;

pub async fn record_draft(
    txn: &impl ConnectionTrait,
    draft: &translation::Model,
    action: RevisionAction,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<RevisionId, AppError> {
    let snapshot = json!({
        "slug": draft.slug, "title": draft.title, "summary": draft.summary, "body": draft.body,
        "seo_title": draft.seo_title, "seo_description": draft.seo_description, "version": draft.version,
        "file_asset_id": load::file_of(&draft.fields),
        // What the text followed, so that restoring old text restores that too.
        "base_revision_id": draft.base_revision_id,
    });
    insert(
        txn,
        draft.document_id,
        Some(&draft.locale),
        action,
        snapshot,
        Some(actor),
        now,
    )
    .await
}

pub async fn record_fields(
    txn: &impl ConnectionTrait,
    document: &document::Model,
    action: RevisionAction,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<RevisionId, AppError> {
    let snapshot = json!({
        "fields": document.fields, "countries": document.countries, "tags": document.tags,
        "parent_id": document.parent_id, "position": document.position, "version": document.version,
    });
    insert(txn, document.id, None, action, snapshot, Some(actor), now).await
}

/// Records publishing or unpublishing one locale, with what readers see from then on.
/// `actor` absent: a scheduled publication.
pub async fn record_publication(
    txn: &impl ConnectionTrait,
    document: ItemId,
    locale: &Locale,
    action: RevisionAction,
    snapshot: Value,
    actor: Option<&Actor>,
    now: DateTime<Utc>,
) -> Result<RevisionId, AppError> {
    let locale = Some(locale.as_str());
    insert(txn, document, locale, action, snapshot, actor, now).await
}

async fn insert(
    txn: &impl ConnectionTrait,
    document: ItemId,
    locale: Option<&str>,
    action: RevisionAction,
    snapshot: Value,
    actor: Option<&Actor>,
    now: DateTime<Utc>,
) -> Result<RevisionId, AppError> {
    let id = RevisionId::new();
    let model = revision::ActiveModel {
        id: Set(id),
        document_id: Set(document),
        locale: Set(locale.map(str::to_owned)),
        action: Set(action),
        snapshot: Set(snapshot),
        created_by: Set(actor.map(Actor::id)),
        created_at: Set(now),
    };
    Revisions::insert(model).exec_without_returning(txn).await?;
    Ok(id)
}
