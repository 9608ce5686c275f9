//! Downloads: who may fetch a file, which bytes, streamed from the store.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use entity::asset::Entity as Assets;
use entity::published_translation::Entity as Published;
use futures_util::stream::{BoxStream, StreamExt};
use object_store::{GetOptions, GetRange, ObjectStore};
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use super::library::Asset;
use super::{object_key, store_error};
use crate::error::AppError;
use crate::state::AppState;

/// A single byte range as requested (`Range: bytes=...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteRange {
    /// `bytes=a-b`, both inclusive.
    Bounded(u64, u64),
    /// `bytes=a-`.
    From(u64),
    /// `bytes=-n`: the last `n` bytes.
    Suffix(u64),
}

impl ByteRange {
    /// The inclusive `(first, last)` bytes of a file of `size`, or `None` if none of it is there.
    pub fn resolve(self, size: u64) -> Option<(u64, u64)> {
        if size == 0 {
            return None;
        }
        let (first, last) = match self {
            ByteRange::Bounded(first, last) if first <= last => (first, Ord::min(last, size - 1)),
            ByteRange::Bounded(..) => return None,
            ByteRange::From(first) => (first, size - 1),
            ByteRange::Suffix(0) => return None,
            ByteRange::Suffix(n) => (size.saturating_sub(n), size - 1),
        };
        (first < size).then_some((first, last))
    }
}

pub struct Download {
    pub asset: Asset,
    /// The inclusive byte range being sent, when a range was asked for.
    pub range: Option<(u64, u64)>,
    pub last_modified: DateTime<Utc>,
    pub body: BoxStream<'static, Result<Bytes, std::io::Error>>,
}

/// Opens a file found by `visible` for download.
pub async fn open(
    state: &AppState,
    asset: Asset,
    range: Option<ByteRange>,
    if_range: Option<&str>,
) -> Result<Download, AppError> {
    // A range of a file that changed since the client's copy would corrupt it: with a
    // stale `If-Range` (strong comparison), send the whole file instead.
    let etag = asset.etag();
    let range = range.filter(|_| if_range.is_none_or(|tag| tag.trim() == etag));
    let range = match range {
        Some(requested) => Some(
            requested
                .resolve(asset.size)
                .ok_or(AppError::RangeNotSatisfiable { size: asset.size })?,
        ),
        None => None,
    };
    let options = GetOptions {
        range: range.map(|(first, last)| GetRange::Bounded(first..last + 1)),
        ..GetOptions::default()
    };
    let fetched = state
        .store
        .get_opts(&object_key(asset.id), options)
        .await
        .map_err(store_error)?;
    let last_modified = fetched.meta.last_modified;
    let body = fetched
        .into_stream()
        .map(|chunk| chunk.map_err(std::io::Error::other))
        .boxed();
    Ok(Download {
        asset,
        range,
        last_modified,
        body,
    })
}

/// With S3 and `assets.download_redirect`, a presigned URL for the file, for types a
/// browser shows safely (others are streamed with buysocial's own safe headers).
pub async fn presigned_url(state: &AppState, asset: &Asset) -> Result<Option<url::Url>, AppError> {
    let settings = &state.settings.assets;
    let Some(presigner) = state
        .presigner
        .as_ref()
        .filter(|_| settings.download_redirect)
    else {
        return Ok(None);
    };
    if !crate::domain::files::is_inline_safe(&asset.content_type) {
        return Ok(None);
    }
    let expiry = std::time::Duration::from_secs(settings.redirect_expiry_seconds);
    presigner
        .get_url(&object_key(asset.id), expiry)
        .await
        .map(Some)
        .map_err(store_error)
}

/// The asset, if `file_name` is its name and the caller may see it; 404 otherwise, as
/// if it did not exist. Without `can_see_drafts`, only files that published content
/// uses can be fetched.
pub async fn visible(
    state: &AppState,
    id: Uuid,
    file_name: &str,
    can_see_drafts: bool,
) -> Result<Asset, AppError> {
    let not_found = || AppError::NotFound("no such file".into());
    let asset: Asset = Assets::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or_else(not_found)?
        .into();
    if asset.file_name != file_name {
        return Err(not_found());
    }
    if !can_see_drafts && !is_published(state, id).await? {
        return Err(not_found());
    }
    Ok(asset)
}

/// Whether any live translation uses the asset (as a material's file or a cover).
async fn is_published(state: &AppState, id: Uuid) -> Result<bool, AppError> {
    let pattern = format!("%{id}%");
    let uses = Published::find()
        .filter(
            // Covers, material files, and files linked from published bodies.
            Expr::cust(format!("published_translations.body LIKE '{pattern}'"))
                .or(Expr::cust(format!(
                    "CAST(published_translations.fields AS TEXT) LIKE '{pattern}'"
                )))
                .or(Expr::cust(format!(
                    "CAST(published_translations.document_fields AS TEXT) LIKE '{pattern}'"
                ))),
        )
        .count(&state.db)
        .await?;
    Ok(uses > 0)
}

#[cfg(test)]
mod tests {
    use super::ByteRange;

    #[test]
    fn ranges_resolve_within_the_file() {
        assert_eq!(ByteRange::Bounded(0, 99).resolve(1000), Some((0, 99)));
        assert_eq!(
            ByteRange::Bounded(900, 5000).resolve(1000),
            Some((900, 999))
        );
        assert_eq!(ByteRange::From(500).resolve(1000), Some((500, 999)));
        assert_eq!(ByteRange::Suffix(100).resolve(1000), Some((900, 999)));
        assert_eq!(ByteRange::Suffix(5000).resolve(1000), Some((0, 999)));
        assert_eq!(ByteRange::From(1000).resolve(1000), None);
        assert_eq!(ByteRange::Bounded(5, 4).resolve(1000), None);
        assert_eq!(ByteRange::Suffix(0).resolve(1000), None);
    }
}
