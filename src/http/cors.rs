//! CORS: public delivery reads answer any origin, without credentials, as public
//! content should (as Contentful's delivery API does); the admin API and requests that
//! carry a token keep the allow-list of `server.cors_allowed_origins`.

use std::sync::Arc;

use poem::http::HeaderValue;
use poem::{Endpoint, Request, Response};

/// Headers a cross-origin script may read.
pub const EXPOSED_HEADERS: [&str; 4] = ["etag", "x-request-id", "retry-after", "location"];

/// Sends a public delivery read (a `GET` or `HEAD` of the delivery API or a file, with
/// no `Authorization`) and its preflight straight to the application, answering any
/// origin without credentials (`Access-Control-Allow-Origin: *` on every such answer);
/// everything else goes through `listed`, the allow-list of
/// `server.cors_allowed_origins` (or, without one, gets no CORS headers).
pub async fn route_cors(
    req: Request,
    app: Arc<poem::endpoint::BoxEndpoint<'static>>,
    listed: Option<Arc<poem::endpoint::BoxEndpoint<'static>>>,
) -> poem::Result<Response> {
    use poem::http::{Method, header};
    let path = req.uri().path();
    let delivery = path.starts_with("/api/v1/")
        && !path.starts_with("/api/v1/admin")
        && !path.starts_with("/api/v1/auth");
    let asks_credentials = |req: &Request| {
        req.headers().contains_key(header::AUTHORIZATION)
            || req
                .header(header::ACCESS_CONTROL_REQUEST_HEADERS)
                .is_some_and(|h| h.to_ascii_lowercase().contains("authorization"))
    };
    let preflight = req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let read = matches!(*req.method(), Method::GET | Method::HEAD)
        || (preflight
            && req
                .header(header::ACCESS_CONTROL_REQUEST_METHOD)
                .is_some_and(|m| m.eq_ignore_ascii_case("GET") || m.eq_ignore_ascii_case("HEAD")));
    // Whether or not this request names an origin: a CDN may keep the answer to one
    // that did not and give it to one that does.
    if !(delivery && read && !asks_credentials(&req)) {
        return match listed {
            Some(listed) => listed.call(req).await,
            None => app.call(req).await,
        };
    }
    let mut response = if preflight {
        Response::builder()
            .status(poem::http::StatusCode::NO_CONTENT)
            .header(header::ACCESS_CONTROL_ALLOW_METHODS, "GET, HEAD")
            .header(header::ACCESS_CONTROL_ALLOW_HEADERS, "if-none-match")
            .header(header::ACCESS_CONTROL_MAX_AGE, "600")
            .finish()
    } else {
        app.call(req).await?
    };
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    if let Ok(exposed) = HeaderValue::from_str(&EXPOSED_HEADERS.join(", ")) {
        headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, exposed);
    }
    Ok(response)
}
