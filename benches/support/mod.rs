//! What the benchmarks share: a release server started in a temp dir on SQLite and the
//! local file store, logging in, reading its memory, and latency percentiles.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

pub const EMAIL: &str = "bench@example.org";
pub const PASSWORD: &str = "benchmark password";

/// A running server; killed when dropped.
pub struct Server {
    pub url: String,
    pub child: Child,
    _dir: tempfile::TempDir,
}

impl Server {
    /// Starts the binary with `env` on top of the embedded defaults and waits until it
    /// listens.
    pub fn start(env: &[(&str, String)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_buysocial"));
        command
            .current_dir(dir.path())
            .env("BUYSOCIAL__SERVER__BIND", "127.0.0.1:0")
            .env("BUYSOCIAL__LOG__LEVEL", "warn")
            .env("BUYSOCIAL__BOOTSTRAP__ADMIN_EMAIL", EMAIL)
            .env("BUYSOCIAL__BOOTSTRAP__ADMIN_PASSWORD", PASSWORD)
            .stderr(Stdio::piped());
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn().unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let url = loop {
            let mut line = String::new();
            assert!(
                stderr.read_line(&mut line).unwrap() > 0,
                "the server exited early"
            );
            if let Some(rest) = line.split("listening on ").nth(1) {
                break rest.split_whitespace().next().unwrap().to_owned();
            }
        };
        // Keep draining stderr so that the server never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sink = String::new();
            while stderr.read_line(&mut sink).map(|n| n > 0).unwrap_or(false) {
                sink.clear();
            }
        });
        Self {
            url,
            child,
            _dir: dir,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Peak resident memory so far, in MiB (Linux `VmHWM`).
    pub fn peak_rss_mib(&self) -> f64 {
        status_kib(self.pid(), "VmHWM:") / 1024.0
    }

    /// Resident memory now, in MiB (Linux `VmRSS`).
    pub fn rss_mib(&self) -> f64 {
        status_kib(self.pid(), "VmRSS:") / 1024.0
    }

    pub async fn login(&self, client: &reqwest::Client) -> String {
        let login: Value = client
            .post(format!("{}/api/v1/auth/login", self.url))
            .json(&json!({ "email": EMAIL, "password": PASSWORD }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        login["token"].as_str().unwrap().to_owned()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn status_kib(pid: u32, key: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(f64::NAN)
}

/// The `p`-th percentile (0–100) of `samples`, which it sorts.
pub fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    samples.sort_unstable();
    let rank = ((p / 100.0) * (samples.len() - 1) as f64).round() as usize;
    samples[rank.min(samples.len() - 1)]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
