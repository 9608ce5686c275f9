//! Downloads: who may fetch a file, which bytes, streamed from the store.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use entity::asset::Entity as Assets;
use entity::ids::AssetId;
use futures_util::stream::{BoxStream, StreamExt};
use object_store::{GetOptions, GetRange, ObjectStore};
use sea_orm::EntityTrait;

use super::library::Asset;
use super::{object_key, store_error, usage};
use crate::domain::CountryCode;
use crate::domain::country::site_shows;
use crate::error::AppError;
use crate::services::auth;
use crate::services::kernel::actor::Credential;
use crate::services::sites;
use crate::services::tokens::{PreviewOf, TokenKind};
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

/// Who is downloading, as far as files of unpublished content are concerned.
#[derive(Debug, Clone)]
pub enum FileReader {
    /// Anyone: no token, a delivery token, or a token that does not authenticate.
    Public,
    /// A signed-in user or an admin token: drafts are theirs to read.
    Editor,
    /// A preview token: the files of drafts (not in the trash); one bound to a site, of
    /// the drafts that site would show.
    Preview {
        site_countries: Option<Vec<CountryCode>>,
        /// A preview link's token: the files of that one translation's draft (and the
        /// item's cover).
        only: Option<PreviewOf>,
    },
    /// A user who must change their password before reading drafts.
    PasswordChangePending,
}

/// A file the caller may download, and whether it is public (used by live content).
pub struct Visible {
    pub asset: Asset,
    pub public: bool,
    /// The URL named the file by an earlier name: answer with a redirect to
    /// `asset.url()`, so that links written before a rename keep working.
    pub renamed: bool,
}

/// Works out who calls from the bearer token, as the draft reads of the admin and
/// delivery APIs do. A bad or expired token only means the public view, so it never
/// hides a public file.
pub async fn reader(state: &AppState, bearer: Option<&str>) -> Result<FileReader, AppError> {
    let Some(bearer) = bearer else {
        return Ok(FileReader::Public);
    };
    Ok(match auth::authenticate(state, bearer).await {
        Ok(Credential::Session { user, .. } | Credential::Local(user)) => {
            if user.must_change_password || user.must_enrol_second_factor {
                FileReader::PasswordChangePending
            } else {
                FileReader::Editor
            }
        }
        Ok(Credential::Token(token)) => match token.kind {
            TokenKind::Admin => FileReader::Editor,
            TokenKind::Delivery => FileReader::Public,
            TokenKind::Preview => {
                let only = token.preview_of.clone();
                match &token.site {
                    None => FileReader::Preview {
                        site_countries: None,
                        only,
                    },
                    // A token whose site is gone previews nothing.
                    Some(code) => match sites::find_public(&state.db, code).await? {
                        Some(site) => FileReader::Preview {
                            site_countries: Some(site.countries),
                            only,
                        },
                        None => FileReader::Public,
                    },
                }
            }
        },
        Err(AppError::Unauthorized(_)) => FileReader::Public,
        Err(other) => return Err(other),
    })
}

/// The asset, if `reader` may see it; 404 otherwise, as if it did not exist. Files
/// that live content uses are public; files that only drafts (or nothing) use follow
/// the rules of draft reads. A `file_name` other than the file's own (an earlier name,
/// in a link written before a rename) is answered as `renamed`, only to whoever may see
/// the file.
pub async fn visible(
    state: &AppState,
    id: AssetId,
    file_name: &str,
    reader: &FileReader,
) -> Result<Visible, AppError> {
    let not_found = || AppError::NotFound("no such file".into());
    let asset: Asset = Assets::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or_else(not_found)?
        .into();
    let renamed = asset.file_name != file_name;
    if !usage::live_users(&state.db, id).await?.is_empty() {
        return Ok(Visible {
            asset,
            public: true,
            renamed,
        });
    }
    let allowed = match reader {
        FileReader::Public => false,
        FileReader::PasswordChangePending => {
            return Err(AppError::Forbidden(
                "your account is not ready yet: choose your own password (POST /api/v1/auth/password) or turn on two-factor sign-in (POST /api/v1/auth/totp/enrol) first".into(),
            ));
        }
        // The media library: editors see every file.
        FileReader::Editor => true,
        // A preview shows the drafts of items not in the trash, of its site if it has one.
        // Not live (checked above): only drafts can show it.
        FileReader::Preview {
            site_countries,
            only,
        } => usage::draft_users(&state.db, id)
            .await?
            .iter()
            .filter(|user| !user.trashed)
            .filter(|user| {
                only.as_ref().is_none_or(|only| {
                    user.document_id == only.document_id
                        && user.locale.as_ref().is_none_or(|l| *l == only.locale)
                })
            })
            .any(|user| {
                site_countries
                    .as_ref()
                    .is_none_or(|site| site_shows(site, &user.countries))
            }),
    };
    if allowed {
        Ok(Visible {
            asset,
            public: false,
            renamed,
        })
    } else {
        Err(not_found())
    }
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
