//! The delivery response cache and read limits: a cached answer is never a stale one.

use std::time::Duration;

use chrono::TimeDelta;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use buysocial::settings::CacheScope;

use crate::delivery::{create, publish, queries_so_far, read, titles};
use crate::helpers::{Backend, TestApp, assert_problem, backend_tests};
use crate::registrations::{event, person, register};

backend_tests!(
    published_changes_reach_readers_at_once,
    the_same_holds_with_the_cache_switched_off,
    event_status_follows_the_clock,
    a_registration_that_fills_an_event_shows_at_once,
    tokens_are_answered_apart_and_revocation_applies_at_once,
    reads_are_limited_per_address_and_per_token,
    a_shared_cache_sees_the_writes_of_other_instances,
    instance_caches_of_several_instances_are_stale_at_most_their_maximum_age,
);

/// Lookups in the response cache that found an answer, from `/metrics`.
pub(crate) async fn cache_hits(app: &TestApp) -> u64 {
    let metrics = app.get("/metrics").await.text().await.unwrap();
    metrics
        .lines()
        .find_map(|line| {
            line.strip_prefix("buysocial_delivery_cache_lookups_total{result=\"hit\"} ")
        })
        .map_or(0, |n| n.trim().parse().unwrap())
}

async fn etag_and_titles(app: &TestApp, path: &str) -> (String, Vec<String>) {
    let response = app.get(path).await;
    assert_eq!(response.status(), StatusCode::OK);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    (etag, titles(&response.json::<Value>().await.unwrap()))
}

