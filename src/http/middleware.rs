//! Cross-cutting request handling: request ids, access logs, metrics, body limits.

use std::sync::Arc;
use std::time::Instant;

use poem::http::HeaderValue;
use poem::{Endpoint, IntoResponse, Request, Response};
use poem_openapi::OperationId;
use tracing::Instrument;
use uuid::Uuid;

use crate::metrics::Metrics;

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The id of the request being served, available to handlers as request data.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Gives each request an id (a client's own `X-Request-Id` when it is sane), logs one
/// line when it is answered, and counts it in the metrics.
pub async fn observe<E: Endpoint>(
    ep: Arc<E>,
    mut req: Request,
    metrics: Metrics,
) -> poem::Result<Response> {
    let started = Instant::now();
    let request_id = req
        .header(REQUEST_ID_HEADER)
        .filter(|id| is_sane_request_id(id))
        .map(str::to_owned)
        .unwrap_or_else(|| Uuid::new_v4().to_string());
    req.set_data(RequestId(request_id.clone()));
    let method = req.method().to_string();
    let path = req.uri().path().to_owned();

    let span = tracing::info_span!("request", request_id = %request_id, %method, %path);
    let mut response = ep.call(req).instrument(span.clone()).await?.into_response();

    let status = response.status().as_u16();
    let route = response
        .data::<OperationId>()
        .map_or("unmatched", |op| op.0);
    let elapsed = started.elapsed();
    metrics.observe_request(&method, route, status, elapsed);
    span.in_scope(|| {
        tracing::info!(
            status,
            route,
            latency_ms = elapsed.as_secs_f64() * 1000.0,
            "request answered"
        );
    });
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    Ok(response)
}

/// The two upload operations: `POST /api/v1/admin/assets` and `POST
/// /api/v1/admin/assets/{id}/file`, with a file body. Nothing else escapes the limit.
fn is_upload(req: &Request) -> bool {
    let content_type = req.content_type().unwrap_or_default().to_ascii_lowercase();
    let file_body = content_type.starts_with("multipart/form-data")
        || content_type.starts_with("application/octet-stream");
    let path = req.uri().path().trim_end_matches('/');
    let upload_path = path == "/api/v1/admin/assets"
        || path
            .strip_prefix("/api/v1/admin/assets/")
            .and_then(|rest| rest.strip_suffix("/file"))
            .is_some_and(|id| !id.contains('/'));
    req.method() == poem::http::Method::POST && file_body && upload_path
}

/// Letters, digits and `-_.:`, at most 128 characters: safe to log and echo back.
fn is_sane_request_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// Refuses bodies above `max_bytes` with 413, whether they declare a length or are
/// chunked, reading at most `max_bytes` of them into memory.
///
/// File uploads (`multipart/form-data`, `application/octet-stream`) pass untouched:
/// their route streams them and enforces `assets.max_file_bytes` itself.
pub async fn limit_body<E: Endpoint>(
    ep: Arc<E>,
    mut req: Request,
    max_bytes: usize,
) -> poem::Result<Response> {
    if is_upload(&req) {
        return Ok(ep.call(req).await?.into_response());
    }
    let declared = req
        .header(poem::http::header::CONTENT_LENGTH)
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max_bytes as u64) {
        return Err(poem::error::ReadBodyError::PayloadTooLarge.into());
    }
    let body = req.take_body().into_bytes_limit(max_bytes).await?;
    req.set_body(body);
    Ok(ep.call(req).await?.into_response())
}

/// Answers 503 (with `Retry-After`) when a request takes longer than `limit` to produce
/// its response, so that nothing hangs while the database or the store does: a slow
/// statement, a lock never released, a database that stopped answering mid-query.
/// Streamed uploads (`multipart/form-data`, `application/octet-stream` bodies) are
/// exempt: they may take long on a slow line, and the connection's idle timeout bounds
/// them instead. Downloads stream after the response head, which this does not limit.
pub async fn time_limit<E: Endpoint>(
    ep: Arc<E>,
    req: Request,
    limit: std::time::Duration,
) -> poem::Result<Response> {
    let streamed_upload = req.content_type().is_some_and(|t| {
        let t = t.trim_start().to_ascii_lowercase();
        t.starts_with("multipart/form-data") || t.starts_with("application/octet-stream")
    });
    if streamed_upload {
        return Ok(ep.call(req).await?.into_response());
    }
    match tokio::time::timeout(limit, ep.call(req)).await {
        Ok(answer) => Ok(answer?.into_response()),
        Err(_) => {
            tracing::warn!(limit_ms = limit.as_millis(), "request timed out");
            Ok(
                crate::http::problem::ProblemResponse::from(crate::error::AppError::Unavailable(
                    "the request took too long; try again shortly".into(),
                ))
                .into_response(),
            )
        }
    }
}

/// A body refused unread (413) leaves its bytes on the connection, which the server then
/// closes: `Connection: close` tells the client, so that it does not send its next
/// request on a connection that is going away.
pub async fn close_after_unread_body<E: Endpoint>(
    ep: Arc<E>,
    req: Request,
) -> poem::Result<Response> {
    let mut response = ep.call(req).await?.into_response();
    if response.status() == poem::http::StatusCode::PAYLOAD_TOO_LARGE {
        response.headers_mut().insert(
            poem::http::header::CONNECTION,
            HeaderValue::from_static("close"),
        );
    }
    Ok(response)
}

/// Admin and auth responses carry drafts, personal data, token secrets and session
/// tokens: no cache, shared or private, may keep them.
pub async fn no_store_for_private<E: Endpoint>(ep: Arc<E>, req: Request) -> poem::Result<Response> {
    let path = req.uri().path();
    let private = path.starts_with("/api/v1/admin") || path.starts_with("/api/v1/auth");
    let mut response = ep.call(req).await?.into_response();
    if private {
        response.headers_mut().insert(
            poem::http::header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        );
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::is_sane_request_id;

    #[test]
    fn only_plain_request_ids_are_echoed() {
        assert!(is_sane_request_id("4f1c2c1e-9f7e-4a53-8d1a-0d2e3c4b5a69"));
        assert!(is_sane_request_id("lb:abc.123_x"));
        assert!(!is_sane_request_id(""));
        assert!(!is_sane_request_id("a\r\nSet-Cookie: x"));
        assert!(!is_sane_request_id(&"a".repeat(129)));
    }
}
