//! What happened while you were away: per user, since their last visit.

use buysocial::domain::Role;
use buysocial::services::content;
use chrono::TimeDelta;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::delivery::create;
use crate::helpers::{Backend, TestApp, assert_problem, backend_tests};

backend_tests!(
    each_user_sees_what_concerns_them_since_their_last_visit,
    activity_is_for_readers_of_the_admin_api,
);

async fn activity(app: &TestApp, token: &str, query: &str) -> Value {
    let response = app
        .get_authed(&format!("/api/v1/admin/activity{query}"), token)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

fn whats(feed: &Value) -> Vec<String> {
    let mut found: Vec<String> = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            format!(
                "{} {}",
                i["what"].as_str().unwrap(),
                i["title"].as_str().unwrap()
            )
        })
        .collect();
    found.sort();
    found
}

async fn seen(app: &TestApp, token: &str) {
    let response = app
        .send(
            Method::POST,
            "/api/v1/admin/activity/seen",
            Some(token),
            None,
        )
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    app.clock.advance(TimeDelta::seconds(1));
}

async fn each_user_sees_what_concerns_them_since_their_last_visit(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let editor = app
        .scoped_user_token("editor@example.be", Role::Editor, &["BE"], &["fr"])
        .await;
    let author = app
        .scoped_user_token("author@example.be", Role::Author, &["BE"], &["fr"])
        .await;

    let source = create(
        &app,
        &admin,
        "news",
        json!({ "countries": ["BE"], "translation": { "locale": "en", "title": "Call" } }),
    )
    .await;
    let french = app
        .send(
            Method::PUT,
            &format!("/api/v1/admin/news/{source}/translations/fr"),
            Some(&editor),
            Some(&json!({ "title": "Appel" })),
        )
        .await;
    assert_eq!(french.status(), StatusCode::OK);
    let scheduled = create(
        &app,
        &editor,
        "news",
        json!({ "countries": ["BE"], "translation": { "locale": "fr", "title": "Programmé" } }),
    )
    .await;
    seen(&app, &editor).await;
    seen(&app, &author).await;
    assert!(
        activity(&app, &editor, "").await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // The English source changes: the editor's French translation is outdated.
    let edited = app
        .send_if_match(
            Method::PUT,
            &format!("/api/v1/admin/news/{source}/translations/en"),
            &admin,
            Some("\"t1\""),
            &json!({ "title": "Call to buyers" }),
        )
        .await;
    assert_eq!(edited.status(), StatusCode::OK);
    // The author asks for a review, which the editor may publish.
    let draft = create(
        &app,
        &author,
        "news",
        json!({ "countries": ["BE"], "translation": { "locale": "fr", "title": "À relire" } }),
    )
    .await;
    let asked: Value = app
        .send(
            Method::POST,
            &format!("/api/v1/admin/news/{draft}/translations/fr/review-request"),
            Some(&author),
            Some(&json!({ "comment": "Merci" })),
        )
        .await
        .json()
        .await
        .unwrap();
    // The editor's scheduled publication runs.
    let at = (app.clock.now() + TimeDelta::minutes(1)).to_rfc3339();
    let planned = app
        .send(
            Method::POST,
            &format!("/api/v1/admin/news/{scheduled}/translations/fr/publish"),
            Some(&editor),
            Some(&json!({ "at": at })),
        )
        .await;
    assert!(planned.status().is_success());
    app.clock.advance(TimeDelta::minutes(2));
    assert_eq!(content::run_due_schedules(&app.state).await.unwrap(), 1);

    let feed = activity(&app, &editor, "").await;
    assert_eq!(
        whats(&feed),
        [
            "outdated Appel",
            "review_requested À relire",
            "schedule_ran Programmé"
        ]
    );
    let request = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["what"] == "review_requested")
        .unwrap();
    assert_eq!(request["detail"], "Merci");

    // The editor sends it back: the author hears of it.
    let path = format!(
        "/api/v1/admin/review-requests/{}/send-back",
        asked["id"].as_str().unwrap()
    );
    let returned = app
        .send(
            Method::POST,
            &path,
            Some(&editor),
            Some(&json!({ "answer": "Le titre" })),
        )
        .await;
    assert_eq!(returned.status(), StatusCode::OK);
    let heard = activity(&app, &author, "").await;
    // The author writes French for Belgium too: the outdated translation concerns them.
    assert_eq!(
        whats(&heard),
        ["outdated Appel", "review_returned À relire"]
    );
    assert_eq!(heard["items"][0]["detail"], "Le titre");

    // Marked as seen, the list starts afresh; an explicit `since` looks back.
    seen(&app, &editor).await;
    assert!(
        activity(&app, &editor, "").await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let back = activity(
        &app,
        &editor,
        &format!(
            "?since={}",
            feed["since"].as_str().unwrap().replace('+', "%2B")
        ),
    )
    .await;
    assert_eq!(
        whats(&back),
        ["outdated Appel", "schedule_ran Programmé"],
        "the request is decided: nothing waits for the editor any more"
    );
}

async fn activity_is_for_readers_of_the_admin_api(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let viewer = app
        .scoped_user_token("viewer@example.eu", Role::Viewer, &[], &[])
        .await;
    assert!(activity(&app, &viewer, "").await["items"].is_array());
    let (_, delivery) = app
        .api_token(&admin, json!({ "name": "frontend", "kind": "delivery" }))
        .await;
    assert_problem(
        app.get_authed("/api/v1/admin/activity", &delivery).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        app.get("/api/v1/admin/activity").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let (_, automation) = app
        .api_token(
            &admin,
            json!({ "name": "robot", "kind": "admin", "role": "editor" }),
        )
        .await;
    assert_problem(
        app.send(
            Method::POST,
            "/api/v1/admin/activity/seen",
            Some(&automation),
            None,
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
}
