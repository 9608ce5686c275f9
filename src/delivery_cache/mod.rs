//! The delivery response cache: rendered bodies of published (never preview) responses,
//! so a repeated request costs no query and no rendering.
//!
//! An entry is served until one of these happens:
//! - a write changes something it was made from (see `reads`: each write drops only the
//!   entries it can change; `Change::Everything` drops them all);
//! - the clock reaches the next instant at which some event's status can change (a
//!   start, an end, a registration window opening or closing), or the configured
//!   maximum age.
//!
//! A render remembers the cache's generation when it starts (its `Ticket`), before it
//! reads anything; a change that lands while it renders and touches what it read keeps
//! it out of the cache. Concurrent misses of one key render once (`flight`).
//!
//! Where changes come from is the cache's scope. `instance`: this process's own writes;
//! exact for one instance. `shared`: every instance's writes, through the database (see
//! `services::delivery::published_state`).

mod flight;
mod reads;

use std::collections::BTreeSet;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use bytes::Bytes;
use chrono::{DateTime, Utc};

use crate::domain::content::ContentKind;
use flight::Flights;
pub use flight::{Follower, Leader, Turn, Waited};
pub use reads::{Change, ItemChange, Reads};

/// A rendered response, as the client gets it.
#[derive(Debug)]
pub struct CachedResponse {
    pub body: Bytes,
    pub etag: String,
    /// From when it may be stale; `None`: only a change makes it so.
    expires: Option<DateTime<Utc>>,
    reads: Reads,
}

impl CachedResponse {
    /// A response to keep: its bytes and ETag, from when it may be stale, and what it
    /// was made from.
    pub fn new(body: Bytes, etag: String, expires: Option<DateTime<Utc>>, reads: Reads) -> Self {
        Self {
            body,
            etag,
            expires,
            reads,
        }
    }
}

/// The cache's generation when a render started: see the module's doc.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket(u64);

#[derive(Debug, Clone, Default)]
pub struct ResponseCache {
    /// `None` when switched off.
    inner: Option<Arc<Inner>>,
}

#[derive(Debug)]
struct Inner {
    max_bytes: usize,
    shared: bool,
    /// The versions of the database's published state heard of (shared scope).
    versions: Mutex<Heard>,
    /// Whether other instances' changes arrive as notifications (PostgreSQL).
    listening: AtomicBool,
    entries: RwLock<Entries>,
    /// The next status change: `(expires, generation it was worked out at)`.
    horizon: Mutex<Option<(Option<DateTime<Utc>>, u64)>>,
    flights: Arc<Flights>,
}

#[derive(Debug, Default)]
struct Entries {
    by_key: HashMap<String, Arc<CachedResponse>>,
    bytes: usize,
    /// List totals by their count statement: the total, until when it may be served,
    /// and what the count read.
    totals: HashMap<String, (u64, DateTime<Utc>, Reads)>,
    /// Moves with every change.
    generation: u64,
    /// The latest changes with the generation each one made, oldest first.
    recent: VecDeque<(u64, Change)>,
}

/// How many changes a render may span and still be kept. Renders take milliseconds;
/// one spanning more changes than this is simply not kept.
const RECENT_CHANGES: usize = 256;

impl Entries {
    /// Whether a change since `ticket` touches `reads` (or the log no longer reaches
    /// back that far, so it cannot tell).
    fn changed_since(&self, ticket: Ticket, reads: impl Fn(&Change) -> bool) -> bool {
        if ticket.0 == self.generation {
            return false;
        }
        let reaches_back = self
            .recent
            .front()
            .is_some_and(|(first, _)| *first <= ticket.0 + 1);
        !reaches_back
            || self
                .recent
                .iter()
                .filter(|(generation, _)| *generation > ticket.0)
                .any(|(_, change)| reads(change))
    }

    fn clear(&mut self) {
        self.by_key.clear();
        self.bytes = 0;
        self.totals.clear();
    }
}

/// The versions heard of: all up to `upto`, and some above it.
#[derive(Debug, Default)]
struct Heard {
    upto: u64,
    above: BTreeSet<u64>,
}

impl Heard {
    fn hear(&mut self, version: u64) {
        if version > self.upto {
            self.above.insert(version);
            self.settle();
        }
    }

