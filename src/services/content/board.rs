//! The translation board: the items of the caller's scope against their locales, each
//! cell saying where that translation stands (missing, draft, changed, published,
//! scheduled, outdated, in review), with counts. Read in a fixed number of queries
//! whatever the number of items; filtered, counted and paged in memory, which suits a
//! campaign's hundreds of items.

use entity::ids::{ItemId, RevisionId};
use std::collections::{BTreeMap, BTreeSet};

use entity::document::{self, Column, Entity as Documents};
use entity::published_translation::{self, Entity as Published};
use entity::review_request::{self, Entity as Reviews};
use entity::schedule::{self, Entity as Schedules};
use entity::translation::{self, Entity as Translations};
use entity::values::ReviewStatus;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::listing::{in_scope, of_country, with_tag};
use super::{load, sources};
use crate::domain::Locale;
use crate::domain::content::ContentKind;
use crate::error::AppError;
use crate::policy::Action;
use crate::services::kernel::actor::{Actor, configured_locales};
use crate::services::kernel::audit;
use crate::services::pagination::{PageRequest, Paged};
use crate::state::AppState;

/// Where one translation stands, most pressing first when several hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CellState {
    /// No translation in this locale.
    Missing,
    /// Waiting for a reviewer.
    InReview,
    /// The source changed since the revision it follows.
    Outdated,
    /// Publishing or unpublishing is scheduled.
    Scheduled,
    /// Live, and changed since.
    Changed,
    /// Never published.
    Draft,
    /// Live as written.
    Published,
}

impl CellState {
    pub const ALL: [CellState; 7] = [
        Self::Missing,
        Self::InReview,
        Self::Outdated,
        Self::Scheduled,
        Self::Changed,
        Self::Draft,
        Self::Published,
    ];

    /// What the board's "needs work" filter shows.
    pub fn needs_work(self) -> bool {
        matches!(
            self,
            Self::Missing | Self::Outdated | Self::Changed | Self::Draft
        )
    }
}

#[derive(Debug, Clone, Default)]
pub struct BoardFilter {
    pub kind: Option<ContentKind>,
    pub country: Option<String>,
    pub tag: Option<String>,
    /// Only rows with a cell that needs work or waits for review.
    pub needs_work: bool,
    /// The columns; `None`: the caller's locales (every configured one for a scope of
    /// all locales, which then shows those the items have).
    pub locales: Option<Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct BoardRow {
    pub id: ItemId,
    pub kind: ContentKind,
    /// The source translation's title.
    pub title: String,
    pub source_locale: String,
    pub countries: Vec<String>,
    pub cells: Vec<(String, CellState)>,
}

#[derive(Debug, Clone)]
pub struct Board {
    pub locales: Vec<String>,
    /// Cells in each state, over every row the filters keep (not only this page).
    pub counts: BTreeMap<&'static str, u64>,
    pub rows: Paged<BoardRow>,
}

impl CellState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::InReview => "in_review",
            Self::Outdated => "outdated",
            Self::Scheduled => "scheduled",
            Self::Changed => "changed",
            Self::Draft => "draft",
            Self::Published => "published",
        }
    }
}

/// The board of the caller's scope.
pub async fn board(
    state: &AppState,
    actor: &Actor,
    filter: BoardFilter,
    page: PageRequest,
) -> Result<Board, AppError> {
    audit::authorize(state, actor, Action::ReadContent, "board", None).await?;
    let asked = asked_locales(state, &filter)?;
    let documents = documents(state, actor, &filter).await?;
    let ids: Vec<ItemId> = documents.iter().map(|d| d.id).collect();
    let facts = Facts::read(state, &ids).await?;
    let locales = columns(state, actor, asked, &facts);
    let mut counts: BTreeMap<&'static str, u64> = CellState::ALL
        .iter()
        .map(|s| (s.as_str(), 0))
        .chain([("needs_work", 0)])
        .collect();
    let mut rows = Vec::new();
    for document in documents {
        let cells: Vec<(String, CellState)> = locales
            .iter()
            .map(|locale| (locale.clone(), facts.state(&document, locale)))
            .collect();
        // Waiting for review is work too, for the reviewer.
        let pending = |s: &CellState| s.needs_work() || *s == CellState::InReview;
        if filter.needs_work && !cells.iter().any(|(_, s)| pending(s)) {
            continue;
        }
        for (_, cell) in &cells {
            *counts.entry(cell.as_str()).or_default() += 1;
            if cell.needs_work() {
                *counts.entry("needs_work").or_default() += 1;
            }
        }
        rows.push(row(&facts, document, cells)?);
    }
    Ok(Board {
        locales,
        counts,
        rows: Paged::slice(rows, page),
    })
}

