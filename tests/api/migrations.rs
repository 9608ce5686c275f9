//! Migrations run forwards and backwards, and never lose existing rows.

use std::collections::BTreeMap;

use migration::{Migrator, MigratorTrait};
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, Set, Statement};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{Backend, TestApp, backend_tests, find_in};

backend_tests!(
    migrations_go_down_and_up_again_on_an_empty_database,
    stepping_each_migration_down_and_up_keeps_the_rows_of_the_others,
    existing_translations_follow_the_source_as_it_was_when_they_were_written,
    existing_audit_entries_name_their_actors_as_they_are_now,
    admins_lose_their_scope_and_automation_tokens_of_departed_people_stop,
);

/// Migration 20: admins (users and admin-role tokens) stored with a scope lose it, and
/// admin tokens whose creator is disabled or deleted are revoked; delivery tokens stay.
async fn admins_lose_their_scope_and_automation_tokens_of_departed_people_stop(backend: Backend) {
    use buysocial::domain::Role;
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    app.scoped_user_token("be@example.org", Role::Editor, &["BE"], &["fr"])
        .await;
    app.create_user("leaver@example.org", Role::Admin, "leaver's password")
        .await;
    let leaver = app
        .login_token("leaver@example.org", "leaver's password")
        .await;
    let (automation_id, _) = app
        .api_token(
            &leaver,
            json!({ "name": "Importer", "kind": "admin", "role": "editor" }),
        )
        .await;
    let (site_id, _) = app
        .api_token(&leaver, json!({ "name": "Site", "kind": "delivery" }))
        .await;
    let (scoped_admin_token, _) = app
        .api_token(
            &admin,
            json!({ "name": "Bot", "kind": "admin", "role": "editor",
                                   "scope": { "countries": ["LT"] } }),
        )
        .await;
    let db = &app.state.db;
    // As older versions allowed: an admin with a scope, an admin token with one, and a
    // person disabled while their tokens kept working.
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    entity::user::Entity::update_many()
        .col_expr(entity::user::Column::Role, Expr::value("admin"))
        .filter(entity::user::Column::Email.eq("be@example.org"))
        .exec(db)
        .await
        .unwrap();
    entity::user::Entity::update_many()
        .col_expr(
            entity::user::Column::DisabledAt,
            Expr::value(Some(chrono::Utc::now())),
        )
        .filter(entity::user::Column::Email.eq("leaver@example.org"))
        .exec(db)
        .await
        .unwrap();
    entity::api_token::Entity::update_many()
        .col_expr(entity::api_token::Column::Role, Expr::value("admin"))
        .filter(entity::api_token::Column::Id.eq(scoped_admin_token.parse::<uuid::Uuid>().unwrap()))
        .exec(db)
        .await
        .unwrap();
    // Back to before migration 20 (and the ones after it), then up again.
    let all = Migrator::migrations();
    let twentieth = all
        .iter()
        .position(|m| m.name() == "m20261203_000020_admin_scope_and_departed_tokens")
        .unwrap();
    Migrator::down(db, Some(u32::try_from(all.len() - twentieth).unwrap()))
        .await
        .unwrap();
    Migrator::up(db, None).await.unwrap();

    let users: Value = app.get_json("/api/v1/admin/users?role=admin", &admin).await;
    let be = find_in(&users, "email", "be@example.org");
    assert_eq!(be["scope"], json!({ "countries": [], "locales": [] }));
    let tokens: Value = app.get_json("/api/v1/admin/tokens", &admin).await;
    let token = |id: &str| find_in(&tokens, "id", id);
    assert_eq!(
        token(&scoped_admin_token)["scope"],
        json!({ "countries": [], "locales": [] })
    );
    assert!(
        token(&automation_id)["revoked_at"].is_string(),
        "the leaver's automation token stopped"
    );
    assert_eq!(
        token(&site_id)["revoked_at"],
        Value::Null,
        "their site token did not"
    );
}

