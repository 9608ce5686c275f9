//! `/api/v1/admin/tokens`: tokens of each kind work until revoked or expired.

use chrono::{TimeDelta, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, assert_problem, backend_tests};

backend_tests!(
    each_kind_of_token_works_and_stops_when_revoked,
    a_token_stops_at_its_expiry,
    the_secret_is_shown_once_and_only_a_hash_is_kept,
    invalid_tokens_are_refused_naming_every_field,
);

async fn each_kind_of_token_works_and_stops_when_revoked(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let site = json!({ "code": "lt", "name": "Lithuania", "countries": ["LT"], "locales": ["lt"], "default_locale": "lt" });
    assert_eq!(
        app.post_json_authed("/api/v1/admin/sites", &admin, &site)
            .await
            .status(),
        StatusCode::CREATED
    );

    for (body, prefix) in [
        (
            json!({ "name": "LT frontend", "kind": "delivery", "site": "lt" }),
            "bsd_",
        ),
        (
            json!({ "name": "LT preview", "kind": "preview", "site": "lt" }),
            "bsp_",
        ),
        (
            json!({ "name": "CI", "kind": "admin", "role": "editor", "scope": { "countries": ["LT"], "locales": ["lt"] } }),
            "bsa_",
        ),
    ] {
        let (id, secret) = app.api_token(&admin, body.clone()).await;
        assert!(secret.starts_with(prefix), "{secret}");

        let me: Value = app
            .get_authed("/api/v1/auth/me", &secret)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(me["kind"], "token");
        assert_eq!(me["token"]["name"], body["name"]);
        assert_eq!(me["token"]["kind"], body["kind"]);
        assert!(me["token"]["hint"].as_str().unwrap().starts_with(prefix));

        let revoked = app
            .delete_authed(&format!("/api/v1/admin/tokens/{id}"), &admin)
            .await;
        assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
        assert_problem(
            app.get_authed("/api/v1/auth/me", &secret).await,
            StatusCode::UNAUTHORIZED,
        )
        .await;
    }
    let list: Value = app
        .get_authed("/api/v1/admin/tokens", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["page"]["total"], 3);
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["revoked_at"].is_string())
    );
    let scoped = &list["items"][0];
    assert_eq!(scoped["role"], "editor");
    assert_eq!(
        scoped["scope"],
        json!({ "countries": ["LT"], "locales": ["lt"] })
    );
}

async fn a_token_stops_at_its_expiry(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let expires_at = Utc::now() + TimeDelta::hours(1);
    let (_, secret) = app
        .api_token(
            &admin,
            json!({ "name": "temporary", "kind": "delivery", "expires_at": expires_at }),
        )
        .await;
    assert_eq!(
        app.get_authed("/api/v1/auth/me", &secret).await.status(),
        StatusCode::OK
    );

    app.clock.advance(TimeDelta::minutes(61));

    assert_problem(
        app.get_authed("/api/v1/auth/me", &secret).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

async fn the_secret_is_shown_once_and_only_a_hash_is_kept(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let (id, secret) = app
        .api_token(&admin, json!({ "name": "frontend", "kind": "delivery" }))
        .await;

    let list = app
        .get_authed("/api/v1/admin/tokens", &admin)
        .await
        .text()
        .await
        .unwrap();
    assert!(!list.contains(&secret));
    assert!(list.contains(&id));
    let stored = entity::api_token::Entity::find_by_id(id.parse::<uuid::Uuid>().unwrap())
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(stored.token_hash, secret);
    assert_eq!(stored.token_hash.len(), 64);
    assert_eq!(stored.hint, &secret[..10]);
}

use sea_orm::EntityTrait as _;

async fn invalid_tokens_are_refused_naming_every_field(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let past = Utc::now() - TimeDelta::minutes(1);
    let field_of = |body: Value| {
        let (app, admin) = (&app, admin.clone());
        async move {
            let response = app
                .post_json_authed("/api/v1/admin/tokens", &admin, &body)
                .await;
            let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
            problem["errors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["field"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };

    assert_eq!(
        field_of(json!({ "name": "", "kind": "admin" })).await,
        ["name", "role"]
    );
    assert_eq!(
        field_of(json!({ "name": "x", "kind": "delivery", "role": "admin" })).await,
        ["role"]
    );
    assert_eq!(
        field_of(json!({ "name": "x", "kind": "delivery", "site": "nowhere" })).await,
        ["site"]
    );
    assert_eq!(
        field_of(json!({ "name": "x", "kind": "delivery", "site": "Not A Code" })).await,
        ["site"]
    );
    assert_eq!(
        field_of(json!({ "name": "x", "kind": "admin", "role": "admin", "site": "be" })).await,
        ["site"]
    );
    assert_eq!(
        field_of(json!({ "name": "x", "kind": "preview", "scope": { "countries": ["BE"] } })).await,
        ["scope"]
    );
    assert_eq!(
        field_of(json!({ "name": "x", "kind": "delivery", "expires_at": past })).await,
        ["expires_at"]
    );
    assert_eq!(
        field_of(json!({ "name": "x", "kind": "bearer" })).await,
        ["kind"]
    );
    let list: Value = app
        .get_authed("/api/v1/admin/tokens", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["page"]["total"], 0);
}
