//! The translation board: the caller's items against their locales, a state per cell.

use buysocial::domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::delivery::{create, publish};
use crate::helpers::{Backend, TestApp, assert_problem, backend_tests};

backend_tests!(
    each_cell_says_where_its_translation_stands,
    the_board_filters_and_counts_and_is_read_by_admin_api_readers_only,
);

async fn board(app: &TestApp, token: &str, query: &str) -> Value {
    let response = app
        .get_authed(&format!("/api/v1/admin/board{query}"), token)
        .await;
    assert_eq!(response.status(), StatusCode::OK, "{query}");
    response.json().await.unwrap()
}

/// Each row's title and its cells as `locale state` words.
fn cells(board: &Value) -> Vec<(String, Vec<String>)> {
    board["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["title"].as_str().unwrap().to_owned(),
                row["cells"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| {
                        format!(
                            "{} {}",
                            c["locale"].as_str().unwrap(),
                            c["state"].as_str().unwrap()
                        )
                    })
                    .collect(),
            )
        })
        .collect()
}

async fn write(
    app: &TestApp,
    token: &str,
    kind: &str,
    id: &str,
    locale: &str,
    etag: Option<&str>,
    title: &str,
) {
    let response = app
        .send_if_match(
            Method::PUT,
            &format!("/api/v1/admin/{kind}/{id}/translations/{locale}"),
            token,
            etag,
            &json!({ "title": title }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK, "{title}");
}

async fn news(app: &TestApp, admin: &str, countries: Value, title: &str) -> String {
    create(
        app,
        admin,
        "news",
        json!({ "countries": countries, "translation": { "locale": "en", "title": title } }),
    )
    .await
}

async fn each_cell_says_where_its_translation_stands(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let editor = app
        .scoped_user_token("editor@example.be", Role::Editor, &["BE"], &["fr", "nl"])
        .await;

    let published = news(&app, &admin, json!(["BE"]), "Published").await;
    write(&app, &admin, "news", &published, "fr", None, "Publié").await;
    publish(&app, &admin, "news", &published, "fr").await;

    let drafted = news(&app, &admin, json!([]), "Drafted").await;
    write(&app, &admin, "news", &drafted, "fr", None, "Brouillon").await;

    news(&app, &admin, json!(["LT"]), "Lithuanian").await;

    let outdated = news(&app, &admin, json!(["BE"]), "Outdated").await;
    write(&app, &admin, "news", &outdated, "fr", None, "Dépassé").await;
    write(
        &app,
        &admin,
        "news",
        &outdated,
        "en",
        Some("\"t1\""),
        "Outdated, rewritten",
    )
    .await;

    let changed = news(&app, &admin, json!(["BE"]), "Changed").await;
    write(&app, &admin, "news", &changed, "fr", None, "Changé").await;
    publish(&app, &admin, "news", &changed, "fr").await;
    write(
        &app,
        &admin,
        "news",
        &changed,
        "fr",
        Some("\"t1\""),
        "Changé encore",
    )
    .await;

    let scheduled = news(&app, &admin, json!(["BE"]), "Scheduled").await;
    write(&app, &admin, "news", &scheduled, "fr", None, "Programmé").await;
    let at = app
        .send(
            Method::POST,
            &format!("/api/v1/admin/news/{scheduled}/translations/fr/publish"),
            Some(&admin),
            Some(&json!({ "at": "2099-01-01T00:00:00Z" })),
        )
        .await;
    assert!(at.status().is_success());

    let reviewed = news(&app, &admin, json!(["BE"]), "Reviewed").await;
    write(&app, &admin, "news", &reviewed, "fr", None, "En relecture").await;
    let asked = app
        .send(
            Method::POST,
            &format!("/api/v1/admin/news/{reviewed}/translations/fr/review-request"),
            Some(&editor),
            None,
        )
        .await;
    assert_eq!(asked.status(), StatusCode::CREATED);

    let found = board(&app, &editor, "").await;
    assert_eq!(
        found["locales"],
        json!(["fr", "nl"]),
        "the editor's locales"
    );
    let mut rows = cells(&found);
    rows.sort();
    let row = |title: &str, fr: &str| {
        (
            title.to_owned(),
            vec![format!("fr {fr}"), "nl missing".to_owned()],
        )
    };
    assert_eq!(
        rows,
        [
            row("Changed", "changed"),
            row("Drafted", "draft"),
            row("Outdated, rewritten", "outdated"),
            row("Published", "published"),
            row("Reviewed", "in_review"),
            row("Scheduled", "scheduled"),
        ],
        "the Lithuanian item is not the Belgian editor's"
    );
    assert_eq!(
        found["counts"],
        json!({ "needs_work": 9, "missing": 6, "in_review": 1, "outdated": 1, "scheduled": 1,
                "changed": 1, "draft": 1, "published": 1 })
    );
}

async fn the_board_filters_and_counts_and_is_read_by_admin_api_readers_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let done = news(&app, &admin, json!([]), "Done").await;
    write(&app, &admin, "news", &done, "lt", None, "Atlikta").await;
    publish(&app, &admin, "news", &done, "en").await;
    publish(&app, &admin, "news", &done, "lt").await;
    news(&app, &admin, json!([]), "To do").await;
    create(
        &app,
        &admin,
        "pages",
        json!({ "translation": { "locale": "en", "title": "A page" } }),
    )
    .await;

    // All locales: the columns are those the items have, in the configured order.
    let all = board(&app, &admin, "?kind=news").await;
    assert_eq!(all["locales"], json!(["en", "lt"]));
    assert_eq!(all["page"]["total"], 2);
    let needs = board(&app, &admin, "?kind=news&needs_work=true").await;
    assert_eq!(
        cells(&needs),
        [(
            "To do".to_owned(),
            vec!["en draft".to_owned(), "lt missing".to_owned()]
        )]
    );
    assert_eq!(needs["counts"]["needs_work"], 2);
    let chosen = board(&app, &admin, "?kind=news&locales=lt").await;
    assert_eq!(chosen["locales"], json!(["lt"]));
    assert_eq!(
        board(&app, &admin, "").await["page"]["total"],
        3,
        "every kind"
    );
    assert_problem(
        app.get_authed("/api/v1/admin/board?locales=xx", &admin)
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;

    let viewer = app
        .scoped_user_token("viewer@example.eu", Role::Viewer, &[], &[])
        .await;
    assert_eq!(board(&app, &viewer, "?kind=news").await["page"]["total"], 2);
    let (_, delivery) = app
        .api_token(&admin, json!({ "name": "frontend", "kind": "delivery" }))
        .await;
    assert_problem(
        app.get_authed("/api/v1/admin/board", &delivery).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        app.get("/api/v1/admin/board").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}
