//! `/admin`: the editors' web app, static files compiled into the binary from
//! `web/admin/` and served as they are; nothing else happens here. The app is a client
//! of the public API like any other.
//!
//! The shell (`index.html`) answers every address under `/admin` (the app routes in the
//! browser) and is revalidated on each load; it names the other files under
//! `/admin/v/{version}/`, a version made from the files' contents, so that they are
//! cached for a year and a new build is fetched at once. Every answer carries a strict
//! Content-Security-Policy: scripts and styles only from files, no framing.
//!
//! For work on the app itself, `BUYSOCIAL_ADMIN_DIR` names a folder to read the files
//! from at start instead (the `web/admin` of a checkout), so that a change to the app
//! needs a restart but no rebuild.

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use include_dir::{Dir, include_dir};
use poem::http::{HeaderValue, StatusCode, header};
use poem::{Endpoint, IntoResponse, Request, Response};
use sha2::{Digest, Sha256};

static FILES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/web/admin");

/// Names a folder to serve the app from instead of the copy built in (development).
pub const ADMIN_DIR_ENV: &str = "BUYSOCIAL_ADMIN_DIR";

pub const PREFIX: &str = "/admin";

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
                   img-src 'self' data:; connect-src 'self'; font-src 'self'; \
                   object-src 'none'; base-uri 'none'; form-action 'self'; \
                   frame-ancestors 'none'";

/// A file ready to serve.
struct File {
    body: Bytes,
    content_type: &'static str,
    etag: String,
}

impl File {
    fn new(body: Bytes, content_type: &'static str) -> Self {
        let etag = format!("\"{}\"", &hex::encode(Sha256::digest(&body))[..32]);
        Self {
            body,
            content_type,
            etag,
        }
    }
}

/// The app's files by path, the shell with its version filled in.
pub struct AdminApp {
    version: String,
    shell: File,
    files: HashMap<String, File>,
}

impl AdminApp {
    pub fn load() -> Self {
        let mut all = Vec::new();
        match std::env::var_os(ADMIN_DIR_ENV) {
            Some(dir) => read_folder(std::path::Path::new(&dir), "", &mut all),
            None => collect(&FILES, &mut all),
        }
        Self::from_files(all)
    }

    fn from_files(mut all: Vec<(String, Bytes)>) -> Self {
        // Type declarations are for the type check in CI, not for browsers.
        all.retain(|(path, _)| !path.ends_with(".d.ts"));
        let mut files = HashMap::new();
        let mut digest = Sha256::new();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        for (path, contents) in &all {
            digest.update(path.as_bytes());
            digest.update(contents);
        }
        let version = hex::encode(digest.finalize())[..12].to_owned();
        let base = format!("{PREFIX}/v/{version}");
        let mut shell = File::new(Bytes::new(), "text/html; charset=utf-8");
        for (path, contents) in all {
            if path == "index.html" {
                let html = String::from_utf8_lossy(&contents).replace("{{base}}", &base);
                shell = File::new(Bytes::from(html), "text/html; charset=utf-8");
            } else {
                let file = File::new(contents, content_type(&path));
                files.insert(path, file);
            }
        }
        Self {
            version,
            shell,
            files,
        }
    }

    /// The answer to `path` (under `/admin`).
    fn answer(&self, req: &Request) -> Response {
        let path = req.uri().path();
        let rest = path.strip_prefix(PREFIX).unwrap_or(path);
        if let Some(versioned) = rest.strip_prefix("/v/") {
            let Some((version, file)) = versioned.split_once('/') else {
                return not_found();
            };
            return match self.files.get(file) {
                // An older page asking for files of a build that is gone gets 404 and
                // reloads; files are never served under another version's name.
                Some(found) if version == self.version => {
                    serve(req, found, "public, max-age=31536000, immutable")
                }
                _ => not_found(),
            };
        }
        // Every other address is a screen of the app.
        serve(req, &self.shell, "no-cache")
    }
}

fn collect(dir: &'static Dir<'static>, into: &mut Vec<(String, Bytes)>) {
    for file in dir.files() {
        into.push((
            file.path().to_string_lossy().replace('\\', "/"),
            Bytes::from_static(file.contents()),
        ));
    }
    for sub in dir.dirs() {
        collect(sub, into);
    }
}

/// The files under `dir`, named by their path below it. A file that cannot be read is
/// left out with a warning: this is a developer's folder, and the missing file shows.
fn read_folder(dir: &std::path::Path, prefix: &str, into: &mut Vec<(String, Bytes)>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => {
            tracing::warn!(dir = %dir.display(), %error, "cannot read the admin app's folder");
            return;
        }
    };
    for entry in entries.flatten() {
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        let path = entry.path();
        if path.is_dir() {
            read_folder(&path, &format!("{name}/"), into);
        } else {
            match std::fs::read(&path) {
                Ok(contents) => into.push((name, Bytes::from(contents))),
                Err(error) => tracing::warn!(file = %path.display(), %error, "cannot read"),
            }
        }
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("html") => "text/html; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("json") => "application/json",
        _ => "text/plain; charset=utf-8",
    }
}

fn serve(req: &Request, file: &File, cache_control: &'static str) -> Response {
    let unchanged = req
        .header(header::IF_NONE_MATCH)
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == file.etag));
    let mut response = if unchanged {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        Response::builder()
            .content_type(file.content_type)
            .body(file.body.clone())
    };
    let headers = response.headers_mut();
    if let Ok(etag) = HeaderValue::from_str(&file.etag) {
        headers.insert(header::ETAG, etag);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    secure(headers);
    response
}

fn secure(headers: &mut poem::http::HeaderMap) {
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
}

fn not_found() -> Response {
    let mut response = StatusCode::NOT_FOUND.into_response();
    secure(response.headers_mut());
    response
}

/// The endpoint for `/admin` and everything under it.
pub fn endpoint() -> impl Endpoint<Output = Response> {
    let app = Arc::new(AdminApp::load());
    poem::endpoint::make_sync(move |req: Request| app.answer(&req))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_is_served_like_the_built_in_copy() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("index.html"),
            "<script src=\"{{base}}/app.js\">",
        )
        .unwrap();
        std::fs::create_dir(dir.path().join("api")).unwrap();
        std::fs::write(dir.path().join("api/items.js"), "export {};").unwrap();
        std::fs::write(dir.path().join("api/items.d.ts"), "export {};").unwrap();
        let mut all = Vec::new();
        read_folder(dir.path(), "", &mut all);
        let app = AdminApp::from_files(all);

        assert!(app.files.contains_key("api/items.js"));
        assert!(!app.files.contains_key("api/items.d.ts"));
        let shell = String::from_utf8_lossy(&app.shell.body).into_owned();
        assert_eq!(
            shell,
            format!("<script src=\"/admin/v/{}/app.js\">", app.version)
        );
        assert_eq!(
            app.files["api/items.js"].content_type,
            "text/javascript; charset=utf-8"
        );
    }
}
