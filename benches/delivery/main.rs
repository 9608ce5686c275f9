//! Delivery load benchmark. Seeds a SQLite database through the editors' services (news
//! items × 6 locales, events, materials with files, plus the demo sites), starts the
//! release server on it and loads it with wrk. Scenarios (`BENCH_SCENARIOS`, comma-
//! separated; default `scopes,churn,scale`, plus `postgres` when `BENCH_DATABASE_URL` is
//! set):
//!
//! - `scopes`: three requests (the news list, 20 items in French with English fallback;
//!   one news item by slug; the upcoming events of a country with their materials), each
//!   also served as a static file holding the very same bytes by nginx (one worker), with
//!   the ratio buysocial/nginx: the figure to steer by, since absolute numbers drift on
//!   shared machines. The server runs with the response cache (default scope), in its
//!   shared scope (a version read per request on SQLite), and without it.
//! - `churn`: the news list with the cache on, without writes and then while an editor
//!   publishes or unpublishes the list's first item every 100 ms (`BENCH_CHURN_MS`),
//!   with each publish's latency.
//! - `scale`: the news list with the cache off on the seeded database and on a copy grown
//!   to `BENCH_SCALE_NEWS` news items (default 100,000) by cloning the published rows.
//! - `postgres`: on PostgreSQL (`BENCH_DATABASE_URL`, a database the benchmark drops and
//!   recreates; `BENCH_PG_NEWS` news items, default 300), cache hits in the `instance` and
//!   `shared` scopes, and how long a publish through one instance takes to be served by
//!   another (two servers in the shared scope).
//!
//! The server and nginx run on core 0, wrk and the editor on core 1, access logs off.
//!
//! Run: `cargo bench --bench delivery`. Needs `wrk` and `nginx` (Debian: `apt-get install
//! wrk nginx`). Settings: `BENCH_NEWS` (default 1,000), `BENCH_EVENTS` (300),
//! `BENCH_MATERIALS` (1,000), `BENCH_SECONDS` (per run, default 10), `BENCH_CONNECTIONS`
//! (32). Seeded databases are kept under `target/bench-delivery/` and reused while the
//! sizes are the same.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod churn;
mod load;
mod postgres;
mod scale;
mod seed;
mod server;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use buysocial::clock::Clock;
use buysocial::services::kernel::actor::Actor;
use buysocial::settings::{DatabaseUrl, Secret, Settings, StorageUrl};

use load::{fetch, percentile, wrk};
use server::{Nginx, Server};

pub const EMAIL: &str = "bench@example.org";
pub const PASSWORD: &str = "benchmark password";

/// The list every scenario loads.
pub const NEWS_LIST: &str = "/api/v1/news?locale=fr&fallback=en&per_page=20";

pub struct Options {
    pub sizes: seed::Sizes,
    pub seconds: u32,
    pub connections: u32,
}

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    for tool in ["wrk", "nginx", "taskset", "curl"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            found,
            "{tool} is needed: apt-get install wrk nginx util-linux curl"
        );
    }
    let options = Options {
        sizes: seed::Sizes {
            news: env_or("BENCH_NEWS", 1000),
            events: env_or("BENCH_EVENTS", 300),
            materials: env_or("BENCH_MATERIALS", 1000),
        },
        seconds: env_or("BENCH_SECONDS", 10) as u32,
        connections: env_or("BENCH_CONNECTIONS", 32) as u32,
    };
    let postgres_url = std::env::var("BENCH_DATABASE_URL").ok();
    let default_scenarios = if postgres_url.is_some() {
        "scopes,churn,scale,postgres"
    } else {
        "scopes,churn,scale"
    };
    let scenarios = std::env::var("BENCH_SCENARIOS").unwrap_or_else(|_| default_scenarios.into());
    let sizes = options.sizes;
    let dir = seeded(sizes);
    println!(
        "# buysocial delivery benchmark: {} news × {} locales, {} events, {} materials; \
         wrk -t1 -c{} -d{}s; server and nginx on core 0, wrk on core 1",
        sizes.news,
        seed::LOCALES.len(),
        sizes.events,
        sizes.materials,
        options.connections,
        options.seconds
    );
    for scenario in scenarios.split(',').map(str::trim) {
        match scenario {
            "scopes" => scopes(&dir, &options),
            "churn" => churn(&dir, &options),
            "scale" => scale::run(&dir, &options, env_or("BENCH_SCALE_NEWS", 100_000)),
            "postgres" => match &postgres_url {
                Some(url) => postgres::run(url, &options, env_or("BENCH_PG_NEWS", 300)),
                None => println!("\n## postgres: skipped (BENCH_DATABASE_URL is not set)"),
            },
            other => panic!("unknown scenario {other:?}"),
        }
    }
}

