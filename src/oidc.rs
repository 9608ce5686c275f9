//! The seam to single sign-on providers (OpenID Connect): what the configured providers'
//! discovery documents (and their keys) say, read over HTTP by `openidconnect` and kept
//! for `KEEP` so that a sign-in does not fetch them twice. A provider that rotates its
//! keys is read again after that, or at once when an ID token's signature does not
//! verify (see `forget`). Each provider is read by one request at a time (the others
//! wait for its answer), and a provider that could not be read is not asked again for
//! `KEEP_FAILURE`: a provider that hangs delays only its own sign-ins, and not by a
//! timeout each.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use openidconnect::core::CoreProviderMetadata;
use openidconnect::{HttpRequest, HttpResponse, IssuerUrl};
use tokio::sync::Mutex;

use crate::settings::OidcProviderSettings;

/// How long a provider's discovery document and keys are trusted.
const KEEP: Duration = Duration::from_secs(300);
/// How long a provider that could not be read is not asked again.
const KEEP_FAILURE: Duration = Duration::from_secs(10);
/// How long a provider may take to answer one request.
const TIMEOUT: Duration = Duration::from_secs(10);

/// What is known of one provider: when it was read, and what it said.
type Known = Option<(Instant, Result<CoreProviderMetadata, String>)>;

/// The providers' documents, shared by every request of this instance.
#[derive(Clone)]
pub struct Discovery {
    http: reqwest::Client,
    known: Arc<std::sync::Mutex<HashMap<String, Arc<Mutex<Known>>>>>,
}

impl std::fmt::Debug for Discovery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Discovery")
    }
}

/// An HTTP failure talking to a provider.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HttpFailure(String);

type Answer = Pin<Box<dyn Future<Output = Result<HttpResponse, HttpFailure>> + Send>>;

impl Discovery {
    pub fn new() -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            // The provider's endpoints answer directly; a redirect is not followed.
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            http,
            known: Arc::new(std::sync::Mutex::new(HashMap::new())),
        })
    }

    /// The discovery document and keys of `provider`, read when not known or stale.
    pub async fn metadata(
        &self,
        provider: &OidcProviderSettings,
    ) -> Result<CoreProviderMetadata, String> {
        let slot = self.slot(&provider.id);
        let mut known = slot.lock().await;
        if let Some((read_at, said)) = known.as_ref() {
            let keep = if said.is_ok() { KEEP } else { KEEP_FAILURE };
            if read_at.elapsed() < keep {
                return said.clone();
            }
        }
        let said = match IssuerUrl::new(provider.issuer.clone()) {
            Ok(issuer) => CoreProviderMetadata::discover_async(issuer, &self.client())
                .await
                .map_err(|err| chain(&err)),
            Err(err) => Err(err.to_string()),
        };
        *known = Some((Instant::now(), said.clone()));
        said
    }

    /// The place of `provider`'s document, made on first use.
    fn slot(&self, provider: &str) -> Arc<Mutex<Known>> {
        let mut all = self
            .known
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        all.entry(provider.to_owned()).or_default().clone()
    }

    /// Forgets what `provider` said, so that the next sign-in reads it again.
    pub async fn forget(&self, provider: &str) {
        *self.slot(provider).lock().await = None;
    }

    /// The HTTP client `openidconnect` calls providers with: this crate's `reqwest`.
    pub fn client(&self) -> impl Fn(HttpRequest) -> Answer + '_ {
        move |request: HttpRequest| -> Answer {
            let http = self.http.clone();
            Box::pin(async move {
                let request =
                    reqwest::Request::try_from(request).map_err(|e| HttpFailure(e.to_string()))?;
                let response = http
                    .execute(request)
                    .await
                    .map_err(|e| HttpFailure(e.to_string()))?;
                let mut answer = openidconnect::http::Response::builder().status(response.status());
                for (name, value) in response.headers() {
                    answer = answer.header(name, value);
                }
                let body = response
                    .bytes()
                    .await
                    .map_err(|e| HttpFailure(e.to_string()))?;
                answer
                    .body(body.to_vec())
                    .map_err(|e| HttpFailure(e.to_string()))
            })
        }
    }
}

/// An error with its causes, for the log.
pub fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}
