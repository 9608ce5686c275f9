//! An editor publishing while readers load: the `fr` translation of one news item is
//! taken offline and published again, one change every `every`, from core 1. Each change
//! alters the list the readers load (the item falls back to English and back).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::load::post;

pub struct Churn {
    stop: Arc<AtomicBool>,
    writer: JoinHandle<Vec<f64>>,
}

impl Churn {
    /// Starts changing news item `id` through `base`'s admin API.
    pub fn start(base: &str, token: String, id: String, every: Duration) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let running = Arc::clone(&stop);
        let base = base.to_owned();
        let writer = std::thread::spawn(move || {
            let mut latencies = Vec::new();
            for action in ["unpublish", "publish"].into_iter().cycle() {
                if running.load(Ordering::SeqCst) {
                    break;
                }
                let started = Instant::now();
                let url = format!("{base}/api/v1/admin/news/{id}/translations/fr/{action}");
                let (status, ms, body) = post(&url, Some(&token), None);
                assert_eq!(status, 200, "{action}: {body}");
                latencies.push(ms);
                std::thread::sleep(every.saturating_sub(started.elapsed()));
            }
            latencies
        });
        Self { stop, writer }
    }

    /// Stops; the latency of each change, in milliseconds.
    pub fn stop(self) -> Vec<f64> {
        self.stop.store(true, Ordering::SeqCst);
        self.writer.join().unwrap()
    }
}
