//! Office and OpenDocument files as the programs people use write them (see
//! `tests/fixtures/office/make.py`): recognised from what the ZIP really holds, whatever
//! the order of its entries, however large; refused, with a reason that helps, when the
//! name and the content disagree; nothing left behind when refused.

use std::io::Write as _;

use reqwest::StatusCode;
use serde_json::Value;

use crate::assets::{created, object_keys, upload_raw};
use crate::helpers::{Backend, TestApp, assert_problem, backend_tests};

backend_tests!(
    documents_from_each_library_are_recognised_and_served_intact,
    a_deck_larger_than_a_part_is_recognised_after_it_is_stored,
    a_document_whose_name_and_content_disagree_is_refused_helpfully,
);

pub(crate) fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/office")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

const PPTX: &str = "application/vnd.openxmlformats-officedocument.presentationml.presentation";

async fn documents_from_each_library_are_recognised_and_served_intact(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    for (file, content_type) in [
        ("python-pptx.pptx", PPTX),
        (
            "python-docx.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "openpyxl.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "odfpy.odp",
            "application/vnd.oasis.opendocument.presentation",
        ),
        ("odfpy.odt", "application/vnd.oasis.opendocument.text"),
        (
            "odfpy.ods",
            "application/vnd.oasis.opendocument.spreadsheet",
        ),
        ("python-zipfile.zip", "application/zip"),
    ] {
        let bytes = fixture(file);
        let asset = created(upload_raw(&app, &admin, file, bytes.clone()).await).await;
        assert_eq!(asset["content_type"], content_type, "{file}");
        assert_eq!(asset["file_name"], file);
        let download = app.get_authed(asset["url"].as_str().unwrap(), &admin).await;
        assert_eq!(download.status(), StatusCode::OK, "{file}");
        assert_eq!(download.headers()["content-type"], content_type);
        assert_eq!(download.bytes().await.unwrap().to_vec(), bytes, "{file}");
    }
    // A name without an extension gets the one the content calls for.
    let named =
        created(upload_raw(&app, &admin, "Training slides", fixture("python-pptx.pptx")).await)
            .await;
    assert_eq!(named["file_name"], "Training slides.pptx");
    assert_eq!(named["content_type"], PPTX);
}

/// python-pptx's deck with a recording embedded, as a real training deck has: larger than
/// the first part that the type used to be decided from, so the decision waits for the
/// directory at the end of the stored file.
fn large_deck(megabytes: usize) -> Vec<u8> {
    let mut deck = std::io::Cursor::new(fixture("python-pptx.pptx"));
    let mut writer = zip::ZipWriter::new_append(&mut deck).unwrap();
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    writer.start_file("ppt/media/media1.mp4", options).unwrap();
    let mut noise = vec![0u8; megabytes * 1024 * 1024];
    let mut state: u32 = 2_463_534_242;
    for byte in &mut noise {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        *byte = state as u8;
    }
    writer.write_all(&noise).unwrap();
    writer.finish().unwrap();
    deck.into_inner()
}

async fn a_deck_larger_than_a_part_is_recognised_after_it_is_stored(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let part = app.state.settings.assets.part_size_bytes;
    let deck = large_deck(part / (1024 * 1024) + 4);
    assert!(deck.len() > part);
    let asset =
        created(upload_raw(&app, &admin, "Formation Lisboa.pptx", deck.clone()).await).await;
    assert_eq!(asset["content_type"], PPTX);
    assert_eq!(asset["size"], deck.len());
    let download = app.get_authed(asset["url"].as_str().unwrap(), &admin).await;
    assert_eq!(download.bytes().await.unwrap().len(), deck.len());

    // The same deck cut short (an interrupted copy) has no directory: refused, and the
    // parts already stored are removed.
    let before = object_keys(&app).await;
    let cut = deck[..deck.len() - 100].to_vec();
    let refused = upload_raw(&app, &admin, "Formation Lisboa.pptx", cut).await;
    let problem = assert_problem(refused, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("incomplete or damaged"),
        "{problem}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        object_keys(&app).await,
        before,
        "nothing of the refused file stays"
    );
}

async fn a_document_whose_name_and_content_disagree_is_refused_helpfully(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let detail = |problem: &Value| problem["detail"].as_str().unwrap().to_owned();

    let archive = upload_raw(&app, &admin, "slides.pptx", fixture("python-zipfile.zip")).await;
    let problem = assert_problem(archive, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    assert!(
        detail(&problem).contains("holds no PowerPoint presentation"),
        "{problem}"
    );
    assert!(
        !detail(&problem).contains(".zip"),
        "never: rename a presentation to .zip"
    );

    let word_as_deck = upload_raw(&app, &admin, "slides.pptx", fixture("python-docx.docx")).await;
    let problem = assert_problem(word_as_deck, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    assert!(
        detail(&problem).contains("must end in .docx, not .pptx"),
        "{problem}"
    );

    let zip_as_pdf = upload_raw(&app, &admin, "report.pdf", fixture("python-pptx.pptx")).await;
    let problem = assert_problem(zip_as_pdf, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    assert!(detail(&problem).contains("ZIP archive"), "{problem}");

    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        object_keys(&app).await.is_empty(),
        "refused files leave nothing behind"
    );
}
