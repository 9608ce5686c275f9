//! The way every delivery read goes: rate limits, the response cache, then rendering.
//! A response is rendered to bytes once; its ETag is their hash, and the bytes are
//! what the cache keeps and what clients get.

use std::convert::Infallible;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, TimeDelta, Utc};
use poem::{IntoResponse, Request, Response};
use poem_openapi::payload::Payload;
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::{ToJSON, Type};
use sha2::{Digest, Sha256};

use super::params::{self, QueryParams};
use crate::delivery_cache::{CachedResponse, Leader, Reads, Ticket, Turn, Waited};
use crate::error::AppError;
use crate::http::client;
use crate::services::delivery::{self, Audience};
use crate::state::AppState;

/// A JSON body rendered ahead of time; documented in the spec as `T`.
pub(super) struct JsonBytes<T>(Bytes, PhantomData<fn() -> T>);

impl<T> JsonBytes<T> {
    pub(super) fn new(bytes: Bytes) -> Self {
        Self(bytes, PhantomData)
    }
}

impl<T: Type> Payload for JsonBytes<T> {
    const CONTENT_TYPE: &'static str = "application/json; charset=utf-8";

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: Type> IntoResponse for JsonBytes<T> {
    fn into_response(self) -> Response {
        Response::builder()
            .content_type(Self::CONTENT_TYPE)
            .body(self.0)
    }
}

/// A body rendered to bytes, once, for the cache and the client.
pub(super) trait IntoBody {
    fn into_body(self) -> Bytes;
}

impl<T: ToJSON> IntoBody for T {
    fn into_body(self) -> Bytes {
        Bytes::from(self.to_json_string())
    }
}

/// An XML document (sitemaps), served as `application/xml`.
pub(super) struct Xml(pub(super) String);

impl IntoBody for Xml {
    fn into_body(self) -> Bytes {
        Bytes::from(self.0)
    }
}

/// XML bytes rendered ahead of time; documented in the spec as a string.
pub(super) struct XmlBytes(Bytes);

impl XmlBytes {
    pub(super) fn new(bytes: Bytes) -> Self {
        Self(bytes)
    }
}

impl Payload for XmlBytes {
    const CONTENT_TYPE: &'static str = "application/xml; charset=utf-8";

