//! A real OpenID provider on loopback: `tests/oidc/provider.mjs` (the npm package
//! oidc-provider from `TEST_OIDC_MODULES`) run by Node, and a client that goes through
//! its login form as a browser would, keeping its cookies.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub const CLIENT_SECRET: &str = "a client secret for the tests";

pub struct OidcProvider {
    child: Child,
    /// Where the provider listens.
    pub address: String,
}

impl OidcProvider {
    /// Starts the provider with `redirect_uris` for buysocial's client; `issuer` (None:
    /// its own address) is what it calls itself.
    pub async fn start(redirect_uris: &[String], issuer: Option<&str>) -> Self {
        let modules = std::env::var("TEST_OIDC_MODULES").expect("TEST_OIDC_MODULES is set");
        let port = free_port();
        let address = format!("http://127.0.0.1:{port}");
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oidc/provider.mjs");
        let mut child = Command::new("node")
            .arg(script)
            .env("OIDC_MODULES", modules)
            .env("OIDC_PORT", port.to_string())
            .env("OIDC_ISSUER", issuer.unwrap_or(&address))
            .env("OIDC_REDIRECT_URIS", redirect_uris.join(","))
            .env("OIDC_CLIENT_SECRET", CLIENT_SECRET)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("node runs");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        tokio::time::timeout(Duration::from_secs(20), async {
            while let Some(line) = lines.next_line().await.unwrap() {
                if line.contains("listening on") {
                    return;
                }
            }
            panic!("the OpenID provider stopped before listening");
        })
        .await
        .expect("the OpenID provider starts within 20 s");
        // Its later warnings must find the pipe open, or Node stops on EPIPE.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Self { child, address }
    }

    /// Goes from the provider's authorization URL through its login form as `login`,
    /// until it redirects to a URL starting with `back_to`: that URL.
    pub async fn sign_in(&self, authorization_url: &str, login: &str, back_to: &str) -> String {
        let browser = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let mut url = reqwest::Url::parse(authorization_url).unwrap();
        for _ in 0..10 {
            let response = browser.get(url.clone()).send().await.unwrap();
            let next = if response.status().is_redirection() {
                response.headers()["location"].to_str().unwrap().to_owned()
            } else {
                let page = response.text().await.unwrap();
                let action = between(&page, "action=\"", "\"")
                    .unwrap_or_else(|| panic!("no form on the provider's page: {page}"));
                let posted = browser
                    .post(url.join(&action).unwrap())
                    .form(&[("prompt", "login"), ("login", login), ("password", "any")])
                    .send()
                    .await
                    .unwrap();
                assert!(
                    posted.status().is_redirection(),
                    "{}",
                    posted.text().await.unwrap()
                );
                posted.headers()["location"].to_str().unwrap().to_owned()
            };
            if next.starts_with(back_to) {
                return next;
            }
            url = url.join(&next).unwrap();
        }
        panic!("the provider did not send the browser back");
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

fn between(text: &str, start: &str, end: &str) -> Option<String> {
    let from = text.find(start)? + start.len();
    let to = text[from..].find(end)? + from;
    Some(text[from..to].replace("&amp;", "&"))
}

/// A port nothing listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
