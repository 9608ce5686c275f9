//! What a ZIP container holds, read from its central directory: Office Open XML
//! (pptx, docx, xlsx) and OpenDocument (odp, odt, ods) files are ZIP archives, told
//! apart only by the entries inside.
//!
//! The local headers at the start of a file cannot be trusted for this: every program
//! orders its entries differently (python-pptx writes `[Content_Types].xml`,
//! `_rels/.rels` and `docProps/` before any `ppt/` part; openpyxl starts with
//! `docProps/`), and a writer streaming its output may leave sizes out of them. The
//! central directory at the end of the file lists every entry; this module finds it in
//! the file's last bytes and reads it. No I/O: the caller reads the ranges asked for.
//!
//! Hand-written rather than with the `zip` crate, which needs the whole file behind a
//! `Seek`: here the file is in object storage, and only two small ranges are needed.

/// How many bytes from the end of a file hold the end-of-central-directory record:
/// its 22 bytes, a comment of up to 65,535, and the ZIP64 locator of 20 before it.
pub const TAIL_BYTES: u64 = 22 + 65_535 + 20;
/// The largest central directory read (about 50,000 entries).
pub const MAX_DIRECTORY_BYTES: u64 = 4 * 1024 * 1024;
/// The length of a ZIP64 end-of-central-directory record, without its extensible part.
pub const ZIP64_RECORD_BYTES: u64 = 56;
/// The fixed part of a local file header.
pub const LOCAL_HEADER_BYTES: u64 = 30;

const EOCD: [u8; 4] = *b"PK\x05\x06";
const ZIP64_LOCATOR: [u8; 4] = *b"PK\x06\x07";
const ZIP64_RECORD: [u8; 4] = *b"PK\x06\x06";
const CENTRAL_ENTRY: [u8; 4] = *b"PK\x01\x02";
const LOCAL_ENTRY: [u8; 4] = *b"PK\x03\x04";

/// Why a ZIP container cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unreadable {
    /// No end-of-central-directory record: the file is cut short or not a ZIP archive.
    NoDirectory,
    /// The directory points outside the file, or its entries are malformed.
    Damaged,
    /// More entries than any document has.
    TooLarge,
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Unreadable::NoDirectory => {
                "it starts like a ZIP archive (as Office and OpenDocument files do) but has no \
                 directory at its end: it may be incomplete or damaged"
            }
            Unreadable::Damaged => "its ZIP directory is damaged",
            Unreadable::TooLarge => "its ZIP directory lists more entries than a document has",
        })
    }
}

/// Where the central directory is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Directory {
    pub offset: u64,
    pub size: u64,
}

/// What the last bytes of a file say about its central directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Located {
    Directory(Directory),
    /// A ZIP64 archive: its end record, of [`ZIP64_RECORD_BYTES`], is at this offset.
    Zip64Record(u64),
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
}

/// Finds the central directory from `tail`, the last bytes of a file of `file_size`
/// (at most [`TAIL_BYTES`] of them).
pub fn locate(tail: &[u8], file_size: u64) -> Result<Located, Unreadable> {
    let tail_start = file_size
        .checked_sub(tail.len() as u64)
        .ok_or(Unreadable::Damaged)?;
    // The record is the last one whose comment length reaches the end of the file.
    let at = (0..tail.len().saturating_sub(21))
        .rev()
        .find(|&at| {
            tail[at..].starts_with(&EOCD)
                && u16_at(tail, at + 20)
                    .is_some_and(|comment| at + 22 + usize::from(comment) == tail.len())
        })
        .ok_or(Unreadable::NoDirectory)?;
    let entries = u16_at(tail, at + 10).ok_or(Unreadable::Damaged)?;
    let size = u32_at(tail, at + 12).ok_or(Unreadable::Damaged)?;
    let offset = u32_at(tail, at + 16).ok_or(Unreadable::Damaged)?;
    if entries == u16::MAX || size == u32::MAX || offset == u32::MAX {
        let locator = at.checked_sub(20).ok_or(Unreadable::Damaged)?;
        if !tail[locator..].starts_with(&ZIP64_LOCATOR) {
            return Err(Unreadable::Damaged);
        }
        let record = u64_at(tail, locator + 8).ok_or(Unreadable::Damaged)?;
        return Ok(Located::Zip64Record(record));
    }
    let directory = Directory {
        offset: u64::from(offset),
        size: u64::from(size),
    };
    check(directory, tail_start + at as u64)?;
    Ok(Located::Directory(directory))
}

/// The central directory a ZIP64 end record (at `record_offset`) describes.
pub fn zip64_directory(record: &[u8], record_offset: u64) -> Result<Directory, Unreadable> {
    if !record.starts_with(&ZIP64_RECORD) {
        return Err(Unreadable::Damaged);
    }
    let directory = Directory {
        size: u64_at(record, 40).ok_or(Unreadable::Damaged)?,
        offset: u64_at(record, 48).ok_or(Unreadable::Damaged)?,
    };
    check(directory, record_offset)?;
    Ok(directory)
}

