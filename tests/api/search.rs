//! `/api/v1/search`: ranked full-text search over published content only.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::delivery::{create, publish, read};
use crate::helpers::{Backend, TestApp, assert_problem, backend_tests};

backend_tests!(
    published_content_is_found_ranked_with_snippets,
    search_follows_the_locale_chain_and_the_site,
    unpublished_and_trashed_content_never_matches,
    bad_searches_are_refused,
    every_prefix_of_a_published_word_finds_it,
);

fn found(results: &Value) -> Vec<String> {
    results["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_owned())
        .collect()
}

/// These tests search more often than one reader may per minute; the limit on uncached
/// searches has its own test (`security`).
async fn unlimited(backend: Backend) -> TestApp {
    TestApp::builder(backend)
        .with(|s| {
            s.delivery.searches_per_address_per_minute = 0;
            s.delivery.searches_per_token_per_minute = 0;
        })
        .spawn()
        .await
}

async fn item(
    app: &TestApp,
    admin: &str,
    kind: &str,
    countries: Value,
    translation: Value,
) -> String {
    let fields = match kind {
        "news" => json!({ "date": "2026-11-20" }),
        _ => json!({}),
    };
    let id = create(
        app,
        admin,
        kind,
        json!({ "countries": countries, "fields": fields, "translation": translation }),
    )
    .await;
    let locale = translation["locale"].as_str().unwrap();
    publish(app, admin, kind, &id, locale).await;
    id
}

async fn published_content_is_found_ranked_with_snippets(backend: Backend) {
    let app = unlimited(backend).await;
    let admin = app.admin_token().await;
    item(
        &app,
        &admin,
        "pages",
        json!([]),
        json!({ "locale": "en", "title": "How to buy social",
        "body": "Public buyers can add social clauses to their tenders." }),
    )
    .await;
    item(&app, &admin, "news", json!([]), json!({ "locale": "en", "title": "Tenders that include people",
        "summary": "Social clauses in tenders.", "body": "A <script>alert(1)</script> story about tenders." })).await;
    create(
        &app,
        &admin,
        "news",
        json!({ "fields": { "date": "2026-11-21" },
        "translation": { "locale": "en", "title": "Secret tenders draft" } }),
    )
    .await;

    let results = read(&app, "/api/v1/search?q=tender&locale=en").await;
    assert_eq!(
        found(&results),
        ["Tenders that include people", "How to buy social"],
        "stemmed, title matches first, drafts never"
    );
    assert_eq!(results["page"]["total"], 2);
    let top = &results["items"][0];
    assert_eq!(top["kind"], "news");
    assert_eq!(top["locale"], "en");
    assert!(top["slug"].as_str().unwrap().starts_with("tenders-that"));
    let snippet = top["snippet"].as_str().unwrap();
    assert!(snippet.contains("<mark>"), "{snippet}");
    assert!(
        !snippet.contains("<script>"),
        "snippets are escaped: {snippet}"
    );
    assert!(top["score"].as_f64().unwrap() > results["items"][1]["score"].as_f64().unwrap());

    let pages = read(
        &app,
        "/api/v1/search?q=social%20clauses&locale=en&kind=pages",
    )
    .await;
    assert_eq!(found(&pages), ["How to buy social"]);
    let typed = read(&app, "/api/v1/search?q=social%20clau&locale=en").await;
    assert_eq!(typed["page"]["total"], 2, "the last word may be unfinished");
    let one = read(&app, "/api/v1/search?q=tenders&locale=en&per_page=1&page=2").await;
    assert_eq!(found(&one), ["How to buy social"]);
    assert_eq!(one["page"]["total"], 2);
}

async fn search_follows_the_locale_chain_and_the_site(backend: Backend) {
    let app = unlimited(backend).await;
    let admin = app.admin_token().await;
    let site = json!({ "code": "lt", "name": "Lietuva", "countries": ["LT"], "locales": ["lt"],
        "default_locale": "lt", "fallback": ["en"] });
    app.post_json_authed("/api/v1/admin/sites", &admin, &site)
        .await;
    let both = item(
        &app,
        &admin,
        "news",
        json!(["LT"]),
        json!({ "locale": "en", "title": "Procurement training in Vilnius" }),
    )
    .await;
    let path = format!("/api/v1/admin/news/{both}/translations/lt");
    let response = app
        .send(
            Method::PUT,
            &path,
            Some(&admin),
            Some(&json!({ "title": "Viešieji pirkimai: mokymai Vilniuje" })),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    publish(&app, &admin, "news", &both, "lt").await;
    item(
        &app,
        &admin,
        "news",
        json!([]),
        json!({ "locale": "en", "title": "Procurement across Europe" }),
    )
    .await;
    item(
        &app,
        &admin,
        "news",
        json!(["BE"]),
        json!({ "locale": "en", "title": "Procurement in Brussels" }),
    )
    .await;

    assert_eq!(
        found(&read(&app, "/api/v1/search?q=viešieji&site=lt").await),
        ["Viešieji pirkimai: mokymai Vilniuje"]
    );
    let fallback = read(&app, "/api/v1/search?q=procurement&site=lt").await;
    assert_eq!(
        found(&fallback),
        ["Procurement across Europe"],
        "found in the locale it is served in, within the site's countries"
    );
    assert_eq!(fallback["locales"], json!(["lt", "en"]));
    assert_eq!(
        read(&app, "/api/v1/search?q=procurement&locale=en").await["page"]["total"],
        3
    );
}

async fn unpublished_and_trashed_content_never_matches(backend: Backend) {
    let app = unlimited(backend).await;
    let admin = app.admin_token().await;
    let gone = item(
        &app,
        &admin,
        "news",
        json!([]),
        json!({ "locale": "en", "title": "Withdrawn guidance" }),
    )
    .await;
    let binned = item(
        &app,
        &admin,
        "pages",
        json!([]),
        json!({ "locale": "en", "title": "Binned guidance" }),
    )
    .await;
    let path = "/api/v1/search?q=guidance&locale=en";
    assert_eq!(read(&app, path).await["page"]["total"], 2);

    // A republished translation is found by its new words only.
    let renamed = app
        .send_if_match(
            Method::PUT,
            &format!("/api/v1/admin/news/{gone}/translations/en"),
            &admin,
            Some("\"t1\""),
            &json!({ "title": "Withdrawn advice" }),
        )
        .await;
    assert_eq!(renamed.status(), StatusCode::OK);
    publish(&app, &admin, "news", &gone, "en").await;
    assert_eq!(found(&read(&app, path).await), ["Binned guidance"]);
    assert_eq!(
        found(&read(&app, "/api/v1/search?q=advice&locale=en").await),
        ["Withdrawn advice"]
    );

    let off = format!("/api/v1/admin/news/{gone}/translations/en/unpublish");
    assert_eq!(
        app.send(Method::POST, &off, Some(&admin), None)
            .await
            .status(),
        StatusCode::OK
    );
    assert!(found(&read(&app, "/api/v1/search?q=advice&locale=en").await).is_empty());
    let trashed = app
        .delete_authed(&format!("/api/v1/admin/pages/{binned}"), &admin)
        .await;
    assert!(trashed.status().is_success());
    assert_eq!(read(&app, path).await["page"]["total"], 0);
}

async fn bad_searches_are_refused(backend: Backend) {
    let app = unlimited(backend).await;
    for (query, field) in [
        ("locale=en", "q"),
        ("q=%21%21%21&locale=en", "q"),
        ("q=x&kind=videos&locale=en", "kind"),
        ("q=x&sort=new&locale=en", "sort"),
    ] {
        let body = assert_problem(
            app.get(&format!("/api/v1/search?{query}")).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert_eq!(body["errors"][0]["field"], field, "{query}");
    }
    let long = "word ".repeat(41);
    assert_problem(
        app.get(&format!("/api/v1/search?q={long}&locale=en")).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    for syntax in [
        "%22a%22%20OR%20b*",
        "NEAR(a%20b)",
        "a%20-b",
        "%27%3B%20DROP%20TABLE",
    ] {
        let response = app
            .get(&format!("/api/v1/search?q={syntax}&locale=en"))
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{syntax}");
    }
}

/// Search-as-you-type: from the third letter on, every prefix of a published word
/// finds it, in English, French and Lithuanian; a full English word also finds its
/// other forms.
async fn every_prefix_of_a_published_word_finds_it(backend: Backend) {
    let app = unlimited(backend).await;
    let admin = app.admin_token().await;
    let cases = [
        (
            "en",
            "Socially responsible procurement",
            "Training in public procurement",
            ["procurement", "training", "responsible"],
        ),
        (
            "fr",
            "Marchés publics et coopération",
            "La coopération entre acheteurs",
            ["coopération", "acheteurs", "marchés"],
        ),
        (
            "lt",
            "Socialiai atsakingi viešieji pirkimai",
            "Mokymai perkančiosioms organizacijoms",
            ["viešieji", "pirkimai", "organizacijoms"],
        ),
    ];
    for (locale, title, summary, _) in &cases {
        item(
            &app,
            &admin,
            "pages",
            json!([]),
            json!({ "locale": locale, "title": title, "summary": summary }),
        )
        .await;
    }

    for (locale, title, _, words) in &cases {
        for word in words {
            let letters: Vec<char> = word.chars().collect();
            for end in 3..=letters.len() {
                let prefix: String = letters[..end].iter().collect();
                let query = format!("/api/v1/search?locale={locale}&q={prefix}");
                let results = read(&app, &query).await;
                assert_eq!(found(&results), [title.to_string()], "{locale}: {prefix}");
            }
        }
    }
    let earlier_words = read(&app, "/api/v1/search?locale=en&q=procur%20train").await;
    assert_eq!(
        found(&earlier_words),
        ["Socially responsible procurement"],
        "the last word may be unfinished"
    );
    let other_form = read(&app, "/api/v1/search?locale=en&q=procurements%20trainings").await;
    assert_eq!(
        found(&other_form),
        ["Socially responsible procurement"],
        "English stems"
    );
    let snippet = read(&app, "/api/v1/search?locale=fr&q=coop%C3%A9rat").await;
    assert!(
        snippet["items"][0]["snippet"]
            .as_str()
            .unwrap()
            .contains("<mark>coopération</mark>"),
        "{snippet}"
    );
}
