//! The delivery response cache: rendered bodies of published (never preview) responses,
//! so a repeated request costs no query and no rendering.
//!
//! An entry is served only while both of these hold:
//! - the published state has not changed since it was rendered: every successful write
//!   (and every scheduled publication) moves its version;
//! - the clock has not reached the next instant at which some event's status can change
//!   (a start, an end, a registration window opening or closing).
//!
//! Where the version lives is the cache's scope. `instance`: in this process, moved by
//! its own writes; exact for one instance. `shared`: in the database, moved by every
//! instance's writes and read once per request, so several instances can keep a cache
//! each (see `services::delivery::published_state`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use bytes::Bytes;
use chrono::{DateTime, Utc};

/// A rendered response, as the client gets it.
#[derive(Debug)]
pub struct CachedResponse {
    pub body: Bytes,
    pub etag: String,
    stamp: Stamp,
}

/// When a response was rendered: the published-state version, and the instant from
/// which it may be stale (`None`: no event status will change).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    version: u64,
    expires: Option<DateTime<Utc>>,
}

impl Stamp {
    fn is_fresh(&self, version: u64, now: DateTime<Utc>) -> bool {
        self.version == version && self.expires.is_none_or(|at| now < at)
    }
}

#[derive(Debug, Clone, Default)]
pub struct ResponseCache {
    /// `None` when switched off.
    inner: Option<Arc<Inner>>,
}

#[derive(Debug)]
struct Inner {
    max_bytes: usize,
    shared: bool,
    /// The newest version seen: the current one for the `instance` scope.
    version: AtomicU64,
    entries: RwLock<Entries>,
    /// The next status change, worked out once per version.
    horizon: Mutex<Option<Stamp>>,
}

#[derive(Debug, Default)]
struct Entries {
    by_key: HashMap<String, Arc<CachedResponse>>,
    bytes: usize,
}

impl ResponseCache {
    /// A cache holding at most `max_bytes` of bodies (0 switches it off), its version
    /// kept by this instance or, when `shared`, in the database.
    pub fn new(max_bytes: usize, shared: bool) -> Self {
        Self {
            inner: (max_bytes > 0).then(|| {
                Arc::new(Inner {
                    max_bytes,
                    shared,
                    version: AtomicU64::new(0),
                    entries: RwLock::default(),
                    horizon: Mutex::default(),
                })
            }),
        }
    }

    pub fn is_enabled(&self) -> bool {
        self.inner.is_some()
    }

    /// Whether the version lives in the database (several instances).
    pub fn is_shared(&self) -> bool {
        self.inner.as_ref().is_some_and(|inner| inner.shared)
    }

    /// The published state changed through this instance: nothing rendered before is
    /// served again. (In the shared scope the database's version moves too; see
    /// `published_state::changed`.)
    pub fn invalidate(&self) {
        if let Some(inner) = &self.inner {
            if !inner.shared {
                inner.version.fetch_add(1, Ordering::SeqCst);
            }
            if let Ok(mut entries) = inner.entries.write() {
                *entries = Entries::default();
            }
        }
    }

    /// The database's version as just read (shared scope): entries of older versions
    /// are dropped, since they can never be served again.
    pub fn observe(&self, version: u64) {
        if let Some(inner) = &self.inner
            && inner.version.fetch_max(version, Ordering::SeqCst) < version
            && let Ok(mut entries) = inner.entries.write()
        {
            entries
                .by_key
                .retain(|_, entry| entry.stamp.version >= version);
            entries.bytes = entries
                .by_key
                .iter()
                .map(|(key, entry)| entry_size(key, &entry.body))
                .sum();
        }
    }

    /// A response for `key` rendered from the state of `version`, still fresh at `now`.
    pub fn get(&self, key: &str, version: u64, now: DateTime<Utc>) -> Option<Arc<CachedResponse>> {
        let inner = self.inner.as_ref()?;
        let entries = inner.entries.read().ok()?;
        entries
            .by_key
            .get(key)
            .filter(|hit| hit.stamp.is_fresh(version, now))
            .cloned()
    }

    /// The stamp for a response rendered at `now` from the state of `version`, when the
    /// next status change is already known for that version.
    pub fn known_stamp(&self, version: u64, now: DateTime<Utc>) -> Option<Stamp> {
        let inner = self.inner.as_ref()?;
        let horizon = inner.horizon.lock().ok()?;
        horizon.filter(|h| h.is_fresh(version, now))
    }

    /// The current version. Read it *before* reading anything from the database for a
    /// response, so that a write landing meanwhile leaves the response stale at once.
    pub fn version(&self) -> u64 {
        self.inner
            .as_ref()
            .map_or(0, |inner| inner.version.load(Ordering::SeqCst))
    }

    /// A stamp for `version` expiring at `next_change`, remembered for later requests.
    pub fn stamp(&self, version: u64, next_change: Option<DateTime<Utc>>) -> Stamp {
        let stamp = Stamp {
            version,
            expires: next_change,
        };
        // A slow request must not put back the horizon of a version already gone.
        if let Some(inner) = &self.inner
            && let Ok(mut horizon) = inner.horizon.lock()
            && horizon.is_none_or(|known| known.version <= version)
        {
            *horizon = Some(stamp);
        }
        stamp
    }

