//! `/api/v1/admin/users`: accounts, roles, national scopes.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{ADMIN_EMAIL, Backend, TestApp, assert_problem, backend_tests};

backend_tests!(
    an_admin_creates_a_national_editor_who_sees_its_scope,
    invalid_users_are_refused_naming_every_field,
    mass_assignment_is_refused,
    a_duplicate_email_is_a_conflict,
    role_scope_and_name_can_be_changed,
    disabling_a_user_ends_its_sessions_at_once,
    an_admin_reset_password_ends_the_users_sessions,
    the_last_active_admin_cannot_be_demoted_disabled_or_deleted,
    a_deleted_user_is_gone_and_cannot_log_in,
    users_are_listed_with_filters_and_pages,
);

async fn create(app: &TestApp, admin: &str, body: Value) -> Value {
    let response = app
        .post_json_authed("/api/v1/admin/users", admin, &body)
        .await;
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "{}",
        response.text().await.unwrap()
    );
    response.json().await.unwrap()
}

async fn an_admin_creates_a_national_editor_who_sees_its_scope(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;

    let response = app
        .post_json_authed(
            "/api/v1/admin/users",
            &admin,
            &json!({ "email": "Editor.BE@WeBuySocial.eu", "display_name": "Éditrice BE", "role": "editor",
                     "scope": { "countries": ["be"], "locales": ["nl", "fr"] }, "password": "brussels 2024 workshop" }),
        )
        .await;

    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let user: Value = response.json().await.unwrap();
    assert_eq!(
        location,
        format!("/api/v1/admin/users/{}", user["id"].as_str().unwrap())
    );
    assert_eq!(user["email"], "editor.be@webuysocial.eu");
    assert_eq!(
        user["scope"],
        json!({ "countries": ["BE"], "locales": ["fr", "nl"] })
    );
    assert!(user.get("password").is_none() && user.get("password_hash").is_none());
    let token = app
        .login_token("editor.be@webuysocial.eu", "brussels 2024 workshop")
        .await;
    let me: Value = app
        .get_authed("/api/v1/auth/me", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["user"]["role"], "editor");
    assert_eq!(me["user"]["display_name"], "Éditrice BE");
    assert_eq!(
        me["user"]["scope"],
        json!({ "countries": ["BE"], "locales": ["fr", "nl"] })
    );
    let read: Value = app
        .get_authed(&location, &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read["email"], "editor.be@webuysocial.eu");
}

async fn invalid_users_are_refused_naming_every_field(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;

    let response = app
        .post_json_authed(
            "/api/v1/admin/users",
            &admin,
            &json!({ "email": "not-an-email", "role": "editor", "password": "short",
                     "scope": { "countries": ["BE", "UK"], "locales": ["fr", "xx"] } }),
        )
        .await;

    let body = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "email",
            "password",
            "scope.countries[1]",
            "scope.locales[1]"
        ]
    );
    let unknown_role = app
        .post_json_authed(
            "/api/v1/admin/users",
            &admin,
            &json!({ "email": "a@example.org", "role": "root", "password": "a long password 1" }),
        )
        .await;
    let body = assert_problem(unknown_role, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["errors"][0]["field"], "role");
    assert_eq!(
        app.get_authed("/api/v1/admin/users", &admin)
            .await
            .json::<Value>()
            .await
            .unwrap()["page"]["total"],
        1
    );
}

async fn mass_assignment_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let user = create(
        &app,
        &admin,
        json!({ "email": "v@example.org", "role": "viewer", "password": "a long password 1" }),
    )
    .await;
    let path = format!("/api/v1/admin/users/{}", user["id"].as_str().unwrap());

    for sneaky in ["id", "password_hash", "created_at", "email"] {
        let response = app
            .patch_json_authed(&path, &admin, &json!({ sneaky: "x" }))
            .await;
        let body = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("unknown field `{sneaky}`")),
            "{message}"
        );
    }
    for sneaky in ["id", "password_hash"] {
        let response = app
            .post_json_authed(
                "/api/v1/admin/users",
                &admin,
                &json!({ "email": "w@example.org", "role": "viewer", "password": "a long password 1", sneaky: "x" }),
            )
            .await;
        assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
}

