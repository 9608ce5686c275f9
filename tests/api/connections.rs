//! Slow and surplus clients cannot starve the server: a request head has a deadline,
//! idle connections are closed, and connections beyond the cap are shed at once.

use std::time::Duration;

use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{Backend, TestApp};

/// Waits (a generous bound, only against a hang) until the server closes `stream`.
async fn closed_by_server(stream: &mut TcpStream) -> bool {
    let mut buffer = [0u8; 1024];
    loop {
        match tokio::time::timeout(Duration::from_secs(20), stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}

async fn half_sent(app: &TestApp) -> TcpStream {
    let address = app.address.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream
        .write_all(b"GET /health/live HTTP/1.1\r\nHost: buysocial\r\nX-Slow: ")
        .await
        .unwrap();
    stream
}

#[tokio::test]
async fn a_request_head_that_trickles_in_is_cut_off() {
    let app = TestApp::builder(Backend::Sqlite)
        .with(|s| s.server.request_head_timeout_seconds = 1)
        .spawn()
        .await;
    let mut slow = half_sent(&app).await;

    // Bytes keep coming, but the head never ends: the deadline does not move.
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(400)).await;
        if slow.write_all(b"a").await.is_err() {
            break;
        }
    }

    assert!(closed_by_server(&mut slow).await);
    assert_eq!(app.get("/health/live").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn connections_beyond_the_cap_are_shed_and_the_cap_frees_up() {
    let app = TestApp::builder(Backend::Sqlite)
        .with(|s| {
            s.server.max_connections = 3;
            s.server.request_head_timeout_seconds = 1;
        })
        .spawn()
        .await;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(half_sent(&app).await);
    }
    // Give the server the moment it needs to accept them.
    tokio::time::sleep(Duration::from_millis(200)).await;

    let mut surplus = half_sent(&app).await;
    assert!(closed_by_server(&mut surplus).await, "shed at once");

    for stream in &mut held {
        assert!(
            closed_by_server(stream).await,
            "cut off at the head deadline"
        );
    }
    let client = reqwest::Client::new();
    let answer = client.get(app.url("/health/live")).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::OK, "slots are free again");
}
