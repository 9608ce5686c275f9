//! Publishing: copying a draft into the read model, now or at a given time, and
//! taking it offline again. Each runs in one transaction with its revision and an
//! outbox event, so a failure leaves the previous live version as it was.

use chrono::{DateTime, Utc};
use entity::document;
use entity::ids::{ItemId, ScheduleId};
use entity::published_translation::{self, Entity as Published};
use entity::schedule::{self, Column as ScheduleColumn, Entity as Schedules};
use entity::slug_redirect::{self, Entity as Redirects};
use entity::translation;
use entity::values::{ScheduleAction, ScheduleOutcome};
use sea_orm::sea_query::{Expr, LockBehavior, LockType};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, SqlErr,
};
use serde_json::json;

use super::history::{self, RevisionAction};
use super::item_view;
use super::load;
use super::schedules;
use super::view::{Item, etag_of_translation};
use crate::domain::content::ContentKind;
use crate::domain::{CountryCode, Locale};
use crate::error::{AppError, Refusal};
use crate::policy::Action;
use crate::services::kernel::actor::Actor;
use crate::services::kernel::audit::{self, AuditAction, Event, Who};
use crate::services::kernel::events::{
    DomainEvent, ScheduleRan, TranslationLive, TranslationOffline, countries_of_all,
};
use crate::services::kernel::precondition::Precondition;
use crate::services::kernel::unit_of_work::UnitOfWork;
use crate::state::AppState;

/// Publishes `locale` now, or at `at` when that is in the future. With `precondition`
/// (the translation's ETag), only if the draft is still the one reviewed; a
/// scheduled publish always publishes the version it was scheduled with, or nothing.
#[allow(clippy::too_many_arguments)]
pub async fn schedule_or_publish(
    state: &AppState,
    actor: &Actor,
    kind: ContentKind,
    id: ItemId,
    locale: &str,
    at: Option<DateTime<Utc>>,
    precondition: &Precondition,
) -> Result<Item, AppError> {
    act(
        state,
        actor,
        kind,
        id,
        locale,
        at,
        precondition,
        ScheduleAction::Publish,
    )
    .await
}

/// Takes `locale` offline now, or at `at` when that is in the future.
pub async fn schedule_or_unpublish(
    state: &AppState,
    actor: &Actor,
    kind: ContentKind,
    id: ItemId,
    locale: &str,
    at: Option<DateTime<Utc>>,
) -> Result<Item, AppError> {
    act(
        state,
        actor,
        kind,
        id,
        locale,
        at,
        &Precondition::Absent,
        ScheduleAction::Unpublish,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn act(
    state: &AppState,
    actor: &Actor,
    kind: ContentKind,
    id: ItemId,
    locale: &str,
    at: Option<DateTime<Utc>>,
    precondition: &Precondition,
    what: ScheduleAction,
) -> Result<Item, AppError> {
    let locale = Locale::parse(locale, &state.settings.content.locales)
        .map_err(|m| AppError::invalid_parameter("locale", m))?;
    let document = load::live_document(&state.db, kind, id).await?;
    let draft = load::translation(&state.db, id, &locale)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("{kind} {id} has no {locale} translation")))?;
    let countries = load::countries(&document)?;
    let action = Action::Publish {
        countries: &countries,
        locale: &locale,
    };
    audit::authorize(state, actor, action, kind.as_str(), Some(id.to_string())).await?;
    let current = etag_of_translation(draft.version);
    if precondition.is_given() && !precondition.names(&current) {
        return Err(AppError::PreconditionFailed {
            detail: "the draft changed since you read it; review it again before publishing".into(),
            current_etag: Some(current),
        });
    }
    // One reading of the clock decides both whether this is a schedule and when it
    // happens. Rendering is CPU work: done before the write lock is taken, on the pool.
    let now = state.clock.now();
    let body_html = match (what, at.filter(|at| *at > now)) {
        (ScheduleAction::Publish, None) => Some(state.renderer.render(&draft.body).await?.html),
        _ => None,
    };
    let work = UnitOfWork::begin(state).await?;
    let txn = work.txn();
    let document = relock(txn, kind, &draft, &countries).await?;
    match at.filter(|at| *at > now) {
        Some(at) => {
            // A new schedule replaces a pending one for the same locale.
            schedules::cancel_all(txn, id, Some(&locale), now).await?;
            let pins = (draft.version, document.version);
            let model = new_schedule(actor, id, &locale, what, at, pins, now);
            Schedules::insert(model).exec_without_returning(txn).await?;
            let event = Event::success(schedule_action(what), kind.as_str(), id)
                .with_details(json!({ "locale": locale.as_str(), "at": at }));
            audit::record(txn, now, actor, event).await?;
        }
        None => {
            match what {
                ScheduleAction::Publish => {
                    let body_html = body_html.ok_or_else(|| {
                        AppError::internal("a publication now was not rendered before it")
                    })?;
                    publish_in(&work, &document, &draft, body_html, Some(actor), now).await?
                }
                ScheduleAction::Unpublish => {
                    unpublish_in(&work, &document, &locale, Some(actor), now).await?
                }
            }
            // Doing it now settles any pending schedule for this locale.
            schedules::cancel_all(txn, id, Some(&locale), now).await?;
            let event = Event::success(now_action(what), kind.as_str(), id)
                .with_details(json!({ "locale": locale.as_str() }));
            audit::record(txn, now, actor, event).await?;
        }
    }
    work.commit().await?;
    item_view::item(state, load::document(&state.db, kind, id).await?).await
}

