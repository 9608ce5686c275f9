//! A running application on a random port, with its own database and store.

use std::time::Duration;

use buysocial::app::Application;
use buysocial::clock::Clock;
use buysocial::domain::Role;
use buysocial::services::users::{self, NewUser};
use buysocial::settings::{DatabaseUrl, Secret, Settings, StorageUrl};
use buysocial::state::AppState;
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::sync::oneshot;

use super::databases::{Backend, TestDatabase};

pub const ADMIN_EMAIL: &str = "admin@example.org";
pub const ADMIN_PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub clock: Clock,
    pub state: AppState,
    pub database: TestDatabase,
    stop: Option<oneshot::Sender<()>>,
    _dir: TempDir,
}

/// A change to the settings, applied before the app starts.
type SettingsChange = Box<dyn FnOnce(&mut Settings)>;

pub struct TestAppBuilder {
    backend: Backend,
    bootstrap_admin: bool,
    customise: Vec<SettingsChange>,
}

impl TestAppBuilder {
    /// Changes settings before the app starts.
    pub fn with(mut self, change: impl FnOnce(&mut Settings) + 'static) -> Self {
        self.customise.push(Box::new(change));
        self
    }

    /// Sends mail to the test SMTP server on `port` (plain text on loopback), with the
    /// public URL mailed links are built from.
    pub fn with_smtp(self, port: u16) -> Self {
        self.with(move |settings| {
            settings.mail.host = "127.0.0.1".into();
            settings.mail.port = port;
            settings.mail.tls = buysocial::settings::MailTls::None;
            settings.mail.from = "WeBuySocialEU <events@webuysocial.test>".into();
            settings.mail.timeout_seconds = 5;
            settings.server.public_url = "https://cms.webuysocial.test".into();
        })
    }

    /// Leaves the bootstrap settings empty, so the app generates an admin password.
    pub fn without_configured_admin(mut self) -> Self {
        self.bootstrap_admin = false;
        self
    }

    pub async fn spawn(self) -> TestApp {
        let (app, rest) = self.build().await;
        rest.start(app)
    }

    /// Builds without serving, for tests of `Application::build` itself.
    pub async fn build(self) -> (Application, Unstarted) {
        let dir = tempfile::tempdir().unwrap();
        let database = TestDatabase::create(self.backend, dir.path()).await;
        let files_dir = dir.path().join("files");
        let mut settings = Settings::defaults().unwrap();
        settings.server.bind = "127.0.0.1:0".parse().unwrap();
        settings.database.url = DatabaseUrl::try_from(database.url.clone()).unwrap();
        settings.database.max_connections = 4;
        settings.storage.url = StorageUrl::File(files_dir.clone());
        if self.backend == Backend::Postgres
            && let Some(endpoint) = s3_endpoint()
        {
            let bucket = create_bucket(&endpoint).await;
            settings.storage.url = StorageUrl::S3 {
                bucket,
                prefix: String::new(),
            };
            settings.storage.endpoint = endpoint;
            settings.storage.allow_http = true;
            settings.storage.region = "us-east-1".into();
        }
        if self.bootstrap_admin {
            settings.bootstrap.admin_email = ADMIN_EMAIL.into();
            settings.bootstrap.admin_password = Secret::new(ADMIN_PASSWORD);
        }
        // Tests drive webhook delivery themselves (`webhooks::run_once`), to receivers
        // on this machine; a test that wants the background loop sets an interval.
        settings.webhooks.poll_interval_ms = 3_600_000;
        settings.webhooks.allow_private_addresses = true;
        settings.webhooks.timeout_ms = 2_000;
        // Mail too is sent when a test says so (`mail::run_once`), into this app's own
        // folder unless a test points it at an SMTP server.
        settings.mail.poll_interval_ms = 3_600_000;
        settings.mail.folder = dir.path().join("mail");
        for change in self.customise {
            change(&mut settings);
        }
        let clock = Clock::system();
        let app = Application::build_with_clock(settings, clock.clone())
            .await
            .expect("the test application starts");
        let rest = Unstarted {
            dir,
            database,
            clock,
        };
        (app, rest)
    }
}

/// What `TestApp` keeps besides the application, before it is started.
pub struct Unstarted {
    dir: TempDir,
    database: TestDatabase,
    clock: Clock,
}

