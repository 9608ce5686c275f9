//! A PostgreSQL that goes away: the server reaches the database through a TCP proxy
//! this benchmark controls, which (1) passes traffic, (2) refuses connections and cuts
//! the open ones (a database that is down), (3) keeps connections open but forwards
//! nothing (a database that stopped answering mid-query), then (4) passes traffic
//! again. For an uncached read, an admin write, a login and an upload in each state it
//! prints the status, whether `Retry-After` came, and how long the answer took.
//!
//! Needs PostgreSQL: `BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test
//! cargo bench --bench database_outage` (a scratch database is created and dropped).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Database};
use serde_json::json;
use support::Server;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

const PASS: u8 = 0;
const DOWN: u8 = 1;
const SILENT: u8 = 2;

fn main() {
    let Ok(base) = std::env::var("BENCH_DATABASE_URL") else {
        eprintln!("set BENCH_DATABASE_URL to a PostgreSQL server URL to run this benchmark");
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run(&base));
}

async fn run(base: &str) {
    let mut url = url::Url::parse(base).unwrap();
    let upstream = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(5432));
    let name = format!("bs_bench_outage_{}", std::process::id());
    let admin = Database::connect(base).await.unwrap();
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}"))
        .await
        .unwrap();
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();

    let mode = Arc::new(AtomicU8::new(PASS));
    let (cut, _) = watch::channel(0u32);
    let cut = Arc::new(cut);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy_port = listener.local_addr().unwrap().port();
    tokio::spawn(proxy(listener, upstream, mode.clone(), cut.clone()));
    url.set_port(Some(proxy_port)).unwrap();
    url.set_path(&format!("/{name}"));

    let server = Server::start(&[
        ("BUYSOCIAL__DATABASE__URL", url.to_string()),
        ("BUYSOCIAL__DELIVERY__RESPONSE_CACHE_BYTES", "0".into()),
    ]);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let token = server.login(&client).await;
    println!("database outage: PostgreSQL behind a TCP proxy, default timeouts, release build");
    println!(
        "  {:<38} {:<22} {:>6} {:>12} {:>10}",
        "database", "request", "status", "Retry-After", "answer in"
    );
    for (label, state) in [
        ("answering", PASS),
        ("down (refused, connections cut)", DOWN),
        ("silent (stops answering mid-query)", SILENT),
        ("answering again", PASS),
    ] {
        mode.store(state, Ordering::SeqCst);
        if state != PASS {
            cut.send_modify(|n| *n += 1);
        }
        for (request, response) in requests(&client, &server.url, &token).await {
            let (status, retry, took) = response;
            println!(
                "  {label:<38} {request:<22} {status:>6} {:>12} {:>8.2} s",
                retry.as_deref().unwrap_or("-"),
                took.as_secs_f64()
            );
        }
    }
    drop(server);
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .unwrap();
}

type Outcome = (u16, Option<String>, Duration);

/// An uncached read, an admin write, a login and an upload, one after the other.
async fn requests(
    client: &reqwest::Client,
    url: &str,
    token: &str,
) -> Vec<(&'static str, Outcome)> {
    let mut pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    pdf.resize(64 * 1024, b'x');
    let requests = [
        (
            "read news (uncached)",
            client.get(format!("{url}/api/v1/news?locale=en")),
        ),
        (
            "create a news item",
            client
                .post(format!("{url}/api/v1/admin/news"))
                .bearer_auth(token)
                .json(&json!({ "translation": { "locale": "en", "title": "Outage" } })),
        ),
        (
            "log in",
            client
                .post(format!("{url}/api/v1/auth/login"))
                .json(&json!({ "email": support::EMAIL, "password": support::PASSWORD })),
        ),
        (
            "upload 64 KiB",
            client
                .post(format!("{url}/api/v1/admin/assets?file_name=a.pdf"))
                .bearer_auth(token)
                .header("content-type", "application/octet-stream")
                .body(pdf),
        ),
    ];
    let mut outcomes = Vec::new();
    for (name, request) in requests {
        let started = Instant::now();
        let outcome = match request.timeout(Duration::from_secs(120)).send().await {
            Ok(response) => (
                response.status().as_u16(),
                response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned),
                started.elapsed(),
            ),
            Err(_) => (0, None, started.elapsed()),
        };
        outcomes.push((name, outcome));
    }
    outcomes
}

/// Forwards connections to `upstream` while the mode is PASS. On DOWN it refuses new
/// connections; on SILENT it accepts them and forwards nothing; a change of `cut` ends
/// the connections already open (DOWN) or freezes them (SILENT).
async fn proxy(
    listener: TcpListener,
    upstream: String,
    mode: Arc<AtomicU8>,
    cut: Arc<watch::Sender<u32>>,
) {
    loop {
        let Ok((client, _)) = listener.accept().await else {
            continue;
        };
        match mode.load(Ordering::SeqCst) {
            DOWN => drop(client),
            SILENT => {
                tokio::spawn(async move {
                    let _held = client;
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                });
            }
            _ => {
                let (upstream, mode, mut changed) =
                    (upstream.clone(), mode.clone(), cut.subscribe());
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(&upstream).await else {
                        return;
                    };
                    let (mut client, mut server) = (client, server);
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = changed.changed() => {
                            if mode.load(Ordering::SeqCst) == SILENT {
                                // Keep both ends open and say nothing, as a hung server would.
                                tokio::time::sleep(Duration::from_secs(3600)).await;
                            }
                        }
                    }
                });
            }
        }
    }
}
