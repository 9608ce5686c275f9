//! The binary itself: configuration errors, `user create`, `openapi`, serving and
//! graceful shutdown.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

const BINARY: &str = env!("CARGO_BIN_EXE_buysocial");

/// A command with a clean buysocial environment, working in `dir`.
pub(crate) fn buysocial(dir: &std::path::Path) -> Command {
    let mut command = Command::new(BINARY);
    for (key, _) in std::env::vars() {
        if key.starts_with("BUYSOCIAL") {
            command.env_remove(key);
        }
    }
    command
        .current_dir(dir)
        .env("BUYSOCIAL__LOG__LEVEL", "warn");
    command
}

#[test]
fn a_bad_setting_stops_the_start_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();

    let output = buysocial(dir.path())
        .env("BUYSOCIAL__SERVER__BIND", "localhost-ish")
        .output()
        .unwrap();

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("server.bind"), "{stderr}");
    assert!(
        !dir.path().join("data").exists(),
        "nothing was created before failing"
    );
}

#[test]
fn a_public_url_that_is_not_one_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();

    let output = buysocial(dir.path())
        .arg("migrate")
        .env("BUYSOCIAL__SERVER__PUBLIC_URL", "cms.webuysocial.eu?x=1")
        .output()
        .unwrap();

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("server.public_url"), "{stderr}");
}

#[test]
fn a_bad_setting_in_the_config_file_names_the_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("prod.toml"),
        "[storage]\nurl = \"ftp://files\"\n",
    )
    .unwrap();

    let output = buysocial(dir.path())
        .env("BUYSOCIAL_CONFIG", "prod.toml")
        .output()
        .unwrap();

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("storage.url"), "{stderr}");
}

#[test]
fn openapi_prints_the_document() {
    let dir = tempfile::tempdir().unwrap();

    let output = buysocial(dir.path()).arg("openapi").output().unwrap();

    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let spec: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(spec["paths"]["/api/v1/auth/login"].is_object());
    assert!(
        !dir.path().join("data").exists(),
        "openapi touches no database"
    );
}

