//! What an admin client (the web app) needs from the API: what the caller may do, in
//! general and per item, and a Markdown preview rendered as publishing renders it.

use buysocial::domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::delivery::{create, publish, read};
use crate::helpers::{Backend, TestApp, assert_problem, backend_tests};

backend_tests!(
    me_says_what_the_caller_may_do,
    items_say_what_the_caller_may_do_to_them,
    the_markdown_preview_is_what_publishing_renders,
    the_markdown_preview_is_refused_to_others_and_bounded,
    lists_narrow_to_the_callers_countries_and_eu_wide_items,
);

async fn me(app: &TestApp, token: &str) -> Value {
    let response = app.get_authed("/api/v1/auth/me", token).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn me_says_what_the_caller_may_do(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let all = &me(&app, &admin).await["permissions"];
    for flag in [
        "manage_users",
        "manage_tokens",
        "manage_sites",
        "manage_webhooks",
        "read_audit",
        "read_registrations",
        "create_content",
        "publish",
        "eu_wide",
        "upload_assets",
        "manage_assets",
    ] {
        assert_eq!(all[flag], true, "{flag}");
    }
    assert_eq!(all["countries"].as_array().unwrap().len(), 27);

    let editor = app
        .scoped_user_token("editor@example.be", Role::Editor, &["BE"], &["fr", "nl"])
        .await;
    let belgian = &me(&app, &editor).await["permissions"];
    assert_eq!(
        belgian,
        &json!({ "manage_users": false, "manage_tokens": false, "manage_sites": false,
                 "manage_webhooks": false,
                 "read_audit": false, "read_registrations": true,
                 "upload_assets": true, "manage_assets": true,
                 "create_content": true, "publish": true, "eu_wide": false,
                 "countries": ["BE"], "locales": ["fr", "nl"] })
    );
    let author = app
        .scoped_user_token("author@example.be", Role::Author, &["BE"], &["fr"])
        .await;
    let writes = &me(&app, &author).await["permissions"];
    assert_eq!(writes["create_content"], true);
    assert_eq!(writes["publish"], false);
    let viewer = app
        .scoped_user_token("viewer@example.eu", Role::Viewer, &[], &[])
        .await;
    let reads = &me(&app, &viewer).await["permissions"];
    assert_eq!(reads["create_content"], false);
    assert_eq!(reads["locales"], json!([]));
    let (_, delivery) = app
        .api_token(&admin, json!({ "name": "frontend", "kind": "delivery" }))
        .await;
    let nothing = &me(&app, &delivery).await["permissions"];
    assert_eq!(nothing["create_content"], false);
    assert_eq!(nothing["manage_users"], false);
}

async fn items_say_what_the_caller_may_do_to_them(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let eu_wide = create(
        &app,
        &admin,
        "news",
        json!({ "translation": { "locale": "en", "title": "Call to buyers" } }),
    )
    .await;
    publish(&app, &admin, "news", &eu_wide, "en").await;
    let path = format!("/api/v1/admin/news/{eu_wide}");

    let full = app
        .get_authed(&path, &admin)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(full["permissions"]["edit_fields"], true);
    assert_eq!(full["permissions"]["trash"], true);
    assert_eq!(
        full["permissions"]["publish_locales"]
            .as_array()
            .unwrap()
            .len(),
        24
    );

    let editor = app
        .scoped_user_token("editor@example.be", Role::Editor, &["BE"], &["fr", "nl"])
        .await;
    let seen = app
        .get_authed(&path, &editor)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(
        seen["permissions"],
        json!({ "edit_fields": false, "trash": false,
                "write_locales": ["fr", "nl"], "publish_locales": ["fr", "nl"] }),
        "an EU-wide item: the Belgian editor translates it into French and Dutch only"
    );
    // What the permissions say is what the server does.
    let english = app
        .send_if_match(
            Method::PUT,
            &format!("{path}/translations/en"),
            &editor,
            Some("\"t1\""),
            &json!({ "title": "x" }),
        )
        .await;
    assert_eq!(english.status(), StatusCode::FORBIDDEN);
    let french = app
        .send(
            Method::PUT,
            &format!("{path}/translations/fr"),
            Some(&editor),
            Some(&json!({ "title": "Appel aux acheteurs" })),
        )
        .await;
    assert_eq!(french.status(), StatusCode::OK);
    let saved: Value = french.json().await.unwrap();
    assert_eq!(
        saved["permissions"]["write_locales"],
        json!(["fr", "nl"]),
        "every item answer says it"
    );

    let author = app
        .scoped_user_token("author@example.be", Role::Author, &["BE"], &["fr"])
        .await;
    let drafts = app
        .get_authed(&path, &author)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(drafts["permissions"]["write_locales"], json!(["fr"]));
    assert_eq!(drafts["permissions"]["publish_locales"], json!([]));
    let refused = app
        .send(
            Method::POST,
            &format!("{path}/translations/fr/publish"),
            Some(&author),
            None,
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

async fn the_markdown_preview_is_what_publishing_renders(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let body = "## Programme\n\n* 09:30 welcome\n\n<script>alert(1)</script>\n\n[link](javascript:alert(1))\n\n| a |\n|---|\n| b |";
    let response = app
        .post_json_authed(
            "/api/v1/admin/markdown",
            &admin,
            &json!({ "markdown": body }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let preview: Value = response.json().await.unwrap();
    let html = preview["html"].as_str().unwrap();
    assert!(html.contains("<h2>Programme</h2>"), "{html}");
    assert!(
        !html.contains("<script") && !html.contains("javascript:"),
        "{html}"
    );

    let id = create(
        &app,
        &admin,
        "news",
        json!({ "translation": { "locale": "en", "title": "Programme", "body": body } }),
    )
    .await;
    publish(&app, &admin, "news", &id, "en").await;
    let published = read(&app, "/api/v1/news/programme?locale=en").await;
    assert_eq!(published["body_html"], preview["html"]);
}

async fn the_markdown_preview_is_refused_to_others_and_bounded(backend: Backend) {
    let app = TestApp::builder(backend)
        .with(|s| s.content.max_body_bytes = 100)
        .spawn()
        .await;
    let admin = app.admin_token().await;
    let viewer = app
        .scoped_user_token("viewer@example.eu", Role::Viewer, &[], &[])
        .await;
    let text = json!({ "markdown": "*fine*" });
    let allowed = app
        .post_json_authed("/api/v1/admin/markdown", &viewer, &text)
        .await;
    assert_eq!(
        allowed.status(),
        StatusCode::OK,
        "whoever reads content may preview"
    );
    let (_, delivery) = app
        .api_token(&admin, json!({ "name": "frontend", "kind": "delivery" }))
        .await;
    assert_problem(
        app.post_json_authed("/api/v1/admin/markdown", &delivery, &text)
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        app.post_json("/api/v1/admin/markdown", &text).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let problem = assert_problem(
        app.post_json_authed(
            "/api/v1/admin/markdown",
            &admin,
            &json!({ "markdown": "x".repeat(101) }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "markdown");
}

async fn lists_narrow_to_the_callers_countries_and_eu_wide_items(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    for (countries, title) in [
        (json!(["BE"]), "Brussels"),
        (json!(["LT"]), "Vilnius"),
        (json!([]), "EU-wide"),
        (json!(["BE", "LT"]), "Both"),
    ] {
        create(
            &app,
            &admin,
            "news",
            json!({ "countries": countries, "translation": { "locale": "en", "title": title } }),
        )
        .await;
    }
    let titles = |list: Value| -> Vec<String> {
        let mut found: Vec<String> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["translations"][0]["title"].as_str().unwrap().to_owned())
            .collect();
        found.sort();
        found
    };
    let editor = app
        .scoped_user_token("editor@example.be", Role::Editor, &["BE"], &["fr", "nl"])
        .await;
    let mine = app
        .get_authed("/api/v1/admin/news?in_scope=true", &editor)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(titles(mine), ["Both", "Brussels", "EU-wide"]);
    let all = app
        .get_authed("/api/v1/admin/news", &editor)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(
        all["page"]["total"], 4,
        "reading is not narrowed unless asked"
    );
    let everything = app
        .get_authed("/api/v1/admin/news?in_scope=true", &admin)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(
        everything["page"]["total"], 4,
        "a scope of all countries has every item"
    );
}
