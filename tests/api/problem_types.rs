//! Every refusal a frontend or the web app must tell apart has its own problem `type`,
//! so that nobody parses English prose to know that an event is full.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::assets::{created, pdf, upload_raw};
use crate::delivery::create;
use crate::helpers::{Backend, TestApp, assert_problem, backend_tests};
use crate::registrations::{event, person, register};

backend_tests!(refusals_have_their_own_problem_types);

async fn type_of(response: reqwest::Response, status: StatusCode) -> String {
    let problem: Value = assert_problem(response, status).await;
    problem["type"]
        .as_str()
        .unwrap()
        .trim_start_matches("urn:buysocial:problem:")
        .to_owned()
}

async fn refusals_have_their_own_problem_types(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;

    let (full, _) = event(&app, &admin, "PT", 10, json!({ "capacity": 1 })).await;
    assert_eq!(
        register(&app, &full, &person("a@example.org"))
            .await
            .status(),
        StatusCode::CREATED
    );
    let (open, _) = event(&app, &admin, "PT", 10, json!({})).await;
    assert_eq!(
        register(&app, &open, &person("a@example.org"))
            .await
            .status(),
        StatusCode::CREATED
    );
    let (past, _) = event(&app, &admin, "PT", -10, json!({})).await;
    let (closed, _) = event(
        &app,
        &admin,
        "PT",
        10,
        json!({ "registration_mode": "closed" }),
    )
    .await;
    let (cancelled, _) = event(&app, &admin, "PT", 10, json!({ "cancelled": true })).await;
    let asset = created(upload_raw(&app, &admin, "slides.pdf", pdf(2000)).await).await;
    let asset_id = asset["id"].as_str().unwrap();
    create(
        &app,
        &admin,
        "materials",
        json!({ "fields": { "material_kind": "guide" },
        "translation": { "locale": "en", "title": "Guide", "file_asset_id": asset_id } }),
    )
    .await;

    let cases: Vec<(reqwest::Response, StatusCode, &str)> = vec![
        (
            register(&app, &full, &person("b@example.org")).await,
            StatusCode::CONFLICT,
            "event-full",
        ),
        (
            register(&app, &past, &person("b@example.org")).await,
            StatusCode::GONE,
            "event-past",
        ),
        (
            register(&app, &closed, &person("b@example.org")).await,
            StatusCode::CONFLICT,
            "registration-closed",
        ),
        (
            register(&app, &cancelled, &person("b@example.org")).await,
            StatusCode::CONFLICT,
            "event-cancelled",
        ),
        (
            app.delete_authed(&format!("/api/v1/admin/assets/{asset_id}"), &admin)
                .await,
            StatusCode::CONFLICT,
            "asset-in-use",
        ),
        (
            app.post_json_authed(
                "/api/v1/admin/users",
                &admin,
                &json!({ "email": crate::helpers::ADMIN_EMAIL,
                "display_name": "Again", "role": "viewer", "password": "a long enough password" }),
            )
            .await,
            StatusCode::CONFLICT,
            "already-exists",
        ),
        (
            app.get("/api/v1/admin/users").await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
        (
            app.get("/api/v1/nothing-here").await,
            StatusCode::NOT_FOUND,
            "not-found",
        ),
        (
            app.client
                .post(app.url("/api/v1/auth/login"))
                .header("content-type", "application/json")
                .body("{\"email\":")
                .send()
                .await
                .unwrap(),
            StatusCode::BAD_REQUEST,
            "invalid-request",
        ),
        (
            app.send(Method::DELETE, "/api/v1/news", None, None).await,
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
        ),
    ];
    for (response, status, expected) in cases {
        assert_eq!(type_of(response, status).await, expected);
    }
}
