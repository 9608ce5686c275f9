//! What editors meet on their first day (issue 23), through the admin API: who saved a
//! draft and who made each revision are named, so that a conflict says who saved the
//! other version.

use buysocial::domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, backend_tests, find_in};

backend_tests!(
    drafts_live_versions_and_revisions_name_who_made_them,
    the_countries_give_forms_their_time_zones_and_languages,
    a_scheduled_translation_saved_again_publishes_the_new_draft_when_kept,
    schedules_are_cancelled_and_moved_by_whoever_may_publish,
    a_schedule_that_failed_is_shown_with_why_until_published,
    an_editor_asks_a_colleague_for_review_and_not_themselves,
    a_live_translation_says_where_each_site_shows_it,
    the_tags_in_use_are_offered_with_their_counts,
    changed_details_go_live_for_chosen_languages_without_their_drafts,
    changing_details_of_a_scheduled_item_says_what_happens_to_the_schedule,
    restoring_a_revision_over_a_schedule_says_what_happens_to_it,
    a_replaced_file_goes_live_with_the_schedule_that_was_waiting_for_it,
);

async fn restoring_a_revision_over_a_schedule_says_what_happens_to_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = lithuanian(&app, "editor@example.lt", Role::Editor).await;
    let author = lithuanian(&app, "author@example.lt", Role::Author).await;
    let id = scheduled_news(&app, &editor).await;
    let first: Value = app
        .get_json(&format!("/api/v1/admin/news/{id}/revisions"), &editor)
        .await;
    let first = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["locale"] == "lt")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let saved = app
        .send_if_match(
            Method::PUT,
            &format!("/api/v1/admin/news/{id}/translations/lt"),
            &editor,
            Some("\"t1\""),
            &json!({ "title": "Kvietimas (klaidingas)", "schedule": "keep" }),
        )
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    let restore = |token: String, choice: &str| {
        let path = format!("/api/v1/admin/news/{id}/revisions/{first}/restore{choice}");
        let app = &app;
        async move { app.send(Method::POST, &path, Some(&token), None).await }
    };
    let problem =
        crate::helpers::assert_problem(restore(editor.clone(), "").await, StatusCode::CONFLICT)
            .await;
    assert_eq!(problem["type"], "urn:buysocial:problem:schedule-pending");
    // An author may restore a draft but not decide what gets published.
    crate::helpers::assert_problem(
        restore(author.clone(), "?schedule=keep").await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(
        restore(editor.clone(), "?schedule=keep").await.status(),
        StatusCode::OK
    );
    assert_eq!(schedules_run_in(&app, 2).await, 1);
    let live = crate::delivery::read(&app, "/api/v1/news/kvietimas?locale=lt").await;
    assert_eq!(live["title"], "Kvietimas", "the restored draft went live");
}

async fn a_replaced_file_goes_live_with_the_schedule_that_was_waiting_for_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = lithuanian(&app, "editor@example.lt", Role::Editor).await;
    let fixture = crate::office_files::fixture;
    let deck = crate::assets::created(
        crate::assets::upload_raw(&app, &editor, "mokymai.pptx", fixture("python-pptx.pptx")).await,
    )
    .await;
    let deck_id = deck["id"].as_str().unwrap().to_owned();
    let body = json!({ "countries": ["LT"], "fields": { "material_kind": "presentation" },
        "translation": { "locale": "lt", "title": "Mokymų medžiaga", "slug": "mokymai", "file_asset_id": deck_id } });
    let id = crate::delivery::create(&app, &editor, "materials", body).await;
    let at = app.clock.now() + chrono::TimeDelta::hours(1);
    let scheduled = app
        .post_json_authed(
            &format!("/api/v1/admin/materials/{id}/translations/lt/publish"),
            &editor,
            &json!({ "at": at }),
        )
        .await;
    assert_eq!(scheduled.status(), StatusCode::OK);

    let url = url::Url::parse_with_params(
        &app.url(&format!("/api/v1/admin/assets/{deck_id}/file")),
        [("file_name", "mokymai.odp")],
    )
    .unwrap();
    let replaced = app
        .client
        .post(url)
        .bearer_auth(&editor)
        .header("content-type", "application/octet-stream")
        .body(fixture("odfpy.odp"))
        .send()
        .await
        .unwrap();
    let replacement = crate::assets::created(replaced).await;

    assert_eq!(schedules_run_in(&app, 2).await, 1);
    let item: Value = app
        .get_json(&format!("/api/v1/admin/materials/{id}"), &editor)
        .await;
    let lt = &item["translations"][0];
    assert_eq!(lt["failed_schedule"], Value::Null, "{lt}");
    assert_eq!(lt["live"]["file_asset_id"], replacement["id"], "{lt}");
}

