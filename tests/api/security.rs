//! Findings of the security review (issue 22), each through HTTP, both ways: files are
//! changed only within the scope of what uses them, an admin has no scope, offboarding
//! stops automation tokens, IPv6 clients count by network, the API docs carry a policy,
//! webhooks refuse non-global IPv6, uncached search is limited, and web addresses in
//! content are normalised.

use base64::Engine as _;
use buysocial::domain::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::assets::{created, upload_raw};
use crate::helpers::{Backend, TestApp, assert_problem, backend_tests, find_in};

backend_tests!(
    file_metadata_and_deletes_follow_the_scope_of_what_uses_the_file,
    unused_files_belong_to_the_countries_of_their_uploader,
    a_renamed_file_keeps_answering_under_its_old_name,
    an_admin_takes_no_scope_as_user_or_token,
    disabling_or_deleting_someone_revokes_their_automation_tokens_only,
    ipv6_clients_share_the_login_throttle_of_their_network,
    the_api_docs_allow_only_their_own_scripts_and_cannot_be_framed,
    webhooks_refuse_ipv6_addresses_that_are_not_global,
    uncached_searches_are_limited_per_address_and_per_token,
    event_addresses_are_stored_normalised_and_others_refused,
    errors_do_not_name_framework_internals,
    failed_logins_keep_only_emails_that_name_an_account,
);

/// The suite's small PDF: these tests are about who may change a file, not its type.
fn sample_pdf() -> Vec<u8> {
    crate::assets::pdf(2000)
}

