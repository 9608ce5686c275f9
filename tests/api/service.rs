//! Health, readiness, metrics and the OpenAPI document.

use buysocial::settings::StorageUrl;
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{Backend, TestApp, assert_problem, backend_tests};

backend_tests!(
    liveness_answers_ok,
    readiness_checks_database_and_storage,
    readiness_fails_when_the_storage_is_unusable,
    readiness_fails_when_the_object_store_is_unreachable,
    readiness_fails_when_the_database_goes_away,
    metrics_count_requests_by_route_and_status,
    the_openapi_document_describes_every_route,
    the_api_docs_are_browsable,
);

async fn liveness_answers_ok(backend: Backend) {
    let app = TestApp::spawn(backend).await;

    let response = app.get("/health/live").await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.json::<Value>().await.unwrap()["status"], "ok");
}

async fn readiness_checks_database_and_storage(backend: Backend) {
    let app = TestApp::spawn(backend).await;

    let response = app.get("/health/ready").await;

    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["database"], "ok");
    assert_eq!(body["storage"], "ok");
}

async fn readiness_fails_when_the_storage_is_unusable(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("store");
    let app = TestApp::builder(backend)
        .with({
            let root = root.clone();
            move |s| s.storage.url = StorageUrl::File(root)
        })
        .spawn()
        .await;
    assert_eq!(app.get("/health/ready").await.status(), StatusCode::OK);

    // The store's directory becomes a plain file: nothing can be written there.
    std::fs::remove_dir_all(&root).unwrap();
    std::fs::write(&root, b"not a directory").unwrap();

    let body = assert_problem(
        app.get("/health/ready").await,
        StatusCode::SERVICE_UNAVAILABLE,
    )
    .await;
    assert_eq!(body["detail"], "database: ok; storage: unreachable");
}

async fn readiness_fails_when_the_object_store_is_unreachable(backend: Backend) {
    // A port on which nothing listens: connections are refused at once.
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = TestApp::builder(backend)
        .with(move |s| {
            s.storage.url = StorageUrl::S3 {
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

    let body = assert_problem(
        app.get("/health/ready").await,
        StatusCode::SERVICE_UNAVAILABLE,
    )
    .await;

    assert_eq!(body["detail"], "database: ok; storage: unreachable");
}

async fn readiness_fails_when_the_database_goes_away(backend: Backend) {
    if backend != Backend::Postgres {
        // A SQLite file cannot go away under an open connection; PostgreSQL can.
        return;
    }
    let app = TestApp::spawn(backend).await;
    assert_eq!(app.get("/health/ready").await.status(), StatusCode::OK);

    app.database.drop_now().await;

    let body = assert_problem(
        app.get("/health/ready").await,
        StatusCode::SERVICE_UNAVAILABLE,
    )
    .await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .starts_with("database: unreachable"),
        "{body}"
    );
}

async fn metrics_count_requests_by_route_and_status(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.get("/health/live").await;
    app.get("/health/live").await;
    app.login("nobody@example.org", "wrong wrong wrong").await;
    app.get("/nothing/here/at/all").await;

    let response = app.get("/metrics").await;

    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = response.text().await.unwrap();
    let line = |needle: &str| {
        text.lines()
            .find(|l| l.starts_with(needle))
            .map(str::to_owned)
    };
    assert_eq!(
        line(r#"buysocial_http_requests_total{method="GET",route="health_live",status="200"}"#)
            .as_deref(),
        Some(r#"buysocial_http_requests_total{method="GET",route="health_live",status="200"} 2"#)
    );
    assert!(
        line(r#"buysocial_http_requests_total{method="POST",route="auth_login",status="401"}"#)
            .is_some()
    );
    // Unmatched paths share one series instead of one per path.
    assert!(
        line(r#"buysocial_http_requests_total{method="GET",route="unmatched",status="404"}"#)
            .is_some()
    );
    assert!(text.contains("buysocial_http_request_duration_seconds_bucket"));
}

async fn the_openapi_document_describes_every_route(backend: Backend) {
    let app = TestApp::spawn(backend).await;

    let spec: Value = app.get("/api/openapi.json").await.json().await.unwrap();

    assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
    let paths = spec["paths"].as_object().unwrap();
    for (path, method) in [
        ("/health/live", "get"),
        ("/health/ready", "get"),
        ("/metrics", "get"),
        ("/api/v1/auth/login", "post"),
        ("/api/v1/auth/logout", "post"),
        ("/api/v1/auth/me", "get"),
        ("/api/v1/auth/password", "post"),
    ] {
        let operation = &paths[path][method];
        assert!(operation.is_object(), "{method} {path} is missing");
        assert!(
            operation["summary"].is_string() || operation["description"].is_string(),
            "{method} {path} is not described"
        );
    }
    let login_errors = &paths["/api/v1/auth/login"]["post"]["responses"]["422"]["content"];
    assert!(
        login_errors["application/problem+json"].is_object(),
        "{login_errors}"
    );
    // What client generators need: headers under their HTTP names, conditional reads
    // declared, `errors` only where a problem has it.
    let list = &paths["/api/v1/news"]["get"];
    assert!(
        list["responses"]["200"]["headers"]["ETag"].is_object(),
        "{list}"
    );
    assert!(list["responses"]["429"]["headers"]["Retry-After"].is_object());
    assert!(
        list["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "If-None-Match" && p["in"] == "header")
    );
    // One schema per kind: an event has its status and dates, a news item none of them.
    let schemas = &spec["components"]["schemas"];
    for (kind, item, list) in [
        ("news", "NewsItem", "NewsList"),
        ("events", "EventItem", "EventList"),
        ("materials", "MaterialItem", "MaterialList"),
        ("pages", "PageItem", "PageList"),
    ] {
        let detail = &paths[format!("/api/v1/{kind}/{{slug}}").as_str()]["get"]["responses"]["200"];
        assert_eq!(
            detail["content"]["application/json; charset=utf-8"]["schema"]["$ref"],
            format!("#/components/schemas/{item}"),
            "{kind}"
        );
        let listed = &paths[format!("/api/v1/{kind}").as_str()]["get"]["responses"]["200"];
        assert_eq!(
            listed["content"]["application/json; charset=utf-8"]["schema"]["$ref"],
            format!("#/components/schemas/{list}"),
            "{kind}"
        );
    }
    let required = |schema: &str| -> Vec<String> {
        schemas[schema]["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    for field in [
        "status",
        "registration_open",
        "starts_at",
        "ends_at",
        "materials",
    ] {
        assert!(required("EventItem").contains(&field.to_owned()), "{field}");
    }
    assert!(schemas["NewsItem"]["properties"]["starts_at"].is_null());
    assert!(schemas["PageListItem"]["properties"]["parent_id"].is_object());
    let problem = &spec["components"]["schemas"]["Problem"];
    assert!(
        !problem["required"]
            .as_array()
            .unwrap()
            .contains(&Value::from("errors"))
    );
}

/// Swagger UI shows the document as served: header names as HTTP writes them
/// (`ETag`), which only the finished document has.
async fn the_api_docs_are_browsable(backend: Backend) {
    let app = TestApp::spawn(backend).await;

    let response = app.get("/api/docs").await;

    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    assert!(html.to_lowercase().contains("swagger"));
    assert!(html.contains("\"ETag\""), "the finished document");
    assert!(!html.contains("\"ETAG\""), "not poem-openapi's own");
}
