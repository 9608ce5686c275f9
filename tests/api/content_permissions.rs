//! Content permissions, both ways: roles and national scopes over HTTP.

use buysocial::domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, assert_problem, backend_tests};

backend_tests!(
    a_belgian_editor_works_on_belgian_items_and_french_and_dutch_translations,
    authors_write_drafts_but_cannot_publish_or_delete_what_is_live,
    viewers_read_everything_and_write_nothing,
    refusals_are_recorded_and_name_the_permission,
);

fn event_in(country: &str, locale: &str) -> Value {
    json!({
        "countries": [country],
        "fields": { "city": "Brussels", "starts_at": "2024-05-24T09:00:00+02:00", "ends_at": "2024-05-24T13:00:00+02:00",
                    "time_zone": "Europe/Brussels", "registration_mode": "closed" },
        "translation": { "locale": locale, "title": format!("Training {country} {locale}") }
    })
}

async fn create_as(app: &TestApp, token: &str, kind: &str, body: &Value) -> reqwest::Response {
    app.post_json_authed(&format!("/api/v1/admin/{kind}"), token, body)
        .await
}

async fn id_of(response: reqwest::Response) -> String {
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn put(
    app: &TestApp,
    token: &str,
    path: &str,
    etag: Option<&str>,
    body: Value,
) -> reqwest::Response {
    app.send_if_match(Method::PUT, path, token, etag, &body)
        .await
}

async fn a_belgian_editor_works_on_belgian_items_and_french_and_dutch_translations(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let be = app
        .scoped_user_token("be@example.org", Role::Editor, &["BE"], &["fr", "nl"])
        .await;

    // Belgian events, in French: allowed, including publishing.
    let event = id_of(create_as(&app, &be, "events", &event_in("BE", "fr")).await).await;
    let publish = app
        .send(
            Method::POST,
            &format!("/api/v1/admin/events/{event}/translations/fr/publish"),
            Some(&be),
            None,
        )
        .await;
    assert_eq!(publish.status(), StatusCode::OK);
    let patch = app
        .client
        .patch(app.url(&format!("/api/v1/admin/events/{event}")))
        .bearer_auth(&be)
        .header("if-match", "\"d1\"")
        .json(&json!({ "fields": { "capacity": 30 } }))
        .send()
        .await
        .unwrap();
    assert_eq!(patch.status(), StatusCode::OK);
    // ...but not moving it out of Belgium.
    let moved = app
        .client
        .patch(app.url(&format!("/api/v1/admin/events/{event}")))
        .bearer_auth(&be)
        .header("if-match", "\"d2\"")
        .json(&json!({ "countries": ["LT"] }))
        .send()
        .await
        .unwrap();
    assert_problem(moved, StatusCode::FORBIDDEN).await;

    // Lithuanian events, or Belgian ones in English: refused.
    assert_problem(
        create_as(&app, &be, "events", &event_in("LT", "fr")).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        create_as(&app, &be, "events", &event_in("BE", "en")).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let lithuanian = id_of(create_as(&app, &admin, "events", &event_in("LT", "lt")).await).await;
    let lt_fr = put(
        &app,
        &be,
        &format!("/api/v1/admin/events/{lithuanian}/translations/fr"),
        None,
        json!({ "title": "Vilnius" }),
    )
    .await;
    assert_problem(lt_fr, StatusCode::FORBIDDEN).await;
    let lt_publish = app
        .send(
            Method::POST,
            &format!("/api/v1/admin/events/{lithuanian}/translations/lt/publish"),
            Some(&be),
            None,
        )
        .await;
    assert_problem(lt_publish, StatusCode::FORBIDDEN).await;
    let lt_trash = app
        .delete_authed(&format!("/api/v1/admin/events/{lithuanian}"), &be)
        .await;
    assert_problem(lt_trash, StatusCode::FORBIDDEN).await;

    // EU-wide pages: the French and Dutch translations, not the English one, nor the neutral fields.
    let page = id_of(
        create_as(
            &app,
            &admin,
            "pages",
            &json!({ "translation": { "locale": "en", "title": "What is SRPP?" } }),
        )
        .await,
    )
    .await;
    let fr = put(
        &app,
        &be,
        &format!("/api/v1/admin/pages/{page}/translations/fr"),
        None,
        json!({ "title": "Qu'est-ce que les MPSR ?" }),
    )
    .await;
    assert_eq!(fr.status(), StatusCode::OK);
    let publish_fr = app
        .send(
            Method::POST,
            &format!("/api/v1/admin/pages/{page}/translations/fr/publish"),
            Some(&be),
            None,
        )
        .await;
    assert_eq!(publish_fr.status(), StatusCode::OK);
    let en = put(
        &app,
        &be,
        &format!("/api/v1/admin/pages/{page}/translations/en"),
        Some("\"t1\""),
        json!({ "title": "Changed" }),
    )
    .await;
    assert_problem(en, StatusCode::FORBIDDEN).await;
    let neutral = app
        .client
        .patch(app.url(&format!("/api/v1/admin/pages/{page}")))
        .bearer_auth(&be)
        .header("if-match", "\"d1\"")
        .json(&json!({ "position": 3 }))
        .send()
        .await
        .unwrap();
    assert_problem(neutral, StatusCode::FORBIDDEN).await;
    assert_problem(
        create_as(
            &app,
            &be,
            "pages",
            &json!({ "translation": { "locale": "fr", "title": "Nouvelle page" } }),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
}

async fn authors_write_drafts_but_cannot_publish_or_delete_what_is_live(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let author = app
        .scoped_user_token("author@example.org", Role::Author, &["BE"], &["fr", "nl"])
        .await;

    let event = id_of(create_as(&app, &author, "events", &event_in("BE", "fr")).await).await;
    let nl = put(
        &app,
        &author,
        &format!("/api/v1/admin/events/{event}/translations/nl"),
        None,
        json!({ "title": "Opleiding" }),
    )
    .await;
    assert_eq!(nl.status(), StatusCode::OK);
    let publish = app
        .send(
            Method::POST,
            &format!("/api/v1/admin/events/{event}/translations/fr/publish"),
            Some(&author),
            None,
        )
        .await;
    assert_problem(publish, StatusCode::FORBIDDEN).await;

    // A draft-only item can be trashed by its author; a live one cannot.
    let draft_only = id_of(create_as(&app, &author, "events", &event_in("BE", "nl")).await).await;
    assert_eq!(
        app.delete_authed(&format!("/api/v1/admin/events/{draft_only}"), &author)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    app.send(
        Method::POST,
        &format!("/api/v1/admin/events/{event}/translations/fr/publish"),
        Some(&admin),
        None,
    )
    .await;
    let trash_live = app
        .delete_authed(&format!("/api/v1/admin/events/{event}"), &author)
        .await;
    assert_problem(trash_live, StatusCode::FORBIDDEN).await;
    let unpublish = app
        .send(
            Method::POST,
            &format!("/api/v1/admin/events/{event}/translations/fr/unpublish"),
            Some(&author),
            None,
        )
        .await;
    assert_problem(unpublish, StatusCode::FORBIDDEN).await;
    let drop_live = app
        .delete_authed(
            &format!("/api/v1/admin/events/{event}/translations/fr"),
            &author,
        )
        .await;
    assert_problem(drop_live, StatusCode::FORBIDDEN).await;
    let drop_draft = app
        .delete_authed(
            &format!("/api/v1/admin/events/{event}/translations/nl"),
            &author,
        )
        .await;
    assert_eq!(drop_draft.status(), StatusCode::OK);
}

async fn viewers_read_everything_and_write_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let viewer = app
        .scoped_user_token("viewer@example.org", Role::Viewer, &[], &[])
        .await;
    let event = id_of(create_as(&app, &admin, "events", &event_in("BE", "fr")).await).await;

    assert_eq!(
        app.get_authed("/api/v1/admin/events", &viewer)
            .await
            .status(),
        StatusCode::OK
    );
    let read = app
        .get_authed(&format!("/api/v1/admin/events/{event}"), &viewer)
        .await;
    assert_eq!(read.status(), StatusCode::OK);
    assert_eq!(
        read.json::<Value>().await.unwrap()["translations"][0]["draft"]["title"],
        "Training BE fr"
    );
    assert_eq!(
        app.get_authed(&format!("/api/v1/admin/events/{event}/revisions"), &viewer)
            .await
            .status(),
        StatusCode::OK
    );

    assert_problem(
        create_as(&app, &viewer, "events", &event_in("BE", "fr")).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let edit = put(
        &app,
        &viewer,
        &format!("/api/v1/admin/events/{event}/translations/fr"),
        Some("\"t1\""),
        json!({ "title": "X" }),
    )
    .await;
    assert_problem(edit, StatusCode::FORBIDDEN).await;
    let publish = app
        .send(
            Method::POST,
            &format!("/api/v1/admin/events/{event}/translations/fr/publish"),
            Some(&viewer),
            None,
        )
        .await;
    assert_problem(publish, StatusCode::FORBIDDEN).await;
    assert_problem(
        app.delete_authed(&format!("/api/v1/admin/events/{event}"), &viewer)
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        app.get("/api/v1/admin/events").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let (_, delivery) = app
        .api_token(&admin, json!({ "name": "frontend", "kind": "delivery" }))
        .await;
    assert_problem(
        app.get_authed("/api/v1/admin/events", &delivery).await,
        StatusCode::FORBIDDEN,
    )
    .await;
}

async fn refusals_are_recorded_and_name_the_permission(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let be = app
        .scoped_user_token("be@example.org", Role::Editor, &["BE"], &["fr", "nl"])
        .await;

    let refused = create_as(&app, &be, "events", &event_in("LT", "fr")).await;

    let body = assert_problem(refused, StatusCode::FORBIDDEN).await;
    assert_eq!(
        body["detail"],
        "permission content:edit is missing: LT is outside your countries"
    );
    let entries = app.audit(&admin, "action=permission.denied").await;
    assert_eq!(entries[0]["resource_kind"], "event");
    assert_eq!(entries[0]["details"]["permission"], "content:edit");
}
