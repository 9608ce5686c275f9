//! `/api/v1/admin/{kind}`: items, per-locale drafts, publishing, revisions, the trash.

use buysocial::domain::Role;
use buysocial::services::content;
use chrono::{TimeDelta, Utc};
use entity::published_translation;
use reqwest::{Method, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, assert_problem, backend_tests};

backend_tests!(
    an_event_goes_from_draft_to_live_locale_by_locale,
    every_kind_has_its_lifecycle,
    draft_edits_do_not_change_what_readers_see,
    stale_and_missing_if_match_are_refused,
    slugs_are_generated_unique_and_redirected,
    a_changed_source_marks_translations_outdated,
    publishing_and_unpublishing_can_be_scheduled,
    scheduled_publishing_runs_by_itself,
    revisions_are_listed_compared_and_restored,
    trash_restore_and_purge,
    page_trees_refuse_cycles,
    invalid_items_are_refused_naming_every_field,
    every_refused_field_change_is_named_and_none_is_saved,
    bodies_are_published_as_sanitized_html,
    missing_locales_follow_the_sites,
    items_are_listed_with_filters,
    a_failed_publish_leaves_the_live_version_as_it_was,
    a_schedule_publishes_only_what_was_reviewed_by_someone_still_allowed,
    publishing_with_a_stale_etag_is_refused,
    restoring_a_revision_cannot_move_an_item_out_of_scope,
    absurd_pages_are_refused,
    an_etag_from_before_a_dropped_translation_never_matches_again,
    impossible_workflow_steps_are_refused_with_conflicts,
);

fn vilnius_event() -> Value {
    json!({
        "countries": ["LT"],
        "tags": ["training"],
        "fields": {
            "city": "Vilnius", "venue": "Ministry of the Economy and Innovation",
            "starts_at": "2024-05-23T09:00:00+03:00", "ends_at": "2024-05-23T16:00:00+03:00",
            "time_zone": "Europe/Vilnius", "workshop_languages": ["lt"], "capacity": 40,
            "registration_mode": "form"
        },
        "translation": {
            "locale": "lt",
            "title": "Socialiai atsakingi viešieji pirkimai: mokymai Vilniuje",
            "summary": "Seminaras lietuvių kalba",
            "body": "## Programa\n\n- Kas yra SAVP?"
        }
    })
}

async fn create(app: &TestApp, token: &str, kind: &str, body: &Value) -> Value {
    let response = app
        .post_json_authed(&format!("/api/v1/admin/{kind}"), token, body)
        .await;
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "{}",
        response.text().await.unwrap()
    );
    response.json().await.unwrap()
}

async fn get(app: &TestApp, token: &str, kind: &str, id: &str) -> Value {
    let response = app
        .get_authed(&format!("/api/v1/admin/{kind}/{id}"), token)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

fn translation<'a>(item: &'a Value, locale: &str) -> &'a Value {
    item["translations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["locale"] == locale)
        .unwrap_or_else(|| panic!("no {locale} translation in {item}"))
}

async fn put_translation(
    app: &TestApp,
    token: &str,
    path: &str,
    etag: Option<&str>,
    body: Value,
) -> reqwest::Response {
    app.send_if_match(Method::PUT, path, token, etag, &body)
        .await
}

async fn patch(
    app: &TestApp,
    token: &str,
    path: &str,
    etag: Option<&str>,
    body: Value,
) -> reqwest::Response {
    app.send_if_match(Method::PATCH, path, token, etag, &body)
        .await
}

async fn publish(
    app: &TestApp,
    token: &str,
    kind: &str,
    id: &str,
    locale: &str,
) -> reqwest::Response {
    let path = format!("/api/v1/admin/{kind}/{id}/translations/{locale}/publish");
    app.send(Method::POST, &path, Some(token), None).await
}

/// What the read model holds for an item: `(locale, slug, title)`.
async fn live_rows(app: &TestApp, id: &str) -> Vec<(String, String, String)> {
    let mut rows: Vec<_> = published_translation::Entity::find()
        .filter(published_translation::Column::DocumentId.eq(id.parse::<uuid::Uuid>().unwrap()))
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.locale, p.slug, p.title))
        .collect();
    rows.sort();
    rows
}

