//! `/api/v1/admin/assets`: uploads (streamed) and the media library.

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use poem::web::Multipart;
use poem::{FromRequest, Request, RequestBody};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::registry::{MetaMediaType, MetaRequest, MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{
    ApiExtractor, ApiExtractorType, ApiResponse, ExtractParamOptions, Object, OpenApi,
};
use serde::Deserialize;
use uuid::Uuid;

use super::pagination::PageInfo;
use crate::error::AppError;
use crate::http::ApiTags;
use crate::http::json::JsonBody;
use crate::http::problem::{ApiError, error_set};
use crate::http::security::AdminAuth;
use crate::services::assets::{self, Asset, AssetChanges, AssetFilter, UploadMeta};
use crate::services::pagination::PageRequest;
use crate::state::AppState;

pub struct AssetsApi {
    pub state: AppState,
}

/// An uploaded file.
#[derive(Debug, Object)]
struct AssetResponse {
    id: Uuid,
    /// The uploaded name, cleaned of directories and control characters.
    file_name: String,
    /// Decided from the content.
    content_type: String,
    /// Bytes.
    size: u64,
    /// Hex SHA-256 of the content.
    sha256: String,
    title: String,
    /// Alternative text for images.
    alt: String,
    #[oai(nullable)]
    locale: Option<String>,
    /// Where readers download it (once published content uses it).
    url: String,
    #[oai(nullable)]
    uploaded_by: Option<Uuid>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl AssetResponse {
    /// The asset, its URL starting with `files_base` (`server.public_url`).
    fn of(asset: Asset, files_base: &str) -> Self {
        Self {
            url: format!("{files_base}{}", asset.url()),
            id: asset.id.into(),
            file_name: asset.file_name,
            content_type: asset.content_type,
            size: asset.size,
            sha256: asset.sha256,
            title: asset.title,
            alt: asset.alt,
            locale: asset.locale,
            uploaded_by: asset.uploaded_by.map(Into::into),
            created_at: asset.created_at,
            updated_at: asset.updated_at,
        }
    }
}

/// An asset with the items that use it.
#[derive(Debug, Object)]
struct AssetDetail {
    asset: AssetResponse,
    used_by: Vec<AssetUse>,
}

#[derive(Debug, Object)]
struct AssetUse {
    kind: String,
    id: Uuid,
}

#[derive(Debug, Object)]
struct AssetList {
    items: Vec<AssetResponse>,
    page: PageInfo,
}

/// Changes to an asset's description; absent fields stay.
#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
struct UpdateAssetRequest {
    #[oai(nullable)]
    file_name: Option<String>,
    #[oai(nullable)]
    title: Option<String>,
    #[oai(nullable)]
    alt: Option<String>,
    /// `null` clears it.
    #[serde(default)]
    locale: MaybeUndefined<String>,
}

/// The body of an upload: `multipart/form-data` with the fields `title`, `alt`,
/// `locale` (optional, before the file) and `file`; or the raw bytes as
/// `application/octet-stream` with `?file_name=` and the same fields as query parameters.
pub struct UploadBody(UploadSource);

enum UploadSource {
    Multipart(Multipart),
    Raw(poem::Body, Option<u64>),
}

impl<'a> ApiExtractor<'a> for UploadBody {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];

    type ParamType = ();
    type ParamRawType = ();

    fn register(_registry: &mut Registry) {}

    fn request_meta() -> Option<MetaRequest> {
        let mut form = MetaSchema::new("object");
        form.required = vec!["file"];
        form.properties = vec![
            (
                "file",
                MetaSchemaRef::Inline(Box::new(MetaSchema::new_with_format("string", "binary"))),
            ),
            (
                "title",
                MetaSchemaRef::Inline(Box::new(MetaSchema::new("string"))),
            ),
            (
                "alt",
                MetaSchemaRef::Inline(Box::new(MetaSchema::new("string"))),
            ),
            (
                "locale",
                MetaSchemaRef::Inline(Box::new(MetaSchema::new("string"))),
            ),
        ];
        Some(MetaRequest {
            description: Some(
                "The file, streamed: multipart/form-data (metadata fields before `file`) or raw bytes.",
            ),
            content: vec![
                MetaMediaType {
                    content_type: "multipart/form-data",
                    schema: MetaSchemaRef::Inline(Box::new(form)),
                },
                MetaMediaType {
                    content_type: "application/octet-stream",
                    schema: MetaSchemaRef::Inline(Box::new(MetaSchema::new_with_format(
                        "string", "binary",
                    ))),
                },
            ],
            required: true,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let content_type = request
            .content_type()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if content_type.starts_with("multipart/form-data") {
            Ok(Self(UploadSource::Multipart(
                <Multipart as FromRequest>::from_request(request, body).await?,
            )))
        } else if content_type.starts_with("application/octet-stream") {
            let length = request
                .header(poem::http::header::CONTENT_LENGTH)
                .and_then(|v| v.parse().ok());
            Ok(Self(UploadSource::Raw(body.take()?, length)))
        } else {
            Err(AppError::UnsupportedMediaType(
                "upload a file as multipart/form-data or application/octet-stream".into(),
            )
            .into())
        }
    }
}

#[derive(ApiResponse)]
enum Created {
    /// The file is stored.
    #[oai(status = 201)]
    Asset(Json<AssetResponse>, #[oai(header = "Location")] String),
}

#[derive(ApiResponse)]
enum Deleted {
    /// The asset and its file are gone.
    #[oai(status = 204)]
    Done,
}

error_set!(
    /// Uploading.
    UploadErrors: 400, 401, 403, 413, 415, 422, 503
);
error_set!(
    /// Replacing a file.
    ReplaceErrors: 400, 401, 403, 404, 409, 413, 415, 422, 503
);
error_set!(
    /// Reading the library.
    ReadErrors: 400, 401, 403, 404
);
error_set!(
    /// Changing the library.
    WriteErrors: 400, 401, 403, 404, 409, 422, 503
);

#[OpenApi(prefix_path = "/api/v1/admin/assets", tag = "ApiTags::Assets")]
impl AssetsApi {
    /// Upload a file.
    ///
    /// The body streams to object storage: memory does not grow with the file. The
    /// type is decided from the content (415 if not accepted, or if the name's
    /// extension says otherwise); files above `assets.max_file_bytes` get 413.
    #[oai(path = "/", method = "post", operation_id = "assets_upload")]
    async fn upload(
        &self,
        auth: AdminAuth,
        file_name: Query<Option<String>>,
        title: Query<Option<String>>,
        alt: Query<Option<String>>,
        locale: Query<Option<String>>,
        body: UploadBody,
    ) -> Result<Created, ApiError<UploadErrors>> {
        let meta = UploadMeta {
            file_name: file_name.0.unwrap_or_default(),
            title: title.0,
            alt: alt.0,
            locale: locale.0,
            declared_size: None,
        };
        let asset = match body.0 {
            UploadSource::Raw(body, length) => {
                if meta.file_name.is_empty() {
                    return Err(AppError::invalid_parameter(
                        "file_name",
                        "is required for a raw upload",
                    )
                    .into());
                }
                let meta = UploadMeta {
                    declared_size: length,
                    ..meta
                };
                assets::upload(&self.state, &auth.0, meta, body.into_bytes_stream().boxed()).await?
            }
            UploadSource::Multipart(form) => {
                let (meta, stream) = form_file(meta, form).await?;
                assets::upload(&self.state, &auth.0, meta, stream).await?
            }
        };
        let location = format!("/api/v1/admin/assets/{}", asset.id);
        Ok(Created::Asset(
            Json(AssetResponse::of(
                asset,
                self.state.settings.server.files_base(),
            )),
            location,
        ))
    }

    /// Replace an asset's file.
    ///
    /// The new file becomes a new asset (returned), and drafts using the old one switch
    /// to it. Published content keeps the old file until it is published again; the
    /// old asset is then removed by the sweep. Same body as an upload.
    #[oai(path = "/:id/file", method = "post", operation_id = "assets_replace")]
    async fn replace(
        &self,
        auth: AdminAuth,
        id: Path<Uuid>,
        file_name: Query<Option<String>>,
        body: UploadBody,
    ) -> Result<Created, ApiError<ReplaceErrors>> {
        let meta = UploadMeta {
            file_name: file_name.0.unwrap_or_default(),
            ..UploadMeta::default()
        };
        let asset = match body.0 {
            UploadSource::Raw(body, length) => {
                let meta = UploadMeta {
                    declared_size: length,
                    ..meta
                };
                assets::replace(
                    &self.state,
                    &auth.0,
                    id.0.into(),
                    meta,
                    body.into_bytes_stream().boxed(),
                )
                .await?
            }
            UploadSource::Multipart(form) => {
                let (meta, stream) = form_file(meta, form).await?;
                assets::replace(&self.state, &auth.0, id.0.into(), meta, stream).await?
            }
        };
        let location = format!("/api/v1/admin/assets/{}", asset.id);
        Ok(Created::Asset(
            Json(AssetResponse::of(
                asset,
                self.state.settings.server.files_base(),
            )),
            location,
        ))
    }

    /// List assets.
    ///
    /// Filters: `type` (a MIME type, or a family like `image/`), `uploaded_by`, `used`
    /// (by any content, drafts included), `q` (file name or title). Newest first.
    #[oai(path = "/", method = "get", operation_id = "assets_list")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        auth: AdminAuth,
        #[oai(name = "type")] content_type: Query<Option<String>>,
        uploaded_by: Query<Option<Uuid>>,
        used: Query<Option<bool>>,
        q: Query<Option<String>>,
        page: Query<Option<u64>>,
        per_page: Query<Option<u64>>,
    ) -> Result<Json<AssetList>, ApiError<ReadErrors>> {
        let page = PageRequest::parse(page.0, per_page.0, &self.state.settings.api)?;
        let filter = AssetFilter {
            content_type: content_type.0,
            uploaded_by: uploaded_by.0.map(Into::into),
            used: used.0,
            q: q.0,
        };
        let paged = assets::list(&self.state, &auth.0, filter, page).await?;
        Ok(Json(AssetList {
            page: PageInfo::of(&paged),
            items: paged
                .items
                .into_iter()
                .map(|a| AssetResponse::of(a, self.state.settings.server.files_base()))
                .collect(),
        }))
    }

    /// Read an asset, with the items that use it.
    #[oai(path = "/:id", method = "get", operation_id = "assets_get")]
    async fn get(
        &self,
        auth: AdminAuth,
        id: Path<Uuid>,
    ) -> Result<Json<AssetDetail>, ApiError<ReadErrors>> {
        let (asset, users) = assets::get(&self.state, &auth.0, id.0.into()).await?;
        Ok(Json(AssetDetail {
            asset: AssetResponse::of(asset, self.state.settings.server.files_base()),
            used_by: users
                .into_iter()
                .map(|(kind, id)| AssetUse {
                    kind: kind.to_string(),
                    id: id.into(),
                })
                .collect(),
        }))
    }

    /// Change an asset's name, title, alternative text or locale.
    #[oai(path = "/:id", method = "patch", operation_id = "assets_update")]
    async fn update(
        &self,
        auth: AdminAuth,
        id: Path<Uuid>,
        body: JsonBody<UpdateAssetRequest>,
    ) -> Result<Json<AssetResponse>, ApiError<WriteErrors>> {
        let body = body.0;
        let changes = AssetChanges {
            file_name: body.file_name,
            title: body.title,
            alt: body.alt,
            locale: body.locale.into(),
        };
        let asset = assets::update(&self.state, &auth.0, id.0.into(), changes).await?;
        Ok(Json(AssetResponse::of(
            asset,
            self.state.settings.server.files_base(),
        )))
    }

    /// Delete an unused asset (409 naming the items that use it).
    #[oai(path = "/:id", method = "delete", operation_id = "assets_delete")]
    async fn delete(
        &self,
        auth: AdminAuth,
        id: Path<Uuid>,
    ) -> Result<Deleted, ApiError<WriteErrors>> {
        assets::delete(&self.state, &auth.0, id.0.into()).await?;
        Ok(Deleted::Done)
    }
}

/// A metadata field of a form, read up to 4 KiB: such fields are never longer, and
/// reading more would let anyone fill the server's memory.
async fn short_text(field: poem::web::Field) -> Result<String, AppError> {
    use tokio::io::AsyncReadExt as _;
    const LIMIT: u64 = 4096;
    let mut bytes = Vec::new();
    Box::pin(field.into_async_read())
        .take(LIMIT + 1)
        .read_to_end(&mut bytes)
        .await
        .map_err(|e| AppError::invalid("file", format!("the form is malformed: {e}")))?;
    if bytes.len() as u64 > LIMIT {
        return Err(AppError::PayloadTooLarge(
            "form fields other than the file may be at most 4 KiB".into(),
        ));
    }
    String::from_utf8(bytes)
        .map_err(|_| AppError::invalid("file", "form fields must be UTF-8 text"))
}

/// Reads text fields until the `file` field; returns them with the file's stream.
async fn form_file(
    mut meta: UploadMeta,
    mut form: Multipart,
) -> Result<
    (
        UploadMeta,
        BoxStream<'static, Result<bytes::Bytes, std::io::Error>>,
    ),
    AppError,
> {
    let bad = |e: poem::error::ParseMultipartError| {
        AppError::invalid("file", format!("the form is malformed: {e}"))
    };
    while let Some(field) = form.next_field().await.map_err(bad)? {
        match field.name().unwrap_or_default() {
            "file" => {
                if meta.file_name.is_empty() {
                    meta.file_name = field.file_name().unwrap_or_default().to_owned();
                }
                // The field borrows nothing from the form, so the stream can outlive it.
                let reader = Box::pin(field.into_async_read());
                return Ok((meta, tokio_util::io::ReaderStream::new(reader).boxed()));
            }
            name @ ("title" | "alt" | "locale" | "file_name") => {
                let name = name.to_owned();
                let value = short_text(field).await?;
                match name.as_str() {
                    "title" => meta.title = Some(value),
                    "alt" => meta.alt = Some(value),
                    "locale" => meta.locale = Some(value),
                    _ => meta.file_name = value,
                }
            }
            other => {
                return Err(AppError::invalid(
                    other.to_owned(),
                    "is not a field of an upload (file, title, alt, locale)",
                ));
            }
        }
    }
    Err(AppError::invalid("file", "the form has no file field"))
}
