//! `/api/v1/{kind}`: what frontends read. Nothing unpublished without a preview token.

use chrono::TimeDelta;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, assert_problem, backend_tests};

backend_tests!(
    lists_are_lean_and_fields_adds_parts,
    only_published_translations_are_served_with_fallback,
    a_site_applies_its_locales_and_countries,
    items_are_found_by_slug_and_old_slugs_redirect,
    previews_need_a_preview_token_and_are_not_cached,
    responses_carry_strong_etags_and_cache_headers,
    tokens_can_be_required_and_bound_to_a_site,
    events_have_status_and_materials,
    bad_parameters_are_refused,
    the_demo_site_for_belgium_renders_from_the_delivery_api,
    a_site_bound_token_never_reaches_other_countries,
    a_slug_shared_by_two_locales_follows_the_chain,
    a_list_takes_the_same_number_of_queries_for_1_or_10_events,
    news_pages_follow_the_chain_filters_and_order_with_totals,
);

pub(crate) async fn create(app: &TestApp, token: &str, kind: &str, body: Value) -> String {
    let response = app
        .post_json_authed(&format!("/api/v1/admin/{kind}"), token, &body)
        .await;
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "{}",
        response.text().await.unwrap()
    );
    response.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

pub(crate) async fn publish(app: &TestApp, token: &str, kind: &str, id: &str, locale: &str) {
    let path = format!("/api/v1/admin/{kind}/{id}/translations/{locale}/publish");
    assert_eq!(
        app.send(Method::POST, &path, Some(token), None)
            .await
            .status(),
        StatusCode::OK
    );
}

