//! A fixed-window rate limit per key (e.g. a client address), in this instance's
//! memory. Behind a load balancer each instance counts on its own, so the effective
//! limit is the configured one times the number of instances.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use crate::error::AppError;

/// How many keys are kept before expired windows are swept, so memory stays bounded.
const SWEEP_AT: usize = 10_000;

/// Per key: when its current window started, and how many requests it has had in it;
/// and when expired windows were last swept.
#[derive(Debug, Default)]
struct Windows {
    by_key: HashMap<String, (DateTime<Utc>, u32)>,
    swept_at: Option<DateTime<Utc>>,
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
        // At most once a window, so that many live keys do not make every check a sweep.
        let window = self.window;
        if counts.by_key.len() >= SWEEP_AT && counts.swept_at.is_none_or(|at| now - at >= window) {
            counts.by_key.retain(|_, (start, _)| now - *start < window);
            counts.swept_at = Some(now);
        }
        let entry = counts.by_key.entry(key.to_owned()).or_insert((now, 0));
        if now - entry.0 >= self.window {
            *entry = (now, 0);
        }
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
    fn expired_windows_are_swept_at_most_once_a_window() {
        let limit = RateLimit::new(1, Duration::from_secs(60));
        let start = Utc::now();
        for n in 0..SWEEP_AT {
            assert!(limit.check(&n.to_string(), start).is_ok());
        }
        let later = start + TimeDelta::seconds(61);
        assert!(limit.check("new", later).is_ok());
        let counts = limit.counts.lock().unwrap();
        assert_eq!(counts.by_key.len(), 1, "the expired windows are gone");
        assert_eq!(counts.swept_at, Some(later));
    }

    #[test]
    fn zero_means_unlimited() {
        let limit = RateLimit::new(0, Duration::from_secs(60));
        for _ in 0..100 {
            assert!(limit.check("k", Utc::now()).is_ok());
        }
    }
}
