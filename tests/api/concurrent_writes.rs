//! Editors writing at once: every write succeeds, on SQLite too.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Backend, TestApp, backend_tests};

backend_tests!(parallel_editors_creating_and_publishing_all_succeed);

async fn parallel_editors_creating_and_publishing_all_succeed(backend: Backend) {
    const WRITERS: usize = 8;
    const ITEMS: usize = 10;
    let app = std::sync::Arc::new(TestApp::spawn(backend).await);
    let admin = app.admin_token().await;

    let writers: Vec<_> = (0..WRITERS)
        .map(|writer| {
            let (app, admin) = (app.clone(), admin.clone());
            tokio::spawn(async move {
                let mut failures = Vec::new();
                for item in 0..ITEMS {
                    let created = app
                        .post_json_authed(
                            "/api/v1/admin/news",
                            &admin,
                            &json!({ "translation": { "locale": "en",
                                     "title": format!("News {writer}-{item}") } }),
                        )
                        .await;
                    if created.status() != StatusCode::CREATED {
                        failures.push(format!("create: {}", created.status()));
                        continue;
                    }
                    let id = created.json::<serde_json::Value>().await.unwrap()["id"]
                        .as_str()
                        .unwrap()
                        .to_owned();
                    let published = app
                        .send(
                            Method::POST,
                            &format!("/api/v1/admin/news/{id}/translations/en/publish"),
                            Some(&admin),
                            None,
                        )
                        .await;
                    if published.status() != StatusCode::OK {
                        failures.push(format!("publish: {}", published.status()));
                    }
                }
                failures
            })
        })
        .collect();
    let mut failures = Vec::new();
    for writer in writers {
        failures.extend(writer.await.unwrap());
    }

    assert_eq!(failures, Vec::<String>::new());
    let news: serde_json::Value = app
        .get("/api/v1/news?locale=en&per_page=1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(news["page"]["total"], WRITERS * ITEMS);
}
