//! What happened while you were away: since a user's last visit, the translations in
//! their locales that became outdated, the review requests waiting for them, the
//! decisions on their own requests, and their scheduled publications that ran or did
//! not (with the reason the schedule recorded).

use entity::ids::{ActorId, ItemId};
use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use entity::activity_mark::{self, Entity as Marks};
use entity::document::{self, Entity as Documents};
use entity::review_request::{self, Entity as Reviews};
use entity::revision::{self, Entity as Revisions};
use entity::schedule::{self, Entity as Schedules};
use entity::translation::{self, Entity as Translations};
use entity::values::{ReviewStatus, RevisionAction, ScheduleOutcome};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use super::{load, sources};
use crate::domain::Locale;
use crate::domain::content::ContentKind;
use crate::error::AppError;
use crate::policy::{self, Action};
use crate::services::kernel::actor::{Actor, configured_locales};
use crate::services::kernel::audit;
use crate::state::AppState;

/// Without a visit on record, this far back.
const FIRST_LOOK_DAYS: i64 = 7;
/// At most this many entries, newest first.
const MAX_ENTRIES: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivityKind {
    /// The source changed: this translation in your locales is outdated.
    Outdated,
    /// Someone asks you (one who may publish it) to review a translation.
    ReviewRequested,
    /// Your review request was published.
    ReviewPublished,
    /// Your review request was sent back, with an answer.
    ReviewReturned,
    /// Your scheduled publishing or unpublishing ran.
    ScheduleRan,
    /// Your scheduled publishing or unpublishing did not run; `detail` says why.
    ScheduleFailed,
}

#[derive(Debug, Clone)]
pub struct Activity {
    pub at: DateTime<Utc>,
    pub kind: ActivityKind,
    pub item_kind: ContentKind,
    pub item_id: ItemId,
    pub title: String,
    pub locale: String,
    /// The answer of a returned review, or why a schedule did not run.
    pub detail: String,
}

#[derive(Debug, Clone)]
pub struct ActivityFeed {
    pub since: DateTime<Utc>,
    pub items: Vec<Activity>,
}

/// What concerns `actor` since `since`, or since their last visit.
pub async fn since_last_visit(
    state: &AppState,
    actor: &Actor,
    since: Option<DateTime<Utc>>,
) -> Result<ActivityFeed, AppError> {
    audit::authorize(state, actor, Action::ReadContent, "activity", None).await?;
    let now = state.clock.now();
    let since = match since {
        Some(since) => since,
        None => match actor.user() {
            Some(user) => Marks::find_by_id(user.id)
                .one(&state.db)
                .await?
                .map(|m| m.seen_at),
            None => None,
        }
        .unwrap_or(now - TimeDelta::days(FIRST_LOOK_DAYS)),
    };
    let mut items = outdated(state, actor, since).await?;
    items.extend(reviews(state, actor, since).await?);
    items.extend(schedules(state, actor, since).await?);
    items.sort_by_key(|a| std::cmp::Reverse(a.at));
    items.truncate(MAX_ENTRIES);
    Ok(ActivityFeed { since, items })
}

