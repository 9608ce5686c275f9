//! What every request handler and service can reach, passed explicitly.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::auth::password::PasswordHasher;
use crate::clock::Clock;
use crate::delivery_cache::ResponseCache;
use crate::mailer::Mailer;
use crate::metrics::Metrics;
use crate::ratelimit::{RateLimit, ReadLimits};
use crate::render::Renderer;
use crate::settings::Settings;
use crate::storage::{Presigner, Store};

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub store: Store,
    /// Present when the store is S3: for redirecting downloads to presigned URLs.
    pub presigner: Option<Presigner>,
    /// The directory of a local file store, whose crash leftovers the sweep removes.
    pub local_root: Option<std::path::PathBuf>,
    pub settings: Arc<Settings>,
    pub hasher: PasswordHasher,
    /// Single sign-on providers' discovery documents and keys, as last read.
    pub sso: crate::oidc::Discovery,
    /// Single sign-ons started per client address: each writes a flow, unauthenticated.
    pub sso_start_limit: RateLimit,
    pub clock: Clock,
    pub metrics: Metrics,
    /// Registrations per client address.
    pub registration_limit: RateLimit,
    /// Sign-ups per e-mail address, whoever sends them.
    pub registration_email_limit: RateLimit,
    /// Delivery reads per client address and per token.
    pub read_limits: ReadLimits,
    /// Searches that miss the response cache, per client address and per token.
    pub search_limits: ReadLimits,
    /// File downloads per client address.
    pub download_limit: RateLimit,
    /// Rendered published responses and list totals, until a write changes what they
    /// were made from.
    pub delivery_cache: ResponseCache,
    /// Renders Markdown bodies off the async workers, a bounded number at a time.
    pub renderer: Renderer,
    /// Mail texts and the way out (SMTP, or `.eml` files).
    pub mailer: Mailer,
    /// Identifies this process, e.g. in the readiness probe's object key.
    pub instance_id: Arc<str>,
}
