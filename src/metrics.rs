//! Prometheus metrics: request counts and latencies by route and status, SQL statements,
//! delivery response-cache hits and misses, and the webhook backlog and attempts.

use std::sync::Arc;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    /// The operation id of the matched route, or `unmatched`; never the raw path,
    /// which would make one series per document id.
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CacheLabels {
    /// `hit` or `miss`; for render waits `shared`, `rendered` or `timed_out`.
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AttemptLabels {
    /// `delivered`, `retrying` or `failed`.
    outcome: &'static str,
}

#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    requests: Family<RequestLabels, Counter>,
    durations: Family<RequestLabels, Histogram>,
    db_queries: Counter,
    delivery_cache: Family<CacheLabels, Counter>,
    delivery_renders: Family<CacheLabels, Counter>,
    password_verifications: Counter,
    webhook_backlog: Gauge,
    webhook_outbox: Gauge,
    webhook_attempts: Family<AttemptLabels, Counter>,
    mail_backlog: Gauge,
    mail_attempts: Family<AttemptLabels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("buysocial");
        let requests = Family::<RequestLabels, Counter>::default();
        let durations = Family::<RequestLabels, Histogram>::new_with_constructor(|| {
            Histogram::new([
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                10.0,
            ])
        });
        registry.register("http_requests", "HTTP requests answered", requests.clone());
        registry.register(
            "http_request_duration_seconds",
            "Time to answer HTTP requests",
            durations.clone(),
        );
        let db_queries = Counter::default();
        registry.register(
            "db_queries",
            "SQL statements sent to the database",
            db_queries.clone(),
        );
        let delivery_cache = Family::<CacheLabels, Counter>::default();
        registry.register(
            "delivery_cache_lookups",
            "Delivery responses looked up in the response cache, by result",
            delivery_cache.clone(),
        );
        let delivery_renders = Family::<CacheLabels, Counter>::default();
        registry.register(
            "delivery_render_waits",
            "Delivery misses that waited for another request rendering the same response, \
             by result: its answer shared, rendered after all (it kept nothing), timed out",
            delivery_renders.clone(),
        );
        let password_verifications = Counter::default();
        registry.register(
            "password_verifications",
            "Password verifications (argon2id), for unknown accounts too",
            password_verifications.clone(),
        );
        let webhook_backlog = Gauge::default();
        registry.register(
            "webhook_backlog",
            "Webhook deliveries waiting to be sent (as this instance last counted)",
            webhook_backlog.clone(),
        );
        let webhook_outbox = Gauge::default();
        registry.register(
            "webhook_outbox",
            "Changes not yet turned into webhook deliveries (as this instance last counted)",
            webhook_outbox.clone(),
        );
        let webhook_attempts = Family::<AttemptLabels, Counter>::default();
        registry.register(
            "webhook_attempts",
            "Webhook delivery attempts made by this instance, by outcome",
            webhook_attempts.clone(),
        );
        let mail_backlog = Gauge::default();
        registry.register(
            "mail_backlog",
            "Mails waiting to be sent (as this instance last counted)",
            mail_backlog.clone(),
        );
        let mail_attempts = Family::<AttemptLabels, Counter>::default();
        registry.register(
            "mail_attempts",
            "Attempts to send a mail made by this instance, by outcome",
            mail_attempts.clone(),
        );
        Self {
            registry: Arc::new(registry),
            mail_backlog,
            mail_attempts,
            webhook_backlog,
            webhook_outbox,
            webhook_attempts,
            requests,
            durations,
            db_queries,
            delivery_cache,
            delivery_renders,
            password_verifications,
        }
    }

    /// The counter the password hasher moves with each verification.
    pub fn password_verifications(&self) -> Counter {
        self.password_verifications.clone()
    }

    /// Counts one SQL statement (called by the connection for each one it runs).
    pub fn count_query(&self) {
        self.db_queries.inc();
    }

    /// Counts one lookup in the delivery response cache.
    pub fn count_cache_lookup(&self, hit: bool) {
        let result = if hit { "hit" } else { "miss" };
        self.delivery_cache
            .get_or_create(&CacheLabels { result })
            .inc();
    }

    /// A miss waited for another request's render of the same response: and got its
    /// answer (`shared`), or rendered after all because the other kept nothing
    /// (`rendered`) or took too long (`timed_out`).
    pub fn count_render_wait(&self, result: &'static str) {
        self.delivery_renders
            .get_or_create(&CacheLabels { result })
            .inc();
    }

    pub fn observe_request(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let labels = RequestLabels {
            method: method.to_owned(),
            route: route.to_owned(),
            status,
        };
        self.requests.get_or_create(&labels).inc();
        self.durations
            .get_or_create(&labels)
            .observe(elapsed.as_secs_f64());
    }

    /// Sets how many webhook deliveries, and changes not yet fanned out, wait.
    pub fn set_webhook_backlog(&self, deliveries: u64, events: u64) {
        self.webhook_backlog
            .set(i64::try_from(deliveries).unwrap_or(i64::MAX));
        self.webhook_outbox
            .set(i64::try_from(events).unwrap_or(i64::MAX));
    }

    /// Counts one webhook attempt: delivered, or failed (for good or to be retried).
    pub fn record_webhook_attempt(&self, delivered: bool, gave_up: bool) {
        let outcome = match (delivered, gave_up) {
            (true, _) => "delivered",
            (false, true) => "failed",
            (false, false) => "retrying",
        };
        self.webhook_attempts
            .get_or_create(&AttemptLabels { outcome })
            .inc();
    }

    pub fn set_mail_backlog(&self, mails: u64) {
        self.mail_backlog
            .set(i64::try_from(mails).unwrap_or(i64::MAX));
    }

    /// Counts one attempt to send a mail: sent, or failed (for good or to be retried).
    pub fn record_mail_attempt(&self, sent: bool, gave_up: bool) {
        let outcome = match (sent, gave_up) {
            (true, _) => "sent",
            (false, true) => "failed",
            (false, false) => "retrying",
        };
        self.mail_attempts
            .get_or_create(&AttemptLabels { outcome })
            .inc();
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail; a failing encoder would be a bug in it.
        if let Err(err) = prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            tracing::error!(error = %err, "cannot encode metrics");
        }
        out
    }
}
