//! Schedules a person can trust. A scheduled publication publishes the draft it was
//! scheduled with, or nothing: saving a new draft of a scheduled translation therefore
//! asks what happens to the schedule (keep it, for the new draft, or cancel it) instead
//! of leaving one that will fail. A pending schedule can be cancelled or moved; one that
//! failed is shown, with why, until the translation is published or scheduled again.

use chrono::{DateTime, Utc};
use entity::ids::{ActorId, ItemId};
use entity::schedule::{self, Column, Entity as Schedules};
use entity::values::{ScheduleAction, ScheduleOutcome};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::json;

use super::item_view;
use super::load;
use super::view::Item;
use crate::domain::Locale;
use crate::domain::content::ContentKind;
use crate::error::{AppError, Refusal};
use crate::policy::Action;
use crate::services::kernel::actor::Actor;
use crate::services::kernel::audit::{self, AuditAction, Event};
use crate::services::kernel::unit_of_work::UnitOfWork;
use crate::state::AppState;

/// What happens to a pending scheduled publication when its draft is saved again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduleChoice {
    /// Publish the newly saved draft at the scheduled time (needs the right to publish).
    Keep,
    /// Cancel the scheduled publication.
    Cancel,
}

impl ScheduleChoice {
    /// The choice's name in the API and the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Keep => "keep",
            Self::Cancel => "cancel",
        }
    }
}

/// The pending schedule of one translation (at most one: a new one replaces it).
pub async fn pending(
    db: &impl ConnectionTrait,
    id: ItemId,
    locale: &Locale,
) -> Result<Option<schedule::Model>, AppError> {
    Ok(Schedules::find()
        .filter(Column::DocumentId.eq(id))
        .filter(Column::Locale.eq(locale.as_str()))
        .filter(Column::DoneAt.is_null())
        .one(db)
        .await?)
}

/// Before a draft of `locale` is saved: what the save will do to a pending scheduled
/// publication. With none, nothing. With one and no choice, 409 saying what to choose;
/// keeping it needs the right to publish the translation.
pub async fn choice_for_draft(
    state: &AppState,
    actor: &Actor,
    countries: &[crate::domain::CountryCode],
    id: ItemId,
    locale: &Locale,
    choice: Option<ScheduleChoice>,
) -> Result<Option<(schedule::Model, ScheduleChoice)>, AppError> {
    let Some(scheduled) = pending(&state.db, id, locale)
        .await?
        .filter(|s| s.action == ScheduleAction::Publish)
    else {
        return Ok(None);
    };
    let Some(choice) = choice else {
        return Err(AppError::refused(
            Refusal::SchedulePending,
            format!(
                "publishing of the {locale} translation is scheduled for {}; saving a new \
                 draft must say what happens to it: \"schedule\": \"keep\" publishes the new \
                 draft then, \"cancel\" cancels it",
                scheduled.run_at.to_rfc3339()
            ),
        ));
    };
    if choice == ScheduleChoice::Keep {
        let action = Action::Publish { countries, locale };
        audit::authorize(
            state,
            actor,
            action,
            "schedule",
            Some(scheduled.id.to_string()),
        )
        .await?;
    }
    Ok(Some((scheduled, choice)))
}

/// Before an item's details are changed: what the change does to its pending scheduled
/// publications (each publishes the details it was scheduled with). With none,
/// nothing; with some and no choice, 409; keeping them needs the right to publish each.
pub async fn choice_for_details(
    state: &AppState,
    actor: &Actor,
    countries: &[crate::domain::CountryCode],
    id: ItemId,
    choice: Option<ScheduleChoice>,
) -> Result<Option<(Vec<schedule::Model>, ScheduleChoice)>, AppError> {
    let scheduled: Vec<schedule::Model> = Schedules::find()
        .filter(Column::DocumentId.eq(id))
        .filter(Column::DoneAt.is_null())
        .filter(Column::Action.eq(ScheduleAction::Publish))
        .all(&state.db)
        .await?;
    if scheduled.is_empty() {
        return Ok(None);
    }
    let Some(choice) = choice else {
        let locales: Vec<&str> = scheduled.iter().map(|s| s.locale.as_str()).collect();
        return Err(AppError::refused(
            Refusal::SchedulePending,
            format!(
                "publishing of {} is scheduled; changing the details must say what happens \
                 to it: \"schedules\": \"keep\" publishes the new details then, \"cancel\" \
                 cancels it",
                locales.join(", ")
            ),
        ));
    };
    if choice == ScheduleChoice::Keep {
        for pending in &scheduled {
            let locale = Locale::from_stored(pending.locale.clone());
            let action = Action::Publish {
                countries,
                locale: &locale,
            };
            audit::authorize(
                state,
                actor,
                action,
                "schedule",
                Some(pending.id.to_string()),
            )
            .await?;
        }
    }
    Ok(Some((scheduled, choice)))
}

/// Inside the details' transaction: keeps the schedules for the new details, or
/// cancels them, as chosen by `actor` (nothing when none was pending).
///
/// A kept schedule runs as whoever kept it: they chose what it publishes. One that
/// pins no versions (scheduled before versions were pinned) stays as it is.
pub async fn settle_after_details(
    txn: &impl ConnectionTrait,
    chosen: Option<&(Vec<schedule::Model>, ScheduleChoice)>,
    document_version: i64,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let Some((scheduled, choice)) = chosen else {
        return Ok(());
    };
    let kept_by: Option<ActorId> = actor.user().map(|u| u.id.into());
    for pending in scheduled {
        let update = Schedules::update_many()
            .filter(Column::Id.eq(pending.id))
            .filter(Column::DoneAt.is_null());
        let update = match *choice {
            ScheduleChoice::Keep => update
                .filter(Column::DocumentVersion.is_not_null())
                .col_expr(Column::DocumentVersion, Expr::value(Some(document_version)))
                .col_expr(
                    Column::CreatedBy,
                    Expr::value(kept_by.or(pending.created_by)),
                ),
            ScheduleChoice::Cancel => update
                .col_expr(Column::DoneAt, Expr::value(Some(now)))
                .col_expr(
                    Column::Outcome,
                    Expr::value(Some(ScheduleOutcome::Cancelled)),
                ),
        };
        update.exec(txn).await?;
    }
    Ok(())
}