    /// Accounts for every version up to `version`; whether one had not been heard of.
    fn catch_up(&mut self, version: u64) -> bool {
        if version <= self.upto {
            return false;
        }
        let heard = self.above.range(..=version).count();
        let missed = u64::try_from(heard).map_or(true, |heard| heard < version - self.upto);
        self.above.retain(|v| *v > version);
        self.upto = version;
        self.settle();
        missed
    }

    fn settle(&mut self) {
        while self.above.remove(&(self.upto + 1)) {
            self.upto += 1;
        }
    }
}

/// Whether a change can move the next instant an event's status changes.
fn moves_horizon(change: &Change) -> bool {
    match change {
        Change::Everything => true,
        Change::Item(item) => item.kind == ContentKind::Event,
    }
}

impl ResponseCache {
    /// A cache holding at most `max_bytes` of bodies (0: no responses are kept, only
    /// list totals), told of this instance's changes or, when `shared`, of every
    /// instance's.
    pub fn new(max_bytes: usize, shared: bool) -> Self {
        Self {
            inner: Some({
                Arc::new(Inner {
                    max_bytes,
                    shared,
                    versions: Mutex::default(),
                    listening: AtomicBool::new(false),
                    entries: RwLock::default(),
                    horizon: Mutex::default(),
                    flights: Arc::default(),
                })
            }),
        }
    }

    /// Whether responses are kept (list totals always are).
    pub fn is_enabled(&self) -> bool {
        self.inner.as_ref().is_some_and(|inner| inner.max_bytes > 0)
    }

    /// Whether other instances' changes matter (several instances).
    pub fn is_shared(&self) -> bool {
        self.inner.as_ref().is_some_and(|inner| inner.shared)
    }

    /// Where a render starts. Take it *before* reading anything for the response.
    pub fn ticket(&self) -> Ticket {
        self.inner
            .as_ref()
            .and_then(|inner| inner.entries.read().ok().map(|e| Ticket(e.generation)))
            .unwrap_or(Ticket(0))
    }

    /// Something readers see changed (after its transaction committed): the entries it
    /// can change are dropped, and renders under way that read it are not kept.
    pub fn apply(&self, change: Change) {
        let Some(inner) = &self.inner else { return };
        let Ok(mut entries) = inner.entries.write() else {
            return;
        };
        entries.generation += 1;
        let generation = entries.generation;
        if change == Change::Everything {
            entries.clear();
        } else {
            let mut freed = 0;
            entries.by_key.retain(|key, entry| {
                let keep = !entry.reads.is_changed_by(&change);
                if !keep {
                    freed += entry_size(key, entry);
                }
                keep
            });
            entries.bytes = entries.bytes.saturating_sub(freed);
            entries
                .totals
                .retain(|_, (_, _, reads)| !reads.is_changed_by(&change));
        }
        if moves_horizon(&change)
            && let Ok(mut horizon) = inner.horizon.lock()
        {
            *horizon = None;
        }
        entries.recent.push_back((generation, change));
        if entries.recent.len() > RECENT_CHANGES {
            entries.recent.pop_front();
        }
    }

    /// Version `version` of the database's published state was heard of: this
    /// instance's own write, or another's notification.
    pub fn hear(&self, version: u64) {
        if let Some(inner) = &self.inner
            && let Ok(mut versions) = inner.versions.lock()
        {
            versions.hear(version);
        }
    }

    /// Every version up to `version` has committed. One not heard of was missed (a
    /// notification lost with its connection; or, without notifications, any other
    /// instance's write): what it changed is not known, so everything is dropped.
    pub fn catch_up(&self, version: u64) {
        let missed = self.inner.as_ref().is_some_and(|inner| {
            inner
                .versions
                .lock()
                .map_or(true, |mut versions| versions.catch_up(version))
        });
        if missed {
            self.apply(Change::Everything);
        }
    }

    /// Whether other instances' changes arrive as notifications, so that a request
    /// need not read the version.
    pub fn is_listening(&self) -> bool {
        self.inner
            .as_ref()
            .is_some_and(|inner| inner.listening.load(Ordering::SeqCst))
    }

