//! Length limits on what people type: the longest accepted value passes, one more
//! character is refused (422) naming the field.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::assets::{created, pdf, upload_raw};
use crate::helpers::{Backend, TestApp, assert_problem, backend_tests};
use crate::registrations::{event, person, register};

backend_tests!(
    user_names_are_at_most_200_characters,
    registration_names_and_organisations_are_bounded,
    asset_titles_and_alt_texts_are_bounded,
);

async fn refused_fields(response: reqwest::Response) -> Vec<String> {
    let body = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

async fn user_names_are_at_most_200_characters(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let user = |email: &str, name: String| json!({ "email": email, "display_name": name, "role": "viewer", "password": "a long enough password" });
    let longest = app
        .post_json_authed(
            "/api/v1/admin/users",
            &admin,
            &user("a@example.org", "é".repeat(200)),
        )
        .await;
    assert_eq!(longest.status(), StatusCode::CREATED);
    let longer = app
        .post_json_authed(
            "/api/v1/admin/users",
            &admin,
            &user("b@example.org", "é".repeat(201)),
        )
        .await;
    assert_eq!(refused_fields(longer).await, ["display_name"]);
}

async fn registration_names_and_organisations_are_bounded(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let (slug, _) = event(&app, &admin, "PT", 10, json!({})).await;
    let with = |email: &str, name: usize, organisation: usize| {
        let mut body: Value = person(email);
        body["name"] = json!("n".repeat(name));
        body["organisation"] = json!("o".repeat(organisation));
        body
    };
    assert_eq!(
        register(&app, &slug, &with("ana@example.pt", 200, 300))
            .await
            .status(),
        StatusCode::CREATED
    );
    let refused = register(&app, &slug, &with("rui@example.pt", 201, 301)).await;
    assert_eq!(refused_fields(refused).await, ["name", "organisation"]);
}

async fn asset_titles_and_alt_texts_are_bounded(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let asset = created(upload_raw(&app, &admin, "slides.pdf", pdf(2048)).await).await;
    let path = format!("/api/v1/admin/assets/{}", asset["id"].as_str().unwrap());
    let longest = json!({ "title": "t".repeat(300), "alt": "a".repeat(1000) });
    assert_eq!(
        app.patch_json_authed(&path, &admin, &longest)
            .await
            .status(),
        StatusCode::OK
    );
    let longer = json!({ "title": "t".repeat(301), "alt": "a".repeat(1001) });
    assert_eq!(
        refused_fields(app.patch_json_authed(&path, &admin, &longer).await).await,
        ["title", "alt"]
    );
}
