//! `/api/v1/admin/{kind}`: pages, news, events and materials, with per-locale drafts,
//! publishing, revisions and the trash.

mod changes;
pub(crate) mod dto;
mod fields;
pub mod schedules;

use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use uuid::Uuid;

use self::dto::{
    CreateItemRequest, ItemResponse, ItemSummaryResponse, KindPath, RevisionDetailResponse,
    RevisionResponse, ScheduleChoiceName, TranslationBody, UpdateItemRequest, WhenRequest,
};
use super::pagination::PageInfo;
use crate::domain::content::ContentKind;
use crate::http::ApiTags;
use crate::http::json::{JsonBody, OptionalJsonBody};
use crate::http::problem::{ApiError, error_set};
use crate::http::security::AdminAuth;
use crate::services::content::{self, ItemFilter, ItemInput, Status, etag_of_document};
use crate::services::kernel::actor::Actor;
use crate::services::kernel::precondition::Precondition;
use crate::services::pagination::PageRequest;
use crate::state::AppState;

pub struct ContentApi {
    pub state: AppState,
}

/// Workflow states to filter lists by.
#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "snake_case")]
enum StatusName {
    /// No translation is live.
    Draft,
    /// At least one translation is live.
    Published,
    /// A live translation, or the neutral fields, changed since publishing.
    Changed,
    /// Publishing or unpublishing is scheduled.
    Scheduled,
    /// In the trash.
    Trashed,
}

impl From<StatusName> for Status {
    fn from(status: StatusName) -> Self {
        match status {
            StatusName::Draft => Status::Draft,
            StatusName::Published => Status::Published,
            StatusName::Changed => Status::Changed,
            StatusName::Scheduled => Status::Scheduled,
            StatusName::Trashed => Status::Trashed,
        }
    }
}

/// A page of items, most recently changed first.
#[derive(Debug, Object)]
struct ItemList {
    items: Vec<ItemSummaryResponse>,
    page: PageInfo,
}

/// A page of revisions, newest first.
#[derive(Debug, Object)]
struct RevisionList {
    items: Vec<RevisionResponse>,
    page: PageInfo,
}

#[derive(ApiResponse)]
pub(super) enum ItemWithTag {
    /// The item; `ETag` is the version of its neutral fields.
    #[oai(status = 200)]
    Ok(Json<ItemResponse>, #[oai(header = "ETag")] String),
}

#[derive(ApiResponse)]
enum CreatedItem {
    /// The item was created.
    #[oai(status = 201)]
    Created(
        Json<ItemResponse>,
        #[oai(header = "Location")] String,
        #[oai(header = "ETag")] String,
    ),
}

#[derive(ApiResponse)]
enum SavedDraft {
    /// The draft was saved; `ETag` is the translation's new version.
    #[oai(status = 200)]
    Ok(Json<ItemResponse>, #[oai(header = "ETag")] String),
}

#[derive(ApiResponse)]
enum Gone {
    /// Done.
    #[oai(status = 204)]
    Done,
}

error_set!(
    /// Reading content.
    ReadErrors: 400, 401, 403, 404
);
error_set!(
    /// Writing content.
    WriteErrors: 400, 401, 403, 404, 409, 412, 422, 428
);

/// The item as the caller sees it: with what they may do to it.
fn item_body(state: &AppState, actor: &Actor, item: content::Item) -> Json<ItemResponse> {
    let abilities = content::abilities(state, actor, &item);
    Json(ItemResponse::of(item, abilities))
}

pub(super) fn item_response(state: &AppState, actor: &Actor, item: content::Item) -> ItemWithTag {
    let etag = etag_of_document(item.version);
    ItemWithTag::Ok(item_body(state, actor, item), etag)
}

#[OpenApi(prefix_path = "/api/v1/admin", tag = "ApiTags::Content")]
impl ContentApi {
    /// List items of a kind.
    ///
    /// Filters: `locale` (has a translation in it), `status`, `country`, `tag`,
    /// `author` (creator's user id), `q` (words of a title, any locale), `in_scope`
    /// (`true`: only items of the caller's countries and EU-wide ones).
    #[oai(path = "/:kind", method = "get", operation_id = "content_list")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        auth: AdminAuth,
        kind: Path<KindPath>,
        locale: Query<Option<String>>,
        status: Query<Option<StatusName>>,
        country: Query<Option<String>>,
        tag: Query<Option<String>>,
        author: Query<Option<Uuid>>,
        q: Query<Option<String>>,
        /// `true`: only items of the caller's countries and EU-wide ones, what a
        /// national editor works on (every item for a scope of all countries).
        in_scope: Query<Option<bool>>,
        page: Query<Option<u64>>,
        per_page: Query<Option<u64>>,
    ) -> Result<Json<ItemList>, ApiError<ReadErrors>> {
        let page = PageRequest::parse(page.0, per_page.0, &self.state.settings.api)?;
        let filter = ItemFilter {
            locale: locale.0,
            status: status.0.map(Status::from),
            country: country.0,
            tag: tag.0,
            author: author.0.map(Into::into),
            q: q.0,
            in_scope: in_scope.0.unwrap_or(false),
        };
        let paged = content::list(&self.state, &auth.0, kind.0.into(), filter, page).await?;
        Ok(Json(ItemList {
            page: PageInfo::of(&paged),
            items: paged
                .items
                .into_iter()
                .map(ItemSummaryResponse::from)
                .collect(),
        }))
    }