/// The seeded SQLite database's directory, seeding it first if needed.
fn seeded(sizes: seed::Sizes) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-delivery")
        .join(format!(
            "n{}-e{}-m{}",
            sizes.news, sizes.events, sizes.materials
        ));
    if !dir.join("seeded").exists() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let database = format!("sqlite://{}/bench.db?mode=rwc", dir.display());
        seed_database(&database, &dir, sizes);
        std::fs::write(dir.join("seeded"), "").unwrap();
    }
    dir
}

pub fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}/bench.db", dir.display())
}

fn cache_env(bytes: usize, scope: &str) -> Vec<(&'static str, String)> {
    vec![
        (
            "BUYSOCIAL__DELIVERY__RESPONSE_CACHE_BYTES",
            bytes.to_string(),
        ),
        (
            "BUYSOCIAL__DELIVERY__RESPONSE_CACHE_SCOPE",
            scope.to_owned(),
        ),
    ]
}

const CACHE_BYTES: usize = 33_554_432;

fn scopes(dir: &Path, options: &Options) {
    let static_root = dir.join("static");
    std::fs::create_dir_all(&static_root).unwrap();
    for path in [dir, &static_root] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let nginx = Nginx::start(dir, &static_root);
    let runs = [
        (
            "response cache on (instance scope, the default)",
            CACHE_BYTES,
            "instance",
        ),
        (
            "response cache on (shared scope on SQLite: one version read per request)",
            CACHE_BYTES,
            "shared",
        ),
        ("response cache off", 0, "instance"),
    ];
    for (label, cache_bytes, scope) in runs {
        let server = Server::start(dir, &sqlite_url(dir), &cache_env(cache_bytes, scope));
        println!("\n## {label}");
        println!(
            "{:<34} {:>10} {:>9} {:>9} {:>11} {:>7} {:>12}",
            "request", "req/s", "p50 ms", "p99 ms", "nginx req/s", "ratio", "queries/req"
        );
        for (name, file, path) in requests(&server.url) {
            let body = fetch(&format!("{}{path}", server.url));
            std::fs::write(static_root.join(format!("{file}.json")), &body).unwrap();
            // Warm both up (and fill the cache) before measuring.
            wrk(&format!("{}{path}", server.url), options.connections, 2);
            let queries_before = server.queries();
            let ours = wrk(
                &format!("{}{path}", server.url),
                options.connections,
                options.seconds,
            );
            let queries = server.queries() - queries_before;
            let static_url = format!("{}/{file}.json", nginx.url);
            wrk(&static_url, options.connections, 2);
            let theirs = wrk(&static_url, options.connections, options.seconds);
            println!(
                "{:<34} {:>10.0} {:>9.2} {:>9.2} {:>11.0} {:>7.3} {:>12.2}   ({} bytes)",
                name,
                ours.requests_per_second,
                ours.p50_ms,
                ours.p99_ms,
                theirs.requests_per_second,
                ours.requests_per_second / theirs.requests_per_second,
                queries as f64 / ours.requests as f64,
                body.len()
            );
        }
        println!("server peak RSS: {:.1} MiB", server.peak_rss_mib());
    }
}

/// The three requests, with the slug of the first news item of the list.
fn requests(base: &str) -> Vec<(&'static str, &'static str, String)> {
    let list: serde_json::Value =
        serde_json::from_slice(&fetch(&format!("{base}{NEWS_LIST}"))).unwrap();
    let slug = list["items"][0]["slug"].as_str().unwrap().to_owned();
    vec![
        ("news list (20, fr→en)", "news-list", NEWS_LIST.to_owned()),
        (
            "news item by slug",
            "news-item",
            format!("/api/v1/news/{slug}?locale=fr&fallback=en"),
        ),
        (
            "upcoming events of BE + materials",
            "events-be",
            "/api/v1/events?locale=fr&fallback=en&country=BE&when=upcoming".to_owned(),
        ),
    ]
}