/// A directory must end where the record describing it begins, and not be too large.
fn check(directory: Directory, ends_by: u64) -> Result<(), Unreadable> {
    if directory
        .offset
        .checked_add(directory.size)
        .is_none_or(|end| end > ends_by)
    {
        return Err(Unreadable::Damaged);
    }
    if directory.size > MAX_DIRECTORY_BYTES {
        return Err(Unreadable::TooLarge);
    }
    Ok(())
}

/// One entry of the central directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    /// 0: stored as it is.
    pub method: u16,
    pub compressed_size: u64,
    pub local_offset: u64,
}

/// The entries of a central directory.
pub fn entries(directory: &[u8]) -> Result<Vec<Entry>, Unreadable> {
    let mut found = Vec::new();
    let mut at = 0;
    while at < directory.len() {
        if !directory[at..].starts_with(&CENTRAL_ENTRY) {
            return Err(Unreadable::Damaged);
        }
        let field = |offset| u16_at(directory, at + offset).ok_or(Unreadable::Damaged);
        let method = field(10)?;
        let name_len = usize::from(field(28)?);
        let extra_len = usize::from(field(30)?);
        let comment_len = usize::from(field(32)?);
        let mut compressed_size = u64::from(u32_at(directory, at + 20).ok_or(Unreadable::Damaged)?);
        let mut local_offset = u64::from(u32_at(directory, at + 42).ok_or(Unreadable::Damaged)?);
        let name_start = at + 46;
        let name = directory
            .get(name_start..name_start + name_len)
            .ok_or(Unreadable::Damaged)?;
        let extra = directory
            .get(name_start + name_len..name_start + name_len + extra_len)
            .ok_or(Unreadable::Damaged)?;
        if compressed_size == u64::from(u32::MAX) || local_offset == u64::from(u32::MAX) {
            let uncompressed_size = u32_at(directory, at + 24).ok_or(Unreadable::Damaged)?;
            let zip64 = zip64_extra(extra).ok_or(Unreadable::Damaged)?;
            // The ZIP64 field holds, in this order, only the values that overflowed.
            let mut values = zip64
                .chunks_exact(8)
                .filter_map(|v| v.try_into().ok())
                .map(u64::from_le_bytes);
            if uncompressed_size == u32::MAX {
                values.next();
            }
            if compressed_size == u64::from(u32::MAX) {
                compressed_size = values.next().ok_or(Unreadable::Damaged)?;
            }
            if local_offset == u64::from(u32::MAX) {
                local_offset = values.next().ok_or(Unreadable::Damaged)?;
            }
        }
        found.push(Entry {
            name: String::from_utf8_lossy(name).into_owned(),
            method,
            compressed_size,
            local_offset,
        });
        at = name_start + name_len + extra_len + comment_len;
    }
    Ok(found)
}

/// The ZIP64 extended information in an entry's extra field.
fn zip64_extra(mut extra: &[u8]) -> Option<&[u8]> {
    while extra.len() >= 4 {
        let id = u16_at(extra, 0)?;
        let len = usize::from(u16_at(extra, 2)?);
        let data = extra.get(4..4 + len)?;
        if id == 0x0001 {
            return Some(data);
        }
        extra = &extra[4 + len..];
    }
    None
}

/// Where an entry's data starts, from the fixed part of its local header (read at its
/// `local_offset`): the header's length with its name and extra field.
pub fn data_offset(local_header: &[u8], entry: &Entry) -> Option<u64> {
    if !local_header.starts_with(&LOCAL_ENTRY) {
        return None;
    }
    let name_len = u64::from(u16_at(local_header, 26)?);
    let extra_len = u64::from(u16_at(local_header, 28)?);
    entry
        .local_offset
        .checked_add(LOCAL_HEADER_BYTES + name_len + extra_len)
}

/// The `mimetype` entry an OpenDocument file starts with, if it is there and stored as
/// it is (as the format requires): the entry to read the media type from.
pub fn mimetype_entry(entries: &[Entry]) -> Option<&Entry> {
    entries
        .iter()
        .find(|e| e.name == "mimetype" && e.method == 0 && e.compressed_size <= 200)
}

/// The OpenDocument types, by the media type in their `mimetype` entry.
const OPEN_DOCUMENT: [&str; 3] = [
    "application/vnd.oasis.opendocument.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
];

/// The Office Open XML types, by their main part.
const OFFICE_OPEN_XML: [(&str, &str); 3] = [
    (
        "ppt/presentation.xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    (
        "word/document.xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "xl/workbook.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
];

/// The type of a ZIP container from its entries and, for OpenDocument, the contents of
/// its `mimetype` entry: an Office or OpenDocument type, or plain `application/zip`.
pub fn container_type(entries: &[Entry], mimetype: Option<&[u8]>) -> &'static str {
    if let Some(declared) = mimetype
        .and_then(|bytes| std::str::from_utf8(bytes).ok())
        .map(str::trim)
        && let Some(known) = OPEN_DOCUMENT.iter().find(|t| **t == declared)
    {
        return known;
    }
    // Part names are case-insensitive in Open Packaging (OPC).
    let has = |part: &str| entries.iter().any(|e| e.name.eq_ignore_ascii_case(part));
    if has("[Content_Types].xml")
        && let Some((_, kind)) = OFFICE_OPEN_XML.iter().find(|(main, _)| has(main))
    {
        return kind;
    }
    "application/zip"
}