/// The item again under lock, with its draft still the one checked and its countries
/// still those authorized: everything read before the lock may have changed (a trash,
/// another edit), and what is published is exactly what was checked.
async fn relock(
    txn: &impl ConnectionTrait,
    kind: ContentKind,
    draft: &translation::Model,
    countries: &[CountryCode],
) -> Result<document::Model, AppError> {
    let (id, locale) = (draft.document_id, &draft.locale);
    let document = load::lock_document(txn, kind, id).await?;
    let locked_draft = load::translation(txn, id, &Locale::from_stored(locale.clone()))
        .await?
        .ok_or_else(|| AppError::NotFound(format!("{kind} {id} has no {locale} translation")))?;
    if locked_draft.version != draft.version {
        return Err(AppError::PreconditionFailed {
            detail: "the draft changed a moment ago; review it again before publishing".into(),
            current_etag: Some(etag_of_translation(locked_draft.version)),
        });
    }
    if load::countries(&document)? != countries {
        return Err(AppError::Conflict(
            "the item's countries changed a moment ago; try again".into(),
        ));
    }
    Ok(document)
}

/// A schedule of `what` for `locale` at `at`, by `actor`. A publication pins the draft
/// and details versions reviewed: what was reviewed is what goes live, or nothing does.
fn new_schedule(
    actor: &Actor,
    id: ItemId,
    locale: &Locale,
    what: ScheduleAction,
    at: DateTime<Utc>,
    (draft_version, document_version): (i64, i64),
    now: DateTime<Utc>,
) -> schedule::ActiveModel {
    let publishes = what == ScheduleAction::Publish;
    schedule::ActiveModel {
        id: Set(ScheduleId::new()),
        document_id: Set(id),
        locale: Set(locale.to_string()),
        action: Set(what),
        run_at: Set(at),
        created_by: Set(Some(actor.id())),
        created_at: Set(now),
        done_at: Set(None),
        outcome: Set(None),
        draft_version: Set(publishes.then_some(draft_version)),
        document_version: Set(publishes.then_some(document_version)),
    }
}

fn schedule_action(what: ScheduleAction) -> AuditAction {
    match what {
        ScheduleAction::Publish => AuditAction::ContentSchedulePublish,
        ScheduleAction::Unpublish => AuditAction::ContentScheduleUnpublish,
    }
}

fn now_action(what: ScheduleAction) -> AuditAction {
    match what {
        ScheduleAction::Publish => AuditAction::ContentPublish,
        ScheduleAction::Unpublish => AuditAction::ContentUnpublish,
    }
}

