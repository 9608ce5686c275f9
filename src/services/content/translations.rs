//! Translation drafts: write one locale's draft, drop a translation.

use chrono::{DateTime, Utc};
use entity::document::{self, Column as DocumentColumn, Entity as Documents};
use entity::ids::{ItemId, RevisionId};
use entity::published_translation::{self, Entity as Published};
use entity::translation::{self, Column, Entity as Translations};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set, SqlErr,
};
use serde_json::json;
use uuid::Uuid;

use super::history::{self, RevisionAction};
use super::item_view;
use super::load;
use super::schedules::{self, ScheduleChoice};
use super::view::{Item, etag_of_translation};
use super::{slugs, sources};
use crate::domain::Locale;
use crate::domain::content::{ContentKind, Slug};
use crate::error::{AppError, FieldErrors};
use crate::policy::Action;
use crate::services::kernel::actor::Actor;
use crate::services::kernel::audit::{self, AuditAction, Event};
use crate::services::kernel::events::{DomainEvent, TranslationOffline, countries_of_all};
use crate::services::kernel::precondition::Precondition;
use crate::services::kernel::unit_of_work::UnitOfWork;
use crate::state::AppState;

/// One locale's text as received.
#[derive(Debug, Clone, Default)]
pub struct TranslationInput {
    /// Absent: keep the current slug, or make one from the title.
    pub slug: Option<String>,
    pub title: String,
    pub summary: String,
    /// Markdown.
    pub body: String,
    pub seo_title: String,
    pub seo_description: String,
    /// Materials: the asset downloaded in this locale.
    pub file_asset_id: Option<Uuid>,
    /// The source revision the translator worked from (shown beside the draft): the
    /// translation follows it from now on. Absent: it keeps following what it did.
    pub based_on: Option<RevisionId>,
}

/// Checks sizes, recording errors under `prefix` + field name.
pub fn validate(
    state: &AppState,
    input: &TranslationInput,
    prefix: &str,
    errors: &mut FieldErrors,
) {
    let limits = &state.settings.content;
    let chars = |s: &str| s.chars().count();
    if input.title.trim().is_empty() {
        errors.push(&format!("{prefix}title"), "must not be empty");
    }
    for (field, value, max) in [
        ("title", &input.title, limits.max_title_chars),
        ("seo_title", &input.seo_title, limits.max_title_chars),
        ("summary", &input.summary, limits.max_summary_chars),
        (
            "seo_description",
            &input.seo_description,
            limits.max_summary_chars,
        ),
    ] {
        if chars(value) > max {
            errors.push(
                &format!("{prefix}{field}"),
                format!("must be at most {max} characters"),
            );
        }
    }
    if input.body.len() > limits.max_body_bytes {
        errors.push(
            &format!("{prefix}body"),
            format!("must be at most {} bytes", limits.max_body_bytes),
        );
    } else if let Err(exceeded) = state.renderer.check(&input.body) {
        errors.push(&format!("{prefix}body"), exceeded.to_string());
    }
    if let Some(slug) = &input.slug
        && let Err(message) = crate::domain::content::Slug::parse(slug)
    {
        errors.push(&format!("{prefix}slug"), message);
    }
}

/// A draft to write, checked as a whole: its fields' bounds and its file. One 422
/// names every problem.
pub async fn check_input(
    state: &AppState,
    kind: ContentKind,
    input: &TranslationInput,
) -> Result<(), AppError> {
    let mut errors = FieldErrors::new();
    validate(state, input, "", &mut errors);
    check_file(state, kind, input, "", &mut errors).await?;
    errors.finish()
}

/// Materials may name a file per locale; it must be an existing asset.
pub async fn check_file(
    state: &AppState,
    kind: ContentKind,
    input: &TranslationInput,
    prefix: &str,
    errors: &mut FieldErrors,
) -> Result<(), AppError> {
    let Some(file) = input.file_asset_id else {
        return Ok(());
    };
    if kind != ContentKind::Material {
        errors.push(
            &format!("{prefix}file_asset_id"),
            "only materials have a file per locale",
        );
        return Ok(());
    }
    match entity::asset::Entity::find_by_id(file)
        .one(&state.db)
        .await?
    {
        None => errors.push(
            &format!("{prefix}file_asset_id"),
            format!("there is no asset {file}"),
        ),
        // A replaced file is on its way out; its successor is the one to use.
        Some(asset) if asset.replaced_by.is_some() => errors.push(
            &format!("{prefix}file_asset_id"),
            format!("asset {file} was replaced; use its replacement"),
        ),
        Some(_) => {}
    }
    Ok(())
}

