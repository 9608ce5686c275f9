//! Assets: uploaded files, streamed into object storage with their metadata in the
//! database; the media library; downloads; and the sweep of orphaned objects.

mod download;
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

/// Where an asset's bytes are kept. Generated, never derived from the client's file name.
fn object_key(id: uuid::Uuid) -> object_store::path::Path {
    object_store::path::Path::from(format!("assets/{id}"))
}

/// An object-store failure: 404 when the object is missing, otherwise 503 (the store is
/// down or slow; its timeouts and retries are configured), with the cause logged.
fn store_error(err: object_store::Error) -> AppError {
    match err {
        object_store::Error::NotFound { .. } => {
            AppError::NotFound("the file is missing from the store".into())
        }
        other => {
            tracing::error!(error = %other, "object store failure");
            AppError::Unavailable("the file store is unavailable; try again later".into())
        }
    }
}
