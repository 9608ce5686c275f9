//! `/api/v1/admin/sites`: national frontends.

use reqwest::StatusCode;
use serde_json::{Value, json};

use buysocial::domain::Role;

use crate::delivery::{create, publish, translate};
use crate::helpers::{Backend, TestApp, assert_problem, backend_tests};

backend_tests!(
    a_site_is_created_read_changed_and_deleted,
    invalid_sites_are_refused_naming_every_field,
    a_duplicate_code_is_a_conflict,
    deleting_a_site_revokes_its_tokens,
    site_settings_are_tried_on_an_item_before_saving,
    trying_site_settings_is_for_admins_and_validated,
);

fn belgium() -> Value {
    json!({ "code": "be", "name": "WeBuySocial Belgium", "countries": ["BE"], "locales": ["fr", "nl"],
            "default_locale": "nl", "fallback": ["fr", "en"] })
}

async fn a_site_is_created_read_changed_and_deleted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;

    let created = app
        .post_json_authed("/api/v1/admin/sites", &admin, &belgium())
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(created.headers()["location"], "/api/v1/admin/sites/be");
    let site: Value = app
        .get_authed("/api/v1/admin/sites/be", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(site["locales"], json!(["fr", "nl"]));
    assert_eq!(site["fallback"], json!(["fr", "en"]));
    assert_eq!(site["countries"], json!(["BE"]));

    let changed = app
        .patch_json_authed(
            "/api/v1/admin/sites/be",
            &admin,
            &json!({ "default_locale": "fr", "fallback": ["nl", "en"] }),
        )
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let changed: Value = changed.json().await.unwrap();
    assert_eq!(changed["default_locale"], "fr");
    assert_eq!(changed["name"], "WeBuySocial Belgium");

    let eu = json!({ "code": "eu", "name": "WeBuySocialEU", "locales": ["en", "fr", "de"], "default_locale": "en" });
    assert_eq!(
        app.post_json_authed("/api/v1/admin/sites", &admin, &eu)
            .await
            .status(),
        StatusCode::CREATED
    );
    let list: Value = app
        .get_authed("/api/v1/admin/sites", &admin)
        .await
        .json()
        .await
        .unwrap();
    let codes: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["be", "eu"]);
    assert_eq!(list["items"][1]["countries"], json!([]));

    assert_eq!(
        app.delete_authed("/api/v1/admin/sites/be", &admin)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_problem(
        app.get_authed("/api/v1/admin/sites/be", &admin).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

async fn invalid_sites_are_refused_naming_every_field(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;

    let response = app
        .post_json_authed(
            "/api/v1/admin/sites",
            &admin,
            &json!({ "code": "Belgium!", "name": "", "countries": ["BE", "XX"], "locales": ["fr", "fr", "klingon"],
                     "default_locale": "de", "fallback": ["de"] }),
        )
        .await;

    let body = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "code",
            "name",
            "countries[1]",
            "locales[1]",
            "locales[2]",
            "default_locale",
            "fallback"
        ]
    );
    assert_eq!(
        app.post_json_authed("/api/v1/admin/sites", &admin, &belgium())
            .await
            .status(),
        StatusCode::CREATED
    );
    // A change is checked against the site as it would become.
    let bad = app
        .patch_json_authed(
            "/api/v1/admin/sites/be",
            &admin,
            &json!({ "locales": ["fr"] }),
        )
        .await;
    let body = assert_problem(bad, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["errors"][0]["field"], "default_locale");
    let unchanged: Value = app
        .get_authed("/api/v1/admin/sites/be", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(unchanged["locales"], json!(["fr", "nl"]));
}

async fn a_duplicate_code_is_a_conflict(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    app.post_json_authed("/api/v1/admin/sites", &admin, &belgium())
        .await;

    let again = app
        .post_json_authed("/api/v1/admin/sites", &admin, &belgium())
        .await;

    assert_problem(again, StatusCode::CONFLICT).await;
}

async fn deleting_a_site_revokes_its_tokens(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    app.post_json_authed("/api/v1/admin/sites", &admin, &belgium())
        .await;
    let (_, bound) = app
        .api_token(
            &admin,
            json!({ "name": "be", "kind": "delivery", "site": "be" }),
        )
        .await;
    let (_, unbound) = app
        .api_token(&admin, json!({ "name": "all", "kind": "delivery" }))
        .await;

    app.delete_authed("/api/v1/admin/sites/be", &admin).await;

    assert_problem(
        app.get_authed("/api/v1/auth/me", &bound).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(
        app.get_authed("/api/v1/auth/me", &unbound).await.status(),
        StatusCode::OK
    );
}

/// A Lithuanian news item live in English and French, with a Dutch draft.
async fn lithuanian_news(app: &TestApp, admin: &str) -> String {
    let id = create(
        app,
        admin,
        "news",
        json!({ "countries": ["LT"], "translation": { "locale": "en", "title": "Call for tenders" } }),
    )
    .await;
    publish(app, admin, "news", &id, "en").await;
    translate(app, admin, "news", &id, "fr", "Appel d'offres").await;
    publish(app, admin, "news", &id, "fr").await;
    translate(app, admin, "news", &id, "nl", "Aanbesteding").await;
    id
}

fn served(preview: &Value) -> Vec<(String, Value, Value)> {
    preview["readers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["locale"].as_str().unwrap().to_owned(),
                r["served_locale"].clone(),
                r["chain"].clone(),
            )
        })
        .collect()
}

