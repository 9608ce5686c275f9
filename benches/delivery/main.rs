//! Delivery load benchmark. Seeds a SQLite database through the editors' services (5,000
//! news items × 6 locales, 300 events, 1,000 materials with files, plus the demo sites),
//! starts the release server on it, and loads three requests with wrk:
//!
//! - the news list (20 items, French with English fallback),
//! - one news item by slug,
//! - the upcoming events of a country, with their materials.
//!
//! Each request is also served as a static file holding the very same bytes by nginx
//! (one worker), and the ratio buysocial/nginx is printed: it is the figure to steer
//! by, since absolute numbers drift on shared machines. The server and nginx run on
//! core 0, wrk on core 1. Both run with access logs off. The server runs three times:
//! with the response cache (the default), with the cache in its shared scope (the
//! version read from the database per request, as several instances need), and
//! without it (every request rendered from SQLite).
//!
//! Run: `cargo bench --bench delivery`. Needs `wrk` and `nginx` (Debian: `apt-get install
//! wrk nginx`). Settings: `BENCH_NEWS`, `BENCH_EVENTS`, `BENCH_MATERIALS`, `BENCH_SECONDS`
//! (per run, default 10), `BENCH_CONNECTIONS` (default 32). The seeded database is kept
//! under `target/bench-delivery/` and reused while the sizes are the same.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod seed;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use buysocial::clock::Clock;
use buysocial::services::actor::Actor;
use buysocial::settings::{DatabaseUrl, Secret, Settings, StorageUrl};