/// Records that the user looked now: the next list starts here.
pub async fn mark_seen(state: &AppState, actor: &Actor) -> Result<DateTime<Utc>, AppError> {
    let Some(user) = actor.user() else {
        return Err(AppError::Forbidden(
            "only a signed-in user has a last visit".into(),
        ));
    };
    let now = state.clock.now();
    Marks::insert(activity_mark::ActiveModel {
        user_id: Set(user.id),
        seen_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(activity_mark::Column::UserId)
            .update_column(activity_mark::Column::SeenAt)
            .to_owned(),
    )
    .exec(&state.db)
    .await?;
    Ok(now)
}

/// Translations in the actor's writable locales whose source changed since `since`
/// and that are outdated now.
async fn outdated(
    state: &AppState,
    actor: &Actor,
    since: DateTime<Utc>,
) -> Result<Vec<Activity>, AppError> {
    let changed: Vec<revision::Model> = Revisions::find()
        .filter(revision::Column::CreatedAt.gt(since))
        .filter(revision::Column::Action.is_in(RevisionAction::TEXT))
        .order_by_desc(revision::Column::CreatedAt)
        .all(&state.db)
        .await?;
    let mut newest: BTreeMap<ItemId, DateTime<Utc>> = BTreeMap::new();
    for r in &changed {
        newest.entry(r.document_id).or_insert(r.created_at);
    }
    let configured = configured_locales(state);
    let mut found = Vec::new();
    for (id, at) in newest {
        let Some(doc) = Documents::find_by_id(id)
            .one(&state.db)
            .await?
            .filter(|d| d.deleted_at.is_none())
        else {
            continue;
        };
        // Only a change of the source itself makes others outdated.
        if !changed
            .iter()
            .any(|r| r.document_id == id && r.locale.as_deref() == Some(doc.source_locale.as_str()))
        {
            continue;
        }
        let countries = load::countries(&doc)?;
        let mine =
            policy::item_abilities(&actor.principal, &countries, false, &configured).write_locales;
        let drafts = Translations::find()
            .filter(translation::Column::DocumentId.eq(id))
            .all(&state.db)
            .await?;
        let Some(source) = drafts.iter().find(|t| t.locale == doc.source_locale) else {
            continue;
        };
        let bases = sources::snapshots(
            &state.db,
            drafts.iter().filter_map(|t| t.base_revision_id).collect(),
        )
        .await?;
        for draft in drafts.iter().filter(|t| {
            t.locale != doc.source_locale && mine.iter().any(|l| l.as_str() == t.locale)
        }) {
            let is_outdated = draft
                .base_revision_id
                .and_then(|b| bases.get(&b))
                .is_some_and(|base| !sources::changes(base, source).is_empty());
            if is_outdated {
                found.push(Activity {
                    at,
                    kind: ActivityKind::Outdated,
                    item_kind: doc.kind,
                    item_id: id,
                    title: draft.title.clone(),
                    locale: draft.locale.clone(),
                    detail: String::new(),
                });
            }
        }
    }
    Ok(found)
}

/// Requests waiting for the actor since `since`, and decisions on their own.
async fn reviews(
    state: &AppState,
    actor: &Actor,
    since: DateTime<Utc>,
) -> Result<Vec<Activity>, AppError> {
    let user: Option<ActorId> = actor.user().map(|u| u.id.into());
    let asked: Vec<review_request::Model> = Reviews::find()
        .filter(review_request::Column::Status.eq(ReviewStatus::Open))
        .filter(review_request::Column::RequestedAt.gt(since))
        .all(&state.db)
        .await?;
    let decided: Vec<review_request::Model> = match user {
        Some(user) => {
            Reviews::find()
                .filter(review_request::Column::RequestedBy.eq(user))
                .filter(review_request::Column::DecidedAt.gt(since))
                .all(&state.db)
                .await?
        }
        None => Vec::new(),
    };
    let mut found = Vec::new();
    for (model, mine) in asked
        .into_iter()
        .map(|m| (m, false))
        .chain(decided.into_iter().map(|m| (m, true)))
    {
        let Some((doc, title)) = item_of(state, model.document_id, &model.locale).await? else {
            continue;
        };
        let kind = match (mine, model.status) {
            (true, ReviewStatus::Published) => ActivityKind::ReviewPublished,
            (true, ReviewStatus::Returned) => ActivityKind::ReviewReturned,
            (true, _) => continue,
            (false, _) => {
                let countries = load::countries(&doc)?;
                let locale = Locale::from_stored(model.locale.clone());
                let may = policy::authorize(
                    &actor.principal,
                    Action::Publish {
                        countries: &countries,
                        locale: &locale,
                    },
                )
                .is_ok();
                if !may || model.requested_by == user {
                    continue;
                }
                ActivityKind::ReviewRequested
            }
        };
        found.push(Activity {
            at: if mine {
                model.decided_at.unwrap_or(model.requested_at)
            } else {
                model.requested_at
            },
            kind,
            item_kind: doc.kind,
            item_id: doc.id,
            title,
            locale: model.locale,
            detail: if mine { model.answer } else { model.comment },
        });
    }
    Ok(found)
}

/// The actor's scheduled publications that ran, or did not, since `since`.
async fn schedules(
    state: &AppState,
    actor: &Actor,
    since: DateTime<Utc>,
) -> Result<Vec<Activity>, AppError> {
    let Some(user) = actor.user().map(|u| u.id) else {
        return Ok(Vec::new());
    };
    let done: Vec<schedule::Model> = Schedules::find()
        .filter(schedule::Column::CreatedBy.eq(user))
        .filter(schedule::Column::DoneAt.gt(since))
        .all(&state.db)
        .await?;
    let mut found = Vec::new();
    for s in done {
        let failure = match &s.outcome {
            Some(ScheduleOutcome::Cancelled) => continue,
            Some(ScheduleOutcome::Failed(reason)) => Some(reason.clone()),
            Some(ScheduleOutcome::Done) | None => None,
        };
        let Some((doc, title)) = item_of(state, s.document_id, &s.locale).await? else {
            continue;
        };
        found.push(Activity {
            at: s.done_at.unwrap_or(s.run_at),
            kind: if failure.is_none() {
                ActivityKind::ScheduleRan
            } else {
                ActivityKind::ScheduleFailed
            },
            item_kind: doc.kind,
            item_id: doc.id,
            title,
            locale: s.locale,
            detail: failure.unwrap_or_else(|| s.action.to_string()),
        });
    }
    Ok(found)
}

/// The item (not in the trash) and the title of its translation in `locale` (else of
/// its source).
async fn item_of(
    state: &AppState,
    id: ItemId,
    locale: &str,
) -> Result<Option<(document::Model, String)>, AppError> {
    let Some(doc) = Documents::find_by_id(id)
        .one(&state.db)
        .await?
        .filter(|d| d.deleted_at.is_none())
    else {
        return Ok(None);
    };
    let title = match Translations::find_by_id((id, locale.to_owned()))
        .one(&state.db)
        .await?
    {
        Some(t) => t.title,
        None => Translations::find_by_id((id, doc.source_locale.clone()))
            .one(&state.db)
            .await?
            .map(|t| t.title)
            .unwrap_or_default(),
    };
    Ok(Some((doc, title)))
}
