//! The real type of an uploaded ZIP container (an Office or OpenDocument file, or a
//! plain archive), read from the stored object's central directory once the whole
//! file is in the store: two small range reads (the last 64 KiB, then the directory),
//! a third for an OpenDocument's `mimetype` entry. See `domain::zip_contents`.

use object_store::ObjectStoreExt as _;

use super::store_error;
use crate::domain::zip_contents::{self, Located, Unreadable};
use crate::error::AppError;
use crate::storage::Store;

/// The type of the ZIP container stored at `key`, `size` bytes long.
pub async fn container_type(
    store: &Store,
    key: &object_store::path::Path,
    size: u64,
) -> Result<&'static str, AppError> {
    let read = |start: u64, end: u64| async move {
        store.get_range(key, start..end).await.map_err(store_error)
    };
    let unreadable =
        |why: Unreadable| AppError::UnsupportedMediaType(format!("the file cannot be read: {why}"));
    let tail_start = size.saturating_sub(zip_contents::TAIL_BYTES);
    let tail = read(tail_start, size).await?;
    let directory = match zip_contents::locate(&tail, size).map_err(unreadable)? {
        Located::Directory(directory) => directory,
        Located::Zip64Record(at) => {
            let end = at
                .checked_add(zip_contents::ZIP64_RECORD_BYTES)
                .filter(|end| *end <= size)
                .ok_or(unreadable(Unreadable::Damaged))?;
            let record = read(at, end).await?;
            zip_contents::zip64_directory(&record, at).map_err(unreadable)?
        }
    };
    // An empty archive lists nothing (and an empty range cannot be read).
    let entries = if directory.size == 0 {
        Vec::new()
    } else {
        let listing = read(directory.offset, directory.offset + directory.size).await?;
        zip_contents::entries(&listing).map_err(unreadable)?
    };
    // Only ranges inside the file, never empty: a hostile offset is a damaged file.
    let within = |start: u64, len: u64| {
        start
            .checked_add(len)
            .filter(|end| len > 0 && *end <= size)
            .map(|end| (start, end))
    };
    let mimetype = match zip_contents::mimetype_entry(&entries) {
        Some(entry) => match within(entry.local_offset, zip_contents::LOCAL_HEADER_BYTES) {
            Some((start, end)) => {
                let header = read(start, end).await?;
                match zip_contents::data_offset(&header, entry)
                    .and_then(|data| within(data, entry.compressed_size))
                {
                    Some((start, end)) => Some(read(start, end).await?),
                    None => None,
                }
            }
            None => None,
        },
        None => None,
    };
    Ok(zip_contents::container_type(&entries, mimetype.as_deref()))
}
