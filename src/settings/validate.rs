//! Each section of the settings checks its own values; `Settings::validate` runs them
//! all, then what spans sections. An error names the key, in lower case as in the
//! files (`server.bind`), and what it must be.

use super::{
    ApiSettings, AssetSettings, AuthSettings, BootstrapSettings, ContentSettings, DatabaseSettings,
    DeliverySettings, JobSettings, LogSettings, MailSettings, RegistrationSettings, ServerSettings,
    Settings, SettingsError, StorageSettings, WebhookSettings,
};

/// The error for `key`.
fn invalid(key: &'static str, message: impl Into<String>) -> Result<(), SettingsError> {
    Err(SettingsError::Invalid {
        key,
        message: message.into(),
    })
}

/// `Ok` when `value` is positive, the error for `key` otherwise.
fn positive(key: &'static str, value: u64) -> Result<(), SettingsError> {
    if value == 0 {
        return invalid(key, "must be greater than 0");
    }
    Ok(())
}

impl ServerSettings {
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        if !(32..=128).contains(&self.ipv6_limit_prefix) {
            return invalid("server.ipv6_limit_prefix", "must be 32 to 128");
        }
        positive("server.max_json_body_bytes", self.max_json_body_bytes)?;
        for origin in &self.cors_allowed_origins {
            let parsed = url::Url::parse(origin).ok();
            if parsed.is_none_or(|url| url.origin().ascii_serialization() != *origin) {
                return invalid(
                    "server.cors_allowed_origins",
                    format!(
                        "{origin:?} is not an origin like https://example.org (scheme, host, optional port, no path)"
                    ),
                );
            }
        }
        if !self.public_url.is_empty() {
            let fits = url::Url::parse(&self.public_url).is_ok_and(|url| {
                matches!(url.scheme(), "http" | "https")
                    && url.query().is_none()
                    && url.fragment().is_none()
            });
            if !fits {
                return invalid(
                    "server.public_url",
                    "must be an http(s) URL without query, e.g. https://cms.webuysocial.eu",
                );
            }
        }
        if self.request_timeout_seconds == 0 || self.request_head_timeout_seconds == 0 {
            return invalid(
                "server.request_timeout_seconds",
                "request_timeout_seconds and request_head_timeout_seconds must be positive",
            );
        }
        Ok(())
    }
}

impl DeliverySettings {
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        if !(1..=50_000).contains(&self.sitemap_urls_per_file) {
            return invalid(
                "delivery.sitemap_urls_per_file",
                "must be 1 to 50000, the sitemap protocol's limit",
            );
        }
        if !(1..=10_080).contains(&self.preview_link_minutes) {
            return invalid(
                "delivery.preview_link_minutes",
                "must be 1 to 10080 (a week)",
            );
        }
        if poem::http::HeaderValue::from_str(&self.cache_control).is_err() {
            return invalid("delivery.cache_control", "must be a valid header value");
        }
        Ok(())
    }
}

impl DatabaseSettings {
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        positive("database.max_connections", u64::from(self.max_connections))
    }
}

impl StorageSettings {
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        if !self.endpoint.is_empty() && url::Url::parse(&self.endpoint).is_err() {
            return invalid(
                "storage.endpoint",
                "must be a URL like http://127.0.0.1:9000",
            );
        }
        Ok(())
    }
}

impl ApiSettings {
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        if self.max_page_size == 0
            || self.default_page_size == 0
            || self.default_page_size > self.max_page_size
        {
            return invalid(
                "api.default_page_size",
                "page sizes must be positive, the default no larger than api.max_page_size",
            );
        }
        Ok(())
    }
}

impl ContentSettings {
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        if !(1..=256).contains(&self.max_body_depth) {
            return invalid("content.max_body_depth", "must be 1 to 256");
        }
        positive("content.max_body_elements", self.max_body_elements as u64)?;
        let locales = &self.locales;
        if locales.is_empty() {
            return invalid("content.locales", "must list at least one locale");
        }
        for (i, locale) in locales.iter().enumerate() {
            if !crate::domain::locale::is_well_formed(locale) {
                return invalid(
                    "content.locales",
                    format!("{locale:?} is not a lower-case BCP 47 tag like \"fr\" or \"pt-br\""),
                );
            }
            if locales[..i].contains(locale) {
                return invalid("content.locales", format!("{locale:?} is listed twice"));
            }
        }
        Ok(())
    }
}

impl AssetSettings {
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        if self.part_size_bytes < 5 * 1024 * 1024 {
            return invalid(
                "assets.part_size_bytes",
                "must be at least 5 MiB (5242880), S3's minimum part size",
            );
        }
        if self.upload_concurrency == 0 || self.sweep_interval_seconds == 0 {
            return invalid(
                "assets.upload_concurrency",
                "upload_concurrency and sweep_interval_seconds must be positive",
            );
        }
        Ok(())
    }
}