async fn an_event_goes_from_draft_to_live_locale_by_locale(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;

    let created = create(&app, &admin, "events", &vilnius_event()).await;
    let id = created["id"].as_str().unwrap();
    assert_eq!(created["kind"], "event");
    assert_eq!(created["fields"]["capacity"], 40);
    let lt = translation(&created, "lt");
    assert_eq!(lt["status"], "draft");
    assert_eq!(
        lt["draft"]["slug"],
        "socialiai-atsakingi-viesieji-pirkimai-mokymai-vilniuje"
    );
    assert!(lt["live"].is_null());

    let en = put_translation(
        &app,
        &admin,
        &format!("/api/v1/admin/events/{id}/translations/en"),
        None,
        json!({ "title": "Lithuania – 23 May 2024, workshop in Lithuanian", "body": "Programme" }),
    )
    .await;
    assert_eq!(en.status(), StatusCode::OK);
    assert_eq!(en.headers()["etag"], "\"t1\"");
    assert!(
        live_rows(&app, id).await.is_empty(),
        "nothing is live before publishing"
    );

    let published = publish(&app, &admin, "events", id, "lt").await;
    assert_eq!(published.status(), StatusCode::OK);
    let item: Value = published.json().await.unwrap();
    assert_eq!(translation(&item, "lt")["status"], "published");
    assert_eq!(translation(&item, "en")["status"], "draft");
    assert_eq!(
        live_rows(&app, id).await,
        [(
            "lt".to_owned(),
            "socialiai-atsakingi-viesieji-pirkimai-mokymai-vilniuje".to_owned(),
            "Socialiai atsakingi viešieji pirkimai: mokymai Vilniuje".to_owned()
        )]
    );

    let unpublished = app
        .send(
            Method::POST,
            &format!("/api/v1/admin/events/{id}/translations/lt/unpublish"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(unpublished.status(), StatusCode::OK);
    assert!(live_rows(&app, id).await.is_empty());
    let again = app
        .send(
            Method::POST,
            &format!("/api/v1/admin/events/{id}/translations/lt/unpublish"),
            Some(&admin),
            None,
        )
        .await;
    assert_problem(again, StatusCode::CONFLICT).await;
}

async fn every_kind_has_its_lifecycle(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let bodies = [
        (
            "pages",
            json!({ "translation": { "locale": "en", "title": "What is SRPP?", "body": "Socially responsible public procurement…" } }),
        ),
        (
            "news",
            json!({ "countries": ["PT"], "tags": ["news"], "fields": { "date": "2024-06-04" },
                          "translation": { "locale": "pt", "title": "Formação em Lisboa esgotada" } }),
        ),
        ("events", vilnius_event()),
        (
            "materials",
            json!({ "fields": { "material_kind": "presentation" },
                               "translation": { "locale": "en", "title": "Training Materials and Presentations" } }),
        ),
    ];
    for (kind, body) in bodies {
        let created = create(&app, &admin, kind, &body).await;
        let id = created["id"].as_str().unwrap();
        let locale = created["source_locale"].as_str().unwrap().to_owned();
        assert_eq!(
            publish(&app, &admin, kind, id, &locale).await.status(),
            StatusCode::OK,
            "{kind}"
        );
        let read = get(&app, &admin, kind, id).await;
        assert_eq!(translation(&read, &locale)["status"], "published", "{kind}");
        let trash = app
            .delete_authed(&format!("/api/v1/admin/{kind}/{id}"), &admin)
            .await;
        assert_eq!(trash.status(), StatusCode::NO_CONTENT, "{kind}");
        assert!(
            live_rows(&app, id).await.is_empty(),
            "{kind}: trashed items are offline"
        );
        // An item of one kind is not found under another.
        let other = if kind == "pages" { "news" } else { "pages" };
        assert_problem(
            app.get_authed(&format!("/api/v1/admin/{other}/{id}"), &admin)
                .await,
            StatusCode::NOT_FOUND,
        )
        .await;
    }
}

async fn draft_edits_do_not_change_what_readers_see(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let created = create(&app, &admin, "events", &vilnius_event()).await;
    let id = created["id"].as_str().unwrap();
    publish(&app, &admin, "events", id, "lt").await;
    let etag = translation(&get(&app, &admin, "events", id).await, "lt")["etag"]
        .as_str()
        .unwrap()
        .to_owned();

    let edited = put_translation(
        &app,
        &admin,
        &format!("/api/v1/admin/events/{id}/translations/lt"),
        Some(&etag),
        json!({ "title": "Nauja antraštė", "body": "Atnaujinta" }),
    )
    .await;
    assert_eq!(edited.status(), StatusCode::OK);
    let item = get(&app, &admin, "events", id).await;
    let document_etag = item["etag"].as_str().unwrap().to_owned();
    let lt = translation(&item, "lt");
    assert_eq!(lt["status"], "changed");
    assert_eq!(lt["draft"]["title"], "Nauja antraštė");
    assert_eq!(
        lt["live"]["title"],
        "Socialiai atsakingi viešieji pirkimai: mokymai Vilniuje"
    );
    // The slug stays when only the title changes: links keep working.
    assert_eq!(lt["draft"]["slug"], lt["live"]["slug"]);
    let changed = patch(
        &app,
        &admin,
        &format!("/api/v1/admin/events/{id}"),
        Some(&document_etag),
        json!({ "fields": { "capacity": 60 } }),
    )
    .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let live = published_translation::Entity::find()
        .filter(published_translation::Column::DocumentId.eq(id.parse::<uuid::Uuid>().unwrap()))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        live.title,
        "Socialiai atsakingi viešieji pirkimai: mokymai Vilniuje"
    );
    assert_eq!(live.document_fields["capacity"], 40);

    publish(&app, &admin, "events", id, "lt").await;
    assert_eq!(live_rows(&app, id).await[0].2, "Nauja antraštė");
    let item = get(&app, &admin, "events", id).await;
    assert_eq!(translation(&item, "lt")["status"], "published");
}

async fn stale_and_missing_if_match_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let created = create(&app, &admin, "events", &vilnius_event()).await;
    let id = created["id"].as_str().unwrap();
    let item_path = format!("/api/v1/admin/events/{id}");
    let lt_path = format!("{item_path}/translations/lt");
    let first_etag = created["etag"].as_str().unwrap().to_owned();

    let missing = patch(
        &app,
        &admin,
        &item_path,
        None,
        json!({ "fields": { "capacity": 10 } }),
    )
    .await;
    assert_problem(missing, StatusCode::PRECONDITION_REQUIRED).await;
    let ok = patch(
        &app,
        &admin,
        &item_path,
        Some(&first_etag),
        json!({ "fields": { "capacity": 10 } }),
    )
    .await;
    assert_eq!(ok.status(), StatusCode::OK);
    let second_etag = ok.headers()["etag"].to_str().unwrap().to_owned();
    assert_ne!(second_etag, first_etag);
    // A second editor still holding the first version is refused, and told the current one.
    let stale = patch(
        &app,
        &admin,
        &item_path,
        Some(&first_etag),
        json!({ "fields": { "capacity": 99 } }),
    )
    .await;
    assert_eq!(stale.headers()["etag"].to_str().unwrap(), second_etag);
    assert_problem(stale, StatusCode::PRECONDITION_FAILED).await;
    assert_eq!(
        get(&app, &admin, "events", id).await["fields"]["capacity"],
        10
    );

    let missing = put_translation(&app, &admin, &lt_path, None, json!({ "title": "X" })).await;
    assert_problem(missing, StatusCode::PRECONDITION_REQUIRED).await;
    let saved = put_translation(
        &app,
        &admin,
        &lt_path,
        Some("\"t1\""),
        json!({ "title": "Pirmas" }),
    )
    .await;
    assert_eq!(saved.headers()["etag"], "\"t2\"");
    let stale = put_translation(
        &app,
        &admin,
        &lt_path,
        Some("\"t1\""),
        json!({ "title": "Antras" }),
    )
    .await;
    assert_problem(stale, StatusCode::PRECONDITION_FAILED).await;
    assert_eq!(
        translation(&get(&app, &admin, "events", id).await, "lt")["draft"]["title"],
        "Pirmas"
    );
    // Other locales do not conflict with each other.
    let en = put_translation(
        &app,
        &admin,
        &format!("{item_path}/translations/en"),
        None,
        json!({ "title": "First" }),
    )
    .await;
    assert_eq!(en.status(), StatusCode::OK);
}

