//! Markdown rendering off the async runtime, a bounded number at a time, with the
//! renders of drafts kept for previews.
//!
//! A render is CPU work that cannot be stopped midway, so it never runs on an async
//! worker: it runs on tokio's blocking pool, and a semaphore sized below the number of
//! async workers bounds how many run at once, so that renders can never occupy every
//! core while requests wait. The bodies themselves are bounded by
//! [`markdown::Limits`], so each render is short. Previews of drafts (delivery reads
//! with a preview token, the editor's preview) are kept by the body's SHA-256: repeating
//! a preview costs a lookup, not a render.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use crate::domain::content::markdown::{self, Exceeded, Limits, Rendered};
use crate::error::AppError;

/// How long a render waits for a slot before the request gets 503.
const QUEUE_TIMEOUT: Duration = Duration::from_secs(10);
/// Memory for kept previews (their HTML), in bytes.
const PREVIEW_CACHE_BYTES: usize = 32 * 1024 * 1024;

#[derive(Clone)]
pub struct Renderer {
    slots: Arc<Semaphore>,
    limits: Limits,
    previews: Arc<Mutex<Previews>>,
    /// Render jobs run so far (a kept preview found before queueing is none).
    renders: Arc<AtomicU64>,
}

impl Renderer {
    /// `slots` renders at once at most; at least one.
    pub fn new(limits: Limits, slots: usize) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(slots.max(1))),
            limits,
            previews: Arc::default(),
            renders: Arc::default(),
        }
    }

    /// One fewer slot than the runtime has async workers (at least one), so that one
    /// worker's core is always free for requests.
    pub fn for_current_runtime(limits: Limits) -> Self {
        let workers = tokio::runtime::Handle::try_current()
            .map(|handle| handle.metrics().num_workers())
            .unwrap_or(1);
        Self::new(limits, workers.saturating_sub(1))
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// How many render jobs ran so far.
    pub fn renders(&self) -> u64 {
        self.renders.load(Ordering::Relaxed)
    }

    /// Whether a body may be accepted (saved, previewed, imported); linear in its length.
    pub fn check(&self, body: &str) -> Result<(), Exceeded> {
        markdown::check(body, self.limits)
    }

    /// Renders a body to publish.
    pub async fn render(&self, body: &str) -> Result<Rendered, AppError> {
        let body = body.to_owned();
        let limits = self.limits;
        self.run(move || markdown::render(&body, limits)).await
    }

    /// Renders a draft's body for a preview, or finds it rendered already.
    pub async fn preview(&self, body: &str) -> Result<Arc<Rendered>, AppError> {
        let key: [u8; 32] = Sha256::digest(body.as_bytes()).into();
        if let Some(found) = self.kept(&key)? {
            return Ok(found);
        }
        let body = body.to_owned();
        let limits = self.limits;
        let previews = self.previews.clone();
        self.run(move || {
            // Whoever waited for the slot behind an identical preview finds it kept.
            if let Some(found) = lock(&previews)?.get(&key) {
                return Ok(found);
            }
            let rendered = Arc::new(markdown::render(&body, limits));
            lock(&previews)?.put(key, rendered.clone());
            Ok(rendered)
        })
        .await?
    }

    fn kept(&self, key: &[u8; 32]) -> Result<Option<Arc<Rendered>>, AppError> {
        Ok(lock(&self.previews)?.get(key))
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        self.renders.fetch_add(1, Ordering::Relaxed);
        let permit = tokio::time::timeout(QUEUE_TIMEOUT, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| AppError::Unavailable("the server is busy; try again shortly".into()))?
            .map_err(AppError::internal)?;
        tokio::task::spawn_blocking(move || {
            let outcome = work();
            drop(permit);
            outcome
        })
        .await
        .map_err(AppError::internal)
    }
}

fn lock(previews: &Mutex<Previews>) -> Result<std::sync::MutexGuard<'_, Previews>, AppError> {
    previews
        .lock()
        .map_err(|_| AppError::internal("the preview cache's lock is poisoned"))
}

/// Rendered previews by their body's hash, the oldest dropped first past the budget.
#[derive(Default)]
struct Previews {
    by_key: HashMap<[u8; 32], Arc<Rendered>>,
    order: VecDeque<[u8; 32]>,
    bytes: usize,
}

impl Previews {
    fn get(&self, key: &[u8; 32]) -> Option<Arc<Rendered>> {
        self.by_key.get(key).cloned()
    }

    fn put(&mut self, key: [u8; 32], rendered: Arc<Rendered>) {
        let size = rendered.html.len();
        if size > PREVIEW_CACHE_BYTES || self.by_key.contains_key(&key) {
            return;
        }
        while self.bytes + size > PREVIEW_CACHE_BYTES {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            if let Some(gone) = self.by_key.remove(&oldest) {
                self.bytes -= gone.html.len();
            }
        }
        self.bytes += size;
        self.order.push_back(key);
        self.by_key.insert(key, rendered);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        max_depth: 8,
        max_elements: 100,
    };

    #[tokio::test]
    async fn a_preview_is_rendered_once_and_kept() {
        let renderer = Renderer::new(LIMITS, 1);
        let first = renderer.preview("**hello**").await.unwrap();
        let second = renderer.preview("**hello**").await.unwrap();
        assert!(Arc::ptr_eq(&first, &second), "the second is the kept one");
        assert_eq!(first.html, "<p><strong>hello</strong></p>\n");
    }

    #[test]
    fn kept_previews_stay_within_their_budget() {
        let mut previews = Previews::default();
        let big = |n: u8| {
            (
                [n; 32],
                Arc::new(Rendered {
                    html: "x".repeat(PREVIEW_CACHE_BYTES / 3 + 1),
                    exceeded: None,
                }),
            )
        };
        for n in 0..4 {
            let (key, rendered) = big(n);
            previews.put(key, rendered);
        }
        assert!(previews.bytes <= PREVIEW_CACHE_BYTES);
        assert!(previews.get(&[0; 32]).is_none(), "the oldest went first");
        assert!(previews.get(&[3; 32]).is_some());
    }
}