    fn schema_ref() -> MetaSchemaRef {
        String::schema_ref()
    }
}

impl IntoResponse for XmlBytes {
    fn into_response(self) -> Response {
        Response::builder()
            .content_type(Self::CONTENT_TYPE)
            .body(self.0)
    }
}

/// What a handler produced for a reader. `M` is the location of a moved item, or
/// `Infallible` where nothing can move (lists, search).
pub(super) enum Rendered<T, M = Infallible> {
    /// The body, with what it was made from (for the cache).
    Body(T, Reads),
    /// An old slug: the current location.
    Moved(M),
}

/// What the client gets.
pub(super) enum Answer<M = Infallible> {
    Body {
        body: Bytes,
        etag: String,
        cache_control: String,
    },
    NotModified {
        etag: String,
        cache_control: String,
    },
    Moved {
        location: M,
        cache_control: String,
    },
}

/// Answers a delivery read: from the cache when an identical request was answered and
/// nothing it was made from has changed since, otherwise by `render` (whose result is
/// kept). Concurrent misses of one request render once: the others wait for that render.
///
/// Anonymous requests are looked up before anything touches the database: their answer
/// depends only on the request line and the published state. Requests with a token are
/// looked up after the token is checked, under the token's own key.
pub(super) async fn respond<T, M, F, Fut>(
    state: &AppState,
    req: &Request,
    params: &QueryParams,
    render: F,
) -> Result<Answer<M>, AppError>
where
    T: IntoBody,
    F: FnOnce(Audience) -> Fut,
    Fut: Future<Output = Result<Rendered<T, M>, AppError>>,
{
    respond_keyed(state, req, params, "", render).await
}

/// The same, for a body that also depends on `variant` besides the request line and
/// the published state (a sitemap index names its parts under the request's origin).
pub(super) async fn respond_keyed<T, M, F, Fut>(
    state: &AppState,
    req: &Request,
    params: &QueryParams,
    variant: &str,
    render: F,
) -> Result<Answer<M>, AppError>
where
    T: IntoBody,
    F: FnOnce(Audience) -> Fut,
    Fut: Future<Output = Result<Rendered<T, M>, AppError>>,
{
    let now = state.clock.now();
    let cache = &state.delivery_cache;
    // Before anything is read for this response: see `ResponseCache::ticket`.
    delivery::published_state::refresh(state).await?;
    let ticket = cache.ticket();
    let token = client::bearer(req).map(token_key);
    let target = req.uri().path_and_query().map_or("", |p| p.as_str());
    let key = format!("{}|{variant}|{target}", token.as_deref().unwrap_or("-"));
    if token.is_none() {
        limit_address(state, req, now)?;
        if !state.settings.delivery.require_token
            && let Some(hit) = lookup(state, &key, now)
        {
            return Ok(answer_from_cache(state, req, &hit));
        }
    }
    let audience = match params::audience(state, req, params, false).await {
        Ok(audience) => audience,
        Err(err) => {
            // A token that does not authenticate counts against the client's address,
            // so inventing tokens does not escape the limit.
            if token.is_some() {
                limit_address(state, req, now)?;
            }
            return Err(err);
        }
    };
    if let Some(token) = &token {
        state.read_limits.per_token.check(token, now)?;
        if !audience.preview
            && let Some(hit) = lookup(state, &key, now)
        {
            return Ok(answer_from_cache(state, req, &hit));
        }
    }
    let cache_control = params::cache_control(state, &audience);
    let keep = if !audience.preview && cache.is_enabled() {
        let leader = match lead_or_wait(state, &key, now).await {
            Ok(leader) => leader,
            Err(hit) => return Ok(answer_from_cache(state, req, &hit)),
        };
        let expires = expiry(state, ticket, now).await?;
        Some(Keep {
            key,
            ticket,
            expires,
            leader,
        })
    } else {
        None
    };
    // On an error the leader is dropped: the readers waiting for it render themselves.
    let rendered = render(audience).await?;
    Ok(answer_rendered(state, req, rendered, keep, cache_control))
}

/// Where a cacheable response goes once rendered, and who waits for it.
struct Keep {
    key: String,
    ticket: Ticket,
    expires: Option<DateTime<Utc>>,
    leader: Option<Leader>,
}

/// The answer to what was rendered; a body is kept in the cache (with `keep`) for the
/// readers after, and those waiting for it are woken.
fn answer_rendered<T: IntoBody, M>(
    state: &AppState,
    req: &Request,
    rendered: Rendered<T, M>,
    keep: Option<Keep>,
    cache_control: String,
) -> Answer<M> {
    match rendered {
        Rendered::Moved(location) => {
            if let Some(leader) = keep.and_then(|k| k.leader) {
                leader.finish(false);
            }
            Answer::Moved {
                location,
                cache_control,
            }
        }
        Rendered::Body(body, reads) => {
            let bytes = body.into_body();
            let etag = etag_of(&bytes);
            if let Some(keep) = keep {
                let entry = CachedResponse::new(bytes.clone(), etag.clone(), keep.expires, reads);
                let kept = state.delivery_cache.put(keep.key, entry, keep.ticket);
                if let Some(leader) = keep.leader {
                    leader.finish(kept);
                }
            }
            answer(req, bytes, etag, cache_control)
        }
    }
}

/// Single-flight: leads the render of `key` (the leader wakes the waiting readers when
/// it finishes or is dropped), or waits for the reader rendering it and answers with its
/// result. A reader whose leader's response is gone already (a change dropped it) tries
/// again, a few times; one whose leader kept nothing (an error, a redirect, a render a
/// change overtook) or whose wait ran out renders on its own.
async fn lead_or_wait(
    state: &AppState,
    key: &str,
    now: DateTime<Utc>,
) -> Result<Option<Leader>, Arc<CachedResponse>> {
    const ROUNDS: usize = 3;
    let cache = &state.delivery_cache;
    let bound = Duration::from_millis(state.settings.delivery.response_cache_wait_ms);
    for _ in 0..ROUNDS {
        match cache.join(key) {
            Some(Turn::Lead(leader)) => {
                // A render that finished between this reader's lookup and now left its
                // answer behind.
                return match cache.get(key, now) {
                    Some(hit) => {
                        state.metrics.count_cache_lookup(true);
                        Err(hit)
                    }
                    None => Ok(Some(leader)),
                };
            }
            Some(Turn::Follow(follower)) => {
                let waited = follower.wait(bound).await;
                if let Some(hit) = cache.get(key, now) {
                    state.metrics.count_render_wait("shared");
                    state.metrics.count_cache_lookup(true);
                    return Err(hit);
                }
                match waited {
                    Waited::Kept => {}
                    Waited::NothingKept => {
                        state.metrics.count_render_wait("rendered");
                        return Ok(None);
                    }
                    Waited::TimedOut => {
                        state.metrics.count_render_wait("timed_out");
                        return Ok(None);
                    }
                }
            }
            None => return Ok(None),
        }
    }
    Ok(None)
}

/// Cached answers are never previews: they carry the configured `Cache-Control`.
fn answer_from_cache<M>(state: &AppState, req: &Request, hit: &CachedResponse) -> Answer<M> {
    let cache_control = state.settings.delivery.cache_control.clone();
    answer(req, hit.body.clone(), hit.etag.clone(), cache_control)
}

fn lookup(state: &AppState, key: &str, now: DateTime<Utc>) -> Option<Arc<CachedResponse>> {
    if !state.delivery_cache.is_enabled() {
        return None;
    }
    let hit = state.delivery_cache.get(key, now);
    state.metrics.count_cache_lookup(hit.is_some());
    hit
}

/// From when a response rendered now may be stale: the next event status change,
/// worked out once until events change, or the configured maximum age if sooner.
async fn expiry(
    state: &AppState,
    ticket: Ticket,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, AppError> {
    let cache = &state.delivery_cache;
    let next_change = match cache.known_expiry(now) {
        Some(known) => known,
        None => {
            let next = delivery::next_status_change(state, now).await?;
            cache.remember_expiry(ticket, next);
            next
        }
    };
    // However exact the invalidation, an entry lives at most the configured maximum
    // age: a misconfiguration (several instances in the `instance` scope) then serves
    // stale content for that long, not for ever.
    let max_age = TimeDelta::seconds(
        i64::try_from(state.settings.delivery.response_cache_max_age_seconds).unwrap_or(i64::MAX),
    );
    let oldest = now + max_age;
    Ok(Some(
        next_change.map_or(oldest, |change| change.min(oldest)),
    ))
}

fn limit_address(state: &AppState, req: &Request, now: DateTime<Utc>) -> Result<(), AppError> {
    let limit = &state.read_limits.per_address;
    if limit.is_enabled() {
        let client = client::client_info(req, &state.settings.server);
        limit.check(client.limit_key.as_deref().unwrap_or("unknown"), now)?;
    }
    Ok(())
}

/// Counts one search that missed the cache against the token that asked it, or without
/// one against the client's address (429 past the limit).
pub(super) fn limit_search(state: &AppState, req: &Request) -> Result<(), AppError> {
    let now = state.clock.now();
    let limits = &state.search_limits;
    match client::bearer(req) {
        Some(bearer) => limits.per_token.check(&token_key(bearer), now),
        None => {
            let client = client::client_info(req, &state.settings.server);
            let key = client.limit_key.as_deref().unwrap_or("unknown");
            limits.per_address.check(key, now)
        }
    }
}

fn answer<M>(req: &Request, body: Bytes, etag: String, cache_control: String) -> Answer<M> {
    if client::if_none_match_hits(req, &etag) {
        Answer::NotModified {
            etag,
            cache_control,
        }
    } else {
        Answer::Body {
            body,
            etag,
            cache_control,
        }
    }
}

/// A strong ETag: the first 128 bits of the body's SHA-256.
fn etag_of(body: &[u8]) -> String {
    format!("\"{}\"", &hex::encode(Sha256::digest(body))[..32])
}

/// Tokens are keyed by a hash, so the cache and the limits never hold a secret.
fn token_key(bearer: &str) -> String {
    hex::encode(&Sha256::digest(bearer.as_bytes())[..16])
}
