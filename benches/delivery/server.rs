//! The processes under test: the release server and nginx, both pinned to core 0.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::load::{fetch, post};

pub struct Server {
    child: Child,
    pub url: String,
}

impl Server {
    /// The server on `database` and the files under `dir`, with `env` on top.
    pub fn start(dir: &Path, database: &str, env: &[(&str, String)]) -> Self {
        let mut command = Command::new("taskset");
        command
            .args(["-c", "0", env!("CARGO_BIN_EXE_buysocial"), "serve"])
            .current_dir(dir)
            .env("BUYSOCIAL__DATABASE__URL", database)
            .env(
                "BUYSOCIAL__STORAGE__URL",
                format!("file://{}/files", dir.display()),
            )
            .env("BUYSOCIAL__SERVER__BIND", "127.0.0.1:0")
            .env("BUYSOCIAL__LOG__LEVEL", "warn")
            .stderr(Stdio::piped());
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn().unwrap();
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

    /// A session token of the benchmark's admin.
    pub fn login(&self) -> String {
        let body = format!(
            r#"{{"email":"{}","password":"{}"}}"#,
            crate::EMAIL,
            crate::PASSWORD
        );
        let (status, _, answer) = post(
            &format!("{}/api/v1/auth/login", self.url),
            None,
            Some(&body),
        );
        assert_eq!(status, 200, "login: {answer}");
        let login: serde_json::Value = serde_json::from_str(&answer).unwrap();
        login["token"].as_str().unwrap().to_owned()
    }

    /// A counter of `/metrics` (0 when it has no sample yet).
    pub fn metric(&self, line_prefix: &str) -> u64 {
        let metrics = String::from_utf8(fetch(&format!("{}/metrics", self.url))).unwrap();
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(line_prefix))
            .and_then(|v| v.trim().parse::<f64>().ok())
            .map_or(0, |v| v as u64)
    }

    /// SQL statements run so far.
    pub fn queries(&self) -> u64 {
        self.metric("buysocial_db_queries_total ")
    }

    pub fn peak_rss_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let kib: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap();
        kib / 1024.0
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Nginx {
    child: Child,
    pub url: String,
}

impl Nginx {
    /// One worker serving `root`, without access logs.
    pub fn start(dir: &Path, root: &Path) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
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
