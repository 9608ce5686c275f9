//! Single-flight: when many readers miss the same response at once (right after a
//! publish), one renders it and the others wait for that render and share its bytes,
//! instead of each rendering the same list again.
//!
//! Hand-written rather than `moka`'s `get_with`: the cache's entries carry what they
//! were made from and are dropped by targeted invalidation, which a general cache does
//! not do, and a waiting reader must give up after a bound and render on its own.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;

/// The renders under way, by cache key.
#[derive(Debug, Default)]
pub(super) struct Flights {
    by_key: Mutex<HashMap<String, (u64, watch::Receiver<bool>)>>,
    next_id: Mutex<u64>,
}

/// A reader's part in a render.
pub enum Turn {
    /// Render, then drop the guard: the waiting readers wake.
    Lead(Leader),
    /// Another reader is rendering this response: wait for it.
    Follow(Follower),
}

/// Held by the reader rendering a key. Finished or dropped (failed, cancelled), it wakes
/// the followers, who then find the response in the cache or render it themselves.
pub struct Leader {
    flights: Arc<Flights>,
    key: String,
    id: u64,
    done: watch::Sender<bool>,
}

pub struct Follower(watch::Receiver<bool>);

/// How a follower's wait ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waited {
    /// The leader kept its response: look it up.
    Kept,
    /// The leader kept nothing (an error, a redirect, a render a change overtook):
    /// render rather than wait for another reader.
    NothingKept,
    /// The bound ran out: the leader is slow.
    TimedOut,
}

impl Flights {
    /// Leads the render of `key`, or follows the one under way.
    pub(super) fn join(self: &Arc<Self>, key: &str) -> Turn {
        let Ok(mut by_key) = self.by_key.lock() else {
            return Turn::Lead(self.leader(key, 0, watch::channel(false).0));
        };
        if let Some((_, done)) = by_key.get(key) {
            return Turn::Follow(Follower(done.clone()));
        }
        let id = self.next_id();
        let (sender, receiver) = watch::channel(false);
        by_key.insert(key.to_owned(), (id, receiver));
        Turn::Lead(self.leader(key, id, sender))
    }

    fn leader(self: &Arc<Self>, key: &str, id: u64, done: watch::Sender<bool>) -> Leader {
        Leader {
            flights: Arc::clone(self),
            key: key.to_owned(),
            id,
            done,
        }
    }

    fn next_id(&self) -> u64 {
        self.next_id.lock().map_or(0, |mut next| {
            *next = next.wrapping_add(1);
            *next
        })
    }

    /// Renders under way (for tests).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.by_key.lock().map_or(0, |by_key| by_key.len())
    }
}

impl Leader {
    /// The render is over; `kept` says whether its response is in the cache.
    pub fn finish(self, kept: bool) {
        self.done.send_replace(kept);
    }
}

impl Drop for Leader {
    fn drop(&mut self) {
        if let Ok(mut by_key) = self.flights.by_key.lock()
            && by_key.get(&self.key).is_some_and(|(id, _)| *id == self.id)
        {
            by_key.remove(&self.key);
        }
        // `done` drops after this: the followers' `changed()` returns.
    }
}

impl Follower {
    /// Waits until the leader is done, or at most `bound`.
    pub async fn wait(mut self, bound: Duration) -> Waited {
        match tokio::time::timeout(bound, self.0.changed()).await {
            Err(_) => Waited::TimedOut,
            // Finished: what it said. Dropped without a word: nothing kept.
            Ok(Ok(())) if *self.0.borrow() => Waited::Kept,
            Ok(_) => Waited::NothingKept,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn followers_wait_for_the_leader_and_the_next_miss_leads_again() {
        let flights = Arc::new(Flights::default());
        let Turn::Lead(leader) = flights.join("k") else {
            panic!("the first reader leads");
        };
        let Turn::Follow(follower) = flights.join("k") else {
            panic!("the second reader follows");
        };
        assert!(
            matches!(flights.join("other"), Turn::Lead(_)),
            "other keys are independent"
        );
        let waiting = tokio::spawn(follower.wait(Duration::from_secs(5)));
        tokio::task::yield_now().await;
        leader.finish(true);
        assert_eq!(waiting.await.unwrap(), Waited::Kept);
        assert_eq!(flights.len(), 0);

        let Turn::Lead(leader) = flights.join("k") else {
            panic!("the next miss leads again");
        };
        let Turn::Follow(follower) = flights.join("k") else {
            panic!("and others follow it");
        };
        drop(leader);
        assert_eq!(
            follower.wait(Duration::from_secs(5)).await,
            Waited::NothingKept,
            "a leader that failed kept nothing"
        );
    }

    #[tokio::test]
    async fn a_follower_gives_up_after_its_bound() {
        let flights = Arc::new(Flights::default());
        let _leader = flights.join("k");
        let Turn::Follow(follower) = flights.join("k") else {
            panic!("the second reader follows");
        };
        assert_eq!(
            follower.wait(Duration::from_millis(10)).await,
            Waited::TimedOut
        );
    }
}
