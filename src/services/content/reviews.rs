//! Review requests: someone who writes a translation (typically an author, who may not
//! publish) asks for it to be reviewed; an editor who may publish it publishes it or
//! sends it back with a comment. One open request per translation. Each step is in the
//! audit log, and the item's requests are its review history.

use chrono::{DateTime, Utc};
use entity::ids::{ActorId, ItemId, ReviewId};
use entity::review_request::{self, Column, Entity as Reviews};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, SqlErr};
use serde_json::json;

use super::load;
use super::view::etag_of_translation;
use crate::domain::Locale;
use crate::domain::content::ContentKind;
use crate::error::{AppError, Refusal};
use crate::policy::{self, Action};
use crate::services::kernel::actor::Actor;
use crate::services::kernel::audit::{self, AuditAction, Event};
use crate::services::kernel::precondition::Precondition;
use crate::services::kernel::unit_of_work::UnitOfWork;
use crate::services::pagination::{PageRequest, Paged};
use crate::state::AppState;

/// Longest comment or answer, in characters.
const MAX_COMMENT_CHARS: usize = 2000;

pub use entity::values::ReviewStatus;

#[derive(Debug, Clone)]
pub struct Review {
    pub id: ReviewId,
    pub kind: ContentKind,
    pub document_id: ItemId,
    pub locale: String,
    /// The translation's title now, to show in a queue.
    pub title: String,
    pub status: ReviewStatus,
    pub comment: String,
    pub requested_by: Option<ActorId>,
    pub requested_at: DateTime<Utc>,
    pub decided_by: Option<ActorId>,
    pub decided_at: Option<DateTime<Utc>>,
    pub answer: String,
}

/// Asks for `locale`'s draft to be reviewed; for whoever may write it.
pub async fn request(
    state: &AppState,
    actor: &Actor,
    kind: ContentKind,
    id: ItemId,
    locale: &str,
    comment: &str,
) -> Result<Review, AppError> {
    let locale = Locale::parse(locale, &state.settings.content.locales)
        .map_err(|m| AppError::invalid_parameter("locale", m))?;
    let document = load::live_document(&state.db, kind, id).await?;
    let countries = load::countries(&document)?;
    let action = Action::EditTranslation {
        countries: &countries,
        locale: &locale,
    };
    audit::authorize(state, actor, action, kind.as_str(), Some(id.to_string())).await?;
    let draft = load::translation(&state.db, id, &locale)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(format!("the {kind} {id} has no {locale} translation"))
        })?;
    let comment = checked_comment("comment", comment)?;
    let now = state.clock.now();
    let work = UnitOfWork::begin(state).await?;
    let txn = work.txn();
    if open_of(txn, id, locale.as_str()).await?.is_some() {
        return Err(already_requested(&locale));
    }
    let inserted = review_request::ActiveModel {
        id: Set(ReviewId::new()),
        document_id: Set(id),
        locale: Set(locale.to_string()),
        status: Set(ReviewStatus::Open),
        comment: Set(comment),
        draft_version: Set(draft.version),
        requested_by: Set(actor.user().map(|u| u.id.into())),
        requested_at: Set(now),
        decided_by: Set(None),
        decided_at: Set(None),
        answer: Set(String::new()),
    }
    .insert(txn)
    .await;
    // The index allows one open request per translation, whatever the races.
    let model = match inserted {
        Ok(model) => model,
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(already_requested(&locale));
        }
        Err(err) => return Err(err.into()),
    };
    let event = Event::success(AuditAction::ContentReviewRequest, kind.as_str(), id)
        .with_details(json!({ "locale": locale.as_str(), "review": model.id }));
    audit::record(txn, now, actor, event).await?;
    work.commit().await?;
    review_of(model, kind, draft.title)
}