async fn site_settings_are_tried_on_an_item_before_saving(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let id = lithuanian_news(&app, &admin).await;
    let mut settings = json!({ "countries": [], "locales": ["nl", "fr"], "default_locale": "nl",
                               "fallback": ["fr", "en"], "kind": "news", "id": id });

    let response = app
        .post_json_authed("/api/v1/admin/sites/preview", &admin, &settings)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let preview: Value = response.json().await.unwrap();
    assert_eq!(preview["shown"], true);
    assert_eq!(preview["item_countries"], json!(["LT"]));
    assert_eq!(
        served(&preview),
        [
            ("nl".to_owned(), json!("fr"), json!(["nl", "fr", "en"])),
            ("fr".to_owned(), json!("fr"), json!(["fr", "en"])),
        ],
        "the Dutch draft is not live: Dutch readers get French"
    );
    assert_eq!(preview["readers"][0]["title"], "Appel d'offres");

    settings["fallback"] = json!(["en"]);
    let preview: Value = app
        .post_json_authed("/api/v1/admin/sites/preview", &admin, &settings)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(preview["readers"][0]["served_locale"], "en");
    assert_eq!(preview["readers"][0]["title"], "Call for tenders");

    settings["fallback"] = json!([]);
    let preview: Value = app
        .post_json_authed("/api/v1/admin/sites/preview", &admin, &settings)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(preview["readers"][0]["served_locale"], Value::Null);
    assert_eq!(preview["readers"][0]["title"], Value::Null);

    settings["countries"] = json!(["BE"]);
    let preview: Value = app
        .post_json_authed("/api/v1/admin/sites/preview", &admin, &settings)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        preview["shown"], false,
        "a Belgian site does not show Lithuanian news"
    );

    let sites: Value = app
        .get_authed("/api/v1/admin/sites", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(sites["page"]["total"], 0, "nothing was saved");
}

async fn trying_site_settings_is_for_admins_and_validated(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let editor = app
        .scoped_user_token("editor@example.org", Role::Editor, &[], &[])
        .await;
    let id = lithuanian_news(&app, &admin).await;
    let settings = json!({ "locales": ["fr"], "default_locale": "fr", "kind": "news", "id": id });
    assert_problem(
        app.post_json_authed("/api/v1/admin/sites/preview", &editor, &settings)
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        app.post_json("/api/v1/admin/sites/preview", &settings)
            .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;

    let invalid = json!({ "locales": ["fr", "xx"], "default_locale": "nl", "fallback": ["fr"],
                          "kind": "news", "id": id });
    let problem = assert_problem(
        app.post_json_authed("/api/v1/admin/sites/preview", &admin, &invalid)
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
    assert!(
        fields.contains(&"locales[1]") && fields.contains(&"default_locale"),
        "{problem}"
    );

    let elsewhere = json!({ "locales": ["fr"], "default_locale": "fr", "kind": "event", "id": id });
    assert_problem(
        app.post_json_authed("/api/v1/admin/sites/preview", &admin, &elsewhere)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}
