//! Targeted invalidation and single-flight: a write drops exactly the cached responses
//! it can change, and still reaches every one of them; concurrent misses render once.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::delivery::{create, publish, queries_so_far, read, titles, translate};
use crate::delivery_cache::cache_hits;
use crate::helpers::{Backend, TestApp, backend_tests};

backend_tests!(
    a_write_leaves_cached_what_it_cannot_change,
    publishing_reaches_the_lists_items_and_search_it_changes,
    an_events_linked_materials_follow_their_own_publishing,
    a_site_change_or_a_trash_reaches_every_response_concerned,
    concurrent_misses_of_one_response_render_it_once,
    an_erased_sign_up_and_a_renamed_file_reach_readers_at_once,
    an_erased_sign_up_reaches_the_sites_of_the_live_event_whatever_its_draft_says,
);

async fn an_erased_sign_up_reaches_the_sites_of_the_live_event_whatever_its_draft_says(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    site(&app, &admin, "pt", "PT", "pt").await;
    let capacity = json!({ "capacity": 1 });
    let (slug, id) = crate::registrations::event(&app, &admin, "PT", 10, capacity).await;
    let person = crate::registrations::person("rui@example.pt");
    let signed_up = crate::registrations::register(&app, &slug, &person).await;
    assert_eq!(
        signed_up.status(),
        StatusCode::CREATED,
        "{}",
        signed_up.text().await.unwrap()
    );
    let portuguese = "/api/v1/events?site=pt";
    assert_eq!(read(&app, portuguese).await["items"][0]["status"], "full");
    // The draft moves to Spain; readers of the Portuguese site still see the live event.
    let moved = app
        .send_if_match(
            Method::PATCH,
            &format!("/api/v1/admin/events/{id}"),
            &admin,
            Some("\"d1\""),
            &json!({ "countries": ["ES"] }),
        )
        .await;
    assert_eq!(moved.status(), StatusCode::OK);
    erase_first_sign_up(&app, &admin, &id).await;
    let shown = read(&app, portuguese).await;
    assert_eq!(shown["items"][0]["status"], "upcoming", "{shown}");
}

async fn an_erased_sign_up_and_a_renamed_file_reach_readers_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let capacity = json!({ "capacity": 1 });
    let (slug, id) = crate::registrations::event(&app, &admin, "PT", 10, capacity).await;
    let signed_up = crate::registrations::register(
        &app,
        &slug,
        &crate::registrations::person("ana@example.pt"),
    )
    .await;
    assert_eq!(signed_up.status(), StatusCode::CREATED);
    let path = format!("/api/v1/events/{slug}?locale=en");
    let full = read(&app, &path).await;
    assert_eq!(full["status"], "full", "{full}");
    read(&app, &path).await;

    erase_first_sign_up(&app, &admin, &id).await;
    let open = read(&app, &path).await;
    assert_eq!(
        open["status"], "upcoming",
        "the erased sign-up freed the place: {open}"
    );

    let deck = crate::office_files::fixture("python-pptx.pptx");
    let uploaded = crate::assets::upload_raw(&app, &admin, "slides.pptx", deck).await;
    let uploaded = crate::assets::created(uploaded).await;
    let deck_id = uploaded["id"].as_str().unwrap();
    let material = create(
        &app,
        &admin,
        "materials",
        json!({ "countries": ["PT"], "fields": { "material_kind": "presentation" },
                "translation": { "locale": "en", "title": "Slides", "slug": "slides", "file_asset_id": deck_id } }),
    )
    .await;
    publish(&app, &admin, "materials", &material, "en").await;
    let slides = "/api/v1/materials/slides?locale=en";
    assert!(read(&app, slides).await.to_string().contains("slides.pptx"));
    let renamed = app
        .patch_json_authed(
            &format!("/api/v1/admin/assets/{deck_id}"),
            &admin,
            &json!({ "file_name": "slides-lisbon.pptx" }),
        )
        .await;
    assert_eq!(renamed.status(), StatusCode::OK);
    let shown = read(&app, slides).await.to_string();
    assert!(shown.contains("slides-lisbon.pptx"), "{shown}");
}

