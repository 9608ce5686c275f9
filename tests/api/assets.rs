//! `/api/v1/admin/assets` and `/api/v1/files`: streamed uploads, safe downloads.

use buysocial::domain::Role;
use futures_util::TryStreamExt;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use reqwest::{Method, StatusCode};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{Backend, TestApp, assert_problem, backend_tests};

backend_tests!(
    a_presentation_is_uploaded_attached_published_and_downloaded,
    a_file_above_the_part_size_streams_in_parts,
    ranges_and_validators_work,
    the_size_limit_holds_while_streaming_and_leaves_nothing_behind,
    types_come_from_the_content_not_the_name,
    hostile_file_names_are_cleaned,
    svg_is_served_as_a_sandboxed_attachment,
    an_asset_in_use_cannot_be_deleted,
    upload_and_library_permissions_both_ways,
    an_unreachable_store_gives_503,
    the_sweep_removes_old_orphans_only,
    covers_must_be_images,
    downloads_redirect_to_presigned_urls_only_on_s3_and_for_safe_types,
    files_linked_from_published_bodies_are_public,
    only_upload_routes_escape_the_json_body_limit,
    replacing_needs_the_right_to_edit_every_user_and_the_same_kind_of_file,
    a_rename_cannot_make_a_file_claim_another_type,
    a_replaced_file_reaches_readers_only_when_published,
);

/// A small valid-looking PDF of `size` bytes.
pub(crate) fn pdf(size: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut i: u32 = 0;
    while bytes.len() < size {
        bytes.push((i.wrapping_mul(2654435761) >> 24) as u8);
        i += 1;
    }
    bytes
}

fn png() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0".to_vec();
    bytes.extend_from_slice(&[0u8; 64]);
    bytes
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Uploads `bytes` as multipart/form-data, with `title` before the file.
async fn upload_form(
    app: &TestApp,
    token: &str,
    file_name: &str,
    bytes: &[u8],
) -> reqwest::Response {
    let boundary = "buysocial-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nSlides\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    app.client
        .post(app.url("/api/v1/admin/assets"))
        .bearer_auth(token)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap()
}

/// Uploads raw bytes, streamed without a Content-Length.
pub(crate) async fn upload_raw(
    app: &TestApp,
    token: &str,
    file_name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        bytes.chunks(256 * 1024).map(|c| Ok(c.to_vec())).collect();
    let url =
        url::Url::parse_with_params(&app.url("/api/v1/admin/assets"), [("file_name", file_name)])
            .unwrap();
    app.client
        .post(url)
        .bearer_auth(token)
        .header("content-type", "application/octet-stream")
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .send()
        .await
        .unwrap()
}

pub(crate) async fn created(response: reqwest::Response) -> Value {
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "{}",
        response.text().await.unwrap()
    );
    response.json().await.unwrap()
}

