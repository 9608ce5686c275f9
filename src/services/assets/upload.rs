//! Streaming uploads: from the socket to object storage in parts, hashing and checking
//! size and type on the way; memory stays near `part_size × upload_concurrency`
//! whatever the file's size. The database row is written only once the object is
//! fully stored; a failed or interrupted upload leaves neither.

use bytes::{Bytes, BytesMut};
use entity::asset::{self, Entity as Assets};
use entity::ids::AssetId;
use futures_util::{Stream, StreamExt};
use object_store::{
    Attribute, Attributes, ObjectStore, ObjectStoreExt, PutMultipartOptions, PutOptions,
    PutPayload, WriteMultipart,
};
use sea_orm::{EntityTrait, Set};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::library::Asset;
use super::{object_key, store_write_error};
use crate::domain::Locale;
use crate::domain::files::{
    clean_file_name, content_disposition, fits_zip_container, name_for_type, sniff,
};
use crate::domain::zip_contents;
use crate::error::{AppError, FieldErrors};
use crate::policy::Action;
use crate::services::kernel::actor::Actor;
use crate::services::kernel::audit::{self, AuditAction, Event};
use crate::services::kernel::unit_of_work::UnitOfWork;
use crate::state::AppState;
use crate::storage::Store;

/// What comes with the bytes.
#[derive(Debug, Clone, Default)]
pub struct UploadMeta {
    pub file_name: String,
    pub title: Option<String>,
    pub alt: Option<String>,
    pub locale: Option<String>,
    /// The body's declared length, when the client sent one.
    pub declared_size: Option<u64>,
}

/// Stores `body` as a new asset.
pub async fn upload<S>(
    state: &AppState,
    actor: &Actor,
    meta: UploadMeta,
    body: S,
) -> Result<Asset, AppError>
where
    S: Stream<Item = Result<Bytes, std::io::Error>> + Unpin,
{
    audit::authorize(state, actor, Action::UploadAsset, "asset", None).await?;
    let mut stored = store_stream(state, meta, body).await?;
    // Recorded in a task of its own: if the client goes away now, the row and the
    // object are kept together rather than the object deleted under a committed row.
    let (state, actor) = (state.clone(), actor.clone());
    tokio::spawn(async move {
        let work = UnitOfWork::begin(&state).await?;
        let saved = insert(work.txn(), &state, &actor, &stored).await?;
        work.commit().await?;
        stored.commit();
        Ok::<_, AppError>(saved)
    })
    .await
    .map_err(AppError::internal)?
}

/// A fully stored object, not yet recorded; dropping it removes the object.
pub struct StoredObject {
    id: AssetId,
    key: object_store::path::Path,
    file_name: String,
    content_type: &'static str,
    size: u64,
    sha256: String,
    title: String,
    alt: String,
    locale: Option<String>,
    guard: Uncommitted,
}

impl StoredObject {
    pub fn content_type(&self) -> &'static str {
        self.content_type
    }

    /// Removes the object now (rather than in the background, as dropping does).
    pub async fn discard(mut self, store: &Store) {
        self.guard.commit();
        match store.delete(&self.key).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
            Err(err) => {
                tracing::warn!(key = %self.key, error = %err, "could not remove a refused upload")
            }
        }
    }

    /// The row is committed: keep the object.
    pub fn commit(&mut self) {
        self.guard.commit();
    }
}

