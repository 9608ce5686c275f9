//! `POST /api/v1/admin/{kind}/{id}/translations/{locale}/preview-link`: a link to one
//! translation's draft on a site's frontend, for editors to review it in the site design.

use chrono::{DateTime, Utc};
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;
use uuid::Uuid;

use super::content::dto::KindPath;
use crate::http::ApiTags;
use crate::http::json::JsonBody;
use crate::http::problem::{ApiError, error_set};
use crate::http::security::AdminAuth;
use crate::services::content::{self, PreviewLink};
use crate::state::AppState;

pub struct PreviewLinksApi {
    pub state: AppState,
}

/// Which site's frontend to preview on.
#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
struct PreviewLinkRequest {
    /// A site with a `preview_url` that shows the item (its countries).
    site: String,
}

/// A link to the draft on the site's preview route.
#[derive(Debug, Object)]
struct PreviewLinkResponse {
    /// The site's `preview_url` filled in: open it to see the draft.
    url: String,
    /// The preview token in the link (`bsp_…`): with `?preview=true` it shows this
    /// translation's draft and, for everything else, what is published.
    token: String,
    site: String,
    /// When the token stops working (`delivery.preview_link_minutes` from now).
    expires_at: DateTime<Utc>,
}

impl From<PreviewLink> for PreviewLinkResponse {
    fn from(link: PreviewLink) -> Self {
        Self {
            url: link.url,
            token: link.token,
            site: link.site,
            expires_at: link.expires_at,
        }
    }
}

#[derive(ApiResponse)]
enum Created {
    /// The link; its token is shown only here.
    #[oai(status = 201)]
    Link(Json<PreviewLinkResponse>),
}

error_set!(
    /// Making a preview link.
    Errors: 400, 401, 403, 404, 422
);

#[OpenApi(prefix_path = "/api/v1/admin", tag = "ApiTags::Content")]
impl PreviewLinksApi {
    /// Make a preview link for a translation's draft.
    ///
    /// Anyone who may read the item gets one. The link is the site's `preview_url` with
    /// `{token}`, `{kind}`, `{id}`, `{locale}` and `{slug}` (the draft's) filled in; its
    /// token is a preview token bound to the site that shows this one draft (and what
    /// is published) for `delivery.preview_link_minutes`. 422 (`site`) when the site
    /// has no preview route or does not show the item.
    #[oai(
        path = "/:kind/:id/translations/:locale/preview-link",
        method = "post",
        operation_id = "content_preview_link"
    )]
    async fn create(
        &self,
        auth: AdminAuth,
        kind: Path<KindPath>,
        id: Path<Uuid>,
        locale: Path<String>,
        body: JsonBody<PreviewLinkRequest>,
    ) -> Result<Created, ApiError<Errors>> {
        let link = content::create_preview_link(
            &self.state,
            &auth.0,
            kind.0.into(),
            id.0.into(),
            &locale.0,
            &body.0.site,
        )
        .await?;
        Ok(Created::Link(Json(link.into())))
    }
}