async fn site(app: &TestApp, admin: &str, code: &str, country: &str, locale: &str) {
    let site = json!({ "code": code, "name": code, "countries": [country], "locales": [locale],
                       "default_locale": locale, "fallback": ["en"] });
    let response = app
        .post_json_authed("/api/v1/admin/sites", admin, &site)
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

/// An item of `kind` about `countries`, published in `locale` with `title`.
async fn published(
    app: &TestApp,
    admin: &str,
    kind: &str,
    countries: Value,
    locale: &str,
    title: &str,
) -> String {
    let mut body = json!({ "countries": countries,
        "translation": { "locale": locale, "title": title } });
    if kind == "news" {
        body["fields"] = json!({ "date": "2026-11-20" });
    }
    if kind == "events" {
        body["fields"] = json!({ "city": "Gent", "starts_at": "2030-06-05T09:30:00+02:00",
            "ends_at": "2030-06-05T16:30:00+02:00", "time_zone": "Europe/Brussels",
            "registration_mode": "form" });
    }
    let id = create(app, admin, kind, body).await;
    publish(app, admin, kind, &id, locale).await;
    id
}

/// Reads each path once more; the cache hits this took.
async fn hits_reading(app: &TestApp, paths: &[&str]) -> u64 {
    let before = cache_hits(app).await;
    for path in paths {
        read(app, path).await;
    }
    cache_hits(app).await - before
}

async fn a_write_leaves_cached_what_it_cannot_change(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    site(&app, &admin, "be", "BE", "fr").await;
    site(&app, &admin, "lt", "LT", "lt").await;
    published(&app, &admin, "news", json!(["BE"]), "fr", "Nouvelles").await;
    published(&app, &admin, "news", json!(["LT"]), "lt", "Naujienos").await;
    published(&app, &admin, "events", json!(["BE"]), "fr", "Atelier").await;
    published(&app, &admin, "pages", json!([]), "fr", "Accueil").await;
    let belgian = [
        "/api/v1/news?site=be",
        "/api/v1/events?site=be",
        "/api/v1/pages?site=be",
    ];
    let lithuanian_news = "/api/v1/news?site=lt";
    for path in belgian.iter().chain([&lithuanian_news]) {
        read(&app, path).await;
    }

    published(&app, &admin, "news", json!(["LT"]), "lt", "Antra").await;

    assert_eq!(
        titles(&read(&app, lithuanian_news).await),
        ["Antra", "Naujienos"]
    );
    assert_eq!(
        hits_reading(&app, &belgian).await,
        3,
        "a Lithuanian news item leaves Belgian news, events and pages cached"
    );

    published(&app, &admin, "news", json!([]), "en", "EU-wide").await;
    assert_eq!(
        titles(&read(&app, "/api/v1/news?site=be").await),
        ["EU-wide", "Nouvelles"],
        "an EU-wide item reaches every site"
    );
    assert_eq!(
        titles(&read(&app, lithuanian_news).await),
        ["EU-wide", "Antra", "Naujienos"]
    );
    assert_eq!(
        hits_reading(&app, &belgian[1..]).await,
        2,
        "other kinds stay cached"
    );

    let created = create(
        &app,
        &admin,
        "news",
        json!({ "countries": ["BE"], "translation": { "locale": "fr", "title": "Brouillon" } }),
    )
    .await;
    translate(&app, &admin, "news", &created, "nl", "Nog een ontwerp").await;
    let preview = json!({ "markdown": "**Gras**" });
    let rendered = app
        .post_json_authed("/api/v1/admin/markdown", &admin, &preview)
        .await;
    assert_eq!(rendered.status(), StatusCode::OK);
    assert_eq!(
        hits_reading(&app, &belgian).await,
        3,
        "creating and writing drafts, or previewing Markdown, changes nothing readers see"
    );
}

async fn publishing_reaches_the_lists_items_and_search_it_changes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let id = published(&app, &admin, "news", json!([]), "en", "Social clauses").await;
    let item = "/api/v1/news/social-clauses?locale=en";
    let list = "/api/v1/news?locale=en";
    let with_locales = "/api/v1/news?locale=en&fields=locales";
    let search = "/api/v1/search?q=clauses&locale=en";
    for path in [item, list, with_locales, search] {
        read(&app, path).await;
    }
    let locales = |value: &Value| -> Vec<String> {
        value["locales"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["locale"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(locales(&read(&app, item).await), ["en"]);

    // Another locale: the item shows it among its locales, and so does a list asking
    // for them; the plain list in English does not change.
    translate(&app, &admin, "news", &id, "lt", "Socialinės sąlygos").await;
    publish(&app, &admin, "news", &id, "lt").await;
    assert_eq!(locales(&read(&app, item).await), ["en", "lt"]);
    assert_eq!(
        locales(&read(&app, with_locales).await["items"][0]),
        ["en", "lt"]
    );
    assert_eq!(hits_reading(&app, &[list]).await, 1);

    // A new title and slug: the old slug redirects, lists and search show the new one.
    let path = format!("/api/v1/admin/news/{id}/translations/en");
    let renamed =
        json!({ "title": "Social clauses in tenders", "slug": "social-clauses-in-tenders" });
    let changed = app
        .send_if_match(Method::PUT, &path, &admin, Some("\"t1\""), &renamed)
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    publish(&app, &admin, "news", &id, "en").await;
    assert_eq!(
        titles(&read(&app, list).await),
        ["Social clauses in tenders"]
    );
    assert_eq!(
        titles(&read(&app, search).await),
        ["Social clauses in tenders"]
    );
    let moved = app.get(item).await;
    assert_eq!(moved.status(), StatusCode::MOVED_PERMANENTLY);
    assert_eq!(
        read(&app, "/api/v1/news/social-clauses-in-tenders?locale=en").await["title"],
        "Social clauses in tenders"
    );

    // A new item takes the old slug: the slug's response follows.
    published(&app, &admin, "news", json!(["BE"]), "en", "Social clauses").await;
    assert_eq!(read(&app, item).await["title"], "Social clauses");
}

async fn an_events_linked_materials_follow_their_own_publishing(backend: Backend) {
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
    let event = create(
        &app,
        &admin,
        "events",
        json!({ "countries": ["BE"], "fields": { "city": "Gent",
        "starts_at": "2030-06-05T09:30:00+02:00", "ends_at": "2030-06-05T16:30:00+02:00",
        "time_zone": "Europe/Brussels", "registration_mode": "form", "materials": [material] },
        "translation": { "locale": "fr", "title": "Atelier" } }),
    )
    .await;
    publish(&app, &admin, "events", &event, "fr").await;
    let list = "/api/v1/events?locale=fr";
    let item = "/api/v1/events/atelier?locale=fr";
    let of_event = format!("/api/v1/materials?locale=fr&event={event}");
    let linked = |value: &Value| -> Vec<String> {
        value["materials"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["title"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(linked(&read(&app, item).await).is_empty(), "not published");
    assert!(linked(&read(&app, list).await["items"][0]).is_empty());
    assert!(titles(&read(&app, &of_event).await).is_empty());

    // Published in a locale outside the chain: still not shown.
    publish(&app, &admin, "materials", &material, "en").await;
    assert!(linked(&read(&app, item).await).is_empty());

    translate(&app, &admin, "materials", &material, "fr", "Diapositives").await;
    publish(&app, &admin, "materials", &material, "fr").await;
    assert_eq!(linked(&read(&app, item).await), ["Diapositives"]);
    assert_eq!(
        linked(&read(&app, list).await["items"][0]),
        ["Diapositives"]
    );
    assert_eq!(titles(&read(&app, &of_event).await), ["Diapositives"]);

    let off = format!("/api/v1/admin/materials/{material}/translations/fr/unpublish");
    let response = app.send(Method::POST, &off, Some(&admin), None).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(linked(&read(&app, item).await).is_empty());
    assert!(linked(&read(&app, list).await["items"][0]).is_empty());
}

async fn a_site_change_or_a_trash_reaches_every_response_concerned(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    site(&app, &admin, "be", "BE", "fr").await;
    let id = published(&app, &admin, "news", json!(["BE"]), "en", "In English").await;
    let list = "/api/v1/news?site=be";
    assert_eq!(titles(&read(&app, list).await), ["In English"]);

    let no_fallback = json!({ "fallback": [] });
    let response = app
        .patch_json_authed("/api/v1/admin/sites/be", &admin, &no_fallback)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        titles(&read(&app, list).await).is_empty(),
        "French only now"
    );

    let item = "/api/v1/news/in-english?locale=en";
    let english = "/api/v1/news?locale=en";
    assert_eq!(read(&app, item).await["title"], "In English");
    assert_eq!(titles(&read(&app, english).await), ["In English"]);
    let trashed = app
        .delete_authed(&format!("/api/v1/admin/news/{id}"), &admin)
        .await;
    assert!(trashed.status().is_success());
    assert_eq!(app.get(item).await.status(), StatusCode::NOT_FOUND);
    assert!(titles(&read(&app, english).await).is_empty());
}

/// Misses that waited for another request's render and shared it, from `/metrics`.
async fn render_waits(app: &TestApp) -> u64 {
    let metrics = app.get("/metrics").await.text().await.unwrap();
    metrics
        .lines()
        .find_map(|line| {
            line.strip_prefix("buysocial_delivery_render_waits_total{result=\"shared\"} ")
        })
        .map_or(0, |n| n.trim().parse().unwrap())
}

async fn concurrent_misses_of_one_response_render_it_once(backend: Backend) {
    // No background polling while statements are counted.
    let app = TestApp::builder(backend)
        .with(|s| s.jobs.poll_interval_ms = 3_600_000)
        .spawn()
        .await;
    let admin = app.admin_token().await;
    for n in 0..5 {
        let title = format!("News {n}");
        published(&app, &admin, "news", json!([]), "en", &title).await;
    }
    // One render of an equal list, for its cost.
    let before = queries_so_far(&app).await;
    read(&app, "/api/v1/news?locale=en&per_page=19").await;
    let one_render = queries_so_far(&app).await - before;

    let before = queries_so_far(&app).await;
    let hits_before = cache_hits(&app).await;
    let waits_before = render_waits(&app).await;
    let readers: Vec<_> = (0..16)
        .map(|_| {
            let url = app.url("/api/v1/news?locale=en&per_page=20");
            let client = app.client.clone();
            tokio::spawn(async move { client.get(url).send().await.unwrap().status() })
        })
        .collect();
    for reader in readers {
        assert_eq!(reader.await.unwrap(), StatusCode::OK);
    }
    let queries = queries_so_far(&app).await - before;
    assert!(one_render > 0, "the statement counter counts");
    assert!(
        queries <= one_render,
        "16 concurrent misses took {queries} statements; one render takes {one_render}"
    );
    let shared = render_waits(&app).await - waits_before;
    let hits = cache_hits(&app).await - hits_before;
    assert_eq!(
        hits, 15,
        "all but the one rendering got its answer ({shared} waited)"
    );
}

/// Erases the event's first sign-up as an admin does.
async fn erase_first_sign_up(app: &TestApp, admin: &str, event: &str) {
    let listed: Value = app
        .get_json(
            &format!("/api/v1/admin/events/{event}/registrations"),
            admin,
        )
        .await;
    let erase = format!(
        "/api/v1/admin/events/{event}/registrations/{}",
        listed[0]["id"].as_str().unwrap()
    );
    let erased = app.send(Method::DELETE, &erase, Some(admin), None).await;
    assert_eq!(erased.status(), StatusCode::NO_CONTENT);
}
