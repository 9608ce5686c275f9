//! Outgoing webhooks: registered by admins, signed, retried, in order, never sent to
//! internal addresses, and delivered once per event even with two instances.

use std::time::{Duration, Instant};

use buysocial::domain::Role;
use buysocial::services::webhooks;
use chrono::TimeDelta;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::delivery::{create, publish, translate};
use crate::helpers::receiver::{Receiver, Reply};
use crate::helpers::{Backend, TestApp, assert_problem, backend_tests};

backend_tests!(
    an_admin_registers_a_webhook_and_sees_its_secret_once,
    webhooks_are_for_admins_only,
    internal_addresses_are_refused_when_saved,
    a_publish_reaches_the_receiver_signed_with_the_urls_it_affects,
    the_readme_verifier_accepts_real_calls_and_rejects_forged_and_replayed_ones,
    a_failing_receiver_is_retried_with_backoff_until_it_answers,
    a_delivery_that_keeps_failing_is_marked_failed_and_can_be_redelivered,
    a_send_cut_short_by_a_crash_goes_out_again_with_the_same_id,
    deliveries_of_one_item_keep_their_order,
    a_receiver_that_never_answers_times_out_without_slowing_editors,
    redirects_are_not_followed,
    a_slow_receiver_does_not_take_every_slot,
    an_address_that_turned_internal_is_refused_at_delivery,
    two_instances_deliver_each_event_once,
    filters_pause_and_ping,
    the_outbox_is_emptied_and_the_backlog_is_measured,
);

/// A Belgian site whose frontend shows news at `/{locale}/actualites/{slug}`.
async fn belgian_site(app: &TestApp, admin: &str) {
    let site = json!({ "code": "be", "name": "WeBuySocial Belgium", "countries": ["BE"],
        "locales": ["fr", "nl"], "default_locale": "fr", "fallback": ["en"],
        "routes": [{ "kind": "news", "pattern": "https://webuysocial.be/{locale}/actualites/{slug}" }] });
    let response = app
        .post_json_authed("/api/v1/admin/sites", admin, &site)
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    // The site's own event goes out before the tests' webhooks exist.
    run(app).await;
}

async fn webhook(app: &TestApp, admin: &str, body: Value) -> (String, String) {
    let response = app
        .post_json_authed("/api/v1/admin/webhooks", admin, &body)
        .await;
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "{}",
        response.text().await.unwrap()
    );
    let created: Value = response.json().await.unwrap();
    (
        created["webhook"]["id"].as_str().unwrap().to_owned(),
        created["secret"].as_str().unwrap().to_owned(),
    )
}

async fn belgian_news(app: &TestApp, admin: &str) -> String {
    let id = create(
        app,
        admin,
        "news",
        json!({ "countries": ["BE"], "translation": { "locale": "fr", "title": "Clauses sociales" } }),
    )
    .await;
    publish(app, admin, "news", &id, "fr").await;
    id
}

async fn deliveries(app: &TestApp, admin: &str, hook: &str) -> Vec<Value> {
    let listed: Value = app
        .get_authed(
            &format!("/api/v1/admin/webhooks/{hook}/deliveries?per_page=100"),
            admin,
        )
        .await
        .json()
        .await
        .unwrap();
    listed["items"].as_array().unwrap().clone()
}

async fn run(app: &TestApp) -> usize {
    webhooks::run_once(&app.state).await.unwrap()
}