/// A published material whose `en` file is `asset`.
async fn publish_material_with(app: &TestApp, token: &str, asset: &str) -> String {
    let response = app
        .post_json_authed(
            "/api/v1/admin/materials",
            token,
            &json!({ "fields": { "material_kind": "presentation" },
                     "translation": { "locale": "en", "title": "Training Materials and Presentations", "file_asset_id": asset } }),
        )
        .await;
    let material = created(response).await;
    let id = material["id"].as_str().unwrap().to_owned();
    let publish = app
        .send(
            Method::POST,
            &format!("/api/v1/admin/materials/{id}/translations/en/publish"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(publish.status(), StatusCode::OK);
    id
}

pub(crate) async fn object_keys(app: &TestApp) -> Vec<String> {
    let prefix = object_store::path::Path::from("assets");
    let listed: Vec<_> = app
        .state
        .store
        .list(Some(&prefix))
        .try_collect()
        .await
        .unwrap();
    listed.into_iter().map(|o| o.location.to_string()).collect()
}

async fn a_presentation_is_uploaded_attached_published_and_downloaded(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let bytes = pdf(300 * 1024);

    let asset =
        created(upload_form(&app, &admin, "Mokymai Vilniuje – skaidrės.pdf", &bytes).await).await;

    assert_eq!(asset["content_type"], "application/pdf");
    assert_eq!(asset["size"], bytes.len());
    assert_eq!(asset["sha256"], sha256(&bytes));
    assert_eq!(asset["title"], "Slides");
    assert_eq!(asset["file_name"], "Mokymai Vilniuje – skaidrės.pdf");
    let url = asset["url"].as_str().unwrap().to_owned();
    // Not used by anything published yet: invisible to the public...
    assert_problem(app.get(&url).await, StatusCode::NOT_FOUND).await;
    // ...but editors see it in their library, uncached; a preview token only once a
    // draft uses it.
    let seen = app.get_authed(&url, &admin).await;
    assert_eq!(seen.status(), StatusCode::OK);
    assert_eq!(seen.headers()["cache-control"], "private, no-store");
    let (_, preview) = app
        .api_token(&admin, json!({ "name": "preview", "kind": "preview" }))
        .await;
    assert_problem(app.get_authed(&url, &preview).await, StatusCode::NOT_FOUND).await;
    let (_, delivery) = app
        .api_token(&admin, json!({ "name": "frontend", "kind": "delivery" }))
        .await;
    assert_problem(app.get_authed(&url, &delivery).await, StatusCode::NOT_FOUND).await;

    publish_material_with(&app, &admin, asset["id"].as_str().unwrap()).await;

    let response = app.get(&url).await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(headers["content-length"], bytes.len().to_string().as_str());
    assert_eq!(headers["etag"], format!("\"{}\"", sha256(&bytes)).as_str());
    assert_eq!(headers["accept-ranges"], "bytes");
    assert!(
        headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    assert!(headers.contains_key("last-modified"));
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("inline; filename=\""),
        "{disposition}"
    );
    assert!(
        disposition.contains("filename*=UTF-8''Mokymai%20Vilniuje%20%E2%80%93%20skaidr%C4%97s.pdf"),
        "{disposition}"
    );
    let downloaded = response.bytes().await.unwrap();
    assert_eq!(sha256(&downloaded), sha256(&bytes));
    // Another name in the URL (one from before a rename) leads to the file's own.
    let wrong = format!("/api/v1/files/{}/other.pdf", asset["id"].as_str().unwrap());
    let moved = app.get(&wrong).await;
    assert_eq!(moved.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(
        moved.headers()["location"],
        format!(
            "/api/v1/files/{}/Mokymai%20Vilniuje%20%E2%80%93%20skaidr%C4%97s.pdf",
            asset["id"].as_str().unwrap()
        )
        .as_str()
    );
}

async fn a_file_above_the_part_size_streams_in_parts(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let part = app.state.settings.assets.part_size_bytes;
    let bytes = pdf(2 * part + 123_457);

    let asset = created(upload_raw(&app, &admin, "big.pdf", bytes.clone()).await).await;

    assert_eq!(asset["size"], bytes.len());
    assert_eq!(asset["sha256"], sha256(&bytes));
    let stored = app
        .state
        .store
        .get(&object_store::path::Path::from(format!(
            "assets/{}",
            asset["id"].as_str().unwrap()
        )))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(sha256(&stored), sha256(&bytes));
}

async fn ranges_and_validators_work(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let bytes = pdf(10_000);
    let asset = created(upload_raw(&app, &admin, "slides.pdf", bytes.clone()).await).await;
    publish_material_with(&app, &admin, asset["id"].as_str().unwrap()).await;
    let url = app.url(asset["url"].as_str().unwrap());
    let get = |headers: Vec<(&'static str, String)>| {
        let mut request = app.client.get(&url);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        request.send()
    };

    let first = get(vec![("range", "bytes=0-99".into())]).await.unwrap();
    assert_eq!(first.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(first.headers()["content-range"], "bytes 0-99/10000");
    assert_eq!(first.bytes().await.unwrap().as_ref(), &bytes[..100]);
    let resumed = get(vec![("range", "bytes=9000-".into())]).await.unwrap();
    assert_eq!(resumed.headers()["content-range"], "bytes 9000-9999/10000");
    assert_eq!(resumed.bytes().await.unwrap().as_ref(), &bytes[9000..]);
    let tail = get(vec![("range", "bytes=-10".into())]).await.unwrap();
    assert_eq!(tail.bytes().await.unwrap().as_ref(), &bytes[9990..]);
    let outside = get(vec![("range", "bytes=20000-".into())]).await.unwrap();
    assert_eq!(outside.headers()["content-range"], "bytes */10000");
    assert_problem(outside, StatusCode::RANGE_NOT_SATISFIABLE).await;
    let etag = format!("\"{}\"", sha256(&bytes));
    let cached = get(vec![("if-none-match", etag.clone())]).await.unwrap();
    assert_eq!(cached.status(), StatusCode::NOT_MODIFIED);
    let stale = get(vec![
        ("range", "bytes=0-9".into()),
        ("if-range", "\"old\"".into()),
    ])
    .await
    .unwrap();
    assert_eq!(
        stale.status(),
        StatusCode::OK,
        "a stale If-Range gets the whole file"
    );
    let several = get(vec![("range", "bytes=0-1,5-6".into())]).await.unwrap();
    assert_eq!(several.status(), StatusCode::OK);
}

async fn the_size_limit_holds_while_streaming_and_leaves_nothing_behind(backend: Backend) {
    let app = TestApp::builder(backend)
        .with(|s| s.assets.max_file_bytes = 6 * 1024 * 1024)
        .spawn()
        .await;
    let admin = app.admin_token().await;

    // Past the first part, so a multipart upload is under way when the limit is hit.
    let over = upload_raw(&app, &admin, "huge.pdf", pdf(6 * 1024 * 1024 + 1)).await;
    assert_problem(over, StatusCode::PAYLOAD_TOO_LARGE).await;
    let declared = app
        .client
        .post(app.url("/api/v1/admin/assets?file_name=huge.pdf"))
        .bearer_auth(&admin)
        .header("content-type", "application/octet-stream")
        .body(pdf(7 * 1024 * 1024))
        .send()
        .await;
    if let Ok(response) = declared {
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }

    assert!(
        object_keys(&app).await.is_empty(),
        "{:?}",
        object_keys(&app).await
    );
    assert_eq!(
        entity::asset::Entity::find()
            .count(&app.state.db)
            .await
            .unwrap(),
        0
    );
    if let buysocial::settings::StorageUrl::File(root) = &app.state.settings.storage.url {
        let leftovers: Vec<_> = walk(root);
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return vec![];
    };
    entries
        .flatten()
        .flat_map(|e| {
            if e.path().is_dir() {
                walk(&e.path())
            } else {
                vec![e.path()]
            }
        })
        .filter(|p| !p.to_string_lossy().contains(".health"))
        .collect()
}

async fn types_come_from_the_content_not_the_name(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;

    for (name, bytes) in [
        (
            "slides.pdf",
            b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0".repeat(8),
        ),
        ("report.pdf", png()),
        ("notes.pdf", b"just some text, not a PDF".to_vec()),
        // A real PDF under a name a browser or a desktop would run or render as
        // something else.
        ("slides.html", pdf(2000)),
        ("slides.htm", pdf(2000)),
        ("slides.js", pdf(2000)),
        ("slides.exe", pdf(2000)),
        ("slides.svg", pdf(2000)),
        ("slides.pdf.exe", pdf(2000)),
    ] {
        let response = upload_raw(&app, &admin, name, bytes).await;
        let problem = assert_problem(response, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
        assert!(!problem["detail"].as_str().unwrap().is_empty(), "{name}");
    }
    let named = created(upload_raw(&app, &admin, "photo", png()).await).await;
    assert_eq!(named["content_type"], "image/png");
    assert_eq!(
        named["file_name"], "photo.png",
        "a missing extension is added"
    );
    let kept = created(upload_raw(&app, &admin, "Slides.PDF", pdf(2000)).await).await;
    assert_eq!(kept["file_name"], "Slides.PDF");
    assert_eq!(object_keys(&app).await.len(), 2);
}

async fn hostile_file_names_are_cleaned(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let long = format!("{}.pdf", "a".repeat(1000));
    for (given, kept) in [
        ("../../etc/passwd.pdf", "passwd.pdf".to_owned()),
        ("evil\u{0}name.pdf", "evilname.pdf".to_owned()),
        ("invoice\u{202E}fdp.pdf", "invoicefdp.pdf".to_owned()),
        (long.as_str(), format!("{}.pdf", "a".repeat(251))),
    ] {
        let asset = created(upload_raw(&app, &admin, given, pdf(2000)).await).await;
        assert_eq!(asset["file_name"], kept.as_str());
        let download = app.get_authed(asset["url"].as_str().unwrap(), &admin).await;
        assert_eq!(download.status(), StatusCode::OK, "{kept}");
    }
}

async fn svg_is_served_as_a_sandboxed_attachment(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let svg = b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec();
    let asset = created(upload_raw(&app, &admin, "logo.svg", svg).await).await;
    assert_eq!(asset["content_type"], "image/svg+xml");

    let response = app.get_authed(asset["url"].as_str().unwrap(), &admin).await;

    let headers = response.headers();
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(headers["content-security-policy"], "sandbox");
    assert_eq!(headers["x-content-type-options"], "nosniff");
}

async fn an_asset_in_use_cannot_be_deleted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let asset = created(upload_raw(&app, &admin, "slides.pdf", pdf(5000)).await).await;
    let id = asset["id"].as_str().unwrap();
    let material = publish_material_with(&app, &admin, id).await;

    let refused = app
        .delete_authed(&format!("/api/v1/admin/assets/{id}"), &admin)
        .await;
    let body = assert_problem(refused, StatusCode::CONFLICT).await;
    assert!(
        body["detail"].as_str().unwrap().contains(&material),
        "{body}"
    );
    let detail: Value = app
        .get_authed(&format!("/api/v1/admin/assets/{id}"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        detail["used_by"],
        json!([{ "kind": "material", "id": material }])
    );
    let used: Value = app
        .get_authed("/api/v1/admin/assets?used=true", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(used["page"]["total"], 1);

    app.delete_authed(&format!("/api/v1/admin/materials/{material}"), &admin)
        .await;
    app.delete_authed(
        &format!("/api/v1/admin/materials/{material}?purge=true"),
        &admin,
    )
    .await;
    assert_eq!(
        app.delete_authed(&format!("/api/v1/admin/assets/{id}"), &admin)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert!(object_keys(&app).await.is_empty());
    let unused: Value = app
        .get_authed("/api/v1/admin/assets?used=false", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(unused["page"]["total"], 0);
}

async fn upload_and_library_permissions_both_ways(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let editor = app
        .scoped_user_token("editor@example.org", Role::Editor, &["BE"], &["fr"])
        .await;
    let author = app
        .scoped_user_token("author@example.org", Role::Author, &["BE"], &["fr"])
        .await;
    let viewer = app
        .scoped_user_token("viewer@example.org", Role::Viewer, &[], &[])
        .await;

    assert_problem(
        upload_raw(&app, &viewer, "a.pdf", pdf(1000)).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let anonymous = app
        .client
        .post(app.url("/api/v1/admin/assets?file_name=a.pdf"))
        .header("content-type", "application/octet-stream")
        .body(pdf(1000))
        .send()
        .await
        .unwrap();
    assert_problem(anonymous, StatusCode::UNAUTHORIZED).await;
    let by_author = created(upload_raw(&app, &author, "a.pdf", pdf(1000)).await).await;
    let path = format!("/api/v1/admin/assets/{}", by_author["id"].as_str().unwrap());
    assert_eq!(
        app.get_authed("/api/v1/admin/assets", &viewer)
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.get_authed(&path, &viewer).await.status(),
        StatusCode::OK
    );
    let rename = json!({ "title": "Slides (FR)" });
    assert_problem(
        app.patch_json_authed(&path, &author, &rename).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(
        app.patch_json_authed(&path, &editor, &rename)
            .await
            .status(),
        StatusCode::OK
    );
    assert_problem(
        app.delete_authed(&path, &author).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        app.delete_authed(&path, &viewer).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(
        app.delete_authed(&path, &editor).await.status(),
        StatusCode::NO_CONTENT
    );
    let _ = admin;
}

async fn an_unreachable_store_gives_503(backend: Backend) {
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = TestApp::builder(backend)
        .with(move |s| {
            s.storage.url = buysocial::settings::StorageUrl::S3 {
                bucket: "missing".into(),
                prefix: String::new(),
            };
            s.storage.endpoint = format!("http://127.0.0.1:{closed_port}");
            s.storage.allow_http = true;
            s.storage.region = "us-east-1".into();
            s.storage.max_retries = 0;
            s.storage.check_at_start = false;
        })
        .spawn()
        .await;
    let admin = app.admin_token().await;

    let started = std::time::Instant::now();
    let response = upload_raw(&app, &admin, "a.pdf", pdf(1000)).await;

    assert_problem(response, StatusCode::SERVICE_UNAVAILABLE).await;
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!(
        entity::asset::Entity::find()
            .count(&app.state.db)
            .await
            .unwrap(),
        0
    );
}

async fn the_sweep_removes_old_orphans_only(backend: Backend) {
    // The store keeps its own (real) times, so the grace period is short and real too:
    // long enough that a busy machine (and a slow S3 stand-in) sweeps the young orphan
    // well within it.
    let app = TestApp::builder(backend)
        .with(|s| s.assets.orphan_grace_seconds = 4)
        .spawn()
        .await;
    let admin = app.admin_token().await;
    let kept = created(upload_raw(&app, &admin, "kept.pdf", pdf(1000)).await).await;
    let old_orphan = object_store::path::Path::from(format!("assets/{}", uuid::Uuid::now_v7()));
    app.state
        .store
        .put(&old_orphan, PutPayload::from_static(b"left by a crash"))
        .await
        .unwrap();

    tokio::time::sleep(std::time::Duration::from_millis(5100)).await;
    let young_orphan = object_store::path::Path::from(format!("assets/{}", uuid::Uuid::now_v7()));
    app.state
        .store
        .put(
            &young_orphan,
            PutPayload::from_static(b"an upload in progress"),
        )
        .await
        .unwrap();
    let removed = buysocial::services::assets::sweep_orphans(&app.state)
        .await
        .unwrap();

    assert_eq!(removed, [old_orphan.to_string()]);
    let mut left = object_keys(&app).await;
    left.sort();
    let mut expected = vec![
        format!("assets/{}", kept["id"].as_str().unwrap()),
        young_orphan.to_string(),
    ];
    expected.sort();
    assert_eq!(left, expected);
}

async fn covers_must_be_images(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let image = created(upload_raw(&app, &admin, "cover.png", png()).await).await;
    let document = created(upload_raw(&app, &admin, "doc.pdf", pdf(1000)).await).await;
    let news = |cover: &Value| json!({ "fields": { "cover_asset_id": cover }, "translation": { "locale": "en", "title": "News" } });

    let refused = app
        .post_json_authed("/api/v1/admin/news", &admin, &news(&document["id"]))
        .await;
    let body = assert_problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["errors"][0]["field"], "fields.cover_asset_id");
    let accepted = created(
        app.post_json_authed("/api/v1/admin/news", &admin, &news(&image["id"]))
            .await,
    )
    .await;
    assert_eq!(accepted["fields"]["cover_asset_id"], image["id"]);
    let on_page = app
        .post_json_authed("/api/v1/admin/pages", &admin, &json!({ "translation": { "locale": "en", "title": "P", "file_asset_id": document["id"] } }))
        .await;
    assert_problem(on_page, StatusCode::UNPROCESSABLE_ENTITY).await;
}

async fn downloads_redirect_to_presigned_urls_only_on_s3_and_for_safe_types(backend: Backend) {
    let app = TestApp::builder(backend)
        .with(|s| s.assets.download_redirect = true)
        .spawn()
        .await;
    let admin = app.admin_token().await;
    let bytes = pdf(20_000);
    let asset = created(upload_raw(&app, &admin, "slides.pdf", bytes.clone()).await).await;
    let svg = created(
        upload_raw(
            &app,
            &admin,
            "logo.svg",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>".to_vec(),
        )
        .await,
    )
    .await;
    publish_material_with(&app, &admin, asset["id"].as_str().unwrap()).await;

    let response = app.get(asset["url"].as_str().unwrap()).await;
    let svg_response = app.get_authed(svg["url"].as_str().unwrap(), &admin).await;

    assert_eq!(
        svg_response.status(),
        StatusCode::OK,
        "SVG is always streamed with safe headers"
    );
    if app.state.presigner.is_none() {
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "a local store always streams"
        );
        return;
    }
    assert_eq!(response.status(), StatusCode::TEMPORARY_REDIRECT);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.contains("X-Amz-Signature"), "{location}");
    let fetched = reqwest::get(&location).await.unwrap();
    assert_eq!(fetched.status(), StatusCode::OK);
    assert_eq!(fetched.headers()["content-type"], "application/pdf");
    assert_eq!(sha256(&fetched.bytes().await.unwrap()), sha256(&bytes));
    // Unpublished files are still refused before any redirect.
    let unpublished = created(upload_raw(&app, &admin, "draft.pdf", pdf(1000)).await).await;
    assert_problem(
        app.get(unpublished["url"].as_str().unwrap()).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

async fn a_replaced_file_reaches_readers_only_when_published(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let author = app
        .scoped_user_token("author@example.org", Role::Author, &[], &[])
        .await;
    let (first, second) = (pdf(4000), pdf(5000));
    let old = created(upload_raw(&app, &admin, "slides.pdf", first.clone()).await).await;
    let old_id = old["id"].as_str().unwrap().to_owned();
    let material = publish_material_with(&app, &admin, &old_id).await;
    let replace_path = format!("/api/v1/admin/assets/{old_id}/file");
    let replace = |token: &str, bytes: Vec<u8>| {
        let url =
            url::Url::parse_with_params(&app.url(&replace_path), [("file_name", "slides-v2.pdf")])
                .unwrap();
        app.client
            .post(url)
            .bearer_auth(token.to_owned())
            .header("content-type", "application/octet-stream")
            .body(bytes)
            .send()
    };

    assert_problem(
        replace(&author, second.clone()).await.unwrap(),
        StatusCode::FORBIDDEN,
    )
    .await;
    let new = created(replace(&admin, second.clone()).await.unwrap()).await;
    let new_id = new["id"].as_str().unwrap().to_owned();

    let item: Value = app
        .get_authed(&format!("/api/v1/admin/materials/{material}"), &admin)
        .await
        .json()
        .await
        .unwrap();
    let en = &item["translations"][0];
    assert_eq!(en["draft"]["file_asset_id"], new_id.as_str());
    assert_eq!(en["live"]["file_asset_id"], old_id.as_str());
    assert_eq!(en["status"], "changed");
    let public_old = app.get(old["url"].as_str().unwrap()).await;
    assert_eq!(
        sha256(&public_old.bytes().await.unwrap()),
        sha256(&first),
        "readers keep the published file"
    );
    assert_problem(
        app.get(new["url"].as_str().unwrap()).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert!(
        buysocial::services::assets::sweep_orphans(&app.state)
            .await
            .unwrap()
            .is_empty(),
        "the old file is still live"
    );
    assert_problem(
        replace(&admin, pdf(6000)).await.unwrap(),
        StatusCode::CONFLICT,
    )
    .await;

    app.send(
        Method::POST,
        &format!("/api/v1/admin/materials/{material}/translations/en/publish"),
        Some(&admin),
        None,
    )
    .await;

    let public_new = app.get(new["url"].as_str().unwrap()).await;
    assert_eq!(sha256(&public_new.bytes().await.unwrap()), sha256(&second));
    let swept = buysocial::services::assets::sweep_orphans(&app.state)
        .await
        .unwrap();
    assert_eq!(swept, [format!("assets/{old_id}")]);
    assert_problem(
        app.get(old["url"].as_str().unwrap()).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(object_keys(&app).await, [format!("assets/{new_id}")]);
}

async fn files_linked_from_published_bodies_are_public(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let image = created(upload_raw(&app, &admin, "chart.png", png()).await).await;
    let url = image["url"].as_str().unwrap().to_owned();
    let page = created(
        app.post_json_authed(
            "/api/v1/admin/pages",
            &admin,
            &json!({ "translation": { "locale": "en", "title": "Figures", "body": format!("![chart]({url})") } }),
        )
        .await,
    )
    .await;
    assert_problem(app.get(&url).await, StatusCode::NOT_FOUND).await;

    let id = page["id"].as_str().unwrap();
    app.send(
        Method::POST,
        &format!("/api/v1/admin/pages/{id}/translations/en/publish"),
        Some(&admin),
        None,
    )
    .await;

    assert_eq!(app.get(&url).await.status(), StatusCode::OK);
}

async fn only_upload_routes_escape_the_json_body_limit(backend: Backend) {
    let app = TestApp::builder(backend)
        .with(|s| s.server.max_json_body_bytes = 1024)
        .spawn()
        .await;
    let admin = app.admin_token().await;
    let created_event = app
        .post_json_authed(
            "/api/v1/admin/pages",
            &admin,
            &json!({ "translation": { "locale": "en", "title": "T" } }),
        )
        .await;
    let id = created(created_event).await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let publish = app
        .client
        .post(app.url(&format!("/api/v1/admin/pages/{id}/translations/en/publish")))
        .bearer_auth(&admin)
        .header("content-type", "application/octet-stream")
        .body(vec![b'x'; 64 * 1024])
        .send()
        .await
        .unwrap();

    assert_problem(publish, StatusCode::PAYLOAD_TOO_LARGE).await;
    assert_eq!(
        upload_raw(&app, &admin, "a.pdf", pdf(64 * 1024))
            .await
            .status(),
        StatusCode::CREATED
    );
}

async fn replacing_needs_the_right_to_edit_every_user_and_the_same_kind_of_file(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let belgian = app
        .scoped_user_token("be@example.org", Role::Editor, &["BE"], &["fr"])
        .await;
    let cover = created(upload_raw(&app, &admin, "cover.png", png()).await).await;
    let cover_id = cover["id"].as_str().unwrap().to_owned();
    app.post_json_authed(
        "/api/v1/admin/news",
        &admin,
        &json!({ "countries": ["LT"], "fields": { "cover_asset_id": cover_id }, "translation": { "locale": "lt", "title": "Naujiena" } }),
    )
    .await;
    let replace = |token: &str, name: &'static str, bytes: Vec<u8>| {
        let url = url::Url::parse_with_params(
            &app.url(&format!("/api/v1/admin/assets/{cover_id}/file")),
            [("file_name", name)],
        )
        .unwrap();
        app.client
            .post(url)
            .bearer_auth(token.to_owned())
            .header("content-type", "application/octet-stream")
            .body(bytes)
            .send()
    };

    assert_problem(
        replace(&belgian, "new.png", png()).await.unwrap(),
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        replace(&admin, "new.pdf", pdf(1000)).await.unwrap(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
    )
    .await;
    assert_eq!(
        object_keys(&app).await.len(),
        1,
        "refused replacements leave no file behind"
    );
    assert_eq!(
        replace(&admin, "new.png", png()).await.unwrap().status(),
        StatusCode::CREATED
    );
}

async fn a_rename_cannot_make_a_file_claim_another_type(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let asset = created(upload_raw(&app, &admin, "slides.pdf", pdf(1000)).await).await;
    let path = format!("/api/v1/admin/assets/{}", asset["id"].as_str().unwrap());

    let refused = app
        .patch_json_authed(
            &path,
            &admin,
            &json!({ "file_name": "slides.png", "locale": "xx" }),
        )
        .await;

    let body = assert_problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["file_name", "locale"]);
    for hostile in ["x.html", "x.exe", "x.svg", "x.js"] {
        let refused = app
            .patch_json_authed(&path, &admin, &json!({ "file_name": hostile }))
            .await;
        assert_problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let renamed = app
        .patch_json_authed(
            &path,
            &admin,
            &json!({ "file_name": "../Slides 2024.pdf", "locale": "lt" }),
        )
        .await;
    let renamed: Value = renamed.json().await.unwrap();
    assert_eq!(renamed["file_name"], "Slides 2024.pdf");
    assert_eq!(
        renamed["url"],
        format!(
            "/api/v1/files/{}/Slides%202024.pdf",
            asset["id"].as_str().unwrap()
        )
    );
}
