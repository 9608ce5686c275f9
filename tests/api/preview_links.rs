//! Preview links: a site's preview route filled in for one translation's draft, with a
//! short-lived preview token that shows that draft, and nothing else unpublished.

use chrono::{DateTime, TimeDelta, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::assets::{created, pdf, upload_raw};
use crate::delivery::{create, publish, titles};
use crate::helpers::{Backend, TestApp, assert_problem, backend_tests};

backend_tests!(
    a_preview_link_shows_its_one_draft_and_what_is_published,
    a_preview_link_reaches_only_its_own_draft_files,
    a_preview_link_expires,
    preview_links_are_refused_where_they_cannot_work,
    every_reader_of_the_admin_api_may_make_a_preview_link_and_others_may_not,
);

const PREVIEW_URL: &str =
    "https://webuysocial.be/api/preview?token={token}&kind={kind}&slug={slug}&locale={locale}";

async fn with_belgium(backend: Backend) -> (TestApp, String) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let site = json!({ "code": "be", "name": "WeBuySocial Belgium", "countries": ["BE"],
                       "locales": ["fr", "nl"], "default_locale": "fr", "preview_url": PREVIEW_URL });
    let response = app
        .post_json_authed("/api/v1/admin/sites", &admin, &site)
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    (app, admin)
}

async fn link(app: &TestApp, token: &str, kind: &str, id: &str, locale: &str) -> reqwest::Response {
    app.post_json_authed(
        &format!("/api/v1/admin/{kind}/{id}/translations/{locale}/preview-link"),
        token,
        &json!({ "site": "be" }),
    )
    .await
}

async fn link_token(app: &TestApp, token: &str, kind: &str, id: &str, locale: &str) -> String {
    let response = link(app, token, kind, id, locale).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    body["token"].as_str().unwrap().to_owned()
}

/// Writes a draft; `etag` is the translation's when it exists already.
async fn write_draft(app: &TestApp, token: &str, path: &str, etag: Option<&str>, body: Value) {
    let response = app
        .send_if_match(Method::PUT, path, token, etag, &body)
        .await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        response.text().await.unwrap()
    );
}