async fn changing_details_of_a_scheduled_item_says_what_happens_to_the_schedule(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = lithuanian(&app, "editor@example.lt", Role::Editor).await;
    let author = lithuanian(&app, "author@example.lt", Role::Author).await;
    let id = scheduled_news(&app, &editor).await;
    let path = format!("/api/v1/admin/news/{id}");
    let change = |token: String, body: Value| {
        let (app, path) = (&app, &path);
        async move {
            app.send_if_match(Method::PATCH, path, &token, Some("\"d1\""), &body)
                .await
        }
    };
    let date = json!({ "fields": { "date": "2027-01-15" } });
    let problem = crate::helpers::assert_problem(
        change(editor.clone(), date.clone()).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(problem["type"], "urn:buysocial:problem:schedule-pending");
    let mut keep = date.clone();
    keep["schedules"] = json!("keep");
    crate::helpers::assert_problem(
        change(author.clone(), keep.clone()).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(change(editor.clone(), keep).await.status(), StatusCode::OK);
    assert_eq!(schedules_run_in(&app, 2).await, 1);
    let live = crate::delivery::read(&app, "/api/v1/news/kvietimas?locale=lt").await;
    assert_eq!(
        live["date"], "2027-01-15",
        "the schedule published the new details"
    );
}

async fn changed_details_go_live_for_chosen_languages_without_their_drafts(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let french_editor = app
        .scoped_user_token("fr@example.be", Role::Editor, &["BE"], &["fr"])
        .await;
    let author = app
        .scoped_user_token("author@example.be", Role::Author, &["BE"], &["fr"])
        .await;
    let at = app.clock.now() + chrono::TimeDelta::days(30);
    let id = crate::delivery::create(
        &app,
        &admin,
        "events",
        json!({ "countries": ["BE"], "fields": { "city": "Bruxelles", "venue": "Salle A",
            "starts_at": at.format("%Y-%m-%dT09:30:00+01:00").to_string(),
            "ends_at": at.format("%Y-%m-%dT16:30:00+01:00").to_string(), "time_zone": "Europe/Brussels" },
            "translation": { "locale": "fr", "title": "Atelier", "slug": "atelier" } }),
    )
    .await;
    crate::delivery::translate(&app, &admin, "events", &id, "nl", "Workshop").await;
    crate::delivery::publish(&app, &admin, "events", &id, "fr").await;
    crate::delivery::publish(&app, &admin, "events", &id, "nl").await;
    // A new venue, and an unfinished French draft that must not go live.
    let changed = app
        .send_if_match(
            Method::PATCH,
            &format!("/api/v1/admin/events/{id}"),
            &admin,
            Some("\"d1\""),
            &json!({ "fields": { "venue": "Salle B" } }),
        )
        .await;
    assert_eq!(
        changed.status(),
        StatusCode::OK,
        "{}",
        changed.text().await.unwrap()
    );
    let draft = app
        .send_if_match(
            Method::PUT,
            &format!("/api/v1/admin/events/{id}/translations/fr"),
            &admin,
            Some("\"t1\""),
            &json!({ "title": "Atelier (brouillon)" }),
        )
        .await;
    assert_eq!(draft.status(), StatusCode::OK);
    let venue = |locale: &'static str| {
        let app = &app;
        async move {
            let event =
                crate::delivery::read(app, &format!("/api/v1/events?locale={locale}&fallback="))
                    .await;
            (
                event["items"][0]["venue"].clone(),
                event["items"][0]["title"].clone(),
            )
        }
    };
    assert_eq!(
        venue("fr").await.0,
        "Salle A",
        "details reach readers only when published"
    );
    let item: Value = app
        .get_json(&format!("/api/v1/admin/events/{id}"), &admin)
        .await;
    assert!(
        item["translations"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["live"]["details_outdated"] == true)
    );

    let path = format!("/api/v1/admin/events/{id}/publish-details");
    crate::helpers::assert_problem(
        app.post_json_authed(&path, &author, &json!({ "locales": ["fr"] }))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    crate::helpers::assert_problem(
        app.post_json_authed(&path, &french_editor, &json!({ "locales": ["nl"] }))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let not_live = app
        .post_json_authed(&path, &admin, &json!({ "locales": ["de"] }))
        .await;
    crate::helpers::assert_problem(not_live, StatusCode::UNPROCESSABLE_ENTITY).await;
    let viewer = app
        .scoped_user_token("viewer@example.be", Role::Viewer, &[], &[])
        .await;
    let nothing = app
        .post_json_authed(&path, &viewer, &json!({ "locales": [] }))
        .await;
    crate::helpers::assert_problem(nothing, StatusCode::UNPROCESSABLE_ENTITY).await;
    let published = app
        .post_json_authed(&path, &french_editor, &json!({ "locales": ["fr"] }))
        .await;
    assert_eq!(published.status(), StatusCode::OK);
    assert_eq!(
        venue("fr").await,
        (json!("Salle B"), json!("Atelier")),
        "the new venue, with the live text"
    );
    assert_eq!(venue("nl").await.0, "Salle A", "only the languages chosen");
    let all = app.post_json_authed(&path, &admin, &json!({})).await;
    assert_eq!(all.status(), StatusCode::OK);
    assert_eq!(
        venue("nl").await.0,
        "Salle B",
        "absent: every outdated language"
    );
}

async fn the_tags_in_use_are_offered_with_their_counts(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let viewer = lithuanian(&app, "viewer@example.lt", Role::Viewer).await;
    for (title, tags) in [
        ("One", json!(["srpp", "training"])),
        ("Two", json!(["srpp"])),
    ] {
        crate::delivery::create(
            &app,
            &admin,
            "news",
            json!({ "tags": tags, "translation": { "locale": "en", "title": title } }),
        )
        .await;
    }
    let tags: Value = app.get_json("/api/v1/admin/tags", &viewer).await;
    assert_eq!(
        tags,
        json!([{ "tag": "srpp", "items": 2 }, { "tag": "training", "items": 1 }])
    );
    crate::helpers::assert_problem(
        app.get("/api/v1/admin/tags").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

async fn a_live_translation_says_where_each_site_shows_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    for (code, country) in [("be", "BE"), ("lt", "LT")] {
        let site = app
            .post_json_authed(
                "/api/v1/admin/sites",
                &admin,
                &json!({ "code": code, "name": code, "countries": [country], "locales": ["fr", "lt"],
                         "default_locale": "fr", "routes": [
                            { "kind": "news", "pattern": format!("https://{code}.example/{{locale}}/news/{{slug}}") }] }),
            )
            .await;
        assert_eq!(site.status(), StatusCode::CREATED);
    }
    let id = crate::delivery::create(
        &app,
        &admin,
        "news",
        json!({ "countries": ["BE"], "translation": { "locale": "fr", "title": "Appel", "slug": "appel" } }),
    )
    .await;
    let item: Value = app
        .get_json(&format!("/api/v1/admin/news/{id}"), &admin)
        .await;
    assert_eq!(
        item["translations"][0]["live"],
        Value::Null,
        "a draft is nowhere"
    );
    crate::delivery::publish(&app, &admin, "news", &id, "fr").await;
    let item: Value = app
        .get_json(&format!("/api/v1/admin/news/{id}"), &admin)
        .await;
    assert_eq!(
        item["translations"][0]["live"]["urls"],
        json!([{ "site": "be", "url": "https://be.example/fr/news/appel" }]),
        "the Lithuanian site does not show a Belgian item"
    );
}

async fn an_editor_asks_a_colleague_for_review_and_not_themselves(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let asker = lithuanian(&app, "asker@example.lt", Role::Editor).await;
    let colleague = lithuanian(&app, "colleague@example.lt", Role::Editor).await;
    let id = crate::delivery::create(
        &app,
        &asker,
        "news",
        json!({ "countries": ["LT"], "translation": { "locale": "lt", "title": "Keturios akys" } }),
    )
    .await;
    let asked = app
        .post_json_authed(
            &format!("/api/v1/admin/news/{id}/translations/lt/review-request"),
            &asker,
            &json!({ "comment": "Ar gerai?" }),
        )
        .await;
    assert_eq!(asked.status(), StatusCode::CREATED);
    let queue = |token: String| {
        let app = &app;
        async move {
            let body: Value = app.get_json("/api/v1/admin/review-requests", &token).await;
            body["items"].as_array().unwrap().len()
        }
    };
    assert_eq!(
        queue(asker.clone()).await,
        0,
        "not in the asker's own queue"
    );
    assert_eq!(queue(colleague.clone()).await, 1);
}

/// Moves the clock `hours` on and runs the schedules then due; how many ran.
async fn schedules_run_in(app: &TestApp, hours: i64) -> usize {
    app.clock.advance(chrono::TimeDelta::hours(hours));
    buysocial::services::content::run_due_schedules(&app.state)
        .await
        .unwrap()
}

/// A news item in Lithuania with its `lt` publication scheduled in an hour by `editor`.
async fn scheduled_news(app: &TestApp, editor: &str) -> String {
    let id = crate::delivery::create(
        app,
        editor,
        "news",
        json!({ "countries": ["LT"], "translation": { "locale": "lt", "title": "Kvietimas", "slug": "kvietimas" } }),
    )
    .await;
    let at = app.clock.now() + chrono::TimeDelta::hours(1);
    let scheduled = app
        .post_json_authed(
            &format!("/api/v1/admin/news/{id}/translations/lt/publish"),
            editor,
            &json!({ "at": at }),
        )
        .await;
    assert_eq!(scheduled.status(), StatusCode::OK);
    id
}

async fn lithuanian(app: &TestApp, email: &str, role: Role) -> String {
    app.scoped_user_token(email, role, &["LT"], &["lt"]).await
}

async fn a_scheduled_translation_saved_again_publishes_the_new_draft_when_kept(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = lithuanian(&app, "editor@example.lt", Role::Editor).await;
    let id = scheduled_news(&app, &editor).await;
    let path = format!("/api/v1/admin/news/{id}/translations/lt");
    let saved = app
        .send_if_match(
            Method::PUT,
            &path,
            &editor,
            Some("\"t1\""),
            &json!({ "title": "Kvietimas teikti paraiškas", "schedule": "keep" }),
        )
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    let item: Value = saved.json().await.unwrap();
    assert_eq!(
        item["translations"][0]["schedules"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(schedules_run_in(&app, 2).await, 1);
    let live = crate::delivery::read(&app, "/api/v1/news/kvietimas?locale=lt").await;
    assert_eq!(
        live["title"], "Kvietimas teikti paraiškas",
        "the new draft went live"
    );
}

async fn schedules_are_cancelled_and_moved_by_whoever_may_publish(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = lithuanian(&app, "editor@example.lt", Role::Editor).await;
    let author = lithuanian(&app, "author@example.lt", Role::Author).await;
    let belgian = app
        .scoped_user_token("be@example.org", Role::Editor, &["BE"], &["fr"])
        .await;
    let id = scheduled_news(&app, &editor).await;
    let path = format!("/api/v1/admin/news/{id}/translations/lt/schedule");
    let later = app.clock.now() + chrono::TimeDelta::hours(3);

    for refused in [&author, &belgian] {
        crate::helpers::assert_problem(
            app.delete_authed(&path, refused).await,
            StatusCode::FORBIDDEN,
        )
        .await;
        crate::helpers::assert_problem(
            app.patch_json_authed(&path, refused, &json!({ "at": later }))
                .await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    let past = app
        .patch_json_authed(
            &path,
            &editor,
            &json!({ "at": app.clock.now() - chrono::TimeDelta::hours(1) }),
        )
        .await;
    let problem = crate::helpers::assert_problem(past, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["errors"][0]["field"], "at");
    let moved = app
        .patch_json_authed(&path, &editor, &json!({ "at": later }))
        .await;
    assert_eq!(moved.status(), StatusCode::OK);
    let moved: Value = moved.json().await.unwrap();
    let at: chrono::DateTime<chrono::Utc> = moved["translations"][0]["schedules"][0]["at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(at.timestamp(), later.timestamp());
    let cancelled = app.delete_authed(&path, &editor).await;
    assert_eq!(cancelled.status(), StatusCode::OK);
    let cancelled: Value = cancelled.json().await.unwrap();
    assert_eq!(cancelled["translations"][0]["schedules"], json!([]));
    crate::helpers::assert_problem(
        app.delete_authed(&path, &editor).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(schedules_run_in(&app, 4).await, 0, "nothing left to run");
}

async fn a_schedule_that_failed_is_shown_with_why_until_published(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let editor = lithuanian(&app, "editor@example.lt", Role::Editor).await;
    let id = scheduled_news(&app, &editor).await;
    let editor_id = buysocial::services::users::find_by_email(&app.state.db, "editor@example.lt")
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
    schedules_run_in(&app, 2).await;
    let item: Value = app
        .get_json(&format!("/api/v1/admin/news/{id}"), &admin)
        .await;
    let failed = &item["translations"][0]["failed_schedule"];
    assert_eq!(failed["action"], "publish");
    assert!(
        failed["reason"]
            .as_str()
            .unwrap()
            .contains("may no longer publish"),
        "{failed}"
    );
    crate::delivery::publish(&app, &admin, "news", &id, "lt").await;
    let item: Value = app
        .get_json(&format!("/api/v1/admin/news/{id}"), &admin)
        .await;
    assert_eq!(item["translations"][0]["failed_schedule"], Value::Null);
}

async fn the_countries_give_forms_their_time_zones_and_languages(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let viewer = app
        .scoped_user_token("viewer@example.org", Role::Viewer, &["PT"], &[])
        .await;
    let countries: Value = app.get_json("/api/v1/admin/countries", &viewer).await;
    let portugal = find_in(&countries, "code", "PT");
    assert_eq!(
        portugal["time_zones"],
        json!(["Europe/Lisbon", "Atlantic/Madeira", "Atlantic/Azores"])
    );
    assert_eq!(portugal["languages"], json!(["pt"]));
    assert_eq!(countries.as_array().unwrap().len(), 27);
    let anonymous = app.get("/api/v1/admin/countries").await;
    crate::helpers::assert_problem(anonymous, StatusCode::UNAUTHORIZED).await;
}

async fn drafts_live_versions_and_revisions_name_who_made_them(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let els = app
        .scoped_user_token("els@webuysocial.be", Role::Editor, &["BE"], &["fr"])
        .await;
    let id = crate::delivery::create(
        &app,
        &els,
        "news",
        json!({ "countries": ["BE"], "translation": { "locale": "fr", "title": "Appel" } }),
    )
    .await;
    let (_, bot) = app
        .api_token(
            &admin,
            json!({ "name": "Importer", "kind": "admin", "role": "editor" }),
        )
        .await;
    let saved = app
        .send_if_match(
            Method::PUT,
            &format!("/api/v1/admin/news/{id}/translations/fr"),
            &bot,
            Some("\"t1\""),
            &json!({ "title": "Appel à projets" }),
        )
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    crate::delivery::publish(&app, &els, "news", &id, "fr").await;

    let item: Value = app
        .get_json(&format!("/api/v1/admin/news/{id}"), &admin)
        .await;
    let french = &item["translations"][0];
    assert_eq!(french["draft"]["updated_by_name"], "Importer");
    assert_eq!(french["live"]["published_by_name"], "els");
    let history: Value = app
        .get_json(&format!("/api/v1/admin/news/{id}/revisions"), &admin)
        .await;
    let names: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["created_by_name"].as_str().unwrap_or("-"))
        .collect();
    assert_eq!(
        names,
        ["els", "Importer", "els", "els"],
        "publish, draft, and the creation's translation and details"
    );
    let first = history["items"][3]["id"].as_str().unwrap();
    let one: Value = app
        .get_json(
            &format!("/api/v1/admin/news/{id}/revisions/{first}"),
            &admin,
        )
        .await;
    assert_eq!(one["revision"]["created_by_name"], "els");
}