/// Records a stored object as an asset, with its audit entry, in `txn`.
pub async fn insert(
    txn: &impl sea_orm::ConnectionTrait,
    state: &AppState,
    actor: &Actor,
    stored: &StoredObject,
) -> Result<Asset, AppError> {
    let now = state.clock.now();
    let model = asset::ActiveModel {
        id: Set(stored.id),
        object_key: Set(stored.key.to_string()),
        file_name: Set(stored.file_name.clone()),
        content_type: Set(stored.content_type.to_owned()),
        size: Set(i64::try_from(stored.size).map_err(AppError::internal)?),
        sha256: Set(stored.sha256.clone()),
        title: Set(stored.title.clone()),
        alt: Set(stored.alt.clone()),
        locale: Set(stored.locale.clone()),
        uploaded_by: Set(Some(actor.id())),
        replaced_by: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let saved = Assets::insert(model).exec_with_returning(txn).await?;
    let event = Event::success(AuditAction::AssetUpload, "asset", stored.id).with_details(json!({
        "file_name": saved.file_name, "size": stored.size, "content_type": stored.content_type,
    }));
    audit::record(txn, now, actor, event).await?;
    Ok(saved.into())
}

/// Streams `body` into the store under a new key, checking type and size on the way.
pub async fn store_stream<S>(
    state: &AppState,
    meta: UploadMeta,
    mut body: S,
) -> Result<StoredObject, AppError>
where
    S: Stream<Item = Result<Bytes, std::io::Error>> + Unpin,
{
    let described = Described::check(state, meta)?;
    let settings = &state.settings.assets;
    let mut counted = Counted::new(settings.max_file_bytes);
    if described
        .declared_size
        .is_some_and(|size| size > settings.max_file_bytes)
    {
        return Err(counted.too_large());
    }
    // The first part decides the type and whether one request is enough.
    let (head, finished) = read_head(&mut body, &mut counted, settings.part_size_bytes).await?;
    if head.is_empty() {
        return Err(AppError::invalid("file", "the file is empty"));
    }
    let head_type = check_head(state, &head)?;
    let decided_name = decide_name(&described.file_name, head_type)?;

    let id = AssetId::new();
    let key = object_key(id);
    let guard = Uncommitted::new(state.store.clone(), key.clone());
    let attributes = attributes_for(state, head_type, decided_name.as_deref());
    if finished {
        let options = PutOptions {
            attributes,
            ..PutOptions::default()
        };
        let payload = PutPayload::from(head.freeze());
        state
            .store
            .put_opts(&key, payload, options)
            .await
            .map_err(store_write_error)?;
    } else {
        put_in_parts(state, &key, attributes, head, body, &mut counted).await?;
    }

    // Refusals from here on drop `guard`, which deletes what was stored.
    let (content_type, file_name) = match (head_type, decided_name) {
        (HeadType::Known(content_type), Some(name)) => (content_type, name),
        _ => {
            let content_type =
                super::container::container_type(&state.store, &key, counted.size).await?;
            check_allowed(state, content_type)?;
            let name = name_for_type(&described.file_name, content_type)
                .map_err(AppError::UnsupportedMediaType)?;
            (content_type, name)
        }
    };
    Ok(StoredObject {
        id,
        key,
        file_name,
        content_type,
        size: counted.size,
        sha256: hex::encode(counted.hasher.finalize()),
        title: described.title,
        alt: described.alt,
        locale: described.locale.map(|l| l.to_string()),
        guard,
    })
}

/// What the uploader says of a file, checked before a byte of it is stored.
struct Described {
    file_name: String,
    title: String,
    alt: String,
    locale: Option<Locale>,
    declared_size: Option<u64>,
}

impl Described {
    fn check(state: &AppState, meta: UploadMeta) -> Result<Self, AppError> {
        let mut errors = FieldErrors::new();
        let title = meta.title.unwrap_or_default().trim().to_owned();
        let alt = meta.alt.unwrap_or_default().trim().to_owned();
        if title.chars().count() > 300 {
            errors.push("title", "must be at most 300 characters");
        }
        if alt.chars().count() > 1000 {
            errors.push("alt", "must be at most 1000 characters");
        }
        let locale = meta.locale.as_deref().and_then(|raw| {
            errors.check(
                "locale",
                Locale::parse(raw, &state.settings.content.locales),
            )
        });
        errors.finish()?;
        Ok(Self {
            file_name: clean_file_name(&meta.file_name),
            title,
            alt,
            locale,
            declared_size: meta.declared_size,
        })
    }
}

/// The bytes received so far: how many (never past the limit) and their hash.
struct Counted {
    hasher: Sha256,
    size: u64,
    max: u64,
}

impl Counted {
    fn new(max: u64) -> Self {
        Self {
            hasher: Sha256::new(),
            size: 0,
            max,
        }
    }

    fn take(&mut self, chunk: &[u8]) -> Result<(), AppError> {
        self.size += chunk.len() as u64;
        if self.size > self.max {
            return Err(self.too_large());
        }
        self.hasher.update(chunk);
        Ok(())
    }

    fn too_large(&self) -> AppError {
        AppError::PayloadTooLarge(format!("files may be at most {} bytes", self.max))
    }
}

/// Reads up to one part; whether that was the whole file.
async fn read_head<S>(
    body: &mut S,
    counted: &mut Counted,
    part_size: usize,
) -> Result<(BytesMut, bool), AppError>
where
    S: Stream<Item = Result<Bytes, std::io::Error>> + Unpin,
{
    let mut head = BytesMut::with_capacity(part_size.min(1 << 20));
    while head.len() < part_size {
        let Some(chunk) = body.next().await else {
            return Ok((head, true));
        };
        let chunk = chunk.map_err(interrupted)?;
        counted.take(&chunk)?;
        head.extend_from_slice(&chunk);
    }
    Ok((head, false))
}

/// The file's name when its first part tells its type. A ZIP container's real type is
/// known only from its directory, at the end of the file: its name is checked now only
/// for what is certainly wrong (a ZIP named .pdf).
fn decide_name(file_name: &str, head_type: HeadType) -> Result<Option<String>, AppError> {
    match head_type {
        HeadType::Known(content_type) => Ok(Some(
            name_for_type(file_name, content_type).map_err(AppError::UnsupportedMediaType)?,
        )),
        HeadType::Zip if fits_zip_container(file_name) => Ok(None),
        HeadType::Zip => Err(AppError::UnsupportedMediaType(format!(
            "the file is a ZIP archive (as Office and OpenDocument files are), so its name \
             cannot be {file_name}"
        ))),
    }
}

/// S3 serves presigned downloads with the object's own headers; the local store keeps
/// no attributes (and buysocial always adds its own when streaming). ZIP containers are
/// never redirected to the store (they are not shown inline), so their attributes,
/// unknown until the end, are not needed.
fn attributes_for(state: &AppState, head_type: HeadType, name: Option<&str>) -> Attributes {
    let mut attributes = Attributes::new();
    if let (Some(_), HeadType::Known(content_type), Some(name)) =
        (&state.presigner, head_type, name)
    {
        attributes.insert(Attribute::ContentType, content_type.into());
        let disposition = content_disposition(name, content_type);
        attributes.insert(Attribute::ContentDisposition, disposition.into());
    }
    attributes
}

/// Streams the rest of a file larger than one part as a multipart upload, with
/// backpressure; aborts the upload on any failure.
async fn put_in_parts<S>(
    state: &AppState,
    key: &object_store::path::Path,
    attributes: Attributes,
    head: BytesMut,
    mut body: S,
    counted: &mut Counted,
) -> Result<(), AppError>
where
    S: Stream<Item = Result<Bytes, std::io::Error>> + Unpin,
{
    let settings = &state.settings.assets;
    let options = PutMultipartOptions {
        attributes,
        ..PutMultipartOptions::default()
    };
    let upload = state
        .store
        .put_multipart_opts(key, options)
        .await
        .map_err(store_write_error)?;
    let mut writer = WriteMultipart::new_with_chunk_size(upload, settings.part_size_bytes);
    writer.put(head.freeze());
    let streamed = async {
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(interrupted)?;
            counted.take(&chunk)?;
            // Backpressure: stop reading the socket while enough parts are in flight.
            writer
                .wait_for_capacity(settings.upload_concurrency)
                .await
                .map_err(store_write_error)?;
            writer.put(chunk);
        }
        Ok(())
    }
    .await;
    match streamed {
        Ok(()) => writer.finish().await.map(|_| ()).map_err(store_write_error),
        Err(err) => {
            if let Err(abort) = writer.abort().await {
                // Incomplete multipart uploads are invisible to listings, so the sweep
                // cannot find them: an S3 lifecycle rule must abort them (see README).
                tracing::warn!(error = %abort, "could not abort a multipart upload");
            }
            Err(err)
        }
    }
}

