//! Uploaded files: cleaning their names and deciding their type from their content.

use std::path::Path;

/// The longest file name kept, in characters.
const MAX_NAME_CHARS: usize = 255;

/// A file name safe to store and to show: no directories, no control or bidirectional
/// formatting characters, at most 255 characters (keeping the extension), never empty.
pub fn clean_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !is_bidi_control(*c))
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim().to_owned();
    if cleaned.is_empty() {
        return "file".into();
    }
    if cleaned.chars().count() <= MAX_NAME_CHARS {
        return cleaned;
    }
    let extension = Path::new(&cleaned)
        .extension()
        .and_then(|e| e.to_str())
        .filter(|e| e.chars().count() <= 16)
        .map(|e| format!(".{e}"))
        .unwrap_or_default();
    let keep = MAX_NAME_CHARS - extension.chars().count();
    let stem: String = cleaned.chars().take(keep).collect();
    format!("{}{extension}", stem.trim_end())
}

/// Characters that reorder text and can disguise an extension (`exe.pdf` shown as `fdp.exe`).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{061C}')
}

/// The MIME type of a file from its first bytes, or `None` when unknown.
pub fn sniff(head: &[u8]) -> Option<&'static str> {
    // Checked first: infer calls any XML document text/xml.
    if looks_like_svg(head) {
        return Some("image/svg+xml");
    }
    infer::get(head).map(|kind| kind.mime_type())
}

/// SVG is XML text, which magic numbers cannot tell; look for an `<svg` root early on.
fn looks_like_svg(head: &[u8]) -> bool {
    let start = &head[..head.len().min(4096)];
    let Ok(text) =
        std::str::from_utf8(start).or_else(|e| std::str::from_utf8(&start[..e.valid_up_to()]))
    else {
        return false;
    };
    let text = text.trim_start_matches('\u{feff}').trim_start();
    (text.starts_with("<?xml") || text.starts_with("<svg") || text.starts_with("<!--"))
        && text.contains("<svg")
}

/// The extensions a file of each type we serve may have; the first is the usual one.
const EXTENSIONS: [(&str, &[&str]); 15] = [
    ("application/pdf", &["pdf"]),
    (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        &["pptx"],
    ),
    ("application/vnd.ms-powerpoint", &["ppt"]),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &["docx"],
    ),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &["xlsx"],
    ),
    ("application/vnd.oasis.opendocument.presentation", &["odp"]),
    ("application/vnd.oasis.opendocument.text", &["odt"]),
    ("application/vnd.oasis.opendocument.spreadsheet", &["ods"]),
    ("image/png", &["png"]),
    ("image/jpeg", &["jpg", "jpeg"]),
    ("image/webp", &["webp"]),
    ("image/gif", &["gif"]),
    ("image/svg+xml", &["svg"]),
    ("video/mp4", &["mp4"]),
    ("application/zip", &["zip"]),
];

