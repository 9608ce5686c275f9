//! The orphan sweep: objects under `assets/` without a database row, older than the
//! grace period, are what a crash between storing and committing leaves behind; on a
//! local store, so are half-written staging files of uploads a crash interrupted.

use std::collections::HashSet;

use chrono::TimeDelta;
use entity::asset::Entity as Assets;
use entity::ids::AssetId;
use futures_util::TryStreamExt;
use object_store::{ObjectStore, ObjectStoreExt};
use sea_orm::{EntityTrait, QuerySelect};

use super::store_error;
use crate::error::AppError;
use crate::state::AppState;

/// Removes orphaned objects, and replaced files that nothing uses any more; returns
/// the keys removed.
pub async fn sweep_orphans(state: &AppState) -> Result<Vec<String>, AppError> {
    let mut removed = Vec::new();
    for superseded in super::replace::unused_superseded(&state.db).await? {
        // Row first: once it is gone the object is an orphan, which a later sweep removes
        // if deleting it fails now.
        Assets::delete_by_id(superseded.id).exec(&state.db).await?;
        let key = object_store::path::Path::from(superseded.object_key.as_str());
        match state.store.delete(&key).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => {
                removed.push(superseded.object_key)
            }
            Err(err) => {
                tracing::warn!(key = %superseded.object_key, error = %err, "could not delete a replaced file")
            }
        }
    }
    let grace = TimeDelta::seconds(
        i64::try_from(state.settings.assets.orphan_grace_seconds).unwrap_or(i64::MAX),
    );
    let cutoff = state.clock.now() - grace;
    let prefix = object_store::path::Path::from("assets");
    let objects: Vec<_> = state
        .store
        .list(Some(&prefix))
        .try_collect()
        .await
        .map_err(store_error)?;
    let known: HashSet<AssetId> = Assets::find()
        .select_only()
        .column(entity::asset::Column::Id)
        .into_tuple::<AssetId>()
        .all(&state.db)
        .await?
        .into_iter()
        .collect();
    for object in objects {
        let id = object
            .location
            .filename()
            .and_then(|name| name.parse::<AssetId>().ok());
        let orphan = id.is_none_or(|id| !known.contains(&id));
        if orphan && object.last_modified < cutoff {
            // Another instance may be sweeping too: gone already is fine.
            match state.store.delete(&object.location).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(err) => return Err(store_error(err)),
            }
            removed.push(object.location.to_string());
        }
    }
    if let Some(root) = &state.local_root {
        let cutoff = std::time::SystemTime::from(cutoff);
        match crate::storage::remove_stale_staging_files(root, cutoff).await {
            Ok(staged) => removed.extend(staged),
            Err(err) => {
                tracing::warn!(error = %err, "could not sweep the local store's staging files")
            }
        }
    }
    if !removed.is_empty() {
        tracing::info!(count = removed.len(), keys = ?removed, "removed orphaned and replaced objects");
    }
    Ok(removed)
}