#[test]
fn openapi_into_a_reader_that_stops_early_is_no_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = buysocial(dir.path())
        .arg("openapi")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // As `buysocial openapi | head -c 16` would: read a little, then hang up.
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    drop(stdout);

    let output = child.wait_with_output().unwrap();

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn an_invalid_log_level_stops_the_start_naming_the_key() {
    for level in ["debgu", "warn,buysocial=loud", "[[["] {
        let dir = tempfile::tempdir().unwrap();

        let output = buysocial(dir.path())
            .arg("migrate")
            .env("BUYSOCIAL__LOG__LEVEL", level)
            .output()
            .unwrap();

        assert!(!output.status.success(), "{level}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("log.level"), "{level}: {stderr}");
    }
}

#[test]
fn logs_off_a_terminal_are_plain_text_or_pure_json() {
    let dir = tempfile::tempdir().unwrap();
    let text = buysocial(dir.path())
        .arg("migrate")
        .env("BUYSOCIAL__LOG__LEVEL", "info")
        .output()
        .unwrap();
    assert!(text.status.success());
    let stderr = String::from_utf8_lossy(&text.stderr);
    assert!(stderr.contains("migrations applied"), "{stderr}");
    assert!(
        !stderr.contains('\u{1b}'),
        "no colour codes off a terminal: {stderr:?}"
    );

    let dir = tempfile::tempdir().unwrap();
    let json = buysocial(dir.path())
        .arg("migrate")
        .env("BUYSOCIAL__LOG__LEVEL", "info")
        .env("BUYSOCIAL__LOG__FORMAT", "json")
        .output()
        .unwrap();
    assert!(json.status.success());
    let stderr = String::from_utf8_lossy(&json.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(lines.len() > 1, "{stderr}");
    for line in lines {
        let parsed: Result<Value, _> = serde_json::from_str(line);
        assert!(parsed.is_ok(), "not JSON: {line:?}");
    }
    assert!(stderr.contains("migrations applied"), "{stderr}");
}

#[tokio::test]
async fn user_create_then_serve_then_log_in_then_stop_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let migrate = buysocial(dir.path()).arg("migrate").output().unwrap();
    assert!(
        migrate.status.success(),
        "{}",
        String::from_utf8_lossy(&migrate.stderr)
    );
    let mut create = buysocial(dir.path())
        .args([
            "user",
            "create",
            "--email",
            "Ona@VMI.lt",
            "--role",
            "editor",
            "--name",
            "Ona",
        ])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    create
        .stdin
        .take()
        .unwrap()
        .write_all(b"a long lithuanian passphrase\n")
        .unwrap();
    let created = create.wait_with_output().unwrap();
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );

    // `serve` is the default subcommand; port 0 picks a free port, printed on stderr.
    let mut server = buysocial(dir.path())
        .env("BUYSOCIAL__SERVER__BIND", "127.0.0.1:0")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(server.stderr.take().unwrap());
    let mut line = String::new();
    let url = loop {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "the server exited early"
        );
        if let Some(rest) = line.split("listening on ").nth(1) {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    // The database had a user, so no admin was generated.
    assert!(!line.contains("password"));

    let client = reqwest::Client::new();
    let login = client
        .post(format!("{url}/api/v1/auth/login"))
        .json(&json!({ "email": "ona@vmi.lt", "password": "a long lithuanian passphrase" }))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    let body: Value = login.json().await.unwrap();
    assert_eq!(body["user"]["role"], "editor");
    assert_eq!(body["user"]["display_name"], "Ona");
    assert!(dir.path().join("data/buysocial.db").exists());
    assert!(dir.path().join("data/files").is_dir());

    let killed = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = server.try_wait().unwrap() {
            break status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no exit after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "exit after SIGTERM: {status:?}");
}

#[test]
fn user_create_refuses_a_short_password() {
    let dir = tempfile::tempdir().unwrap();
    let mut create = buysocial(dir.path())
        .args([
            "user",
            "create",
            "--email",
            "a@example.org",
            "--role",
            "viewer",
        ])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    create.stdin.take().unwrap().write_all(b"short\n").unwrap();

    let output = create.wait_with_output().unwrap();

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("password: must be at least 12 characters"),
        "{stderr}"
    );
}

/// The API contract as a reviewed file: any change to it shows up as a diff of
/// `tests/api/snapshots/api__cli__openapi.snap`. Accept intended changes with
/// `INSTA_UPDATE=always cargo test --test api openapi_document_is_the_reviewed_contract`.
#[test]
fn openapi_document_is_the_reviewed_contract() {
    let dir = tempfile::tempdir().unwrap();

    let output = buysocial(dir.path()).arg("openapi").output().unwrap();

    assert!(output.status.success());
    insta::assert_snapshot!("openapi", String::from_utf8(output.stdout).unwrap());
}

/// The operator contract for S3: `s3://BUCKET` plus the standard `AWS_*` variables,
/// `AWS_ENDPOINT` and `AWS_ALLOW_HTTP` for an S3-compatible server; no other setting.
#[tokio::test]
#[cfg_attr(not(test_s3), ignore = "TEST_S3_ENDPOINT is not set")]
async fn serve_uses_an_s3_compatible_store_from_the_standard_aws_variables() {
    let endpoint = std::env::var("TEST_S3_ENDPOINT")
        .expect("TEST_S3_ENDPOINT was set when the tests were built, but not now");
    let bucket = crate::helpers::create_bucket(&endpoint).await;
    let dir = tempfile::tempdir().unwrap();
    let mut server = buysocial(dir.path())
        .env("BUYSOCIAL__SERVER__BIND", "127.0.0.1:0")
        .env("BUYSOCIAL__STORAGE__URL", format!("s3://{bucket}/cms"))
        .env("AWS_ENDPOINT", &endpoint)
        .env("AWS_ALLOW_HTTP", "true")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let url = listening_url(&mut server);

    let ready = reqwest::get(format!("{url}/health/ready")).await.unwrap();

    let status = ready.status();
    server.kill().unwrap();
    server.wait().unwrap();
    assert_eq!(status, StatusCode::OK, "{}", ready.text().await.unwrap());
}

