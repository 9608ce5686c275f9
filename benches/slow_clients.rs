//! Slow clients: `BENCH_SLOW_CONNECTIONS` (2,000) connections each send half a request
//! head and then trickle a byte every few seconds, as slowloris does; meanwhile
//! `/health/live` and a cached delivery read are timed on fresh connections. Prints
//! their latency and how many slow connections the server cut off, and when.
//!
//! Run: `cargo bench --bench slow_clients`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::{Duration, Instant};

use support::{Server, ms, percentile};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn main() {
    let connections: usize = std::env::var("BENCH_SLOW_CONNECTIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    // This process holds every slow connection too.
    rlimit::increase_nofile_limit(u64::MAX).unwrap();
    let server = Server::start(&[]);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run(&server, connections));
}

async fn run(server: &Server, connections: usize) {
    let address = server.url.trim_start_matches("http://").to_owned();
    let client = reqwest::Client::new();
    let read_url = format!("{}/api/v1/news?locale=en", server.url);
    client.get(&read_url).send().await.unwrap();

    let started = Instant::now();
    let held = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut slow = Vec::with_capacity(connections);
    for _ in 0..connections {
        let (address, held) = (address.clone(), held.clone());
        slow.push(tokio::spawn(async move {
            let Ok(mut stream) = TcpStream::connect(&address).await else {
                return None;
            };
            let opened = Instant::now();
            if stream
                .write_all(b"GET /api/v1/news?locale=en HTTP/1.1\r\nHost: buysocial\r\nX-Slow: ")
                .await
                .is_err()
            {
                return Some(opened.elapsed());
            }
            held.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut buffer = [0u8; 256];
            loop {
                tokio::select! {
                    read = stream.read(&mut buffer) => {
                        if matches!(read, Ok(0) | Err(_)) {
                            return Some(opened.elapsed());
                        }
                    }
                    () = tokio::time::sleep(Duration::from_secs(3)) => {
                        if stream.write_all(b"a").await.is_err() {
                            return Some(opened.elapsed());
                        }
                    }
                }
                if opened.elapsed() > Duration::from_secs(40) {
                    return None;
                }
            }
        }));
    }
    // Probe once they are all held (the head deadline is 10 s by default).
    while held.load(std::sync::atomic::Ordering::SeqCst) < connections
        && started.elapsed() < Duration::from_secs(5)
    {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let opened = started.elapsed();
    let holding = held.load(std::sync::atomic::Ordering::SeqCst);
    let mut health = Vec::new();
    let mut reads = Vec::new();
    let probing = Instant::now();
    while probing.elapsed() < Duration::from_secs(6) {
        for (url, samples) in [
            (format!("{}/health/live", server.url), &mut health),
            (read_url.clone(), &mut reads),
        ] {
            // A fresh connection each time, as a new visitor's.
            let fresh = reqwest::Client::builder()
                .pool_max_idle_per_host(0)
                .build()
                .unwrap();
            let sent = Instant::now();
            let ok = fresh
                .get(&url)
                .timeout(Duration::from_secs(10))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            samples.push(if ok {
                sent.elapsed()
            } else {
                Duration::from_secs(10)
            });
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut cut = Vec::new();
    for task in slow {
        if let Some(after) = task.await.unwrap() {
            cut.push(after);
        }
    }
    println!(
        "slow clients: {connections} half-sent request heads, trickling a byte every 3 s, release build"
    );
    println!(
        "  {holding} held after {:.2} s; server RSS {:.1} MiB",
        opened.as_secs_f64(),
        server.rss_mib()
    );
    for (name, samples) in [
        ("/health/live", &mut health),
        ("cached news list", &mut reads),
    ] {
        println!(
            "  {name:<17} ({} probes on fresh connections): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            samples.len(),
            ms(percentile(samples, 50.0)),
            ms(percentile(samples, 99.0)),
            ms(percentile(samples, 100.0))
        );
    }
    println!(
        "  slow connections cut off by the server: {} of {connections}, after p50 {:.1} s, max {:.1} s",
        cut.len(),
        percentile(&mut cut, 50.0).as_secs_f64(),
        percentile(&mut cut, 100.0).as_secs_f64()
    );
}