    pub fn set_listening(&self, listening: bool) {
        if let Some(inner) = &self.inner {
            inner.listening.store(listening, Ordering::SeqCst);
        }
    }

    /// The response kept for `key`, if still fresh at `now`.
    pub fn get(&self, key: &str, now: DateTime<Utc>) -> Option<Arc<CachedResponse>> {
        let inner = self.inner.as_ref()?;
        let entries = inner.entries.read().ok()?;
        entries
            .by_key
            .get(key)
            .filter(|hit| hit.expires.is_none_or(|at| now < at))
            .cloned()
    }

    /// The next instant an event's status can change, when known and not yet reached:
    /// `Some(None)` when no status will change.
    pub fn known_expiry(&self, now: DateTime<Utc>) -> Option<Option<DateTime<Utc>>> {
        let inner = self.inner.as_ref()?;
        let horizon = inner.horizon.lock().ok()?;
        horizon
            .map(|(expires, _)| expires)
            .filter(|expires| expires.is_none_or(|at| now < at))
    }

    /// Remembers the next status change worked out by a render that started at
    /// `ticket`, unless events changed meanwhile.
    pub fn remember_expiry(&self, ticket: Ticket, expires: Option<DateTime<Utc>>) {
        let Some(inner) = &self.inner else { return };
        let Ok(entries) = inner.entries.read() else {
            return;
        };
        if !entries.changed_since(ticket, moves_horizon)
            && let Ok(mut horizon) = inner.horizon.lock()
        {
            *horizon = Some((expires, ticket.0));
        }
    }

    /// Keeps a rendered response, unless a change since `ticket` touched what it was
    /// made from; whether it was kept. Keys and bodies both count against the budget (a
    /// long query string must not buy memory for free); when it is spent the cache
    /// starts over: simple, bounded.
    pub fn put(&self, key: String, entry: CachedResponse, ticket: Ticket) -> bool {
        let Some(inner) = &self.inner else {
            return false;
        };
        let size = entry_size(&key, &entry);
        if key.len() > MAX_KEY_BYTES || size > inner.max_bytes {
            return false;
        }
        let Ok(mut entries) = inner.entries.write() else {
            return false;
        };
        if entries.changed_since(ticket, |change| entry.reads.is_changed_by(change)) {
            return false;
        }
        if entries.bytes + size > inner.max_bytes {
            entries.clear();
        }
        entries.bytes += size;
        if let Some(old) = entries.by_key.insert(key.clone(), Arc::new(entry)) {
            entries.bytes = entries.bytes.saturating_sub(entry_size(&key, &old));
        }
        true
    }

    /// Leads the render of `key` or follows the one under way; `None` when responses
    /// are not kept.
    pub fn join(&self, key: &str) -> Option<Turn> {
        self.inner
            .as_ref()
            .filter(|inner| inner.max_bytes > 0)
            .map(|inner| inner.flights.join(key))
    }

    /// Leads the count of the list total `key` or follows the one under way (with the
    /// response cache off too: a count of a large list is worth waiting for).
    pub fn join_total(&self, key: &str) -> Option<Turn> {
        self.inner
            .as_ref()
            .map(|inner| inner.flights.join(&format!("total|{key}")))
    }

    /// The total of the list counted by `key` (its statement), if kept and still
    /// fresh at `now`.
    pub fn total(&self, key: &str, now: DateTime<Utc>) -> Option<u64> {
        let inner = self.inner.as_ref()?;
        let entries = inner.entries.read().ok()?;
        entries
            .totals
            .get(key)
            .filter(|(_, expires, _)| now < *expires)
            .map(|(total, ..)| *total)
    }

    /// Keeps a list's total counted since `ticket`, until `expires` (the maximum age,
    /// as for responses), unless a change since touched what the count read. At most
    /// `MAX_TOTALS` are kept; then they start over.
    pub fn put_total(
        &self,
        key: String,
        total: u64,
        expires: DateTime<Utc>,
        reads: Reads,
        ticket: Ticket,
    ) {
        let Some(inner) = &self.inner else { return };
        if key.len() > MAX_KEY_BYTES {
            return;
        }
        let Ok(mut entries) = inner.entries.write() else {
            return;
        };
        if entries.changed_since(ticket, |change| reads.is_changed_by(change)) {
            return;
        }
        if entries.totals.len() >= MAX_TOTALS {
            entries.totals.clear();
        }
        entries.totals.insert(key, (total, expires, reads));
    }
}