/// The first item of the news list served in French: the one an editor keeps changing.
pub fn first_news_id(base: &str) -> String {
    let list: serde_json::Value =
        serde_json::from_slice(&fetch(&format!("{base}{NEWS_LIST}"))).unwrap();
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["locale"] == "fr")
        .expect("a news item in French on the first page")["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn churn(dir: &Path, options: &Options) {
    let every = Duration::from_millis(env_or("BENCH_CHURN_MS", 100) as u64);
    println!(
        "\n## churn: the news list (cache on) while an editor publishes every {} ms",
        every.as_millis()
    );
    let server = Server::start(dir, &sqlite_url(dir), &cache_env(CACHE_BYTES, "instance"));
    let url = format!("{}{NEWS_LIST}", server.url);
    wrk(&url, options.connections, 2);
    let calm = wrk(&url, options.connections, options.seconds);
    let token = server.login();
    let shared = "buysocial_delivery_render_waits_total{result=\"shared\"} ";
    let timed_out = "buysocial_delivery_render_waits_total{result=\"timed_out\"} ";
    let (shared_before, timed_out_before) = (server.metric(shared), server.metric(timed_out));
    let queries_before = server.queries();
    let editor = churn::Churn::start(&server.url, token, first_news_id(&server.url), every);
    let busy = wrk(&url, options.connections, options.seconds);
    let mut publishes = editor.stop();
    let queries = server.queries() - queries_before;
    println!(
        "{:<30} {:>10} {:>9} {:>9} {:>12}",
        "news list (20, fr→en)", "req/s", "p50 ms", "p99 ms", "queries/req"
    );
    println!(
        "{:<30} {:>10.0} {:>9.2} {:>9.2}",
        "  without writes", calm.requests_per_second, calm.p50_ms, calm.p99_ms
    );
    println!(
        "{:<30} {:>10.0} {:>9.2} {:>9.2} {:>12.3}",
        "  while publishing",
        busy.requests_per_second,
        busy.p50_ms,
        busy.p99_ms,
        queries as f64 / busy.requests as f64
    );
    println!(
        "while publishing / without writes: {:.2}",
        busy.requests_per_second / calm.requests_per_second
    );
    let count = publishes.len();
    println!(
        "publishes: {count}; answered in p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        percentile(&mut publishes, 50.0),
        percentile(&mut publishes, 99.0),
        percentile(&mut publishes, 100.0)
    );
    println!(
        "misses that waited for another's render: {} shared, {} timed out",
        server.metric(shared) - shared_before,
        server.metric(timed_out) - timed_out_before
    );
    println!("server peak RSS: {:.1} MiB", server.peak_rss_mib());
}

/// Runs `work` on the application's state over `database` and the files under `dir`
/// (migrated, as the server would), outside any server.
pub fn with_state<F, Fut>(database: &str, dir: &Path, work: F)
where
    F: FnOnce(buysocial::state::AppState) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut settings = Settings::defaults().unwrap();
    settings.database.url = DatabaseUrl::try_from(database.to_owned()).unwrap();
    settings.storage.url = StorageUrl::try_from(format!("file://{}/files", dir.display())).unwrap();
    settings.bootstrap.admin_email = EMAIL.into();
    settings.bootstrap.admin_password = Secret::new(PASSWORD);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let state = buysocial::app::build_state(settings, Clock::system())
            .await
            .unwrap();
        work(state).await;
    });
}

/// Seeds `database` (files under `dir`) through the editors' services.
pub fn seed_database(database: &str, dir: &Path, sizes: seed::Sizes) {
    with_state(database, dir, |state| async move {
        buysocial::services::users::bootstrap_admin(&state)
            .await
            .unwrap();
        buysocial::demo::seed(&state).await.unwrap();
        let actor = Actor::local(buysocial::demo::first_admin(&state).await.unwrap());
        seed::generate(&state, &actor, sizes).await.unwrap();
    });
}