/// Copies `draft` (with the document's neutral fields and its body rendered as
/// `body_html`) into the read model.
async fn publish_in(
    work: &UnitOfWork<'_>,
    document: &document::Model,
    draft: &translation::Model,
    body_html: String,
    actor: Option<&Actor>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let txn = work.txn();
    let kind = document.kind;
    let locale = Locale::from_stored(draft.locale.clone());
    let previous = load::published(txn, document.id, &locale).await?;
    let sort_at = load::fields(document)?.sorts_at();
    let snapshot = json!({
        "slug": draft.slug, "title": draft.title, "summary": draft.summary, "body": draft.body,
        "seo_title": draft.seo_title, "seo_description": draft.seo_description,
        "fields": document.fields, "countries": document.countries, "tags": document.tags,
        "draft_version": draft.version, "document_version": document.version,
        "file_asset_id": load::file_of(&draft.fields),
    });
    let revision = history::record_publication(
        txn,
        document.id,
        &locale,
        RevisionAction::Publish,
        snapshot,
        actor,
        now,
    )
    .await?;
    Published::delete_many()
        .filter(published_translation::Column::DocumentId.eq(document.id))
        .filter(published_translation::Column::Locale.eq(locale.as_str()))
        .exec(txn)
        .await?;
    let mut live = live_row(document, draft, body_html, sort_at, now);
    live.revision_id = Set(revision);
    live.published_by = Set(actor.map(Actor::id));
    if let Err(err) = Published::insert(live).exec_without_returning(txn).await {
        return Err(match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => AppError::refused(
                Refusal::SlugTaken,
                format!(
                    "another {kind} is live in {locale} with the slug {}; change one of the slugs",
                    draft.slug
                ),
            ),
            _ => err.into(),
        });
    }
    let replaced = previous.as_ref().map(|p| p.slug.as_str());
    redirect_slugs(txn, kind, &locale, document.id, &draft.slug, replaced, now).await?;
    // Sites that showed the old version are told too, if the countries changed.
    let shown_in: Vec<&serde_json::Value> = match &previous {
        Some(live) => vec![&document.countries, &live.countries],
        None => vec![&document.countries],
    };
    let live = TranslationLive {
        item_id: document.id,
        kind,
        locale,
        slug: draft.slug.clone(),
        previous_slug: previous
            .as_ref()
            .map(|live| live.slug.clone())
            .filter(|slug| *slug != draft.slug),
        countries: countries_of_all(&shown_in),
    };
    let event = match previous {
        Some(_) => DomainEvent::TranslationChanged(live),
        None => DomainEvent::TranslationPublished(live),
    };
    work.record(event, now).await
}

