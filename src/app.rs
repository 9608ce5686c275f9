//! `Application`: everything wired together, shared by `main` and the tests.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use poem::Server;
use poem::listener::{Acceptor, Listener, TcpAcceptor, TcpListener};

use crate::auth::password::PasswordHasher;
use crate::clock::Clock;
use crate::delivery_cache::ResponseCache;
use crate::error::AppError;
use crate::http::connections::{self, ConnectionLimits, GuardedAcceptor};
use crate::mailer::Mailer;
use crate::metrics::Metrics;
use crate::ratelimit::{RateLimit, ReadLimits};
use crate::render::Renderer;
use crate::services::users::{self, Bootstrap};
use crate::settings::{CacheScope, Settings};
use crate::state::AppState;
use crate::{db, http, jobs, storage};

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Database(#[from] db::DbSetupError),
    #[error(transparent)]
    Storage(#[from] storage::StorageError),
    #[error("server.bind: cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("bootstrap: {0}")]
    Bootstrap(String),
    #[error("mail: {0}")]
    Mail(String),
    #[error("auth.oidc: {0}")]
    Sso(String),
    #[error("server: {0}")]
    Serve(std::io::Error),
}

pub struct Application {
    state: AppState,
    acceptor: TcpAcceptor,
    local_addr: SocketAddr,
    bootstrap: Bootstrap,
}

impl Application {
    /// Connects, migrates, creates the first admin if needed, and binds the listener.
    pub async fn build(settings: Settings) -> Result<Self, StartError> {
        Self::build_with_clock(settings, Clock::system()).await
    }

    pub async fn build_with_clock(settings: Settings, clock: Clock) -> Result<Self, StartError> {
        let state = build_state(settings, clock).await?;
        let bootstrap = users::bootstrap_admin(&state)
            .await
            .map_err(describe_bootstrap_error)?;
        let addr = state.settings.server.bind;
        let acceptor = TcpListener::bind(addr)
            .into_acceptor()
            .await
            .map_err(|source| StartError::Bind { addr, source })?;
        let local_addr = acceptor
            .local_addr()
            .first()
            .and_then(|a| a.as_socket_addr().copied())
            .unwrap_or(addr);
        Ok(Self {
            state,
            acceptor,
            local_addr,
            bootstrap,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub fn port(&self) -> u16 {
        self.local_addr.port()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// What happened about the first admin during `build`.
    pub fn bootstrap(&self) -> &Bootstrap {
        &self.bootstrap
    }

    /// Serves until SIGINT/SIGTERM, then lets in-flight requests finish.
    pub async fn run_until_stopped(self) -> Result<(), StartError> {
        let grace = self.state.settings.server.shutdown_grace();
        self.run_until(shutdown_signal(), grace).await
    }

    /// Serves until `stop` completes.
    pub async fn run_until(
        self,
        stop: impl std::future::Future<Output = ()> + Send,
        grace: Duration,
    ) -> Result<(), StartError> {
        let jobs = jobs::spawn(self.state.clone());
        let limits = connection_limits(&self.state.settings.server);
        let endpoint = http::endpoint(self.state);
        let acceptor = GuardedAcceptor::new(self.acceptor, limits);
        let served = Server::new_with_acceptor(acceptor)
            .run_with_graceful_shutdown(endpoint, stop, Some(grace))
            .await
            .map_err(StartError::Serve);
        jobs.abort();
        served
    }
}

/// The connection guard's limits; the open-file limit is raised to its hard limit first,
/// so that the cap, not the operating system's default of 1,024, decides.
fn connection_limits(server: &crate::settings::ServerSettings) -> ConnectionLimits {
    /// Descriptors kept for the database pool, the object store and files.
    const RESERVED_FILES: u64 = 256;
    let open_files = match connections::raise_open_files_limit() {
        Ok(limit) => limit,
        Err(err) => {
            tracing::warn!(error = %err, "cannot raise the open-file limit");
            1024
        }
    };
    let derived = usize::try_from(open_files.saturating_sub(RESERVED_FILES).max(64)).unwrap_or(64);
    ConnectionLimits {
        max_connections: if server.max_connections == 0 {
            derived
        } else {
            server.max_connections
        },
        head_timeout: Duration::from_secs(server.request_head_timeout_seconds),
        idle_timeout: Duration::from_secs(server.idle_timeout_seconds),
        accept_backoff: Duration::from_millis(50),
    }
}

/// Connects to the database (migrating it) and to the object store.
pub async fn build_state(settings: Settings, clock: Clock) -> Result<AppState, StartError> {
    let mut db = db::connect(&settings.database).await?;
    db::migrate(&db).await?;
    let metrics = Metrics::new();
    // Counting every statement is what shows that a request's queries stay bounded.
    let counter = metrics.clone();
    db.set_metric_callback(move |_| counter.count_query());
    let storage::Built {
        store,
        presigner,
        local_root,
    } = storage::build(&settings.storage)?;
    if settings.storage.check_at_start {
        check_storage(&settings, &store).await?;
    }
    let delivery = settings.delivery.clone();
    warn_of_instance_cache_on_postgres(&settings);
    let download_limit = RateLimit::new(
        settings.assets.downloads_per_address_per_minute,
        Duration::from_secs(60),
    );
    let auth = &settings.auth;
    let hasher = PasswordHasher::new(
        auth.max_concurrent_hashes,
        Duration::from_millis(auth.hash_queue_timeout_ms),
        metrics.password_verifications(),
    )
    .map_err(|err| StartError::Bootstrap(err.to_string()))?;
    let renderer = Renderer::for_current_runtime(settings.content.markdown_limits());
    let mailer = Mailer::from_settings(&settings.mail).map_err(StartError::Mail)?;
    let registration_email_limit = RateLimit::new(
        settings.registrations.per_email_per_hour,
        Duration::from_secs(3600),
    );
    tracing::info!("mail: {}", mailer.transport.describe(&settings.mail));
    Ok(AppState {
        db,
        store,
        presigner,
        local_root,
        settings: Arc::new(settings),
        hasher,
        sso: crate::oidc::Discovery::new().map_err(|e| StartError::Sso(e.to_string()))?,
        clock,
        metrics,
        sso_start_limit: RateLimit::new(
            crate::services::accounts::sso::STARTS_PER_ADDRESS_PER_MINUTE,
            Duration::from_secs(60),
        ),
        registration_limit: RateLimit::new(
            delivery.registrations_per_address_per_hour,
            Duration::from_secs(3600),
        ),
        registration_email_limit,
        read_limits: ReadLimits::per_minute(
            delivery.reads_per_address_per_minute,
            delivery.reads_per_token_per_minute,
        ),
        search_limits: ReadLimits::per_minute(
            delivery.searches_per_address_per_minute,
            delivery.searches_per_token_per_minute,
        ),
        download_limit,
        delivery_cache: ResponseCache::new(
            delivery.response_cache_bytes,
            delivery.response_cache_scope == CacheScope::Shared,
        ),
        renderer,
        mailer,
        instance_id: uuid::Uuid::new_v4().to_string().into(),
    })
}

/// A missing bucket or refused credentials found at start, with a message naming the
/// store, rather than at the first upload as a puzzling error.
async fn check_storage(settings: &Settings, store: &storage::Store) -> Result<(), StartError> {
    let timeout = Duration::from_secs(settings.storage.timeout_seconds);
    storage::probe(store, "start", timeout)
        .await
        .map_err(|cause| storage::StorageError::Check {
            store: storage::describe(&settings.storage),
            cause,
        })?;
    Ok(())
}

/// PostgreSQL usually means several instances, which the "instance" cache scope cannot
/// keep exact: said once at start. (List totals are kept even with the cache off.)
fn warn_of_instance_cache_on_postgres(settings: &Settings) {
    let delivery = &settings.delivery;
    if delivery.response_cache_scope == CacheScope::Instance
        && matches!(
            settings.database.url,
            crate::settings::DatabaseUrl::Postgres(_)
        )
    {
        tracing::warn!(
            max_age_seconds = delivery.response_cache_max_age_seconds,
            "delivery.response_cache_scope is \"instance\" on PostgreSQL: with several \
             instances, each serves what it cached until the maximum age even after another \
             instance's write; set it to \"shared\""
        );
    }
}

fn describe_bootstrap_error(err: AppError) -> StartError {
    match err {
        AppError::Validation(errors) => StartError::Bootstrap(
            errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        other => StartError::Bootstrap(format!("{other}: {:?}", std::error::Error::source(&other))),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("SIGINT received; shutting down"),
        () = terminate => tracing::info!("SIGTERM received; shutting down"),
    }
}
