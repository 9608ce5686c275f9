//! The typed configuration tree and its layered loading.
//!
//! Layers, later ones win: `config/default.toml` (compiled in), the file named by
//! `BUYSOCIAL_CONFIG`, then `BUYSOCIAL__SECTION__KEY` env vars. Every value is parsed
//! here, so a bad setting stops the start with a message naming the key.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use serde::Deserialize;

mod validate;

pub use validate::check_level;

/// The defaults, compiled in so the binary runs from any working directory.
pub const DEFAULT_TOML: &str = include_str!("../../config/default.toml");

/// Env var naming an extra configuration file.
pub const CONFIG_FILE_ENV: &str = "BUYSOCIAL_CONFIG";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub storage: StorageSettings,
    pub api: ApiSettings,
    pub content: ContentSettings,
    pub delivery: DeliverySettings,
    pub assets: AssetSettings,
    pub jobs: JobSettings,
    pub webhooks: WebhookSettings,
    pub mail: MailSettings,
    pub registrations: RegistrationSettings,
    pub auth: AuthSettings,
    pub bootstrap: BootstrapSettings,
    pub log: LogSettings,
    pub admin_app: AdminAppSettings,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminAppSettings {
    pub enabled: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub bind: SocketAddr,
    pub max_json_body_bytes: u64,
    pub cors_allowed_origins: Vec<String>,
    pub shutdown_grace_seconds: u64,
    pub trust_proxy_headers: bool,
    pub request_timeout_seconds: u64,
    pub request_head_timeout_seconds: u64,
    pub idle_timeout_seconds: u64,
    pub max_connections: usize,
    pub public_url: String,
    pub ipv6_limit_prefix: u8,
}

impl ServerSettings {
    /// What file URLs start with: `public_url` without a trailing slash (empty: paths).
    pub fn files_base(&self) -> &str {
        self.public_url.trim_end_matches('/')
    }

