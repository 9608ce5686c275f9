//! Concurrent editors on the embedded default (SQLite): `WRITERS` writers, each making
//! `WRITES` writes through the admin API (alternately creating a news item and
//! publishing it). Prints throughput, latency and every failure by status: the target
//! is no failure at all.
//!
//! Run: `cargo bench --bench concurrent_writes` (`BENCH_WRITERS=8 BENCH_WRITES=1000`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{Server, ms, percentile};

fn main() {
    let var = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let (writers, writes) = (var("BENCH_WRITERS", 8), var("BENCH_WRITES", 1000));
    let server = Server::start(&[]);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = reqwest::Client::new();
    let token = runtime.block_on(server.login(&client));
    let started = Instant::now();
    let results: Vec<(Vec<Duration>, BTreeMap<u16, usize>)> = runtime.block_on(async {
        let tasks: Vec<_> = (0..writers)
            .map(|writer| {
                let (client, token, url) = (client.clone(), token.clone(), server.url.clone());
                tokio::spawn(async move { write(&client, &url, &token, writer, writes).await })
            })
            .collect();
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.unwrap());
        }
        results
    });
    let elapsed = started.elapsed();
    let mut latencies: Vec<Duration> = results.iter().flat_map(|(l, _)| l.clone()).collect();
    let mut failures: BTreeMap<u16, usize> = BTreeMap::new();
    for (_, failed) in &results {
        for (status, count) in failed {
            *failures.entry(*status).or_default() += count;
        }
    }
    let total = latencies.len();
    let failed: usize = failures.values().sum();
    println!("concurrent writes: {writers} writers × {writes} writes, SQLite, release build");
    println!("  writes:       {total}, failed: {failed} {failures:?}");
    println!(
        "  throughput:   {:.0} writes/s ({:.1} s)",
        total as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64()
    );
    println!(
        "  latency:      p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ms(percentile(&mut latencies, 50.0)),
        ms(percentile(&mut latencies, 99.0)),
        ms(percentile(&mut latencies, 100.0))
    );
}

/// One writer's writes: latencies of all, and failures by status.
async fn write(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    writer: usize,
    writes: usize,
) -> (Vec<Duration>, BTreeMap<u16, usize>) {
    let mut latencies = Vec::with_capacity(writes);
    let mut failures = BTreeMap::new();
    let mut created: Option<String> = None;
    for n in 0..writes {
        let started = Instant::now();
        let response = match created.take() {
            Some(id) => client
                .post(format!(
                    "{url}/api/v1/admin/news/{id}/translations/en/publish"
                ))
                .bearer_auth(token)
                .send()
                .await
                .unwrap(),
            None => client
                .post(format!("{url}/api/v1/admin/news"))
                .bearer_auth(token)
                .json(&json!({ "translation": { "locale": "en",
                    "title": format!("Writer {writer}, news {n}"), "body": "Some **news**." } }))
                .send()
                .await
                .unwrap(),
        };
        latencies.push(started.elapsed());
        let status = response.status();
        if status.is_success() {
            if status == reqwest::StatusCode::CREATED {
                let body: Value = response.json().await.unwrap();
                created = body["id"].as_str().map(str::to_owned);
            }
        } else {
            *failures.entry(status.as_u16()).or_default() += 1;
        }
    }
    (latencies, failures)
}
