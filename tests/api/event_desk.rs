//! The organisers' event desk: their events' sign-ups against capacity, and the status
//! frontends show.

use buysocial::domain::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, assert_problem, backend_tests};
use crate::registrations::{event, person, register};

backend_tests!(
    the_desk_shows_the_organisers_events_with_sign_ups_against_capacity,
    the_desk_lists_upcoming_and_past_events_apart,
    only_those_who_may_read_sign_ups_use_the_desk,
);

async fn desk(app: &TestApp, token: &str, query: &str) -> Value {
    let response = app
        .get_authed(&format!("/api/v1/admin/event-desk?{query}"), token)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

fn ids(desk: &Value) -> Vec<String> {
    desk["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn the_desk_shows_the_organisers_events_with_sign_ups_against_capacity(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let organiser = app
        .scoped_user_token("pt@example.org", Role::Editor, &["PT"], &[])
        .await;
    let (slug, full) = event(&app, &admin, "PT", 10, json!({ "capacity": 2 })).await;
    register(&app, &slug, &person("ana@example.pt")).await;
    register(&app, &slug, &person("rui@example.pt")).await;
    let (_, open) = event(&app, &admin, "PT", 20, json!({ "capacity": 30 })).await;
    let (_, cancelled) = event(&app, &admin, "PT", 5, json!({ "cancelled": true })).await;
    let (_, belgian) = event(&app, &admin, "BE", 10, json!({})).await;

    let mine = desk(&app, &organiser, "").await;
    assert_eq!(
        ids(&mine),
        [cancelled.clone(), full.clone(), open.clone()],
        "soonest first, Belgian events left out"
    );
    let first = &mine["items"][1];
    assert_eq!(first["registered"], 2);
    assert_eq!(first["capacity"], 2);
    assert_eq!(first["status"], "full");
    assert_eq!(first["registration_open"], false);
    assert_eq!(first["country"], "PT");
    assert_eq!(first["registration_mode"], "form");
    assert_eq!(first["live_locales"], json!(["en"]));
    assert_eq!(first["time_zone"], "Europe/Lisbon");
    assert!(
        first["title"]
            .as_str()
            .unwrap()
            .starts_with("Training PT 10")
    );
    assert_eq!(mine["items"][0]["status"], "cancelled");
    assert_eq!(mine["items"][2]["status"], "upcoming");
    assert_eq!(mine["items"][2]["registration_open"], true);
    assert_eq!(mine["items"][2]["registered"], 0);
    assert_eq!(mine["page"]["total"], 3);

    // The desk says what the delivery API says.
    let delivered: Value = app
        .get(&format!("/api/v1/events/{slug}?locale=en"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(delivered["status"], first["status"]);
    assert_eq!(delivered["registration_open"], first["registration_open"]);

    let everything = desk(&app, &admin, "").await;
    assert!(
        ids(&everything).contains(&belgian),
        "admins see every country"
    );

    // A trashed event leaves the desk.
    let trashed = app
        .delete_authed(&format!("/api/v1/admin/events/{open}"), &admin)
        .await;
    assert_eq!(trashed.status(), StatusCode::NO_CONTENT);
    assert_eq!(ids(&desk(&app, &organiser, "").await), [cancelled, full]);
}

async fn the_desk_lists_upcoming_and_past_events_apart(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let (_, soon) = event(&app, &admin, "PT", 2, json!({})).await;
    let (_, later) = event(&app, &admin, "PT", 9, json!({})).await;
    let (_, past_one) = event(&app, &admin, "PT", 4, json!({})).await;
    let (_, past_two) = event(&app, &admin, "PT", 6, json!({})).await;
    // A token outlives the week a session would not.
    let (_, admin) = app
        .api_token(
            &admin,
            json!({ "name": "desk", "kind": "admin", "role": "admin" }),
        )
        .await;
    app.clock.advance(chrono::TimeDelta::days(7));

    assert_eq!(
        ids(&desk(&app, &admin, "when=upcoming").await),
        [later.as_str()]
    );
    let past = desk(&app, &admin, "when=past").await;
    assert_eq!(
        ids(&past),
        [past_two.clone(), past_one.clone(), soon.clone()],
        "latest first"
    );
    assert_eq!(past["items"][0]["status"], "past");
    assert_eq!(
        ids(&desk(&app, &admin, "when=all").await),
        [later, past_two, past_one, soon]
    );
    let paged = desk(&app, &admin, "when=all&per_page=1&page=2").await;
    assert_eq!(paged["items"].as_array().unwrap().len(), 1);
    assert_eq!(paged["page"]["total"], 4);
    assert_problem(
        app.get_authed("/api/v1/admin/event-desk?when=tomorrow", &admin)
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
}

async fn only_those_who_may_read_sign_ups_use_the_desk(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    event(&app, &admin, "PT", 10, json!({})).await;
    let organiser = app
        .scoped_user_token("pt@example.org", Role::Editor, &["PT"], &[])
        .await;
    let author = app
        .scoped_user_token("author@example.org", Role::Author, &["PT"], &[])
        .await;
    let viewer = app
        .scoped_user_token("viewer@example.org", Role::Viewer, &[], &[])
        .await;
    assert_eq!(desk(&app, &organiser, "").await["page"]["total"], 1);
    for refused in [&author, &viewer] {
        assert_problem(
            app.get_authed("/api/v1/admin/event-desk", refused).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    assert_problem(
        app.get("/api/v1/admin/event-desk").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let refusals = app.audit(&admin, "action=permission.denied").await;
    assert!(
        refusals
            .iter()
            .any(|e| e["resource_kind"] == "registration"),
        "refusals are audited"
    );

    // What the web app offers follows the same rule.
    for (token, may) in [(&organiser, true), (&author, false), (&admin, true)] {
        let me: Value = app
            .get_authed("/api/v1/auth/me", token)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(me["permissions"]["read_registrations"], may);
    }
}
