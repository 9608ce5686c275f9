//! Sign-ups with mail on: the release server on the embedded default (SQLite) sending
//! through SMTP to a sink on loopback that accepts everything and counts it.
//!
//! - **Form latency**: `BENCH_SIGN_UPS` (2,000) sign-ups from `BENCH_CLIENTS` (20)
//!   clients to an event with room for all, first paced at `BENCH_RATE` (100) per
//!   second in all, then as fast as they go; the form's answer must not wait for SMTP.
//! - **Burst**: `BENCH_BURST` (1,000) sign-ups at once to an event with 100 places and
//!   a waitlist; it must end with exactly 100 pending or confirmed, the rest
//!   waitlisted, and exactly one mail to each address.
//!
//! Run: `cargo bench --bench sign_ups`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{Server, ms, percentile};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

fn main() {
    let var = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let (sign_ups, clients, burst, rate) = (
        var("BENCH_SIGN_UPS", 2000),
        var("BENCH_CLIENTS", 20),
        var("BENCH_BURST", 1000),
        var("BENCH_RATE", 100),
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let sink = runtime.block_on(Sink::start());
    let server = Server::start(&[
        ("BUYSOCIAL__MAIL__HOST", "127.0.0.1".into()),
        ("BUYSOCIAL__MAIL__PORT", sink.port.to_string()),
        ("BUYSOCIAL__MAIL__TLS", "none".into()),
        (
            "BUYSOCIAL__MAIL__FROM",
            "Bench <events@bench.example.eu>".into(),
        ),
        (
            "BUYSOCIAL__SERVER__PUBLIC_URL",
            "https://bench.example.eu".into(),
        ),
        // Every client is 127.0.0.1 here; the per-address limit is not what is measured.
        (
            "BUYSOCIAL__DELIVERY__REGISTRATIONS_PER_ADDRESS_PER_HOUR",
            "0".into(),
        ),
    ]);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(200)
        .build()
        .unwrap();
    let token = runtime.block_on(server.login(&client));
    println!("sign-ups with mail on: SQLite, SMTP to a sink on loopback, release build");

    // Form latency, paced and then flat out.
    for pace in [Some(rate), None] {
        let slug = runtime.block_on(event(&client, &server.url, &token, "Latency", 1_000_000));
        let started = Instant::now();
        let (mut latencies, answers) = runtime.block_on(form_round(
            &client,
            &server.url,
            &slug,
            sign_ups,
            clients,
            pace,
        ));
        let elapsed = started.elapsed();
        let how = match pace {
            Some(rate) => format!("paced at {rate}/s"),
            None => "flat out".to_owned(),
        };
        println!(
            "  form, {how}: {} sign-ups from {clients} clients in {:.1} s ({:.0}/s); answers {answers:?}",
            latencies.len(),
            elapsed.as_secs_f64(),
            latencies.len() as f64 / elapsed.as_secs_f64()
        );
        println!(
            "          latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            ms(percentile(&mut latencies, 50.0)),
            ms(percentile(&mut latencies, 99.0)),
            ms(percentile(&mut latencies, 100.0))
        );
        let sent = runtime.block_on(sink.wait_for(latencies.len(), Duration::from_secs(300)));
        println!(
            "          mails delivered to the sink: {sent} ({:.1} s after the first sign-up)",
            started.elapsed().as_secs_f64()
        );
        sink.reset();
    }

    // The burst.
    let slug = runtime.block_on(event(&client, &server.url, &token, "Burst", 100));
    let started = Instant::now();
    let answers: Vec<String> = runtime.block_on(async {
        let tasks: Vec<_> = (0..burst)
            .map(|i| {
                let (client, url, slug) = (client.clone(), server.url.clone(), slug.clone());
                tokio::spawn(async move {
                    sign_up(&client, &url, &slug, &format!("burst{i}@example.eu"), true).await
                })
            })
            .collect();
        let mut all = Vec::new();
        for task in tasks {
            all.push(task.await.unwrap());
        }
        all
    });
    let took = started.elapsed();
    let mut counted: BTreeMap<&str, usize> = BTreeMap::new();
    for answer in &answers {
        *counted.entry(answer.as_str()).or_default() += 1;
    }
    let listed = runtime.block_on(list(&client, &server.url, &token, &slug));
    let mut stored: BTreeMap<String, usize> = BTreeMap::new();
    for r in &listed {
        *stored
            .entry(r["status"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    let delivered = runtime.block_on(sink.wait_for(burst, Duration::from_secs(300)));
    let per_address = sink.per_address();
    let once = per_address.values().filter(|&&n| n == 1).count();
    println!(
        "  burst:  {burst} sign-ups at once, 100 places, in {:.1} s; answers {counted:?}",
        took.as_secs_f64()
    );
    println!("          stored {stored:?}");
    println!(
        "          mails: {delivered} delivered, to {} addresses, {once} of them exactly once",
        per_address.len()
    );
    let holding =
        stored.get("pending").copied().unwrap_or(0) + stored.get("confirmed").copied().unwrap_or(0);
    let verdict = if holding == 100
        && stored.get("waitlisted").copied().unwrap_or(0) == burst - 100
        && once == burst
        && per_address.len() == burst
    {
        "as required"
    } else {
        "NOT AS REQUIRED"
    };
    println!("          {holding} hold a place: {verdict}");
    println!("  peak RSS {:.1} MiB", server.peak_rss_mib());
}

/// `total` sign-ups from `clients` clients, each paced to its share of `pace` per second
/// (none: as fast as answers come); their latencies and answers.
async fn form_round(
    client: &reqwest::Client,
    url: &str,
    slug: &str,
    total: usize,
    clients: usize,
    pace: Option<usize>,
) -> (Vec<Duration>, BTreeMap<String, usize>) {
    let per_client = total / clients;
    let gap = pace.map(|rate| Duration::from_secs_f64(clients as f64 / rate as f64));
    let round = uuid::Uuid::new_v4().simple().to_string();
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let (client, url, slug, round) = (
                client.clone(),
                url.to_owned(),
                slug.to_owned(),
                round.clone(),
            );
            tokio::spawn(async move {
                let began = tokio::time::Instant::now();
                let mut latencies = Vec::with_capacity(per_client);
                let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
                for i in 0..per_client {
                    if let Some(gap) = gap {
                        // Spread the clients over the gap, then one sign-up per gap each.
                        let offset = gap.mul_f64(c as f64 / clients as f64);
                        tokio::time::sleep_until(began + offset + gap * i as u32).await;
                    }
                    let email = format!("reader{c}-{i}-{round}@example.eu");
                    let sent = Instant::now();
                    let answer = sign_up(&client, &url, &slug, &email, false).await;
                    latencies.push(sent.elapsed());
                    *statuses.entry(answer).or_default() += 1;
                }
                (latencies, statuses)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut answers: BTreeMap<String, usize> = BTreeMap::new();
    for task in tasks {
        let (l, statuses) = task.await.unwrap();
        latencies.extend(l);
        for (status, count) in statuses {
            *answers.entry(status).or_default() += count;
        }
    }
    (latencies, answers)
}

/// A published event in Portugal a month ahead, taking sign-ups through the form.
async fn event(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    title: &str,
    capacity: i64,
) -> String {
    let day = chrono::Utc::now() + chrono::TimeDelta::days(30);
    let created: Value = client
        .post(format!("{url}/api/v1/admin/events"))
        .bearer_auth(token)
        .json(&json!({
            "countries": ["PT"],
            "fields": { "city": "Lisboa", "time_zone": "Europe/Lisbon", "capacity": capacity,
                "starts_at": day.format("%Y-%m-%dT09:30:00+00:00").to_string(),
                "ends_at": day.format("%Y-%m-%dT16:30:00+00:00").to_string(),
                "registration_mode": "form" },
            "translation": { "locale": "en", "title": format!("{title} {}", uuid::Uuid::new_v4()) }
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().expect("an event").to_owned();
    let published = client
        .post(format!(
            "{url}/api/v1/admin/events/{id}/translations/en/publish"
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert!(published.status().is_success());
    created["translations"][0]["draft"]["slug"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// One sign-up; the answer's status, or the HTTP status when refused.
async fn sign_up(
    client: &reqwest::Client,
    url: &str,
    slug: &str,
    email: &str,
    waitlist: bool,
) -> String {
    let answer = client
        .post(format!(
            "{url}/api/v1/events/{slug}/registrations?locale=en"
        ))
        .json(
            &json!({ "name": "Ana Silva", "email": email, "organisation": "Câmara Municipal",
            "organisation_type": "public_buyer", "country": "PT", "consent": true,
            "waitlist": waitlist }),
        )
        .send()
        .await
        .unwrap();
    if answer.status() != reqwest::StatusCode::CREATED {
        return answer.status().as_u16().to_string();
    }
    let body: Value = answer.json().await.unwrap();
    body["status"].as_str().unwrap().to_owned()
}

async fn list(client: &reqwest::Client, url: &str, token: &str, slug: &str) -> Vec<Value> {
    let event: Value = client
        .get(format!("{url}/api/v1/events/{slug}?locale=en"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = event["id"].as_str().unwrap();
    client
        .get(format!("{url}/api/v1/admin/events/{id}/registrations"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// An SMTP server that accepts every message and counts the recipients.
struct Sink {
    port: u16,
    recipients: Arc<Mutex<Vec<String>>>,
}

impl Sink {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let recipients: Arc<Mutex<Vec<String>>> = Arc::default();
        let received = recipients.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let received = received.clone();
                tokio::spawn(async move {
                    let _ = session(stream, received).await;
                });
            }
        });
        Self { port, recipients }
    }

    fn reset(&self) {
        self.recipients.lock().unwrap().clear();
    }

    /// How many messages arrived, once `count` have or `patience` is over.
    async fn wait_for(&self, count: usize, patience: Duration) -> usize {
        let began = Instant::now();
        loop {
            let now = self.recipients.lock().unwrap().len();
            if now >= count || began.elapsed() > patience {
                // A little longer, to see any copy.
                tokio::time::sleep(Duration::from_secs(2)).await;
                return self.recipients.lock().unwrap().len();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn per_address(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for to in self.recipients.lock().unwrap().iter() {
            *counts.entry(to.clone()).or_default() += 1;
        }
        counts
    }
}

/// One SMTP session: greeting, EHLO, then messages, each recorded by its recipients.
async fn session(
    stream: tokio::net::TcpStream,
    received: Arc<Mutex<Vec<String>>>,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 sink ESMTP\r\n").await?;
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_ascii_uppercase();
        let reply: &[u8] = if command.starts_with("EHLO") {
            b"250-sink\r\n250 8BITMIME\r\n"
        } else if command.starts_with("RCPT TO:") {
            let address = line.trim_end()[8..]
                .trim()
                .trim_matches(['<', '>'])
                .to_ascii_lowercase();
            to.push(address);
            b"250 OK\r\n"
        } else if command == "DATA" {
            write.write_all(b"354 go on\r\n").await?;
            loop {
                line.clear();
                if lines.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" {
                    break;
                }
            }
            received.lock().unwrap().append(&mut to);
            b"250 queued\r\n"
        } else if command == "QUIT" {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            // HELO, MAIL FROM, RSET, NOOP.
            to.retain(|_| !command.starts_with("RSET"));
            b"250 OK\r\n"
        };
        write.write_all(reply).await?;
    }
}