/// A file name fit for a file of `content_type`: its extension must be one of that
/// type's, so that no name (`slides.html`, `run.exe`, `x.svg` on a PDF) makes a browser
/// or a desktop treat the file as something it is not. A name without an extension
/// gets the type's usual one. `Err` says why the name is refused.
pub fn name_for_type(file_name: &str, content_type: &str) -> Result<String, String> {
    let allowed = EXTENSIONS
        .iter()
        .find(|(known, _)| *known == content_type)
        .map_or(&[][..], |(_, extensions)| *extensions);
    let extension = Path::new(file_name)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match (extension, allowed.first()) {
        (Some(extension), _) if allowed.contains(&extension.as_str()) => Ok(file_name.to_owned()),
        (None, Some(usual)) => Ok(format!("{file_name}.{usual}")),
        (None, None) => Ok(file_name.to_owned()),
        // A document that is not what its name says: never advise renaming it to .zip.
        (Some(extension), _)
            if content_type == "application/zip" && ZIP_DOCUMENTS.contains(&extension.as_str()) =>
        {
            Err(format!(
                "the file is named .{extension}, but it holds no {} (no {}): it may be damaged, \
                 or saved in another format; open it in the program that made it and save it again",
                document_name(&extension),
                if extension.starts_with('o') {
                    "OpenDocument mimetype entry"
                } else {
                    "main part with [Content_Types].xml"
                }
            ))
        }
        (Some(extension), _) => Err(format!(
            "the file is {content_type}, so its name must end in {}, not .{extension}",
            if allowed.is_empty() {
                "no extension".to_owned()
            } else {
                allowed
                    .iter()
                    .map(|e| format!(".{e}"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            }
        )),
    }
}

/// The extensions of documents that are ZIP containers inside.
const ZIP_DOCUMENTS: [&str; 6] = ["pptx", "docx", "xlsx", "odp", "odt", "ods"];

/// Whether a name's extension fits a ZIP container (a document of one of those formats,
/// or an archive): anything else on a ZIP is certainly wrong, and refused before the
/// whole file is read.
pub fn fits_zip_container(file_name: &str) -> bool {
    Path::new(file_name)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .is_none_or(|e| e == "zip" || ZIP_DOCUMENTS.contains(&e.as_str()))
}

fn document_name(extension: &str) -> &'static str {
    match extension {
        "pptx" => "PowerPoint presentation",
        "docx" => "Word document",
        "xlsx" => "Excel workbook",
        "odp" => "OpenDocument presentation",
        "odt" => "OpenDocument text",
        _ => "OpenDocument spreadsheet",
    }
}

/// Whether a browser could run code from this type if shown inline.
pub fn is_active_content(content_type: &str) -> bool {
    content_type == "image/svg+xml" || content_type.contains("html") || content_type.contains("xml")
}

/// Types that are safe and useful to show in the browser rather than download.
pub fn is_inline_safe(content_type: &str) -> bool {
    matches!(
        content_type,
        "application/pdf" | "image/png" | "image/jpeg" | "image/webp" | "image/gif" | "video/mp4"
    )
}

/// A `Content-Disposition` value: `inline` for types browsers show safely, `attachment`
/// for the rest, with an ASCII `filename` and the exact name as `filename*`
/// (RFC 6266, RFC 8187). Safe for any name: quotes, separators and control characters
/// never reach the header.
pub fn content_disposition(file_name: &str, content_type: &str) -> String {
    let disposition = if is_inline_safe(content_type) {
        "inline"
    } else {
        "attachment"
    };
    let fallback: String = file_name
        .chars()
        .map(|c| {
            let plain =
                c == ' ' || (c.is_ascii_graphic() && !matches!(c, '"' | '\\' | ';' | ',' | '%'));
            if plain { c } else { '_' }
        })
        .collect();
    let mut encoded = String::new();
    for byte in file_name.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dispositions_are_safe_for_any_name() {
        assert_eq!(
            content_disposition("Mokymai Vilniuje – skaidrės.pdf", "application/pdf"),
            "inline; filename=\"Mokymai Vilniuje _ skaidr_s.pdf\"; \
             filename*=UTF-8''Mokymai%20Vilniuje%20%E2%80%93%20skaidr%C4%97s.pdf"
        );
        let hostile = content_disposition("a\"; filename=evil.exe\r\n.svg", "image/svg+xml");
        assert!(
            hostile.starts_with("attachment; filename=\"a__ filename=evil.exe__.svg\""),
            "{hostile}"
        );
        assert!(!hostile.contains('\r') && !hostile.contains('\n'));
    }

    #[test]
    fn hostile_names_are_cleaned() {
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("C:\\Users\\x\\slides.pptx"), "slides.pptx");
        assert_eq!(clean_file_name("report\0.pdf"), "report.pdf");
        assert_eq!(clean_file_name("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
        assert_eq!(clean_file_name("  ..hidden "), "hidden");
        assert_eq!(clean_file_name("../"), "file");
        let long = clean_file_name(&format!("{}.pdf", "ą".repeat(1000)));
        assert_eq!(long.chars().count(), 255);
        assert!(long.ends_with(".pdf"));
    }

    #[test]
    fn types_come_from_the_content() {
        assert_eq!(sniff(b"%PDF-1.7\n%\xe2\xe3"), Some("application/pdf"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some("image/png"));
        assert_eq!(
            sniff(b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
            Some("image/svg+xml")
        );
        assert_eq!(
            sniff(b"MZ\x90\0\x03\0\0\0"),
            Some("application/vnd.microsoft.portable-executable")
        );
        assert_eq!(sniff(b"just some text"), None);
    }

    #[test]
    fn names_must_carry_an_extension_of_their_type() {
        assert_eq!(
            name_for_type("Slides.PDF", "application/pdf").as_deref(),
            Ok("Slides.PDF")
        );
        assert_eq!(
            name_for_type("photo.jpeg", "image/jpeg").as_deref(),
            Ok("photo.jpeg")
        );
        assert_eq!(
            name_for_type("slides", "application/pdf").as_deref(),
            Ok("slides.pdf")
        );
        for hostile in [
            "slides.html",
            "slides.htm",
            "slides.js",
            "slides.exe",
            "slides.svg",
            "a.pdf.exe",
            "x.png",
        ] {
            assert!(
                name_for_type(hostile, "application/pdf").is_err(),
                "{hostile}"
            );
        }
        assert_eq!(
            name_for_type("slides.html", "application/pdf"),
            Err("the file is application/pdf, so its name must end in .pdf, not .html".into())
        );
    }
}