async fn a_duplicate_email_is_a_conflict(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;

    let response = app
        .post_json_authed(
            "/api/v1/admin/users",
            &admin,
            &json!({ "email": ADMIN_EMAIL.to_uppercase(), "role": "viewer", "password": "a long password 1" }),
        )
        .await;

    assert_problem(response, StatusCode::CONFLICT).await;
}

async fn role_scope_and_name_can_be_changed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let user = create(
        &app,
        &admin,
        json!({ "email": "lt@example.org", "role": "author", "scope": { "countries": ["LT"], "locales": ["lt"] },
                "password": "a long password 1" }),
    )
    .await;
    let path = format!("/api/v1/admin/users/{}", user["id"].as_str().unwrap());

    let response = app
        .patch_json_authed(
            &path,
            &admin,
            &json!({ "role": "editor", "display_name": "Ona", "scope": { "locales": ["lt", "en"] } }),
        )
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    let changed: Value = response.json().await.unwrap();
    assert_eq!(changed["role"], "editor");
    assert_eq!(changed["display_name"], "Ona");
    // Countries were not mentioned, so they stay.
    assert_eq!(
        changed["scope"],
        json!({ "countries": ["LT"], "locales": ["en", "lt"] })
    );
    let bad = app
        .patch_json_authed(&path, &admin, &json!({ "scope": { "countries": ["XX"] } }))
        .await;
    let body = assert_problem(bad, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["errors"][0]["field"], "scope.countries[0]");
    let missing = app
        .patch_json_authed(
            "/api/v1/admin/users/0190a8a0-0000-7000-8000-000000000000",
            &admin,
            &json!({}),
        )
        .await;
    assert_problem(missing, StatusCode::NOT_FOUND).await;
}

