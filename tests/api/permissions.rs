//! Every admin route, both ways: who is let in, and every kind of caller who is refused.

use buysocial::domain::Role;
use chrono::{TimeDelta, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, assert_problem, backend_tests};

backend_tests!(
    admin_only_routes_refuse_everyone_but_admins,
    sites_are_readable_by_every_role_but_writable_by_admins_only,
    admin_tokens_act_with_their_role,
    a_user_who_must_change_the_password_is_held_at_the_auth_routes,
);

/// Routes only admins may use, with a body where they need one. Ids need not exist:
/// permission is decided before anything is looked up.
fn admin_only_routes() -> Vec<(Method, &'static str, Option<Value>)> {
    let user = "/api/v1/admin/users/0190a8a0-0000-7000-8000-000000000000";
    let token = "/api/v1/admin/tokens/0190a8a0-0000-7000-8000-000000000000";
    vec![
        (Method::GET, "/api/v1/admin/users", None),
        (
            Method::POST,
            "/api/v1/admin/users",
            Some(
                json!({ "email": "new@example.org", "role": "viewer", "password": "a long password 1" }),
            ),
        ),
        (Method::GET, user, None),
        (Method::PATCH, user, Some(json!({ "display_name": "X" }))),
        (Method::DELETE, user, None),
        (Method::GET, "/api/v1/admin/tokens", None),
        (
            Method::POST,
            "/api/v1/admin/tokens",
            Some(json!({ "name": "t", "kind": "delivery" })),
        ),
        (Method::DELETE, token, None),
        (
            Method::POST,
            "/api/v1/admin/sites",
            Some(json!({ "code": "xx", "name": "X", "locales": ["en"], "default_locale": "en" })),
        ),
        (
            Method::PATCH,
            "/api/v1/admin/sites/be",
            Some(json!({ "name": "X" })),
        ),
        (Method::DELETE, "/api/v1/admin/sites/be", None),
        (Method::GET, "/api/v1/admin/audit", None),
    ]
}

/// Every kind of caller that must be refused, with the status it must get.
async fn refused_callers(
    app: &TestApp,
    admin: &str,
) -> Vec<(&'static str, Option<String>, StatusCode)> {
    let belgian_editor = app
        .scoped_user_token(
            "be-editor@example.org",
            Role::Editor,
            &["BE"],
            &["fr", "nl"],
        )
        .await;
    let author = app
        .scoped_user_token("author@example.org", Role::Author, &[], &[])
        .await;
    let viewer = app
        .scoped_user_token("viewer@example.org", Role::Viewer, &[], &[])
        .await;
    let (_, delivery) = app
        .api_token(admin, json!({ "name": "d", "kind": "delivery" }))
        .await;
    let (_, preview) = app
        .api_token(admin, json!({ "name": "p", "kind": "preview" }))
        .await;
    let (_, editor_token) = app
        .api_token(
            admin,
            json!({ "name": "e", "kind": "admin", "role": "editor" }),
        )
        .await;
    let (revoked_id, revoked) = app
        .api_token(
            admin,
            json!({ "name": "r", "kind": "admin", "role": "admin" }),
        )
        .await;
    let revoke = app
        .delete_authed(&format!("/api/v1/admin/tokens/{revoked_id}"), admin)
        .await;
    assert_eq!(revoke.status(), StatusCode::NO_CONTENT);
    let soon = Utc::now() + TimeDelta::minutes(5);
    let (_, expired) = app
        .api_token(
            admin,
            json!({ "name": "x", "kind": "admin", "role": "admin", "expires_at": soon }),
        )
        .await;
    let disabled = app
        .scoped_user_token("gone@example.org", Role::Admin, &[], &[])
        .await;
    let gone = buysocial::services::users::find_by_email(&app.state.db, "gone@example.org")
        .await
        .unwrap()
        .unwrap();
    let disable = app
        .patch_json_authed(
            &format!("/api/v1/admin/users/{}", gone.id),
            admin,
            &json!({ "disabled": true }),
        )
        .await;
    assert_eq!(disable.status(), StatusCode::OK);
    app.clock.advance(TimeDelta::minutes(6));
    vec![
        ("no token", None, StatusCode::UNAUTHORIZED),
        (
            "garbage token",
            Some("bsa_nope".into()),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "revoked admin token",
            Some(revoked),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "expired admin token",
            Some(expired),
            StatusCode::UNAUTHORIZED,
        ),
        ("disabled admin", Some(disabled), StatusCode::UNAUTHORIZED),
        (
            "Belgian editor",
            Some(belgian_editor),
            StatusCode::FORBIDDEN,
        ),
        ("author", Some(author), StatusCode::FORBIDDEN),
        ("viewer", Some(viewer), StatusCode::FORBIDDEN),
        (
            "admin token acting as editor",
            Some(editor_token),
            StatusCode::FORBIDDEN,
        ),
        ("delivery token", Some(delivery), StatusCode::FORBIDDEN),
        ("preview token", Some(preview), StatusCode::FORBIDDEN),
    ]
}

