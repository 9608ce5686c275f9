//! `GET /api/v1/admin/board`: the translation board, an editor's home screen.

use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};
use uuid::Uuid;

use super::content::dto::KindPath;
use super::pagination::PageInfo;
use crate::domain::content::ContentKind;
use crate::http::ApiTags;
use crate::http::names::KindName;
use crate::http::problem::{ApiError, error_set};
use crate::http::security::AdminAuth;
use crate::services::content::{self, BoardFilter, BoardRow, CellState};
use crate::services::pagination::PageRequest;
use crate::state::AppState;

pub struct BoardApi {
    pub state: AppState,
}

/// Where one translation stands; when several hold, the first of this list.
#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "snake_case")]
enum CellStateName {
    /// No translation in this locale.
    Missing,
    /// A review is requested.
    InReview,
    /// The source changed since the revision this translation follows.
    Outdated,
    /// Publishing or unpublishing is scheduled.
    Scheduled,
    /// Live, and changed since publishing.
    Changed,
    /// Never published.
    Draft,
    /// Live as written.
    Published,
}

impl From<CellState> for CellStateName {
    fn from(state: CellState) -> Self {
        match state {
            CellState::Missing => Self::Missing,
            CellState::InReview => Self::InReview,
            CellState::Outdated => Self::Outdated,
            CellState::Scheduled => Self::Scheduled,
            CellState::Changed => Self::Changed,
            CellState::Draft => Self::Draft,
            CellState::Published => Self::Published,
        }
    }
}

/// One translation of a row.
#[derive(Debug, Object)]
struct BoardCell {
    locale: String,
    state: CellStateName,
}

/// One item of the board.
#[derive(Debug, Object)]
struct BoardItem {
    id: Uuid,
    kind: KindName,
    /// The source translation's title.
    title: String,
    source_locale: String,
    /// EU member states; empty: EU-wide.
    countries: Vec<String>,
    /// One cell per column of `locales`, in that order.
    cells: Vec<BoardCell>,
}

impl From<BoardRow> for BoardItem {
    fn from(row: BoardRow) -> Self {
        Self {
            id: row.id.into(),
            kind: row.kind.into(),
            title: row.title,
            source_locale: row.source_locale,
            countries: row.countries,
            cells: row
                .cells
                .into_iter()
                .map(|(locale, state)| BoardCell {
                    locale,
                    state: state.into(),
                })
                .collect(),
        }
    }
}

/// How many cells are in each state, over every item the filters keep.
#[derive(Debug, Object)]
struct BoardCounts {
    /// Missing, outdated, changed and draft together.
    needs_work: u64,
    missing: u64,
    in_review: u64,
    outdated: u64,
    scheduled: u64,
    changed: u64,
    draft: u64,
    published: u64,
}

/// The board: items × locales.
#[derive(Debug, Object)]
struct BoardResponse {
    /// The columns, in order.
    locales: Vec<String>,
    counts: BoardCounts,
    items: Vec<BoardItem>,
    page: PageInfo,
}

error_set!(
    /// Reading the board.
    ReadErrors: 400, 401, 403
);

#[OpenApi(prefix_path = "/api/v1/admin", tag = "ApiTags::Content")]
impl BoardApi {
    /// The translation board: the caller's items against their locales.
    ///
    /// Rows are the items of the caller's countries and EU-wide ones (every item for a
    /// scope of all countries), most recently changed first; columns are the caller's
    /// locales (for a scope of all locales, those the items have), or `locales`. Each
    /// cell says where the translation stands. `needs_work=true` keeps the items with a
    /// missing, outdated, changed or draft translation, or one in review; counts cover
    /// every kept item.
    #[oai(path = "/board", method = "get", operation_id = "content_board")]
    #[allow(clippy::too_many_arguments)]
    async fn board(
        &self,
        auth: AdminAuth,
        /// Only items of this kind.
        kind: Query<Option<KindPath>>,
        /// Only items concerning this EU member state.
        country: Query<Option<String>>,
        /// Only items with this tag.
        tag: Query<Option<String>>,
        /// Only items with a translation that needs work or waits for review.
        needs_work: Query<Option<bool>>,
        /// The columns, comma-separated configured locales, e.g. `lt,en`.
        locales: Query<Option<String>>,
        page: Query<Option<u64>>,
        per_page: Query<Option<u64>>,
    ) -> Result<Json<BoardResponse>, ApiError<ReadErrors>> {
        let page = PageRequest::parse(page.0, per_page.0, &self.state.settings.api)?;
        let filter = BoardFilter {
            kind: kind.0.map(ContentKind::from),
            country: country.0,
            tag: tag.0,
            needs_work: needs_work.0.unwrap_or(false),
            locales: locales.0.map(|raw| {
                raw.split(',')
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect()
            }),
        };
        let board = content::board(&self.state, &auth.0, filter, page).await?;
        let count = |name: &str| board.counts.get(name).copied().unwrap_or(0);
        Ok(Json(BoardResponse {
            counts: BoardCounts {
                needs_work: count("needs_work"),
                missing: count("missing"),
                in_review: count("in_review"),
                outdated: count("outdated"),
                scheduled: count("scheduled"),
                changed: count("changed"),
                draft: count("draft"),
                published: count("published"),
            },
            page: PageInfo::of(&board.rows),
            locales: board.locales,
            items: board.rows.items.into_iter().map(BoardItem::from).collect(),
        }))
    }
}