async fn disabling_a_user_ends_its_sessions_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let user = create(
        &app,
        &admin,
        json!({ "email": "e@example.org", "role": "editor", "password": "a long password 1" }),
    )
    .await;
    let token = app.login_token("e@example.org", "a long password 1").await;
    let path = format!("/api/v1/admin/users/{}", user["id"].as_str().unwrap());

    let response = app
        .patch_json_authed(&path, &admin, &json!({ "disabled": true }))
        .await;

    assert_eq!(response.json::<Value>().await.unwrap()["disabled"], true);
    assert_problem(
        app.get_authed("/api/v1/auth/me", &token).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_problem(
        app.login("e@example.org", "a long password 1").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    // Enabled again, the user logs in again (old sessions stay ended).
    app.patch_json_authed(&path, &admin, &json!({ "disabled": false }))
        .await;
    assert_eq!(
        app.login("e@example.org", "a long password 1")
            .await
            .status(),
        StatusCode::OK
    );
    assert_problem(
        app.get_authed("/api/v1/auth/me", &token).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

async fn an_admin_reset_password_ends_the_users_sessions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let user = create(
        &app,
        &admin,
        json!({ "email": "e@example.org", "role": "editor", "password": "a long password 1" }),
    )
    .await;
    let token = app.login_token("e@example.org", "a long password 1").await;
    let path = format!("/api/v1/admin/users/{}", user["id"].as_str().unwrap());

    let short = app
        .patch_json_authed(&path, &admin, &json!({ "password": "short" }))
        .await;
    assert_problem(short, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(
        app.get_authed("/api/v1/auth/me", &token).await.status(),
        StatusCode::OK
    );
    let reset = app
        .patch_json_authed(
            &path,
            &admin,
            &json!({ "password": "a new long password", "must_change_password": true }),
        )
        .await;

    assert_eq!(reset.status(), StatusCode::OK);
    assert_problem(
        app.get_authed("/api/v1/auth/me", &token).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let fresh = app
        .login_token("e@example.org", "a new long password")
        .await;
    let me: Value = app
        .get_authed("/api/v1/auth/me", &fresh)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["user"]["must_change_password"], true);
}

async fn the_last_active_admin_cannot_be_demoted_disabled_or_deleted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let me: Value = app
        .get_authed("/api/v1/auth/me", &admin)
        .await
        .json()
        .await
        .unwrap();
    let path = format!("/api/v1/admin/users/{}", me["user"]["id"].as_str().unwrap());

    for change in [json!({ "role": "editor" }), json!({ "disabled": true })] {
        let response = app.patch_json_authed(&path, &admin, &change).await;
        let body = assert_problem(response, StatusCode::CONFLICT).await;
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .contains("last active admin")
        );
    }
    assert_problem(app.delete_authed(&path, &admin).await, StatusCode::CONFLICT).await;

    // With a second admin, the first can step down.
    create(
        &app,
        &admin,
        json!({ "email": "second@example.org", "role": "admin", "password": "a long password 1" }),
    )
    .await;
    let response = app
        .patch_json_authed(&path, &admin, &json!({ "role": "editor" }))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    // Now the second one is the last.
    let second = app
        .login_token("second@example.org", "a long password 1")
        .await;
    let me: Value = app
        .get_authed("/api/v1/auth/me", &second)
        .await
        .json()
        .await
        .unwrap();
    let second_path = format!("/api/v1/admin/users/{}", me["user"]["id"].as_str().unwrap());
    assert_problem(
        app.delete_authed(&second_path, &second).await,
        StatusCode::CONFLICT,
    )
    .await;
}

async fn a_deleted_user_is_gone_and_cannot_log_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let user = create(
        &app,
        &admin,
        json!({ "email": "x@example.org", "role": "viewer", "password": "a long password 1" }),
    )
    .await;
    let token = app.login_token("x@example.org", "a long password 1").await;
    let path = format!("/api/v1/admin/users/{}", user["id"].as_str().unwrap());

    assert_eq!(
        app.delete_authed(&path, &admin).await.status(),
        StatusCode::NO_CONTENT
    );

    assert_problem(app.get_authed(&path, &admin).await, StatusCode::NOT_FOUND).await;
    assert_problem(
        app.get_authed("/api/v1/auth/me", &token).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_problem(
        app.login("x@example.org", "a long password 1").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_problem(
        app.delete_authed(&path, &admin).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

async fn users_are_listed_with_filters_and_pages(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    for (email, role, countries) in [
        ("be@example.org", "editor", json!(["BE"])),
        ("lt@example.org", "editor", json!(["LT"])),
        ("eu@example.org", "editor", json!([])),
        ("viewer@example.org", "viewer", json!(["BE"])),
    ] {
        create(
            &app,
            &admin,
            json!({ "email": email, "role": role, "scope": { "countries": countries }, "password": "a long password 1" }),
        )
        .await;
    }
    let emails = |body: &Value| -> Vec<String> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["email"].as_str().unwrap().to_owned())
            .collect()
    };

    let editors: Value = app
        .get_authed("/api/v1/admin/users?role=editor", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        emails(&editors),
        ["be@example.org", "eu@example.org", "lt@example.org"]
    );
    let belgian: Value = app
        .get_authed("/api/v1/admin/users?role=editor&country=BE", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(emails(&belgian), ["be@example.org", "eu@example.org"]);
    let second_page: Value = app
        .get_authed("/api/v1/admin/users?per_page=2&page=2", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        second_page["page"],
        json!({ "page": 2, "per_page": 2, "total": 5 })
    );
    assert_eq!(emails(&second_page), ["eu@example.org", "lt@example.org"]);

    let too_big = app
        .get_authed("/api/v1/admin/users?per_page=1000", &admin)
        .await;
    let body = assert_problem(too_big, StatusCode::BAD_REQUEST).await;
    assert_eq!(body["errors"][0]["field"], "per_page");
    assert_problem(
        app.get_authed("/api/v1/admin/users?country=XX", &admin)
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_problem(
        app.get_authed("/api/v1/admin/users?role=root", &admin)
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
}