/// What a file's first part says of its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HeadType {
    Known(&'static str),
    /// A ZIP container: an Office or OpenDocument file or an archive, told apart by its
    /// directory once the whole file is stored.
    Zip,
}

/// The type from the first part of the content; refused when it is certainly not
/// allowed.
fn check_head(state: &AppState, head: &[u8]) -> Result<HeadType, AppError> {
    if zip_contents::is_zip(head) {
        return Ok(HeadType::Zip);
    }
    let Some(sniffed) = sniff(head) else {
        return Err(AppError::UnsupportedMediaType(
            "the file's type cannot be recognised from its content".into(),
        ));
    };
    check_allowed(state, sniffed)?;
    Ok(HeadType::Known(sniffed))
}

fn check_allowed(state: &AppState, content_type: &str) -> Result<(), AppError> {
    if state
        .settings
        .assets
        .allowed_types
        .iter()
        .any(|t| t == content_type)
    {
        Ok(())
    } else {
        Err(AppError::UnsupportedMediaType(format!(
            "files of type {content_type} are not accepted"
        )))
    }
}

fn interrupted(err: std::io::Error) -> AppError {
    AppError::invalid("file", format!("the upload was interrupted: {err}"))
}

/// Deletes a stored object unless committed: an upload that fails after storing its
/// bytes, or whose request is dropped midway, leaves no orphan behind.
struct Uncommitted {
    store: Store,
    key: object_store::path::Path,
    committed: bool,
}

impl Uncommitted {
    fn new(store: Store, key: object_store::path::Path) -> Self {
        Self {
            store,
            key,
            committed: false,
        }
    }

    fn commit(&mut self) {
        self.committed = true;
    }
}

impl Drop for Uncommitted {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        let (store, key) = (self.store.clone(), self.key.clone());
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                match store.delete(&key).await {
                    Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                    Err(err) => {
                        tracing::warn!(%key, error = %err, "could not remove an uncommitted upload")
                    }
                }
            });
        }
    }
}