    /// What mailed links start with: `public_url`, or with none (as in a first local
    /// run) the address this server listens on. Never a request's `Host`.
    pub fn links_base(&self) -> String {
        let base = self.files_base();
        if base.is_empty() {
            format!("http://{}", self.bind)
        } else {
            base.to_owned()
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    pub url: DatabaseUrl,
    pub max_connections: u32,
    pub acquire_timeout_ms: u64,
    pub statement_timeout_seconds: u64,
    pub busy_timeout_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageSettings {
    pub url: StorageUrl,
    pub endpoint: String,
    pub region: String,
    pub allow_http: bool,
    pub timeout_seconds: u64,
    pub connect_timeout_seconds: u64,
    pub max_retries: usize,
    pub check_at_start: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiSettings {
    pub default_page_size: u64,
    pub max_page_size: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContentSettings {
    pub locales: Vec<String>,
    pub max_title_chars: usize,
    pub max_body_bytes: usize,
    pub max_summary_chars: usize,
    pub max_body_depth: usize,
    pub max_body_elements: usize,
}

impl ContentSettings {
    /// The bounds on a Markdown body's nesting and elements.
    pub fn markdown_limits(&self) -> crate::domain::content::markdown::Limits {
        crate::domain::content::markdown::Limits {
            max_depth: self.max_body_depth,
            max_elements: self.max_body_elements,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliverySettings {
    pub require_token: bool,
    pub cache_control: String,
    pub registrations_per_address_per_hour: u32,
    pub response_cache_bytes: usize,
    pub response_cache_scope: CacheScope,
    pub response_cache_max_age_seconds: u64,
    pub response_cache_wait_ms: u64,
    pub response_cache_check_ms: u64,
    pub reads_per_address_per_minute: u32,
    pub reads_per_token_per_minute: u32,
    pub searches_per_address_per_minute: u32,
    pub searches_per_token_per_minute: u32,
    pub sitemap_urls_per_file: usize,
    pub preview_link_minutes: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssetSettings {
    pub max_file_bytes: u64,
    pub allowed_types: Vec<String>,
    pub part_size_bytes: usize,
    pub upload_concurrency: usize,
    pub download_cache_seconds: u64,
    pub download_redirect: bool,
    pub redirect_expiry_seconds: u64,
    pub orphan_grace_seconds: u64,
    pub sweep_interval_seconds: u64,
    pub downloads_per_address_per_minute: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobSettings {
    pub poll_interval_ms: u64,
}

/// Outgoing webhooks: how often, how patiently, and where to.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookSettings {
    pub poll_interval_ms: u64,
    pub timeout_ms: u64,
    pub max_attempts: u32,
    pub retry_base_seconds: u64,
    pub retry_max_seconds: u64,
    pub concurrency: u64,
    pub max_response_bytes: usize,
    pub keep_days: u32,
    pub allow_private_addresses: bool,
}

/// Outgoing mail: an SMTP server, or (with no `host`) `.eml` files in a folder.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailSettings {
    pub host: String,
    pub port: u16,
    pub tls: MailTls,
    pub user: String,
    pub password: Secret,
    pub from: String,
    pub reply_to: String,
    pub folder: std::path::PathBuf,
    pub templates_dir: String,
    pub timeout_seconds: u64,
    pub poll_interval_ms: u64,
    pub max_attempts: u32,
    pub retry_base_seconds: u64,
    pub retry_max_seconds: u64,
    pub keep_days: u32,
}

impl MailSettings {
    /// Whether mail goes to an SMTP server (else it is written to `folder`).
    pub fn uses_smtp(&self) -> bool {
        !self.host.is_empty()
    }
}

/// Sign-ups through buysocial's form: confirmation by mail and its limits.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrationSettings {
    pub hold_minutes: u32,
    pub confirm_hours: u32,
    pub per_email_per_hour: u32,
    pub offer_hours: u32,
    pub reminder_hours: u32,
    pub keep_days_after_event: u32,
}

/// How the connection to the mail server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailTls {
    /// Plain text: only for a relay on the same machine or network.
    None,
    /// Plain, then upgraded with STARTTLS (required: a server that does not offer it is refused).
    Starttls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    pub session_idle_minutes: u32,
    pub session_absolute_hours: u32,
    pub password_min_length: usize,
    pub max_concurrent_hashes: usize,
    pub hash_queue_timeout_ms: u64,
    /// How long an invitation's link works.
    pub invitation_hours: u32,
    /// How long a password-reset link works (30 at most).
    pub password_reset_minutes: u32,
    pub throttle: ThrottleSettings,
    /// Single sign-on providers (`[[auth.oidc]]`), in the order the sign-in page
    /// offers them.
    #[serde(default)]
    pub oidc: Vec<OidcProviderSettings>,
}

/// An OpenID Connect provider people may sign in through (EU Login, an organisation's
/// Entra ID or Keycloak...).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcProviderSettings {
    /// Names the provider in paths (`/api/v1/auth/sso/{id}/start`) and in accounts'
    /// links: lower-case letters, digits and `-`. Never change it once used.
    pub id: String,
    /// What the sign-in button says: "Sign in with {display_name}".
    pub display_name: String,
    /// The issuer URL; its `/.well-known/openid-configuration` is read.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Secret,
    /// Whether a person with no account gets one at their first sign-in (only for
    /// `allowed_domains`, with `role` and the scope below). Off: only accounts that
    /// exist (matched by verified e-mail) or are invited can sign in.
    #[serde(default)]
    pub create_accounts: bool,
    /// E-mail domains whose people get an account (`create_accounts`).
    #[serde(default)]
    pub allowed_domains: Vec<String>,
    /// The role of accounts made at first sign-in.
    #[serde(default = "viewer")]
    pub role: String,
    /// The scope of accounts made at first sign-in: countries (at least one: never an
    /// unscoped account) and locales (empty: all).
    #[serde(default)]
    pub countries: Vec<String>,
    #[serde(default)]
    pub locales: Vec<String>,
    /// Whether accounts that have signed in through this provider may still sign in
    /// with a password.
    #[serde(default = "yes")]
    pub password_sign_in: bool,
}

fn viewer() -> String {
    "viewer".to_owned()
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThrottleSettings {
    pub max_failures_per_account: u32,
    pub max_failures_per_account_all_addresses: u32,
    pub max_failures_per_address: u32,
    pub window_seconds: u32,
    pub lockout_seconds: u32,
    /// Password-reset mails asked for one address within `window_seconds`.
    pub max_reset_requests_per_account: u32,
    /// Password-reset mails asked for from one client address within `window_seconds`.
    pub max_reset_requests_per_address: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BootstrapSettings {
    pub admin_email: String,
    pub admin_password: Secret,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub format: LogFormat,
    pub level: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// Where the delivery response cache's version lives: `instance` (this process; exact
/// for one instance) or `shared` (the database; for several instances).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CacheScope {
    Instance,
    Shared,
}

/// A configured secret; never printed by `Debug`.
#[derive(Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() { "\"\"" } else { "\"***\"" })
    }
}

/// Where the database lives; only SQLite and PostgreSQL are supported.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum DatabaseUrl {
    Sqlite(String),
    Postgres(String),
}

impl DatabaseUrl {
    pub fn as_str(&self) -> &str {
        match self {
            Self::Sqlite(url) | Self::Postgres(url) => url,
        }
    }

    /// The SQLite file, when the URL names one (not `:memory:`), so its directory can be created.
    pub fn sqlite_file(&self) -> Option<PathBuf> {
        let Self::Sqlite(url) = self else { return None };
        let rest = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))?;
        let path = rest.split('?').next().unwrap_or_default();
        (!path.is_empty() && !path.starts_with(":memory:")).then(|| PathBuf::from(path))
    }
}

impl TryFrom<String> for DatabaseUrl {
    type Error = String;

    fn try_from(url: String) -> Result<Self, Self::Error> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite(url))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres(url))
        } else {
            Err(format!(
                "unsupported database URL {:?}: expected sqlite://PATH or postgres://...",
                redact_url(&url)
            ))
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", redact_url(self.as_str()))
    }
}