/// Writes `locale`'s draft: creates the translation, or replaces its draft when
/// `precondition` names its current ETag. The live version does not change.
///
/// When the translation's publication is scheduled, `schedule` says what happens to it
/// (see [`super::schedules`]): without it, 409.
#[allow(clippy::too_many_arguments)]
pub async fn put_translation(
    state: &AppState,
    actor: &Actor,
    kind: ContentKind,
    id: ItemId,
    locale: &str,
    precondition: &Precondition,
    input: TranslationInput,
    schedule: Option<ScheduleChoice>,
) -> Result<(Item, String), AppError> {
    let locale = Locale::parse(locale, &state.settings.content.locales)
        .map_err(|m| AppError::invalid_parameter("locale", m))?;
    let document = load::live_document(&state.db, kind, id).await?;
    let countries = load::countries(&document)?;
    let action = Action::EditTranslation {
        countries: &countries,
        locale: &locale,
    };
    audit::authorize(state, actor, action, kind.as_str(), Some(id.to_string())).await?;
    let current = load::translation(&state.db, id, &locale).await?;
    check_precondition(precondition, current.as_ref())?;
    check_input(state, kind, &input).await?;
    let scheduled =
        schedules::choice_for_draft(state, actor, &countries, id, &locale, schedule).await?;

    let now = state.clock.now();
    let work = UnitOfWork::begin(state).await?;
    let version = write_draft(
        work.txn(),
        &document,
        &locale,
        current.as_ref(),
        input,
        actor,
        now,
    )
    .await?;
    let versions = (version, document.version);
    schedules::settle_after_draft(work.txn(), scheduled.as_ref(), versions, actor, now).await?;
    let schedule = scheduled.map(|(_, choice)| match choice {
        ScheduleChoice::Keep => "kept for this draft",
        ScheduleChoice::Cancel => "cancelled",
    });
    let event = Event::success(AuditAction::ContentDraft, kind.as_str(), id)
        .with_details(json!({ "locale": locale.as_str(), "schedule": schedule }));
    audit::record(work.txn(), now, actor, event).await?;
    work.commit().await?;
    let item = item_view::item(state, load::document(&state.db, kind, id).await?).await?;
    Ok((item, etag_of_translation(version)))
}

/// Inserts or replaces a draft inside `txn`, with its revision; returns its new version.
pub async fn write_draft(
    txn: &impl ConnectionTrait,
    document: &document::Model,
    locale: &Locale,
    current: Option<&translation::Model>,
    input: TranslationInput,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let kind = document.kind;
    let slug = slugs::choose(
        txn,
        kind,
        locale,
        document.id,
        input.slug.as_deref(),
        current.map(|c| c.slug.as_str()),
        &input.title,
    )
    .await?;
    let base = base_of(txn, document, locale, current, input.based_on).await?;
    let version = match current {
        Some(current) => current.version + 1,
        // A translation dropped and written again continues its numbering, so that an
        // ETag held from before the drop can never match the new draft.
        None => last_version(txn, document.id, locale).await? + 1,
    };
    let draft = translation::ActiveModel {
        document_id: Set(document.id),
        locale: Set(locale.to_string()),
        kind: Set(kind),
        slug: Set(slug.to_string()),
        title: Set(input.title.trim().to_owned()),
        summary: Set(input.summary),
        body: Set(input.body),
        seo_title: Set(input.seo_title),
        seo_description: Set(input.seo_description),
        fields: Set(match input.file_asset_id {
            Some(file) => json!({ "file_asset_id": file }),
            None => json!({}),
        }),
        version: Set(version),
        updated_by: Set(Some(actor.id())),
        updated_at: Set(now),
        base_revision_id: Set(base),
    };
    store(txn, draft, current, (document.id, locale), &slug).await?;
    let saved = Translations::find_by_id((document.id, locale.to_string()))
        .one(txn)
        .await?
        .ok_or_else(|| AppError::internal("the draft just written is missing"))?;
    let action = if current.is_some() {
        RevisionAction::Draft
    } else {
        RevisionAction::Create
    };
    history::record_draft(txn, &saved, action, actor, now).await?;
    Ok(version)
}

