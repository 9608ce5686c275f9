//! Expressions of interest: readers register; editors of the country read and erase.

use buysocial::domain::Role;
use chrono::TimeDelta;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, assert_problem, backend_tests};

backend_tests!(
    readers_register_until_the_event_is_full,
    registrations_are_validated,
    past_cancelled_and_external_events_refuse_registrations,
    editors_of_the_country_read_export_and_erase_registrations,
    one_address_cannot_flood_registrations,
);

/// A published event in `country`, `days` from now, with `fields` merged in; returns its slug and id.
pub(crate) async fn event(
    app: &TestApp,
    admin: &str,
    country: &str,
    days: i64,
    extra: Value,
) -> (String, String) {
    let day = app.clock.now() + TimeDelta::days(days);
    let mut fields = json!({ "city": "Lisboa", "starts_at": day.format("%Y-%m-%dT09:30:00+01:00").to_string(),
        "ends_at": day.format("%Y-%m-%dT16:30:00+01:00").to_string(), "time_zone": "Europe/Lisbon",
        "registration_mode": "form" });
    for (k, v) in extra.as_object().unwrap() {
        fields[k] = v.clone();
    }
    let title = format!(
        "Training {country} {days} {}",
        uuid::Uuid::new_v4().simple()
    );
    let response = app
        .post_json_authed(
            "/api/v1/admin/events",
            admin,
            &json!({ "countries": [country], "fields": fields, "translation": { "locale": "en", "title": title } }),
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "{}",
        response.text().await.unwrap()
    );
    let item: Value = response.json().await.unwrap();
    let id = item["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/admin/events/{id}/translations/en/publish");
    assert_eq!(
        app.send(Method::POST, &path, Some(admin), None)
            .await
            .status(),
        StatusCode::OK
    );
    (
        item["translations"][0]["draft"]["slug"]
            .as_str()
            .unwrap()
            .to_owned(),
        id,
    )
}

pub(crate) fn person(email: &str) -> Value {
    json!({ "name": "Ana Silva", "email": email, "organisation": "Câmara Municipal",
            "organisation_type": "public_buyer", "country": "PT", "consent": true })
}

pub(crate) async fn register(app: &TestApp, slug: &str, body: &Value) -> reqwest::Response {
    app.post_json(
        &format!("/api/v1/events/{slug}/registrations?locale=en"),
        body,
    )
    .await
}

