//! `GET /api/v1/files/{asset_id}/{file_name}`: downloads for readers, streamed from
//! object storage, with ranges, validators and a safe `Content-Disposition`.

use poem::http::{StatusCode, header};
use poem::{Body, IntoResponse, Request, Response};
use poem_openapi::param::Path;
use poem_openapi::registry::{
    MetaHeader, MetaMediaType, MetaResponse, MetaResponses, MetaSchema, MetaSchemaRef, Registry,
};
use poem_openapi::{ApiResponse, OpenApi};
use uuid::Uuid;

use crate::domain::files::{content_disposition, is_active_content};
use crate::error::AppError;
use crate::http::ApiTags;
use crate::http::client;
use crate::http::problem::{ApiError, error_set};
use crate::services::assets::{self, ByteRange, Download};
use crate::state::AppState;

pub struct FilesApi {
    pub state: AppState,
}

/// A file's bytes, whole or in part, or "not modified".
pub struct FileResponse(Response);

impl IntoResponse for FileResponse {
    fn into_response(self) -> Response {
        self.0
    }
}

impl ApiResponse for FileResponse {
    fn meta() -> MetaResponses {
        let binary = || {
            vec![MetaMediaType {
                content_type: "application/octet-stream",
                schema: MetaSchemaRef::Inline(Box::new(MetaSchema::new_with_format(
                    "string", "binary",
                ))),
            }]
        };
        let header = |name: &str, description: &'static str| MetaHeader {
            name: name.to_owned(),
            description: Some(description.to_owned()),
            required: false,
            deprecated: false,
            schema: MetaSchemaRef::Inline(Box::new(MetaSchema::new("string"))),
        };
        let headers = || {
            vec![
                header("ETag", "the file's SHA-256"),
                header(
                    "Content-Disposition",
                    "inline or attachment, with the file name (RFC 6266)",
                ),
                header(
                    "Cache-Control",
                    "long-lived for published files, no-store for previews",
                ),
            ]
        };
        MetaResponses {
            responses: vec![
                MetaResponse {
                    description: "The whole file, with its real type as Content-Type.",
                    status: Some(200),
                    status_range: None,
                    content: binary(),
                    headers: headers(),
                },
                MetaResponse {
                    description: "The requested range (`Range: bytes=...`), with Content-Range.",
                    status: Some(206),
                    status_range: None,
                    content: binary(),
                    headers: headers(),
                },
                MetaResponse {
                    description: "With S3 and `assets.download_redirect`: the file's presigned URL in `Location`.",
                    status: Some(307),
                    status_range: None,
                    content: vec![],
                    headers: vec![],
                },
                MetaResponse {
                    description: "The URL names the file by an earlier name (it was renamed): `Location` is its current URL.",
                    status: Some(308),
                    status_range: None,
                    content: vec![],
                    headers: vec![],
                },
                MetaResponse {
                    description: "Not modified (`If-None-Match` matched).",
                    status: Some(304),
                    status_range: None,
                    content: vec![],
                    headers: vec![],
                },
            ],
        }
    }

    fn register(_registry: &mut Registry) {}
}

error_set!(
    /// Downloading.
    FileErrors: 400, 403, 404, 416, 429, 503
);