async fn file_metadata_and_deletes_follow_the_scope_of_what_uses_the_file(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let belgian = app
        .scoped_user_token("be@example.org", Role::Editor, &["BE"], &["fr"])
        .await;
    let lithuanian = app
        .scoped_user_token("lt@example.org", Role::Editor, &["LT"], &["lt"])
        .await;
    let file = created(upload_raw(&app, &lithuanian, "skaidres.pdf", sample_pdf()).await).await;
    let file_id = file["id"].as_str().unwrap().to_owned();
    let material = crate::delivery::create(
        &app,
        &lithuanian,
        "materials",
        json!({ "countries": ["LT"], "fields": { "material_kind": "presentation" },
                "translation": { "locale": "lt", "title": "Skaidrės", "slug": "skaidres", "file_asset_id": file_id } }),
    )
    .await;
    crate::delivery::publish(&app, &admin, "materials", &material, "lt").await;
    let path = format!("/api/v1/admin/assets/{file_id}");

    for change in [
        json!({ "alt": "changed from Belgium" }),
        json!({ "title": "Belgian title" }),
        json!({ "file_name": "renamed.pdf" }),
    ] {
        assert_problem(
            app.patch_json_authed(&path, &belgian, &change).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    assert_problem(
        app.delete_authed(&path, &belgian).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let unchanged: Value = app.get_json(&path, &admin).await;
    assert_eq!(unchanged["asset"]["file_name"], "skaidres.pdf");
    assert_eq!(unchanged["asset"]["alt"], "");

    let allowed = app
        .patch_json_authed(&path, &lithuanian, &json!({ "alt": "Skaidrės" }))
        .await;
    assert_eq!(
        allowed.status(),
        StatusCode::OK,
        "the scope of every use covers it"
    );
    let refusals = app.audit(&admin, "action=permission.denied").await;
    assert!(
        refusals
            .iter()
            .any(|e| e["actor_label"] == "be@example.org"),
        "refusals are recorded"
    );
}

async fn unused_files_belong_to_the_countries_of_their_uploader(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let belgian = app
        .scoped_user_token("be@example.org", Role::Editor, &["BE"], &["fr"])
        .await;
    let lithuanian = app
        .scoped_user_token("lt@example.org", Role::Editor, &["LT"], &["lt"])
        .await;
    let upload = |token: String, name: &'static str| {
        let app = &app;
        async move { created(upload_raw(app, &token, name, sample_pdf()).await).await }
    };
    let theirs = upload(lithuanian.clone(), "lt.pdf").await;
    let ours = upload(belgian.clone(), "be.pdf").await;
    let path = |asset: &Value| format!("/api/v1/admin/assets/{}", asset["id"].as_str().unwrap());

    assert_problem(
        app.patch_json_authed(&path(&theirs), &belgian, &json!({ "title": "mine now" }))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        app.delete_authed(&path(&theirs), &belgian).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(
        app.patch_json_authed(&path(&ours), &belgian, &json!({ "title": "Slides" }))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.delete_authed(&path(&ours), &belgian).await.status(),
        StatusCode::NO_CONTENT
    );

    // A file whose uploader is unknown (gone): admins only.
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let orphan = upload(lithuanian.clone(), "orphan.pdf").await;
    entity::asset::Entity::update_many()
        .col_expr(
            entity::asset::Column::UploadedBy,
            Expr::value(None::<uuid::Uuid>),
        )
        .filter(
            entity::asset::Column::Id.eq(orphan["id"]
                .as_str()
                .unwrap()
                .parse::<uuid::Uuid>()
                .unwrap()),
        )
        .exec(&app.state.db)
        .await
        .unwrap();
    assert_problem(
        app.delete_authed(&path(&orphan), &lithuanian).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(
        app.delete_authed(&path(&orphan), &admin).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.delete_authed(&path(&theirs), &lithuanian)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
}

async fn a_renamed_file_keeps_answering_under_its_old_name(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let file = created(upload_raw(&app, &admin, "slides.pdf", sample_pdf()).await).await;
    let id = file["id"].as_str().unwrap().to_owned();
    let material = crate::delivery::create(
        &app,
        &admin,
        "materials",
        json!({ "fields": { "material_kind": "presentation" },
                "translation": { "locale": "en", "title": "Slides", "slug": "slides", "file_asset_id": id } }),
    )
    .await;
    crate::delivery::publish(&app, &admin, "materials", &material, "en").await;
    let renamed = app
        .patch_json_authed(
            &format!("/api/v1/admin/assets/{id}"),
            &admin,
            &json!({ "file_name": "SRPP training.pdf" }),
        )
        .await;
    assert_eq!(renamed.status(), StatusCode::OK);

    let old = app.get(&format!("/api/v1/files/{id}/slides.pdf")).await;
    assert_eq!(old.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(
        old.headers()["location"],
        format!("/api/v1/files/{id}/SRPP%20training.pdf").as_str()
    );
    // A client that follows redirects, as browsers and frontends do.
    let followed = reqwest::get(app.url(&format!("/api/v1/files/{id}/slides.pdf")))
        .await
        .unwrap();
    assert_eq!(followed.status(), StatusCode::OK);
    assert_eq!(followed.bytes().await.unwrap().to_vec(), sample_pdf());

    // A draft's file redirects only those who may see it.
    let draft_file = created(upload_raw(&app, &admin, "draft.pdf", sample_pdf()).await).await;
    let draft_id = draft_file["id"].as_str().unwrap();
    let hidden = app
        .get(&format!("/api/v1/files/{draft_id}/old-name.pdf"))
        .await;
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
}

async fn an_admin_takes_no_scope_as_user_or_token(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let scoped = json!({ "countries": ["BE"], "locales": ["fr"] });
    let user = app
        .post_json_authed(
            "/api/v1/admin/users",
            &admin,
            &json!({ "email": "be-admin@example.org", "role": "admin", "scope": scoped,
                     "password": "a long enough password" }),
        )
        .await;
    let problem = assert_problem(user, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["errors"][0]["field"], "scope");
    let token = app
        .post_json_authed(
            "/api/v1/admin/tokens",
            &admin,
            &json!({ "name": "BE automation", "kind": "admin", "role": "admin", "scope": scoped }),
        )
        .await;
    let problem = assert_problem(token, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["errors"][0]["field"], "scope");

    // The other roles keep their scope, and an admin without one is fine.
    app.api_token(
        &admin,
        json!({ "name": "BE editor bot", "kind": "admin", "role": "editor", "scope": scoped }),
    )
    .await;
    let response = app
        .post_json_authed(
            "/api/v1/admin/users",
            &admin,
            &json!({ "email": "be@example.org", "role": "editor", "scope": scoped,
                     "password": "a long enough password" }),
        )
        .await;
    let editor: Value = crate::assets::created(response).await;
    let path = format!("/api/v1/admin/users/{}", editor["id"].as_str().unwrap());
    let promoted = app
        .patch_json_authed(&path, &admin, &json!({ "role": "admin" }))
        .await;
    assert_problem(promoted, StatusCode::UNPROCESSABLE_ENTITY).await;
    let unchanged: Value = app.get_json(&path, &admin).await;
    assert_eq!(unchanged["role"], "editor");
    let promoted = app
        .patch_json_authed(
            &path,
            &admin,
            &json!({ "role": "admin", "scope": { "countries": [], "locales": [] } }),
        )
        .await;
    assert_eq!(promoted.status(), StatusCode::OK);
    let promoted: Value = promoted.json().await.unwrap();
    assert_eq!(promoted["scope"], json!({ "countries": [], "locales": [] }));
}

async fn disabling_or_deleting_someone_revokes_their_automation_tokens_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    app.create_user("second@example.org", Role::Admin, "second admin password")
        .await;
    let second = app
        .login_token("second@example.org", "second admin password")
        .await;
    let (_, automation) = app
        .api_token(
            &second,
            json!({ "name": "Importer", "kind": "admin", "role": "editor" }),
        )
        .await;
    let (_, site) = app
        .api_token(
            &second,
            json!({ "name": "Belgian site", "kind": "delivery" }),
        )
        .await;
    assert_eq!(
        app.get_authed("/api/v1/admin/board", &automation)
            .await
            .status(),
        StatusCode::OK
    );

    let users: Value = app.get_json("/api/v1/admin/users?role=admin", &admin).await;
    let second_user = find_in(&users, "email", "second@example.org");
    assert_eq!(second_user["admin_tokens"], 1, "said before disabling");
    let path = format!(
        "/api/v1/admin/users/{}",
        second_user["id"].as_str().unwrap()
    );
    let disabled = app
        .patch_json_authed(&path, &admin, &json!({ "disabled": true }))
        .await;
    assert_eq!(disabled.status(), StatusCode::OK);
    assert_eq!(disabled.json::<Value>().await.unwrap()["admin_tokens"], 0);

    assert_problem(
        app.get_authed("/api/v1/admin/board", &automation).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(
        app.get_authed("/api/v1/news?locale=en", &site)
            .await
            .status(),
        StatusCode::OK,
        "the national site keeps reading"
    );
    let tokens: Value = app.get_json("/api/v1/admin/tokens", &admin).await;
    let site_token = find_in(&tokens, "name", "Belgian site");
    assert_eq!(site_token["creator_left"], true);
    assert_eq!(site_token["revoked_at"], Value::Null);
    let entry = &app.audit(&admin, "action=user.update").await[0];
    assert_eq!(
        entry["details"]["revoked_admin_tokens"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Demoting an admin does the same: their automation tokens acted as an admin made them.
    app.patch_json_authed(&path, &admin, &json!({ "disabled": false }))
        .await;
    let back = app
        .login_token("second@example.org", "second admin password")
        .await;
    let (_, made) = app
        .api_token(
            &back,
            json!({ "name": "Syncer", "kind": "admin", "role": "editor" }),
        )
        .await;
    let demoted = app
        .patch_json_authed(&path, &admin, &json!({ "role": "editor" }))
        .await;
    assert_eq!(demoted.status(), StatusCode::OK);
    assert_problem(
        app.get_authed("/api/v1/admin/board", &made).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    app.patch_json_authed(&path, &admin, &json!({ "role": "admin" }))
        .await;
    // Deleting does the same for tokens made while enabled again.
    app.patch_json_authed(&path, &admin, &json!({ "disabled": false }))
        .await;
    let again = app
        .login_token("second@example.org", "second admin password")
        .await;
    let (_, another) = app
        .api_token(
            &again,
            json!({ "name": "Exporter", "kind": "admin", "role": "viewer" }),
        )
        .await;
    assert_eq!(
        app.delete_authed(&path, &admin).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_problem(
        app.get_authed("/api/v1/admin/board", &another).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

async fn ipv6_clients_share_the_login_throttle_of_their_network(backend: Backend) {
    let app = TestApp::builder(backend)
        .with(|s| s.server.trust_proxy_headers = true)
        .spawn()
        .await;
    let login_from = |address: String, password: &'static str| {
        let app = &app;
        async move {
            app.client
                .post(app.url("/api/v1/auth/login"))
                .header("x-forwarded-for", address)
                .json(&json!({ "email": crate::helpers::ADMIN_EMAIL, "password": password }))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    // Five wrong passwords, each from another address of one /64.
    for n in 1..=5 {
        let status = login_from(format!("2001:db8:1:2::{n:x}"), "wrong").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        login_from(
            "2001:db8:1:2:ffff::1".into(),
            crate::helpers::ADMIN_PASSWORD
        )
        .await,
        StatusCode::TOO_MANY_REQUESTS,
        "the whole network is one client"
    );
    assert_eq!(
        login_from("2001:db8:1:3::1".into(), crate::helpers::ADMIN_PASSWORD).await,
        StatusCode::OK,
        "the account's owner elsewhere is not locked out"
    );
}

async fn the_api_docs_allow_only_their_own_scripts_and_cannot_be_framed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = app.get("/api/docs").await;
    assert_eq!(response.status(), StatusCode::OK);
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(response.headers()["x-frame-options"], "DENY");
    let page = response.text().await.unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{csp}"
    );
    // Each block runs from its tag to the first `</script>` (Swagger UI's code mentions
    // `<script` in strings, never the closing tag).
    let mut scripts = Vec::new();
    let mut rest = page.as_str();
    while let Some(start) = rest.find("<script") {
        let body = &rest[start..];
        let body = &body[body.find('>').unwrap() + 1..];
        let end = body.find("</script>").unwrap();
        scripts.push(&body[..end]);
        rest = &body[end..];
    }
    assert_eq!(scripts.len(), 2, "Swagger UI and its start-up code");
    for script in scripts {
        let hash =
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script.as_bytes()));
        assert!(
            csp.contains(&format!("'sha256-{hash}'")),
            "a script is not allowed"
        );
    }
}

async fn webhooks_refuse_ipv6_addresses_that_are_not_global(backend: Backend) {
    let app = TestApp::builder(backend)
        .with(|s| s.webhooks.allow_private_addresses = false)
        .spawn()
        .await;
    let admin = app.admin_token().await;
    for url in [
        "http://[fec0::1]/hook",
        "http://[2001::1]/hook",
        "http://[2001:0:4136:e378::1]/hook",
    ] {
        let response = app
            .post_json_authed(
                "/api/v1/admin/webhooks",
                &admin,
                &json!({ "name": "Internal", "url": url, "events": ["translation.published"] }),
            )
            .await;
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(problem["errors"][0]["field"], "url", "{url}: {problem}");
    }
}

async fn uncached_searches_are_limited_per_address_and_per_token(backend: Backend) {
    let app = TestApp::builder(backend)
        .with(|s| {
            s.delivery.searches_per_address_per_minute = 4;
            s.delivery.searches_per_token_per_minute = 5;
        })
        .spawn()
        .await;
    let admin = app.admin_token().await;
    let search = |q: &'static str, token: Option<String>| {
        let app = &app;
        async move {
            let path = format!("/api/v1/search?locale=en&q={q}");
            match token {
                Some(token) => app.get_authed(&path, &token).await.status(),
                None => app.get(&path).await.status(),
            }
        }
    };
    // One query does a bounded amount of work: at most eight words.
    let many_words = app
        .get("/api/v1/search?locale=en&q=a+b+c+d+e+f+g+h+i")
        .await;
    let problem = assert_problem(many_words, StatusCode::BAD_REQUEST).await;
    assert_eq!(problem["errors"][0]["field"], "q");
    for q in ["one", "two", "three"] {
        assert_eq!(search(q, None).await, StatusCode::OK);
    }
    assert_eq!(
        search("one", None).await,
        StatusCode::OK,
        "a cached answer does not count"
    );
    assert_eq!(search("four", None).await, StatusCode::TOO_MANY_REQUESTS);
    let (_, frontend) = app
        .api_token(&admin, json!({ "name": "Frontend", "kind": "delivery" }))
        .await;
    for q in ["five", "six", "seven", "eight", "nine"] {
        assert_eq!(
            search(q, Some(frontend.clone())).await,
            StatusCode::OK,
            "{q}"
        );
    }
    assert_eq!(
        search("ten", Some(frontend.clone())).await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

async fn event_addresses_are_stored_normalised_and_others_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let event = |online_url: &str, registration_url: &str| {
        json!({ "countries": ["LT"], "fields": {
            "online_url": online_url, "starts_at": "2027-05-23T09:30:00+03:00",
            "ends_at": "2027-05-23T16:30:00+03:00", "time_zone": "Europe/Vilnius",
            "registration_mode": "external", "registration_url": registration_url },
            "translation": { "locale": "lt", "title": "Mokymai" } })
    };
    let refused = app
        .post_json_authed(
            "/api/v1/admin/events",
            &admin,
            &event("javascript:alert(1)", "https://ok.example/\t\"><script>"),
        )
        .await;
    let problem = assert_problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["fields.online_url", "fields.registration_url"]);
    let id = crate::delivery::create(
        &app,
        &admin,
        "events",
        event(
            "https://meet.example/j/1?\"onmouseover=\"x",
            "https://forms.example/<script>alert(1)</script>",
        ),
    )
    .await;
    let item: Value = app
        .get_json(&format!("/api/v1/admin/events/{id}"), &admin)
        .await;
    assert_eq!(
        item["fields"]["online_url"],
        "https://meet.example/j/1?%22onmouseover=%22x"
    );
    assert_eq!(
        item["fields"]["registration_url"],
        "https://forms.example/%3Cscript%3Ealert(1)%3C/script%3E"
    );
}

async fn errors_do_not_name_framework_internals(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    for path in [
        "/api/v1/admin/news/not-a-uuid",
        "/api/v1/admin/news/not-a-uuid/translations/en",
        "/api/v1/files/not-a-uuid/a.pdf",
        "/api/v1/admin/assets/123",
    ] {
        let response = app.get_authed(path, &admin).await;
        let status = response.status();
        assert!(status.is_client_error(), "{path}: {status}");
        let body = response.text().await.unwrap();
        assert!(
            !body.contains("param") && !body.contains("failed to parse"),
            "{path}: {body}"
        );
    }
}

async fn failed_logins_keep_only_emails_that_name_an_account(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    app.login("my secret password typed as email", "x").await;
    app.login(crate::helpers::ADMIN_EMAIL, "wrong").await;
    let failures = app.audit(&admin, "action=auth.login").await;
    let labels: Vec<&str> = failures
        .iter()
        .filter(|e| e["outcome"] == "failure")
        .map(|e| e["actor_label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, [crate::helpers::ADMIN_EMAIL, "an unknown email"]);
}
