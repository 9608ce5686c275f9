//! One meaning of "in use" for files, and downloads of draft files that follow the
//! rules of draft reads.

use buysocial::domain::Role;
use buysocial::services::users::{self, NewUser};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::assets::{created, pdf, upload_raw};
use crate::helpers::{Backend, TestApp, assert_problem, backend_tests};

backend_tests!(
    a_file_linked_only_from_a_body_is_in_use,
    a_replaced_file_that_a_live_body_links_is_kept,
    draft_files_follow_the_rules_of_draft_reads,
    downloads_have_their_own_limit_per_address,
    file_urls_start_with_the_public_url,
);

async fn page_linking(app: &TestApp, token: &str, url: &str) -> String {
    let page = created(
        app.post_json_authed(
            "/api/v1/admin/pages",
            token,
            &json!({ "translation": { "locale": "en", "title": "Training",
                     "body": format!("Download [the slides]({url}).") } }),
        )
        .await,
    )
    .await;
    page["id"].as_str().unwrap().to_owned()
}

async fn publish(app: &TestApp, token: &str, path: &str) {
    let response = app
        .send(Method::POST, &format!("{path}/publish"), Some(token), None)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
}

async fn json_of(app: &TestApp, path: &str, token: &str) -> Value {
    let response = app.get_authed(path, token).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn a_file_linked_only_from_a_body_is_in_use(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let asset = created(upload_raw(&app, &admin, "slides.pdf", pdf(3000)).await).await;
    let (id, url) = (
        asset["id"].as_str().unwrap(),
        asset["url"].as_str().unwrap(),
    );
    let page = page_linking(&app, &admin, url).await;

    // A draft's link already counts: publishing it must not reach a deleted file.
    let refused = app
        .delete_authed(&format!("/api/v1/admin/assets/{id}"), &admin)
        .await;
    let body = assert_problem(refused, StatusCode::CONFLICT).await;
    assert!(body["detail"].as_str().unwrap().contains(&page), "{body}");

    publish(
        &app,
        &admin,
        &format!("/api/v1/admin/pages/{page}/translations/en"),
    )
    .await;
    assert_problem(
        app.delete_authed(&format!("/api/v1/admin/assets/{id}"), &admin)
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    let detail = json_of(&app, &format!("/api/v1/admin/assets/{id}"), &admin).await;
    assert_eq!(detail["used_by"], json!([{ "kind": "page", "id": page }]));
    let used = json_of(&app, "/api/v1/admin/assets?used=true", &admin).await;
    assert_eq!(used["items"][0]["id"], id);
    let unused = json_of(&app, "/api/v1/admin/assets?used=false", &admin).await;
    assert_eq!(unused["page"]["total"], 0);
    assert_eq!(app.get(url).await.status(), StatusCode::OK);
}

async fn a_replaced_file_that_a_live_body_links_is_kept(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let old = created(upload_raw(&app, &admin, "slides.pdf", pdf(3000)).await).await;
    let (old_id, old_url) = (old["id"].as_str().unwrap(), old["url"].as_str().unwrap());
    let page = page_linking(&app, &admin, old_url).await;
    publish(
        &app,
        &admin,
        &format!("/api/v1/admin/pages/{page}/translations/en"),
    )
    .await;

    let replaced = app
        .client
        .post(app.url(&format!(
            "/api/v1/admin/assets/{old_id}/file?file_name=slides-v2.pdf"
        )))
        .bearer_auth(&admin)
        .header("content-type", "application/octet-stream")
        .body(pdf(4000))
        .send()
        .await
        .unwrap();
    created(replaced).await;
    let swept = buysocial::services::assets::sweep_orphans(&app.state)
        .await
        .unwrap();

    assert!(swept.is_empty(), "the live page still links it: {swept:?}");
    assert_eq!(app.get(old_url).await.status(), StatusCode::OK);
}

async fn draft_files_follow_the_rules_of_draft_reads(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let site = json!({ "code": "be", "name": "Belgium", "countries": ["BE"], "locales": ["fr", "en"], "default_locale": "fr" });
    app.post_json_authed("/api/v1/admin/sites", &admin, &site)
        .await;
    let (_, be_preview) = app
        .api_token(
            &admin,
            json!({ "name": "be preview", "kind": "preview", "site": "be" }),
        )
        .await;
    let (_, preview) = app
        .api_token(&admin, json!({ "name": "preview", "kind": "preview" }))
        .await;
    let (_, delivery) = app
        .api_token(&admin, json!({ "name": "delivery", "kind": "delivery" }))
        .await;
    let mut pending =
        NewUser::unscoped("pending@example.org", Role::Editor, "a password for tests");
    pending.must_change_password = true;
    users::create(&app.state, pending).await.unwrap();
    let pending = app
        .login_token("pending@example.org", "a password for tests")
        .await;
    let upload = |name: &'static str| {
        let app = &app;
        let admin = admin.clone();
        async move { created(upload_raw(app, &admin, name, pdf(2000)).await).await }
    };
    let portuguese = upload("lisboa.pdf").await;
    let belgian = upload("bruxelles.pdf").await;
    for (country, asset) in [("PT", &portuguese), ("BE", &belgian)] {
        created(
            app.post_json_authed(
                "/api/v1/admin/materials",
                &admin,
                &json!({ "countries": [country], "fields": { "material_kind": "presentation" },
                         "translation": { "locale": "en", "title": format!("Slides {country}"),
                                          "file_asset_id": asset["id"] } }),
            )
            .await,
        )
        .await;
    }
    let (pt_url, be_url) = (
        portuguese["url"].as_str().unwrap(),
        belgian["url"].as_str().unwrap(),
    );

    // Allowed: drafts' files for those who may read the drafts.
    for token in [&admin, &preview] {
        let response = app.get_authed(pt_url, token).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["cache-control"], "private, no-store");
    }
    assert_eq!(
        app.get_authed(be_url, &be_preview).await.status(),
        StatusCode::OK,
        "a Belgian preview token sees Belgian drafts' files"
    );
    // Refused: another country's draft for a site-bound preview token, a session that
    // must change its password first, a delivery token, nobody.
    assert_problem(
        app.get_authed(pt_url, &be_preview).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        app.get_authed(pt_url, &pending).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        app.get_authed(pt_url, &delivery).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(app.get(pt_url).await, StatusCode::NOT_FOUND).await;

    // A trashed item's draft is no preview's to show; editors keep their library.
    let materials: serde_json::Value = app
        .get_authed("/api/v1/admin/materials?country=BE", &admin)
        .await
        .json()
        .await
        .unwrap();
    let belgian_material = materials["items"][0]["id"].as_str().unwrap();
    let trashed = app
        .delete_authed(
            &format!("/api/v1/admin/materials/{belgian_material}"),
            &admin,
        )
        .await;
    assert_eq!(trashed.status(), StatusCode::NO_CONTENT);
    assert_problem(
        app.get_authed(be_url, &be_preview).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(
        app.get_authed(be_url, &admin).await.status(),
        StatusCode::OK
    );
}

async fn downloads_have_their_own_limit_per_address(backend: Backend) {
    let app = TestApp::builder(backend)
        .with(|s| s.assets.downloads_per_address_per_minute = 3)
        .spawn()
        .await;
    let admin = app.admin_token().await;
    let asset = created(upload_raw(&app, &admin, "slides.pdf", pdf(3000)).await).await;
    let url = asset["url"].as_str().unwrap();
    let page = page_linking(&app, &admin, url).await;
    publish(
        &app,
        &admin,
        &format!("/api/v1/admin/pages/{page}/translations/en"),
    )
    .await;

    for _ in 0..3 {
        assert_eq!(app.get(url).await.status(), StatusCode::OK);
    }
    let refused = app.get(url).await;
    assert!(refused.headers().contains_key("retry-after"));
    assert_problem(refused, StatusCode::TOO_MANY_REQUESTS).await;
}

async fn file_urls_start_with_the_public_url(backend: Backend) {
    let app = TestApp::builder(backend)
        .with(|s| s.server.public_url = "https://cms.webuysocial.eu/".into())
        .spawn()
        .await;
    let admin = app.admin_token().await;
    let asset = created(upload_raw(&app, &admin, "slides.pdf", pdf(2000)).await).await;
    let url = asset["url"].as_str().unwrap();
    let path = format!("/api/v1/files/{}/slides.pdf", asset["id"].as_str().unwrap());
    assert_eq!(url, format!("https://cms.webuysocial.eu{path}"));
    let material = created(
        app.post_json_authed(
            "/api/v1/admin/materials",
            &admin,
            &json!({ "fields": { "material_kind": "guide" },
                     "translation": { "locale": "en", "title": "Guide", "file_asset_id": asset["id"] } }),
        )
        .await,
    )
    .await;
    let id = material["id"].as_str().unwrap();
    publish(
        &app,
        &admin,
        &format!("/api/v1/admin/materials/{id}/translations/en"),
    )
    .await;

    let delivered: Value = app
        .get("/api/v1/materials?locale=en")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(delivered["items"][0]["file"]["url"], url);
    assert_eq!(
        app.get(&path).await.status(),
        StatusCode::OK,
        "the path behind it answers"
    );
}
