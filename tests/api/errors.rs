//! Every refusal is problem+json with a clear message; response headers every client relies on.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Backend, TestApp, assert_problem, backend_tests};

backend_tests!(
    an_unknown_path_is_a_404_problem,
    a_wrong_method_is_a_405_problem,
    malformed_json_is_a_400_problem,
    a_wrong_type_is_a_422_naming_the_field,
    unknown_fields_are_refused_by_name,
    a_missing_field_is_named,
    a_body_that_is_not_json_is_a_415_problem,
    an_oversized_body_is_a_413_problem,
    an_oversized_chunked_body_is_a_413_problem,
    every_response_carries_a_request_id_and_nosniff,
    cors_allows_only_configured_origins,
);

async fn an_unknown_path_is_a_404_problem(backend: Backend) {
    let app = TestApp::spawn(backend).await;

    let body = assert_problem(app.get("/api/v1/nothing-here").await, StatusCode::NOT_FOUND).await;

    assert_eq!(body["title"], "Not Found");
}

async fn a_wrong_method_is_a_405_problem(backend: Backend) {
    let app = TestApp::spawn(backend).await;

    let response = app
        .client
        .delete(app.url("/api/v1/auth/login"))
        .send()
        .await
        .unwrap();

    assert_problem(response, StatusCode::METHOD_NOT_ALLOWED).await;
}

async fn malformed_json_is_a_400_problem(backend: Backend) {
    let app = TestApp::spawn(backend).await;

    let response = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body("{\"email\": \"a@b.c\", ")
        .send()
        .await
        .unwrap();

    let body = assert_problem(response, StatusCode::BAD_REQUEST).await;
    assert!(
        body["detail"].as_str().unwrap().contains("not valid JSON"),
        "{body}"
    );
}

async fn a_wrong_type_is_a_422_naming_the_field(backend: Backend) {
    let app = TestApp::spawn(backend).await;

    let response = app
        .post_json(
            "/api/v1/auth/login",
            &json!({ "email": ["a@b.c"], "password": "x" }),
        )
        .await;

    let body = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["errors"][0]["field"], "email");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("invalid type")
    );
}

async fn unknown_fields_are_refused_by_name(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.admin_token().await;

    // Mass assignment: a password change that tries to slip in a role.
    let response = app
        .post_json_authed(
            "/api/v1/auth/password",
            &token,
            &json!({ "current_password": "x", "new_password": "long enough password", "role": "admin" }),
        )
        .await;

    let body = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("unknown field `role`"),
        "{body}"
    );
}

async fn a_missing_field_is_named(backend: Backend) {
    let app = TestApp::spawn(backend).await;

    let response = app
        .post_json("/api/v1/auth/login", &json!({ "email": "a@b.c" }))
        .await;

    let body = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("missing field `password`"),
        "{body}"
    );
}

async fn a_body_that_is_not_json_is_a_415_problem(backend: Backend) {
    let app = TestApp::spawn(backend).await;

    let response = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "text/plain")
        .body("email=a@b.c")
        .send()
        .await
        .unwrap();

    assert_problem(response, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
}

async fn an_oversized_body_is_a_413_problem(backend: Backend) {
    let app = TestApp::builder(backend)
        .with(|s| s.server.max_json_body_bytes = 1024)
        .spawn()
        .await;

    let response = app
        .post_json(
            "/api/v1/auth/login",
            &json!({ "email": "a@b.c", "password": "x".repeat(2000) }),
        )
        .await;

    assert_problem(response, StatusCode::PAYLOAD_TOO_LARGE).await;
}

async fn an_oversized_chunked_body_is_a_413_problem(backend: Backend) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::builder(backend)
        .with(|s| s.server.max_json_body_bytes = 1024)
        .spawn()
        .await;
    // A chunked body declares no length: the limit must hold while reading it. Raw
    // TCP, and no final chunk, so that the server has read everything that was sent
    // when it answers early, and its close cannot reset the connection under us.
    let mut stream = tokio::net::TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .unwrap();
    let chunk = "x".repeat(1500);
    let request = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\n\r\n{:x}\r\n{chunk}\r\n",
        chunk.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();

    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();

    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 413 "), "{response}");
    assert!(
        response
            .to_lowercase()
            .contains("content-type: application/problem+json"),
        "{response}"
    );
}

async fn every_response_carries_a_request_id_and_nosniff(backend: Backend) {
    let app = TestApp::spawn(backend).await;

    for response in [
        app.get("/health/live").await,
        app.get("/nowhere").await,
        app.login("a@b.c", "wrong wrong wrong").await,
    ] {
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
        let id = response.headers()["x-request-id"].to_str().unwrap();
        assert_eq!(id.len(), 36, "{id}");
    }
    let echoed = app
        .client
        .get(app.url("/health/live"))
        .header("x-request-id", "lb-trace-42")
        .send()
        .await
        .unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "lb-trace-42");
    let forged = app
        .client
        .get(app.url("/health/live"))
        .header("x-request-id", "x".repeat(500))
        .send()
        .await
        .unwrap();
    assert_ne!(forged.headers()["x-request-id"], "x".repeat(500).as_str());
}

async fn cors_allows_only_configured_origins(backend: Backend) {
    let app = TestApp::builder(backend)
        .with(|s| s.server.cors_allowed_origins = vec!["https://webuysocial.be".into()])
        .spawn()
        .await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/api/v1/auth/login"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };

    let allowed = preflight("https://webuysocial.be").await.unwrap();
    let refused = preflight("https://evil.example").await.unwrap();

    assert_eq!(allowed.status(), StatusCode::OK);
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://webuysocial.be"
    );
    assert!(
        refused
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    assert_problem(refused, StatusCode::FORBIDDEN).await;
}