/// The live version of `draft` with the item's details, as published at `now`.
fn live_row(
    document: &document::Model,
    draft: &translation::Model,
    body_html: String,
    sort_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> published_translation::ActiveModel {
    published_translation::ActiveModel {
        document_id: Set(document.id),
        locale: Set(draft.locale.clone()),
        kind: Set(document.kind),
        slug: Set(draft.slug.clone()),
        title: Set(draft.title.clone()),
        summary: Set(draft.summary.clone()),
        body: Set(draft.body.clone()),
        body_html: Set(body_html),
        seo_title: Set(draft.seo_title.clone()),
        seo_description: Set(draft.seo_description.clone()),
        fields: Set(draft.fields.clone()),
        document_fields: Set(document.fields.clone()),
        countries: Set(document.countries.clone()),
        tags: Set(document.tags.clone()),
        parent_id: Set(document.parent_id),
        position: Set(document.position),
        sort_at: Set(sort_at),
        draft_version: Set(draft.version),
        document_version: Set(document.version),
        revision_id: sea_orm::ActiveValue::NotSet,
        published_by: sea_orm::ActiveValue::NotSet,
        published_at: Set(now),
    }
}

/// The live slug can no longer redirect elsewhere; a replaced one now redirects here.
async fn redirect_slugs(
    txn: &impl ConnectionTrait,
    kind: ContentKind,
    locale: &Locale,
    id: ItemId,
    live: &str,
    replaced: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let redirects_from = |slug: &str| {
        Redirects::delete_many()
            .filter(slug_redirect::Column::Kind.eq(kind))
            .filter(slug_redirect::Column::Locale.eq(locale.as_str()))
            .filter(slug_redirect::Column::Slug.eq(slug))
    };
    redirects_from(live).exec(txn).await?;
    let Some(replaced) = replaced.filter(|slug| *slug != live) else {
        return Ok(());
    };
    redirects_from(replaced).exec(txn).await?;
    let redirect = slug_redirect::ActiveModel {
        kind: Set(kind),
        locale: Set(locale.to_string()),
        slug: Set(replaced.to_owned()),
        document_id: Set(id),
        created_at: Set(now),
    };
    Redirects::insert(redirect)
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

async fn unpublish_in(
    work: &UnitOfWork<'_>,
    document: &document::Model,
    locale: &Locale,
    actor: Option<&Actor>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let txn = work.txn();
    let Some(live) = load::published(txn, document.id, locale).await? else {
        return Err(AppError::Conflict(format!(
            "the {locale} translation is not live"
        )));
    };
    Published::delete_many()
        .filter(published_translation::Column::DocumentId.eq(document.id))
        .filter(published_translation::Column::Locale.eq(locale.as_str()))
        .exec(txn)
        .await?;
    history::record_publication(
        txn,
        document.id,
        locale,
        RevisionAction::Unpublish,
        json!({}),
        actor,
        now,
    )
    .await?;
    let offline = TranslationOffline {
        item_id: document.id,
        kind: document.kind,
        locale: locale.clone(),
        slug: live.slug,
        countries: countries_of_all(&[&live.countries]),
    };
    work.record(DomainEvent::TranslationUnpublished(offline), now)
        .await
}

/// Runs the schedules that are due; returns how many ran. Safe with several instances:
/// on PostgreSQL each due row is locked with `SKIP LOCKED`, so exactly one instance
/// takes it; SQLite has a single writer anyway.
///
/// A publication's body is rendered before its transaction opens; if the draft changed
/// in between (a schedule without a pinned version), the job is taken up again.
pub async fn run_due_schedules(state: &AppState) -> Result<usize, AppError> {
    let mut ran = 0;
    // Jobs another instance holds right now: not looked at again in this call.
    let mut taken = Vec::new();
    loop {
        let now = state.clock.now();
        let Some(next) = next_due(&state.db, now, &taken).await? else {
            return Ok(ran);
        };
        let prepared = prepare(state, &next).await?;
        let work = UnitOfWork::begin(state).await?;
        let mut due = Schedules::find()
            .filter(ScheduleColumn::Id.eq(next.id))
            .filter(ScheduleColumn::DoneAt.is_null());
        if work.txn().get_database_backend() == DatabaseBackend::Postgres {
            due = due.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
        }
        let Some(job) = due.one(work.txn()).await? else {
            work.rollback().await?;
            taken.push(next.id);
            continue;
        };
        let outcome = run_one(&work, &job, now, prepared.as_ref()).await;
        let ended = match &outcome {
            Ok(Ran::Done) => ScheduleOutcome::Done,
            Ok(Ran::DraftChanged) => {
                work.rollback().await?;
                continue;
            }
            Err(err) => {
                tracing::warn!(schedule = %job.id, error = %err, "scheduled publishing failed");
                ScheduleOutcome::Failed(err.to_string().chars().take(300).collect())
            }
        };
        if outcome.is_err() {
            // Nothing of a failed run may stay; record the failure on its own.
            work.rollback().await?;
            let failed = UnitOfWork::begin(state).await?;
            finish(failed.txn(), job.id, now, ended).await?;
            failed.commit().await?;
        } else {
            finish(work.txn(), job.id, now, ended).await?;
            work.commit().await?;
        }
        ran += 1;
    }
}

/// The earliest due job, other than those in `taken`; read without a lock.
async fn next_due(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    taken: &[ScheduleId],
) -> Result<Option<schedule::Model>, AppError> {
    Ok(Schedules::find()
        .filter(ScheduleColumn::DoneAt.is_null())
        .filter(ScheduleColumn::RunAt.lte(now))
        .filter(ScheduleColumn::Id.is_not_in(taken.iter().copied()))
        .order_by_asc(ScheduleColumn::RunAt)
        .one(db)
        .await?)
}

/// A publication's draft, rendered before the write transaction.
struct Prepared {
    draft_version: i64,
    body_html: String,
}

async fn prepare(state: &AppState, job: &schedule::Model) -> Result<Option<Prepared>, AppError> {
    if job.action != ScheduleAction::Publish {
        return Ok(None);
    }
    let locale = Locale::from_stored(job.locale.clone());
    let Some(draft) = load::translation(&state.db, job.document_id, &locale).await? else {
        return Ok(None);
    };
    let body_html = state.renderer.render(&draft.body).await?.html;
    Ok(Some(Prepared {
        draft_version: draft.version,
        body_html,
    }))
}

/// How a job went, when it did not fail.
enum Ran {
    Done,
    /// The draft is not the one rendered: render it again, outside the transaction.
    DraftChanged,
}

async fn run_one(
    work: &UnitOfWork<'_>,
    job: &schedule::Model,
    now: DateTime<Utc>,
    prepared: Option<&Prepared>,
) -> Result<Ran, AppError> {
    let txn = work.txn();
    let kind = entity::document::Entity::find_by_id(job.document_id)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::NotFound("the item is gone".into()))?
        .kind;
    let document = load::lock_document(txn, kind, job.document_id).await?;
    let locale = Locale::from_stored(job.locale.clone());
    let countries = load::countries(&document)?;
    // Credited to whoever scheduled it, as the publication it is.
    let scheduler = scheduler_may_publish(txn, job, &countries, &locale).await?;
    let who = Who::user(&scheduler, None);
    let action = match job.action {
        ScheduleAction::Publish => {
            let draft = load::translation(txn, job.document_id, &locale)
                .await?
                .ok_or_else(|| AppError::NotFound(format!("the {locale} translation is gone")))?;
            let pinned = (job.draft_version, job.document_version);
            if pinned != (None, None) && pinned != (Some(draft.version), Some(document.version)) {
                return Err(AppError::Conflict(
                    "the draft or the item changed after publishing was scheduled; review and schedule it again".into(),
                ));
            }
            let Some(prepared) = prepared.filter(|p| p.draft_version == draft.version) else {
                return Ok(Ran::DraftChanged);
            };
            let body_html = prepared.body_html.clone();
            publish_in(work, &document, &draft, body_html, None, now).await?;
            AuditAction::ContentPublish
        }
        ScheduleAction::Unpublish => {
            unpublish_in(work, &document, &locale, None, now).await?;
            AuditAction::ContentUnpublish
        }
    };
    let done = ScheduleRan {
        item_id: document.id,
        kind,
        locale: locale.clone(),
        action: job.action,
        countries: countries_of_all(&[&document.countries]),
    };
    work.record(DomainEvent::ScheduleDone(done), now).await?;
    let event = Event::success(action, kind.as_str(), job.document_id).with_details(
        json!({ "locale": job.locale, "scheduled": true, "schedule": job.id, "run_at": job.run_at }),
    );
    audit::record(txn, now, who, event).await?;
    Ok(Ran::Done)
}

/// Whoever scheduled the job must still be allowed to publish it when it runs; they
/// are returned, to be credited with it.
async fn scheduler_may_publish(
    txn: &impl ConnectionTrait,
    job: &schedule::Model,
    countries: &[crate::domain::CountryCode],
    locale: &Locale,
) -> Result<crate::services::users::User, AppError> {
    let refused = || AppError::Forbidden("whoever scheduled this may no longer publish it".into());
    let Some(user_id) = job.created_by else {
        return Err(refused());
    };
    let user: crate::services::users::User = entity::user::Entity::find_by_id(user_id.as_user())
        .one(txn)
        .await?
        .ok_or_else(refused)?
        .try_into()?;
    let principal = crate::policy::Principal {
        role: user.role,
        scope: user.scope.clone(),
    };
    let action = Action::Publish { countries, locale };
    if user.disabled_at.is_some() || crate::policy::authorize(&principal, action).is_err() {
        return Err(refused());
    }
    Ok(user)
}

async fn finish(
    txn: &impl ConnectionTrait,
    id: ScheduleId,
    now: DateTime<Utc>,
    outcome: ScheduleOutcome,
) -> Result<(), AppError> {
    Schedules::update_many()
        .col_expr(ScheduleColumn::DoneAt, Expr::value(Some(now)))
        .col_expr(ScheduleColumn::Outcome, Expr::value(Some(outcome)))
        .filter(ScheduleColumn::Id.eq(id))
        .exec(txn)
        .await?;
    Ok(())
}