impl LogSettings {
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        if let Err(message) = check_level(&self.level) {
            return invalid("log.level", message);
        }
        if let Err(err) = tracing_subscriber::EnvFilter::try_new(&self.level) {
            return invalid("log.level", err.to_string());
        }
        Ok(())
    }
}

impl Settings {
    /// Durations are added to instants and dates; past a day (a year for the cache) they
    /// would mean "never" and could overflow. And the idle timeout must outlast a request.
    pub(super) fn check_durations(&self) -> Result<(), SettingsError> {
        const DAY: u64 = 86_400;
        let server = &self.server;
        for (key, seconds, most) in [
            (
                "server.request_timeout_seconds",
                server.request_timeout_seconds,
                DAY,
            ),
            (
                "server.request_head_timeout_seconds",
                server.request_head_timeout_seconds,
                DAY,
            ),
            (
                "server.idle_timeout_seconds",
                server.idle_timeout_seconds,
                DAY,
            ),
            (
                "database.statement_timeout_seconds",
                self.database.statement_timeout_seconds,
                DAY,
            ),
            (
                "delivery.response_cache_max_age_seconds",
                self.delivery.response_cache_max_age_seconds,
                365 * DAY,
            ),
        ] {
            if seconds > most {
                return invalid(key, format!("must be at most {most} seconds"));
            }
        }
        if self.delivery.response_cache_max_age_seconds == 0 {
            return invalid(
                "delivery.response_cache_max_age_seconds",
                "must be positive (switch the cache off with response_cache_bytes = 0)",
            );
        }
        if server.idle_timeout_seconds <= server.request_timeout_seconds {
            // The connection is polled while a handler runs; a shorter idle timeout
            // would cut requests the request timeout still allows.
            return invalid(
                "server.idle_timeout_seconds",
                "must be longer than server.request_timeout_seconds",
            );
        }
        Ok(())
    }
}

impl JobSettings {
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        positive("jobs.poll_interval_ms", self.poll_interval_ms)
    }
}

impl WebhookSettings {
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        for (key, value) in [
            ("webhooks.poll_interval_ms", self.poll_interval_ms),
            ("webhooks.timeout_ms", self.timeout_ms),
            ("webhooks.retry_base_seconds", self.retry_base_seconds),
            ("webhooks.concurrency", self.concurrency),
            ("webhooks.max_attempts", u64::from(self.max_attempts)),
        ] {
            positive(key, value)?;
        }
        if self.retry_max_seconds < self.retry_base_seconds {
            return invalid(
                "webhooks.retry_max_seconds",
                "must be at least webhooks.retry_base_seconds",
            );
        }
        Ok(())
    }
}

impl MailSettings {
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        for (key, value) in [
            ("mail.poll_interval_ms", self.poll_interval_ms),
            ("mail.timeout_seconds", self.timeout_seconds),
            ("mail.retry_base_seconds", self.retry_base_seconds),
            ("mail.max_attempts", u64::from(self.max_attempts)),
        ] {
            positive(key, value)?;
        }
        if self.retry_max_seconds < self.retry_base_seconds {
            return invalid(
                "mail.retry_max_seconds",
                "must be at least mail.retry_base_seconds",
            );
        }
        if self.uses_smtp() && self.from.is_empty() {
            return invalid(
                "mail.from",
                "must be set when mail.host is, e.g. \"WeBuySocialEU <events@webuysocial.eu>\"",
            );
        }
        for (key, value) in [("mail.from", &self.from), ("mail.reply_to", &self.reply_to)] {
            if !value.is_empty() && value.parse::<lettre::message::Mailbox>().is_err() {
                return invalid(
                    key,
                    format!("{value:?} is not an address like \"Name <events@example.org>\""),
                );
            }
        }
        if self.uses_smtp() && self.user.is_empty() != self.password.is_empty() {
            return invalid(
                "mail.password",
                "set both mail.user and mail.password, or neither",
            );
        }
        Ok(())
    }
}

impl RegistrationSettings {
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        positive("registrations.hold_minutes", u64::from(self.hold_minutes))?;
        if self.hold_minutes > 10_080 {
            return invalid(
                "registrations.hold_minutes",
                "must be at most 10080 (a week)",
            );
        }
        if self.confirm_hours > 8_760 {
            return invalid(
                "registrations.confirm_hours",
                "must be at most 8760 (a year)",
            );
        }
        positive("registrations.offer_hours", u64::from(self.offer_hours))?;
        if self.offer_hours > 720 {
            return invalid("registrations.offer_hours", "must be at most 720 (30 days)");
        }
        if self.keep_days_after_event > 3650 {
            return invalid(
                "registrations.keep_days_after_event",
                "must be at most 3650 (ten years)",
            );
        }
        if self.reminder_hours > 720 {
            return invalid(
                "registrations.reminder_hours",
                "must be at most 720 (30 days)",
            );
        }
        if u64::from(self.confirm_hours) * 60 < u64::from(self.hold_minutes) {
            return invalid(
                "registrations.confirm_hours",
                "must be at least registrations.hold_minutes",
            );
        }
        Ok(())
    }
}