/// Migration 17: entries written before actors' standing was kept take their user's or
/// token's name, role and countries as they are when it runs.
async fn existing_audit_entries_name_their_actors_as_they_are_now(backend: Backend) {
    use buysocial::domain::Role;
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let editor = app
        .scoped_user_token("be@example.org", Role::Editor, &["BE"], &["fr"])
        .await;
    app.get_authed("/api/v1/admin/users", &editor).await;
    let (_, token) = app
        .api_token(
            &admin,
            json!({ "name": "Automation", "kind": "admin", "role": "viewer",
                                   "scope": { "countries": ["LT"] } }),
        )
        .await;
    app.get_authed("/api/v1/admin/users", &token).await;
    let db = &app.state.db;
    let since_17 = u32::try_from(Migrator::migrations().len() - 16).unwrap();
    Migrator::down(db, Some(since_17)).await.unwrap();
    Migrator::up(db, None).await.unwrap();

    let refusals = app.audit(&admin, "action=permission.denied").await;
    let by = |label: &str| {
        refusals
            .iter()
            .find(|e| e["actor_label"] == label)
            .unwrap_or_else(|| panic!("no refusal of {label}"))
            .clone()
    };
    let editor_entry = by("be@example.org");
    assert_eq!(editor_entry["actor_name"], "be");
    assert_eq!(editor_entry["actor_role"], "editor");
    assert_eq!(editor_entry["actor_countries"], json!(["BE"]));
    let token_entry = by("Automation");
    assert_eq!(token_entry["actor_name"], "Automation");
    assert_eq!(token_entry["actor_role"], "viewer");
    assert_eq!(token_entry["actor_countries"], json!(["LT"]));
}