/// Requests with longer targets are answered but not kept.
const MAX_KEY_BYTES: usize = 2048;
/// List totals kept at most (a few hundred bytes each).
const MAX_TOTALS: usize = 4096;
/// What an entry costs besides its key, body and reads (map slot, `Arc`, ETag, expiry).
const ENTRY_OVERHEAD_BYTES: usize = 160;

fn entry_size(key: &str, entry: &CachedResponse) -> usize {
    key.len() + entry.body.len() + entry.reads.size() + ENTRY_OVERHEAD_BYTES
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    fn rendered(text: &str, reads: Reads, expires: Option<DateTime<Utc>>) -> CachedResponse {
        CachedResponse::new(Bytes::from(text.to_owned()), "\"e\"".into(), expires, reads)
    }

    fn news_list(countries: &[&str], chain: &[&str]) -> Reads {
        Reads::list(
            &[ContentKind::News],
            countries.iter().map(|c| (*c).to_owned()).collect(),
            Some(chain.iter().map(|c| (*c).to_owned()).collect()),
        )
    }

    fn published(kind: ContentKind, locale: &str, countries: &[&str]) -> Change {
        Change::Item(ItemChange {
            kind,
            id: entity::ids::ItemId::new(),
            locales: Some(vec![locale.to_owned()]),
            slugs: vec!["s".into()],
            countries: countries.iter().map(|c| (*c).to_owned()).collect(),
        })
    }

    #[test]
    fn a_change_drops_only_the_entries_it_can_change() {
        let cache = ResponseCache::new(64 * 1024, false);
        let now = Utc::now();
        let ticket = cache.ticket();
        let be = news_list(&["BE"], &["fr", "en"]);
        cache.put("be".into(), rendered("be", be, None), ticket);
        let lt = news_list(&["LT"], &["lt", "en"]);
        cache.put("lt".into(), rendered("lt", lt, None), ticket);
        let events = Reads::list(
            &[ContentKind::Event, ContentKind::Material],
            vec!["LT".into()],
            Some(vec!["lt".into()]),
        );
        cache.put("events".into(), rendered("ev", events, None), ticket);

        cache.apply(published(ContentKind::News, "lt", &["LT"]));
        assert!(cache.get("lt", now).is_none(), "the Lithuanian news list");
        assert!(cache.get("be", now).is_some(), "Belgian news stay");
        assert!(cache.get("events", now).is_some(), "other kinds stay");

        cache.apply(Change::Everything);
        assert!(cache.get("be", now).is_none());
        assert!(cache.get("events", now).is_none());
    }

    #[test]
    fn a_render_that_a_change_overtook_is_not_kept() {
        let cache = ResponseCache::new(64 * 1024, false);
        let now = Utc::now();
        let ticket = cache.ticket();
        cache.apply(published(ContentKind::News, "fr", &["BE"]));
        let reads = news_list(&["BE"], &["fr"]);
        cache.put("be".into(), rendered("old", reads.clone(), None), ticket);
        assert!(cache.get("be", now).is_none(), "it read the state before");

        cache.put(
            "be".into(),
            rendered("new", reads.clone(), None),
            cache.ticket(),
        );
        assert!(cache.get("be", now).is_some(), "rendered after the change");

        let ticket = cache.ticket();
        cache.apply(published(ContentKind::Page, "fr", &[]));
        cache.put("be2".into(), rendered("x", reads.clone(), None), ticket);
        assert!(
            cache.get("be2", now).is_some(),
            "an unrelated change meanwhile"
        );

        let ticket = cache.ticket();
        for _ in 0..=RECENT_CHANGES {
            cache.apply(published(ContentKind::Page, "fr", &[]));
        }
        cache.put("be3".into(), rendered("x", reads, None), ticket);
        assert!(
            cache.get("be3", now).is_none(),
            "spanning more changes than remembered"
        );
    }

    #[test]
    fn entries_and_the_horizon_expire_when_an_event_status_can_change() {
        let cache = ResponseCache::new(64 * 1024, false);
        let now = Utc::now();
        let change = now + TimeDelta::minutes(5);
        let ticket = cache.ticket();
        cache.remember_expiry(ticket, Some(change));
        assert_eq!(cache.known_expiry(now), Some(Some(change)));
        let reads = news_list(&[], &["fr"]);
        cache.put("k".into(), rendered("a", reads, Some(change)), ticket);
        assert!(cache.get("k", change - TimeDelta::seconds(1)).is_some());
        assert!(cache.get("k", change).is_none());
        assert!(cache.known_expiry(change).is_none());

        cache.apply(published(ContentKind::News, "fr", &[]));
        assert!(cache.known_expiry(now).is_some(), "news do not move it");
        cache.apply(published(ContentKind::Event, "fr", &[]));
        assert!(cache.known_expiry(now).is_none(), "events do");
        cache.remember_expiry(ticket, Some(change));
        assert!(
            cache.known_expiry(now).is_none(),
            "worked out before the event changed"
        );
    }

    #[test]
    fn the_byte_budget_bounds_memory() {
        let reads = news_list(&[], &[]);
        let one = ENTRY_OVERHEAD_BYTES + reads.size() + 7;
        let cache = ResponseCache::new(2 * one - 1, false);
        let ticket = cache.ticket();
        cache.put("a".into(), rendered("123456", reads.clone(), None), ticket);
        cache.put("b".into(), rendered("123456", reads.clone(), None), ticket);
        let now = Utc::now();
        assert!(cache.get("a", now).is_none(), "started over");
        assert!(cache.get("b", now).is_some());
        let large = "x".repeat(2 * one);
        cache.put("c".into(), rendered(&large, reads.clone(), None), ticket);
        assert!(cache.get("c", now).is_none(), "larger than the budget");
        let long_key = "k".repeat(MAX_KEY_BYTES + 1);
        cache.put(long_key.clone(), rendered("1", reads, None), ticket);
        assert!(cache.get(&long_key, now).is_none(), "keys count too");
    }

    #[test]
    fn a_version_not_heard_of_drops_everything() {
        let cache = ResponseCache::new(64 * 1024, true);
        let now = Utc::now();
        cache.catch_up(7);
        let reads = news_list(&[], &["fr"]);
        cache.put(
            "k".into(),
            rendered("a", reads.clone(), None),
            cache.ticket(),
        );
        cache.hear(9);
        cache.hear(8);
        cache.catch_up(9);
        assert!(cache.get("k", now).is_some(), "8 and 9 were heard of");
        cache.catch_up(7);
        assert!(cache.get("k", now).is_some(), "nothing new");
        let ticket = cache.ticket();
        cache.hear(11);
        cache.catch_up(11);
        assert!(cache.get("k", now).is_none(), "10 was missed");
        cache.put("k".into(), rendered("a", reads, None), ticket);
        assert!(cache.get("k", now).is_none(), "a stale render is not kept");
    }

    #[test]
    fn a_switched_off_cache_keeps_no_response_but_list_totals() {
        let cache = ResponseCache::new(0, false);
        let reads = news_list(&["BE"], &["fr"]);
        cache.put(
            "k".into(),
            rendered("a", reads.clone(), None),
            cache.ticket(),
        );
        assert!(cache.get("k", Utc::now()).is_none());
        assert!(!cache.is_enabled());
        assert!(cache.join("k").is_none());

        let now = Utc::now();
        let expires = now + TimeDelta::seconds(30);
        let ticket = cache.ticket();
        cache.put_total("count".into(), 12, expires, reads.clone(), ticket);
        assert_eq!(cache.total("count", now), Some(12));
        assert_eq!(cache.total("count", expires), None, "the maximum age");
        cache.apply(published(ContentKind::News, "lt", &["LT"]));
        assert_eq!(cache.total("count", now), Some(12), "not in the chain");
        cache.apply(published(ContentKind::News, "fr", &[]));
        assert_eq!(cache.total("count", now), None);
        cache.apply(published(ContentKind::News, "fr", &[]));
        cache.put_total("count".into(), 12, expires, reads, ticket);
        assert_eq!(cache.total("count", now), None, "counted before a change");
    }
}