/// The `locales` asked for, each a configured locale: 400 naming the parameter.
fn asked_locales(state: &AppState, filter: &BoardFilter) -> Result<Option<Vec<Locale>>, AppError> {
    filter
        .locales
        .as_ref()
        .map(|list| {
            list.iter()
                .map(|raw| {
                    Locale::parse(raw, &state.settings.content.locales)
                        .map_err(|m| AppError::invalid_parameter("locales", m))
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()
}

/// The items on the board: not trashed, in the actor's scope and the filter's, most
/// recently changed first.
async fn documents(
    state: &AppState,
    actor: &Actor,
    filter: &BoardFilter,
) -> Result<Vec<document::Model>, AppError> {
    let mut query = Documents::find().filter(Column::DeletedAt.is_null());
    if let Some(kind) = filter.kind {
        query = query.filter(Column::Kind.eq(kind));
    }
    if let Some(mine) = in_scope(actor) {
        query = query.filter(mine);
    }
    if let Some(condition) = of_country(filter.country.as_deref())? {
        query = query.filter(condition);
    }
    if let Some(condition) = with_tag(filter.tag.as_deref())? {
        query = query.filter(condition);
    }
    Ok(query
        .order_by_desc(Column::UpdatedAt)
        .order_by_desc(Column::Id)
        .all(&state.db)
        .await?)
}

/// The board's columns: the locales asked for, else those of the actor's scope, else
/// those the items have, in the configured order.
fn columns(
    state: &AppState,
    actor: &Actor,
    asked: Option<Vec<Locale>>,
    facts: &Facts,
) -> Vec<String> {
    let configured = configured_locales(state);
    let scope = &actor.principal.scope;
    match asked {
        Some(asked) => asked.iter().map(ToString::to_string).collect(),
        None if !scope.locales.is_empty() => configured
            .iter()
            .filter(|l| scope.covers_locale(l))
            .map(ToString::to_string)
            .collect(),
        None => {
            let used: BTreeSet<&str> = facts.drafts.keys().map(|(_, l)| l.as_str()).collect();
            configured
                .iter()
                .map(Locale::as_str)
                .filter(|l| used.contains(l))
                .map(str::to_owned)
                .collect()
        }
    }
}

/// One item's row: its source's title and its cells.
fn row(
    facts: &Facts,
    document: document::Model,
    cells: Vec<(String, CellState)>,
) -> Result<BoardRow, AppError> {
    let title = facts
        .drafts
        .get(&(document.id, document.source_locale.clone()))
        .map(|t| t.title.clone())
        .unwrap_or_default();
    Ok(BoardRow {
        id: document.id,
        kind: document.kind,
        title,
        countries: load::countries(&document)?
            .iter()
            .map(ToString::to_string)
            .collect(),
        source_locale: document.source_locale,
        cells,
    })
}

/// What the cells are made of, for every item at once.
struct Facts {
    drafts: BTreeMap<(ItemId, String), translation::Model>,
    /// `(draft_version, document_version)` of each live translation.
    live: BTreeMap<(ItemId, String), (i64, i64)>,
    scheduled: BTreeSet<(ItemId, String)>,
    in_review: BTreeSet<(ItemId, String)>,
    bases: BTreeMap<RevisionId, entity::revision::Model>,
}

impl Facts {
    async fn read(state: &AppState, ids: &[ItemId]) -> Result<Self, AppError> {
        if ids.is_empty() {
            return Ok(Self {
                drafts: BTreeMap::new(),
                live: BTreeMap::new(),
                scheduled: BTreeSet::new(),
                in_review: BTreeSet::new(),
                bases: BTreeMap::new(),
            });
        }
        let db = &state.db;
        let mut drafts: BTreeMap<(ItemId, String), translation::Model> = BTreeMap::new();
        let mut live = BTreeMap::new();
        let mut scheduled = BTreeSet::new();
        let mut in_review = BTreeSet::new();
        // In chunks: PostgreSQL takes at most 65,535 parameters in one statement.
        for chunk in ids.chunks(1000) {
            let chunk = chunk.iter().copied();
            drafts.extend(
                Translations::find()
                    .filter(translation::Column::DocumentId.is_in(chunk.clone()))
                    .all(db)
                    .await?
                    .into_iter()
                    .map(|t| ((t.document_id, t.locale.clone()), t)),
            );
            live.extend(
                Published::find()
                    .select_only()
                    .columns([
                        published_translation::Column::DocumentId,
                        published_translation::Column::Locale,
                        published_translation::Column::DraftVersion,
                        published_translation::Column::DocumentVersion,
                    ])
                    .filter(published_translation::Column::DocumentId.is_in(chunk.clone()))
                    .into_tuple::<(ItemId, String, i64, i64)>()
                    .all(db)
                    .await?
                    .into_iter()
                    .map(|(id, locale, draft, document)| ((id, locale), (draft, document))),
            );
            scheduled.extend(
                Schedules::find()
                    .filter(schedule::Column::DocumentId.is_in(chunk.clone()))
                    .filter(schedule::Column::DoneAt.is_null())
                    .all(db)
                    .await?
                    .into_iter()
                    .map(|s| (s.document_id, s.locale)),
            );
            in_review.extend(
                Reviews::find()
                    .filter(review_request::Column::DocumentId.is_in(chunk))
                    .filter(review_request::Column::Status.eq(ReviewStatus::Open))
                    .all(db)
                    .await?
                    .into_iter()
                    .map(|r| (r.document_id, r.locale)),
            );
        }
        let bases = sources::snapshots(
            db,
            drafts.values().filter_map(|t| t.base_revision_id).collect(),
        )
        .await?;
        Ok(Self {
            drafts,
            live,
            scheduled,
            in_review,
            bases,
        })
    }

    fn state(&self, document: &entity::document::Model, locale: &str) -> CellState {
        let key = (document.id, locale.to_owned());
        let Some(draft) = self.drafts.get(&key) else {
            return CellState::Missing;
        };
        if self.in_review.contains(&key) {
            return CellState::InReview;
        }
        let source = self
            .drafts
            .get(&(document.id, document.source_locale.clone()));
        let outdated = locale != document.source_locale
            && match (
                draft.base_revision_id.and_then(|b| self.bases.get(&b)),
                source,
            ) {
                (Some(base), Some(source)) => !sources::changes(base, source).is_empty(),
                (None, Some(source)) => source.updated_at > draft.updated_at,
                _ => false,
            };
        if outdated {
            return CellState::Outdated;
        }
        if self.scheduled.contains(&key) {
            return CellState::Scheduled;
        }
        match self.live.get(&key) {
            Some((draft_version, document_version))
                if *draft_version != draft.version || *document_version != document.version =>
            {
                CellState::Changed
            }
            Some(_) => CellState::Published,
            None => CellState::Draft,
        }
    }
}