async fn an_admin_registers_a_webhook_and_sees_its_secret_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let receiver = Receiver::start(vec![]).await;
    let response = app
        .post_json_authed(
            "/api/v1/admin/webhooks",
            &admin,
            &json!({ "name": "Revalidate", "url": receiver.url, "events": ["translation.published"] }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    let id = created["webhook"]["id"].as_str().unwrap();
    assert!(created["secret"].as_str().unwrap().starts_with("whsec_"));
    assert_eq!(
        created["webhook"]["events"],
        json!(["translation.published"])
    );
    let read = app
        .get_authed(&format!("/api/v1/admin/webhooks/{id}"), &admin)
        .await
        .text()
        .await
        .unwrap();
    assert!(!read.contains("whsec_"), "the secret is shown once: {read}");
    let listed: Value = app
        .get_authed("/api/v1/admin/webhooks", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["page"]["total"], 1);
    assert!(!listed.to_string().contains("whsec_"));

    let problem = assert_problem(
        app.post_json_authed(
            "/api/v1/admin/webhooks",
            &admin,
            &json!({ "name": "", "url": "ftp://example.org", "events": ["translation.deleted"], "site": "zz" }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "url", "events[0]", "site"], "{problem}");

    let deleted = app
        .delete_authed(&format!("/api/v1/admin/webhooks/{id}"), &admin)
        .await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.audit(&admin, "action=webhook.create").await.len(), 1);
    assert_eq!(app.audit(&admin, "action=webhook.delete").await.len(), 1);
}

async fn webhooks_are_for_admins_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let editor = app
        .scoped_user_token("editor@example.org", Role::Editor, &[], &[])
        .await;
    let receiver = Receiver::start(vec![]).await;
    let body = json!({ "name": "Revalidate", "url": receiver.url });
    let (id, _) = webhook(&app, &admin, body.clone()).await;
    assert_problem(
        app.post_json_authed("/api/v1/admin/webhooks", &editor, &body)
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    for path in [
        "/api/v1/admin/webhooks".to_owned(),
        format!("/api/v1/admin/webhooks/{id}"),
        format!("/api/v1/admin/webhooks/{id}/deliveries"),
    ] {
        assert_problem(app.get_authed(&path, &editor).await, StatusCode::FORBIDDEN).await;
        assert_eq!(app.get_authed(&path, &admin).await.status(), StatusCode::OK);
    }
    assert_problem(
        app.post_json_authed(
            &format!("/api/v1/admin/webhooks/{id}/ping"),
            &editor,
            &json!({}),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        app.delete_authed(&format!("/api/v1/admin/webhooks/{id}"), &editor)
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let pause = json!({ "paused": true });
    let path = format!("/api/v1/admin/webhooks/{id}");
    assert_problem(
        app.patch_json_authed(&path, &editor, &pause).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(
        app.patch_json_authed(&path, &admin, &pause).await.status(),
        StatusCode::OK
    );
    // A ping goes out and says how it went; sending it again is for admins too.
    let ping: Value = app
        .post_json_authed(&format!("{path}/ping"), &admin, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    let redeliver = format!(
        "{path}/deliveries/{}/redeliver",
        ping["id"].as_str().unwrap()
    );
    assert_problem(
        app.post_json_authed(&redeliver, &editor, &json!({})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(
        app.post_json_authed(&redeliver, &admin, &json!({}))
            .await
            .status(),
        StatusCode::OK
    );
    // It waits to be sent (paused) and is not queued twice.
    assert_problem(
        app.post_json_authed(&redeliver, &admin, &json!({})).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_problem(
        app.get("/api/v1/admin/webhooks").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let me: Value = app
        .get_authed("/api/v1/auth/me", &editor)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["permissions"]["manage_webhooks"], false);
    let me: Value = app
        .get_authed("/api/v1/auth/me", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["permissions"]["manage_webhooks"], true);
}

async fn internal_addresses_are_refused_when_saved(backend: Backend) {
    let app = TestApp::builder(backend)
        .with(|s| s.webhooks.allow_private_addresses = false)
        .spawn()
        .await;
    let admin = app.admin_token().await;
    for url in [
        "http://127.0.0.1:9/hook",
        "http://10.0.0.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://localhost:8080/hook",
    ] {
        let problem = assert_problem(
            app.post_json_authed(
                "/api/v1/admin/webhooks",
                &admin,
                &json!({ "name": "x", "url": url }),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(problem["errors"][0]["field"], "url", "{url}");
        assert!(
            problem["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("not a public address"),
            "{url}: {problem}"
        );
    }
}

async fn a_publish_reaches_the_receiver_signed_with_the_urls_it_affects(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    belgian_site(&app, &admin).await;
    let receiver = Receiver::start(vec![]).await;
    let (hook, secret) = webhook(
        &app,
        &admin,
        json!({ "name": "Next.js", "url": receiver.url }),
    )
    .await;
    let id = belgian_news(&app, &admin).await;
    run(&app).await;

    let got = receiver.received();
    assert_eq!(
        got.len(),
        1,
        "{:?}",
        got.iter().map(|r| r.body.clone()).collect::<Vec<_>>()
    );
    let call = &got[0];
    let body = call.json();
    assert_eq!(body["type"], "translation.published");
    assert_eq!(
        call.header("buysocial-webhook-event"),
        "translation.published"
    );
    assert_eq!(
        call.header("buysocial-webhook-id"),
        body["id"].as_str().unwrap()
    );
    assert_eq!(call.header("content-type"), "application/json");
    assert_eq!(body["data"]["item_id"], id.as_str());
    assert_eq!(body["data"]["kind"], "news");
    assert_eq!(body["data"]["locale"], "fr");
    assert_eq!(body["data"]["slug"], "clauses-sociales");
    assert_eq!(
        body["sites"],
        json!([{ "site": "be", "urls": ["https://webuysocial.be/fr/actualites/clauses-sociales"] }])
    );
    assert!(body["data"].get("countries").is_none());
    let timestamp: i64 = call.header("buysocial-webhook-timestamp").parse().unwrap();
    assert_eq!(
        call.header("buysocial-webhook-signature"),
        webhooks::sign(&secret, timestamp, &call.body).unwrap()
    );

    // A new slug: the old page and the new one both need rebuilding.
    let path = format!("/api/v1/admin/news/{id}/translations/fr");
    let draft = app
        .send_if_match(
            reqwest::Method::PUT,
            &path,
            &admin,
            Some("\"t1\""),
            &json!({ "title": "Clauses sociales", "slug": "clauses-sociales-2027" }),
        )
        .await;
    assert_eq!(draft.status(), StatusCode::OK);
    publish(&app, &admin, "news", &id, "fr").await;
    run(&app).await;
    let changed = receiver.received()[1].json();
    assert_eq!(changed["type"], "translation.changed");
    assert_eq!(changed["data"]["previous_slug"], "clauses-sociales");
    assert_eq!(
        changed["sites"][0]["urls"],
        json!([
            "https://webuysocial.be/fr/actualites/clauses-sociales-2027",
            "https://webuysocial.be/fr/actualites/clauses-sociales"
        ])
    );
    assert_eq!(
        deliveries(&app, &admin, &hook).await[0]["status"],
        "delivered"
    );
}

/// The README's Python verifier, run as written against what the receiver got.
async fn the_readme_verifier_accepts_real_calls_and_rejects_forged_and_replayed_ones(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let receiver = Receiver::start(vec![]).await;
    let (_, secret) = webhook(&app, &admin, json!({ "name": "n", "url": receiver.url })).await;
    belgian_news(&app, &admin).await;
    run(&app).await;
    let call = receiver.received()[0].clone();
    let timestamp = call.header("buysocial-webhook-timestamp").to_owned();
    let signature = call.header("buysocial-webhook-signature").to_owned();
    let old = (chrono::Utc::now() - TimeDelta::minutes(6)).timestamp();
    let replayed = webhooks::sign(&secret, old, &call.body).unwrap();
    let cases = [
        (
            timestamp.clone(),
            signature.clone(),
            call.body.clone(),
            true,
        ),
        (
            timestamp.clone(),
            signature.clone(),
            call.body.replace("fr", "nl"),
            false,
        ),
        (timestamp, "v1=00".to_owned(), call.body.clone(), false),
        (old.to_string(), replayed, call.body.clone(), false),
    ];
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let code = readme
        .split("```python\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the README shows a Python verifier");
    for (timestamp, signature, body, genuine) in cases {
        let script = format!(
            "{code}\nimport json, sys\nc = json.load(sys.stdin)\nprint(verify(c['secret'], c['headers'], c['body'].encode()))\n"
        );
        let input = json!({ "secret": secret, "body": body, "headers": {
            "buysocial-webhook-timestamp": timestamp, "buysocial-webhook-signature": signature } });
        let mut child = std::process::Command::new("python3")
            .args(["-c", &script])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 runs the README's verifier");
        use std::io::Write as _;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.to_string().as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        let said = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        assert_eq!(said, if genuine { "True" } else { "False" }, "{input}");
    }
}

async fn a_failing_receiver_is_retried_with_backoff_until_it_answers(backend: Backend) {
    let app = TestApp::builder(backend)
        .with(|s| {
            s.webhooks.retry_base_seconds = 60;
            s.webhooks.retry_max_seconds = 600;
        })
        .spawn()
        .await;
    let admin = app.admin_token().await;
    let receiver = Receiver::start(vec![Reply::Status(500), Reply::Status(503)]).await;
    let (hook, _) = webhook(&app, &admin, json!({ "name": "n", "url": receiver.url })).await;
    belgian_news(&app, &admin).await;

    assert_eq!(run(&app).await, 1);
    assert_eq!(run(&app).await, 0, "not due again before its backoff");
    let pending = &deliveries(&app, &admin, &hook).await[0];
    assert_eq!(pending["status"], "pending");
    assert_eq!(pending["last_status_code"], 500);
    app.clock.advance(TimeDelta::seconds(76));
    assert_eq!(run(&app).await, 1);
    app.clock.advance(TimeDelta::seconds(151));
    assert_eq!(run(&app).await, 1);

    let done = &deliveries(&app, &admin, &hook).await[0];
    assert_eq!(done["status"], "delivered");
    let codes: Vec<&Value> = done["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["status_code"])
        .collect();
    assert_eq!(codes, [&json!(500), &json!(503), &json!(200)]);
    assert_eq!(
        done["attempts"][0]["error"],
        "answered 500 Internal Server Error"
    );
    let ids: Vec<String> = receiver
        .received()
        .iter()
        .map(|r| r.header("buysocial-webhook-id").to_owned())
        .collect();
    assert_eq!(ids.len(), 3);
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "every attempt carries the same delivery id"
    );
}

async fn a_delivery_that_keeps_failing_is_marked_failed_and_can_be_redelivered(backend: Backend) {
    let app = TestApp::builder(backend)
        .with(|s| {
            s.webhooks.max_attempts = 2;
            s.webhooks.retry_base_seconds = 1;
            s.webhooks.retry_max_seconds = 1;
        })
        .spawn()
        .await;
    let admin = app.admin_token().await;
    let receiver = Receiver::start(vec![Reply::Status(500), Reply::Status(500)]).await;
    let (hook, _) = webhook(&app, &admin, json!({ "name": "n", "url": receiver.url })).await;
    belgian_news(&app, &admin).await;
    run(&app).await;
    app.clock.advance(TimeDelta::seconds(2));
    run(&app).await;
    let failed = &deliveries(&app, &admin, &hook).await[0];
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["next_attempt_at"], Value::Null);
    app.clock.advance(TimeDelta::seconds(60));
    assert_eq!(
        run(&app).await,
        0,
        "a failed delivery is not retried by itself"
    );

    let id = failed["id"].as_str().unwrap();
    let again = app
        .post_json_authed(
            &format!("/api/v1/admin/webhooks/{hook}/deliveries/{id}/redeliver"),
            &admin,
            &json!({}),
        )
        .await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(again.json::<Value>().await.unwrap()["status"], "pending");
    run(&app).await;
    let delivered = &deliveries(&app, &admin, &hook).await[0];
    assert_eq!(delivered["status"], "delivered");
    assert_eq!(delivered["attempts"].as_array().unwrap().len(), 3);
    assert_eq!(
        receiver
            .received()
            .last()
            .unwrap()
            .header("buysocial-webhook-id"),
        id
    );
    assert_problem(
        app.post_json_authed(
            &format!(
                "/api/v1/admin/webhooks/{hook}/deliveries/{}/redeliver",
                uuid::Uuid::new_v4()
            ),
            &admin,
            &json!({}),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

async fn a_send_cut_short_by_a_crash_goes_out_again_with_the_same_id(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let receiver = Receiver::start(vec![Reply::Silence]).await;
    let (hook, _) = webhook(&app, &admin, json!({ "name": "n", "url": receiver.url })).await;
    belgian_news(&app, &admin).await;
    // An instance claims the delivery and dies while the receiver is still reading.
    let state = app.state.clone();
    let crashing = tokio::spawn(async move { webhooks::run_once(&state).await });
    while receiver.received().is_empty() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    crashing.abort();
    assert_eq!(
        run(&app).await,
        0,
        "claimed: nobody else sends it meanwhile"
    );
    assert_eq!(
        deliveries(&app, &admin, &hook).await[0]["attempts"],
        json!([])
    );

    // Once the claim lapses, another round sends it again.
    app.clock.advance(TimeDelta::minutes(5));
    assert_eq!(run(&app).await, 1);
    let got = receiver.received();
    assert_eq!(got.len(), 2);
    assert_eq!(
        got[0].header("buysocial-webhook-id"),
        got[1].header("buysocial-webhook-id")
    );
    assert_eq!(
        deliveries(&app, &admin, &hook).await[0]["status"],
        "delivered"
    );
}

async fn deliveries_of_one_item_keep_their_order(backend: Backend) {
    let app = TestApp::builder(backend)
        .with(|s| {
            s.webhooks.retry_base_seconds = 1;
            s.webhooks.retry_max_seconds = 1;
        })
        .spawn()
        .await;
    let admin = app.admin_token().await;
    let receiver = Receiver::start(vec![Reply::Status(500)]).await;
    webhook(&app, &admin, json!({ "name": "n", "url": receiver.url })).await;
    let id = belgian_news(&app, &admin).await;
    let other = create(
        &app,
        &admin,
        "news",
        json!({ "translation": { "locale": "en", "title": "Other" } }),
    )
    .await;
    run(&app).await;
    // The publish failed; the unpublish and publish after it wait for it.
    let path = format!("/api/v1/admin/news/{id}/translations/fr/unpublish");
    assert_eq!(
        app.send(reqwest::Method::POST, &path, Some(&admin), None)
            .await
            .status(),
        StatusCode::OK
    );
    publish(&app, &admin, "news", &id, "fr").await;
    publish(&app, &admin, "news", &other, "en").await;
    run(&app).await;
    let sent: Vec<(String, String)> = receiver
        .received()
        .iter()
        .map(|r| {
            (
                r.json()["type"].as_str().unwrap().to_owned(),
                r.json()["data"]["item_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        sent.len(),
        2,
        "another item's delivery does not wait: {sent:?}"
    );
    assert_eq!(sent[1], ("translation.published".to_owned(), other.clone()));
    for _ in 0..3 {
        app.clock.advance(TimeDelta::seconds(2));
        run(&app).await;
    }
    let of_item: Vec<String> = receiver
        .received()
        .iter()
        .filter(|r| r.json()["data"]["item_id"] == id.as_str())
        .map(|r| r.json()["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        of_item,
        [
            "translation.published",
            "translation.published",
            "translation.unpublished",
            "translation.published"
        ]
    );
}

async fn a_receiver_that_never_answers_times_out_without_slowing_editors(backend: Backend) {
    let app = TestApp::builder(backend)
        .with(|s| s.webhooks.timeout_ms = 300)
        .spawn()
        .await;
    let admin = app.admin_token().await;
    let receiver = Receiver::start(vec![Reply::Silence]).await;
    let (hook, _) = webhook(&app, &admin, json!({ "name": "n", "url": receiver.url })).await;
    let started = Instant::now();
    belgian_news(&app, &admin).await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "publishing does not wait for receivers"
    );
    let sending = Instant::now();
    run(&app).await;
    assert!(sending.elapsed() < Duration::from_secs(3));
    let attempt = &deliveries(&app, &admin, &hook).await[0]["attempts"][0];
    assert_eq!(attempt["error"], "no answer within 300 ms");
    assert_eq!(attempt["status_code"], Value::Null);
}

async fn redirects_are_not_followed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let inside = Receiver::start(vec![]).await;
    let receiver = Receiver::start(vec![Reply::Redirect(inside.url.clone())]).await;
    let (hook, _) = webhook(&app, &admin, json!({ "name": "n", "url": receiver.url })).await;
    belgian_news(&app, &admin).await;
    run(&app).await;
    assert!(
        inside.received().is_empty(),
        "the redirect's target got nothing"
    );
    let attempt = &deliveries(&app, &admin, &hook).await[0]["attempts"][0];
    assert_eq!(attempt["status_code"], 302);
    assert_eq!(
        attempt["error"],
        "answered 302 Found; redirects are not followed"
    );
}

async fn an_address_that_turned_internal_is_refused_at_delivery(backend: Backend) {
    // Saved while allowed (as if the name pointed elsewhere then), sent when not.
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let receiver = Receiver::start(vec![]).await;
    let url = receiver.url.replace("127.0.0.1", "localhost");
    let (hook, _) = webhook(&app, &admin, json!({ "name": "n", "url": url })).await;
    let strict = crate::delivery_cache::another_instance(&app, |s| {
        s.webhooks.allow_private_addresses = false;
    })
    .await;
    belgian_news(&app, &admin).await;
    webhooks::run_once(&strict.state).await.unwrap();
    assert!(receiver.received().is_empty());
    let attempt = &deliveries(&app, &admin, &hook).await[0]["attempts"][0];
    let error = attempt["error"].as_str().unwrap();
    assert!(
        error.starts_with("refused: localhost resolves to"),
        "{error}"
    );
    assert!(error.ends_with("which is not a public address"), "{error}");
}

async fn two_instances_deliver_each_event_once(backend: Backend) {
    let first = TestApp::spawn(backend).await;
    let second = crate::delivery_cache::another_instance(&first, |_| {}).await;
    let admin = first.admin_token().await;
    let receiver = Receiver::start(vec![]).await;
    webhook(&first, &admin, json!({ "name": "n", "url": receiver.url })).await;
    let mut ids = Vec::new();
    for n in 0..6 {
        let id = create(
            &first,
            &admin,
            "news",
            json!({ "translation": { "locale": "en", "title": format!("N{n}") } }),
        )
        .await;
        publish(&first, &admin, "news", &id, "en").await;
        translate(&first, &admin, "news", &id, "fr", "F").await;
        publish(&first, &admin, "news", &id, "fr").await;
        ids.push(id);
    }
    for _ in 0..3 {
        let (a, b) = tokio::join!(
            webhooks::run_once(&first.state),
            webhooks::run_once(&second.state)
        );
        a.unwrap();
        b.unwrap();
    }
    let got = receiver.received();
    let mut delivery_ids: Vec<String> = got
        .iter()
        .map(|r| r.header("buysocial-webhook-id").to_owned())
        .collect();
    assert_eq!(delivery_ids.len(), 12, "each of the 12 publications once");
    delivery_ids.sort();
    delivery_ids.dedup();
    assert_eq!(delivery_ids.len(), 12);
}

async fn filters_pause_and_ping(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    belgian_site(&app, &admin).await;
    let belgian = Receiver::start(vec![]).await;
    let unpublishing = Receiver::start(vec![]).await;
    let (be_hook, _) = webhook(
        &app,
        &admin,
        json!({ "name": "be", "url": belgian.url, "site": "be" }),
    )
    .await;
    let (un_hook, _) = webhook(&app, &admin,
        json!({ "name": "unpublish", "url": unpublishing.url, "events": ["translation.unpublished"] })).await;
    belgian_news(&app, &admin).await;
    let lithuanian = create(
        &app,
        &admin,
        "news",
        json!({ "countries": ["LT"], "translation": { "locale": "en", "title": "LT" } }),
    )
    .await;
    publish(&app, &admin, "news", &lithuanian, "en").await;
    run(&app).await;
    assert_eq!(
        belgian.received().len(),
        1,
        "the Belgian site does not show Lithuanian news"
    );
    assert!(unpublishing.received().is_empty());

    let paused = app
        .patch_json_authed(
            &format!("/api/v1/admin/webhooks/{be_hook}"),
            &admin,
            &json!({ "paused": true }),
        )
        .await;
    assert_eq!(paused.json::<Value>().await.unwrap()["paused"], true);
    let path = format!("/api/v1/admin/news/{lithuanian}/translations/en/unpublish");
    app.send(reqwest::Method::POST, &path, Some(&admin), None)
        .await;
    belgian_news(&app, &admin).await;
    run(&app).await;
    assert_eq!(
        belgian.received().len(),
        1,
        "a paused webhook hears nothing"
    );
    assert_eq!(unpublishing.received().len(), 1);
    assert_eq!(
        unpublishing.received()[0].json()["type"],
        "translation.unpublished"
    );

    // A ping goes out at once, paused or not, and says how it went.
    let ping: Value = app
        .post_json_authed(
            &format!("/api/v1/admin/webhooks/{be_hook}/ping"),
            &admin,
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ping["status"], "delivered");
    assert_eq!(ping["attempts"][0]["status_code"], 200);
    assert_eq!(belgian.received().last().unwrap().json()["type"], "ping");
    let _ = un_hook;
}

async fn the_outbox_is_emptied_and_the_backlog_is_measured(backend: Backend) {
    let app = TestApp::builder(backend)
        .with(|s| s.webhooks.poll_interval_ms = 50)
        .spawn()
        .await;
    let admin = app.admin_token().await;
    belgian_news(&app, &admin).await;
    // Nobody listens: the event still leaves the outbox.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        use sea_orm::{EntityTrait, PaginatorTrait};
        let left = entity::outbox_event::Entity::find()
            .count(&app.state.db)
            .await
            .unwrap();
        if left == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the background loop empties the outbox"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("buysocial_webhook_backlog 0"), "{metrics}");

    // With a receiver, a publish is delivered by the background loop within a second.
    let receiver = Receiver::start(vec![]).await;
    webhook(&app, &admin, json!({ "name": "n", "url": receiver.url })).await;
    let started = Instant::now();
    belgian_news(&app, &admin).await;
    while receiver.received().is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "delivered within a second"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn a_slow_receiver_does_not_take_every_slot(backend: Backend) {
    let app = TestApp::builder(backend)
        .with(|s| {
            s.webhooks.concurrency = 4;
            s.webhooks.timeout_ms = 300;
        })
        .spawn()
        .await;
    let admin = app.admin_token().await;
    let slow = Receiver::start(vec![Reply::Silence; 4]).await;
    let prompt = Receiver::start(vec![]).await;
    webhook(&app, &admin, json!({ "name": "slow", "url": slow.url })).await;
    for _ in 0..3 {
        belgian_news(&app, &admin).await;
    }
    webhook(&app, &admin, json!({ "name": "prompt", "url": prompt.url })).await;
    belgian_news(&app, &admin).await;
    // Four deliveries to the slow receiver come first, one to the prompt one last.
    webhooks::fan_out(&app.state).await.unwrap();
    webhooks::send_due(&app.state).await.unwrap();
    assert_eq!(prompt.received().len(), 1, "served in the same round");
    assert_eq!(slow.received().len(), 1, "one slot for the slow receiver");
}
