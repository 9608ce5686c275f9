//! Migrations run forwards and backwards, and never lose existing rows.

use buysocial::domain::Role;
use entity::{session, user};
use migration::{Migrator, MigratorTrait};
use reqwest::StatusCode;
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, Backend, TestApp, backend_tests};

backend_tests!(
    migrations_go_down_and_up_again_on_an_empty_database,
    redoing_the_latest_migration_keeps_existing_rows,
);

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

/// With foreign keys on, a SQLite table rebuild in a migration would silently delete
/// the rows that reference the table through `ON DELETE CASCADE`. Populate every
/// table, undo and redo the latest migration, and count again.
async fn redoing_the_latest_migration_keeps_existing_rows(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("editor@example.org", Role::Editor, "editor password 1")
        .await;
    let token = app.login_token(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    app.login_token("editor@example.org", "editor password 1")
        .await;
    app.login("editor@example.org", "a wrong password").await;
    let db = &app.state.db;
    let users_before = user::Entity::find().count(db).await.unwrap();
    let sessions_before = session::Entity::find().count(db).await.unwrap();
    assert_eq!((users_before, sessions_before), (2, 2));

    Migrator::down(db, Some(1)).await.unwrap();
    Migrator::up(db, None).await.unwrap();

    assert_eq!(user::Entity::find().count(db).await.unwrap(), users_before);
    assert_eq!(
        session::Entity::find().count(db).await.unwrap(),
        sessions_before
    );
    assert_eq!(
        app.get_authed("/api/v1/auth/me", &token).await.status(),
        StatusCode::OK
    );
}