#[OpenApi(tag = "ApiTags::Delivery")]
impl FilesApi {
    /// Download a file.
    ///
    /// Files that live content uses are public (a plain link works, whatever
    /// `delivery.require_token` says). Files only drafts use follow the rules of draft
    /// reads: a signed-in user who need not change their password (403 otherwise), an
    /// admin token, or a preview token (one bound to a site only for drafts that site
    /// shows), as `Authorization: Bearer`; anyone else gets 404 (a bad token just means
    /// the public view). Limited per client address by
    /// `assets.downloads_per_address_per_minute` (429). Supports a single `Range`,
    /// `If-None-Match` (304) and `If-Range`.
    #[oai(
        path = "/api/v1/files/:asset_id/:file_name",
        method = "get",
        operation_id = "files_download"
    )]
    async fn download(
        &self,
        req: &Request,
        asset_id: Path<Uuid>,
        file_name: Path<String>,
    ) -> Result<FileResponse, ApiError<FileErrors>> {
        limit_address(&self.state, req)?;
        let reader = assets::reader(&self.state, client::bearer(req)).await?;
        let assets::Visible {
            asset,
            public,
            renamed,
        } = assets::visible(&self.state, asset_id.0.into(), &file_name.0, &reader).await?;
        if renamed {
            // A link from before a rename: the file under its current name.
            let redirect = Response::builder()
                .status(StatusCode::PERMANENT_REDIRECT)
                .header(header::LOCATION, asset.url())
                .header(
                    header::CACHE_CONTROL,
                    if public {
                        "public, max-age=300"
                    } else {
                        "private, no-store"
                    },
                )
                .finish();
            return Ok(FileResponse(redirect));
        }
        if let Some(url) = assets::presigned_url(&self.state, &asset).await? {
            // The signature expires, so the redirect must not be cached for long; a
            // draft's file not at all.
            let cache_control = if public {
                "private, max-age=60"
            } else {
                "private, no-store"
            };
            let redirect = Response::builder()
                .status(StatusCode::TEMPORARY_REDIRECT)
                .header(header::LOCATION, url.as_str())
                .header(header::CACHE_CONTROL, cache_control)
                .finish();
            return Ok(FileResponse(redirect));
        }
        let range = requested_range(req);
        let if_range = req.header(header::IF_RANGE);
        let download = assets::open(&self.state, asset, range, if_range).await?;
        Ok(FileResponse(respond(&self.state, req, download, public)))
    }
}

/// Downloads per client address, apart from delivery reads: files are fetched by
/// plain links, which no token covers.
fn limit_address(state: &AppState, req: &Request) -> Result<(), AppError> {
    let limit = &state.download_limit;
    if limit.is_enabled() {
        let client = client::client_info(req, &state.settings.server);
        limit.check(
            client.limit_key.as_deref().unwrap_or("unknown"),
            state.clock.now(),
        )?;
    }
    Ok(())
}

/// A single `bytes=` range; anything else (several ranges, bad syntax, a stale
/// `If-Range`) means the whole file, as RFC 9110 allows.
fn requested_range(req: &Request) -> Option<ByteRange> {
    let spec = req.header(header::RANGE)?.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (first, last) = spec.split_once('-')?;
    let (first, last) = (first.trim(), last.trim());
    match (first.is_empty(), last.is_empty()) {
        (false, false) => Some(ByteRange::Bounded(first.parse().ok()?, last.parse().ok()?)),
        (false, true) => Some(ByteRange::From(first.parse().ok()?)),
        (true, false) => Some(ByteRange::Suffix(last.parse().ok()?)),
        (true, true) => None,
    }
}

fn respond(state: &AppState, req: &Request, download: Download, public: bool) -> Response {
    let asset = &download.asset;
    let etag = asset.etag();
    let cache_control = if public {
        format!(
            "public, max-age={}, immutable",
            state.settings.assets.download_cache_seconds
        )
    } else {
        "private, no-store".to_owned()
    };
    if client::if_none_match_hits(req, &etag) {
        return Response::builder()
            .status(StatusCode::NOT_MODIFIED)
            .header(header::ETAG, etag)
            .header(header::CACHE_CONTROL, cache_control)
            .finish();
    }
    let range = download.range;
    let mut builder = Response::builder()
        .header(header::CONTENT_TYPE, asset.content_type.as_str())
        .header(header::ETAG, etag)
        .header(
            header::LAST_MODIFIED,
            download
                .last_modified
                .format("%a, %d %b %Y %H:%M:%S GMT")
                .to_string(),
        )
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::CACHE_CONTROL, cache_control)
        .header(
            header::CONTENT_DISPOSITION,
            content_disposition(&asset.file_name, &asset.content_type),
        );
    if is_active_content(&asset.content_type) {
        // A browser must never run an uploaded SVG or HTML in the API's origin.
        builder = builder.header(header::CONTENT_SECURITY_POLICY, "sandbox");
    }
    match range {
        Some((first, last)) => builder
            .status(StatusCode::PARTIAL_CONTENT)
            .header(
                header::CONTENT_RANGE,
                format!("bytes {first}-{last}/{}", asset.size),
            )
            .header(header::CONTENT_LENGTH, last - first + 1)
            .body(Body::from_bytes_stream(download.body)),
        None => builder
            .status(StatusCode::OK)
            .header(header::CONTENT_LENGTH, asset.size)
            .body(Body::from_bytes_stream(download.body)),
    }
}
