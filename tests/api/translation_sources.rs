//! What a translation follows: the source revision it was made from. Outdated means the
//! source's text changed since then, not that the source was saved after it.

use buysocial::domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::delivery::create;
use crate::helpers::{Backend, TestApp, assert_problem, backend_tests};

backend_tests!(
    a_translation_follows_the_source_revision_it_was_made_from,
    saving_with_the_source_shown_beside_moves_the_base,
    marking_up_to_date_is_for_those_who_may_write_the_translation,
    the_source_follows_nothing_and_a_new_source_rebases_the_others,
    an_unpublished_source_is_still_what_translations_follow,
    marking_up_to_date_after_the_source_changed_again_is_refused,
    restoring_an_old_text_restores_what_it_followed,
);

async fn restoring_an_old_text_restores_what_it_followed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let id = translated(&app, &admin).await;
    let english = draft_etag(&app, &admin, &id, "en").await;
    put(
        &app,
        &admin,
        &id,
        "en",
        Some(&english),
        json!({ "title": "Call to buyers", "body": "Buy social, now." }),
    )
    .await;
    let latest = changes(&app, &admin, &id, "fr").await["latest_revision_id"].clone();
    let french = draft_etag(&app, &admin, &id, "fr").await;
    put(
        &app,
        &admin,
        &id,
        "fr",
        Some(&french),
        json!({ "title": "Appel", "body": "Achetez social, maintenant.", "based_on": latest }),
    )
    .await;
    assert_eq!(
        translation(&item(&app, &admin, &id).await, "fr")["outdated"],
        false
    );

    // Back to the first French text: it followed the first English one.
    let revisions: Value = app
        .get_authed(
            &format!("/api/v1/admin/news/{id}/revisions?per_page=100"),
            &admin,
        )
        .await
        .json()
        .await
        .unwrap();
    let first_french = revisions["items"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|r| r["locale"] == "fr")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let restored = app
        .send(
            Method::POST,
            &format!("/api/v1/admin/news/{id}/revisions/{first_french}/restore"),
            Some(&admin),
            None,
        )
        .await;
    assert!(restored.status().is_success(), "{}", restored.status());
    let after = item(&app, &admin, &id).await;
    assert_eq!(
        translation(&after, "fr")["draft"]["body"],
        "Achetez social."
    );
    assert_eq!(
        translation(&after, "fr")["outdated"],
        true,
        "the old text follows the old source"
    );
    let found = changes(&app, &admin, &id, "fr").await;
    assert_eq!(found["changes"][0]["after"], "Buy social, now.");
}