    /// Create an item with its first translation (a draft).
    #[oai(path = "/:kind", method = "post", operation_id = "content_create")]
    async fn create(
        &self,
        auth: AdminAuth,
        kind: Path<KindPath>,
        body: JsonBody<CreateItemRequest>,
    ) -> Result<CreatedItem, ApiError<WriteErrors>> {
        let body = body.0;
        let (locale, translation) = body.translation.into_parts();
        let input = ItemInput {
            countries: body.countries,
            tags: body.tags,
            parent_id: body.parent_id.map(|p| Some(p.into())),
            position: body.position,
            fields: body.fields.unwrap_or_default().into(),
        };
        let kind: ContentKind = kind.0.into();
        let item = content::create(&self.state, &auth.0, kind, input, &locale, translation).await?;
        let location = format!("/api/v1/admin/{}/{}", kind.plural(), item.id);
        let etag = etag_of_document(item.version);
        Ok(CreatedItem::Created(
            item_body(&self.state, &auth.0, item),
            location,
            etag,
        ))
    }

    /// Read an item: neutral fields and every translation's draft and live state.
    #[oai(path = "/:kind/:id", method = "get", operation_id = "content_get")]
    async fn get(
        &self,
        auth: AdminAuth,
        kind: Path<KindPath>,
        id: Path<Uuid>,
    ) -> Result<ItemWithTag, ApiError<ReadErrors>> {
        Ok(item_response(
            &self.state,
            &auth.0,
            content::get(&self.state, &auth.0, kind.0.into(), id.0.into()).await?,
        ))
    }

    /// Change an item's language-neutral fields.
    ///
    /// Needs `If-Match` with the item's ETag (428 without; 412 with the current ETag
    /// when someone changed it since). Readers see the change only when a translation
    /// is published again (or with `publish-details`). When publications of the item
    /// are scheduled, `schedules` says whether they publish the new details (`keep`) or
    /// are cancelled (`cancel`); without it, 409 `schedule-pending`.
    #[oai(path = "/:kind/:id", method = "patch", operation_id = "content_update")]
    async fn update(
        &self,
        auth: AdminAuth,
        kind: Path<KindPath>,
        id: Path<Uuid>,
        #[oai(name = "If-Match")] if_match: Header<Option<String>>,
        body: JsonBody<UpdateItemRequest>,
    ) -> Result<ItemWithTag, ApiError<WriteErrors>> {
        let body = body.0;
        let schedules = body.schedules;
        let input = ItemInput {
            countries: body.countries,
            tags: body.tags,
            parent_id: Option::<Option<Uuid>>::from(body.parent_id)
                .map(|parent| parent.map(Into::into)),
            position: body.position,
            fields: body.fields.unwrap_or_default().into(),
        };
        let item = content::update(
            &self.state,
            &auth.0,
            kind.0.into(),
            id.0.into(),
            &Precondition::from_if_match(if_match.0.as_deref()),
            input,
            schedules.map(Into::into),
        )
        .await?;
        Ok(item_response(&self.state, &auth.0, item))
    }

