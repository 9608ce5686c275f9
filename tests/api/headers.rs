//! Response headers that keep private answers out of caches, and CORS that lets any
//! site read public content while the admin API stays behind its allow-list.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, Backend, TestApp, backend_tests};

backend_tests!(
    admin_and_auth_answers_are_never_stored_by_caches,
    public_delivery_reads_answer_any_origin_and_the_admin_api_only_listed_ones,
);

async fn admin_and_auth_answers_are_never_stored_by_caches(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let login = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(login.headers()["cache-control"], "no-store");
    let token = app.admin_token().await;
    let refused = app.login(ADMIN_EMAIL, "not the password").await;
    assert_eq!(refused.headers()["cache-control"], "no-store");

    for path in [
        "/api/v1/auth/me",
        "/api/v1/admin/users",
        "/api/v1/admin/news",
        "/api/v1/admin/tokens",
        "/api/v1/admin/nothing-here",
    ] {
        let response = app.get_authed(path, &token).await;
        assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
    }
    let public = app.get("/api/v1/news?locale=en").await;
    assert_eq!(public.status(), StatusCode::OK);
    assert_ne!(
        public.headers()["cache-control"],
        "no-store",
        "published content stays cacheable"
    );
}

async fn public_delivery_reads_answer_any_origin_and_the_admin_api_only_listed_ones(
    backend: Backend,
) {
    let app = TestApp::builder(backend)
        .with(|s| s.server.cors_allowed_origins = vec!["https://webuysocial.be".into()])
        .spawn()
        .await;
    let admin = app.admin_token().await;
    let (_, delivery) = app
        .api_token(&admin, json!({ "name": "frontend", "kind": "delivery" }))
        .await;
    let from =
        |origin: &'static str, path: &str| app.client.get(app.url(path)).header("origin", origin);

    // Allowed: public reads from anywhere, without credentials.
    let public = from("https://anyone.example", "/api/v1/news?locale=en")
        .send()
        .await
        .unwrap();
    assert_eq!(public.status(), StatusCode::OK);
    assert_eq!(public.headers()["access-control-allow-origin"], "*");
    assert!(
        public
            .headers()
            .get("access-control-allow-credentials")
            .is_none()
    );
    let preflight = app
        .client
        .request(Method::OPTIONS, app.url("/api/v1/news?locale=en"))
        .header("origin", "https://anyone.example")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "if-none-match")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success());
    assert_eq!(preflight.headers()["access-control-allow-origin"], "*");
    // Allowed: the admin API and token reads from a listed origin.
    let listed = from("https://webuysocial.be", "/api/v1/admin/news")
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), StatusCode::OK);
    assert_eq!(
        listed.headers()["access-control-allow-origin"],
        "https://webuysocial.be"
    );

    // Refused: the admin API, and reads with a token, from other origins.
    let admin_elsewhere = from("https://anyone.example", "/api/v1/admin/news")
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(admin_elsewhere.status(), StatusCode::FORBIDDEN);
    let token_elsewhere = from("https://anyone.example", "/api/v1/news?locale=en")
        .bearer_auth(&delivery)
        .send()
        .await
        .unwrap();
    assert_eq!(token_elsewhere.status(), StatusCode::FORBIDDEN);
    assert!(
        token_elsewhere
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}
