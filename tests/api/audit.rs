//! `/api/v1/admin/audit`: writes, logins and refusals leave entries; admins read them.

use buysocial::domain::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::delivery::{create, publish};
use crate::helpers::{ADMIN_EMAIL, Backend, TestApp, assert_problem, backend_tests};
use crate::registrations::{event, person, register};

backend_tests!(
    the_audit_log_shows_logins_writes_and_refusals,
    the_audit_log_filters_by_actor_action_resource_and_time,
    the_audit_log_is_read_only,
    each_entry_names_who_acted_as_they_were_then_and_what_it_concerns,
);

fn actions(entries: &[Value]) -> Vec<(String, String)> {
    entries
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn the_audit_log_shows_logins_writes_and_refusals(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login(ADMIN_EMAIL, "not the password at all").await;
    let admin = app.admin_token().await;
    let editor = app
        .post_json_authed(
            "/api/v1/admin/users",
            &admin,
            &json!({ "email": "be@example.org", "role": "editor", "scope": { "countries": ["BE"], "locales": ["fr", "nl"] },
                     "password": "a long password 1" }),
        )
        .await;
    let editor_id = editor.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let be = app.login_token("be@example.org", "a long password 1").await;
    assert_problem(
        app.get_authed("/api/v1/admin/users", &be).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let (token_id, _) = app
        .api_token(&admin, json!({ "name": "frontend", "kind": "delivery" }))
        .await;
    app.delete_authed(&format!("/api/v1/admin/tokens/{token_id}"), &admin)
        .await;
    app.post_json_authed("/api/v1/auth/logout", &be, &json!({}))
        .await;

    let entries = app.audit(&admin, "").await;

    assert_eq!(
        actions(&entries),
        [
            ("auth.logout", "success"),
            ("token.revoke", "success"),
            ("token.create", "success"),
            ("permission.denied", "denied"),
            ("auth.login", "success"),
            ("user.create", "success"),
            ("auth.login", "success"),
            ("auth.login", "failure"),
        ]
        .map(|(a, o)| (a.to_owned(), o.to_owned()))
    );
    let refusal = &entries[3];
    assert_eq!(refusal["actor_label"], "be@example.org");
    assert_eq!(refusal["actor_id"], editor_id.as_str());
    assert_eq!(refusal["resource_kind"], "user");
    assert_eq!(refusal["details"]["permission"], "users:manage");
    assert_eq!(refusal["client_addr"], "127.0.0.1");
    let failed_login = &entries[7];
    assert_eq!(failed_login["actor_kind"], "anonymous");
    assert_eq!(failed_login["actor_label"], ADMIN_EMAIL);
    let created = &entries[5];
    assert_eq!(created["resource_id"], editor_id.as_str());
    assert_eq!(created["details"]["role"], "editor");
}

async fn the_audit_log_filters_by_actor_action_resource_and_time(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let viewer = app
        .scoped_user_token("viewer@example.org", Role::Viewer, &[], &[])
        .await;
    let me: Value = app
        .get_authed("/api/v1/auth/me", &viewer)
        .await
        .json()
        .await
        .unwrap();
    let viewer_id = me["user"]["id"].as_str().unwrap().to_owned();
    app.get_authed("/api/v1/admin/tokens", &viewer).await;
    let site =
        json!({ "code": "pt", "name": "Portugal", "locales": ["pt"], "default_locale": "pt" });
    app.post_json_authed("/api/v1/admin/sites", &admin, &site)
        .await;

    let by_viewer = app.audit(&admin, &format!("actor={viewer_id}")).await;
    assert_eq!(
        actions(&by_viewer),
        [
            ("permission.denied".into(), "denied".into()),
            ("auth.login".into(), "success".into())
        ]
    );
    let sites = app.audit(&admin, "resource=site").await;
    assert_eq!(actions(&sites), [("site.create".into(), "success".into())]);
    let logins = app.audit(&admin, "action=auth.login").await;
    assert_eq!(logins.len(), 2);
    let future = app.audit(&admin, "from=2999-01-01T00:00:00Z").await;
    assert!(future.is_empty());
    let past = app.audit(&admin, "to=2000-01-01T00:00:00Z").await;
    assert!(past.is_empty());
    let paged: Value = app
        .get_authed("/api/v1/admin/audit?per_page=2", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(paged["items"].as_array().unwrap().len(), 2);
    assert!(paged["page"]["total"].as_u64().unwrap() >= 4);
    assert_problem(
        app.get_authed("/api/v1/admin/audit?actor=nobody", &admin)
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
}

async fn the_audit_log_is_read_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;

    for method in [
        reqwest::Method::POST,
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
        reqwest::Method::PATCH,
    ] {
        let response = app
            .send(
                method,
                "/api/v1/admin/audit",
                Some(&admin),
                Some(&json!({})),
            )
            .await;
        assert_problem(response, StatusCode::METHOD_NOT_ALLOWED).await;
    }
}

async fn each_entry_names_who_acted_as_they_were_then_and_what_it_concerns(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let created: Value = app
        .post_json_authed(
            "/api/v1/admin/users",
            &admin,
            &json!({ "email": "be@example.org", "display_name": "Els Peeters", "role": "editor",
                     "scope": { "countries": ["BE"], "locales": ["fr", "nl"] }, "password": "a long password 1" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let user_id = created["id"].as_str().unwrap().to_owned();
    let editor = app.login_token("be@example.org", "a long password 1").await;
    let id = create(
        &app,
        &editor,
        "news",
        json!({ "countries": ["BE"], "translation": { "locale": "fr", "title": "Marchés publics" } }),
    )
    .await;
    publish(&app, &editor, "news", &id, "fr").await;
    // Her role changes later; the log keeps who she was when she published.
    app.patch_json_authed(
        &format!("/api/v1/admin/users/{user_id}"),
        &admin,
        &json!({ "role": "author", "scope": { "countries": ["NL"] } }),
    )
    .await;
    let (slug, event_id) = event(&app, &admin, "BE", 10, json!({})).await;
    register(&app, &slug, &person("jan@example.be")).await;
    let registrations: Value = app
        .get_authed(
            &format!("/api/v1/admin/events/{event_id}/registrations"),
            &admin,
        )
        .await
        .json()
        .await
        .unwrap();
    let rid = registrations[0]["id"].as_str().unwrap();
    app.delete_authed(
        &format!("/api/v1/admin/events/{event_id}/registrations/{rid}"),
        &admin,
    )
    .await;

    let published = &app.audit(&admin, "action=content.publish").await;
    let mine = published
        .iter()
        .find(|e| e["actor_id"] == user_id.as_str())
        .expect("her publication is logged");
    assert_eq!(mine["actor_name"], "Els Peeters");
    assert_eq!(mine["actor_role"], "editor");
    assert_eq!(mine["actor_countries"], json!(["BE"]));
    assert_eq!(mine["locale"], "fr");
    assert_eq!(
        mine["item"],
        json!({ "kind": "news", "id": id, "title": "Marchés publics" })
    );

    let changed = &app.audit(&admin, "action=user.update").await[0];
    assert_eq!(changed["resource_label"], "Els Peeters <be@example.org>");
    assert_eq!(changed["actor_role"], "admin");
    assert_eq!(changed["actor_countries"], json!([]));

    let erased = &app.audit(&admin, "action=registration.erase").await[0];
    assert_eq!(erased["item"]["kind"], "event");
    assert_eq!(erased["item"]["id"], event_id.as_str());
    assert!(
        erased["item"]["title"]
            .as_str()
            .unwrap()
            .starts_with("Training BE")
    );
    let text = erased.to_string();
    assert!(
        !text.contains("jan@example.be") && !text.contains("Ana Silva"),
        "{text}"
    );

    // A failed login has no standing to record.
    app.login("nobody@example.org", "wrong password here").await;
    let failed = &app.audit(&admin, "action=auth.login").await[0];
    assert_eq!(failed["actor_kind"], "anonymous");
    assert_eq!(failed["actor_role"], Value::Null);
    assert_eq!(failed["actor_countries"], Value::Null);
}
