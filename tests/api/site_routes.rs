//! Site routes: where a site's frontend shows items. Delivery items carry their `url`
//! and `alternates` on the asked site, and `/api/v1/sitemap.xml` lists them.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::delivery::{create, publish, read, translate};
use crate::helpers::{Backend, TestApp, assert_problem, backend_tests};

backend_tests!(
    routes_are_validated_naming_every_field,
    routes_and_the_preview_route_are_changed_and_removed,
    items_carry_their_url_and_alternates_on_the_asked_site,
    pages_are_addressed_by_the_path_of_their_parents,
    the_sitemap_lists_published_items_with_hreflang_alternates,
    a_large_sitemap_is_split_into_parts_under_an_index,
    sitemap_requests_are_checked,
);

fn belgium() -> Value {
    json!({
        "code": "be", "name": "WeBuySocial Belgium", "countries": ["BE"],
        "locales": ["fr", "nl"], "default_locale": "fr", "fallback": ["en"],
        "routes": [
            { "kind": "news", "locale": "fr", "pattern": "https://webuysocial.be/fr/actualites/{slug}" },
            { "kind": "news", "locale": "nl", "pattern": "https://webuysocial.be/nl/nieuws/{slug}" },
            { "kind": "page", "pattern": "https://webuysocial.be/{locale}/{path}" },
            { "kind": "event", "pattern": "https://webuysocial.be/{locale}/events/{slug}" },
            { "kind": "material", "pattern": "https://webuysocial.be/{locale}/materials/{id}" }
        ],
        "preview_url": "https://webuysocial.be/api/preview?token={token}&kind={kind}&slug={slug}&locale={locale}"
    })
}

async fn with_belgium(backend: Backend) -> (TestApp, String) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let created = app
        .post_json_authed("/api/v1/admin/sites", &admin, &belgium())
        .await;
    assert_eq!(
        created.status(),
        StatusCode::CREATED,
        "{}",
        created.text().await.unwrap()
    );
    (app, admin)
}

