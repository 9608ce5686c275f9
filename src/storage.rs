//! The object store seam: builds the configured store and probes it.

use std::sync::Arc;
use std::time::Duration;

use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::prefix::PrefixStore;
use object_store::{
    BackoffConfig, ClientOptions, ObjectStore, ObjectStoreExt, PutPayload, RetryConfig,
};

use crate::settings::{StorageSettings, StorageUrl};

pub type Store = Arc<dyn ObjectStore>;

/// Makes short-lived URLs that let a client fetch an object straight from S3.
#[derive(Debug, Clone)]
pub struct Presigner {
    signer: Arc<dyn object_store::signer::Signer>,
    /// The key prefix of `s3://bucket/prefix`, which the signer does not add itself.
    prefix: String,
}

impl Presigner {
    pub async fn get_url(
        &self,
        key: &object_store::path::Path,
        expires_in: Duration,
    ) -> Result<url::Url, object_store::Error> {
        let full = if self.prefix.is_empty() {
            key.clone()
        } else {
            object_store::path::Path::from(format!("{}/{key}", self.prefix))
        };
        self.signer
            .signed_url(object_store::signer::Method::GET, &full, expires_in)
            .await
    }
}

/// The store, and a presigner when it is S3.
pub struct Built {
    pub store: Store,
    pub presigner: Option<Presigner>,
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("storage.url: cannot use directory {path}: {source}")]
    Directory {
        path: String,
        source: std::io::Error,
    },
    #[error("storage: {0}")]
    Build(#[from] object_store::Error),
}

/// Builds the object store named by `storage.url`.
pub fn build(settings: &StorageSettings) -> Result<Built, StorageError> {
    let plain = |store: Store| Built {
        store,
        presigner: None,
    };
    match &settings.url {
        StorageUrl::File(path) => {
            std::fs::create_dir_all(path).map_err(|source| StorageError::Directory {
                path: path.display().to_string(),
                source,
            })?;
            Ok(plain(Arc::new(LocalFileSystem::new_with_prefix(path)?)))
        }
        StorageUrl::Memory => Ok(plain(Arc::new(InMemory::new()))),
        StorageUrl::S3 { bucket, prefix } => {
            // Credentials, region and AWS_ENDPOINT come from the standard AWS_* variables;
            // explicit settings win over them.
            let mut builder = AmazonS3Builder::from_env()
                .with_bucket_name(bucket)
                .with_client_options(
                    ClientOptions::new()
                        .with_timeout(Duration::from_secs(settings.timeout_seconds))
                        .with_connect_timeout(Duration::from_secs(
                            settings.connect_timeout_seconds,
                        )),
                )
                .with_retry(RetryConfig {
                    max_retries: settings.max_retries,
                    retry_timeout: Duration::from_secs(settings.timeout_seconds),
                    backoff: BackoffConfig::default(),
                })
                // Path-style requests work with AWS and every S3-compatible server.
                .with_virtual_hosted_style_request(false);
            if !settings.endpoint.is_empty() {
                builder = builder.with_endpoint(&settings.endpoint);
            }
            if !settings.region.is_empty() {
                builder = builder.with_region(&settings.region);
            }
            if settings.allow_http || std::env::var("AWS_ALLOW_HTTP").is_ok_and(|v| is_truthy(&v)) {
                // Set after the client options, which would otherwise reset it.
                builder = builder.with_allow_http(true);
            }
            let s3 = Arc::new(builder.build()?);
            let presigner = Some(Presigner {
                signer: s3.clone(),
                prefix: prefix.clone(),
            });
            let store: Store = if prefix.is_empty() {
                s3
            } else {
                Arc::new(PrefixStore::new(s3, prefix.as_str()))
            };
            Ok(Built { store, presigner })
        }
    }
}

fn is_truthy(value: &str) -> bool {
    matches!(
        value.to_ascii_lowercase().as_str(),
        "1" | "true" | "yes" | "on" | "y"
    )
}

/// Checks that the store accepts a write and a delete, within `timeout`.
///
/// A write is the honest test: a read-only or full store, a missing bucket or a
/// wrong credential all fail it, where a listing might still pass.
pub async fn probe(store: &Store, instance_id: &str, timeout: Duration) -> Result<(), String> {
    let key = object_store::path::Path::from(format!(".health/{instance_id}"));
    let check = async {
        store
            .put(&key, PutPayload::from_static(b"ok"))
            .await
            .map_err(|err| err.to_string())?;
        store.delete(&key).await.map_err(|err| err.to_string())
    };
    tokio::time::timeout(timeout, check)
        .await
        .map_err(|_| format!("no answer within {} ms", timeout.as_millis()))?
}
