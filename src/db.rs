//! Connecting to the configured database and migrating it.

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, Database, DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use tokio::sync::{Mutex, OwnedMutexGuard};

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
    let busy_timeout = Duration::from_millis(settings.busy_timeout_ms);
    options
        .max_connections(settings.max_connections)
        // How long a request waits for a connection: an unreachable database answers
        // 503 after this, not after the operating system's TCP timeout.
        .connect_timeout(Duration::from_millis(settings.acquire_timeout_ms))
        .acquire_timeout(Duration::from_millis(settings.acquire_timeout_ms))
        // PostgreSQL ends any statement running longer (SQLite ignores it).
        .statement_timeout(Duration::from_secs(settings.statement_timeout_seconds))
        .sqlx_logging(false)
        // WAL lets readers proceed while one writer commits; the busy timeout makes a
        // second writer wait for the lock instead of failing with "database is locked".
        .map_sqlx_sqlite_opts(move |opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(busy_timeout)
                .foreign_keys(true)
        });
    Database::connect(options)
        .await
        .map_err(DbSetupError::Connect)
}

/// Opens a transaction that writes. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`): a plain `BEGIN` that reads first and writes later must upgrade
/// its lock, and SQLite cannot wait for an upgrade (that would deadlock two such
/// writers), so it fails at once with "database is locked" whenever another writer is
/// busy, however long the busy timeout. Taken up front, the lock is simply waited for.
/// PostgreSQL ignores the mode.
///
/// The [`WriteTurn`] must live until the transaction ends: keep it beside it.
pub async fn begin_write(
    db: &DatabaseConnection,
) -> Result<(DatabaseTransaction, WriteTurn), DbErr> {
    let turn = WriteTurn::take(db).await;
    let txn = db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        })
        .await?;
    Ok((txn, turn))
}

/// A turn at writing to SQLite. The writers of this process queue for it in order, and
/// each is woken the moment the one before ends, before taking SQLite's write lock.
/// Left to SQLite's busy handler, a waiting writer polls with sleeps of up to 100 ms and
/// a late one can overtake one that waited long: a burst of 20 concurrent sign-ups had
/// a p99 of 436 ms that way. SQLite has one writer at a time anyway, so the queue costs
/// no throughput. PostgreSQL locks rows, not the database: no turn is taken there.
pub struct WriteTurn {
    _held: Option<OwnedMutexGuard<()>>,
}

/// The queue of this process's SQLite writers (one process serves one database).
static SQLITE_WRITERS: LazyLock<Arc<Mutex<()>>> = LazyLock::new(Arc::default);

/// How long a writer waits for its turn before going to SQLite's own lock (and its
/// busy timeout) after all: a turn held that long is a writer stuck elsewhere, which
/// must not stop every other.
const TURN_PATIENCE: Duration = Duration::from_secs(5);

impl WriteTurn {
    async fn take(db: &DatabaseConnection) -> Self {
        if db.get_database_backend() != DatabaseBackend::Sqlite {
            return Self { _held: None };
        }
        let queue = SQLITE_WRITERS.clone();
        match tokio::time::timeout(TURN_PATIENCE, queue.lock_owned()).await {
            Ok(guard) => Self { _held: Some(guard) },
            Err(_) => {
                tracing::warn!("a SQLite writer held its turn for over 5 s; writing without one");
                Self { _held: None }
            }
        }
    }
}

/// Whether a database error means the database is unreachable, overloaded or locked
/// (503: retrying later may work) rather than a bug.
pub fn is_unavailable(err: &DbErr) -> bool {
    use sea_orm::{RuntimeErr, sqlx};
    let cause = match err {
        // Not getting a connection, or not being able to open one, is unavailability
        // whatever the cause (refused, a database that was dropped, ...).
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => return true,
        DbErr::Exec(RuntimeErr::SqlxError(cause)) | DbErr::Query(RuntimeErr::SqlxError(cause)) => {
            cause
        }
        _ => return false,
    };
    match &**cause {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => match db.code().as_deref() {
            // PostgreSQL: connection exceptions, statement timeout, shutdown, too many
            // connections, cannot connect now.
            Some(code) if code.starts_with("08") => true,
            Some("57014" | "57P01" | "57P02" | "57P03" | "53300") => true,
            // SQLite: SQLITE_BUSY and SQLITE_LOCKED with their extended codes.
            Some("5" | "6" | "261" | "262" | "517" | "773") => true,
            _ => false,
        },
        _ => false,
    }
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbSetupError> {
    Migrator::up(db, None).await.map_err(DbSetupError::Migrate)
}