/// Where uploaded files live.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum StorageUrl {
    /// A directory on the local filesystem.
    File(PathBuf),
    /// A bucket, and a key prefix inside it (possibly empty), on S3 or an S3-compatible server.
    S3 { bucket: String, prefix: String },
    /// Process memory; for tests and trials.
    Memory,
}

impl TryFrom<String> for StorageUrl {
    type Error = String;

    fn try_from(url: String) -> Result<Self, Self::Error> {
        if let Some(path) = url.strip_prefix("file://") {
            if path.is_empty() {
                return Err("file:// needs a directory, e.g. file://data/files".into());
            }
            Ok(Self::File(PathBuf::from(path)))
        } else if let Some(rest) = url.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err("s3:// needs a bucket name, e.g. s3://buysocial-files".into());
            }
            Ok(Self::S3 {
                bucket: bucket.to_owned(),
                prefix: prefix.trim_matches('/').to_owned(),
            })
        } else if url == "memory://" {
            Ok(Self::Memory)
        } else {
            Err(format!(
                "unsupported storage URL {url:?}: expected file://PATH, s3://BUCKET or memory://"
            ))
        }
    }
}

/// Why the configuration could not be loaded; the message names the key at fault.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("configuration error: {0}")]
    Load(String),
    #[error("configuration error: {key}: {message}")]
    Invalid { key: &'static str, message: String },
}

impl Settings {
    /// Loads the layered configuration from the process environment.
    pub fn load() -> Result<Self, SettingsError> {
        let file = std::env::var_os(CONFIG_FILE_ENV).map(PathBuf::from);
        Self::from_figment(Self::figment(file))
    }

    /// The built-in defaults alone.
    pub fn defaults() -> Result<Self, SettingsError> {
        Self::from_figment(Figment::from(Toml::string(DEFAULT_TOML)))
    }

    fn figment(file: Option<PathBuf>) -> Figment {
        let mut figment = Figment::from(Toml::string(DEFAULT_TOML));
        if let Some(file) = file {
            // `file_exact` makes a missing file an error instead of silently skipping it.
            figment = figment.merge(Toml::file_exact(file));
        }
        figment.merge(Env::prefixed("BUYSOCIAL__").split("__"))
    }

