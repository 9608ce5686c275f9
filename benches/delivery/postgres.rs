//! The PostgreSQL scenario: cache hits in the `instance` and `shared` scopes (where a hit
//! must cost no query: other instances' changes arrive by LISTEN/NOTIFY), and how long a
//! publish through one instance takes to be served by another.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Database};

use crate::load::{fetch, percentile, post, wrk};
use crate::server::Server;
use crate::{NEWS_LIST, Options, cache_env, first_news_id, seed, seed_database};

pub fn run(url: &str, options: &Options, news: usize) {
    println!(
        "\n## postgres: {news} news items; cache hits by scope, and a publish seen by another instance"
    );
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-delivery/postgres");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    recreate(url);
    let sizes = seed::Sizes {
        news,
        events: 30,
        materials: 30,
    };
    seed_database(url, &dir, sizes);

    println!(
        "{:<34} {:>10} {:>9} {:>9} {:>12}",
        "news list, cache hits", "req/s", "p50 ms", "p99 ms", "queries/req"
    );
    let mut rates = Vec::new();
    for scope in ["instance", "shared"] {
        let server = Server::start(&dir, url, &cache_env(crate::CACHE_BYTES, scope));
        let list = format!("{}{NEWS_LIST}", server.url);
        wrk(&list, options.connections, 2);
        let before = server.queries();
        let load = wrk(&list, options.connections, options.seconds);
        let queries = server.queries() - before;
        println!(
            "{:<34} {:>10.0} {:>9.2} {:>9.2} {:>12.3}",
            format!("  {scope} scope"),
            load.requests_per_second,
            load.p50_ms,
            load.p99_ms,
            queries as f64 / load.requests as f64
        );
        rates.push(load.requests_per_second);
    }
    println!("shared / instance: {:.2}", rates[1] / rates[0]);

    let writer = Server::start(&dir, url, &cache_env(crate::CACHE_BYTES, "shared"));
    let reader = Server::start(&dir, url, &cache_env(crate::CACHE_BYTES, "shared"));
    let token = writer.login();
    let id = first_news_id(&writer.url);
    let list = format!("{}{NEWS_LIST}", reader.url);
    let mut seen = Vec::new();
    for round in 0..40 {
        let action = if round % 2 == 0 {
            "unpublish"
        } else {
            "publish"
        };
        let before = fetch(&list);
        let path = format!(
            "{}/api/v1/admin/news/{id}/translations/fr/{action}",
            writer.url
        );
        let (status, _, body) = post(&path, Some(&token), None);
        assert_eq!(status, 200, "{action}: {body}");
        let published = Instant::now();
        while fetch(&list) == before {
            assert!(published.elapsed() < Duration::from_secs(5), "never seen");
            std::thread::sleep(Duration::from_millis(1));
        }
        seen.push(published.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "a publish through one instance served by the other after: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} publishes; polled every 1 ms)",
        percentile(&mut seen, 50.0),
        percentile(&mut seen, 99.0),
        percentile(&mut seen, 100.0),
        seen.len()
    );
}

/// Drops and creates the benchmark's database.
fn recreate(url: &str) {
    let (server, name) = url.rsplit_once('/').unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let admin = Database::connect(format!("{server}/postgres"))
            .await
            .unwrap();
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .unwrap();
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        admin.close().await.unwrap();
    });
}
