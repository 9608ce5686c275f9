//! The object store at start and after a crash: a misconfigured store stops the start
//! with a message naming it; a local store's crash leftovers are swept.

use buysocial::app::Application;
use buysocial::settings::{DatabaseUrl, Settings, StorageUrl};
use chrono::TimeDelta;

use crate::helpers::{Backend, TestApp, create_bucket};

/// Settings for a throwaway SQLite database, with the store changed by `store`.
fn settings_with(dir: &std::path::Path, store: impl FnOnce(&mut Settings)) -> Settings {
    let mut settings = Settings::defaults().unwrap();
    settings.server.bind = "127.0.0.1:0".parse().unwrap();
    settings.database.url = DatabaseUrl::try_from(format!(
        "sqlite://{}?mode=rwc",
        dir.join("buysocial.db").display()
    ))
    .unwrap();
    store(&mut settings);
    settings
}

fn s3(settings: &mut Settings, endpoint: &str, bucket: &str) {
    settings.storage.url = StorageUrl::S3 {
        bucket: bucket.into(),
        prefix: String::new(),
    };
    settings.storage.endpoint = endpoint.into();
    settings.storage.allow_http = true;
    settings.storage.region = "us-east-1".into();
    settings.storage.max_retries = 0;
    settings.storage.timeout_seconds = 5;
}

async fn start_error(settings: Settings) -> String {
    match Application::build(settings).await {
        Ok(_) => panic!("the start should have been refused"),
        Err(err) => err.to_string(),
    }
}

#[tokio::test]
async fn an_unreachable_store_stops_the_start_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let endpoint = format!("http://127.0.0.1:{closed_port}");

    let message = start_error(settings_with(dir.path(), |s| s3(s, &endpoint, "files"))).await;

    assert!(
        message.contains(&format!("s3://files at {endpoint}")),
        "{message}"
    );
    assert!(message.contains("unreachable"), "{message}");
    assert!(message.contains("--skip-storage-check"), "{message}");

    // Allowed: an operator who wants to start anyway.
    let skipped = settings_with(dir.path(), |s| {
        s3(s, &endpoint, "files");
        s.storage.check_at_start = false;
    });
    assert!(Application::build(skipped).await.is_ok());
}

/// Needs an S3-compatible server (`TEST_S3_ENDPOINT`, as `.ci/run` sets it).
#[tokio::test]
#[cfg_attr(not(test_s3), ignore = "TEST_S3_ENDPOINT is not set")]
async fn a_missing_bucket_stops_the_start_naming_it() {
    let endpoint = std::env::var("TEST_S3_ENDPOINT")
        .expect("TEST_S3_ENDPOINT was set when the tests were built, but not now");
    let dir = tempfile::tempdir().unwrap();

    let message = start_error(settings_with(dir.path(), |s| {
        s3(s, &endpoint, "no-such-bucket-here")
    }))
    .await;

    assert!(message.contains("s3://no-such-bucket-here"), "{message}");
    assert!(message.contains("the bucket does not exist"), "{message}");
    // And with the bucket there, the start goes ahead.
    let bucket = create_bucket(&endpoint).await;
    assert!(
        Application::build(settings_with(dir.path(), |s| s3(s, &endpoint, &bucket)))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn the_sweep_removes_a_local_stores_crash_leftovers() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let root = app.state.local_root.clone().expect("a local store");
    let assets = root.join("assets");
    std::fs::create_dir_all(&assets).unwrap();
    let leftover = assets.join(format!("{}#1", uuid::Uuid::now_v7()));
    std::fs::write(&leftover, vec![0u8; 4096]).unwrap();

    let young = buysocial::services::assets::sweep_orphans(&app.state)
        .await
        .unwrap();
    assert!(
        young.is_empty(),
        "an upload may still be writing it: {young:?}"
    );
    assert!(leftover.exists());

    let grace = app.state.settings.assets.orphan_grace_seconds;
    app.clock
        .advance(TimeDelta::seconds(i64::try_from(grace).unwrap() + 1));
    let removed = buysocial::services::assets::sweep_orphans(&app.state)
        .await
        .unwrap();

    assert_eq!(removed.len(), 1, "{removed:?}");
    assert!(!leftover.exists());
}
