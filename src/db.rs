//! Connecting to the configured database and migrating it.

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

use crate::settings::DatabaseSettings;

#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    #[error("database.url: cannot create directory {path}: {source}")]
    Directory {
        path: String,
        source: std::io::Error,
    },
    #[error("database: cannot connect: {0}")]
    Connect(DbErr),
    #[error("database: migration failed: {0}")]
    Migrate(DbErr),
}

/// Opens a connection pool; for SQLite, creates the file's directory first.
pub async fn connect(settings: &DatabaseSettings) -> Result<DatabaseConnection, DbSetupError> {
    if let Some(parent) = settings
        .url
        .sqlite_file()
        .as_deref()
        .and_then(|f| f.parent())
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(|source| DbSetupError::Directory {
            path: parent.display().to_string(),
            source,
        })?;
    }
    let mut options = ConnectOptions::new(settings.url.as_str());
    options
        .max_connections(settings.max_connections)
        .connect_timeout(Duration::from_secs(settings.connect_timeout_seconds))
        .acquire_timeout(Duration::from_secs(settings.connect_timeout_seconds))
        .sqlx_logging(false)
        // WAL lets readers proceed while one writer commits; the busy timeout makes a
        // second writer wait instead of failing with "database is locked".
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5))
                .foreign_keys(true)
        });
    Database::connect(options)
        .await
        .map_err(DbSetupError::Connect)
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbSetupError> {
    Migrator::up(db, None).await.map_err(DbSetupError::Migrate)
}
