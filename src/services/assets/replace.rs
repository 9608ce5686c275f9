//! Replacing an asset's file. The new file becomes a new asset, and every *draft* that
//! used the old one now uses the new one. Published content keeps the old file, so
//! readers see the change only when it is published; the old asset is removed by the
//! sweep once nothing uses it any more.

use bytes::Bytes;
use entity::asset::{self, Column, Entity as Assets};
use entity::document::{self, Entity as Documents};
use entity::ids::AssetId;
use entity::ids::ItemId;
use entity::schedule::{self, Entity as Schedules};
use entity::translation::{self, Entity as Translations};
use futures_util::Stream;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use super::library::Asset;
use super::upload::{UploadMeta, insert, store_stream};
use crate::error::AppError;
use crate::services::content;
use crate::services::kernel::actor::Actor;
use crate::services::kernel::audit::{self, AuditAction, Event};
use crate::services::kernel::events::{AssetReplaced, DomainEvent};
use crate::services::kernel::unit_of_work::UnitOfWork;
use crate::state::AppState;

/// Stores a new file for asset `id`; returns the asset that now holds it.
pub async fn replace<S>(
    state: &AppState,
    actor: &Actor,
    id: AssetId,
    meta: UploadMeta,
    body: S,
) -> Result<Asset, AppError>
where
    S: Stream<Item = Result<Bytes, std::io::Error>> + Unpin,
{
    let old = Assets::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no asset {id}")))?;
    // Replacing rewrites the drafts that use the file: the caller must be allowed to
    // edit each use, as if editing by hand.
    super::guard::authorize_change(state, actor, &old).await?;
    if let Some(newer) = old.replaced_by {
        return Err(AppError::Conflict(format!(
            "this file was replaced already, by asset {newer}; replace that one"
        )));
    }
    let meta = UploadMeta {
        file_name: if meta.file_name.is_empty() {
            old.file_name.clone()
        } else {
            meta.file_name
        },
        title: meta.title.or_else(|| Some(old.title.clone())),
        alt: meta.alt.or_else(|| Some(old.alt.clone())),
        locale: meta.locale.or_else(|| old.locale.clone()),
        declared_size: meta.declared_size,
    };
    let mut stored = store_stream(state, meta, body).await?;
    // A cover stays an image, a PDF a document: items using the file expect its kind.
    let family = |content_type: &str| {
        content_type
            .split('/')
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    if family(stored.content_type()) != family(&old.content_type) {
        let refused = AppError::UnsupportedMediaType(format!(
            "the new file is {}; it must be of the same kind as the old one ({})",
            stored.content_type(),
            old.content_type
        ));
        stored.discard(&state.store).await;
        return Err(refused);
    }
    let now = state.clock.now();
    let work = UnitOfWork::begin(state).await?;
    let txn = work.txn();
    let new = insert(txn, state, actor, &stored).await?;
    Assets::update_many()
        .col_expr(Column::ReplacedBy, Expr::value(Some(new.id)))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .exec(txn)
        .await?;
    let drafts = repoint_drafts(txn, id, new.id, actor, now).await?;
    let replaced = AssetReplaced {
        asset_id: id,
        replaced_by: new.id,
        file_name: new.file_name.clone(),
    };
    work.record(DomainEvent::AssetReplaced(replaced), now)
        .await?;
    let event = Event::success(AuditAction::AssetReplace, "asset", id)
        .with_details(json!({ "replaced_by": new.id, "drafts_updated": drafts }));
    audit::record(txn, now, actor, event).await?;
    work.commit().await?;
    stored.commit();
    Ok(new)
}

/// Points drafts (covers and material files) from `old` to `new`; returns how many.
async fn repoint_drafts(
    txn: &impl ConnectionTrait,
    old: AssetId,
    new: AssetId,
    by: &Actor,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<usize, AppError> {
    let stale = || AppError::Conflict("a draft using the file changed meanwhile; try again".into());
    let mentions = |table: &str| Expr::cust(format!("CAST({table}.fields AS TEXT) LIKE '%{old}%'"));
    let mut updated = 0;
    for doc in Documents::find()
        .filter(mentions("documents"))
        .all(txn)
        .await?
    {
        let Some(fields) = swapped(&doc.fields, "cover_asset_id", old, new) else {
            continue;
        };
        let changed = Documents::update_many()
            .col_expr(document::Column::Fields, Expr::value(fields))
            .col_expr(document::Column::Version, Expr::value(doc.version + 1))
            .col_expr(document::Column::UpdatedBy, Expr::value(Some(by.id())))
            .col_expr(document::Column::UpdatedAt, Expr::value(now))
            .filter(document::Column::Id.eq(doc.id))
            .filter(document::Column::Version.eq(doc.version))
            .exec(txn)
            .await?;
        if changed.rows_affected == 0 {
            return Err(stale());
        }
        follow_replacement(txn, doc.id, None, doc.version).await?;
        let saved = Documents::find_by_id(doc.id)
            .one(txn)
            .await?
            .ok_or_else(stale)?;
        content::record_fields(txn, &saved, content::RevisionAction::Fields, by, now).await?;
        updated += 1;
    }
    for draft in Translations::find()
        .filter(mentions("translations"))
        .all(txn)
        .await?
    {
        let Some(fields) = swapped(&draft.fields, "file_asset_id", old, new) else {
            continue;
        };
        let changed = Translations::update_many()
            .col_expr(translation::Column::Fields, Expr::value(fields))
            .col_expr(translation::Column::Version, Expr::value(draft.version + 1))
            .col_expr(translation::Column::UpdatedBy, Expr::value(Some(by.id())))
            .col_expr(translation::Column::UpdatedAt, Expr::value(now))
            .filter(translation::Column::DocumentId.eq(draft.document_id))
            .filter(translation::Column::Locale.eq(draft.locale.as_str()))
            .filter(translation::Column::Version.eq(draft.version))
            .exec(txn)
            .await?;
        if changed.rows_affected == 0 {
            return Err(stale());
        }
        follow_replacement(txn, draft.document_id, Some(&draft.locale), draft.version).await?;
        let saved = Translations::find_by_id((draft.document_id, draft.locale.clone()))
            .one(txn)
            .await?
            .ok_or_else(stale)?;
        content::record_draft(txn, &saved, content::RevisionAction::Draft, by, now).await?;
        updated += 1;
    }
    Ok(updated)
}

/// Pending scheduled publications that pinned the version the replacement supersedes
/// pin the new one instead: replacing a file is meant to reach readers, and it must
/// not make a schedule of the item fail. Schedules pinning an older version stay as
/// they are (they fail as they would have). `locale` absent: the item's details
/// (`version` of the item); present: that translation's draft.
async fn follow_replacement(
    txn: &impl ConnectionTrait,
    item: ItemId,
    locale: Option<&str>,
    version: i64,
) -> Result<(), AppError> {
    let pending = Schedules::update_many()
        .filter(schedule::Column::DocumentId.eq(item))
        .filter(schedule::Column::DoneAt.is_null());
    let pending = match locale {
        None => pending
            .filter(schedule::Column::DocumentVersion.eq(version))
            .col_expr(schedule::Column::DocumentVersion, Expr::value(version + 1)),
        Some(locale) => pending
            .filter(schedule::Column::Locale.eq(locale))
            .filter(schedule::Column::DraftVersion.eq(version))
            .col_expr(schedule::Column::DraftVersion, Expr::value(version + 1)),
    };
    pending.exec(txn).await?;
    Ok(())
}

/// `fields` with `key` set to `new`, when it was `old`.
fn swapped(fields: &Value, key: &str, old: AssetId, new: AssetId) -> Option<Value> {
    (fields.get(key)?.as_str()? == old.to_string()).then(|| {
        let mut changed = fields.clone();
        changed[key] = json!(new);
        changed
    })
}

/// Superseded assets that nothing uses any more, for the sweep.
pub async fn unused_superseded(db: &impl ConnectionTrait) -> Result<Vec<asset::Model>, AppError> {
    let used = super::usage::used_ids(db).await?;
    Ok(Assets::find()
        .filter(Column::ReplacedBy.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .filter(|asset| !used.contains(&asset.id))
        .collect())
}