impl Settings {
    /// Mailed links are built from `server.public_url`, never from a request's `Host`:
    /// with a mail server, it must be set.
    pub(super) fn check_mail_links(&self) -> Result<(), SettingsError> {
        if self.mail.uses_smtp() && self.server.public_url.is_empty() {
            return invalid(
                "server.public_url",
                "must be set when mail.host is: the links in mails are built from it",
            );
        }
        Ok(())
    }
}

impl AuthSettings {
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        if self.password_min_length < 8 {
            return invalid("auth.password_min_length", "must be at least 8");
        }
        positive(
            "auth.max_concurrent_hashes",
            self.max_concurrent_hashes as u64,
        )?;
        if self.session_idle_minutes == 0 || self.session_absolute_hours == 0 {
            return invalid(
                "auth.session_idle_minutes",
                "session lifetimes must be greater than 0",
            );
        }
        if !(1..=720).contains(&self.invitation_hours) {
            return invalid("auth.invitation_hours", "must be 1 to 720 (30 days)");
        }
        if !(1..=30).contains(&self.password_reset_minutes) {
            return invalid("auth.password_reset_minutes", "must be 1 to 30");
        }
        positive(
            "auth.throttle.max_reset_requests_per_account",
            self.throttle.max_reset_requests_per_account.into(),
        )?;
        positive(
            "auth.throttle.max_reset_requests_per_address",
            self.throttle.max_reset_requests_per_address.into(),
        )?;
        let mut ids = std::collections::BTreeSet::new();
        for provider in &self.oidc {
            provider.validate()?;
            if !ids.insert(provider.id.as_str()) {
                return invalid("auth.oidc.id", format!("{:?} is used twice", provider.id));
            }
        }
        Ok(())
    }
}

impl super::OidcProviderSettings {
    fn validate(&self) -> Result<(), SettingsError> {
        let id_fits = !self.id.is_empty()
            && self.id.len() <= 64
            && self
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !id_fits {
            return invalid(
                "auth.oidc.id",
                "must be 1 to 64 lower-case letters, digits or `-`",
            );
        }
        let issuer_fits = url::Url::parse(&self.issuer)
            .is_ok_and(|url| matches!(url.scheme(), "http" | "https") && url.query().is_none());
        if !issuer_fits {
            return invalid("auth.oidc.issuer", "must be an http(s) URL");
        }
        if self.display_name.trim().is_empty() || self.client_id.is_empty() {
            return invalid(
                "auth.oidc.display_name",
                "display_name and client_id must be set",
            );
        }
        let role =
            self.role
                .parse::<crate::domain::Role>()
                .map_err(|m| SettingsError::Invalid {
                    key: "auth.oidc.role",
                    message: m,
                })?;
        if self.create_accounts {
            if self.allowed_domains.is_empty() {
                return invalid(
                    "auth.oidc.allowed_domains",
                    "must name the e-mail domains whose people get an account when create_accounts is on",
                );
            }
            if role == crate::domain::Role::Admin || self.countries.is_empty() {
                return invalid(
                    "auth.oidc.countries",
                    "accounts made at first sign-in need countries, and cannot be admins: anyone can open an account at the provider",
                );
            }
        }
        Ok(())
    }
}

impl BootstrapSettings {
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        if self.admin_email.is_empty() != self.admin_password.is_empty() {
            return invalid(
                "bootstrap.admin_password",
                "set both bootstrap.admin_email and bootstrap.admin_password, or neither",
            );
        }
        Ok(())
    }
}

/// Whether `log.level` is a filter: levels (`info`) or `target=level` directives
/// (`warn,buysocial=debug`). Stricter than `EnvFilter`, which takes a misspelt level
/// (`debgu`) for the name of a target and so would silently log nothing of note.
pub fn check_level(level: &str) -> Result<(), String> {
    const LEVELS: [&str; 6] = ["trace", "debug", "info", "warn", "error", "off"];
    let wrong = || {
        format!(
            "{level:?} is not a log filter: use trace, debug, info, warn, error or off, optionally per target (\"warn,buysocial=debug\")"
        )
    };
    for directive in level.split(',').map(str::trim) {
        let named = directive.rsplit('=').next().unwrap_or_default();
        if !LEVELS.contains(&named.to_ascii_lowercase().as_str()) {
            return Err(wrong());
        }
    }
    tracing_subscriber::EnvFilter::try_new(level)
        .map(|_| ())
        .map_err(|_| wrong())
}
