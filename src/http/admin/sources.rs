//! What a translation follows: the source's changes since its base, and marking it up
//! to date (`/api/v1/admin/{kind}/{id}/translations/{locale}/...`).

use chrono::{DateTime, Utc};
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::content::dto::{FieldChange, KindPath};
use crate::http::ApiTags;
use crate::http::json::OptionalJsonBody;
use crate::http::problem::{ApiError, error_set};
use crate::http::security::AdminAuth;
use crate::services::content::{self, SourceChanges};
use crate::state::AppState;

pub struct SourcesApi {
    pub state: AppState,
}

/// The source's changes since the revision a translation follows.
#[derive(Debug, Object)]
struct SourceChangesResponse {
    source_locale: String,
    /// The source revision the translation follows; `null` when it follows none.
    #[oai(nullable)]
    base_revision_id: Option<Uuid>,
    /// When that revision was made.
    #[oai(nullable)]
    based_at: Option<DateTime<Utc>>,
    /// The newest source revision: send it as `based_on` when saving the translation
    /// with the source shown beside it, or mark the translation up to date.
    #[oai(nullable)]
    latest_revision_id: Option<Uuid>,
    /// Each source text (`title`, `summary`, `body`, `seo_title`, `seo_description`)
    /// that differs, `before` at the base and `after` now; empty when up to date.
    changes: Vec<FieldChange>,
}

impl From<SourceChanges> for SourceChangesResponse {
    fn from(found: SourceChanges) -> Self {
        Self {
            source_locale: found.source_locale,
            base_revision_id: found.base_revision_id.map(Into::into),
            based_at: found.based_at,
            latest_revision_id: found.latest_revision_id.map(Into::into),
            changes: found
                .changes
                .into_iter()
                .map(|(field, before, after)| FieldChange {
                    field,
                    before,
                    after,
                })
                .collect(),
        }
    }
}

/// The source revision whose changes the translator was shown.
#[derive(Debug, Object, serde::Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
struct UpToDateRequest {
    /// `latest_revision_id` from `source-changes`; when the source changed again
    /// since, 409 instead of skipping the new changes.
    #[oai(nullable)]
    shown: Option<Uuid>,
}

#[derive(ApiResponse)]
enum Marked {
    /// The translation now follows the newest source revision.
    #[oai(status = 204)]
    Done,
}

error_set!(
    /// Reading the source's changes.
    ReadErrors: 400, 401, 403, 404
);
error_set!(
    /// Marking up to date.
    WriteErrors: 400, 401, 403, 404, 409
);

#[OpenApi(prefix_path = "/api/v1/admin", tag = "ApiTags::Content")]
impl SourcesApi {
    /// What changed in the source since a translation's base.
    ///
    /// A translation follows one revision of the item's source locale: set when it is
    /// created, moved by marking it up to date or by saving it with `based_on`. It is
    /// `outdated` while the source's text differs from that revision's; these are the
    /// differences, field by field. 400 for the source locale itself.
    #[oai(
        path = "/:kind/:id/translations/:locale/source-changes",
        method = "get",
        operation_id = "content_source_changes"
    )]
    async fn source_changes(
        &self,
        auth: AdminAuth,
        kind: Path<KindPath>,
        id: Path<Uuid>,
        locale: Path<String>,
    ) -> Result<Json<SourceChangesResponse>, ApiError<ReadErrors>> {
        let found =
            content::source_changes(&self.state, &auth.0, kind.0.into(), id.0.into(), &locale.0)
                .await?;
        Ok(Json(found.into()))
    }

    /// Mark a translation up to date with its source.
    ///
    /// Its base moves to the newest source revision, so it is no longer `outdated`;
    /// the draft itself does not change. For whoever may write the translation. With
    /// `{"shown": ...}` (the revision whose changes were shown), 409 if the source
    /// changed again since.
    #[oai(
        path = "/:kind/:id/translations/:locale/up-to-date",
        method = "post",
        operation_id = "content_mark_up_to_date"
    )]
    async fn up_to_date(
        &self,
        auth: AdminAuth,
        kind: Path<KindPath>,
        id: Path<Uuid>,
        locale: Path<String>,
        body: OptionalJsonBody<UpToDateRequest>,
    ) -> Result<Marked, ApiError<WriteErrors>> {
        let shown = body.0.and_then(|b| b.shown).map(Into::into);
        content::mark_up_to_date(
            &self.state,
            &auth.0,
            kind.0.into(),
            id.0.into(),
            &locale.0,
            shown,
        )
        .await?;
        Ok(Marked::Done)
    }
}