async fn slugs_are_generated_unique_and_redirected(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let page = |title: &str, slug: Option<&str>| json!({ "translation": { "locale": "el", "title": title, "slug": slug } });
    let first = create(
        &app,
        &admin,
        "pages",
        &page("Κοινωνικά υπεύθυνες δημόσιες συμβάσεις", None),
    )
    .await;
    let second = create(
        &app,
        &admin,
        "pages",
        &page("Κοινωνικά υπεύθυνες δημόσιες συμβάσεις", None),
    )
    .await;
    let slug_of = |item: &Value| {
        translation(item, "el")["draft"]["slug"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(slug_of(&first), "koinonika-upeuthunes-demosies-sumbaseis");
    assert_eq!(
        slug_of(&second),
        "koinonika-upeuthunes-demosies-sumbaseis-2"
    );

    let taken = app
        .post_json_authed(
            "/api/v1/admin/pages",
            &admin,
            &page("Άλλο", Some("koinonika-upeuthunes-demosies-sumbaseis")),
        )
        .await;
    let body = assert_problem(taken, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["errors"][0]["field"], "slug");
    let invalid = app
        .post_json_authed(
            "/api/v1/admin/pages",
            &admin,
            &page("Άλλο", Some("Not A Slug")),
        )
        .await;
    let body = assert_problem(invalid, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["errors"][0]["field"], "translation.slug");
    // The same slug in another kind or locale is fine.
    create(&app, &admin, "news", &json!({ "translation": { "locale": "el", "title": "Κοινωνικά υπεύθυνες δημόσιες συμβάσεις" } })).await;

    let id = first["id"].as_str().unwrap();
    publish(&app, &admin, "pages", id, "el").await;
    put_translation(
        &app,
        &admin,
        &format!("/api/v1/admin/pages/{id}/translations/el"),
        Some("\"t1\""),
        json!({ "title": "SRPP", "slug": "srpp" }),
    )
    .await;
    publish(&app, &admin, "pages", id, "el").await;
    let redirect = entity::slug_redirect::Entity::find_by_id((
        entity::values::ContentKind::Page,
        "el".to_owned(),
        "koinonika-upeuthunes-demosies-sumbaseis".to_owned(),
    ))
    .one(&app.state.db)
    .await
    .unwrap()
    .expect("the old slug redirects");
    assert_eq!(redirect.document_id.to_string(), id);
}

async fn a_changed_source_marks_translations_outdated(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let created = create(
        &app,
        &admin,
        "pages",
        &json!({ "translation": { "locale": "en", "title": "Why buy social?" } }),
    )
    .await;
    let id = created["id"].as_str().unwrap();
    let path = |l: &str| format!("/api/v1/admin/pages/{id}/translations/{l}");
    put_translation(
        &app,
        &admin,
        &path("fr"),
        None,
        json!({ "title": "Pourquoi acheter social ?" }),
    )
    .await;
    assert_eq!(
        translation(&get(&app, &admin, "pages", id).await, "fr")["outdated"],
        false
    );

    app.clock.advance(TimeDelta::seconds(2));
    put_translation(
        &app,
        &admin,
        &path("en"),
        Some("\"t1\""),
        json!({ "title": "Why should the public sector buy social?" }),
    )
    .await;

    let item = get(&app, &admin, "pages", id).await;
    assert_eq!(translation(&item, "fr")["outdated"], true);
    assert_eq!(translation(&item, "en")["outdated"], false);
    // Saving the translation alone does not make it follow the new source text...
    app.clock.advance(TimeDelta::seconds(2));
    put_translation(
        &app,
        &admin,
        &path("fr"),
        Some("\"t1\""),
        json!({ "title": "Pourquoi le secteur public devrait-il acheter social ?" }),
    )
    .await;
    assert_eq!(
        translation(&get(&app, &admin, "pages", id).await, "fr")["outdated"],
        true
    );
    // ...saving it with the source revision it was translated from does.
    let latest: Value = app
        .get_authed(&format!("{}/source-changes", path("fr")), &admin)
        .await
        .json()
        .await
        .unwrap();
    put_translation(
        &app,
        &admin,
        &path("fr"),
        Some("\"t2\""),
        json!({ "title": "Pourquoi le secteur public devrait-il acheter social ?",
                "based_on": latest["latest_revision_id"] }),
    )
    .await;
    assert_eq!(
        translation(&get(&app, &admin, "pages", id).await, "fr")["outdated"],
        false
    );
}

async fn publishing_and_unpublishing_can_be_scheduled(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let created = create(&app, &admin, "events", &vilnius_event()).await;
    let id = created["id"].as_str().unwrap();
    let at = Utc::now() + TimeDelta::hours(2);

    let scheduled = app
        .post_json_authed(
            &format!("/api/v1/admin/events/{id}/translations/lt/publish"),
            &admin,
            &json!({ "at": at }),
        )
        .await;
    let item: Value = scheduled.json().await.unwrap();
    assert_eq!(
        translation(&item, "lt")["schedules"][0]["action"],
        "publish"
    );
    assert!(live_rows(&app, id).await.is_empty());
    let scheduled_list: Value = app
        .get_authed("/api/v1/admin/events?status=scheduled", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(scheduled_list["page"]["total"], 1);
    assert_eq!(
        content::run_due_schedules(&app.state).await.unwrap(),
        0,
        "not due yet"
    );

    app.clock.advance(TimeDelta::hours(3));
    assert_eq!(content::run_due_schedules(&app.state).await.unwrap(), 1);
    assert_eq!(live_rows(&app, id).await.len(), 1);
    assert!(
        translation(&get(&app, &admin, "events", id).await, "lt")["schedules"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    let off_at = app.clock.now() + TimeDelta::days(1);
    app.post_json_authed(
        &format!("/api/v1/admin/events/{id}/translations/lt/unpublish"),
        &admin,
        &json!({ "at": off_at }),
    )
    .await;
    app.clock.advance(TimeDelta::days(2));
    assert_eq!(content::run_due_schedules(&app.state).await.unwrap(), 1);
    assert!(live_rows(&app, id).await.is_empty());
    // Two days later the morning's session has expired.
    let admin = app.admin_token().await;
    // Credited to whoever scheduled them, as the publication and unpublication they
    // are; found by the item and its language.
    let entries = app.audit(&admin, &format!("item={id}&locale=lt")).await;
    let scheduled: Vec<&Value> = entries
        .iter()
        .filter(|e| e["details"]["scheduled"] == true)
        .collect();

    assert_eq!(scheduled.len(), 2, "{entries:#?}");
    assert_eq!(scheduled[0]["action"], "content.unpublish");
    assert_eq!(scheduled[1]["action"], "content.publish");
    assert_eq!(scheduled[0]["actor_label"], crate::helpers::ADMIN_EMAIL);
    assert!(entries.iter().all(|e| e["locale"] == "lt"), "{entries:#?}");
    assert!(
        app.audit(&admin, &format!("item={id}&locale=fr"))
            .await
            .is_empty()
    );
}

async fn scheduled_publishing_runs_by_itself(backend: Backend) {
    let app = TestApp::builder(backend)
        .with(|s| s.jobs.poll_interval_ms = 20)
        .spawn()
        .await;
    let admin = app.admin_token().await;
    let created = create(&app, &admin, "events", &vilnius_event()).await;
    let id = created["id"].as_str().unwrap();
    let at = Utc::now() + TimeDelta::minutes(10);
    app.post_json_authed(
        &format!("/api/v1/admin/events/{id}/translations/lt/publish"),
        &admin,
        &json!({ "at": at }),
    )
    .await;

    app.clock.advance(TimeDelta::minutes(11));

    for _ in 0..200 {
        if !live_rows(&app, id).await.is_empty() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("the background job did not publish within 4 s");
}

async fn revisions_are_listed_compared_and_restored(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let created = create(
        &app,
        &admin,
        "pages",
        &json!({ "translation": { "locale": "en", "title": "Version one", "body": "one" } }),
    )
    .await;
    let id = created["id"].as_str().unwrap();
    let path = format!("/api/v1/admin/pages/{id}/translations/en");
    put_translation(
        &app,
        &admin,
        &path,
        Some("\"t1\""),
        json!({ "title": "Version two", "body": "two" }),
    )
    .await;
    publish(&app, &admin, "pages", id, "en").await;

    let list: Value = app
        .get_authed(&format!("/api/v1/admin/pages/{id}/revisions"), &admin)
        .await
        .json()
        .await
        .unwrap();
    let actions: Vec<(&str, Option<&str>)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["action"].as_str().unwrap(), r["locale"].as_str()))
        .collect();
    assert_eq!(
        actions,
        [
            ("publish", Some("en")),
            ("draft", Some("en")),
            ("create", Some("en")),
            ("create", None)
        ]
    );
    let second = list["items"][1]["id"].as_str().unwrap();
    let first = list["items"][2]["id"].as_str().unwrap();

    let detail: Value = app
        .get_authed(
            &format!("/api/v1/admin/pages/{id}/revisions/{second}"),
            &admin,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["compared_to"], first);
    assert_eq!(
        detail["changes"],
        json!([
            { "field": "body", "before": "one", "after": "two" },
            { "field": "title", "before": "Version one", "after": "Version two" },
        ])
    );

    let restored = app
        .send(
            Method::POST,
            &format!("/api/v1/admin/pages/{id}/revisions/{first}/restore"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(restored.status(), StatusCode::OK);
    let item: Value = restored.json().await.unwrap();
    let en = translation(&item, "en");
    assert_eq!(en["draft"]["title"], "Version one");
    assert_eq!(
        en["live"]["title"], "Version two",
        "restoring makes a draft, not a publication"
    );
    assert_eq!(en["status"], "changed");
    let missing = app
        .get_authed(
            &format!("/api/v1/admin/pages/{id}/revisions/0190a8a0-0000-7000-8000-000000000000"),
            &admin,
        )
        .await;
    assert_problem(missing, StatusCode::NOT_FOUND).await;
}

async fn trash_restore_and_purge(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let editor = app
        .scoped_user_token("editor@example.org", Role::Editor, &[], &[])
        .await;
    let created = create(&app, &admin, "events", &vilnius_event()).await;
    let id = created["id"].as_str().unwrap();
    let path = format!("/api/v1/admin/events/{id}");
    publish(&app, &admin, "events", id, "lt").await;

    assert_problem(
        app.delete_authed(&format!("{path}?purge=true"), &admin)
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(
        app.delete_authed(&path, &editor).await.status(),
        StatusCode::NO_CONTENT
    );
    let trashed: Value = app
        .get_authed("/api/v1/admin/events?status=trashed", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(trashed["page"]["total"], 1);
    let active: Value = app
        .get_authed("/api/v1/admin/events", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(active["page"]["total"], 0);
    let edit = put_translation(
        &app,
        &admin,
        &format!("{path}/translations/lt"),
        Some("\"t1\""),
        json!({ "title": "X" }),
    )
    .await;
    assert_problem(edit, StatusCode::NOT_FOUND).await;

    let restored = app
        .send(
            Method::POST,
            &format!("{path}/restore"),
            Some(&editor),
            None,
        )
        .await;
    assert_eq!(restored.status(), StatusCode::OK);
    let item: Value = restored.json().await.unwrap();
    assert!(item["deleted_at"].is_null());
    assert_eq!(
        translation(&item, "lt")["status"],
        "draft",
        "restored items come back unpublished"
    );

    app.delete_authed(&path, &admin).await;
    let editor_purge = app
        .delete_authed(&format!("{path}?purge=true"), &editor)
        .await;
    assert_problem(editor_purge, StatusCode::FORBIDDEN).await;
    assert_eq!(
        app.delete_authed(&format!("{path}?purge=true"), &admin)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_problem(app.get_authed(&path, &admin).await, StatusCode::NOT_FOUND).await;
}

async fn page_trees_refuse_cycles(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let root = create(
        &app,
        &admin,
        "pages",
        &json!({ "translation": { "locale": "en", "title": "SRPP" } }),
    )
    .await;
    let root_id = root["id"].as_str().unwrap();
    let child = create(
        &app,
        &admin,
        "pages",
        &json!({ "parent_id": root_id, "position": 2, "translation": { "locale": "en", "title": "What is SRPP?" } }),
    )
    .await;
    let child_id = child["id"].as_str().unwrap();
    assert_eq!(child["parent_id"], root_id);

    let cycle = patch(
        &app,
        &admin,
        &format!("/api/v1/admin/pages/{root_id}"),
        Some("\"d1\""),
        json!({ "parent_id": child_id }),
    )
    .await;
    let body = assert_problem(cycle, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["errors"][0]["field"], "parent_id");
    let itself = patch(
        &app,
        &admin,
        &format!("/api/v1/admin/pages/{root_id}"),
        Some("\"d1\""),
        json!({ "parent_id": root_id }),
    )
    .await;
    assert_problem(itself, StatusCode::UNPROCESSABLE_ENTITY).await;
    let news = create(
        &app,
        &admin,
        "news",
        &json!({ "translation": { "locale": "en", "title": "News" } }),
    )
    .await;
    let not_a_page = patch(
        &app,
        &admin,
        &format!("/api/v1/admin/pages/{child_id}"),
        Some("\"d1\""),
        json!({ "parent_id": news["id"] }),
    )
    .await;
    assert_problem(not_a_page, StatusCode::UNPROCESSABLE_ENTITY).await;
    let detached = patch(
        &app,
        &admin,
        &format!("/api/v1/admin/pages/{child_id}"),
        Some("\"d1\""),
        json!({ "parent_id": null }),
    )
    .await;
    assert_eq!(detached.status(), StatusCode::OK);
    assert!(detached.json::<Value>().await.unwrap()["parent_id"].is_null());
}

async fn every_refused_field_change_is_named_and_none_is_saved(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let created = create(&app, &admin, "events", &vilnius_event()).await;
    let id = created["id"].as_str().unwrap();
    let path = format!("/api/v1/admin/events/{id}");

    // A news item's field, two values of the wrong type, and `null` for a material's
    // field (accepted: it clears what an event cannot hold anyway).
    let refused = patch(
        &app,
        &admin,
        &path,
        created["etag"].as_str(),
        json!({ "fields": { "capacity": "many", "venue": 7, "date": "2024-05-01",
                            "material_kind": null, "city": "Kaunas" } }),
    )
    .await;

    let body = assert_problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["fields.date", "fields.capacity", "fields.venue"]);
    assert_eq!(
        body["errors"][0]["message"],
        "is not a field of event items"
    );
    let unchanged = get(&app, &admin, "events", id).await;
    assert_eq!(unchanged["fields"]["city"], "Vilnius");
    assert_eq!(unchanged["fields"]["capacity"], 40);
    assert_eq!(unchanged["etag"], created["etag"]);
}

async fn invalid_items_are_refused_naming_every_field(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;

    let response = app
        .post_json_authed(
            "/api/v1/admin/events",
            &admin,
            &json!({
                "countries": ["LT", "XX"],
                "fields": { "starts_at": "2024-05-23T16:00:00+03:00", "ends_at": "2024-05-23T09:00:00+03:00",
                            "time_zone": "Europe/Atlantis", "capacity": -1, "registration_mode": "external",
                            "material_kind": "guide" },
                "translation": { "locale": "tlh", "title": "" }
            }),
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
            "translation.locale",
            "countries[1]",
            "fields.material_kind",
            "fields.city",
            "fields.ends_at",
            "fields.time_zone",
            "fields.capacity",
            "fields.registration_url",
            "translation.title",
        ]
    );
    let unknown = app
        .post_json_authed(
            "/api/v1/admin/pages",
            &admin,
            &json!({ "id": "x", "translation": { "locale": "en", "title": "T" } }),
        )
        .await;
    assert_problem(unknown, StatusCode::UNPROCESSABLE_ENTITY).await;
    let long = app
        .post_json_authed(
            "/api/v1/admin/pages",
            &admin,
            &json!({ "translation": { "locale": "en", "title": "x".repeat(301) } }),
        )
        .await;
    let body = assert_problem(long, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["errors"][0]["field"], "translation.title");
    let wrong_kind = app.get_authed("/api/v1/admin/articles", &admin).await;
    assert_problem(wrong_kind, StatusCode::BAD_REQUEST).await;
    let list: Value = app
        .get_authed("/api/v1/admin/events", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["page"]["total"], 0, "nothing was half-written");
}

async fn bodies_are_published_as_sanitized_html(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let created = create(
        &app,
        &admin,
        "pages",
        &json!({ "translation": { "locale": "en", "title": "Hostile",
                 "body": "# Title\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))\n\n<iframe src=//evil></iframe>" } }),
    )
    .await;
    let id = created["id"].as_str().unwrap();

    let item: Value = publish(&app, &admin, "pages", id, "en")
        .await
        .json()
        .await
        .unwrap();

    let html = translation(&item, "en")["live"]["body_html"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(html.contains("<h1>Title</h1>"), "{html}");
    for forbidden in ["<script", "onerror", "javascript:", "<iframe"] {
        assert!(!html.contains(forbidden), "{forbidden} in {html}");
    }
}

async fn missing_locales_follow_the_sites(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    for site in [
        json!({ "code": "be", "name": "Belgium", "countries": ["BE"], "locales": ["fr", "nl"], "default_locale": "fr" }),
        json!({ "code": "lt", "name": "Lithuania", "countries": ["LT"], "locales": ["lt"], "default_locale": "lt" }),
    ] {
        app.post_json_authed("/api/v1/admin/sites", &admin, &site)
            .await;
    }
    let belgian = create(
        &app,
        &admin,
        "news",
        &json!({ "countries": ["BE"], "translation": { "locale": "fr", "title": "Formation à Bruxelles" } }),
    )
    .await;
    assert_eq!(belgian["missing_locales"], json!(["nl"]));
    let eu_wide = create(
        &app,
        &admin,
        "pages",
        &json!({ "translation": { "locale": "en", "title": "What is SRPP?" } }),
    )
    .await;
    assert_eq!(eu_wide["missing_locales"], json!(["fr", "lt", "nl"]));
}

async fn items_are_listed_with_filters(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let author = app
        .scoped_user_token("author@example.org", Role::Author, &["BE"], &["fr"])
        .await;
    let be = create(
        &app,
        &author,
        "news",
        &json!({ "countries": ["BE"], "tags": ["training"],
        "translation": { "locale": "fr", "title": "Formation à Bruxelles" } }),
    )
    .await;
    let pt = create(
        &app,
        &admin,
        "news",
        &json!({ "countries": ["PT"], "tags": ["full"],
        "translation": { "locale": "pt", "title": "Lisboa esgotada" } }),
    )
    .await;
    publish(&app, &admin, "news", pt["id"].as_str().unwrap(), "pt").await;
    let ids = |body: &Value| -> Vec<String> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let list = |query: &'static str| {
        let (app, admin) = (&app, admin.clone());
        async move {
            let response = app
                .get_authed(&format!("/api/v1/admin/news?{query}"), &admin)
                .await;
            assert_eq!(response.status(), StatusCode::OK, "{query}");
            response.json::<Value>().await.unwrap()
        }
    };

    assert_eq!(ids(&list("country=BE").await), [be["id"].as_str().unwrap()]);
    assert_eq!(ids(&list("tag=full").await), [pt["id"].as_str().unwrap()]);
    assert_eq!(
        ids(&list("status=published").await),
        [pt["id"].as_str().unwrap()]
    );
    assert_eq!(
        ids(&list("status=draft").await),
        [be["id"].as_str().unwrap()]
    );
    assert_eq!(ids(&list("locale=fr").await), [be["id"].as_str().unwrap()]);
    assert_eq!(
        ids(&list("q=BRUXELLES").await),
        [be["id"].as_str().unwrap()]
    );
    let me: Value = app
        .get_authed("/api/v1/auth/me", &author)
        .await
        .json()
        .await
        .unwrap();
    let by_author = app
        .get_authed(
            &format!(
                "/api/v1/admin/news?author={}",
                me["user"]["id"].as_str().unwrap()
            ),
            &admin,
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(ids(&by_author), [be["id"].as_str().unwrap()]);
    let all = list("").await;
    assert_eq!(all["page"]["total"], 2);
    assert_eq!(
        all["items"][0]["id"], pt["id"],
        "most recently changed first"
    );
    assert_eq!(all["items"][0]["translations"][0]["live"], true);
    assert_problem(
        app.get_authed("/api/v1/admin/news?status=lost", &admin)
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_problem(
        app.get_authed("/api/v1/admin/news?country=XX", &admin)
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
}

async fn a_failed_publish_leaves_the_live_version_as_it_was(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let page = |title: &str, slug: &str| json!({ "translation": { "locale": "en", "title": title, "slug": slug } });
    let first = create(&app, &admin, "pages", &page("Training", "training")).await;
    let first_id = first["id"].as_str().unwrap();
    publish(&app, &admin, "pages", first_id, "en").await;
    // The first page's draft moves to another slug; the old one is still live...
    put_translation(
        &app,
        &admin,
        &format!("/api/v1/admin/pages/{first_id}/translations/en"),
        Some("\"t1\""),
        json!({ "title": "Trainings", "slug": "trainings" }),
    )
    .await;
    // ...when a second page takes it for its draft, and a published version exists too.
    let second = create(
        &app,
        &admin,
        "pages",
        &page("Training, take two", "training-2"),
    )
    .await;
    let second_id = second["id"].as_str().unwrap();
    publish(&app, &admin, "pages", second_id, "en").await;
    put_translation(
        &app,
        &admin,
        &format!("/api/v1/admin/pages/{second_id}/translations/en"),
        Some("\"t1\""),
        json!({ "title": "Training, take three", "slug": "training" }),
    )
    .await;

    let refused = publish(&app, &admin, "pages", second_id, "en").await;

    let body = assert_problem(refused, StatusCode::CONFLICT).await;
    assert!(
        body["detail"].as_str().unwrap().contains("training"),
        "{body}"
    );
    assert_eq!(
        live_rows(&app, second_id).await,
        [(
            "en".to_owned(),
            "training-2".to_owned(),
            "Training, take two".to_owned()
        )]
    );
    let revisions: Value = app
        .get_authed(
            &format!("/api/v1/admin/pages/{second_id}/revisions"),
            &admin,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_ne!(
        revisions["items"][0]["action"], "publish",
        "no revision of the failed publish"
    );
}

async fn a_schedule_publishes_only_what_was_reviewed_by_someone_still_allowed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let editor = app
        .scoped_user_token("editor@example.org", Role::Editor, &["LT"], &["lt"])
        .await;
    let second_editor = app
        .scoped_user_token("editor2@example.org", Role::Editor, &["LT"], &["lt"])
        .await;
    let author = app
        .scoped_user_token("author@example.org", Role::Author, &["LT"], &["lt"])
        .await;
    let at = Utc::now() + TimeDelta::hours(1);
    let schedule = |id: String, editor: String| {
        let app = &app;
        async move {
            let path = format!("/api/v1/admin/events/{id}/translations/lt/publish");
            let response = app
                .post_json_authed(&path, &editor, &json!({ "at": at }))
                .await;
            assert_eq!(response.status(), StatusCode::OK);
        }
    };
    // 1. The author rewrites the draft after the editor scheduled it: the save must say
    // what happens to the schedule, and an author cannot keep it for an unreviewed
    // draft; cancelled, nothing goes live.
    let edited = create(&app, &admin, "events", &vilnius_event()).await;
    let edited_id = edited["id"].as_str().unwrap().to_owned();
    schedule(edited_id.clone(), editor.clone()).await;
    let path = format!("/api/v1/admin/events/{edited_id}/translations/lt");
    let rewrite = |choice: Value| {
        let (app, author, path) = (&app, &author, &path);
        let mut body = json!({ "title": "Unreviewed" });
        if !choice.is_null() {
            body["schedule"] = choice;
        }
        async move { put_translation(app, author, path, Some("\"t1\""), body).await }
    };
    let problem = assert_problem(rewrite(Value::Null).await, StatusCode::CONFLICT).await;
    assert_eq!(problem["type"], "urn:buysocial:problem:schedule-pending");
    assert_problem(rewrite(json!("keep")).await, StatusCode::FORBIDDEN).await;
    assert_eq!(rewrite(json!("cancel")).await.status(), StatusCode::OK);
    // 2. The editor who scheduled it is demoted before it runs: nothing goes live.
    let mut other = vilnius_event();
    other["translation"]["title"] = json!("Antras renginys");
    let demoted = create(&app, &admin, "events", &other).await;
    let demoted_id = demoted["id"].as_str().unwrap().to_owned();
    schedule(demoted_id.clone(), second_editor.clone()).await;
    let editor_id = buysocial::services::users::find_by_email(&app.state.db, "editor2@example.org")
        .await
        .unwrap()
        .unwrap()
        .id;
    app.patch_json_authed(
        &format!("/api/v1/admin/users/{editor_id}"),
        &admin,
        &json!({ "role": "author" }),
    )
    .await;

    app.clock.advance(TimeDelta::hours(2));
    assert_eq!(content::run_due_schedules(&app.state).await.unwrap(), 1);

    assert!(
        live_rows(&app, &edited_id).await.is_empty(),
        "an unreviewed draft went live"
    );
    assert!(
        live_rows(&app, &demoted_id).await.is_empty(),
        "a demoted editor's schedule ran"
    );
    let outcomes: Vec<String> = entity::schedule::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|s| s.outcome.map(|o| o.to_string()))
        .collect();
    assert!(outcomes.iter().any(|o| o == "cancelled"), "{outcomes:?}");
    assert!(
        outcomes.iter().any(|o| o.contains("may no longer publish")),
        "{outcomes:?}"
    );
}

async fn publishing_with_a_stale_etag_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let created = create(&app, &admin, "events", &vilnius_event()).await;
    let id = created["id"].as_str().unwrap();
    put_translation(
        &app,
        &admin,
        &format!("/api/v1/admin/events/{id}/translations/lt"),
        Some("\"t1\""),
        json!({ "title": "Changed after review" }),
    )
    .await;
    let publish_with = |etag: &'static str| {
        app.client
            .post(app.url(&format!(
                "/api/v1/admin/events/{id}/translations/lt/publish"
            )))
            .bearer_auth(&admin)
            .header("if-match", etag)
            .send()
    };

    let stale = publish_with("\"t1\"").await.unwrap();
    assert_eq!(stale.headers()["etag"], "\"t2\"");
    assert_problem(stale, StatusCode::PRECONDITION_FAILED).await;
    assert!(live_rows(&app, id).await.is_empty());
    assert_eq!(
        publish_with("\"t2\"").await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(live_rows(&app, id).await[0].2, "Changed after review");
}

async fn restoring_a_revision_cannot_move_an_item_out_of_scope(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let belgian = app
        .scoped_user_token("be@example.org", Role::Editor, &["BE"], &["fr"])
        .await;
    let created = create(
        &app,
        &admin,
        "news",
        &json!({ "countries": ["BE", "LT"],
        "translation": { "locale": "fr", "title": "Formation" } }),
    )
    .await;
    let id = created["id"].as_str().unwrap();
    patch(
        &app,
        &admin,
        &format!("/api/v1/admin/news/{id}"),
        Some("\"d1\""),
        json!({ "countries": ["BE"] }),
    )
    .await;
    let list: Value = app
        .get_authed(&format!("/api/v1/admin/news/{id}/revisions"), &admin)
        .await
        .json()
        .await
        .unwrap();
    let original = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["action"] == "create" && r["locale"].is_null())
        .unwrap();
    let path = format!(
        "/api/v1/admin/news/{id}/revisions/{}/restore",
        original["id"].as_str().unwrap()
    );

    let refused = app.send(Method::POST, &path, Some(&belgian), None).await;

    assert_problem(refused, StatusCode::FORBIDDEN).await;
    assert_eq!(
        get(&app, &admin, "news", id).await["countries"],
        json!(["BE"])
    );
    assert_eq!(
        app.send(Method::POST, &path, Some(&admin), None)
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        get(&app, &admin, "news", id).await["countries"],
        json!(["BE", "LT"])
    );
}

async fn absurd_pages_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;

    let response = app
        .get_authed(
            "/api/v1/admin/news?page=100000000000000001&per_page=100",
            &admin,
        )
        .await;

    let body = assert_problem(response, StatusCode::BAD_REQUEST).await;
    assert_eq!(body["errors"][0]["field"], "page");
}

async fn an_etag_from_before_a_dropped_translation_never_matches_again(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let created = create(
        &app,
        &admin,
        "pages",
        &json!({ "translation": { "locale": "en", "title": "SRPP" } }),
    )
    .await;
    let id = created["id"].as_str().unwrap();
    let fr = format!("/api/v1/admin/pages/{id}/translations/fr");
    put_translation(&app, &admin, &fr, None, json!({ "title": "MPSR" })).await;
    let old_etag = put_translation(
        &app,
        &admin,
        &fr,
        Some("\"t1\""),
        json!({ "title": "MPSR 2" }),
    )
    .await
    .headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    app.delete_authed(&fr, &admin).await;

    let recreated = put_translation(&app, &admin, &fr, None, json!({ "title": "Nouvelle" })).await;

    assert_ne!(recreated.headers()["etag"].to_str().unwrap(), old_etag);
    let stale = put_translation(
        &app,
        &admin,
        &fr,
        Some(&old_etag),
        json!({ "title": "Écrasé ?" }),
    )
    .await;
    assert_problem(stale, StatusCode::PRECONDITION_FAILED).await;
}

async fn impossible_workflow_steps_are_refused_with_conflicts(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let created = create(
        &app,
        &admin,
        "pages",
        &json!({ "translation": { "locale": "en", "title": "Only one" } }),
    )
    .await;
    let id = created["id"].as_str().unwrap();
    let path = format!("/api/v1/admin/pages/{id}");

    let last = app
        .delete_authed(&format!("{path}/translations/en"), &admin)
        .await;
    assert!(
        assert_problem(last, StatusCode::CONFLICT).await["detail"]
            .as_str()
            .unwrap()
            .contains("only translation")
    );
    let not_trashed = app
        .send(Method::POST, &format!("{path}/restore"), Some(&admin), None)
        .await;
    assert_problem(not_trashed, StatusCode::CONFLICT).await;
    publish(&app, &admin, "pages", id, "en").await;
    app.send(
        Method::POST,
        &format!("{path}/translations/en/unpublish"),
        Some(&admin),
        None,
    )
    .await;
    let list: Value = app
        .get_authed(&format!("{path}/revisions"), &admin)
        .await
        .json()
        .await
        .unwrap();
    let unpublish = list["items"][0]["id"].as_str().unwrap();
    assert_eq!(list["items"][0]["action"], "unpublish");
    let restore = app
        .send(
            Method::POST,
            &format!("{path}/revisions/{unpublish}/restore"),
            Some(&admin),
            None,
        )
        .await;
    assert_problem(restore, StatusCode::CONFLICT).await;
    let missing_locale = app
        .send(
            Method::POST,
            &format!("{path}/translations/fr/publish"),
            Some(&admin),
            None,
        )
        .await;
    assert_problem(missing_locale, StatusCode::NOT_FOUND).await;
}
