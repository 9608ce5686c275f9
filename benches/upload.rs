//! Upload benchmark: streams a large file (1 GiB by default) into a release build of
//! buysocial on SQLite and the local file store, and compares it with a plain copy of
//! the same bytes to disk. Prints throughput and the server's peak memory (VmHWM).
//!
//! Run: `cargo bench --bench upload` (size: `BENCH_UPLOAD_MIB=1024`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::Write;
use std::time::Instant;

use bytes::Bytes;
use serde_json::Value;

const CHUNK: usize = 1024 * 1024;

fn main() {
    let mib: usize = std::env::var("BENCH_UPLOAD_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024);
    let total = mib * CHUNK;
    let dir = tempfile::tempdir().unwrap();
    let chunk = pdf_chunk();

    // Baseline: the same bytes written to a file on the same disk.
    let started = Instant::now();
    let mut file = std::fs::File::create(dir.path().join("baseline.bin")).unwrap();
    for _ in 0..mib {
        file.write_all(&chunk).unwrap();
    }
    // Neither side forces the bytes to disk (the file store does not fsync either).
    file.flush().unwrap();
    let baseline = started.elapsed();
    std::fs::remove_file(dir.path().join("baseline.bin")).unwrap();

    let server = support::Server::start(&[(
        "BUYSOCIAL__ASSETS__MAX_FILE_BYTES",
        (total + CHUNK).to_string(),
    )]);
    let url = server.url.clone();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = reqwest::Client::new();
    let token = runtime.block_on(server.login(&client));
    // The peak so far includes logging in (an argon2 hash takes 19 MiB).
    let rss_ready = server.peak_rss_mib();
    let upload = |mib: usize| {
        let body = futures_util::stream::iter((0..mib).map({
            let chunk = chunk.clone();
            move |_| Ok::<Bytes, std::io::Error>(chunk.clone())
        }));
        runtime.block_on(async {
            let started = Instant::now();
            let response: Value = client
                .post(format!("{url}/api/v1/admin/assets?file_name=bench.pdf"))
                .bearer_auth(&token)
                .header("content-type", "application/octet-stream")
                .body(reqwest::Body::wrap_stream(body))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            (started.elapsed(), response)
        })
    };
    // A small upload first: if memory grew with the file size, the large one would
    // raise the peak far above it.
    let small_mib = (mib / 16).max(16);
    upload(small_mib);
    let rss_small = server.peak_rss_mib();
    let (elapsed, response) = upload(mib);
    let rss_peak = server.peak_rss_mib();
    drop(server);

    assert_eq!(response["size"].as_u64(), Some(total as u64), "{response}");
    let mib_per_s = |d: std::time::Duration| mib as f64 / d.as_secs_f64();
    println!("upload benchmark: {mib} MiB, SQLite + local file store, release build");
    println!(
        "  plain copy to disk:     {:>8.1} MiB/s ({:.2} s)",
        mib_per_s(baseline),
        baseline.as_secs_f64()
    );
    println!(
        "  upload through the API: {:>8.1} MiB/s ({:.2} s)",
        mib_per_s(elapsed),
        elapsed.as_secs_f64()
    );
    println!(
        "  upload / plain copy:    {:>8.2}",
        baseline.as_secs_f64() / elapsed.as_secs_f64()
    );
    println!(
        "  server peak RSS:        {:>8.1} MiB after login",
        rss_ready
    );
    println!(
        "                          {:>8.1} MiB after a {small_mib} MiB upload",
        rss_small
    );
    println!(
        "                          {:>8.1} MiB after the {mib} MiB upload",
        rss_peak
    );
    println!(
        "  sha256 {}",
        response["sha256"].as_str().unwrap_or_default()
    );
}

/// A 1 MiB chunk that sniffs as a PDF when it comes first.
fn pdf_chunk() -> Bytes {
    let mut bytes = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut state: u32 = 0x9E37_79B9;
    while bytes.len() < CHUNK {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        bytes.push(state as u8);
    }
    Bytes::from(bytes)
}
