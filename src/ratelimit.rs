//! A fixed-window rate limit per key (e.g. a client address), in this instance's
//! memory. Behind a load balancer each instance counts on its own, so the effective
//! limit is the configured one times the number of instances.
//!
//! The keys kept are bounded: past [`MAX_KEYS`], expired windows are swept, and if that
//! is not enough the oldest windows are dropped (forgetting a count errs towards letting
//! a request through), so that requests from many addresses cannot grow memory.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use crate::error::AppError;

/// How many keys are kept at most.
const MAX_KEYS: usize = 100_000;

/// What a per-address limit counts for `address`: an IPv4 address as it is, an IPv6
/// one by its network of `ipv6_prefix` bits (a client usually holds a whole /64), and
/// an IPv4 address written as IPv6 (`::ffff:a.b.c.d`) as the IPv4 address.
pub fn limit_key(address: IpAddr, ipv6_prefix: u8) -> String {
    match address {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let prefix = u32::from(ipv6_prefix.min(128));
                let mask = u128::MAX.checked_shl(128 - prefix).unwrap_or(0);
                let network = std::net::Ipv6Addr::from(u128::from(v6) & mask);
                format!("{network}/{prefix}")
            }
        },
    }
}

/// Per key: when its current window started, and how many requests it has had in it;
/// the window starts in the order they began (an entry whose key has started a newer
/// window since is stale, and skipped); and when expired windows were last swept.
#[derive(Debug, Default)]
struct Windows {
    by_key: HashMap<String, (DateTime<Utc>, u32)>,
    started: VecDeque<(String, DateTime<Utc>)>,
    swept_at: Option<DateTime<Utc>>,
}

impl Windows {
    /// Makes room for one more key: expired windows first, then the oldest ones.
    fn make_room(&mut self, now: DateTime<Utc>, window: TimeDelta) {
        if self.by_key.len() < MAX_KEYS {
            return;
        }
        // At most once a window, so that many live keys do not make every check a sweep.
        if self.swept_at.is_none_or(|at| now - at >= window) {
            self.by_key.retain(|_, (start, _)| now - *start < window);
            self.swept_at = Some(now);
        }
        while self.by_key.len() >= MAX_KEYS {
            let Some((key, start)) = self.started.pop_front() else {
                break;
            };
            if self
                .by_key
                .get(&key)
                .is_some_and(|(current, _)| *current == start)
            {
                self.by_key.remove(&key);
            }
        }
        self.forget_stale_starts();
    }

    /// Drops the starts of windows that are over (their key started again, or was
    /// swept), once they outnumber the live ones: the queue stays within twice the keys.
    fn forget_stale_starts(&mut self) {
        if self.started.len() > 2 * self.by_key.len() + 1024 {
            let by_key = &self.by_key;
            self.started.retain(|(key, start)| {
                by_key.get(key).is_some_and(|(current, _)| current == start)
            });
        }
    }
}

#[derive(Debug, Clone)]
pub struct RateLimit {
    max: u32,
    window: TimeDelta,
    counts: Arc<Mutex<Windows>>,
}

impl RateLimit {
    pub fn new(max: u32, window: Duration) -> Self {
        Self {
            max,
            window: TimeDelta::from_std(window).unwrap_or(TimeDelta::hours(1)),
            counts: Arc::default(),
        }
    }

    /// Whether it limits anything (a limit of 0 does not).
    pub fn is_enabled(&self) -> bool {
        self.max > 0
    }

    /// Counts one request for `key` at `now`; 429 once the window's allowance is used.
    pub fn check(&self, key: &str, now: DateTime<Utc>) -> Result<(), AppError> {
        if self.max == 0 {
            return Ok(());
        }
        let mut counts = self
            .counts
            .lock()
            .map_err(|_| AppError::internal("the rate limit's lock is poisoned"))?;
        let window = self.window;
        let fresh = counts
            .by_key
            .get(key)
            .is_none_or(|(start, _)| now - *start >= window);
        if fresh {
            if !counts.by_key.contains_key(key) {
                counts.make_room(now, window);
            }
            counts.by_key.insert(key.to_owned(), (now, 0));
            counts.started.push_back((key.to_owned(), now));
            counts.forget_stale_starts();
        }
        let Some(entry) = counts.by_key.get_mut(key) else {
            return Ok(());
        };
        if entry.1 >= self.max {
            let left = (entry.0 + self.window - now).num_seconds().max(1);
            return Err(AppError::TooManyRequests {
                retry_after: Duration::from_secs(u64::try_from(left).unwrap_or(1)),
            });
        }
        entry.1 += 1;
        Ok(())
    }
}

