//! `POST /api/v1/admin/markdown`: a body rendered as publishing renders it, for the
//! editor's preview.

use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde::Deserialize;

use crate::http::ApiTags;
use crate::http::json::JsonBody;
use crate::http::problem::{ApiError, error_set};
use crate::http::security::AdminAuth;
use crate::services::content;
use crate::state::AppState;

pub struct MarkdownApi {
    pub state: AppState,
}

/// Markdown to preview.
#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
struct MarkdownRequest {
    /// CommonMark with tables, at most `content.max_body_bytes`, nesting at most
    /// `content.max_body_depth` levels and holding at most `content.max_body_elements`
    /// elements, as a body must (422 naming the bound otherwise).
    markdown: String,
}

/// The rendered body.
#[derive(Debug, Object)]
struct RenderedMarkdown {
    /// Sanitized HTML, exactly as publishing renders the same body.
    html: String,
}

error_set!(
    /// Rendering a preview.
    Errors: 400, 401, 403, 422
);

#[OpenApi(prefix_path = "/api/v1/admin", tag = "ApiTags::Content")]
impl MarkdownApi {
    /// Render Markdown as publishing would.
    ///
    /// For an editor's live preview: the same renderer and sanitizer as publishing, so
    /// the preview is what readers get. Nothing is stored. Renders run a few at a time,
    /// off the request workers; a repeated body is answered from the renders kept.
    #[oai(
        path = "/markdown",
        method = "post",
        operation_id = "content_markdown_preview"
    )]
    async fn preview(
        &self,
        auth: AdminAuth,
        body: JsonBody<MarkdownRequest>,
    ) -> Result<Json<RenderedMarkdown>, ApiError<Errors>> {
        let html = content::render_preview(&self.state, &auth.0, &body.0.markdown).await?;
        Ok(Json(RenderedMarkdown { html }))
    }
}