async fn readers_register_until_the_event_is_full(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let (slug, _) = event(&app, &admin, "PT", 10, json!({ "capacity": 2 })).await;

    assert_eq!(
        register(&app, &slug, &person("ana@example.pt"))
            .await
            .status(),
        StatusCode::CREATED
    );
    // The same address again takes no second place (it is told so by mail instead).
    assert_eq!(
        register(&app, &slug, &person("ANA@example.pt"))
            .await
            .status(),
        StatusCode::CREATED
    );
    assert_eq!(
        register(&app, &slug, &person("rui@example.pt"))
            .await
            .status(),
        StatusCode::CREATED
    );
    let full = assert_problem(
        register(&app, &slug, &person("eva@example.pt")).await,
        StatusCode::CONFLICT,
    )
    .await;

    assert_eq!(full["detail"], "the event is full");
    let shown: Value = app
        .get(&format!("/api/v1/events/{slug}?locale=en"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        crate::delivery::event_state(&shown),
        json!({ "status": "full", "registration_open": false })
    );
}

async fn registrations_are_validated(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let (slug, _) = event(&app, &admin, "PT", 10, json!({})).await;

    let bad = json!({ "name": "", "email": "nope", "organisation": "", "organisation_type": "company",
                      "country": "US", "consent": false });
    let body = assert_problem(
        register(&app, &slug, &bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "name",
            "email",
            "organisation",
            "organisation_type",
            "country",
            "consent"
        ]
    );
    let mut hidden = person("a@example.pt");
    hidden["name"] = json!("Ana;=HYPERLINK(\"x\")");
    let body = assert_problem(
        register(&app, &slug, &hidden).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "name");
    let mut sneaky = person("a@example.pt");
    sneaky["event_id"] = json!("x");
    assert_problem(
        register(&app, &slug, &sneaky).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_problem(
        register(&app, "no-such-event", &person("a@example.pt")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

async fn past_cancelled_and_external_events_refuse_registrations(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let (past, _) = event(&app, &admin, "PT", -10, json!({})).await;
    let (cancelled, _) = event(&app, &admin, "PT", 10, json!({ "cancelled": true })).await;
    let (external, _) = event(&app, &admin, "PT", 10,
        json!({ "registration_mode": "external", "registration_url": "https://forms.example.eu/srpp" })).await;
    let (closed, _) = event(
        &app,
        &admin,
        "PT",
        10,
        json!({ "registration_mode": "closed" }),
    )
    .await;
    let unpublished = app
        .post_json_authed("/api/v1/admin/events", &admin, &json!({ "countries": ["PT"],
            "fields": { "city": "Porto", "starts_at": "2030-01-01T09:00:00+00:00", "ends_at": "2030-01-01T12:00:00+00:00",
                        "time_zone": "Europe/Lisbon", "registration_mode": "form" },
            "translation": { "locale": "en", "title": "Not yet public" } }))
        .await;
    assert_eq!(unpublished.status(), StatusCode::CREATED);

    assert_problem(
        register(&app, &past, &person("a@example.pt")).await,
        StatusCode::GONE,
    )
    .await;
    assert_problem(
        register(&app, &cancelled, &person("a@example.pt")).await,
        StatusCode::CONFLICT,
    )
    .await;
    let body = assert_problem(
        register(&app, &external, &person("a@example.pt")).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("https://forms.example.eu/srpp")
    );
    assert_problem(
        register(&app, &closed, &person("a@example.pt")).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_problem(
        register(&app, "not-yet-public", &person("a@example.pt")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

async fn editors_of_the_country_read_export_and_erase_registrations(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let portuguese = app
        .scoped_user_token("pt@example.org", Role::Editor, &["PT"], &[])
        .await;
    let belgian = app
        .scoped_user_token("be@example.org", Role::Editor, &["BE"], &[])
        .await;
    let author = app
        .scoped_user_token("author@example.org", Role::Author, &["PT"], &[])
        .await;
    let (slug, id) = event(&app, &admin, "PT", 10, json!({})).await;
    register(&app, &slug, &person("ana@example.pt")).await;
    let mut formula = person("rui@example.pt");
    formula["organisation"] = json!("=HYPERLINK(\"http://evil\")");
    register(&app, &slug, &formula).await;
    let path = format!("/api/v1/admin/events/{id}/registrations");

    let listed: Value = app
        .get_authed(&path, &portuguese)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert_eq!(listed[0]["email"], "ana@example.pt");
    for refused in [&belgian, &author] {
        assert_problem(app.get_authed(&path, refused).await, StatusCode::FORBIDDEN).await;
    }
    assert_problem(app.get(&path).await, StatusCode::UNAUTHORIZED).await;
    let csv = app
        .get_authed(&format!("{path}?format=csv"), &portuguese)
        .await;
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let disposition = csv.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with(&format!("attachment; filename=\"sign-ups-{slug}-")),
        "a name that says which event: {disposition}"
    );
    let csv = csv.text().await.unwrap();
    assert!(
        csv.starts_with("\u{feff}Name,Email,Organisation,Type of organisation,Country,Language,Signed up at (Europe/Lisbon),Status\r\n"),
        "{csv}"
    );
    assert!(csv.contains(",public buyer,"), "{csv}");
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://evil\"\")\""),
        "{csv}"
    );
    let semicolons = app
        .get_authed(
            &format!("{path}?format=csv&separator=semicolon"),
            &portuguese,
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(
        semicolons.starts_with("\u{feff}Name;Email;Organisation;"),
        "{semicolons}"
    );

    let rid = listed[0]["id"].as_str().unwrap();
    assert_problem(
        app.delete_authed(&format!("{path}/{rid}"), &belgian).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(
        app.delete_authed(&format!("{path}/{rid}"), &portuguese)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let after: Value = app.get_authed(&path, &admin).await.json().await.unwrap();
    assert_eq!(after.as_array().unwrap().len(), 1);
    assert!(
        !app.audit(&admin, "action=registration.read")
            .await
            .is_empty(),
        "reading personal data is logged"
    );
    let entries = app.audit(&admin, "action=registration.erase").await;
    assert_eq!(entries.len(), 1);
    assert!(
        !entries[0].to_string().contains("ana@example.pt"),
        "the log forgets who it was"
    );
}

async fn one_address_cannot_flood_registrations(backend: Backend) {
    let app = TestApp::builder(backend)
        .with(|s| s.delivery.registrations_per_address_per_hour = 2)
        .spawn()
        .await;
    let admin = app.admin_token().await;
    let (slug, _) = event(&app, &admin, "PT", 10, json!({})).await;
    assert_eq!(
        register(&app, &slug, &person("a@example.pt"))
            .await
            .status(),
        StatusCode::CREATED
    );
    assert_eq!(
        register(&app, &slug, &person("b@example.pt"))
            .await
            .status(),
        StatusCode::CREATED
    );

    let third = register(&app, &slug, &person("c@example.pt")).await;

    assert!(third.headers().contains_key("retry-after"));
    assert_problem(third, StatusCode::TOO_MANY_REQUESTS).await;
    app.clock.advance(TimeDelta::minutes(61));
    assert_eq!(
        register(&app, &slug, &person("c@example.pt"))
            .await
            .status(),
        StatusCode::CREATED
    );
}