/// Reads the server's stderr until it says where it listens.
fn listening_url(server: &mut std::process::Child) -> String {
    let mut stderr = BufReader::new(server.stderr.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "the server exited early"
        );
        if let Some(rest) = line.split("listening on ").nth(1) {
            return rest.split_whitespace().next().unwrap().to_owned();
        }
    }
}

#[test]
fn seed_demo_loads_once_and_prints_the_generated_admin_password() {
    let dir = tempfile::tempdir().unwrap();

    let first = buysocial(dir.path()).arg("seed-demo").output().unwrap();
    let second = buysocial(dir.path()).arg("seed-demo").output().unwrap();

    let stderr = String::from_utf8_lossy(&first.stderr);
    assert!(first.status.success(), "{stderr}");
    assert!(stderr.contains("password:"), "{stderr}");
    assert!(
        stderr.contains("loaded demo content: 13 sites, 14 items"),
        "{stderr}"
    );
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(stderr.contains("already present"), "{stderr}");
    assert!(!stderr.contains("password:"), "{stderr}");
}

#[test]
fn a_mail_server_without_a_public_url_stops_the_start_naming_it() {
    let dir = tempfile::tempdir().unwrap();

    let output = buysocial(dir.path())
        .arg("migrate")
        .env("BUYSOCIAL__MAIL__HOST", "smtp.example.org")
        .env("BUYSOCIAL__MAIL__FROM", "events@example.org")
        .output()
        .unwrap();

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("server.public_url"), "{stderr}");
}

#[test]
fn mail_test_without_a_mail_server_writes_the_message_to_the_mail_folder() {
    let dir = tempfile::tempdir().unwrap();

    let output = buysocial(dir.path())
        .args(["mail", "test", "operator@example.org"])
        .output()
        .unwrap();

    assert!(output.status.success(), "{output:?}");
    let written = std::fs::read_to_string(dir.path().join("data/mail/test.eml")).unwrap();
    assert!(written.contains("To: operator@example.org"), "{written}");
    assert!(
        written.contains("Subject: buysocial: test message"),
        "{written}"
    );
}

// The server answers on the runtime's workers while this thread waits for the binary.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_test_reaches_the_configured_server() {
    let smtp = crate::helpers::smtp::SmtpServer::start().await;
    let dir = tempfile::tempdir().unwrap();

    let output = buysocial(dir.path())
        .args(["mail", "test", "operator@example.org"])
        .env("BUYSOCIAL__MAIL__HOST", "127.0.0.1")
        .env("BUYSOCIAL__MAIL__PORT", smtp.port().to_string())
        .env("BUYSOCIAL__MAIL__TLS", "none")
        .env(
            "BUYSOCIAL__MAIL__FROM",
            "WeBuySocialEU <events@example.org>",
        )
        .env("BUYSOCIAL__SERVER__PUBLIC_URL", "https://cms.example.org")
        .output()
        .unwrap();

    assert!(output.status.success(), "{output:?}");
    assert_eq!(smtp.received_by("operator@example.org").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_test_says_why_the_server_refused() {
    let smtp = crate::helpers::smtp::SmtpServer::start().await;
    smtp.refuse("nobody@example.org");
    let dir = tempfile::tempdir().unwrap();

    let output = buysocial(dir.path())
        .args(["mail", "test", "nobody@example.org"])
        .env("BUYSOCIAL__MAIL__HOST", "127.0.0.1")
        .env("BUYSOCIAL__MAIL__PORT", smtp.port().to_string())
        .env("BUYSOCIAL__MAIL__TLS", "none")
        .env("BUYSOCIAL__MAIL__FROM", "events@example.org")
        .env("BUYSOCIAL__SERVER__PUBLIC_URL", "https://cms.example.org")
        .output()
        .unwrap();

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("550"), "{stderr}");
}
