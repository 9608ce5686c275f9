//! What editors meet on their first day (issue 23), through the admin API: who saved a
//! draft and who made each revision are named, so that a conflict says who saved the
//! other version.

use buysocial::domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, backend_tests};

backend_tests!(
    drafts_live_versions_and_revisions_name_who_made_them,
    the_countries_give_forms_their_time_zones_and_languages,
);

async fn the_countries_give_forms_their_time_zones_and_languages(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let viewer = app
        .scoped_user_token("viewer@example.org", Role::Viewer, &["PT"], &[])
        .await;
    let countries: Value = app
        .get_authed("/api/v1/admin/countries", &viewer)
        .await
        .json()
        .await
        .unwrap();
    let portugal = countries
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "PT")
        .unwrap();
    assert_eq!(
        portugal["time_zones"],
        json!(["Europe/Lisbon", "Atlantic/Madeira", "Atlantic/Azores"])
    );
    assert_eq!(portugal["languages"], json!(["pt"]));
    assert_eq!(countries.as_array().unwrap().len(), 27);
    let anonymous = app.get("/api/v1/admin/countries").await;
    crate::helpers::assert_problem(anonymous, StatusCode::UNAUTHORIZED).await;
}

async fn drafts_live_versions_and_revisions_name_who_made_them(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let els = app
        .scoped_user_token("els@webuysocial.be", Role::Editor, &["BE"], &["fr"])
        .await;
    let id = crate::delivery::create(
        &app,
        &els,
        "news",
        json!({ "countries": ["BE"], "translation": { "locale": "fr", "title": "Appel" } }),
    )
    .await;
    let (_, bot) = app
        .api_token(
            &admin,
            json!({ "name": "Importer", "kind": "admin", "role": "editor" }),
        )
        .await;
    let saved = app
        .send_if_match(
            Method::PUT,
            &format!("/api/v1/admin/news/{id}/translations/fr"),
            &bot,
            Some("\"t1\""),
            &json!({ "title": "Appel à projets" }),
        )
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    crate::delivery::publish(&app, &els, "news", &id, "fr").await;

    let item: Value = app
        .get_authed(&format!("/api/v1/admin/news/{id}"), &admin)
        .await
        .json()
        .await
        .unwrap();
    let french = &item["translations"][0];
    assert_eq!(french["draft"]["updated_by_name"], "Importer");
    assert_eq!(french["live"]["published_by_name"], "els");
    let history: Value = app
        .get_authed(&format!("/api/v1/admin/news/{id}/revisions"), &admin)
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["created_by_name"].as_str().unwrap_or("-"))
        .collect();
    assert_eq!(
        names,
        ["els", "Importer", "els", "els"],
        "publish, draft, and the creation's translation and details"
    );
    let first = history["items"][3]["id"].as_str().unwrap();
    let one: Value = app
        .get_authed(
            &format!("/api/v1/admin/news/{id}/revisions/{first}"),
            &admin,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one["revision"]["created_by_name"], "els");
}