/// The limits on delivery reads.
#[derive(Debug, Clone)]
pub struct ReadLimits {
    /// Requests without a token, per client address.
    pub per_address: RateLimit,
    /// Requests with a token, per token.
    pub per_token: RateLimit,
}

impl ReadLimits {
    pub fn per_minute(per_address: u32, per_token: u32) -> Self {
        let minute = Duration::from_secs(60);
        Self {
            per_address: RateLimit::new(per_address, minute),
            per_token: RateLimit::new(per_token, minute),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_allowance_renews_each_window() {
        let limit = RateLimit::new(2, Duration::from_secs(60));
        let start = Utc::now();
        assert!(limit.check("1.2.3.4", start).is_ok());
        assert!(limit.check("1.2.3.4", start).is_ok());
        assert!(matches!(
            limit.check("1.2.3.4", start),
            Err(AppError::TooManyRequests { .. })
        ));
        assert!(limit.check("5.6.7.8", start).is_ok(), "keys count apart");
        assert!(
            limit
                .check("1.2.3.4", start + TimeDelta::seconds(61))
                .is_ok()
        );
    }

    #[test]
    fn expired_windows_are_swept_when_the_keys_are_many() {
        let limit = RateLimit::new(1, Duration::from_secs(60));
        let start = Utc::now();
        for n in 0..MAX_KEYS {
            assert!(limit.check(&n.to_string(), start).is_ok());
        }
        let later = start + TimeDelta::seconds(61);
        assert!(limit.check("new", later).is_ok());
        let counts = limit.counts.lock().unwrap();
        assert_eq!(counts.by_key.len(), 1, "the expired windows are gone");
        assert_eq!(counts.swept_at, Some(later));
    }

    #[test]
    fn many_live_keys_drop_the_oldest_windows_and_memory_stays_bounded() {
        let limit = RateLimit::new(1, Duration::from_secs(3600));
        let start = Utc::now();
        for n in 0..MAX_KEYS + 10 {
            let at = start + TimeDelta::milliseconds(i64::try_from(n).unwrap());
            assert!(limit.check(&n.to_string(), at).is_ok());
        }
        let counts = limit.counts.lock().unwrap();
        assert!(counts.by_key.len() <= MAX_KEYS);
        assert!(!counts.by_key.contains_key("0"), "the oldest went first");
        assert!(counts.by_key.contains_key(&(MAX_KEYS + 9).to_string()));
        assert!(counts.started.len() <= 2 * MAX_KEYS + 1025);
    }

    #[test]
    fn a_few_keys_renewing_their_windows_keep_the_queue_small() {
        let limit = RateLimit::new(1, Duration::from_secs(1));
        let start = Utc::now();
        for n in 0..100_000i64 {
            let at = start + TimeDelta::seconds(n);
            assert!(limit.check(&(n % 10).to_string(), at).is_ok());
        }
        let counts = limit.counts.lock().unwrap();
        assert!(
            counts.started.len() <= 2 * 10 + 1025,
            "{}",
            counts.started.len()
        );
    }

    #[test]
    fn ipv6_clients_count_by_their_network() {
        let key = |raw: &str, prefix| limit_key(raw.parse().unwrap(), prefix);
        assert_eq!(key("2001:db8:1:2:aaaa::1", 64), "2001:db8:1:2::/64");
        assert_eq!(
            key("2001:db8:1:2:aaaa::1", 64),
            key("2001:db8:1:2:ffff:ffff:ffff:ffff", 64)
        );
        assert_ne!(key("2001:db8:1:2::1", 64), key("2001:db8:1:3::1", 64));
        assert_eq!(key("2001:db8:1:2::1", 128), "2001:db8:1:2::1/128");
        assert_eq!(key("::ffff:192.0.2.7", 64), "192.0.2.7");
        assert_eq!(key("192.0.2.7", 64), "192.0.2.7");
    }

    #[test]
    fn zero_means_unlimited() {
        let limit = RateLimit::new(0, Duration::from_secs(60));
        for _ in 0..100 {
            assert!(limit.check("k", Utc::now()).is_ok());
        }
    }
}