/// Whether a file's first bytes are a ZIP archive's (a local file header, or the end
/// record of an empty archive).
pub fn is_zip(head: &[u8]) -> bool {
    head.starts_with(&LOCAL_ENTRY) || head.starts_with(&EOCD)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ZIP written the way a program streams one: entries in `order`, each stored.
    fn archive(order: &[(&str, &[u8])]) -> Vec<u8> {
        let mut file = Vec::new();
        let mut directory = Vec::new();
        for (name, data) in order {
            let offset = file.len() as u32;
            let mut header = Vec::new();
            header.extend_from_slice(&LOCAL_ENTRY);
            header.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            header.extend_from_slice(&(data.len() as u32).to_le_bytes());
            header.extend_from_slice(&(data.len() as u32).to_le_bytes());
            header.extend_from_slice(&(name.len() as u16).to_le_bytes());
            header.extend_from_slice(&0u16.to_le_bytes());
            header.extend_from_slice(name.as_bytes());
            file.extend_from_slice(&header);
            file.extend_from_slice(data);
            directory.extend_from_slice(&CENTRAL_ENTRY);
            directory.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            directory.extend_from_slice(&(data.len() as u32).to_le_bytes());
            directory.extend_from_slice(&(data.len() as u32).to_le_bytes());
            directory.extend_from_slice(&(name.len() as u16).to_le_bytes());
            directory.extend_from_slice(&[0; 12]);
            directory.extend_from_slice(&offset.to_le_bytes());
            directory.extend_from_slice(name.as_bytes());
        }
        let offset = file.len() as u32;
        file.extend_from_slice(&directory);
        file.extend_from_slice(&EOCD);
        file.extend_from_slice(&[0; 4]);
        file.extend_from_slice(&(order.len() as u16).to_le_bytes());
        file.extend_from_slice(&(order.len() as u16).to_le_bytes());
        file.extend_from_slice(&(directory.len() as u32).to_le_bytes());
        file.extend_from_slice(&offset.to_le_bytes());
        file.extend_from_slice(&0u16.to_le_bytes());
        file
    }

    fn type_of(file: &[u8]) -> &'static str {
        let Ok(Located::Directory(dir)) = locate(file, file.len() as u64) else {
            panic!("no directory");
        };
        let range = dir.offset as usize..(dir.offset + dir.size) as usize;
        let list = entries(&file[range]).unwrap();
        let mimetype = mimetype_entry(&list).map(|entry| {
            let start = entry.local_offset as usize;
            let data = data_offset(&file[start..start + 30], entry).unwrap() as usize;
            &file[data..data + entry.compressed_size as usize]
        });
        container_type(&list, mimetype)
    }

    #[test]
    fn the_type_comes_from_the_entries_whatever_their_order() {
        let python_pptx = archive(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("_rels/.rels", b"<Relationships/>"),
            ("docProps/core.xml", b"<core/>"),
            ("ppt/presentation.xml", b"<presentation/>"),
        ]);
        assert_eq!(
            type_of(&python_pptx),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        );
        let openpyxl = archive(&[
            ("docProps/app.xml", b"<app/>"),
            ("xl/workbook.xml", b"<workbook/>"),
            ("[Content_Types].xml", b"<Types/>"),
        ]);
        assert_eq!(
            type_of(&openpyxl),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        let odp = archive(&[
            (
                "mimetype",
                b"application/vnd.oasis.opendocument.presentation",
            ),
            ("content.xml", b"<content/>"),
        ]);
        assert_eq!(
            type_of(&odp),
            "application/vnd.oasis.opendocument.presentation"
        );
        let plain = archive(&[("ppt/presentation.xml", b"no content types")]);
        assert_eq!(type_of(&plain), "application/zip");
    }

    #[test]
    fn a_cut_or_damaged_archive_is_unreadable() {
        let whole = archive(&[("[Content_Types].xml", b"<Types/>")]);
        let cut = &whole[..whole.len() - 5];
        assert_eq!(locate(cut, cut.len() as u64), Err(Unreadable::NoDirectory));
        let mut pointing_outside = whole.clone();
        let at = pointing_outside.len() - 6;
        pointing_outside[at..at + 4].copy_from_slice(&u32::MAX.wrapping_sub(7).to_le_bytes());
        assert_eq!(
            locate(&pointing_outside, pointing_outside.len() as u64),
            Err(Unreadable::Damaged)
        );
        assert!(is_zip(&whole));
        assert!(!is_zip(b"%PDF-1.7"));
    }
}