/// Migration 14: a translation written before bases were kept follows the source
/// revision that was current when it was last written, so one written before the
/// source's last change is outdated and one written after is not.
async fn existing_translations_follow_the_source_as_it_was_when_they_were_written(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let id = crate::delivery::create(
        &app,
        &admin,
        "news",
        json!({ "translation": { "locale": "en", "title": "Call", "body": "One." } }),
    )
    .await;
    let put = |locale: &'static str, etag: Option<&'static str>, body: Value| {
        let (app, admin, id) = (&app, &admin, &id);
        async move {
            let response = app
                .send_if_match(
                    Method::PUT,
                    &format!("/api/v1/admin/news/{id}/translations/{locale}"),
                    admin,
                    etag,
                    &body,
                )
                .await;
            assert_eq!(response.status(), StatusCode::OK);
        }
    };
    put("fr", None, json!({ "title": "Appel", "body": "Un." })).await;
    put(
        "en",
        Some("\"t1\""),
        json!({ "title": "Call", "body": "One. Two." }),
    )
    .await;
    put(
        "nl",
        None,
        json!({ "title": "Oproep", "body": "Een. Twee." }),
    )
    .await;
    // An unpublished source leaves a revision without text, which nothing may follow.
    for action in ["publish", "unpublish"] {
        let path = format!("/api/v1/admin/news/{id}/translations/en/{action}");
        let done = app.send(Method::POST, &path, Some(&admin), None).await;
        assert!(done.status().is_success());
    }
    put(
        "de",
        None,
        json!({ "title": "Aufruf", "body": "Eins. Zwei." }),
    )
    .await;
    let db = &app.state.db;
    // Back to before bases were kept (migration 14 and the ones after it), and forward
    // again: migration 14 works them out.
    let since_14 = u32::try_from(Migrator::migrations().len() - 13).unwrap();
    Migrator::down(db, Some(since_14)).await.unwrap();
    Migrator::up(db, None).await.unwrap();

    let item: Value = app
        .get_json(&format!("/api/v1/admin/news/{id}"), &admin)
        .await;
    let of = |locale: &str| {
        item["translations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["locale"] == locale)
            .unwrap_or_else(|| panic!("no {locale} in {item}"))
            .clone()
    };
    assert_eq!(of("en")["base_revision_id"], Value::Null);
    assert!(of("fr")["base_revision_id"].is_string());
    assert_eq!(
        of("fr")["outdated"],
        true,
        "written before the source changed"
    );
    assert_eq!(of("nl")["outdated"], false, "written after");
    assert_eq!(
        of("de")["outdated"],
        false,
        "an unpublish is not a text to follow"
    );
}

async fn migrations_go_down_and_up_again_on_an_empty_database(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let db = &app.state.db;

    Migrator::down(db, None).await.unwrap();
    assert!(
        Migrator::get_applied_migrations(db)
            .await
            .unwrap()
            .is_empty()
    );
    Migrator::up(db, None).await.unwrap();

    assert_eq!(
        Migrator::get_pending_migrations(db).await.unwrap().len(),
        0,
        "every migration is applied again"
    );
}

/// Every table, with its rows.
async fn row_counts(db: &DatabaseConnection) -> BTreeMap<String, i64> {
    let backend = db.get_database_backend();
    let list = match backend {
        DbBackend::Postgres => {
            "SELECT table_name AS name FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        }
        // FTS5 keeps its index in shadow tables (`name_data`, ...), counted through
        // the virtual table itself.
        _ => {
            "SELECT name FROM sqlite_master t WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND NOT EXISTS (SELECT 1 FROM sqlite_master v WHERE v.type = 'table' \
               AND v.sql LIKE 'CREATE VIRTUAL TABLE%' AND t.name LIKE v.name || '\\_%' ESCAPE '\\')"
        }
    };
    let tables: Vec<String> = db
        .query_all_raw(Statement::from_string(backend, list))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get::<String>("", "name").unwrap())
        .filter(|name| name != "seaql_migrations")
        .collect();
    let mut counts = BTreeMap::new();
    for table in tables {
        let row = db
            .query_one_raw(Statement::from_string(
                backend,
                format!("SELECT COUNT(*) AS n FROM \"{table}\""),
            ))
            .await
            .unwrap()
            .unwrap();
        counts.insert(table, row.try_get::<i64>("", "n").unwrap());
    }
    counts
}

/// Content, people and traffic in every table, through the API as editors make them.
async fn populate(app: &TestApp) {
    buysocial::demo::seed(&app.state).await.unwrap();
    let admin = app.admin_token().await;
    app.login("editor@example.org", "a wrong password").await;
    app.api_token(&admin, json!({ "name": "frontend", "kind": "delivery" }))
        .await;
    // An open invitation; a reset link mailed, and a reset request not yet answered.
    let invited = app
        .post_json_authed(
            "/api/v1/admin/invitations",
            &admin,
            &json!({ "email": "invited@example.org", "role": "viewer" }),
        )
        .await;
    assert_eq!(invited.status(), StatusCode::CREATED);
    let reset = json!({ "email": crate::helpers::ADMIN_EMAIL });
    app.post_json("/api/v1/auth/password-reset", &reset).await;
    buysocial::services::accounts::password_reset::answer_requests(&app.state)
        .await
        .unwrap();
    app.post_json("/api/v1/auth/password-reset", &reset).await;
    // Two-factor sign-in on (with its recovery codes), and an account policy.
    let enrolment: Value = app
        .post_json_authed("/api/v1/auth/totp/enrol", &admin, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    let secret = enrolment["secret"].as_str().unwrap();
    let now = buysocial::services::accounts::two_factor::totp::step_at(app.clock.now().timestamp());
    let code = buysocial::services::accounts::two_factor::totp::code_at(secret, now).unwrap();
    let confirmed = app
        .post_json_authed(
            "/api/v1/auth/totp/confirm",
            &admin,
            &json!({ "code": code }),
        )
        .await;
    assert_eq!(confirmed.status(), StatusCode::OK);
    let policy = app
        .send(
            reqwest::Method::PUT,
            "/api/v1/admin/account-policy",
            Some(&admin),
            Some(&json!({ "two_factor_roles": [] })),
        )
        .await;
    assert_eq!(policy.status(), StatusCode::OK);
    // A single sign-on linked, and one under way (their flow needs a provider: the
    // rows are written here as the flow would).
    let now = app.clock.now();
    let admin_id = app.get_json("/api/v1/auth/me", &admin).await["user"]["id"]
        .as_str()
        .unwrap()
        .parse::<uuid::Uuid>()
        .unwrap();
    entity::user_identity::Entity::insert(entity::user_identity::ActiveModel {
        provider: Set("eulogin".into()),
        subject: Set("sub-admin".into()),
        user_id: Set(entity::ids::UserId(admin_id)),
        email: Set(crate::helpers::ADMIN_EMAIL.into()),
        created_at: Set(now),
        last_used_at: Set(now),
    })
    .exec_without_returning(&app.state.db)
    .await
    .unwrap();
    entity::sso_flow::Entity::insert(entity::sso_flow::ActiveModel {
        id: Set("0".repeat(64)),
        provider: Set("eulogin".into()),
        state: Set("state".into()),
        nonce: Set("nonce".into()),
        pkce_verifier: Set("verifier".into()),
        created_at: Set(now),
        expires_at: Set(now),
    })
    .exec_without_returning(&app.state.db)
    .await
    .unwrap();
    let (slug, id) = crate::registrations::event(app, &admin, "PT", 30, json!({})).await;
    let registered = crate::registrations::register(
        app,
        &slug,
        &crate::registrations::person("ana@example.org"),
    )
    .await;
    assert_eq!(registered.status(), StatusCode::CREATED);
    // A webhook hears of all that (deliveries, attempts); what follows stays in the outbox.
    let receiver = crate::helpers::receiver::Receiver::start(vec![]).await;
    let hook = app
        .post_json_authed(
            "/api/v1/admin/webhooks",
            &admin,
            &json!({ "name": "frontend", "url": receiver.url }),
        )
        .await;
    assert_eq!(hook.status(), StatusCode::CREATED);
    buysocial::services::webhooks::run_once(&app.state)
        .await
        .unwrap();
    assert!(!receiver.received().is_empty());
    // A published slug that changes leaves a redirect; a publish in the future, a schedule.
    let path = format!("/api/v1/admin/events/{id}/translations/en");
    let draft: Value = app
        .get_json(&format!("/api/v1/admin/events/{id}"), &admin)
        .await;
    let renamed = app
        .send_if_match(
            Method::PUT,
            &path,
            &admin,
            draft["translations"][0]["etag"].as_str(),
            &json!({ "title": "Renamed", "slug": "renamed-training" }),
        )
        .await;
    assert_eq!(renamed.status(), StatusCode::OK);
    for body in [None, Some(json!({ "at": "2099-01-01T00:00:00Z" }))] {
        let published = app
            .send(
                Method::POST,
                &format!("{path}/publish"),
                Some(&admin),
                body.as_ref(),
            )
            .await;
        assert!(published.status().is_success());
    }
    let asked = app
        .send(
            Method::POST,
            &format!("{path}/review-request"),
            Some(&admin),
            Some(&json!({ "comment": "Please check the new title." })),
        )
        .await;
    assert_eq!(asked.status(), StatusCode::CREATED);
    let seen = app
        .send(
            Method::POST,
            "/api/v1/admin/activity/seen",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(seen.status(), StatusCode::NO_CONTENT);
}

/// With foreign keys on, a SQLite table rebuild in a migration silently deletes the
/// rows that reference the table through `ON DELETE CASCADE`. With every table
/// populated, step back over each migration in turn and forward again: the tables
/// that stay keep every row, both ways.
async fn stepping_each_migration_down_and_up_keeps_the_rows_of_the_others(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    populate(&app).await;
    let db = &app.state.db;
    let populated = row_counts(db).await;
    let empty: Vec<&String> = populated
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(t, _)| t)
        .collect();
    assert!(
        empty.is_empty(),
        "populate() leaves these tables empty: {empty:?}"
    );
    let migrations = Migrator::migrations().len();

    for steps in 1..=migrations {
        let before = row_counts(db).await;
        Migrator::down(db, Some(u32::try_from(steps).unwrap()))
            .await
            .unwrap();
        let during = row_counts(db).await;
        for (table, rows) in &during {
            assert_eq!(
                Some(rows),
                before.get(table),
                "{table} after undoing {steps} migration(s)"
            );
        }
        Migrator::up(db, None).await.unwrap();
        let after = row_counts(db).await;
        for (table, rows) in &during {
            assert_eq!(
                after.get(table),
                Some(rows),
                "{table} after redoing {steps} migration(s)"
            );
        }
        assert_eq!(
            after.keys().collect::<Vec<_>>(),
            before.keys().collect::<Vec<_>>(),
            "the same tables"
        );
    }
}

/// A migration that has landed is never edited: its checksum is in
/// `migration/checksums.txt`. A new migration adds its line there when it lands.
#[test]
fn released_migrations_are_never_edited() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migration");
    let listed = std::fs::read_to_string(dir.join("checksums.txt")).unwrap();
    let mut expected = BTreeMap::new();
    for line in listed
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let (sum, file) = line.split_once("  ").unwrap();
        expected.insert(file.trim().to_owned(), sum.trim().to_owned());
    }
    let mut files: Vec<_> = std::fs::read_dir(dir.join("src"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with('m') && name.ends_with(".rs"))
        .collect();
    files.sort();
    for file in &files {
        let bytes = std::fs::read(dir.join("src").join(file)).unwrap();
        let sum = hex::encode(Sha256::digest(&bytes));
        match expected.get(file) {
            Some(listed) => assert_eq!(
                &sum, listed,
                "{file} changed after it landed: add a new migration instead"
            ),
            None => {
                panic!("{file} has no checksum in migration/checksums.txt: add `{sum}  {file}`")
            }
        }
    }
    for file in expected.keys() {
        assert!(
            files.contains(file),
            "{file} is listed but gone: released migrations stay"
        );
    }
}
