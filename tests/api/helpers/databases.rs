//! A fresh database per test: a SQLite file in a temp dir, or a PostgreSQL database
//! cloned from a migrated template (created once per migration set, shared by all
//! test processes through an advisory lock).

use std::path::Path;

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn is_available(self) -> bool {
        match self {
            Backend::Sqlite => true,
            Backend::Postgres => postgres_base_url().is_some(),
        }
    }
}

pub fn postgres_base_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.is_empty())
}

/// A database that exists for one test and is dropped with it.
pub struct TestDatabase {
    pub url: String,
    /// The PostgreSQL database to drop at the end.
    postgres_name: Option<String>,
}

impl TestDatabase {
    pub async fn create(backend: Backend, dir: &Path) -> Self {
        match backend {
            Backend::Sqlite => Self {
                url: format!("sqlite://{}?mode=rwc", dir.join("buysocial.db").display()),
                postgres_name: None,
            },
            Backend::Postgres => {
                let base = postgres_base_url().expect("TEST_DATABASE_URL");
                let name = format!("bs_test_{}", uuid::Uuid::new_v4().simple());
                let template = ensure_template(&base).await;
                let admin = connect_single(&base).await;
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
                    .await
                    .expect("create the test database");
                admin.close().await.ok();
                Self {
                    url: with_database(&base, &name),
                    postgres_name: Some(name),
                }
            }
        }
    }

    /// Drops the PostgreSQL database now, even with open connections
    /// (used to test readiness when the database goes away).
    pub async fn drop_now(&self) {
        if let Some(name) = &self.postgres_name {
            drop_database(name).await;
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some(name) = self.postgres_name.take() else {
            return;
        };
        // Drop runs inside the test's runtime, which cannot be blocked on; use a
        // thread with a runtime of its own.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(drop_database(&name));
        })
        .join();
    }
}

async fn drop_database(name: &str) {
    let Some(base) = postgres_base_url() else {
        return;
    };
    let admin = connect_single(&base).await;
    let _ = admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await;
    admin.close().await.ok();
}

/// The name of a database with every migration applied, creating it if needed.
async fn ensure_template(base: &str) -> String {
    let template = format!("bs_template_{}", &migrations_fingerprint()[..16]);
    let admin = connect_single(base).await;
    // Session-level lock on the single connection: one process migrates, the others wait.
    admin
        .execute_unprepared("SELECT pg_advisory_lock(8472001)")
        .await
        .unwrap();
    let exists = admin
        .query_one_raw(sea_orm::Statement::from_string(
            admin.get_database_backend(),
            format!("SELECT 1 AS one FROM pg_database WHERE datname = '{template}'"),
        ))
        .await
        .unwrap()
        .is_some();
    if !exists {
        let building = format!("{template}_building");
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
            .await
            .unwrap();
        admin
            .execute_unprepared(&format!("CREATE DATABASE {building}"))
            .await
            .unwrap();
        let db = connect_single(&with_database(base, &building)).await;
        Migrator::up(&db, None).await.expect("migrate the template");
        db.close().await.unwrap();
        admin
            .execute_unprepared(&format!("ALTER DATABASE {building} RENAME TO {template}"))
            .await
            .unwrap();
    }
    admin
        .execute_unprepared("SELECT pg_advisory_unlock(8472001)")
        .await
        .unwrap();
    admin.close().await.ok();
    template
}

/// Changes whenever a migration's source changes, so a stale template is never used.
fn migrations_fingerprint() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migration/src");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut hasher = Sha256::new();
    for file in files {
        hasher.update(std::fs::read(file).unwrap());
    }
    hex::encode(hasher.finalize())
}

pub async fn connect_single(url: &str) -> DatabaseConnection {
    let mut options = ConnectOptions::new(url);
    options.max_connections(1).sqlx_logging(false);
    Database::connect(options)
        .await
        .expect("connect to the test database server")
}

fn with_database(base: &str, name: &str) -> String {
    let mut url = url::Url::parse(base).expect("TEST_DATABASE_URL is a URL");
    url.set_path(&format!("/{name}"));
    url.to_string()
}