impl Unstarted {
    pub fn start(self, app: Application) -> TestApp {
        let address = format!("http://127.0.0.1:{}", app.port());
        let state = app.state().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(app.run_until(
            async {
                let _ = stopped.await;
            },
            Duration::from_secs(1),
        ));
        TestApp {
            address,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            clock: self.clock,
            state,
            database: self.database,
            stop: Some(stop),
            _dir: self.dir,
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl TestApp {
    pub fn builder(backend: Backend) -> TestAppBuilder {
        TestAppBuilder {
            backend,
            bootstrap_admin: true,
            customise: Vec::new(),
        }
    }

    pub async fn spawn(backend: Backend) -> TestApp {
        Self::builder(backend).spawn().await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn get_authed(&self, path: &str, token: &str) -> Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    /// The JSON of a 200 answer to `GET path` with `token`.
    pub async fn get_json(&self, path: &str, token: &str) -> Value {
        let response = self.get_authed(path, token).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.unwrap()
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn post_json_authed(&self, path: &str, token: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// Any request: `token` as bearer, `body` as JSON.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Response {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.unwrap()
    }

    /// A JSON write with `If-Match` when `etag` is given.
    pub async fn send_if_match(
        &self,
        method: Method,
        path: &str,
        token: &str,
        etag: Option<&str>,
        body: &Value,
    ) -> Response {
        let mut request = self
            .client
            .request(method, self.url(path))
            .bearer_auth(token)
            .json(body);
        if let Some(etag) = etag {
            request = request.header("if-match", etag);
        }
        request.send().await.unwrap()
    }

    pub async fn patch_json_authed(&self, path: &str, token: &str, body: &Value) -> Response {
        self.send(Method::PATCH, path, Some(token), Some(body))
            .await
    }

    pub async fn delete_authed(&self, path: &str, token: &str) -> Response {
        self.send(Method::DELETE, path, Some(token), None).await
    }

    /// Creates a user with a scope (as an admin would) and returns a session token.
    pub async fn scoped_user_token(
        &self,
        email: &str,
        role: Role,
        countries: &[&str],
        locales: &[&str],
    ) -> String {
        let password = "a password for tests";
        let mut new = NewUser::unscoped(email, role, password);
        new.countries = countries.iter().map(|c| c.to_string()).collect();
        new.locales = locales.iter().map(|l| l.to_string()).collect();
        users::create(&self.state, new).await.unwrap();
        self.login_token(email, password).await
    }

    /// Creates an API token through the admin API; returns `(id, secret)`.
    pub async fn api_token(&self, admin: &str, body: Value) -> (String, String) {
        let response = self
            .post_json_authed("/api/v1/admin/tokens", admin, &body)
            .await;
        assert_eq!(
            response.status(),
            StatusCode::CREATED,
            "{}",
            response.text().await.unwrap()
        );
        let created: Value = response.json().await.unwrap();
        (
            created["token"]["id"].as_str().unwrap().to_owned(),
            created["secret"].as_str().unwrap().to_owned(),
        )
    }

    /// The audit log's entries, newest first, as the admin reads them.
    pub async fn audit(&self, admin: &str, query: &str) -> Vec<Value> {
        let response = self
            .get_authed(&format!("/api/v1/admin/audit?per_page=100&{query}"), admin)
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        body["items"].as_array().unwrap().clone()
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.post_json(
            "/api/v1/auth/login",
            &json!({ "email": email, "password": password }),
        )
        .await
    }

    /// Logs in and returns the session token, failing the test otherwise.
    pub async fn login_token(&self, email: &str, password: &str) -> String {
        let response = self.login(email, password).await;
        assert_eq!(response.status(), StatusCode::OK, "login of {email} failed");
        let body: Value = response.json().await.unwrap();
        body["token"].as_str().unwrap().to_owned()
    }

    /// The value of one sample of `/metrics` (the first line starting with `name`).
    pub async fn metric(&self, name: &str) -> f64 {
        let text = self.get("/metrics").await.text().await.unwrap();
        text.lines()
            .find(|line| line.starts_with(name))
            .and_then(|line| line.rsplit(' ').next())
            .unwrap_or_else(|| panic!("no metric {name} in {text}"))
            .parse()
            .unwrap()
    }

    pub async fn admin_token(&self) -> String {
        self.login_token(ADMIN_EMAIL, ADMIN_PASSWORD).await
    }

    /// Creates a user directly through the service, as an admin would.
    pub async fn create_user(&self, email: &str, role: Role, password: &str) {
        users::create(&self.state, NewUser::unscoped(email, role, password))
            .await
            .unwrap();
    }
}

/// The element of `list` (an array, or a page with `items`) whose `key` is `value`.
pub fn find_in(list: &Value, key: &str, value: &str) -> Value {
    let items = list.get("items").unwrap_or(list);
    items
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .find(|element| element[key] == value)
        .unwrap_or_else(|| panic!("no {key} = {value} in {list}"))
        .clone()
}

/// Asserts an `application/problem+json` response with `status`; returns its body.
pub async fn assert_problem(response: Response, status: StatusCode) -> Value {
    assert_eq!(response.status(), status, "unexpected status");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], status.as_u16());
    assert!(body["title"].is_string(), "{body}");
    assert!(body["type"].is_string(), "{body}");
    assert!(body["detail"].is_string(), "{body}");
    body
}

fn s3_endpoint() -> Option<String> {
    std::env::var("TEST_S3_ENDPOINT")
        .ok()
        .filter(|e| !e.is_empty())
}

/// A fresh bucket on the S3-compatible test server, signed with the AWS_* credentials.
pub async fn create_bucket(endpoint: &str) -> String {
    use rusty_s3::{Bucket, Credentials, S3Action as _, UrlStyle};
    let name = format!(
        "bs-test-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..20]
    );
    let key = std::env::var("AWS_ACCESS_KEY_ID").expect("AWS_ACCESS_KEY_ID for TEST_S3_ENDPOINT");
    let secret =
        std::env::var("AWS_SECRET_ACCESS_KEY").expect("AWS_SECRET_ACCESS_KEY for TEST_S3_ENDPOINT");
    let bucket = Bucket::new(
        endpoint.parse().unwrap(),
        UrlStyle::Path,
        name.clone(),
        "us-east-1",
    )
    .unwrap();
    let credentials = Credentials::new(key, secret);
    let url = bucket
        .create_bucket(&credentials)
        .sign(Duration::from_secs(60));
    let response = reqwest::Client::new()
        .put(url)
        .header("content-length", "0")
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "create bucket: {}",
        response.status()
    );
    name
}
