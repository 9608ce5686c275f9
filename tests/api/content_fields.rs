//! Neutral fields over PATCH: a field given a value is set, a field given `null` is
//! cleared, a field left out stays, for every optional field of every kind.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::assets::{created, upload_raw};
use crate::delivery::create;
use crate::helpers::{Backend, TestApp, assert_problem, backend_tests};

backend_tests!(
    every_optional_field_can_be_cleared_with_null_and_is_kept_when_absent,
    clearing_a_required_field_is_refused,
);

async fn item(app: &TestApp, token: &str, kind: &str, id: &str) -> Value {
    let response = app
        .get_authed(&format!("/api/v1/admin/{kind}/{id}"), token)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn patch(
    app: &TestApp,
    token: &str,
    kind: &str,
    id: &str,
    fields: Value,
) -> reqwest::Response {
    let current = item(app, token, kind, id).await;
    app.send_if_match(
        Method::PATCH,
        &format!("/api/v1/admin/{kind}/{id}"),
        token,
        current["etag"].as_str(),
        &json!({ "fields": fields }),
    )
    .await
}

async fn every_optional_field_can_be_cleared_with_null_and_is_kept_when_absent(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0".to_vec();
    png.extend_from_slice(&[0u8; 64]);
    let cover = created(upload_raw(&app, &admin, "cover.png", png).await).await;
    let cover = cover["id"].as_str().unwrap();
    let material = create(
        &app,
        &admin,
        "materials",
        json!({ "fields": { "material_kind": "guide" },
        "translation": { "locale": "en", "title": "Guide" } }),
    )
    .await;
    let event_fields = json!({
        "city": "Vilnius", "venue": "Hall A", "online_url": "https://meet.example/srpp",
        "starts_at": "2030-05-23T09:30:00+03:00", "ends_at": "2030-05-23T16:30:00+03:00",
        "time_zone": "Europe/Vilnius", "workshop_languages": ["lt"], "capacity": 40,
        "registration_mode": "form", "registration_opens_at": "2030-04-01T09:00:00+03:00",
        "registration_closes_at": "2030-05-20T09:00:00+03:00", "cancelled": false,
        "materials": [material], "cover_asset_id": cover,
    });
    let optional_by_kind = [
        (
            "events",
            json!({ "countries": ["LT"], "fields": event_fields }),
            vec![
                "venue",
                "online_url",
                "workshop_languages",
                "capacity",
                "registration_opens_at",
                "registration_closes_at",
                "cancelled",
                "materials",
                "cover_asset_id",
            ],
        ),
        (
            "news",
            json!({ "fields": { "date": "2026-11-20", "cover_asset_id": cover } }),
            vec!["date", "cover_asset_id"],
        ),
    ];
    for (kind, mut body, optional) in optional_by_kind {
        body["translation"] = json!({ "locale": "en", "title": format!("All fields of {kind}") });
        let id = create(&app, &admin, kind, body.clone()).await;
        let all = item(&app, &admin, kind, &id).await["fields"].clone();

        // Absent: nothing changes.
        let kept = patch(&app, &admin, kind, &id, json!({})).await;
        assert_eq!(kept.status(), StatusCode::OK);
        assert_eq!(item(&app, &admin, kind, &id).await["fields"], all);

        // `null`: that field, and only that one, is cleared.
        let mut expected = all.clone();
        for field in optional {
            let cleared = patch(&app, &admin, kind, &id, json!({ field: null })).await;
            assert_eq!(
                cleared.status(),
                StatusCode::OK,
                "{kind}.{field}: {}",
                cleared.text().await.unwrap()
            );
            expected.as_object_mut().unwrap().remove(field);
            assert_eq!(
                item(&app, &admin, kind, &id).await["fields"],
                expected,
                "{kind}.{field} is cleared, the rest kept"
            );
        }
        // And set again.
        let restored = patch(&app, &admin, kind, &id, body["fields"].clone()).await;
        assert_eq!(restored.status(), StatusCode::OK);
        assert_eq!(item(&app, &admin, kind, &id).await["fields"], all);
    }
}

async fn clearing_a_required_field_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let event = create(&app, &admin, "events", json!({ "countries": ["LT"], "fields": {
        "city": "Vilnius", "starts_at": "2030-05-23T09:30:00+03:00", "ends_at": "2030-05-23T16:30:00+03:00",
        "time_zone": "Europe/Vilnius", "registration_mode": "closed" },
        "translation": { "locale": "en", "title": "Workshop" } })).await;
    let before = item(&app, &admin, "events", &event).await;

    let refused = patch(&app, &admin, "events", &event, json!({ "starts_at": null })).await;
    let problem = assert_problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["errors"][0]["field"], "fields.starts_at");
    let unknown = patch(&app, &admin, "events", &event, json!({ "colour": null })).await;
    let problem = assert_problem(unknown, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["errors"][0]["field"], "fields.colour");

    assert_eq!(
        item(&app, &admin, "events", &event).await,
        before,
        "nothing changed"
    );
}
