//! Review requests: an author asks, an editor who may publish decides.

use buysocial::domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::delivery::{create, read, titles};
use crate::helpers::{Backend, TestApp, assert_problem, backend_tests};

backend_tests!(
    an_author_asks_for_review_and_an_editor_publishes_it,
    a_translation_sent_back_carries_the_answer,
    only_writers_ask_and_only_publishers_decide,
    what_is_published_is_what_was_asked_to_be_reviewed,
    a_dropped_or_trashed_translation_leaves_the_queue,
);

async fn what_is_published_is_what_was_asked_to_be_reviewed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let p = people(&app).await;
    let id = create(
        &app,
        &p.author,
        "news",
        json!({ "countries": ["BE"], "translation": { "locale": "fr", "title": "Relu" } }),
    )
    .await;
    let review: Value = ask(&app, &p.author, &id, None).await.json().await.unwrap();
    // The author changes the text after asking.
    let changed = app
        .send_if_match(
            Method::PUT,
            &format!("/api/v1/admin/news/{id}/translations/fr"),
            &p.author,
            Some("\"t1\""),
            &json!({ "title": "Pas relu" }),
        )
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let path = format!(
        "/api/v1/admin/review-requests/{}/publish",
        review["id"].as_str().unwrap()
    );
    assert_problem(
        app.send(Method::POST, &path, Some(&p.editor), None).await,
        StatusCode::PRECONDITION_FAILED,
    )
    .await;
    assert!(
        titles(&read(&app, "/api/v1/news?locale=fr").await).is_empty(),
        "nothing unreviewed went live"
    );
    assert_eq!(
        queue(&app, &p.editor).await.len(),
        1,
        "the request is open again"
    );
}