/// What the translation follows: nothing for the source itself; the revision the
/// translator worked from when given; otherwise what it followed, or for a new
/// translation, the source as it is now.
async fn base_of(
    txn: &impl ConnectionTrait,
    document: &document::Model,
    locale: &Locale,
    current: Option<&translation::Model>,
    based_on: Option<RevisionId>,
) -> Result<Option<RevisionId>, AppError> {
    if locale.as_str() == document.source_locale {
        return Ok(None);
    }
    Ok(match (based_on, current) {
        (Some(chosen), _) => {
            Some(sources::check_based_on(txn, document.id, &document.source_locale, chosen).await?)
        }
        (None, Some(current)) => current.base_revision_id,
        (None, None) => sources::latest(txn, document.id, &document.source_locale).await?,
    })
}

/// Inserts the draft, or replaces `current` if it is still the version read: 412 with
/// the version saved meanwhile when another write was quicker, 409 when another draft
/// took the slug a moment ago.
async fn store(
    txn: &impl ConnectionTrait,
    draft: translation::ActiveModel,
    current: Option<&translation::Model>,
    (document, locale): (ItemId, &Locale),
    slug: &Slug,
) -> Result<(), AppError> {
    let written = match current {
        None => Translations::insert(draft)
            .exec_without_returning(txn)
            .await
            .map(|_| 1),
        Some(current) => Translations::update_many()
            .set(draft)
            .filter(Column::DocumentId.eq(document))
            .filter(Column::Locale.eq(locale.as_str()))
            // Guards against a concurrent write since the precondition was checked.
            .filter(Column::Version.eq(current.version))
            .exec(txn)
            .await
            .map(|r| r.rows_affected),
    };
    match written {
        Ok(0) => {
            let meanwhile = Translations::find_by_id((document, locale.to_string()))
                .one(txn)
                .await?;
            Err(match meanwhile {
                Some(saved) => stale(saved.version),
                None => AppError::NotFound(format!("the {locale} translation is gone")),
            })
        }
        Ok(_) => Ok(()),
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Err(AppError::Conflict(format!(
                "the {locale} translation or its slug {slug} was just taken; try again"
            )))
        }
        Err(err) => Err(err.into()),
    }
}

/// The highest draft version the locale ever had, from its revisions (0 if none).
async fn last_version(
    txn: &impl ConnectionTrait,
    document: ItemId,
    locale: &Locale,
) -> Result<i64, AppError> {
    let revisions = entity::revision::Entity::find()
        .filter(entity::revision::Column::DocumentId.eq(document))
        .filter(entity::revision::Column::Locale.eq(locale.as_str()))
        .all(txn)
        .await?;
    Ok(revisions
        .iter()
        .filter_map(|r| {
            r.snapshot["version"]
                .as_i64()
                .or(r.snapshot["draft_version"].as_i64())
        })
        .max()
        .unwrap_or(0))
}