    fn from_figment(figment: Figment) -> Result<Self, SettingsError> {
        let settings: Self = figment
            .extract()
            .map_err(|err| SettingsError::Load(describe(err)))?;
        settings.validate()?;
        Ok(settings)
    }

    /// Every section checks its own settings; then what spans sections.
    fn validate(&self) -> Result<(), SettingsError> {
        self.server.validate()?;
        self.delivery.validate()?;
        self.database.validate()?;
        self.storage.validate()?;
        self.api.validate()?;
        self.content.validate()?;
        self.assets.validate()?;
        self.log.validate()?;
        self.check_durations()?;
        self.jobs.validate()?;
        self.webhooks.validate()?;
        self.mail.validate()?;
        self.registrations.validate()?;
        self.check_mail_links()?;
        self.auth.validate()?;
        self.bootstrap.validate()
    }
}

impl ServerSettings {
    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_seconds)
    }
}

/// One line per problem, each naming the key in lower case (`server.bind`) and where
/// the value came from.
fn describe(errors: figment::Error) -> String {
    errors
        .into_iter()
        .map(|err| {
            let key = err.path.join(".").to_lowercase();
            let source = err
                .metadata
                .as_ref()
                .map(|meta| format!(" (from {})", meta.name))
                .unwrap_or_default();
            if key.is_empty() {
                format!("{}{source}", err.kind)
            } else {
                format!("{key}: {}{source}", err.kind)
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Hides the password in `scheme://user:password@host` URLs.
fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
// figment's `Jail` closures return its own large error type.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;
    use figment::Jail;

    fn load_in(jail: &Jail) -> Result<Settings, SettingsError> {
        let file = std::env::var_os(CONFIG_FILE_ENV).map(|f| jail.directory().join(f));
        Settings::from_figment(Settings::figment(file))
    }

    #[test]
    fn defaults_follow_the_operator_contract() {
        let settings = Settings::defaults().unwrap();
        assert_eq!(settings.server.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(
            settings.database.url,
            DatabaseUrl::Sqlite("sqlite://data/buysocial.db?mode=rwc".into())
        );
        assert_eq!(
            settings.database.url.sqlite_file(),
            Some(PathBuf::from("data/buysocial.db"))
        );
        assert_eq!(settings.storage.url, StorageUrl::File("data/files".into()));
        assert_eq!(settings.server.max_json_body_bytes, 1024 * 1024);
    }

    #[test]
    fn env_overrides_win_over_the_config_file() {
        Jail::expect_with(|jail| {
            jail.create_file(
                "prod.toml",
                "[server]\nbind = \"0.0.0.0:9000\"\n[log]\nformat = \"json\"",
            )?;
            jail.set_env(CONFIG_FILE_ENV, "prod.toml");
            jail.set_env("BUYSOCIAL__SERVER__BIND", "127.0.0.1:9999");
            jail.set_env("BUYSOCIAL__STORAGE__URL", "s3://files/buysocial");
            let settings = load_in(jail).unwrap();
            assert_eq!(settings.server.bind.to_string(), "127.0.0.1:9999");
            assert_eq!(settings.log.format, LogFormat::Json);
            assert_eq!(
                settings.storage.url,
                StorageUrl::S3 {
                    bucket: "files".into(),
                    prefix: "buysocial".into()
                }
            );
            Ok(())
        });
    }

    #[test]
    fn a_bad_value_names_its_key() {
        Jail::expect_with(|jail| {
            jail.set_env("BUYSOCIAL__SERVER__BIND", "not-an-address");
            let err = load_in(jail).unwrap_err().to_string();
            assert!(err.contains("server.bind"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn a_provider_that_may_make_accounts_needs_domains_and_countries_and_no_admin() {
        let provider = OidcProviderSettings {
            id: "eulogin".into(),
            display_name: "EU Login".into(),
            issuer: "https://login.example.eu".into(),
            client_id: "buysocial".into(),
            client_secret: Secret::new("secret"),
            create_accounts: true,
            allowed_domains: vec!["example.eu".into()],
            role: "editor".into(),
            countries: vec!["BE".into()],
            locales: vec![],
            password_sign_in: true,
        };
        let with = |change: fn(&mut OidcProviderSettings)| {
            let mut settings = Settings::defaults().unwrap();
            let mut provider = provider.clone();
            change(&mut provider);
            settings.auth.oidc = vec![provider];
            settings.validate().err().map(|e| e.to_string())
        };
        assert_eq!(with(|_| {}), None);
        let refusals = [
            (
                with(|p| p.allowed_domains.clear()),
                "auth.oidc.allowed_domains",
            ),
            (with(|p| p.countries.clear()), "auth.oidc.countries"),
            (with(|p| p.role = "admin".into()), "auth.oidc.countries"),
            (with(|p| p.id = "EU Login".into()), "auth.oidc.id"),
            (
                with(|p| p.issuer = "login.example.eu".into()),
                "auth.oidc.issuer",
            ),
        ];
        for (refusal, key) in refusals {
            let message = refusal.unwrap_or_default();
            assert!(message.contains(key), "{key}: {message}");
        }
    }

    #[test]
    fn an_unknown_key_is_refused() {
        Jail::expect_with(|jail| {
            jail.set_env("BUYSOCIAL__SERVER__BINDD", "127.0.0.1:1");
            let err = load_in(jail).unwrap_err().to_string();
            assert!(err.contains("bindd"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn an_unsupported_database_is_refused_with_its_key() {
        Jail::expect_with(|jail| {
            jail.set_env(
                "BUYSOCIAL__DATABASE__URL",
                "mysql://root:hunter2@localhost/db",
            );
            let err = load_in(jail).unwrap_err().to_string();
            assert!(err.contains("database.url"), "{err}");
            assert!(!err.contains("hunter2"), "the password leaked: {err}");
            Ok(())
        });
    }

    #[test]
    fn half_a_bootstrap_admin_is_refused() {
        Jail::expect_with(|jail| {
            jail.set_env("BUYSOCIAL__BOOTSTRAP__ADMIN_EMAIL", "admin@example.org");
            let err = load_in(jail).unwrap_err().to_string();
            assert!(err.contains("bootstrap.admin_password"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn a_missing_config_file_is_an_error() {
        Jail::expect_with(|jail| {
            jail.set_env(CONFIG_FILE_ENV, "nowhere.toml");
            assert!(load_in(jail).is_err());
            Ok(())
        });
    }

    #[test]
    fn cors_origins_must_be_bare_origins() {
        Jail::expect_with(|jail| {
            jail.set_env(
                "BUYSOCIAL__SERVER__CORS_ALLOWED_ORIGINS",
                "[\"https://a.eu/path\"]",
            );
            let err = load_in(jail).unwrap_err().to_string();
            assert!(err.contains("server.cors_allowed_origins"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn parts_smaller_than_s3_allows_are_refused() {
        Jail::expect_with(|jail| {
            jail.set_env("BUYSOCIAL__ASSETS__PART_SIZE_BYTES", "1048576");
            let err = load_in(jail).unwrap_err().to_string();
            assert!(err.contains("assets.part_size_bytes"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn sitemap_files_and_preview_links_stay_within_their_bounds() {
        for (variable, value, key) in [
            (
                "BUYSOCIAL__DELIVERY__SITEMAP_URLS_PER_FILE",
                "50001",
                "delivery.sitemap_urls_per_file",
            ),
            (
                "BUYSOCIAL__DELIVERY__SITEMAP_URLS_PER_FILE",
                "0",
                "delivery.sitemap_urls_per_file",
            ),
            (
                "BUYSOCIAL__DELIVERY__PREVIEW_LINK_MINUTES",
                "0",
                "delivery.preview_link_minutes",
            ),
            (
                "BUYSOCIAL__DELIVERY__PREVIEW_LINK_MINUTES",
                "10081",
                "delivery.preview_link_minutes",
            ),
        ] {
            Jail::expect_with(|jail| {
                jail.set_env(variable, value);
                let err = load_in(jail).unwrap_err().to_string();
                assert!(err.contains(key), "{variable}={value}: {err}");
                Ok(())
            });
        }
    }

    #[test]
    fn secrets_are_not_printed() {
        let secret = Secret::new("hunter2hunter2");
        assert_eq!(format!("{secret:?}"), "\"***\"");
    }
}
