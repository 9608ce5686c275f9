//! The load side: wrk for readers, curl for single requests (both pinned to core 1).

use std::process::Command;

/// What wrk measured.
pub struct Load {
    pub requests: u64,
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// Loads `url` for `seconds` with `connections` connections, from core 1.
pub fn wrk(url: &str, connections: u32, seconds: u32) -> Load {
    let output = Command::new("taskset")
        .args(["-c", "1", "wrk", "-t1", "--latency"])
        .arg(format!("-c{connections}"))
        .arg(format!("-d{seconds}s"))
        .arg(url)
        .output()
        .expect("wrk runs");
    let text = String::from_utf8_lossy(&output.stdout);
    let field = |prefix: &str| {
        text.lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix(prefix))
            .map(|v| v.trim().to_owned())
            .unwrap_or_else(|| panic!("no {prefix:?} in wrk's output:\n{text}"))
    };
    assert!(
        !text.contains("Non-2xx"),
        "{url} answered errors under load:\n{text}"
    );
    let requests = text
        .lines()
        .find_map(|l| l.trim().split_once(" requests in "))
        .and_then(|(n, _)| n.trim().parse().ok())
        .unwrap_or_else(|| {
            let errors = String::from_utf8_lossy(&output.stderr);
            panic!("no request count in wrk's output:\n{text}\n{errors}")
        });
    Load {
        requests,
        requests_per_second: field("Requests/sec:").parse().unwrap(),
        p50_ms: millis(&field("50%")),
        p99_ms: millis(&field("99%")),
    }
}

/// wrk's durations: `812.00us`, `1.23ms`, `1.01s`.
fn millis(value: &str) -> f64 {
    let number = |suffix: &str| value.trim_end_matches(suffix).parse::<f64>().unwrap();
    if value.ends_with("us") {
        number("us") / 1000.0
    } else if value.ends_with("ms") {
        number("ms")
    } else if value.ends_with('s') {
        number("s") * 1000.0
    } else {
        panic!("unexpected duration {value:?}")
    }
}

pub fn fetch(url: &str) -> Vec<u8> {
    let output = Command::new("curl")
        .args(["-sf", url])
        .output()
        .expect("curl runs");
    assert!(output.status.success(), "GET {url} failed");
    output.stdout
}

/// `POST url` with `token` (and a JSON `body`), from core 1: the status and the time
/// to the answer, in milliseconds, as curl measured it.
pub fn post(url: &str, token: Option<&str>, body: Option<&str>) -> (u16, f64, String) {
    let mut command = Command::new("taskset");
    command.args([
        "-c",
        "1",
        "curl",
        "-s",
        "-X",
        "POST",
        "-w",
        "\n%{http_code} %{time_total}",
    ]);
    if let Some(token) = token {
        command.args(["-H", &format!("Authorization: Bearer {token}")]);
    }
    if let Some(body) = body {
        command.args(["-H", "Content-Type: application/json", "--data", body]);
    }
    let output = command.arg(url).output().expect("curl runs");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let (body, status_line) = text.rsplit_once('\n').unwrap_or(("", &text));
    let mut parts = status_line.split_whitespace();
    let status = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    let seconds: f64 = parts
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(f64::NAN);
    (status, seconds * 1000.0, body.to_owned())
}

/// The `p`-th percentile (0–100) of `samples`, which it sorts.
pub fn percentile(samples: &mut [f64], p: f64) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    samples.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * (samples.len() - 1) as f64).round() as usize;
    samples[rank.min(samples.len() - 1)]
}
