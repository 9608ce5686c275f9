//! A database that is locked, slow or gone: 503 problem+json with `Retry-After`,
//! quickly, never a 500 and never a hang.

use reqwest::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::helpers::{Backend, TestApp, assert_problem, backend_tests};

backend_tests!(
    a_write_that_cannot_get_the_lock_gets_503_with_retry_after,
    a_database_that_is_gone_gets_503_with_retry_after,
    a_request_that_waits_past_its_time_limit_gets_503,
);

async fn assert_unavailable(response: reqwest::Response) {
    assert_eq!(
        response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap()),
        Some("5")
    );
    let problem = assert_problem(response, StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(problem["type"], "urn:buysocial:problem:unavailable");
}

/// A connection of its own that holds the write lock (SQLite) or a lock on the items
/// table (PostgreSQL) until it rolls back.
async fn hold_write_lock(app: &TestApp, backend: Backend) -> sea_orm::DatabaseConnection {
    let blocker = crate::helpers::connect_single(&app.database.url).await;
    let lock = match backend {
        Backend::Sqlite => "BEGIN EXCLUSIVE",
        Backend::Postgres => "BEGIN; LOCK TABLE documents IN ACCESS EXCLUSIVE MODE",
    };
    blocker.execute_unprepared(lock).await.unwrap();
    blocker
}

/// Another connection holds the write lock (SQLite) or a table lock (PostgreSQL)
/// longer than the server waits for it.
async fn a_write_that_cannot_get_the_lock_gets_503_with_retry_after(backend: Backend) {
    let app = TestApp::builder(backend)
        .with(|s| {
            s.database.busy_timeout_ms = 200;
            s.database.statement_timeout_seconds = 1;
        })
        .spawn()
        .await;
    let admin = app.admin_token().await;
    let blocker = hold_write_lock(&app, backend).await;

    let refused = app
        .post_json_authed(
            "/api/v1/admin/news",
            &admin,
            &json!({ "translation": { "locale": "en", "title": "Blocked" } }),
        )
        .await;

    assert_unavailable(refused).await;
    blocker.execute_unprepared("ROLLBACK").await.unwrap();
    let accepted = app
        .post_json_authed(
            "/api/v1/admin/news",
            &admin,
            &json!({ "translation": { "locale": "en", "title": "Blocked" } }),
        )
        .await;
    assert_eq!(
        accepted.status(),
        StatusCode::CREATED,
        "nothing was half-written"
    );
}

async fn a_database_that_is_gone_gets_503_with_retry_after(backend: Backend) {
    let app = TestApp::builder(backend)
        .with(|s| s.delivery.response_cache_bytes = 0)
        .spawn()
        .await;
    let admin = app.admin_token().await;

    match backend {
        Backend::Postgres => app.database.drop_now().await,
        // A SQLite file cannot be taken away from an open connection; closing the
        // server's pool cuts it off as surely.
        Backend::Sqlite => app.state.db.clone().close().await.unwrap(),
    }

    assert_unavailable(app.login("admin@example.org", "whatever it is").await).await;
    assert_unavailable(app.get("/api/v1/news?locale=en").await).await;
    assert_unavailable(
        app.post_json_authed(
            "/api/v1/admin/news",
            &admin,
            &json!({ "translation": { "locale": "en", "title": "Lost" } }),
        )
        .await,
    )
    .await;
}

/// Nothing hangs: a request still waiting (here for a lock the database would wait
/// much longer for) is answered 503 at the request time limit.
async fn a_request_that_waits_past_its_time_limit_gets_503(backend: Backend) {
    let app = TestApp::builder(backend)
        .with(|s| {
            s.database.busy_timeout_ms = 60_000;
            s.database.statement_timeout_seconds = 60;
            s.server.request_timeout_seconds = 1;
            s.server.idle_timeout_seconds = 5;
        })
        .spawn()
        .await;
    let admin = app.admin_token().await;
    let blocker = hold_write_lock(&app, backend).await;

    let waited = app
        .post_json_authed(
            "/api/v1/admin/news",
            &admin,
            &json!({ "translation": { "locale": "en", "title": "Waiting" } }),
        )
        .await;

    let retry_after = waited.headers().get("retry-after").cloned();
    let problem = assert_problem(waited, StatusCode::SERVICE_UNAVAILABLE).await;
    assert!(retry_after.is_some());
    assert!(
        problem["detail"].as_str().unwrap().contains("too long"),
        "{problem}"
    );
    blocker.execute_unprepared("ROLLBACK").await.unwrap();
    let news: serde_json::Value = app
        .get_authed("/api/v1/admin/news", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(news["page"]["total"], 0, "the abandoned write left nothing");
}