async fn an_unpublished_source_is_still_what_translations_follow(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let id = translated(&app, &admin).await;
    for action in ["publish", "unpublish"] {
        let path = format!("/api/v1/admin/news/{id}/translations/en/{action}");
        assert!(
            app.send(Method::POST, &path, Some(&admin), None)
                .await
                .status()
                .is_success()
        );
    }
    put(&app, &admin, &id, "nl", None, json!({ "title": "Oproep" })).await;
    let marked = app
        .send(
            Method::POST,
            &format!("/api/v1/admin/news/{id}/translations/fr/up-to-date"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(marked.status(), StatusCode::NO_CONTENT);
    let found = item(&app, &admin, &id).await;
    assert_eq!(
        translation(&found, "nl")["outdated"],
        false,
        "made from the source's text"
    );
    assert_eq!(translation(&found, "fr")["outdated"], false);
    assert_eq!(changes(&app, &admin, &id, "nl").await["changes"], json!([]));
}

async fn marking_up_to_date_after_the_source_changed_again_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let id = translated(&app, &admin).await;
    let english = draft_etag(&app, &admin, &id, "en").await;
    put(
        &app,
        &admin,
        &id,
        "en",
        Some(&english),
        json!({ "title": "Call to buyers", "body": "Two." }),
    )
    .await;
    let shown = changes(&app, &admin, &id, "fr").await["latest_revision_id"].clone();
    // Meanwhile the source changes again.
    let english = draft_etag(&app, &admin, &id, "en").await;
    put(
        &app,
        &admin,
        &id,
        "en",
        Some(&english),
        json!({ "title": "Call to buyers", "body": "Three." }),
    )
    .await;
    let path = format!("/api/v1/admin/news/{id}/translations/fr/up-to-date");
    assert_problem(
        app.send(
            Method::POST,
            &path,
            Some(&admin),
            Some(&json!({ "shown": shown })),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(
        translation(&item(&app, &admin, &id).await, "fr")["outdated"],
        true
    );
    let latest = changes(&app, &admin, &id, "fr").await["latest_revision_id"].clone();
    let marked = app
        .send(
            Method::POST,
            &path,
            Some(&admin),
            Some(&json!({ "shown": latest })),
        )
        .await;
    assert_eq!(marked.status(), StatusCode::NO_CONTENT);
}

async fn item(app: &TestApp, token: &str, id: &str) -> Value {
    app.get_authed(&format!("/api/v1/admin/news/{id}"), token)
        .await
        .json()
        .await
        .unwrap()
}

fn translation<'a>(item: &'a Value, locale: &str) -> &'a Value {
    item["translations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["locale"] == locale)
        .unwrap()
}

async fn put(
    app: &TestApp,
    token: &str,
    id: &str,
    locale: &str,
    etag: Option<&str>,
    body: Value,
) -> reqwest::Response {
    app.send_if_match(
        Method::PUT,
        &format!("/api/v1/admin/news/{id}/translations/{locale}"),
        token,
        etag,
        &body,
    )
    .await
}

async fn changes(app: &TestApp, token: &str, id: &str, locale: &str) -> Value {
    let response = app
        .get_authed(
            &format!("/api/v1/admin/news/{id}/translations/{locale}/source-changes"),
            token,
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

/// The current ETag of `locale`'s draft.
async fn draft_etag(app: &TestApp, token: &str, id: &str, locale: &str) -> String {
    translation(&item(app, token, id).await, locale)["etag"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// An English news item with a French translation made from it.
async fn translated(app: &TestApp, admin: &str) -> String {
    let id = create(
        app,
        admin,
        "news",
        json!({ "translation": { "locale": "en", "title": "Call to buyers", "body": "Buy social." } }),
    )
    .await;
    let made = put(
        app,
        admin,
        &id,
        "fr",
        None,
        json!({ "title": "Appel aux acheteurs", "body": "Achetez social." }),
    )
    .await;
    assert_eq!(made.status(), StatusCode::OK);
    id
}

async fn a_translation_follows_the_source_revision_it_was_made_from(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let id = translated(&app, &admin).await;
    let found = item(&app, &admin, &id).await;
    let french = translation(&found, "fr");
    assert!(french["base_revision_id"].is_string());
    assert_eq!(french["outdated"], false);
    assert_eq!(translation(&found, "en")["base_revision_id"], Value::Null);
    let none = changes(&app, &admin, &id, "fr").await;
    assert_eq!(none["changes"], json!([]));
    assert_eq!(none["latest_revision_id"], french["base_revision_id"]);

    // A typo fixed in the translation does not make it follow anything newer.
    let etag = french["etag"].as_str().unwrap().to_owned();
    put(
        &app,
        &admin,
        &id,
        "fr",
        Some(&etag),
        json!({ "title": "Appel aux acheteurs publics", "body": "Achetez social." }),
    )
    .await;
    assert_eq!(
        translation(&item(&app, &admin, &id).await, "fr")["outdated"],
        false
    );

    // The source changes: the translation is outdated, and the change is there.
    let english = draft_etag(&app, &admin, &id, "en").await;
    put(
        &app,
        &admin,
        &id,
        "en",
        Some(&english),
        json!({ "title": "Call to buyers", "body": "Buy social. Register now." }),
    )
    .await;
    let after = item(&app, &admin, &id).await;
    assert_eq!(translation(&after, "fr")["outdated"], true);
    let found = changes(&app, &admin, &id, "fr").await;
    assert_eq!(found["source_locale"], "en");
    assert_eq!(
        found["changes"],
        json!([{ "field": "body", "before": "Buy social.", "after": "Buy social. Register now." }])
    );

    // Its editor says it now says what the source says.
    let marked = app
        .send(
            Method::POST,
            &format!("/api/v1/admin/news/{id}/translations/fr/up-to-date"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(marked.status(), StatusCode::NO_CONTENT);
    let current = item(&app, &admin, &id).await;
    assert_eq!(translation(&current, "fr")["outdated"], false);
    assert_eq!(
        translation(&current, "fr")["etag"],
        translation(&after, "fr")["etag"],
        "the draft is unchanged"
    );
    assert_eq!(changes(&app, &admin, &id, "fr").await["changes"], json!([]));
    let audit = app.audit(&admin, "action=content.up_to_date").await;
    assert_eq!(audit.len(), 1);
}

async fn saving_with_the_source_shown_beside_moves_the_base(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let id = translated(&app, &admin).await;
    let english = draft_etag(&app, &admin, &id, "en").await;
    put(
        &app,
        &admin,
        &id,
        "en",
        Some(&english),
        json!({ "title": "Call to buyers", "body": "Buy social now." }),
    )
    .await;
    let shown = changes(&app, &admin, &id, "fr").await;
    let latest = shown["latest_revision_id"].as_str().unwrap().to_owned();
    let french = draft_etag(&app, &admin, &id, "fr").await;
    let saved = put(&app, &admin, &id, "fr", Some(&french),
        json!({ "title": "Appel aux acheteurs", "body": "Achetez social maintenant.", "based_on": latest })).await;
    assert_eq!(saved.status(), StatusCode::OK);
    let after = item(&app, &admin, &id).await;
    assert_eq!(
        translation(&after, "fr")["base_revision_id"],
        latest.as_str()
    );
    assert_eq!(translation(&after, "fr")["outdated"], false);

    // Only a revision of this item's source will do.
    let other = translated(&app, &admin).await;
    let foreign = changes(&app, &admin, &other, "fr").await["latest_revision_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let etag = translation(&after, "fr")["etag"]
        .as_str()
        .unwrap()
        .to_owned();
    let problem = assert_problem(
        put(
            &app,
            &admin,
            &id,
            "fr",
            Some(&etag),
            json!({ "title": "Appel", "based_on": foreign }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "based_on");
    assert_eq!(
        translation(&item(&app, &admin, &id).await, "fr")["etag"],
        etag.as_str(),
        "nothing was written"
    );
}

async fn marking_up_to_date_is_for_those_who_may_write_the_translation(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let id = translated(&app, &admin).await;
    let path = format!("/api/v1/admin/news/{id}/translations/fr/up-to-date");
    let french = app
        .scoped_user_token("fr@example.be", Role::Author, &["BE"], &["fr"])
        .await;
    let dutch = app
        .scoped_user_token("nl@example.be", Role::Editor, &["BE"], &["nl"])
        .await;
    let viewer = app
        .scoped_user_token("viewer@example.eu", Role::Viewer, &[], &[])
        .await;
    assert_eq!(
        app.send(Method::POST, &path, Some(&french), None)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    for refused in [&dutch, &viewer] {
        assert_problem(
            app.send(Method::POST, &path, Some(refused), None).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    // Reading what changed is for every reader of content.
    assert_eq!(
        changes(&app, &viewer, &id, "fr").await["changes"],
        json!([])
    );
    assert_problem(
        app.get(&format!(
            "/api/v1/admin/news/{id}/translations/fr/source-changes"
        ))
        .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

async fn the_source_follows_nothing_and_a_new_source_rebases_the_others(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let id = translated(&app, &admin).await;
    put(
        &app,
        &admin,
        &id,
        "nl",
        None,
        json!({ "title": "Oproep aan kopers" }),
    )
    .await;
    for path in [
        format!("/api/v1/admin/news/{id}/translations/en/source-changes"),
        format!("/api/v1/admin/news/{id}/translations/en/up-to-date"),
    ] {
        let method = if path.ends_with("changes") {
            Method::GET
        } else {
            Method::POST
        };
        assert_problem(
            app.send(method, &path, Some(&admin), None).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    assert_problem(
        app.get_authed(
            &format!("/api/v1/admin/news/{id}/translations/lt/source-changes"),
            &admin,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // The English source is dropped: another becomes the source, and the rest follow it.
    let dropped = app
        .delete_authed(&format!("/api/v1/admin/news/{id}/translations/en"), &admin)
        .await;
    assert!(dropped.status().is_success(), "{}", dropped.status());
    let after = item(&app, &admin, &id).await;
    let source = after["source_locale"].as_str().unwrap().to_owned();
    assert_eq!(
        translation(&after, &source)["base_revision_id"],
        Value::Null
    );
    for t in after["translations"].as_array().unwrap() {
        if t["locale"] != source.as_str() {
            assert!(t["base_revision_id"].is_string(), "{t}");
            assert_eq!(t["outdated"], false, "{t}");
        }
    }
}