pub(crate) async fn translate(
    app: &TestApp,
    token: &str,
    kind: &str,
    id: &str,
    locale: &str,
    title: &str,
) {
    let path = format!("/api/v1/admin/{kind}/{id}/translations/{locale}");
    let response = app
        .send(
            Method::PUT,
            &path,
            Some(token),
            Some(&json!({ "title": title })),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
}

pub(crate) async fn read(app: &TestApp, path: &str) -> Value {
    let response = app.get(path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.json().await.unwrap()
}

/// What readers are told of an event: its status and whether sign-ups are open.
pub(crate) fn event_state(event: &Value) -> Value {
    json!({ "status": event["status"], "registration_open": event["registration_open"] })
}

pub(crate) fn titles(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_owned())
        .collect()
}

async fn only_published_translations_are_served_with_fallback(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let id = create(
        &app,
        &admin,
        "news",
        json!({ "translation": { "locale": "en", "title": "Training calendar" } }),
    )
    .await;
    translate(&app, &admin, "news", &id, "fr", "Calendrier des formations").await;
    create(
        &app,
        &admin,
        "news",
        json!({ "translation": { "locale": "en", "title": "Never published" } }),
    )
    .await;
    assert!(titles(&read(&app, "/api/v1/news?locale=fr&fallback=en").await).is_empty());

    publish(&app, &admin, "news", &id, "en").await;
    let list = read(&app, "/api/v1/news?locale=fr&fallback=en&fields=locales").await;
    assert_eq!(titles(&list), ["Training calendar"]);
    assert_eq!(list["items"][0]["locale"], "en", "served from the fallback");
    assert_eq!(
        list["items"][0]["locales"],
        json!([{ "locale": "en", "slug": "training-calendar" }])
    );
    assert_eq!(list["page"]["total"], 1);

    publish(&app, &admin, "news", &id, "fr").await;
    translate_with_etag(&app, &admin, &id).await;
    let list = read(&app, "/api/v1/news?locale=fr&fallback=en&fields=locales").await;
    assert_eq!(
        titles(&list),
        ["Calendrier des formations"],
        "the draft edit is not served"
    );
    assert_eq!(list["items"][0]["locale"], "fr");
    assert_eq!(list["items"][0]["locales"].as_array().unwrap().len(), 2);
    assert!(
        titles(&read(&app, "/api/v1/news?locale=lt").await).is_empty(),
        "no fallback, no item"
    );
}

/// Lists carry what a list shows; `fields=` adds the body, SEO fields and every
/// locale's slug; details carry everything.
async fn lists_are_lean_and_fields_adds_parts(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let body = "A long body. ".repeat(200);
    for n in 0..20 {
        let id = create(
            &app,
            &admin,
            "news",
            json!({ "fields": { "date": "2026-11-20" },
            "translation": { "locale": "en", "title": format!("News {n}"), "summary": "Short.",
                             "body": body, "seo_title": "SEO" } }),
        )
        .await;
        publish(&app, &admin, "news", &id, "en").await;
    }

    let lean = app
        .get("/api/v1/news?locale=en")
        .await
        .bytes()
        .await
        .unwrap();
    let full = app
        .get("/api/v1/news?locale=en&fields=body,seo,locales")
        .await
        .bytes()
        .await
        .unwrap();

    let lean_list: Value = serde_json::from_slice(&lean).unwrap();
    let item = &lean_list["items"][0];
    for absent in [
        "body_markdown",
        "body_html",
        "seo_title",
        "seo_description",
        "locales",
    ] {
        assert!(item.get(absent).is_none(), "{absent} in a lean list item");
    }
    for present in [
        "id",
        "kind",
        "locale",
        "slug",
        "title",
        "summary",
        "url",
        "date",
        "cover",
        "published_at",
    ] {
        assert!(item.get(present).is_some(), "{present} missing");
    }
    let full_list: Value = serde_json::from_slice(&full).unwrap();
    let item = &full_list["items"][0];
    assert_eq!(item["body_markdown"], body.as_str());
    assert_eq!(item["seo_title"], "SEO");
    assert_eq!(item["locales"][0]["locale"], "en");
    assert!(
        lean.len() * 10 < full.len(),
        "lean {} bytes, full {} bytes",
        lean.len(),
        full.len()
    );
    let slug = lean_list["items"][0]["slug"].as_str().unwrap();
    let detail = read(&app, &format!("/api/v1/news/{slug}?locale=en")).await;
    assert_eq!(detail["body_markdown"], body.as_str());
    assert!(detail["locales"].is_array());
    assert_problem(
        app.get("/api/v1/news?locale=en&fields=everything").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
}

async fn translate_with_etag(app: &TestApp, token: &str, id: &str) {
    let path = format!("/api/v1/admin/news/{id}/translations/fr");
    let response = app
        .send_if_match(
            Method::PUT,
            &path,
            token,
            Some("\"t1\""),
            &json!({ "title": "Brouillon secret" }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
}

async fn a_site_applies_its_locales_and_countries(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let site = json!({ "code": "be", "name": "Belgium", "countries": ["BE"], "locales": ["fr", "nl"],
                       "default_locale": "nl", "fallback": ["fr", "en"] });
    app.post_json_authed("/api/v1/admin/sites", &admin, &site)
        .await;
    for (countries, locale, title) in [
        (json!(["BE"]), "fr", "Bruxelles"),
        (json!(["LT"]), "lt", "Vilnius"),
        (json!([]), "en", "EU-wide"),
    ] {
        let id = create(
            &app,
            &admin,
            "news",
            json!({ "countries": countries, "translation": { "locale": locale, "title": title } }),
        )
        .await;
        publish(&app, &admin, "news", &id, locale).await;
    }

    let list = read(&app, "/api/v1/news?site=be").await;

    let mut shown = titles(&list);
    shown.sort();
    assert_eq!(shown, ["Bruxelles", "EU-wide"]);
    assert_eq!(list["locales"], json!(["nl", "fr", "en"]));
    assert_eq!(
        titles(&read(&app, "/api/v1/news?site=be&country=BE").await),
        ["Bruxelles"]
    );
}

async fn items_are_found_by_slug_and_old_slugs_redirect(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let id = create(&app, &admin, "pages", json!({ "translation": { "locale": "en", "title": "What is SRPP?", "body": "**Socially** responsible" } })).await;
    assert_problem(
        app.get("/api/v1/pages/what-is-srpp?locale=en").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    publish(&app, &admin, "pages", &id, "en").await;

    let page = read(&app, "/api/v1/pages/what-is-srpp?locale=en").await;
    assert_eq!(page["title"], "What is SRPP?");
    assert_eq!(page["body_markdown"], "**Socially** responsible");
    assert!(
        page["body_html"]
            .as_str()
            .unwrap()
            .contains("<strong>Socially</strong>")
    );

    let path = format!("/api/v1/admin/pages/{id}/translations/en");
    app.send_if_match(
        Method::PUT,
        &path,
        &admin,
        Some("\"t1\""),
        &json!({ "title": "What is SRPP?", "slug": "srpp" }),
    )
    .await;
    publish(&app, &admin, "pages", &id, "en").await;
    let moved = app.get("/api/v1/pages/what-is-srpp?locale=en").await;
    assert_eq!(moved.status(), StatusCode::MOVED_PERMANENTLY);
    assert_eq!(moved.headers()["location"], "/api/v1/pages/srpp?locale=en");
    assert_eq!(
        read(&app, "/api/v1/pages/srpp?locale=en").await["slug"],
        "srpp"
    );
    assert_problem(
        app.get("/api/v1/pages/nothing?locale=en").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // Trashed items vanish at once.
    app.delete_authed(&format!("/api/v1/admin/pages/{id}"), &admin)
        .await;
    assert_problem(
        app.get("/api/v1/pages/srpp?locale=en").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert!(titles(&read(&app, "/api/v1/pages?locale=en").await).is_empty());
}

async fn previews_need_a_preview_token_and_are_not_cached(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    create(
        &app,
        &admin,
        "news",
        json!({ "translation": { "locale": "en", "title": "Draft news" } }),
    )
    .await;
    let (_, preview) = app
        .api_token(&admin, json!({ "name": "preview", "kind": "preview" }))
        .await;
    let (_, delivery) = app
        .api_token(&admin, json!({ "name": "frontend", "kind": "delivery" }))
        .await;

    let shown = app
        .get_authed("/api/v1/news?locale=en&preview=true", &preview)
        .await;
    assert_eq!(shown.status(), StatusCode::OK);
    assert_eq!(shown.headers()["cache-control"], "no-store");
    assert_eq!(titles(&shown.json().await.unwrap()), ["Draft news"]);
    let by_slug = app
        .get_authed("/api/v1/news/draft-news?locale=en&preview=true", &preview)
        .await;
    assert_eq!(by_slug.status(), StatusCode::OK);

    assert_problem(
        app.get("/api/v1/news?locale=en&preview=true").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_problem(
        app.get_authed("/api/v1/news?locale=en&preview=true", &delivery)
            .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_problem(
        app.get_authed("/api/v1/news?locale=en", &admin).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(titles(&read(&app, "/api/v1/news?locale=en").await).is_empty());
    let with_token: Value = app
        .get_authed("/api/v1/news?locale=en", &preview)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        titles(&with_token).is_empty(),
        "a preview token without preview=true sees published content"
    );
}

async fn responses_carry_strong_etags_and_cache_headers(backend: Backend) {
    let app = TestApp::builder(backend)
        .with(|s| s.delivery.cache_control = "public, max-age=120".into())
        .spawn()
        .await;
    let admin = app.admin_token().await;
    let id = create(
        &app,
        &admin,
        "news",
        json!({ "translation": { "locale": "en", "title": "Cached" } }),
    )
    .await;
    publish(&app, &admin, "news", &id, "en").await;

    let first = app.get("/api/v1/news?locale=en").await;
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    assert!(etag.starts_with('"') && !etag.starts_with("W/"), "{etag}");
    assert_eq!(first.headers()["cache-control"], "public, max-age=120");
    assert_eq!(first.headers()["vary"], "Authorization");
    let again = app
        .client
        .get(app.url("/api/v1/news?locale=en"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    let path = format!("/api/v1/admin/news/{id}/translations/en");
    app.send_if_match(
        Method::PUT,
        &path,
        &admin,
        Some("\"t1\""),
        &json!({ "title": "Changed" }),
    )
    .await;
    publish(&app, &admin, "news", &id, "en").await;
    let changed = app
        .client
        .get(app.url("/api/v1/news?locale=en"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(
        changed.status(),
        StatusCode::OK,
        "publishing changes the ETag"
    );
}

async fn tokens_can_be_required_and_bound_to_a_site(backend: Backend) {
    let app = TestApp::builder(backend)
        .with(|s| s.delivery.require_token = true)
        .spawn()
        .await;
    let admin = app.admin_token().await;
    for site in [
        json!({ "code": "be", "name": "Belgium", "countries": ["BE"], "locales": ["fr"], "default_locale": "fr" }),
        json!({ "code": "lt", "name": "Lithuania", "countries": ["LT"], "locales": ["lt"], "default_locale": "lt" }),
    ] {
        app.post_json_authed("/api/v1/admin/sites", &admin, &site)
            .await;
    }
    let (_, belgian) = app
        .api_token(
            &admin,
            json!({ "name": "be", "kind": "delivery", "site": "be" }),
        )
        .await;

    assert_problem(
        app.get("/api/v1/news?site=be").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(
        app.get_authed("/api/v1/news?site=be", &belgian)
            .await
            .status(),
        StatusCode::OK
    );
    let bound: Value = app
        .get_authed("/api/v1/news", &belgian)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        bound["locales"],
        json!(["fr"]),
        "a bound token reads its own site by default"
    );
    assert_problem(
        app.get_authed("/api/v1/news?site=lt", &belgian).await,
        StatusCode::FORBIDDEN,
    )
    .await;
}

async fn events_have_status_and_materials(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let material = create(
        &app,
        &admin,
        "materials",
        json!({ "fields": { "material_kind": "presentation" },
        "translation": { "locale": "en", "title": "Slides" } }),
    )
    .await;
    publish(&app, &admin, "materials", &material, "en").await;
    let future = (app.clock.now() + TimeDelta::days(30))
        .format("%Y-%m-%dT09:00:00+02:00")
        .to_string();
    let future_end = (app.clock.now() + TimeDelta::days(30))
        .format("%Y-%m-%dT13:00:00+02:00")
        .to_string();
    let upcoming = create(&app, &admin, "events", json!({ "countries": ["BE"], "fields": { "city": "Bruxelles",
        "starts_at": future, "ends_at": future_end, "time_zone": "Europe/Brussels", "workshop_languages": ["fr"],
        "registration_mode": "form", "materials": [material] }, "translation": { "locale": "en", "title": "Upcoming" } })).await;
    let past = create(&app, &admin, "events", json!({ "countries": ["LT"], "fields": { "city": "Vilnius",
        "starts_at": "2024-05-23T09:30:00+03:00", "ends_at": "2024-05-23T16:30:00+03:00", "time_zone": "Europe/Vilnius",
        "workshop_languages": ["lt"], "registration_mode": "form" }, "translation": { "locale": "en", "title": "Past" } })).await;
    publish(&app, &admin, "events", &upcoming, "en").await;
    publish(&app, &admin, "events", &past, "en").await;

    let coming = read(&app, "/api/v1/events?locale=en").await;
    assert_eq!(titles(&coming), ["Upcoming"]);
    assert_eq!(
        crate::delivery::event_state(&coming["items"][0]),
        json!({ "status": "upcoming", "registration_open": true })
    );
    let linked = &coming["items"][0]["materials"];
    assert_eq!(linked.as_array().unwrap().len(), 1, "{linked}");
    assert_eq!(linked[0]["title"], "Slides");
    assert_eq!(linked[0]["material_kind"], "presentation");
    let gone = read(&app, "/api/v1/events?locale=en&when=past").await;
    assert_eq!(titles(&gone), ["Past"]);
    assert_eq!(
        crate::delivery::event_state(&gone["items"][0]),
        json!({ "status": "past", "registration_open": false })
    );
    assert_eq!(
        titles(&read(&app, "/api/v1/events?locale=en&when=all&language=lt").await),
        ["Past"]
    );
    assert_eq!(
        titles(
            &read(
                &app,
                &format!("/api/v1/materials?locale=en&event={upcoming}")
            )
            .await
        ),
        ["Slides"]
    );
    assert!(
        titles(&read(&app, &format!("/api/v1/materials?locale=en&event={past}")).await).is_empty()
    );
}

async fn bad_parameters_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;

    for path in [
        "/api/v1/news?locale=en&colour=red",
        "/api/v1/news",
        "/api/v1/news?locale=klingon",
        "/api/v1/events?locale=en&when=tomorrow",
        "/api/v1/news?locale=en&per_page=1000",
        "/api/v1/news?site=atlantis",
        "/api/v1/news?locale=en&preview=maybe",
        "/api/v1/materials?locale=en&event=not-a-uuid",
        "/api/v1/news/slug?locale=en&page=2",
    ] {
        assert_problem(app.get(path).await, StatusCode::BAD_REQUEST).await;
    }
    assert_problem(
        app.get("/api/v1/articles?locale=en").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // Parameters the spec types are named in `errors` like any other.
    for (path, field) in [
        ("/api/v1/events?locale=en&when=tomorrow", "when"),
        ("/api/v1/news?locale=en&preview=maybe", "preview"),
        ("/api/v1/materials?locale=en&event=not-a-uuid", "event"),
        ("/api/v1/materials?locale=en&kind=poster", "kind"),
        ("/api/v1/search?locale=en&q=x&kind=articles", "kind"),
    ] {
        let problem = assert_problem(app.get(path).await, StatusCode::BAD_REQUEST).await;
        assert_eq!(
            problem["type"], "urn:buysocial:problem:invalid-parameters",
            "{path}"
        );
        assert_eq!(problem["errors"][0]["field"], field, "{path}");
    }
}

async fn the_demo_site_for_belgium_renders_from_the_delivery_api(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    buysocial::demo::seed(&app.state).await.unwrap();

    let events = read(&app, "/api/v1/events?site=be&when=all").await;

    let mut shown: Vec<(String, String)> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["locale"].as_str().unwrap().to_owned(),
                e["city"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    shown.sort();
    // The French event in French; the Dutch one from the English fallback (fr before en).
    assert_eq!(
        shown,
        [
            ("en".to_owned(), "Brussel".to_owned()),
            ("fr".to_owned(), "Bruxelles".to_owned())
        ]
    );
    let pages = read(&app, "/api/v1/pages?site=be").await;
    assert_eq!(pages["page"]["total"], 3);
    let materials = read(&app, "/api/v1/materials?site=be").await;
    assert!(
        materials["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["file"]["url"].is_string())
    );
}

async fn a_site_bound_token_never_reaches_other_countries(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let site = json!({ "code": "be", "name": "Belgium", "countries": ["BE"], "locales": ["fr", "en"], "default_locale": "fr" });
    app.post_json_authed("/api/v1/admin/sites", &admin, &site)
        .await;
    let (_, preview) = app
        .api_token(
            &admin,
            json!({ "name": "be preview", "kind": "preview", "site": "be" }),
        )
        .await;
    create(&app, &admin, "news", json!({ "countries": ["LT"], "translation": { "locale": "en", "title": "Lithuanian draft" } })).await;
    let published = create(&app, &admin, "news", json!({ "countries": ["LT"], "translation": { "locale": "en", "title": "Lithuanian news" } })).await;
    publish(&app, &admin, "news", &published, "en").await;

    let draft = app
        .get_authed(
            "/api/v1/news/lithuanian-draft?locale=en&preview=true",
            &preview,
        )
        .await;
    assert_problem(draft, StatusCode::NOT_FOUND).await;
    assert_problem(
        app.get("/api/v1/news/lithuanian-news?site=be&locale=en")
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(
        app.get("/api/v1/news/lithuanian-news?locale=en")
            .await
            .status(),
        StatusCode::OK
    );
}

async fn a_slug_shared_by_two_locales_follows_the_chain(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let german = create(&app, &admin, "events", json!({ "countries": ["AT"], "fields": { "city": "Wien",
        "starts_at": "2030-05-01T09:00:00+02:00", "ends_at": "2030-05-01T12:00:00+02:00", "time_zone": "Europe/Vienna",
        "registration_mode": "closed" }, "translation": { "locale": "de", "title": "Webinar", "slug": "webinar" } })).await;
    let english = create(&app, &admin, "events", json!({ "countries": ["MT"], "fields": { "city": "Valletta",
        "starts_at": "2030-05-02T09:00:00+02:00", "ends_at": "2030-05-02T12:00:00+02:00", "time_zone": "Europe/Malta",
        "registration_mode": "closed" }, "translation": { "locale": "en", "title": "Webinar", "slug": "webinar" } })).await;
    publish(&app, &admin, "events", &german, "de").await;
    publish(&app, &admin, "events", &english, "en").await;

    assert_eq!(
        read(&app, "/api/v1/events/webinar?locale=de&fallback=en").await["id"],
        german.as_str()
    );
    assert_eq!(
        read(&app, "/api/v1/events/webinar?locale=en&fallback=de").await["id"],
        english.as_str()
    );
}

/// The SQL statements the server has run so far, from `/metrics`.
pub(crate) async fn queries_so_far(app: &TestApp) -> u64 {
    let metrics = app.get("/metrics").await.text().await.unwrap();
    metrics
        .lines()
        .find_map(|line| line.strip_prefix("buysocial_db_queries_total "))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

async fn queries_for(app: &TestApp, path: &str) -> (u64, Value) {
    let before = queries_so_far(app).await;
    let list = read(app, path).await;
    (queries_so_far(app).await - before, list)
}

async fn publish_event_with_materials(app: &TestApp, admin: &str, n: usize, materials: usize) {
    let mut linked = Vec::new();
    for m in 0..materials {
        let material = create(
            app,
            admin,
            "materials",
            json!({ "fields": { "material_kind": "guide" },
            "translation": { "locale": "en", "title": format!("Guide {n}.{m}") } }),
        )
        .await;
        publish(app, admin, "materials", &material, "en").await;
        linked.push(material);
    }
    let event = create(app, admin, "events", json!({ "countries": ["BE"], "fields": { "city": "Gent",
        "starts_at": "2030-06-05T09:30:00+02:00", "ends_at": "2030-06-05T16:30:00+02:00",
        "time_zone": "Europe/Brussels", "workshop_languages": ["nl"], "registration_mode": "form",
        "capacity": 30, "materials": linked }, "translation": { "locale": "en", "title": format!("Event {n}") } })).await;
    publish(app, admin, "events", &event, "en").await;
}

async fn a_list_takes_the_same_number_of_queries_for_1_or_10_events(backend: Backend) {
    // No background polling while statements are counted.
    let app = TestApp::builder(backend)
        .with(|s| s.jobs.poll_interval_ms = 3_600_000)
        .spawn()
        .await;
    let admin = app.admin_token().await;
    publish_event_with_materials(&app, &admin, 0, 1).await;
    let path = "/api/v1/events?locale=fr&fallback=en&country=BE";
    let (one, list) = queries_for(&app, path).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);

    for n in 1..10 {
        publish_event_with_materials(&app, &admin, n, 2).await;
    }
    let (ten, list) = queries_for(&app, path).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 10);
    assert_eq!(list["items"][9]["materials"].as_array().unwrap().len(), 2);
    assert!(one > 0, "the statement counter counts");
    assert_eq!(one, ten, "queries must not grow with the number of events");
}

async fn news_pages_follow_the_chain_filters_and_order_with_totals(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    // Five news, newest last; the even ones also in French; tags and countries vary.
    for n in 0..5 {
        let country = ["BE", "LT"][n % 2];
        let tag = if n < 3 { "training" } else { "guidance" };
        let countries = if n == 4 { json!([]) } else { json!([country]) };
        let id = create(
            &app,
            &admin,
            "news",
            json!({ "countries": countries,
            "tags": [tag],
            "fields": { "date": format!("2026-11-0{}", n + 1) },
            "translation": { "locale": "en", "title": format!("News {n}") } }),
        )
        .await;
        publish(&app, &admin, "news", &id, "en").await;
        if n % 2 == 0 {
            translate(&app, &admin, "news", &id, "fr", &format!("Actualité {n}")).await;
            publish(&app, &admin, "news", &id, "fr").await;
        }
    }
    let page = |n: u32| format!("/api/v1/news?locale=fr&fallback=en&per_page=2&page={n}");
    let first = read(&app, &page(1)).await;
    assert_eq!(titles(&first), ["Actualité 4", "News 3"]);
    assert_eq!(first["page"]["total"], 5);
    assert_eq!(
        titles(&read(&app, &page(2)).await),
        ["Actualité 2", "News 1"]
    );
    assert_eq!(titles(&read(&app, &page(3)).await), ["Actualité 0"]);
    let beyond = read(&app, &page(9)).await;
    assert!(titles(&beyond).is_empty());
    assert_eq!(
        beyond["page"]["total"], 5,
        "the total holds past the last page"
    );

    assert_eq!(
        titles(&read(&app, "/api/v1/news?locale=en&country=BE").await),
        ["News 2", "News 0"]
    );
    assert_eq!(
        titles(&read(&app, "/api/v1/news?locale=en&tag=guidance").await),
        ["News 4", "News 3"]
    );
    assert!(
        titles(&read(&app, "/api/v1/news?locale=en&tag=Guidance").await).is_empty(),
        "tags match exactly"
    );
    assert!(titles(&read(&app, "/api/v1/news?locale=en&tag=%25").await).is_empty());
}
