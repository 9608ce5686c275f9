//! Choosing, in SQL, each published item's row along the locale chain, with the
//! document-level filters (site, country, tag) applied by the database, and for kinds
//! whose order is a column (news, pages) the page itself cut there too: a list of
//! 20 news out of thousands reads 20 rows, not every translation of every item.

use std::collections::HashMap;

use entity::published_translation::{self, Entity as Published};
use sea_orm::{ColumnTrait, EntityTrait, FromQueryResult, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::Audience;
use super::rows::{LIGHT_COLUMN_NAMES, LIGHT_COLUMNS, LightRow, Row, shown};
use super::sql::Sql;
use crate::domain::content::ContentKind;
use crate::error::AppError;
use crate::services::pagination::PageRequest;
use crate::state::AppState;

/// Filters on the document's neutral fields that every row of it carries.
#[derive(Debug, Default)]
pub(super) struct DocumentFilter<'a> {
    /// Items about this country.
    pub country: Option<&'a str>,
    /// Items with this tag.
    pub tag: Option<&'a str>,
    /// Only these documents (an event's materials).
    pub only: Option<&'a [Uuid]>,
}

/// What came back: the rows, and the total when the page was cut in SQL.
pub(super) struct Chosen {
    pub rows: Vec<Row>,
    pub total: Option<u64>,
}

/// The order of `kind` as SQL, when it is a plain column order; `None` for kinds ordered
/// by what only Rust computes (events by time window, materials by link order).
fn sql_order(kind: ContentKind) -> Option<&'static str> {
    match kind {
        ContentKind::News => Some("sort_at DESC NULLS LAST, published_at DESC, document_id DESC"),
        ContentKind::Page => Some("position, document_id"),
        ContentKind::Event | ContentKind::Material => None,
    }
}

/// Published rows of `kind`, one per item in the first locale of the audience's chain it
/// has, within the audience's site and `filter`. News and pages come as the asked page,
/// in order, with the total; events and materials come whole, for Rust to finish.
pub(super) async fn chosen(
    state: &AppState,
    kind: ContentKind,
    audience: &Audience,
    filter: &DocumentFilter<'_>,
    page: PageRequest,
) -> Result<Chosen, AppError> {
    let mut sql = Sql::new(state.db.get_database_backend());
    // Bound in text order (see `Sql`): the rank comes first in the statement.
    let chain: Vec<String> = audience.locales.iter().map(ToString::to_string).collect();
    let rank = sql.chain_rank("locale", &chain);
    let kind_param = sql.bind(kind.as_str());
    let locales = sql.bind_all(chain.iter().cloned());
    let mut conditions = vec![
        format!("kind = {kind_param}"),
        format!("locale IN ({locales})"),
    ];
    conditions.extend(sql.shown_to(audience, "countries"));
    if let Some(country) = filter.country {
        conditions.push(sql.contains("countries", country));
    }
    if let Some(tag) = filter.tag {
        conditions.push(sql.contains("tags", tag));
    }
    if let Some(only) = filter.only {
        if only.is_empty() {
            return Ok(Chosen {
                rows: Vec::new(),
                total: Some(0),
            });
        }
        let ids = sql.bind_all(only.iter().copied());
        conditions.push(format!("document_id IN ({ids})"));
    }
    let inner = |columns: &str| {
        format!(
            "SELECT {columns}, ROW_NUMBER() OVER (PARTITION BY document_id ORDER BY {rank}) AS choice \
             FROM published_translations WHERE {}",
            conditions.join(" AND ")
        )
    };
    match sql_order(kind) {
        Some(order) => {
            // Only the ordering columns go through choosing and sorting: the listing
            // index covers them. The page's rows are read afterwards.
            let inner = inner("document_id, locale, sort_at, published_at, position");
            let size = i64::try_from(page.size).unwrap_or(i64::MAX);
            let skip = i64::try_from(page.index().saturating_mul(page.size)).unwrap_or(i64::MAX);
            let limit = sql.bind(size);
            let offset = sql.bind(skip);
            let text = format!(
                "SELECT document_id, locale, COUNT(*) OVER () AS total_count FROM ({inner}) chosen \
                 WHERE choice = 1 ORDER BY {order} LIMIT {limit} OFFSET {offset}"
            );
            let found = Picked::find_by_statement(sql.statement(text))
                .all(&state.db)
                .await?;
            // Past the last page no row carries the total: count without paging.
            let total = match found.first() {
                Some(first) => u64::try_from(first.total_count).unwrap_or(0),
                None if page.index() == 0 => 0,
                None => count(state, &sql, &inner).await?,
            };
            Ok(Chosen {
                rows: light_rows(state, audience, &found).await?,
                total: Some(total),
            })
        }
        None => {
            let columns = LIGHT_COLUMN_NAMES.join(", ");
            let inner = inner(&columns);
            let text = format!("SELECT {columns} FROM ({inner}) chosen WHERE choice = 1");
            let rows = LightRow::find_by_statement(sql.statement(text))
                .all(&state.db)
                .await?
                .into_iter()
                .map(Row::from)
                .collect();
            Ok(Chosen { rows, total: None })
        }
    }
}

/// An item's chosen row on the page, and the number of items in all pages.
#[derive(Debug, FromQueryResult)]
struct Picked {
    document_id: Uuid,
    locale: String,
    total_count: i64,
}

/// The light rows of the picked (document, locale) pairs, in the picked order. The site
/// is checked again: an item republished for other countries since it was picked must
/// not slip through.
async fn light_rows(
    state: &AppState,
    audience: &Audience,
    picked: &[Picked],
) -> Result<Vec<Row>, AppError> {
    if picked.is_empty() {
        return Ok(Vec::new());
    }
    let mut found: HashMap<(Uuid, String), Row> = Published::find()
        .select_only()
        .columns(LIGHT_COLUMNS)
        .filter(
            published_translation::Column::DocumentId.is_in(picked.iter().map(|p| p.document_id)),
        )
        .filter(
            published_translation::Column::Locale.is_in(picked.iter().map(|p| p.locale.clone())),
        )
        .into_model::<LightRow>()
        .all(&state.db)
        .await?
        .into_iter()
        .map(Row::from)
        .filter(|row| shown(audience, &row.countries))
        .map(|row| ((row.document_id, row.locale.clone()), row))
        .collect();
    Ok(picked
        .iter()
        .filter_map(|p| found.remove(&(p.document_id, p.locale.clone())))
        .collect())
}

#[derive(Debug, FromQueryResult)]
struct Count {
    total: i64,
}

/// The number of items, for a page past the last (the paged statement's values without
/// its LIMIT and OFFSET).
async fn count(state: &AppState, sql: &Sql, inner: &str) -> Result<u64, AppError> {
    let text = format!("SELECT COUNT(*) AS total FROM ({inner}) chosen WHERE choice = 1");
    let statement = sql.statement_with(text, sql.values_but_last(2));
    let counted = Count::find_by_statement(statement).one(&state.db).await?;
    Ok(counted.map_or(0, |c| u64::try_from(c.total).unwrap_or(0)))
}