async fn routes_are_validated_naming_every_field(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let mut site = belgium();
    site["routes"] = json!([
        { "kind": "news", "locale": "de", "pattern": "https://webuysocial.be/de/{slug}" },
        { "kind": "news", "pattern": "https://{locale}.webuysocial.be/{slug}" },
        { "kind": "event", "pattern": "https://webuysocial.be/{locale}/{path}" },
        { "kind": "page", "pattern": "https://webuysocial.be/{locale}/about" },
        { "kind": "material", "pattern": "/materials/{slug}" },
        { "kind": "page", "locale": "fr", "pattern": "https://webuysocial.be/fr/{path}" },
        { "kind": "page", "locale": "fr", "pattern": "https://webuysocial.be/fr/p/{slug}" },
        { "kind": "material", "pattern": "https://webuysocial.be/materials/{id}" }
    ]);
    site["preview_url"] = json!("https://webuysocial.be/preview?slug={slug}");
    let problem = assert_problem(
        app.post_json_authed("/api/v1/admin/sites", &admin, &site)
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
    assert_eq!(
        fields,
        [
            "routes[0].locale",
            "routes[1].pattern",
            "routes[2].pattern",
            "routes[3].pattern",
            "routes[4].pattern",
            "routes[6]",
            "routes[7].pattern",
            "preview_url"
        ],
        "{problem}"
    );
    let text = problem.to_string();
    assert!(
        text.contains("de is not one of the site's locales"),
        "{text}"
    );
    assert!(text.contains("not in the scheme or host"), "{text}");
    assert!(text.contains("{path} is not one of"), "{text}");
    assert!(text.contains("a second route for pages in fr"), "{text}");
    assert!(text.contains("must contain {locale}"), "{text}");
    assert!(text.contains("must contain {token}"), "{text}");
    assert_problem(
        app.get_authed("/api/v1/admin/sites/be", &admin).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

async fn routes_and_the_preview_route_are_changed_and_removed(backend: Backend) {
    let (app, admin) = with_belgium(backend).await;
    let site: Value = app
        .get_authed("/api/v1/admin/sites/be", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(site["routes"].as_array().unwrap().len(), 5);
    assert_eq!(site["routes"][2]["locale"], Value::Null);
    assert!(site["preview_url"].as_str().unwrap().contains("{token}"));

    // Dropping a locale that a route uses is refused: the route would serve nothing.
    let problem = assert_problem(
        app.patch_json_authed(
            "/api/v1/admin/sites/be",
            &admin,
            &json!({ "locales": ["fr"] }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "routes[1].locale");

    let changed: Value = app
        .patch_json_authed(
            "/api/v1/admin/sites/be",
            &admin,
            &json!({ "routes": [{ "kind": "news", "pattern": "https://webuysocial.be/{locale}/n/{slug}" }] }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(changed["routes"].as_array().unwrap().len(), 1);
    assert!(
        changed["preview_url"].is_string(),
        "absent keeps the preview route"
    );
    let cleared: Value = app
        .patch_json_authed(
            "/api/v1/admin/sites/be",
            &admin,
            &json!({ "preview_url": null, "routes": [] }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cleared["preview_url"], Value::Null);
    assert_eq!(cleared["routes"], json!([]));
}

async fn items_carry_their_url_and_alternates_on_the_asked_site(backend: Backend) {
    let (app, admin) = with_belgium(backend).await;
    let id = create(
        &app,
        &admin,
        "news",
        json!({ "translation": { "locale": "fr", "title": "Appel aux acheteurs" } }),
    )
    .await;
    translate(&app, &admin, "news", &id, "nl", "Oproep aan kopers").await;
    translate(&app, &admin, "news", &id, "en", "Call to buyers").await;
    for locale in ["fr", "nl", "en"] {
        publish(&app, &admin, "news", &id, locale).await;
    }

    let item = read(&app, "/api/v1/news/appel-aux-acheteurs?site=be").await;
    assert_eq!(
        item["url"],
        "https://webuysocial.be/fr/actualites/appel-aux-acheteurs"
    );
    assert_eq!(
        item["alternates"],
        json!([
            { "locale": "fr", "url": "https://webuysocial.be/fr/actualites/appel-aux-acheteurs" },
            { "locale": "nl", "url": "https://webuysocial.be/nl/nieuws/oproep-aan-kopers" }
        ]),
        "English is not a locale of the site"
    );
    let dutch = read(&app, "/api/v1/news/oproep-aan-kopers?site=be&locale=nl").await;
    assert_eq!(
        dutch["url"],
        "https://webuysocial.be/nl/nieuws/oproep-aan-kopers"
    );

    // Served from a locale the site has no route for: no URL to give.
    let english = read(&app, "/api/v1/news/call-to-buyers?site=be&locale=en").await;
    assert_eq!(english["url"], Value::Null);

    // Without a site there is no frontend to point at.
    let bare = read(&app, "/api/v1/news/appel-aux-acheteurs?locale=fr").await;
    assert_eq!(bare["url"], Value::Null);
    assert_eq!(bare["alternates"], json!([]));

    let list = read(&app, "/api/v1/news?site=be").await;
    assert_eq!(
        list["items"][0]["url"],
        "https://webuysocial.be/fr/actualites/appel-aux-acheteurs"
    );
    assert!(
        list["items"][0].get("alternates").is_none(),
        "lists are lean"
    );
    let list = read(&app, "/api/v1/news?site=be&fields=locales").await;
    assert_eq!(list["items"][0]["alternates"].as_array().unwrap().len(), 2);
    let found = read(&app, "/api/v1/search?site=be&q=appel").await;
    assert_eq!(
        found["items"][0]["url"],
        "https://webuysocial.be/fr/actualites/appel-aux-acheteurs"
    );

    // An event's materials carry their URL too.
    let material = create(
        &app,
        &admin,
        "materials",
        json!({ "fields": { "material_kind": "presentation" },
                "translation": { "locale": "fr", "title": "Présentation" } }),
    )
    .await;
    publish(&app, &admin, "materials", &material, "fr").await;
    let event = create(
        &app,
        &admin,
        "events",
        json!({ "countries": ["BE"], "fields": { "starts_at": "2099-05-23T09:30:00+02:00",
                "ends_at": "2099-05-23T16:30:00+02:00", "time_zone": "Europe/Brussels",
                "city": "Bruxelles", "materials": [material] },
                "translation": { "locale": "fr", "title": "Atelier Bruxelles" } }),
    )
    .await;
    publish(&app, &admin, "events", &event, "fr").await;
    let event = read(&app, "/api/v1/events/atelier-bruxelles?site=be").await;
    assert_eq!(
        event["url"],
        "https://webuysocial.be/fr/events/atelier-bruxelles"
    );
    assert_eq!(
        event["materials"][0]["url"],
        format!("https://webuysocial.be/fr/materials/{material}")
    );
}

async fn pages_are_addressed_by_the_path_of_their_parents(backend: Backend) {
    let (app, admin) = with_belgium(backend).await;
    let parent = create(
        &app,
        &admin,
        "pages",
        json!({ "translation": { "locale": "fr", "title": "À propos" } }),
    )
    .await;
    let child = create(
        &app,
        &admin,
        "pages",
        json!({ "parent_id": parent,
                "translation": { "locale": "fr", "title": "Qu'est-ce que les ASRP ?", "slug": "asrp" } }),
    )
    .await;
    translate(&app, &admin, "pages", &child, "nl", "Wat is MVOI").await;
    publish(&app, &admin, "pages", &child, "fr").await;
    publish(&app, &admin, "pages", &child, "nl").await;
    let page = read(&app, "/api/v1/pages/asrp?site=be").await;
    assert_eq!(page["url"], Value::Null, "the parent is not published yet");

    publish(&app, &admin, "pages", &parent, "fr").await;
    let page = read(&app, "/api/v1/pages/asrp?site=be").await;
    assert_eq!(page["url"], "https://webuysocial.be/fr/a-propos/asrp");
    assert_eq!(
        page["alternates"],
        json!([{ "locale": "fr", "url": "https://webuysocial.be/fr/a-propos/asrp" }]),
        "the Dutch page's parent has no Dutch translation, so no Dutch path"
    );
}

/// `(loc, lastmod, [(hreflang, href)])` of a `<url>`.
type UrlEntry = (String, String, Vec<(String, String)>);

/// Each `<url>` of a sitemap, in order.
fn urls(xml: &str) -> Vec<UrlEntry> {
    xml.split("<url>")
        .skip(1)
        .map(|entry| {
            let between = |open: &str, close: &str| {
                let start = entry.find(open).unwrap() + open.len();
                entry[start..start + entry[start..].find(close).unwrap()].to_owned()
            };
            let links = entry
                .split("<xhtml:link ")
                .skip(1)
                .map(|link| {
                    let attr = |name: &str| {
                        let start = link.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                        link[start..start + link[start..].find('"').unwrap()].to_owned()
                    };
                    (attr("hreflang"), attr("href"))
                })
                .collect();
            (
                between("<loc>", "</loc>"),
                between("<lastmod>", "</lastmod>"),
                links,
            )
        })
        .collect()
}

async fn the_sitemap_lists_published_items_with_hreflang_alternates(backend: Backend) {
    let (app, admin) = with_belgium(backend).await;
    let news = create(
        &app,
        &admin,
        "news",
        json!({ "translation": { "locale": "fr", "title": "Appel" } }),
    )
    .await;
    translate(&app, &admin, "news", &news, "nl", "Oproep").await;
    publish(&app, &admin, "news", &news, "fr").await;
    publish(&app, &admin, "news", &news, "nl").await;
    create(
        &app,
        &admin,
        "news",
        json!({ "translation": { "locale": "fr", "title": "Brouillon secret" } }),
    )
    .await;
    let lithuanian = create(
        &app,
        &admin,
        "events",
        json!({ "countries": ["LT"], "fields": { "starts_at": "2099-05-23T09:30:00+03:00",
                "ends_at": "2099-05-23T16:30:00+03:00", "time_zone": "Europe/Vilnius", "city": "Vilnius" },
                "translation": { "locale": "fr", "title": "Atelier Vilnius" } }),
    )
    .await;
    publish(&app, &admin, "events", &lithuanian, "fr").await;

    let response = app.get("/api/v1/sitemap.xml?site=be").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "application/xml; charset=utf-8"
    );
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let xml = response.text().await.unwrap();
    assert!(xml.starts_with(r#"<?xml version="1.0" encoding="UTF-8"?>"#));
    assert!(xml.contains(r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">"#));
    assert!(!xml.contains("brouillon"), "drafts never appear");
    assert!(
        !xml.contains("vilnius"),
        "the site shows Belgian and EU-wide items only"
    );
    let found = urls(&xml);
    let alternates = vec![
        (
            "fr".to_owned(),
            "https://webuysocial.be/fr/actualites/appel".to_owned(),
        ),
        (
            "nl".to_owned(),
            "https://webuysocial.be/nl/nieuws/oproep".to_owned(),
        ),
        (
            "x-default".to_owned(),
            "https://webuysocial.be/fr/actualites/appel".to_owned(),
        ),
    ];
    assert_eq!(found.len(), 2, "{xml}");
    assert_eq!(found[0].0, "https://webuysocial.be/fr/actualites/appel");
    assert_eq!(found[1].0, "https://webuysocial.be/nl/nieuws/oproep");
    for (_, lastmod, links) in &found {
        assert!(
            chrono::DateTime::parse_from_rfc3339(lastmod).is_ok(),
            "{lastmod}"
        );
        assert_eq!(links, &alternates);
    }

    let unchanged = app
        .client
        .get(app.url("/api/v1/sitemap.xml?site=be"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);
}

async fn a_large_sitemap_is_split_into_parts_under_an_index(backend: Backend) {
    let app = TestApp::builder(backend)
        .with(|s| {
            s.delivery.sitemap_urls_per_file = 2;
            s.server.public_url = "https://cms.webuysocial.eu".into();
        })
        .spawn()
        .await;
    let admin = app.admin_token().await;
    assert_eq!(
        app.post_json_authed("/api/v1/admin/sites", &admin, &belgium())
            .await
            .status(),
        StatusCode::CREATED
    );
    for n in 1..=5 {
        let id = create(
            &app,
            &admin,
            "news",
            json!({ "translation": { "locale": "fr", "title": format!("Actualité {n}") } }),
        )
        .await;
        publish(&app, &admin, "news", &id, "fr").await;
    }
    let index = app
        .get("/api/v1/sitemap.xml?site=be")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        index.contains(r#"<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">"#)
    );
    let parts: Vec<&str> = index
        .split("<loc>")
        .skip(1)
        .map(|s| &s[..s.find("</loc>").unwrap()])
        .collect();
    assert_eq!(
        parts,
        [
            "https://cms.webuysocial.eu/api/v1/sitemap.xml?site=be&amp;part=1",
            "https://cms.webuysocial.eu/api/v1/sitemap.xml?site=be&amp;part=2",
            "https://cms.webuysocial.eu/api/v1/sitemap.xml?site=be&amp;part=3",
        ]
    );
    let mut listed = Vec::new();
    for part in 1..=3 {
        let xml = app
            .get(&format!("/api/v1/sitemap.xml?site=be&part={part}"))
            .await
            .text()
            .await
            .unwrap();
        listed.extend(urls(&xml).into_iter().map(|(loc, _, _)| loc));
    }
    listed.sort();
    listed.dedup();
    assert_eq!(
        listed.len(),
        5,
        "every item in exactly one part: {listed:?}"
    );
    assert_problem(
        app.get("/api/v1/sitemap.xml?site=be&part=4").await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

async fn sitemap_requests_are_checked(backend: Backend) {
    let (app, admin) = with_belgium(backend).await;
    let problem = assert_problem(
        app.get("/api/v1/sitemap.xml").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "site");
    for query in [
        "site=be&locale=fr",
        "site=be&preview=true",
        "site=nowhere",
        "site=be&part=x",
    ] {
        assert_problem(
            app.get(&format!("/api/v1/sitemap.xml?{query}")).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    // A site without routes has an empty sitemap, not an error.
    app.patch_json_authed("/api/v1/admin/sites/be", &admin, &json!({ "routes": [] }))
        .await;
    let xml = app
        .get("/api/v1/sitemap.xml?site=be")
        .await
        .text()
        .await
        .unwrap();
    assert!(xml.contains("<urlset") && !xml.contains("<url>"), "{xml}");
    // A token bound to another site may not read this one's.
    let lithuania = json!({ "code": "lt", "name": "WeBuySocial Lietuva", "countries": ["LT"],
                            "locales": ["lt"], "default_locale": "lt" });
    app.post_json_authed("/api/v1/admin/sites", &admin, &lithuania)
        .await;
    let (_, for_lithuania) = app
        .api_token(
            &admin,
            json!({ "name": "lt", "kind": "delivery", "site": "lt" }),
        )
        .await;
    assert_problem(
        app.get_authed("/api/v1/sitemap.xml?site=be", &for_lithuania)
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let own = app
        .get_authed("/api/v1/sitemap.xml?site=lt", &for_lithuania)
        .await;
    assert_eq!(own.status(), StatusCode::OK);
}