    /// Keeps a rendered response, unless the state moved on while it was rendered.
    /// Keys and bodies both count against the budget (a long query string must not
    /// buy memory for free); when it is spent the cache starts over: simple, bounded.
    pub fn put(&self, key: String, body: Bytes, etag: String, stamp: Stamp) {
        let Some(inner) = &self.inner else { return };
        let size = entry_size(&key, &body);
        if key.len() > MAX_KEY_BYTES
            || size > inner.max_bytes
            || stamp.version < inner.version.load(Ordering::SeqCst)
        {
            return;
        }
        let Ok(mut entries) = inner.entries.write() else {
            return;
        };
        if entries.bytes + size > inner.max_bytes {
            *entries = Entries::default();
        }
        entries.bytes += size;
        let entry = Arc::new(CachedResponse { body, etag, stamp });
        if let Some(old) = entries.by_key.insert(key.clone(), entry) {
            entries.bytes -= entry_size(&key, &old.body);
        }
    }
}

/// Requests with longer targets are answered but not kept.
const MAX_KEY_BYTES: usize = 2048;
/// What an entry costs besides its key and body (map slot, `Arc`, ETag, stamp).
const ENTRY_OVERHEAD_BYTES: usize = 160;

fn entry_size(key: &str, body: &Bytes) -> usize {
    key.len() + body.len() + ENTRY_OVERHEAD_BYTES
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    fn body(text: &str) -> Bytes {
        Bytes::from(text.to_owned())
    }

    #[test]
    fn an_entry_is_served_until_the_state_changes() {
        let cache = ResponseCache::new(1024, false);
        let now = Utc::now();
        let stamp = cache.stamp(cache.version(), None);
        cache.put("k".into(), body("a"), "\"e\"".into(), stamp);
        assert_eq!(
            cache.get("k", cache.version(), now).unwrap().body,
            body("a")
        );
        cache.invalidate();
        assert!(cache.get("k", cache.version(), now).is_none());
    }

    #[test]
    fn a_response_rendered_across_a_write_is_not_kept() {
        let cache = ResponseCache::new(1024, false);
        let stamp = cache.stamp(cache.version(), None);
        cache.invalidate();
        cache.put("k".into(), body("old"), "\"e\"".into(), stamp);
        assert!(cache.get("k", cache.version(), Utc::now()).is_none());
        assert!(
            cache.known_stamp(cache.version(), Utc::now()).is_none(),
            "the horizon is stale too"
        );
    }

    #[test]
    fn entries_expire_when_an_event_status_can_change() {
        let cache = ResponseCache::new(1024, false);
        let now = Utc::now();
        let change = now + TimeDelta::minutes(5);
        let stamp = cache.stamp(cache.version(), Some(change));
        cache.put("k".into(), body("a"), "\"e\"".into(), stamp);
        assert!(
            cache
                .get("k", cache.version(), change - TimeDelta::seconds(1))
                .is_some()
        );
        assert!(cache.get("k", cache.version(), change).is_none());
        assert!(cache.known_stamp(cache.version(), change).is_none());
    }

    #[test]
    fn the_byte_budget_bounds_memory() {
        let cache = ResponseCache::new(2 * ENTRY_OVERHEAD_BYTES + 10, false);
        let stamp = cache.stamp(cache.version(), None);
        cache.put("a".into(), body("123456"), "\"a\"".into(), stamp);
        cache.put("b".into(), body("123456"), "\"b\"".into(), stamp);
        let now = Utc::now();
        assert!(
            cache.get("a", cache.version(), now).is_none(),
            "started over"
        );
        assert!(cache.get("b", cache.version(), now).is_some());
        let large = "x".repeat(ENTRY_OVERHEAD_BYTES + 20);
        cache.put("c".into(), body(&large), "\"c\"".into(), stamp);
        assert!(
            cache.get("c", cache.version(), now).is_none(),
            "larger than the budget"
        );
        cache.put(
            "k".repeat(MAX_KEY_BYTES + 1),
            body("1"),
            "\"d\"".into(),
            stamp,
        );
        assert!(
            cache
                .get(&"k".repeat(MAX_KEY_BYTES + 1), cache.version(), now)
                .is_none(),
            "keys count too"
        );
    }

    #[test]
    fn a_shared_cache_serves_the_version_it_is_asked_for() {
        let cache = ResponseCache::new(1024, true);
        let now = Utc::now();
        cache.observe(7);
        let stamp = cache.stamp(7, None);
        cache.put("k".into(), body("a"), "\"e\"".into(), stamp);
        cache.invalidate();
        assert_eq!(
            cache.version(),
            7,
            "only the database moves a shared version"
        );
        cache.put("k".into(), body("a"), "\"e\"".into(), stamp);
        assert!(cache.get("k", 7, now).is_some());
        assert!(cache.get("k", 8, now).is_none(), "another instance wrote");
        cache.observe(8);
        assert!(
            cache.get("k", 7, now).is_none(),
            "older entries are dropped"
        );
        cache.put("old".into(), body("b"), "\"f\"".into(), stamp);
        assert!(
            cache.get("old", 7, now).is_none(),
            "a stale render is not kept"
        );
    }

    #[test]
    fn a_switched_off_cache_keeps_nothing() {
        let cache = ResponseCache::new(0, false);
        let stamp = cache.stamp(cache.version(), None);
        cache.put("k".into(), body("a"), "\"e\"".into(), stamp);
        assert!(cache.get("k", cache.version(), Utc::now()).is_none());
        assert!(!cache.is_enabled());
    }
}