struct Options {
    sizes: seed::Sizes,
    seconds: u32,
    connections: u32,
}

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    for tool in ["wrk", "nginx", "taskset"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            found,
            "{tool} is needed: apt-get install wrk nginx util-linux"
        );
    }
    let options = Options {
        sizes: seed::Sizes {
            news: env_or("BENCH_NEWS", 5000),
            events: env_or("BENCH_EVENTS", 300),
            materials: env_or("BENCH_MATERIALS", 1000),
        },
        seconds: env_or("BENCH_SECONDS", 10) as u32,
        connections: env_or("BENCH_CONNECTIONS", 32) as u32,
    };
    let sizes = options.sizes;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-delivery")
        .join(format!(
            "n{}-e{}-m{}",
            sizes.news, sizes.events, sizes.materials
        ));
    if !dir.join("seeded").exists() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        seed_database(&dir, sizes);
        std::fs::write(dir.join("seeded"), "").unwrap();
    }
    let static_root = dir.join("static");
    std::fs::create_dir_all(&static_root).unwrap();
    for path in [&dir, &static_root] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

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
    let nginx = Nginx::start(&dir, &static_root);
    let runs = [
        (
            "response cache on (instance scope, the default)",
            33_554_432,
            "instance",
        ),
        (
            "response cache on (shared scope: one version read per request)",
            33_554_432,
            "shared",
        ),
        ("response cache off", 0, "instance"),
    ];
    for (label, cache_bytes, scope) in runs {
        let server = Server::start(&dir, cache_bytes, scope);
        let requests = requests(&server.url);
        println!("\n## {label}");
        println!(
            "{:<34} {:>10} {:>9} {:>9} {:>11} {:>7} {:>12}",
            "request", "req/s", "p50 ms", "p99 ms", "nginx req/s", "ratio", "queries/req"
        );
        for (name, file, path) in &requests {
            let body = fetch(&format!("{}{path}", server.url));
            std::fs::write(static_root.join(format!("{file}.json")), &body).unwrap();
            // Warm both up (and fill the cache) before measuring.
            wrk(&format!("{}{path}", server.url), &options, 2);
            let queries_before = server.queries();
            let ours = wrk(&format!("{}{path}", server.url), &options, options.seconds);
            let queries = server.queries() - queries_before;
            let static_url = format!("{}/{file}.json", nginx.url);
            wrk(&static_url, &options, 2);
            let theirs = wrk(&static_url, &options, options.seconds);
            println!(
                "{:<34} {:>10.0} {:>9.2} {:>9.2} {:>11.0} {:>7.2} {:>12.2}   ({} bytes)",
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
        println!(
            "server peak RSS: {:.1} MiB",
            server.peak_rss_kib() as f64 / 1024.0
        );
    }
}

/// The three requests, with the slug of the first news item of the list.
fn requests(base: &str) -> Vec<(&'static str, &'static str, String)> {
    let list_path = "/api/v1/news?locale=fr&fallback=en&per_page=20";
    let list: serde_json::Value =
        serde_json::from_slice(&fetch(&format!("{base}{list_path}"))).unwrap();
    let slug = list["items"][0]["slug"].as_str().unwrap().to_owned();
    vec![
        ("news list (20, fr→en)", "news-list", list_path.to_owned()),
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

fn seed_database(dir: &Path, sizes: seed::Sizes) {
    let mut settings = Settings::defaults().unwrap();
    settings.database.url =
        DatabaseUrl::try_from(format!("sqlite://{}/bench.db?mode=rwc", dir.display())).unwrap();
    settings.storage.url = StorageUrl::try_from(format!("file://{}/files", dir.display())).unwrap();
    settings.bootstrap.admin_email = "bench@example.org".into();
    settings.bootstrap.admin_password = Secret::new("benchmark password");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let state = buysocial::app::build_state(settings, Clock::system())
            .await
            .unwrap();
        buysocial::services::users::bootstrap_admin(&state)
            .await
            .unwrap();
        buysocial::demo::seed(&state).await.unwrap();
        let actor = Actor::local(buysocial::demo::first_admin(&state).await.unwrap());
        seed::generate(&state, &actor, sizes).await.unwrap();
    });
}

fn fetch(url: &str) -> Vec<u8> {
    let output = Command::new("curl")
        .args(["-sf", url])
        .output()
        .expect("curl runs");
    assert!(output.status.success(), "GET {url} failed");
    output.stdout
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(dir: &Path, cache_bytes: usize, scope: &str) -> Self {
        let mut child = Command::new("taskset")
            .args(["-c", "0", env!("CARGO_BIN_EXE_buysocial"), "serve"])
            .current_dir(dir)
            .env(
                "BUYSOCIAL__DATABASE__URL",
                format!("sqlite://{}/bench.db", dir.display()),
            )
            .env(
                "BUYSOCIAL__STORAGE__URL",
                format!("file://{}/files", dir.display()),
            )
            .env("BUYSOCIAL__SERVER__BIND", "127.0.0.1:0")
            .env("BUYSOCIAL__LOG__LEVEL", "warn")
            .env(
                "BUYSOCIAL__DELIVERY__RESPONSE_CACHE_BYTES",
                cache_bytes.to_string(),
            )
            .env("BUYSOCIAL__DELIVERY__RESPONSE_CACHE_SCOPE", scope)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
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
        // Keep draining stderr so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in stderr.lines() {});
        Self { child, url }
    }

    /// SQL statements run so far, from `/metrics`.
    fn queries(&self) -> u64 {
        let metrics = String::from_utf8(fetch(&format!("{}/metrics", self.url))).unwrap();
        metrics
            .lines()
            .find_map(|l| l.strip_prefix("buysocial_db_queries_total "))
            .and_then(|v| v.trim().parse().ok())
            .unwrap()
    }

    fn peak_rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Nginx {
    child: Child,
    url: String,
}

impl Nginx {
    fn start(dir: &Path, root: &Path) -> Self {
        let port = free_port();
        let prefix: PathBuf = dir.join("nginx");
        std::fs::create_dir_all(prefix.join("logs")).unwrap();
        let config = format!(
            "worker_processes 1;\n\
             daemon off;\n\
             user root;\n\
             pid {prefix}/nginx.pid;\n\
             error_log {prefix}/logs/error.log warn;\n\
             events {{ worker_connections 4096; }}\n\
             http {{\n\
               access_log off;\n\
               default_type application/json;\n\
               sendfile on;\n\
               tcp_nopush on;\n\
               keepalive_requests 10000000;\n\
               client_body_temp_path {prefix}/body;\n\
               proxy_temp_path {prefix}/proxy;\n\
               fastcgi_temp_path {prefix}/fastcgi;\n\
               uwsgi_temp_path {prefix}/uwsgi;\n\
               scgi_temp_path {prefix}/scgi;\n\
               server {{ listen 127.0.0.1:{port}; root {root}; }}\n\
             }}\n",
            prefix = prefix.display(),
            root = root.display(),
        );
        let config_path = prefix.join("nginx.conf");
        std::fs::write(&config_path, config).unwrap();
        let child = Command::new("taskset")
            .args(["-c", "0", "nginx", "-p"])
            .arg(&prefix)
            .arg("-e")
            .arg(prefix.join("logs/error.log"))
            .arg("-c")
            .arg(&config_path)
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let url = format!("http://127.0.0.1:{port}");
        for _ in 0..50 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        Self { child, url }
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM, so the master stops its worker too.
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

struct Load {
    requests: u64,
    requests_per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
}

fn wrk(url: &str, options: &Options, seconds: u32) -> Load {
    let output = Command::new("taskset")
        .args(["-c", "1", "wrk", "-t1", "--latency"])
        .arg(format!("-c{}", options.connections))
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