/// Drops a translation: its draft, its live version and its schedules. The last
/// translation cannot be dropped; trash the item instead.
pub async fn drop_translation(
    state: &AppState,
    actor: &Actor,
    kind: ContentKind,
    id: ItemId,
    locale: &str,
    precondition: &Precondition,
) -> Result<Item, AppError> {
    let locale = Locale::parse(locale, &state.settings.content.locales)
        .map_err(|m| AppError::invalid_parameter("locale", m))?;
    // Decide under lock, so that a publish landing meanwhile is neither missed by the
    // permission check nor left live without its draft.
    let work = UnitOfWork::begin(state).await?;
    let document = load::lock_document(work.txn(), kind, id).await?;
    let current = load::translation(work.txn(), id, &locale)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("{kind} {id} has no {locale} translation")))?;
    let countries = load::countries(&document)?;
    let live = load::published(work.txn(), id, &locale).await?;
    let is_live = live.is_some();
    // Taking a live translation offline is publishing work.
    let action = if is_live {
        Action::Publish {
            countries: &countries,
            locale: &locale,
        }
    } else {
        Action::EditTranslation {
            countries: &countries,
            locale: &locale,
        }
    };
    let work = work
        .authorize(actor, action, kind.as_str(), Some(id.to_string()))
        .await?;
    if precondition.is_given() {
        check_precondition(precondition, Some(&current))?;
    }
    let others = Translations::find()
        .filter(Column::DocumentId.eq(id))
        .filter(Column::Locale.ne(locale.as_str()))
        .count(work.txn())
        .await?;
    if others == 0 {
        return Err(AppError::Conflict(
            "this is the item's only translation; move the item to the trash instead".into(),
        ));
    }
    let now = state.clock.now();
    history::record_draft(work.txn(), &current, RevisionAction::Drop, actor, now).await?;
    super::reviews::close_for_dropped(work.txn(), id, locale.as_str(), now).await?;
    Published::delete_many()
        .filter(published_translation::Column::DocumentId.eq(id))
        .filter(published_translation::Column::Locale.eq(locale.as_str()))
        .exec(work.txn())
        .await?;
    schedules::cancel_all(work.txn(), id, Some(&locale), now).await?;
    Translations::delete_by_id((id, locale.to_string()))
        .exec(work.txn())
        .await?;
    if document.source_locale == locale.as_str() {
        choose_new_source(work.txn(), id).await?;
    }
    if let Some(live) = live {
        let offline = TranslationOffline {
            item_id: id,
            kind,
            locale: locale.clone(),
            slug: live.slug,
            countries: countries_of_all(&[&live.countries]),
        };
        work.record(DomainEvent::TranslationUnpublished(offline), now)
            .await?;
    }
    let event = Event::success(AuditAction::ContentDropTranslation, kind.as_str(), id)
        .with_details(json!({ "locale": locale.as_str(), "was_live": is_live }));
    audit::record(work.txn(), now, actor, event).await?;
    work.commit().await?;
    item_view::item(state, load::document(&state.db, kind, id).await?).await
}

/// After the source translation is dropped, another becomes the source, so that
/// "outdated" keeps a meaning: the others follow it as it is now; it follows nothing.
async fn choose_new_source(txn: &impl ConnectionTrait, id: ItemId) -> Result<(), AppError> {
    let next = Translations::find()
        .filter(Column::DocumentId.eq(id))
        .one(txn)
        .await?
        .ok_or_else(|| AppError::internal("no translation is left"))?;
    Documents::update_many()
        .col_expr(
            DocumentColumn::SourceLocale,
            Expr::value(next.locale.clone()),
        )
        .filter(DocumentColumn::Id.eq(id))
        .exec(txn)
        .await?;
    let base = sources::latest(txn, id, &next.locale).await?;
    Translations::update_many()
        .col_expr(Column::BaseRevisionId, Expr::value(base))
        .filter(Column::DocumentId.eq(id))
        .filter(Column::Locale.ne(next.locale.as_str()))
        .exec(txn)
        .await?;
    Translations::update_many()
        .col_expr(Column::BaseRevisionId, Expr::value(Option::<Uuid>::None))
        .filter(Column::DocumentId.eq(id))
        .filter(Column::Locale.eq(next.locale.as_str()))
        .exec(txn)
        .await?;
    Ok(())
}

/// Replacing an existing draft needs its ETag; creating a new one needs none.
fn check_precondition(
    precondition: &Precondition,
    current: Option<&translation::Model>,
) -> Result<(), AppError> {
    match (current, precondition.is_given()) {
        (None, false) => Ok(()),
        (None, true) => Err(AppError::PreconditionFailed {
            detail: "there is no such translation (any more); send no If-Match to create it".into(),
            current_etag: None,
        }),
        (Some(_), false) => Err(AppError::PreconditionRequired(
            "send If-Match with the translation's ETag (from GET) to change it".into(),
        )),
        (Some(current), true) if precondition.names(&etag_of_translation(current.version)) => {
            Ok(())
        }
        (Some(current), true) => Err(stale(current.version)),
    }
}

fn stale(version: i64) -> AppError {
    AppError::PreconditionFailed {
        detail: "the translation changed since you read it; read it again and reapply your change"
            .into(),
        current_etag: Some(etag_of_translation(version)),
    }
}
