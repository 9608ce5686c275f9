//! `/admin`: the editors' web app, static files compiled into the binary from
//! `web/admin/` and served as they are; nothing else happens here. The app is a client
//! of the public API like any other.
//!
//! The shell (`index.html`) answers every address under `/admin` (the app routes in the
//! browser) and is revalidated on each load; it names the other files under
//! `/admin/v/{version}/`, a version made from the files' contents, so that they are
//! cached for a year and a new build is fetched at once. Every answer carries a strict
//! Content-Security-Policy: scripts and styles only from files, no framing.

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use include_dir::{Dir, include_dir};
use poem::http::{HeaderValue, StatusCode, header};
use poem::{Endpoint, IntoResponse, Request, Response};
use sha2::{Digest, Sha256};

static FILES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/web/admin");

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
        let mut files = HashMap::new();
        let mut digest = Sha256::new();
        let mut all = Vec::new();
        collect(&FILES, &mut all);
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
                let html = String::from_utf8_lossy(contents).replace("{{base}}", &base);
                shell = File::new(Bytes::from(html), "text/html; charset=utf-8");
            } else {
                let file = File::new(Bytes::from_static(contents), content_type(&path));
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

fn collect(dir: &'static Dir<'static>, into: &mut Vec<(String, &'static [u8])>) {
    for file in dir.files() {
        into.push((
            file.path().to_string_lossy().replace('\\', "/"),
            file.contents(),
        ));
    }
    for sub in dir.dirs() {
        collect(sub, into);
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
