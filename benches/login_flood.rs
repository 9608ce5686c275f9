//! A wrong-password flood: `BENCH_FLOOD_CLIENTS` clients (200) send logins with wrong
//! passwords for `BENCH_FLOOD_SECONDS` (60) while one reader times a cached delivery
//! read every 10 ms. Prints the server's peak memory during the flood and its memory
//! after it, the readers' latency, and how the logins were answered.
//!
//! Three rounds: "distributed" (throttling out of the way, so every login costs a
//! password hash, as a flood from many addresses would), "one address" (the default
//! throttle), and "second factor" (throttling out of the way, the account has
//! two-factor sign-in on, and every client sends its right password, then a wrong code:
//! a password hash, a challenge and a code check each). Run:
//! `cargo bench --bench login_flood`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use support::{Server, ms, percentile};

fn main() {
    let var = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let clients = var("BENCH_FLOOD_CLIENTS", 200) as usize;
    let seconds = var("BENCH_FLOOD_SECONDS", 60);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    println!(
        "login flood: {clients} clients × {seconds} s of wrong passwords, SQLite, release build"
    );
    for (round, throttle, second_factor) in [
        (
            "distributed (every login hashed)",
            vec![
                (
                    "BUYSOCIAL__AUTH__THROTTLE__MAX_FAILURES_PER_ADDRESS",
                    "1000000000".to_owned(),
                ),
                (
                    "BUYSOCIAL__AUTH__THROTTLE__MAX_FAILURES_PER_ACCOUNT",
                    "1000000000".to_owned(),
                ),
            ],
            false,
        ),
        ("one address (default throttle)", vec![], false),
        (
            "second factor (right password, wrong code; every login hashed)",
            unthrottled(),
            true,
        ),
    ] {
        let server = Server::start(&throttle);
        let length = Duration::from_secs(seconds);
        runtime.block_on(async {
            if second_factor {
                turn_on_second_factor(&server).await;
            }
            flood(&server, round, clients, length, second_factor).await;
        });
    }
}

fn unthrottled() -> Vec<(&'static str, String)> {
    [
        "BUYSOCIAL__AUTH__THROTTLE__MAX_FAILURES_PER_ADDRESS",
        "BUYSOCIAL__AUTH__THROTTLE__MAX_FAILURES_PER_ACCOUNT",
        "BUYSOCIAL__AUTH__THROTTLE__MAX_FAILURES_PER_ACCOUNT_ALL_ADDRESSES",
    ]
    .into_iter()
    .map(|key| (key, "1000000000".to_owned()))
    .collect()
}

/// Turns two-factor sign-in on for the bench's account, as its owner would.
async fn turn_on_second_factor(server: &Server) {
    use buysocial::services::accounts::two_factor::totp::{code_at, step_at};
    let client = reqwest::Client::new();
    let login: serde_json::Value = client
        .post(format!("{}/api/v1/auth/login", server.url))
        .json(&json!({ "email": support::EMAIL, "password": support::PASSWORD }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().unwrap();
    let enrolment: serde_json::Value = client
        .post(format!("{}/api/v1/auth/totp/enrol", server.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = enrolment["secret"].as_str().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let code = code_at(secret, step_at(i64::try_from(now).unwrap())).unwrap();
    let confirmed = client
        .post(format!("{}/api/v1/auth/totp/confirm", server.url))
        .bearer_auth(token)
        .json(&json!({ "code": code }))
        .send()
        .await
        .unwrap();
    assert!(
        confirmed.status().is_success(),
        "two-factor sign-in turns on"
    );
}

async fn flood(
    server: &Server,
    round: &str,
    clients: usize,
    length: Duration,
    second_factor: bool,
) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients + 8)
        .build()
        .unwrap();
    let read_url = format!("{}/api/v1/news?locale=en", server.url);
    client.get(&read_url).send().await.unwrap();
    let rss_before = server.rss_mib();
    let running = Arc::new(AtomicBool::new(true));
    let floods: Vec<_> = (0..clients)
        .map(|n| {
            let (client, url, running) = (client.clone(), server.url.clone(), running.clone());
            tokio::spawn(async move {
                let mut answers: BTreeMap<u16, usize> = BTreeMap::new();
                while running.load(Ordering::Relaxed) {
                    let status = if second_factor {
                        right_password_wrong_code(&client, &url).await
                    } else {
                        match client
                            .post(format!("{url}/api/v1/auth/login"))
                            .json(&json!({ "email": format!("guess{n}@example.org"), "password": "wrong wrong wrong" }))
                            .send()
                            .await
                        {
                            Ok(response) => response.status().as_u16(),
                            Err(_) => 0,
                        }
                    };
                    *answers.entry(status).or_default() += 1;
                    if status == 429 {
                        // As a throttled client would: wait a little before trying again.
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }
                answers
            })
        })
        .collect();
    let started = Instant::now();
    let mut reads = Vec::new();
    let mut peak_rss = rss_before;
    while started.elapsed() < length {
        let sent = Instant::now();
        let status = client.get(&read_url).send().await.map(|r| r.status());
        reads.push(sent.elapsed());
        assert!(
            status.is_ok_and(|s| s.is_success()),
            "a delivery read failed"
        );
        peak_rss = peak_rss.max(server.rss_mib());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    running.store(false, Ordering::Relaxed);
    let mut answers: BTreeMap<u16, usize> = BTreeMap::new();
    for flood in floods {
        for (status, count) in flood.await.unwrap() {
            *answers.entry(status).or_default() += count;
        }
    }
    tokio::time::sleep(Duration::from_secs(5)).await;
    let rss_after = server.rss_mib();
    println!("  {round}:");
    if second_factor {
        println!("    (the status counted is the code step's; 200 would be a guessed code)");
    }
    println!("    logins answered: {answers:?}");
    println!(
        "    server RSS: {rss_before:.1} MiB before, peak {:.1} MiB during (VmHWM {:.1}), {rss_after:.1} MiB 5 s after",
        peak_rss,
        server.peak_rss_mib()
    );
    println!(
        "    cached delivery read during the flood ({} reads): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        reads.len(),
        ms(percentile(&mut reads, 50.0)),
        ms(percentile(&mut reads, 99.0)),
        ms(percentile(&mut reads, 100.0))
    );
}

/// The right password, then a wrong code: the status of the code step (or of the
/// password step when it did not ask for a code).
async fn right_password_wrong_code(client: &reqwest::Client, url: &str) -> u16 {
    let Ok(response) = client
        .post(format!("{url}/api/v1/auth/login"))
        .json(&json!({ "email": support::EMAIL, "password": support::PASSWORD }))
        .send()
        .await
    else {
        return 0;
    };
    let status = response.status().as_u16();
    let Ok(body) = response.json::<serde_json::Value>().await else {
        return status;
    };
    let Some(challenge) = body["challenge"].as_str() else {
        return status;
    };
    match client
        .post(format!("{url}/api/v1/auth/login/totp"))
        .json(&json!({ "challenge": challenge, "code": "000000" }))
        .send()
        .await
    {
        Ok(response) => response.status().as_u16(),
        Err(_) => 0,
    }
}
