//! The media library: list, read, describe and delete assets.

use chrono::{DateTime, Utc};
use entity::asset::{self, Column, Entity as Assets};
use entity::ids::ItemId;
use entity::ids::{ActorId, AssetId};
use object_store::ObjectStoreExt;
use sea_orm::sea_query::{Expr, ExprTrait as _, Func};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::json;

use super::guard;
use super::{object_key, store_error, usage};
use crate::domain::Locale;
use crate::domain::content::ContentKind;
use crate::error::{AppError, FieldErrors, Refusal};
use crate::policy::Action;
use crate::services::kernel::actor::Actor;
use crate::services::kernel::audit::{self, AuditAction, Event};
use crate::services::kernel::events::{AssetGone, DomainEvent};
use crate::services::kernel::unit_of_work::UnitOfWork;
use crate::services::pagination::{PageRequest, Paged};
use crate::state::AppState;

#[derive(Debug, Clone)]
pub struct Asset {
    pub id: AssetId,
    pub file_name: String,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
    pub title: String,
    pub alt: String,
    pub locale: Option<String>,
    pub uploaded_by: Option<ActorId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Asset {
    /// Where readers download it.
    pub fn url(&self) -> String {
        format!(
            "/api/v1/files/{}/{}",
            self.id,
            percent_encode_path(&self.file_name)
        )
    }

    /// Its strong ETag: the content's SHA-256, which changes whenever the bytes do.
    pub fn etag(&self) -> String {
        format!("\"{}\"", self.sha256)
    }
}

impl From<asset::Model> for Asset {
    fn from(model: asset::Model) -> Self {
        Self {
            id: model.id,
            file_name: model.file_name,
            content_type: model.content_type,
            size: u64::try_from(model.size).unwrap_or_default(),
            sha256: model.sha256,
            title: model.title,
            alt: model.alt,
            locale: model.locale,
            uploaded_by: model.uploaded_by,
            created_at: model.created_at,
            updated_at: model.updated_at,
        }
    }
}

/// A file name as one URL path segment.
fn percent_encode_path(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[derive(Debug, Clone, Default)]
pub struct AssetFilter {
    /// A MIME type (`application/pdf`) or a family (`image/`).
    pub content_type: Option<String>,
    pub uploaded_by: Option<ActorId>,
    /// Used by some content (drafts included), or not.
    pub used: Option<bool>,
    /// Words of the file name or title.
    pub q: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct AssetChanges {
    pub file_name: Option<String>,
    pub title: Option<String>,
    pub alt: Option<String>,
    /// `Some(None)` clears the locale.
    pub locale: Option<Option<String>>,
}

pub async fn list(
    state: &AppState,
    actor: &Actor,
    filter: AssetFilter,
    page: PageRequest,
) -> Result<Paged<Asset>, AppError> {
    audit::authorize(state, actor, Action::ReadContent, "asset", None).await?;
    let mut query = Assets::find();
    if let Some(content_type) = &filter.content_type {
        query = if content_type.ends_with('/') {
            query.filter(Column::ContentType.starts_with(content_type.as_str()))
        } else {
            query.filter(Column::ContentType.eq(content_type.as_str()))
        };
    }
    if let Some(uploader) = filter.uploaded_by {
        query = query.filter(Column::UploadedBy.eq(uploader));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pattern = format!("%{}%", q.to_lowercase().replace(['%', '_'], ""));
        query = query.filter(
            Expr::expr(Func::lower(Expr::col(Column::FileName)))
                .like(pattern.clone())
                .or(Expr::expr(Func::lower(Expr::col(Column::Title))).like(pattern)),
        );
    }
    if let Some(used) = filter.used {
        let referenced = usage::used_ids(&state.db).await?;
        query = if used {
            query.filter(Column::Id.is_in(referenced))
        } else {
            query.filter(Column::Id.is_not_in(referenced))
        };
    }
    let paginator = query
        .order_by_desc(Column::CreatedAt)
        .order_by_desc(Column::Id)
        .paginate(&state.db, page.size);
    let total = paginator.num_items().await?;
    let items = paginator.fetch_page(page.index()).await?;
    Ok(Paged::new(items, total, page).map(Asset::from))
}

pub async fn get(
    state: &AppState,
    actor: &Actor,
    id: AssetId,
) -> Result<(Asset, Vec<(ContentKind, ItemId)>), AppError> {
    let found = find(&state.db, id).await?;
    audit::authorize(
        state,
        actor,
        Action::ReadContent,
        "asset",
        Some(id.to_string()),
    )
    .await?;
    let users = usages(&state.db, id).await?;
    Ok((found.into(), users))
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: AssetId,
    changes: AssetChanges,
) -> Result<Asset, AppError> {
    let found = find(&state.db, id).await?;
    guard::authorize_change(state, actor, &found).await?;
    let mut errors = FieldErrors::new();
    let file_name = changes
        .file_name
        .as_deref()
        .map(crate::domain::files::clean_file_name);
    let file_name = file_name.and_then(|name| {
        errors.check(
            "file_name",
            crate::domain::files::name_for_type(&name, &found.content_type),
        )
    });
    if changes
        .title
        .as_ref()
        .is_some_and(|t| t.chars().count() > 300)
    {
        errors.push("title", "must be at most 300 characters");
    }
    if changes
        .alt
        .as_ref()
        .is_some_and(|a| a.chars().count() > 1000)
    {
        errors.push("alt", "must be at most 1000 characters");
    }
    let locale = match &changes.locale {
        Some(Some(raw)) => errors
            .check(
                "locale",
                Locale::parse(raw, &state.settings.content.locales),
            )
            .map(|l| Some(l.to_string())),
        Some(None) => Some(None),
        None => None,
    };
    errors.finish()?;
    let now = state.clock.now();
    let mut model: asset::ActiveModel = found.into();
    if let Some(name) = file_name {
        model.file_name = Set(name);
    }
    if let Some(title) = changes.title {
        model.title = Set(title.trim().to_owned());
    }
    if let Some(alt) = changes.alt {
        model.alt = Set(alt.trim().to_owned());
    }
    if let Some(locale) = locale {
        model.locale = Set(locale);
    }
    model.updated_at = Set(now);
    let work = UnitOfWork::begin(state).await?;
    let updated = Assets::update(model).exec(work.txn()).await?;
    // Readers see a file's name (in its URL), title and alternative text.
    work.record(DomainEvent::AssetDetailsChanged { asset_id: id }, now)
        .await?;
    let event = Event::success(AuditAction::AssetUpdate, "asset", id);
    audit::record(work.txn(), now, actor, event).await?;
    work.commit().await?;
    Ok(updated.into())
}

/// Deletes an unused asset: the row, then the object. 409 naming the items that use it.
pub async fn delete(state: &AppState, actor: &Actor, id: AssetId) -> Result<(), AppError> {
    let found = find(&state.db, id).await?;
    guard::authorize_change(state, actor, &found).await?;
    // Check and delete in one transaction, with the row deleted first: a draft that
    // starts using the asset meanwhile finds it gone (and gets a 422) instead of
    // keeping a reference to a deleted file.
    let work = UnitOfWork::begin(state).await?;
    let txn = work.txn();
    let gone = Assets::delete_by_id(id).exec(txn).await?;
    if gone.rows_affected == 0 {
        return Err(AppError::NotFound(format!("there is no asset {id}")));
    }
    let users = usages(txn, id).await?;
    if !users.is_empty() {
        let names: Vec<String> = users
            .iter()
            .map(|(kind, id)| format!("{kind} {id}"))
            .collect();
        return Err(AppError::refused(
            Refusal::AssetInUse,
            format!(
                "the asset is used by {}; remove it there first",
                names.join(", ")
            ),
        ));
    }
    let now = state.clock.now();
    let gone = AssetGone {
        asset_id: id,
        file_name: found.file_name.clone(),
    };
    work.record(DomainEvent::AssetDeleted(gone), now).await?;
    let event = Event::success(AuditAction::AssetDelete, "asset", id)
        .with_details(json!({ "file_name": found.file_name }));
    audit::record(txn, now, actor, event).await?;
    work.commit().await?;
    // The row is gone, so readers can no longer reach the object; if this fails, the
    // orphan sweep removes it later.
    if let Err(err) = state.store.delete(&object_key(id)).await {
        let _ = store_error(err);
    }
    Ok(())
}

/// The items (kind, id) that use the asset, in drafts or live versions, each once.
pub async fn usages(
    db: &impl ConnectionTrait,
    id: AssetId,
) -> Result<Vec<(ContentKind, ItemId)>, AppError> {
    let mut users: Vec<(ContentKind, ItemId)> = usage::users(db, id)
        .await?
        .into_iter()
        .map(|u| (u.kind, u.document_id))
        .collect();
    // By the kind's name, as the list has always been ordered.
    users.sort_by(|a, b| (a.0.as_str(), a.1).cmp(&(b.0.as_str(), b.1)));
    users.dedup();
    Ok(users)
}

async fn find(db: &impl ConnectionTrait, id: AssetId) -> Result<asset::Model, AppError> {
    Assets::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no asset {id}")))
}
