//! Assets: uploaded files, streamed into object storage with their metadata in the
//! database; the media library; downloads; and the sweep of orphaned objects.

mod container;
mod download;
mod guard;
mod library;
mod replace;
mod sweep;
mod upload;
mod usage;

pub use download::{
    ByteRange, Download, FileReader, Visible, open, presigned_url, reader, visible,
};
pub use library::{Asset, AssetChanges, AssetFilter, delete, get, list, update, usages};
pub use replace::replace;
pub use sweep::sweep_orphans;
pub use upload::{UploadMeta, upload};

use crate::error::AppError;
use crate::storage::StoreFailure;
use entity::ids::AssetId;

/// Where an asset's bytes are kept. Generated, never derived from the client's file name.
fn object_key(id: AssetId) -> object_store::path::Path {
    object_store::path::Path::from(format!("assets/{id}"))
}

/// An object-store failure when reading an object: 404 when it is missing, otherwise
/// 503 saying what is wrong (access refused, or the store down or slow: its timeouts and
/// retries are configured), with the cause logged.
fn store_error(err: object_store::Error) -> AppError {
    match StoreFailure::of(&err) {
        StoreFailure::NotFound => AppError::NotFound("the file is missing from the store".into()),
        _ => store_write_error(err),
    }
}

/// An object-store failure when writing: always 503 (a missing object on a write can
/// only be a missing bucket), saying which failure it is.
fn store_write_error(err: object_store::Error) -> AppError {
    let failure = StoreFailure::of(&err);
    tracing::error!(error = %err, failure = failure.describe_write(), "object store failure");
    AppError::Unavailable(match failure {
        StoreFailure::NotFound => {
            "the file store is misconfigured: its bucket does not exist".into()
        }
        StoreFailure::AccessDenied => {
            "the file store refused access: check its credentials and permissions".into()
        }
        StoreFailure::Unreachable => "the file store is unavailable; try again later".into(),
    })
}
