//! Reading documents and assembling their admin view.

use entity::document::{self, Entity as Documents};
use entity::ids::{AssetId, ItemId};
use entity::published_translation::{self, Entity as Published};
use entity::translation::{self, Entity as Translations};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::Value;

use crate::domain::content::{ContentKind, EventFields, ItemFields};
use crate::domain::{CountryCode, Locale};
use crate::error::AppError;

/// The document of `kind` with `id`; 404 when there is none (or it is of another kind).
pub async fn document(
    db: &impl ConnectionTrait,
    kind: ContentKind,
    id: ItemId,
) -> Result<document::Model, AppError> {
    Documents::find_by_id(id)
        .filter(document::Column::Kind.eq(kind))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no {kind} {id}")))
}

/// The same, refusing items in the trash with 404 (restore them first).
pub async fn live_document(
    db: &impl ConnectionTrait,
    kind: ContentKind,
    id: ItemId,
) -> Result<document::Model, AppError> {
    let found = document(db, kind, id).await?;
    if found.deleted_at.is_some() {
        return Err(AppError::NotFound(format!(
            "{kind} {id} is in the trash; restore it first"
        )));
    }
    Ok(found)
}

/// The document, re-read inside a transaction that is about to change what readers
/// see; on PostgreSQL its row stays locked until the transaction ends, so a concurrent
/// trash or publish waits instead of interleaving.
pub async fn lock_document(
    txn: &impl ConnectionTrait,
    kind: ContentKind,
    id: ItemId,
) -> Result<document::Model, AppError> {
    let mut query = Documents::find_by_id(id).filter(document::Column::Kind.eq(kind));
    if txn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        query = query.lock_exclusive();
    }
    let found = query
        .one(txn)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no {kind} {id}")))?;
    if found.deleted_at.is_some() {
        return Err(AppError::NotFound(format!(
            "{kind} {id} is in the trash; restore it first"
        )));
    }
    Ok(found)
}

pub async fn translation(
    db: &impl ConnectionTrait,
    id: ItemId,
    locale: &Locale,
) -> Result<Option<translation::Model>, AppError> {
    Ok(Translations::find_by_id((id, locale.to_string()))
        .one(db)
        .await?)
}

pub async fn published(
    db: &impl ConnectionTrait,
    id: ItemId,
    locale: &Locale,
) -> Result<Option<published_translation::Model>, AppError> {
    Ok(Published::find_by_id((id, locale.to_string()))
        .one(db)
        .await?)
}

pub fn countries(model: &document::Model) -> Result<Vec<CountryCode>, AppError> {
    crate::services::scopes::countries_from_json(&model.countries)
}

pub fn tags(model: &document::Model) -> Result<Vec<String>, AppError> {
    serde_json::from_value(model.tags.clone()).map_err(AppError::internal)
}

/// The document's neutral fields, typed by its kind.
pub fn fields(model: &document::Model) -> Result<ItemFields, AppError> {
    ItemFields::read(model.kind, &model.fields).map_err(AppError::internal)
}

/// An event document's neutral fields.
pub fn event_fields(model: &document::Model) -> Result<EventFields, AppError> {
    use serde::Deserialize;
    EventFields::deserialize(&model.fields).map_err(AppError::internal)
}

/// A material translation's file, from its per-locale fields.
pub fn file_of(fields: &Value) -> Option<AssetId> {
    fields.get("file_asset_id")?.as_str()?.parse().ok()
}

/// JSON array of strings, as stored.
pub fn json_strings<'a>(values: impl Iterator<Item = &'a str>) -> Value {
    Value::Array(values.map(Value::from).collect())
}
