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

/// The store, a presigner when it is S3, and the directory of a local store.
pub struct Built {
    pub store: Store,
    pub presigner: Option<Presigner>,
    pub local_root: Option<std::path::PathBuf>,
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
    #[error(
        "storage: {store}: {cause}. Fix the storage settings, or start anyway with \
         --skip-storage-check (storage.check_at_start = false)"
    )]
    Check { store: String, cause: String },
}

/// Builds the object store named by `storage.url`.
pub fn build(settings: &StorageSettings) -> Result<Built, StorageError> {
    let plain = |store: Store| Built {
        store,
        presigner: None,
        local_root: None,
    };
    match &settings.url {
        StorageUrl::File(path) => {
            std::fs::create_dir_all(path).map_err(|source| StorageError::Directory {
                path: path.display().to_string(),
                source,
            })?;
            Ok(Built {
                local_root: Some(path.clone()),
                ..plain(Arc::new(LocalFileSystem::new_with_prefix(path)?))
            })
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
            Ok(Built {
                store,
                presigner,
                local_root: None,
            })
        }
    }
}

fn is_truthy(value: &str) -> bool {
    matches!(
        value.to_ascii_lowercase().as_str(),
        "1" | "true" | "yes" | "on" | "y"
    )
}

/// Why the store failed a request, as an operator needs to hear it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreFailure {
    /// The object, or on a write the bucket itself, does not exist.
    NotFound,
    /// The store refused the credentials or their permissions.
    AccessDenied,
    /// No answer, or an answer that says nothing more specific.
    Unreachable,
}

impl StoreFailure {
    pub fn of(err: &object_store::Error) -> Self {
        match err {
            object_store::Error::NotFound { .. } => Self::NotFound,
            object_store::Error::PermissionDenied { .. }
            | object_store::Error::Unauthenticated { .. } => Self::AccessDenied,
            _ => Self::Unreachable,
        }
    }

    /// What it means for a write (where "not found" can only be the bucket).
    pub fn describe_write(&self) -> &'static str {
        match self {
            Self::NotFound => "the bucket does not exist",
            Self::AccessDenied => {
                "access denied: the store refused the credentials or their permissions"
            }
            Self::Unreachable => "the store is unreachable",
        }
    }
}

/// Checks that the store accepts a write and a delete, within `timeout`.
///
/// A write is the honest test: a read-only or full store, a missing bucket or a
/// wrong credential all fail it, where a listing might still pass.
pub async fn probe(store: &Store, instance_id: &str, timeout: Duration) -> Result<(), String> {
    let key = object_store::path::Path::from(format!(".health/{instance_id}"));
    let check = async {
        let described = |err: object_store::Error| {
            format!("{}: {err}", StoreFailure::of(&err).describe_write())
        };
        store
            .put(&key, PutPayload::from_static(b"ok"))
            .await
            .map_err(described)?;
        store.delete(&key).await.map_err(described)
    };
    tokio::time::timeout(timeout, check).await.map_err(|_| {
        format!(
            "the store is unreachable: no answer within {} ms",
            timeout.as_millis()
        )
    })?
}

/// Where the store is, for messages: `s3://bucket at endpoint`, or the directory.
pub fn describe(settings: &StorageSettings) -> String {
    match &settings.url {
        StorageUrl::File(path) => format!("file://{}", path.display()),
        StorageUrl::Memory => "memory://".into(),
        StorageUrl::S3 { bucket, prefix } => {
            let endpoint = if settings.endpoint.is_empty() {
                std::env::var("AWS_ENDPOINT").unwrap_or_else(|_| "AWS".into())
            } else {
                settings.endpoint.clone()
            };
            let prefix = if prefix.is_empty() {
                String::new()
            } else {
                format!("/{prefix}")
            };
            format!("s3://{bucket}{prefix} at {endpoint}")
        }
    }
}

/// Files a crash left in a local store's staging area: the local store writes an
/// upload to `KEY#N` and renames it when complete, and lists only complete objects, so
/// the orphan sweep cannot see these. Removes those last modified before `cutoff`;
/// returns their paths relative to `root`.
pub async fn remove_stale_staging_files(
    root: &std::path::Path,
    cutoff: std::time::SystemTime,
) -> std::io::Result<Vec<String>> {
    let mut removed = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let mut entries = match tokio::fs::read_dir(&dir).await {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
            Err(err) => return Err(err),
        };
        while let Some(entry) = entries.next_entry().await? {
            let kind = entry.file_type().await?;
            if kind.is_dir() {
                pending.push(entry.path());
                continue;
            }
            let staging = entry.file_name().to_string_lossy().contains('#');
            if staging && kind.is_file() && entry.metadata().await?.modified()? < cutoff {
                match tokio::fs::remove_file(entry.path()).await {
                    Ok(()) => {}
                    // Another instance's sweep was first.
                    Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
                    Err(err) => return Err(err),
                }
                let path = entry.path();
                removed.push(
                    path.strip_prefix(root)
                        .unwrap_or(&path)
                        .display()
                        .to_string(),
                );
            }
        }
    }
    Ok(removed)
}