async fn changes_are_seen(app: &TestApp) {
    let admin = app.admin_token().await;
    let id = create(
        app,
        &admin,
        "news",
        json!({ "fields": { "date": "2026-11-20" },
        "translation": { "locale": "en", "title": "First" } }),
    )
    .await;
    publish(app, &admin, "news", &id, "en").await;
    let path = "/api/v1/news?locale=en";
    let (etag, first) = etag_and_titles(app, path).await;
    assert_eq!(first, ["First"]);
    assert_eq!(etag_and_titles(app, path).await, (etag.clone(), first));

    let draft = app
        .send_if_match(
            Method::PUT,
            &format!("/api/v1/admin/news/{id}/translations/en"),
            &admin,
            Some("\"t1\""),
            &json!({ "title": "Second" }),
        )
        .await;
    assert_eq!(draft.status(), StatusCode::OK);
    assert_eq!(
        etag_and_titles(app, path).await.1,
        ["First"],
        "a saved draft is not published"
    );

    publish(app, &admin, "news", &id, "en").await;
    let (changed, second) = etag_and_titles(app, path).await;
    assert_eq!(second, ["Second"]);
    assert_ne!(changed, etag);

    let off = format!("/api/v1/admin/news/{id}/translations/en/unpublish");
    assert_eq!(
        app.send(Method::POST, &off, Some(&admin), None)
            .await
            .status(),
        StatusCode::OK
    );
    assert!(etag_and_titles(app, path).await.1.is_empty());
    assert_eq!(
        app.get(&format!("/api/v1/news/{}?locale=en", "second"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

async fn published_changes_reach_readers_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    changes_are_seen(&app).await;
    assert!(cache_hits(&app).await >= 1, "repeated reads were cached");
}

async fn the_same_holds_with_the_cache_switched_off(backend: Backend) {
    let app = TestApp::builder(backend)
        .with(|s| s.delivery.response_cache_bytes = 0)
        .spawn()
        .await;
    changes_are_seen(&app).await;
    assert_eq!(cache_hits(&app).await, 0);
}

async fn event_status_follows_the_clock(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let start = app.clock.now() + TimeDelta::hours(1);
    let end = start + TimeDelta::hours(1);
    let id = create(&app, &admin, "events", json!({ "countries": ["BE"], "fields": { "city": "Gent",
        "starts_at": start.to_rfc3339(), "ends_at": end.to_rfc3339(), "time_zone": "Europe/Brussels",
        "registration_mode": "form" }, "translation": { "locale": "en", "title": "Soon" } }))
    .await;
    publish(&app, &admin, "events", &id, "en").await;
    let upcoming = "/api/v1/events?locale=en";
    for _ in 0..2 {
        let list = read(&app, upcoming).await;
        assert_eq!(
            crate::delivery::event_state(&list["items"][0]),
            json!({ "status": "upcoming", "registration_open": true })
        );
    }

    app.clock.advance(TimeDelta::minutes(90));
    let started = read(&app, upcoming).await;
    assert_eq!(
        crate::delivery::event_state(&started["items"][0]),
        json!({ "status": "upcoming", "registration_open": false }),
        "registration closes when the event starts"
    );

    app.clock.advance(TimeDelta::minutes(60));
    assert!(titles(&read(&app, upcoming).await).is_empty());
    let past = read(&app, "/api/v1/events?locale=en&when=past").await;
    assert_eq!(past["items"][0]["status"], "past");
}

async fn a_registration_that_fills_an_event_shows_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let (slug, _) = event(&app, &admin, "PT", 10, json!({ "capacity": 1 })).await;
    let path = format!("/api/v1/events/{slug}?locale=en");
    for _ in 0..2 {
        assert_eq!(read(&app, &path).await["status"], "upcoming");
    }
    assert_eq!(
        register(&app, &slug, &person("ana@example.pt"))
            .await
            .status(),
        StatusCode::CREATED
    );
    assert_eq!(
        crate::delivery::event_state(&read(&app, &path).await),
        json!({ "status": "full", "registration_open": false })
    );
}

async fn tokens_are_answered_apart_and_revocation_applies_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let site = json!({ "code": "be", "name": "Belgium", "countries": ["BE"], "locales": ["en"], "default_locale": "en" });
    app.post_json_authed("/api/v1/admin/sites", &admin, &site)
        .await;
    for (country, title) in [("BE", "Belgian"), ("LT", "Lithuanian")] {
        let id = create(
            &app,
            &admin,
            "news",
            json!({ "countries": [country], "fields": { "date": "2026-11-20" },
            "translation": { "locale": "en", "title": title } }),
        )
        .await;
        publish(&app, &admin, "news", &id, "en").await;
    }
    let (token_id, belgian) = app
        .api_token(
            &admin,
            json!({ "name": "be", "kind": "delivery", "site": "be" }),
        )
        .await;
    let path = "/api/v1/news?locale=en";
    for _ in 0..2 {
        assert_eq!(read(&app, path).await["items"].as_array().unwrap().len(), 2);
        let bound: Value = app.get_authed(path, &belgian).await.json().await.unwrap();
        assert_eq!(titles(&bound), ["Belgian"]);
    }

    let revoked = app
        .delete_authed(&format!("/api/v1/admin/tokens/{token_id}"), &admin)
        .await;
    assert!(revoked.status().is_success());
    assert_problem(
        app.get_authed(path, &belgian).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

async fn reads_are_limited_per_address_and_per_token(backend: Backend) {
    let app = TestApp::builder(backend)
        .with(|s| {
            s.delivery.reads_per_address_per_minute = 3;
            s.delivery.reads_per_token_per_minute = 2;
        })
        .spawn()
        .await;
    let admin = app.admin_token().await;
    let (_, token) = app
        .api_token(&admin, json!({ "name": "site", "kind": "delivery" }))
        .await;
    let path = "/api/v1/pages?locale=en";
    for _ in 0..3 {
        assert_eq!(app.get(path).await.status(), StatusCode::OK);
    }
    let refused = app.get(path).await;
    assert!(refused.headers().contains_key("retry-after"));
    assert_problem(refused, StatusCode::TOO_MANY_REQUESTS).await;
    assert_problem(
        app.get_authed(path, "bsd_invented").await,
        StatusCode::TOO_MANY_REQUESTS,
    )
    .await;

    for _ in 0..2 {
        assert_eq!(
            app.get_authed(path, &token).await.status(),
            StatusCode::OK,
            "a token has its own allowance"
        );
    }
    assert_problem(
        app.get_authed(path, &token).await,
        StatusCode::TOO_MANY_REQUESTS,
    )
    .await;

    app.clock.advance(TimeDelta::seconds(61));
    assert_eq!(app.get(path).await.status(), StatusCode::OK);
    assert_eq!(app.get_authed(path, &token).await.status(), StatusCode::OK);
}

/// A published English news item titled "First"; its id.
async fn publish_first_news(app: &TestApp, admin: &str) -> String {
    let id = create(
        app,
        admin,
        "news",
        json!({ "fields": { "date": "2026-11-20" },
        "translation": { "locale": "en", "title": "First" } }),
    )
    .await;
    publish(app, admin, "news", &id, "en").await;
    id
}

/// A second instance on `first`'s database and store, with `change` to its settings.
pub(crate) async fn another_instance(
    first: &TestApp,
    change: impl FnOnce(&mut buysocial::settings::Settings) + 'static,
) -> TestApp {
    let database = first.state.settings.database.url.clone();
    let storage = first.state.settings.storage.clone();
    let backend = match database {
        buysocial::settings::DatabaseUrl::Postgres(_) => Backend::Postgres,
        _ => Backend::Sqlite,
    };
    TestApp::builder(backend)
        .with(move |s| {
            change(s);
            s.database.url = database;
            s.storage = storage;
        })
        .spawn()
        .await
}

async fn a_shared_cache_sees_the_writes_of_other_instances(backend: Backend) {
    let first = TestApp::builder(backend)
        .with(|s| s.delivery.response_cache_scope = CacheScope::Shared)
        .spawn()
        .await;
    let second = another_instance(&first, |s| {
        s.delivery.response_cache_scope = CacheScope::Shared;
    })
    .await;
    let admin = first.admin_token().await;
    let id = publish_first_news(&first, &admin).await;
    let path = "/api/v1/news?locale=en";
    for _ in 0..2 {
        assert_eq!(titles(&read(&second, path).await), ["First"]);
    }
    assert!(cache_hits(&second).await >= 1, "the second instance caches");

    let draft = first
        .send_if_match(
            Method::PUT,
            &format!("/api/v1/admin/news/{id}/translations/en"),
            &admin,
            Some("\"t1\""),
            &json!({ "title": "Second" }),
        )
        .await;
    assert_eq!(draft.status(), StatusCode::OK);
    publish(&first, &admin, "news", &id, "en").await;
    // SQLite: the version is read per request, so at once. PostgreSQL: by notification,
    // within milliseconds.
    let published = std::time::Instant::now();
    while titles(&read(&second, path).await) != ["Second"] {
        assert!(
            backend == Backend::Postgres && published.elapsed() < Duration::from_secs(2),
            "a publish through one instance reaches readers of the other"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    // A hit costs no query where changes arrive as notifications.
    read(&second, path).await;
    let before = queries_so_far(&second).await;
    read(&second, path).await;
    let per_hit = queries_so_far(&second).await - before;
    let expected = if backend == Backend::Postgres { 0 } else { 1 };
    assert_eq!(per_hit, expected, "statements per cache hit");
}

/// The shared scope's safety nets on PostgreSQL: a change whose notification never came
/// is caught up by the periodic version check, and a cut listening connection comes back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(test_postgres), ignore = "TEST_DATABASE_URL is not set")]
async fn changes_reach_other_instances_even_when_a_notification_is_lost_on_postgres() {
    use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};

    let shared = |s: &mut buysocial::settings::Settings| {
        s.delivery.response_cache_scope = CacheScope::Shared;
        s.delivery.response_cache_check_ms = 100;
    };
    let first = TestApp::builder(Backend::Postgres)
        .with(shared)
        .spawn()
        .await;
    let second = another_instance(&first, shared).await;
    let admin = first.admin_token().await;
    let id = publish_first_news(&first, &admin).await;
    let path = "/api/v1/news?locale=en";
    let eventually = |expected: &'static [&'static str], why: &'static str| {
        let second = &second;
        async move {
            let deadline = std::time::Instant::now() + Duration::from_secs(3);
            while titles(&read(second, path).await) != expected {
                assert!(std::time::Instant::now() < deadline, "{why}");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    };
    eventually(&["First"], "the publish is heard of").await;
    read(&second, path).await;

    // A change made behind the instances' backs: the version moves, nothing is notified.
    let db = &first.state.db;
    let sql = |text: String| Statement::from_string(DatabaseBackend::Postgres, text);
    db.execute_raw(sql(format!(
        "DELETE FROM published_translations WHERE document_id = '{id}'"
    )))
    .await
    .unwrap();
    db.execute_raw(sql(
        "UPDATE published_state SET version = version + 1 WHERE id = 1".into(),
    ))
    .await
    .unwrap();
    eventually(&[], "the periodic check catches up").await;

    // Cut both listening connections: later changes still arrive.
    let cut = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
               WHERE datname = current_database() AND query LIKE 'LISTEN%'";
    let cut = db.query_all_raw(sql(cut.into())).await.unwrap();
    assert_eq!(cut.len(), 2, "one listener per instance");
    publish(&first, &admin, "news", &id, "en").await;
    eventually(&["First"], "a publish after the cut is heard of").await;
}

async fn instance_caches_of_several_instances_are_stale_at_most_their_maximum_age(
    backend: Backend,
) {
    let first = TestApp::spawn(backend).await;
    let second = another_instance(&first, |s| {
        s.delivery.response_cache_max_age_seconds = 30;
    })
    .await;
    let admin = first.admin_token().await;
    let id = publish_first_news(&first, &admin).await;
    let path = "/api/v1/news?locale=en";
    assert_eq!(titles(&read(&second, path).await), ["First"]);
    first
        .send(
            Method::POST,
            &format!("/api/v1/admin/news/{id}/translations/en/unpublish"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(
        titles(&read(&second, path).await),
        ["First"],
        "the misconfigured second instance does not see the other's write"
    );

    second.clock.advance(TimeDelta::seconds(31));

    assert_eq!(
        titles(&read(&second, path).await),
        Vec::<String>::new(),
        "but only until its entries reach their maximum age"
    );
}