/// Inside the draft's transaction: keeps the schedule for the new draft (and the
/// item's current details), or cancels it, as chosen by `actor` (nothing when none was
/// pending).
pub async fn settle_after_draft(
    txn: &impl ConnectionTrait,
    chosen: Option<&(schedule::Model, ScheduleChoice)>,
    (draft_version, document_version): (i64, i64),
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let Some((scheduled, choice)) = chosen else {
        return Ok(());
    };
    let kept_by: Option<ActorId> = actor.user().map(|u| u.id.into());
    let update = Schedules::update_many()
        .filter(Column::Id.eq(scheduled.id))
        .filter(Column::DoneAt.is_null());
    let update = match choice {
        // Runs as whoever kept it: they chose what it publishes.
        ScheduleChoice::Keep => update
            .col_expr(Column::DraftVersion, Expr::value(Some(draft_version)))
            .col_expr(Column::DocumentVersion, Expr::value(Some(document_version)))
            .col_expr(
                Column::CreatedBy,
                Expr::value(kept_by.or(scheduled.created_by)),
            ),
        ScheduleChoice::Cancel => update
            .col_expr(Column::DoneAt, Expr::value(Some(now)))
            .col_expr(
                Column::Outcome,
                Expr::value(Some(ScheduleOutcome::Cancelled)),
            ),
    };
    update.exec(txn).await?;
    Ok(())
}

/// Cancels every pending schedule of the item (of one translation, with `locale`),
/// inside the caller's transaction: trashing the item, dropping or publishing the
/// translation.
pub async fn cancel_all(
    txn: &impl ConnectionTrait,
    id: ItemId,
    locale: Option<&Locale>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), AppError> {
    let mut pending = Schedules::update_many()
        .col_expr(Column::DoneAt, Expr::value(Some(now)))
        .col_expr(
            Column::Outcome,
            Expr::value(Some(ScheduleOutcome::Cancelled)),
        )
        .filter(Column::DocumentId.eq(id))
        .filter(Column::DoneAt.is_null());
    if let Some(locale) = locale {
        pending = pending.filter(Column::Locale.eq(locale.as_str()));
    }
    pending.exec(txn).await?;
    Ok(())
}

/// Cancels the pending schedule of a translation (publishing or taking offline).
pub async fn cancel(
    state: &AppState,
    actor: &Actor,
    kind: ContentKind,
    id: ItemId,
    locale: &str,
) -> Result<Item, AppError> {
    change(state, actor, kind, id, locale, None).await
}

/// Moves the pending schedule of a translation to `at`; what it publishes stays the same.
pub async fn reschedule(
    state: &AppState,
    actor: &Actor,
    kind: ContentKind,
    id: ItemId,
    locale: &str,
    at: DateTime<Utc>,
) -> Result<Item, AppError> {
    change(state, actor, kind, id, locale, Some(at)).await
}

/// Cancels (`at` absent) or moves a translation's pending schedule; whoever may publish
/// the translation may do either.
async fn change(
    state: &AppState,
    actor: &Actor,
    kind: ContentKind,
    id: ItemId,
    locale: &str,
    at: Option<DateTime<Utc>>,
) -> Result<Item, AppError> {
    let locale = Locale::parse(locale, &state.settings.content.locales)
        .map_err(|m| AppError::invalid_parameter("locale", m))?;
    let document = load::live_document(&state.db, kind, id).await?;
    let scheduled = pending(&state.db, id, &locale).await?.ok_or_else(|| {
        AppError::NotFound(format!("nothing is scheduled for the {locale} translation"))
    })?;
    let countries = load::countries(&document)?;
    let action = Action::Publish {
        countries: &countries,
        locale: &locale,
    };
    audit::authorize(state, actor, action, kind.as_str(), Some(id.to_string())).await?;
    let now = state.clock.now();
    if at.is_some_and(|at| at <= now) {
        return Err(AppError::invalid(
            "at",
            "must be in the future; to publish now, publish",
        ));
    }
    let work = UnitOfWork::begin(state).await?;
    let txn = work.txn();
    let update = Schedules::update_many()
        .filter(Column::Id.eq(scheduled.id))
        .filter(Column::DoneAt.is_null());
    let (update, audit_action) = match at {
        Some(at) => (
            update.col_expr(Column::RunAt, Expr::value(at)),
            AuditAction::ContentScheduleMove,
        ),
        None => (
            update
                .col_expr(Column::DoneAt, Expr::value(Some(now)))
                .col_expr(
                    Column::Outcome,
                    Expr::value(Some(ScheduleOutcome::Cancelled)),
                ),
            AuditAction::ContentScheduleCancel,
        ),
    };
    if update.exec(txn).await?.rows_affected == 0 {
        return Err(AppError::Conflict(
            "the schedule ran or changed a moment ago; read the item again".into(),
        ));
    }
    let event = Event::success(audit_action, kind.as_str(), id).with_details(json!({
        "locale": locale.as_str(), "action": scheduled.action, "was": scheduled.run_at, "at": at,
    }));
    audit::record(txn, now, actor, event).await?;
    work.commit().await?;
    item_view::item(state, load::document(&state.db, kind, id).await?).await
}