/// The open requests the caller may decide (publish), oldest first; not their own,
/// which a colleague decides.
pub async fn queue(
    state: &AppState,
    actor: &Actor,
    page: PageRequest,
) -> Result<Paged<Review>, AppError> {
    audit::authorize(state, actor, Action::ReadContent, "review", None).await?;
    let open = Reviews::find()
        .filter(Column::Status.eq(ReviewStatus::Open))
        .order_by_asc(Column::RequestedAt)
        .all(&state.db)
        .await?;
    let mut decidable = Vec::new();
    for model in open {
        let Some(document) = entity::document::Entity::find_by_id(model.document_id)
            .one(&state.db)
            .await?
            .filter(|d| d.deleted_at.is_none())
        else {
            continue;
        };
        let countries = load::countries(&document)?;
        let locale = Locale::from_stored(model.locale.clone());
        let may = policy::authorize(
            &actor.principal,
            Action::Publish {
                countries: &countries,
                locale: &locale,
            },
        )
        .is_ok();
        let own =
            model.requested_by.is_some() && model.requested_by == actor.user().map(|u| u.id.into());
        if may && !own {
            let title = load::translation(&state.db, model.document_id, &locale)
                .await?
                .map(|t| t.title)
                .unwrap_or_default();
            decidable.push(review_of(model, document.kind, title)?);
        }
    }
    Ok(Paged::slice(decidable, page))
}

/// Every request made for an item, newest first: its review history.
pub async fn of_item(
    state: &AppState,
    actor: &Actor,
    kind: ContentKind,
    id: ItemId,
) -> Result<Vec<Review>, AppError> {
    load::document(&state.db, kind, id).await?;
    audit::authorize(
        state,
        actor,
        Action::ReadContent,
        kind.as_str(),
        Some(id.to_string()),
    )
    .await?;
    let found = Reviews::find()
        .filter(Column::DocumentId.eq(id))
        .order_by_desc(Column::RequestedAt)
        .all(&state.db)
        .await?;
    found
        .into_iter()
        .map(|model| review_of(model, kind, String::new()))
        .collect()
}

/// The decision on an open request.
#[derive(Debug, Clone)]
pub enum Decision {
    /// Publish the translation as it is now.
    Publish,
    /// Send it back to its author with an answer.
    SendBack { answer: String },
}

/// Publishes the translation or sends it back; for whoever may publish it. The request
/// is claimed first (open to decided, in one statement), so two reviewers never both
/// decide; publishing needs the draft unchanged since the request, and a failed
/// publish reopens the request.
pub async fn decide(
    state: &AppState,
    actor: &Actor,
    review: ReviewId,
    decision: Decision,
) -> Result<Review, AppError> {
    let model = Reviews::find_by_id(review)
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no review request {review}")))?;
    let document = entity::document::Entity::find_by_id(model.document_id)
        .one(&state.db)
        .await?
        .filter(|d| d.deleted_at.is_none())
        .ok_or_else(|| {
            AppError::NotFound("the item of this review request is not available".into())
        })?;
    let kind = document.kind;
    let countries = load::countries(&document)?;
    let locale = Locale::from_stored(model.locale.clone());
    let action = Action::Publish {
        countries: &countries,
        locale: &locale,
    };
    audit::authorize(
        state,
        actor,
        action,
        kind.as_str(),
        Some(document.id.to_string()),
    )
    .await?;
    let (status, answer, audit_action) = outcome(&decision)?;
    let now = state.clock.now();
    let work = UnitOfWork::begin(state).await?;
    let txn = work.txn();
    let claimed = Reviews::update_many()
        .col_expr(Column::Status, Expr::value(status.as_str()))
        .col_expr(Column::Answer, Expr::value(answer))
        .col_expr(Column::DecidedBy, Expr::value(actor.user().map(|u| u.id)))
        .col_expr(Column::DecidedAt, Expr::value(Some(now)))
        .filter(Column::Id.eq(review))
        .filter(Column::Status.eq(ReviewStatus::Open))
        .exec(txn)
        .await?;
    if claimed.rows_affected == 0 {
        return Err(AppError::Conflict(format!(
            "this review request was already {}",
            model.status
        )));
    }
    let event = Event::success(audit_action, kind.as_str(), document.id)
        .with_details(json!({ "locale": model.locale, "review": review }));
    audit::record(txn, now, actor, event).await?;
    work.commit().await?;
    if matches!(decision, Decision::Publish) {
        publish_reviewed(state, actor, kind, &model).await?;
    }
    let decided = Reviews::find_by_id(review)
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::internal("a decided review request is gone"))?;
    let title = load::translation(&state.db, document.id, &locale)
        .await?
        .map(|t| t.title)
        .unwrap_or_default();
    review_of(decided, kind, title)
}