    /// Move an item to the trash, or purge it from the trash.
    ///
    /// Trashing takes every translation offline and cancels schedules; the drafts stay
    /// and can be restored. With `purge=true` an item already in the trash is deleted
    /// for good (admins only). `If-Match` is checked when given.
    #[oai(
        path = "/:kind/:id",
        method = "delete",
        operation_id = "content_delete"
    )]
    async fn delete(
        &self,
        auth: AdminAuth,
        kind: Path<KindPath>,
        id: Path<Uuid>,
        purge: Query<Option<bool>>,
        #[oai(name = "If-Match")] if_match: Header<Option<String>>,
    ) -> Result<Gone, ApiError<WriteErrors>> {
        if purge.0 == Some(true) {
            content::purge(&self.state, &auth.0, kind.0.into(), id.0.into()).await?;
        } else {
            content::trash(
                &self.state,
                &auth.0,
                kind.0.into(),
                id.0.into(),
                &Precondition::from_if_match(if_match.0.as_deref()),
            )
            .await?;
        }
        Ok(Gone::Done)
    }

    /// Restore an item from the trash; its translations come back as drafts.
    #[oai(
        path = "/:kind/:id/restore",
        method = "post",
        operation_id = "content_restore"
    )]
    async fn restore(
        &self,
        auth: AdminAuth,
        kind: Path<KindPath>,
        id: Path<Uuid>,
    ) -> Result<ItemWithTag, ApiError<WriteErrors>> {
        Ok(item_response(
            &self.state,
            &auth.0,
            content::restore(&self.state, &auth.0, kind.0.into(), id.0.into()).await?,
        ))
    }

    /// Write a translation's draft (creating the translation if needed).
    ///
    /// Replacing an existing draft needs `If-Match` with the translation's ETag
    /// (`translations[].etag`). What readers see does not change until it is published.
    /// When its publication is scheduled, `schedule` says whether the new draft is
    /// published then (`keep`) or the schedule is cancelled (`cancel`); without it, 409
    /// `schedule-pending`.
    #[oai(
        path = "/:kind/:id/translations/:locale",
        method = "put",
        operation_id = "content_put_translation"
    )]
    async fn put_translation(
        &self,
        auth: AdminAuth,
        kind: Path<KindPath>,
        id: Path<Uuid>,
        locale: Path<String>,
        #[oai(name = "If-Match")] if_match: Header<Option<String>>,
        body: JsonBody<TranslationBody>,
    ) -> Result<SavedDraft, ApiError<WriteErrors>> {
        let schedule = body.0.schedule.map(Into::into);
        let (item, etag) = content::put_translation(
            &self.state,
            &auth.0,
            kind.0.into(),
            id.0.into(),
            &locale.0,
            &Precondition::from_if_match(if_match.0.as_deref()),
            body.0.into(),
            schedule,
        )
        .await?;
        Ok(SavedDraft::Ok(item_body(&self.state, &auth.0, item), etag))
    }

    /// Drop a translation: its draft, live version and schedules.
    #[oai(
        path = "/:kind/:id/translations/:locale",
        method = "delete",
        operation_id = "content_drop_translation"
    )]
    async fn drop_translation(
        &self,
        auth: AdminAuth,
        kind: Path<KindPath>,
        id: Path<Uuid>,
        locale: Path<String>,
        #[oai(name = "If-Match")] if_match: Header<Option<String>>,
    ) -> Result<ItemWithTag, ApiError<WriteErrors>> {
        let item = content::drop_translation(
            &self.state,
            &auth.0,
            kind.0.into(),
            id.0.into(),
            &locale.0,
            &Precondition::from_if_match(if_match.0.as_deref()),
        )
        .await?;
        Ok(item_response(&self.state, &auth.0, item))
    }

    /// Publish a translation now, or schedule it with `{"at": ...}`.
    ///
    /// Publishing copies the draft and the neutral fields into what readers see, in
    /// one transaction with a revision. Other locales are not affected. Send `If-Match`
    /// with the translation's ETag to publish only the draft you reviewed (412 if it
    /// changed). A scheduled publish goes live only if neither the draft nor the
    /// neutral fields changed since it was scheduled, and only if its scheduler may
    /// still publish.
    #[oai(
        path = "/:kind/:id/translations/:locale/publish",
        method = "post",
        operation_id = "content_publish"
    )]
    async fn publish(
        &self,
        auth: AdminAuth,
        kind: Path<KindPath>,
        id: Path<Uuid>,
        locale: Path<String>,
        #[oai(name = "If-Match")] if_match: Header<Option<String>>,
        body: OptionalJsonBody<WhenRequest>,
    ) -> Result<ItemWithTag, ApiError<WriteErrors>> {
        let at = body.0.and_then(|w| w.at);
        let item = content::schedule_or_publish(
            &self.state,
            &auth.0,
            kind.0.into(),
            id.0.into(),
            &locale.0,
            at,
            &Precondition::from_if_match(if_match.0.as_deref()),
        )
        .await?;
        Ok(item_response(&self.state, &auth.0, item))
    }

    /// Take a translation offline now, or schedule it with `{"at": ...}`.
    #[oai(
        path = "/:kind/:id/translations/:locale/unpublish",
        method = "post",
        operation_id = "content_unpublish"
    )]
    async fn unpublish(
        &self,
        auth: AdminAuth,
        kind: Path<KindPath>,
        id: Path<Uuid>,
        locale: Path<String>,
        body: OptionalJsonBody<WhenRequest>,
    ) -> Result<ItemWithTag, ApiError<WriteErrors>> {
        let at = body.0.and_then(|w| w.at);
        let item = content::schedule_or_unpublish(
            &self.state,
            &auth.0,
            kind.0.into(),
            id.0.into(),
            &locale.0,
            at,
        )
        .await?;
        Ok(item_response(&self.state, &auth.0, item))
    }

    /// An item's history: every saved draft, change, publish and restore.
    #[oai(
        path = "/:kind/:id/revisions",
        method = "get",
        operation_id = "content_revisions"
    )]
    async fn revisions(
        &self,
        auth: AdminAuth,
        kind: Path<KindPath>,
        id: Path<Uuid>,
        page: Query<Option<u64>>,
        per_page: Query<Option<u64>>,
    ) -> Result<Json<RevisionList>, ApiError<ReadErrors>> {
        let page = PageRequest::parse(page.0, per_page.0, &self.state.settings.api)?;
        let paged =
            content::list_revisions(&self.state, &auth.0, kind.0.into(), id.0.into(), page).await?;
        Ok(Json(RevisionList {
            page: PageInfo::of(&paged),
            items: paged
                .items
                .into_iter()
                .map(RevisionResponse::from)
                .collect(),
        }))
    }

    /// One revision, with what changed field by field.
    ///
    /// Compared with `compare_to` when given, else with the previous revision of the
    /// same locale (or of the neutral fields).
    #[oai(
        path = "/:kind/:id/revisions/:rev",
        method = "get",
        operation_id = "content_revision"
    )]
    async fn revision(
        &self,
        auth: AdminAuth,
        kind: Path<KindPath>,
        id: Path<Uuid>,
        rev: Path<Uuid>,
        compare_to: Query<Option<Uuid>>,
    ) -> Result<Json<RevisionDetailResponse>, ApiError<ReadErrors>> {
        let detail = content::read_revision(
            &self.state,
            &auth.0,
            kind.0.into(),
            id.0.into(),
            rev.0.into(),
            compare_to.0.map(Into::into),
        )
        .await?;
        Ok(Json(detail.into()))
    }

    /// Restore a revision: its content becomes the current draft (or neutral fields).
    ///
    /// Like saving, restoring over a scheduled publication must say what happens to it
    /// (409 `schedule-pending` otherwise): `schedule=keep` publishes the restored
    /// content at the scheduled time (for whoever may publish it), `schedule=cancel`
    /// cancels it. For a revision of the item's details, this applies to every
    /// scheduled publication of the item.
    #[oai(
        path = "/:kind/:id/revisions/:rev/restore",
        method = "post",
        operation_id = "content_restore_revision"
    )]
    async fn restore_revision(
        &self,
        auth: AdminAuth,
        kind: Path<KindPath>,
        id: Path<Uuid>,
        rev: Path<Uuid>,
        schedule: Query<Option<ScheduleChoiceName>>,
    ) -> Result<ItemWithTag, ApiError<WriteErrors>> {
        let schedule = schedule.0.map(Into::into);
        let restored = content::restore_revision(
            &self.state,
            &auth.0,
            kind.0.into(),
            id.0.into(),
            rev.0.into(),
            schedule,
        )
        .await?;
        Ok(item_response(&self.state, &auth.0, restored))
    }
}