async fn admin_only_routes_refuse_everyone_but_admins(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let callers = refused_callers(&app, &admin).await;

    for (method, path, body) in admin_only_routes() {
        for (who, token, status) in &callers {
            let response = app
                .send(method.clone(), path, token.as_deref(), body.as_ref())
                .await;
            assert_eq!(response.status(), *status, "{who}: {method} {path}");
            let problem = assert_problem(response, *status).await;
            if *status == StatusCode::FORBIDDEN && who.contains("editor") {
                let detail = problem["detail"].as_str().unwrap();
                assert!(detail.starts_with("permission "), "{who}: {detail}");
            }
        }
        // And the admin is let through: to the resource, or to its absence.
        let response = app
            .send(method.clone(), path, Some(&admin), body.as_ref())
            .await;
        assert!(
            !matches!(
                response.status(),
                StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
            ),
            "admin: {method} {path}: {}",
            response.status()
        );
    }
}

async fn sites_are_readable_by_every_role_but_writable_by_admins_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let site = json!({ "code": "be", "name": "Belgium", "countries": ["BE"], "locales": ["fr", "nl"],
                       "default_locale": "fr", "fallback": ["en"] });
    let created = app
        .post_json_authed("/api/v1/admin/sites", &admin, &site)
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);

    for role in [Role::Editor, Role::Author, Role::Viewer] {
        let token = app
            .scoped_user_token(&format!("{role}@example.org"), role, &["BE"], &["fr"])
            .await;
        assert_eq!(
            app.get_authed("/api/v1/admin/sites", &token).await.status(),
            StatusCode::OK,
            "{role}"
        );
        assert_eq!(
            app.get_authed("/api/v1/admin/sites/be", &token)
                .await
                .status(),
            StatusCode::OK,
            "{role}"
        );
        let change = app
            .patch_json_authed(
                "/api/v1/admin/sites/be",
                &token,
                &json!({ "name": "Belgique" }),
            )
            .await;
        assert_problem(change, StatusCode::FORBIDDEN).await;
    }
    let anonymous = app.get("/api/v1/admin/sites").await;
    assert_problem(anonymous, StatusCode::UNAUTHORIZED).await;
}

async fn admin_tokens_act_with_their_role(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let (_, automation) = app
        .api_token(
            admin.as_str(),
            json!({ "name": "provisioning", "kind": "admin", "role": "admin" }),
        )
        .await;
    let (_, reader) = app
        .api_token(
            admin.as_str(),
            json!({ "name": "reporting", "kind": "admin", "role": "viewer" }),
        )
        .await;

    let created = app
        .post_json_authed(
            "/api/v1/admin/users",
            &automation,
            &json!({ "email": "bot-made@example.org", "role": "viewer", "password": "a long password 1" }),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(
        app.get_authed("/api/v1/admin/sites", &reader)
            .await
            .status(),
        StatusCode::OK
    );
    assert_problem(
        app.get_authed("/api/v1/admin/users", &reader).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // The log names the token as the actor of the write.
    let entries = app.audit(&admin, "action=user.create").await;
    assert_eq!(entries[0]["actor_kind"], "token");
    assert_eq!(entries[0]["actor_label"], "provisioning");
}

async fn a_user_who_must_change_the_password_is_held_at_the_auth_routes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let created = app
        .post_json_authed(
            "/api/v1/admin/users",
            &admin,
            &json!({ "email": "new-admin@example.org", "role": "admin", "password": "initial password 1",
                     "must_change_password": true }),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let token = app
        .login_token("new-admin@example.org", "initial password 1")
        .await;

    let held = app.get_authed("/api/v1/admin/users", &token).await;
    let body = assert_problem(held, StatusCode::FORBIDDEN).await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("/api/v1/auth/password")
    );
    assert_eq!(
        app.get_authed("/api/v1/auth/me", &token).await.status(),
        StatusCode::OK
    );

    let changed = app
        .post_json_authed(
            "/api/v1/auth/password",
            &token,
            &json!({ "current_password": "initial password 1", "new_password": "my own password 2" }),
        )
        .await;
    assert_eq!(changed.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get_authed("/api/v1/admin/users", &token).await.status(),
        StatusCode::OK
    );
}