async fn a_preview_link_shows_its_one_draft_and_what_is_published(backend: Backend) {
    let (app, admin) = with_belgium(backend).await;
    let news = create(
        &app,
        &admin,
        "news",
        json!({ "translation": { "locale": "fr", "title": "Appel", "slug": "appel" } }),
    )
    .await;
    publish(&app, &admin, "news", &news, "fr").await;
    let translation = |locale: &str| format!("/api/v1/admin/news/{news}/translations/{locale}");
    let draft = json!({ "title": "Appel (nouvelle version)", "slug": "appel" });
    write_draft(&app, &admin, &translation("fr"), Some("\"t1\""), draft).await;
    let dutch = json!({ "title": "Oproep (ontwerp)", "slug": "oproep" });
    write_draft(&app, &admin, &translation("nl"), None, dutch).await;
    create(
        &app,
        &admin,
        "news",
        json!({ "translation": { "locale": "fr", "title": "Brouillon secret" } }),
    )
    .await;

    let before = Utc::now();
    let response = link(&app, &admin, "news", &news, "fr").await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    let token = body["token"].as_str().unwrap();
    assert!(token.starts_with("bsp_"));
    assert_eq!(
        body["url"],
        format!("https://webuysocial.be/api/preview?token={token}&kind=news&slug=appel&locale=fr")
    );
    assert_eq!(body["site"], "be");
    let expires: DateTime<Utc> = body["expires_at"].as_str().unwrap().parse().unwrap();
    let minutes = (expires - before).num_minutes();
    assert!((59..=60).contains(&minutes), "{minutes}");

    let draft = app
        .get_authed("/api/v1/news/appel?site=be&preview=true", token)
        .await;
    assert_eq!(draft.status(), StatusCode::OK);
    assert_eq!(draft.headers()["cache-control"], "no-store");
    let draft: Value = draft.json().await.unwrap();
    assert_eq!(draft["title"], "Appel (nouvelle version)");
    assert_eq!(
        draft["locales"],
        json!([{ "locale": "fr", "slug": "appel" }]),
        "the Dutch draft is not this link's: not even its slug shows"
    );

    let list: Value = app
        .get_authed("/api/v1/news?site=be&preview=true", token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        titles(&list),
        ["Appel (nouvelle version)"],
        "no other draft: the secret one stays hidden"
    );
    assert_problem(
        app.get_authed("/api/v1/news/oproep?site=be&locale=nl&preview=true", token)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let published: Value = app
        .get_authed("/api/v1/news/appel?site=be", token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        published["title"], "Appel",
        "without preview=true: what is live"
    );

    let tokens: Value = app
        .get_authed("/api/v1/admin/tokens", &admin)
        .await
        .json()
        .await
        .unwrap();
    let listed = tokens["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["preview_of"] != Value::Null)
        .unwrap();
    assert_eq!(
        listed["preview_of"],
        json!({ "document_id": news, "locale": "fr" })
    );
    assert_eq!(listed["site"], "be");
    let audit = app.audit(&admin, "action=preview_link.create").await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["details"]["locale"], "fr");
}

async fn a_preview_link_reaches_only_its_own_draft_files(backend: Backend) {
    let (app, admin) = with_belgium(backend).await;
    let mut materials = Vec::new();
    for name in ["ours", "theirs"] {
        let asset =
            created(upload_raw(&app, &admin, &format!("{name}.pdf"), pdf(2000)).await).await;
        let id = create(
            &app,
            &admin,
            "materials",
            json!({ "fields": { "material_kind": "presentation" },
                    "translation": { "locale": "fr", "title": name, "file_asset_id": asset["id"] } }),
        )
        .await;
        materials.push((id, asset["url"].as_str().unwrap().to_owned()));
    }
    // The same material's Dutch draft has a file of its own.
    let dutch = created(upload_raw(&app, &admin, "nl.pdf", pdf(2000)).await).await;
    write_draft(
        &app,
        &admin,
        &format!("/api/v1/admin/materials/{}/translations/nl", materials[0].0),
        None,
        json!({ "title": "onze", "file_asset_id": dutch["id"] }),
    )
    .await;
    let token = link_token(&app, &admin, "materials", &materials[0].0, "fr").await;
    assert_eq!(
        app.get_authed(&materials[0].1, &token).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.get_authed(&materials[1].1, &token).await.status(),
        StatusCode::NOT_FOUND,
        "another draft's file"
    );
    assert_eq!(
        app.get_authed(dutch["url"].as_str().unwrap(), &token)
            .await
            .status(),
        StatusCode::NOT_FOUND,
        "the file of another translation of the same item"
    );
}

async fn a_preview_link_expires(backend: Backend) {
    let (app, admin) = with_belgium(backend).await;
    let news = create(
        &app,
        &admin,
        "news",
        json!({ "translation": { "locale": "fr", "title": "Appel", "slug": "appel" } }),
    )
    .await;
    let token = link_token(&app, &admin, "news", &news, "fr").await;
    let path = "/api/v1/news/appel?site=be&preview=true";
    assert_eq!(app.get_authed(path, &token).await.status(), StatusCode::OK);
    app.clock.advance(TimeDelta::minutes(61));
    assert_problem(app.get_authed(path, &token).await, StatusCode::UNAUTHORIZED).await;
}

async fn preview_links_are_refused_where_they_cannot_work(backend: Backend) {
    let (app, admin) = with_belgium(backend).await;
    let event = create(
        &app,
        &admin,
        "events",
        json!({ "countries": ["LT"], "fields": { "starts_at": "2099-05-23T09:30:00+03:00",
                "ends_at": "2099-05-23T16:30:00+03:00", "time_zone": "Europe/Vilnius", "city": "Vilnius" },
                "translation": { "locale": "fr", "title": "Atelier Vilnius" } }),
    )
    .await;
    let problem = assert_problem(
        link(&app, &admin, "events", &event, "fr").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "site");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("does not show")
    );

    let news = create(
        &app,
        &admin,
        "news",
        json!({ "translation": { "locale": "fr", "title": "Appel" } }),
    )
    .await;
    assert_problem(
        link(&app, &admin, "news", &news, "nl").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let path = format!("/api/v1/admin/news/{news}/translations/fr/preview-link");
    for (body, status) in [
        (
            json!({ "site": "nowhere" }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({ "site": "be", "extra": 1 }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (json!({}), StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        assert_problem(app.post_json_authed(&path, &admin, &body).await, status).await;
    }
    app.patch_json_authed(
        "/api/v1/admin/sites/be",
        &admin,
        &json!({ "preview_url": null }),
    )
    .await;
    let problem = assert_problem(
        link(&app, &admin, "news", &news, "fr").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("no preview route")
    );
    let trashed = app
        .delete_authed(&format!("/api/v1/admin/news/{news}"), &admin)
        .await;
    assert!(trashed.status().is_success(), "{}", trashed.status());
    assert_problem(
        link(&app, &admin, "news", &news, "fr").await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

async fn every_reader_of_the_admin_api_may_make_a_preview_link_and_others_may_not(
    backend: Backend,
) {
    let (app, admin) = with_belgium(backend).await;
    let news = create(
        &app,
        &admin,
        "news",
        json!({ "translation": { "locale": "fr", "title": "Appel", "slug": "appel" } }),
    )
    .await;
    let viewer = app
        .scoped_user_token(
            "viewer@example.eu",
            buysocial::domain::Role::Viewer,
            &[],
            &[],
        )
        .await;
    let token = link_token(&app, &viewer, "news", &news, "fr").await;
    assert_eq!(
        app.get_authed("/api/v1/news/appel?site=be&preview=true", &token)
            .await
            .status(),
        StatusCode::OK
    );
    let (_, delivery) = app
        .api_token(
            &admin,
            json!({ "name": "be", "kind": "delivery", "site": "be" }),
        )
        .await;
    assert_problem(
        link(&app, &delivery, "news", &news, "fr").await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        app.post_json(
            &format!("/api/v1/admin/news/{news}/translations/fr/preview-link"),
            &json!({ "site": "be" }),
        )
        .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}