async fn a_dropped_or_trashed_translation_leaves_the_queue(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let p = people(&app).await;
    let id = create(
        &app,
        &p.admin,
        "news",
        json!({ "countries": ["BE"], "translation": { "locale": "en", "title": "Source" } }),
    )
    .await;
    let french = app
        .send(
            Method::PUT,
            &format!("/api/v1/admin/news/{id}/translations/fr"),
            Some(&p.author),
            Some(&json!({ "title": "Traduit" })),
        )
        .await;
    assert_eq!(french.status(), StatusCode::OK);
    ask(&app, &p.author, &id, None).await;
    let dropped = app
        .delete_authed(
            &format!("/api/v1/admin/news/{id}/translations/fr"),
            &p.admin,
        )
        .await;
    assert!(dropped.status().is_success(), "{}", dropped.status());
    assert!(queue(&app, &p.editor).await.is_empty());
    let history: Value = app
        .get_authed(
            &format!("/api/v1/admin/news/{id}/review-requests"),
            &p.admin,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(history["items"][0]["status"], "returned");

    let other = create(&app, &p.author, "news",
        json!({ "countries": ["BE"], "translation": { "locale": "fr", "title": "À la corbeille" } })).await;
    let review: Value = ask(&app, &p.author, &other, None)
        .await
        .json()
        .await
        .unwrap();
    let trashed = app
        .delete_authed(&format!("/api/v1/admin/news/{other}"), &p.admin)
        .await;
    assert!(trashed.status().is_success());
    assert!(queue(&app, &p.editor).await.is_empty());
    let path = format!(
        "/api/v1/admin/review-requests/{}/send-back",
        review["id"].as_str().unwrap()
    );
    assert_problem(
        app.send(
            Method::POST,
            &path,
            Some(&p.editor),
            Some(&json!({ "answer": "Non" })),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

struct People {
    admin: String,
    author: String,
    editor: String,
}

async fn people(app: &TestApp) -> People {
    People {
        admin: app.admin_token().await,
        author: app
            .scoped_user_token("author@example.be", Role::Author, &["BE"], &["fr"])
            .await,
        editor: app
            .scoped_user_token("editor@example.be", Role::Editor, &["BE"], &["fr", "nl"])
            .await,
    }
}

async fn ask(app: &TestApp, token: &str, id: &str, body: Option<Value>) -> reqwest::Response {
    app.send(
        Method::POST,
        &format!("/api/v1/admin/news/{id}/translations/fr/review-request"),
        Some(token),
        body.as_ref(),
    )
    .await
}

async fn queue(app: &TestApp, token: &str) -> Vec<Value> {
    let response = app.get_authed("/api/v1/admin/review-requests", token).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json::<Value>().await.unwrap()["items"]
        .as_array()
        .unwrap()
        .clone()
}

async fn in_review(app: &TestApp, token: &str, id: &str) -> Value {
    let item: Value = app
        .get_authed(&format!("/api/v1/admin/news/{id}"), token)
        .await
        .json()
        .await
        .unwrap();
    item["translations"][0]["in_review"].clone()
}

async fn an_author_asks_for_review_and_an_editor_publishes_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let p = people(&app).await;
    let id = create(&app, &p.author, "news",
        json!({ "countries": ["BE"], "translation": { "locale": "fr", "title": "Appel à relire" } })).await;

    let asked = ask(
        &app,
        &p.author,
        &id,
        Some(json!({ "comment": "Merci de relire." })),
    )
    .await;
    assert_eq!(asked.status(), StatusCode::CREATED);
    let review: Value = asked.json().await.unwrap();
    assert_eq!(review["status"], "open");
    assert_eq!(review["title"], "Appel à relire");
    assert_eq!(in_review(&app, &p.author, &id).await, true);
    let too_long = assert_problem(
        ask(
            &app,
            &p.author,
            &id,
            Some(json!({ "comment": "x".repeat(2001) })),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(too_long["errors"][0]["field"], "comment");
    let again = assert_problem(ask(&app, &p.author, &id, None).await, StatusCode::CONFLICT).await;
    assert_eq!(again["type"], "urn:buysocial:problem:already-exists");

    let waiting = queue(&app, &p.editor).await;
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0]["comment"], "Merci de relire.");
    let rid = waiting[0]["id"].as_str().unwrap();
    let published = app
        .send(
            Method::POST,
            &format!("/api/v1/admin/review-requests/{rid}/publish"),
            Some(&p.editor),
            None,
        )
        .await;
    assert_eq!(published.status(), StatusCode::OK);
    assert_eq!(
        published.json::<Value>().await.unwrap()["status"],
        "published"
    );
    assert_eq!(
        titles(&read(&app, "/api/v1/news?locale=fr").await),
        ["Appel à relire"]
    );
    assert_eq!(in_review(&app, &p.editor, &id).await, false);
    assert!(queue(&app, &p.editor).await.is_empty());

    let history: Value = app
        .get_authed(
            &format!("/api/v1/admin/news/{id}/review-requests"),
            &p.author,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(history["items"][0]["status"], "published");
    for action in ["content.review_request", "content.review_publish"] {
        assert_eq!(
            app.audit(&p.admin, &format!("action={action}")).await.len(),
            1,
            "{action}"
        );
    }
}

async fn a_translation_sent_back_carries_the_answer(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let p = people(&app).await;
    let id = create(
        &app,
        &p.author,
        "news",
        json!({ "countries": ["BE"], "translation": { "locale": "fr", "title": "Brouillon" } }),
    )
    .await;
    let review: Value = ask(&app, &p.author, &id, None).await.json().await.unwrap();
    let path = format!(
        "/api/v1/admin/review-requests/{}/send-back",
        review["id"].as_str().unwrap()
    );
    let problem = assert_problem(
        app.send(
            Method::POST,
            &path,
            Some(&p.editor),
            Some(&json!({ "answer": "  " })),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "answer");
    let returned = app
        .send(
            Method::POST,
            &path,
            Some(&p.editor),
            Some(&json!({ "answer": "Le titre est trop court." })),
        )
        .await;
    assert_eq!(returned.status(), StatusCode::OK);
    let returned: Value = returned.json().await.unwrap();
    assert_eq!(returned["status"], "returned");
    assert_eq!(returned["answer"], "Le titre est trop court.");
    assert!(
        titles(&read(&app, "/api/v1/news?locale=fr").await).is_empty(),
        "nothing published"
    );
    assert_eq!(in_review(&app, &p.author, &id).await, false);
    assert_problem(
        app.send(
            Method::POST,
            &path,
            Some(&p.editor),
            Some(&json!({ "answer": "Encore" })),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    // Asked again after the changes.
    assert_eq!(
        ask(&app, &p.author, &id, None).await.status(),
        StatusCode::CREATED
    );
}

async fn only_writers_ask_and_only_publishers_decide(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let p = people(&app).await;
    let viewer = app
        .scoped_user_token("viewer@example.eu", Role::Viewer, &[], &[])
        .await;
    let dutch = app
        .scoped_user_token("nl@example.be", Role::Editor, &["BE"], &["nl"])
        .await;
    let lithuanian = app
        .scoped_user_token("lt@example.lt", Role::Editor, &["LT"], &["fr"])
        .await;
    let id = create(
        &app,
        &p.author,
        "news",
        json!({ "countries": ["BE"], "translation": { "locale": "fr", "title": "Relecture" } }),
    )
    .await;

    assert_problem(ask(&app, &viewer, &id, None).await, StatusCode::FORBIDDEN).await;
    assert_problem(ask(&app, &dutch, &id, None).await, StatusCode::FORBIDDEN).await;
    let review: Value = ask(&app, &p.author, &id, None).await.json().await.unwrap();
    let rid = review["id"].as_str().unwrap();

    // The queue holds what the caller may publish, and nothing else.
    for token in [&p.author, &dutch, &lithuanian, &viewer] {
        assert!(queue(&app, token).await.is_empty());
    }
    assert_eq!(queue(&app, &p.admin).await.len(), 1);
    let publish = format!("/api/v1/admin/review-requests/{rid}/publish");
    for token in [&p.author, &dutch, &lithuanian] {
        assert_problem(
            app.send(Method::POST, &publish, Some(token), None).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    assert_eq!(
        app.send(Method::POST, &publish, Some(&p.editor), None)
            .await
            .status(),
        StatusCode::OK
    );
    assert_problem(
        app.send(
            Method::POST,
            "/api/v1/admin/review-requests/0199c0de-0000-7000-8000-000000000000/publish",
            Some(&p.editor),
            None,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}