/// What a decision makes of the request: its status, the answer for the author, and
/// the audit action. Sending back needs an answer.
fn outcome(decision: &Decision) -> Result<(ReviewStatus, String, AuditAction), AppError> {
    match decision {
        Decision::Publish => Ok((
            ReviewStatus::Published,
            String::new(),
            AuditAction::ContentReviewPublish,
        )),
        Decision::SendBack { answer } => {
            let answer = checked_comment("answer", answer)?;
            if answer.is_empty() {
                return Err(AppError::invalid(
                    "answer",
                    "say what to change, for the author",
                ));
            }
            Ok((
                ReviewStatus::Returned,
                answer,
                AuditAction::ContentReviewReturn,
            ))
        }
    }
}

/// Publishes what was asked to be reviewed, and nothing written since (412 otherwise);
/// when publishing fails, the request is open again.
async fn publish_reviewed(
    state: &AppState,
    actor: &Actor,
    kind: ContentKind,
    model: &review_request::Model,
) -> Result<(), AppError> {
    let reviewed = Precondition::Tags(vec![etag_of_translation(model.draft_version)]);
    let (id, locale) = (model.document_id, &model.locale);
    let published =
        super::schedule_or_publish(state, actor, kind, id, locale, None, &reviewed).await;
    if let Err(err) = published {
        Reviews::update_many()
            .col_expr(Column::Status, Expr::value(ReviewStatus::Open))
            .col_expr(Column::DecidedBy, Expr::value(Option::<ActorId>::None))
            .col_expr(
                Column::DecidedAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(Column::Id.eq(model.id))
            .exec(&state.db)
            .await?;
        return Err(err);
    }
    Ok(())
}

/// Closes the open request of a translation that is dropped: nothing is left to review.
pub async fn close_for_dropped(
    txn: &impl sea_orm::ConnectionTrait,
    document: ItemId,
    locale: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    Reviews::update_many()
        .col_expr(Column::Status, Expr::value(ReviewStatus::Returned.as_str()))
        .col_expr(Column::Answer, Expr::value("The translation was dropped."))
        .col_expr(Column::DecidedAt, Expr::value(Some(now)))
        .filter(Column::DocumentId.eq(document))
        .filter(Column::Locale.eq(locale))
        .filter(Column::Status.eq(ReviewStatus::Open))
        .exec(txn)
        .await?;
    Ok(())
}

/// The open request of a translation, if any.
async fn open_of(
    db: &impl sea_orm::ConnectionTrait,
    document: ItemId,
    locale: &str,
) -> Result<Option<review_request::Model>, AppError> {
    Ok(Reviews::find()
        .filter(Column::DocumentId.eq(document))
        .filter(Column::Locale.eq(locale))
        .filter(Column::Status.eq(ReviewStatus::Open))
        .one(db)
        .await?)
}

/// The locales of `document` with an open review request.
pub async fn open_locales(
    db: &impl sea_orm::ConnectionTrait,
    document: ItemId,
) -> Result<Vec<String>, AppError> {
    Ok(Reviews::find()
        .filter(Column::DocumentId.eq(document))
        .filter(Column::Status.eq(ReviewStatus::Open))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.locale)
        .collect())
}

fn already_requested(locale: &Locale) -> AppError {
    AppError::refused(
        Refusal::AlreadyExists,
        format!("a review of the {locale} translation is already requested"),
    )
}

fn checked_comment(field: &str, raw: &str) -> Result<String, AppError> {
    let trimmed = raw.trim();
    if trimmed.chars().count() > MAX_COMMENT_CHARS {
        return Err(AppError::invalid(
            field,
            format!("must be at most {MAX_COMMENT_CHARS} characters"),
        ));
    }
    Ok(trimmed.to_owned())
}

fn review_of(
    model: review_request::Model,
    kind: ContentKind,
    title: String,
) -> Result<Review, AppError> {
    Ok(Review {
        status: model.status,
        id: model.id,
        kind,
        document_id: model.document_id,
        locale: model.locale,
        title,
        comment: model.comment,
        requested_by: model.requested_by,
        requested_at: model.requested_at,
        decided_by: model.decided_by,
        decided_at: model.decided_at,
        answer: model.answer,
    })
}
