//! How long a failed send waits before the next attempt: the webhook and mail outboxes
//! back off alike.

use chrono::TimeDelta;
use rand::RngExt as _;

/// `base_seconds × 2^(attempts-1)`, at most `max_seconds`, give or take a quarter at
/// random so that a receiver coming back is not hit by every retry at once; at least a
/// second.
pub fn backoff(base_seconds: u64, max_seconds: u64, attempts: i32) -> TimeDelta {
    let exponent = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(30);
    let base = base_seconds
        .saturating_mul(1u64 << exponent)
        .min(max_seconds);
    let jitter: f64 = rand::rng().random_range(0.75..1.25);
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
    let millis = (base as f64 * 1000.0 * jitter) as i64;
    TimeDelta::milliseconds(millis.max(1000))
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn retries_back_off_exponentially_with_jitter_up_to_a_cap() {
        for (attempts, nominal) in [(1, 10.0), (2, 20.0), (3, 40.0), (12, 3600.0)] {
            for _ in 0..50 {
                let seconds = backoff(10, 3600, attempts).num_milliseconds() as f64 / 1000.0;
                assert!(
                    seconds >= nominal * 0.75 && seconds <= nominal * 1.25,
                    "{attempts}: {seconds}"
                );
            }
        }
    }
}
