//! Choosing, in SQL, each published item's row along the locale chain, with the
//! document-level filters (site, country, tag) applied by the database, and for kinds
//! whose order is a column (news, pages) the page itself cut there too: a list of 20
//! news walks the newest-first index and reads about 20 rows, not every translation of
//! every item. Its total is counted once and kept until a change can alter it.

use entity::ids::ItemId;
use std::time::Duration;

use chrono::TimeDelta;
use sea_orm::FromQueryResult;

use super::Audience;
use super::rows::{LIGHT_COLUMN_NAMES, LightRow, Row, shown};
use super::sql::Sql;
use crate::delivery_cache::{Turn, Waited};
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
    pub only: Option<&'a [ItemId]>,
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
    if filter.only.is_some_and(<[ItemId]>::is_empty) {
        return Ok(Chosen {
            rows: Vec::new(),
            total: Some(0),
        });
    }
    let chain: Vec<String> = audience.locales.iter().map(ToString::to_string).collect();
    let Some(order) = sql_order(kind) else {
        let mut sql = Sql::new(state.db.get_database_backend());
        let columns = LIGHT_COLUMN_NAMES.join(", ");
        // Bound in text order (see `Sql`): the rank comes first in the statement.
        let rank = sql.chain_rank("locale", &chain);
        let conditions = conditions(&mut sql, kind, audience, filter, &chain, None);
        let text = format!(
            "SELECT {columns} FROM (SELECT {columns}, ROW_NUMBER() OVER \
             (PARTITION BY document_id ORDER BY {rank}) AS choice \
             FROM published_translations WHERE {conditions}) chosen WHERE choice = 1"
        );
        let rows = LightRow::find_by_statement(sql.statement(text))
            .all(&state.db)
            .await?
            .into_iter()
            .map(Row::from)
            .collect();
        return Ok(Chosen { rows, total: None });
    };
    // The page: rows in list order, each kept unless the same item has a row earlier in
    // the chain. With the rows in index order, the database stops after the page.
    let mut sql = Sql::new(state.db.get_database_backend());
    let columns = LIGHT_COLUMN_NAMES
        .iter()
        .map(|c| format!("p.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mine = conditions(&mut sql, kind, audience, filter, &chain, Some("p"));
    let theirs = conditions(&mut sql, kind, audience, filter, &chain, Some("q"));
    let earlier = sql.chain_rank("q.locale", &chain);
    let mine_rank = sql.chain_rank("p.locale", &chain);
    // Written as numbers, not bound: SQLite plans with a bound LIMIT's value, so it
    // prepares the statement again whenever one is bound (every request). Both are
    // integers the server computed.
    let size = i64::try_from(page.size).unwrap_or(i64::MAX);
    let skip = i64::try_from(page.index().saturating_mul(page.size)).unwrap_or(i64::MAX);
    let text = format!(
        "SELECT {columns} FROM published_translations p WHERE {mine} AND NOT EXISTS \
         (SELECT 1 FROM published_translations q WHERE q.document_id = p.document_id \
         AND {theirs} AND {earlier} < {mine_rank}) ORDER BY {order} LIMIT {size} OFFSET {skip}"
    );
    // The site is checked again on the parsed countries, not only as text in SQL: an
    // item must never reach a site by accident.
    let rows: Vec<Row> = LightRow::find_by_statement(sql.statement(text))
        .all(&state.db)
        .await?
        .into_iter()
        .map(Row::from)
        .filter(|row| shown(audience, &row.countries))
        .collect();
    let total = total(state, kind, audience, filter, &chain).await?;
    Ok(Chosen {
        rows,
        total: Some(total),
    })
}

/// What every row of a list must satisfy: its kind, a locale of the chain, the site's
/// countries and the filters, on the table `alias`.
fn conditions(
    sql: &mut Sql,
    kind: ContentKind,
    audience: &Audience,
    filter: &DocumentFilter<'_>,
    chain: &[String],
    alias: Option<&str>,
) -> String {
    let column = |name: &str| alias.map_or_else(|| name.to_owned(), |a| format!("{a}.{name}"));
    let kind_param = sql.bind(kind.as_str());
    let locales = sql.bind_all(chain.iter().cloned());
    let mut all = vec![
        format!("{} = {kind_param}", column("kind")),
        format!("{} IN ({locales})", column("locale")),
    ];
    all.extend(sql.shown_to(audience, &column("countries")));
    if let Some(country) = filter.country {
        all.push(sql.contains(&column("countries"), country));
    }
    if let Some(tag) = filter.tag {
        all.push(sql.contains(&column("tags"), tag));
    }
    if let Some(only) = filter.only {
        let ids = sql.bind_all(only.iter().copied());
        all.push(format!("{} IN ({ids})", column("document_id")));
    }
    all.join(" AND ")
}

/// The number of items in all pages. Counting reads every item of the kind, so the
/// count is kept until a change can alter it (see `ResponseCache::total`): a page of a
/// large list then costs the page, not the list.
async fn total(
    state: &AppState,
    kind: ContentKind,
    audience: &Audience,
    filter: &DocumentFilter<'_>,
    chain: &[String],
) -> Result<u64, AppError> {
    let mut sql = Sql::new(state.db.get_database_backend());
    let conditions = conditions(&mut sql, kind, audience, filter, chain, None);
    let text = format!(
        "SELECT COUNT(DISTINCT document_id) AS total FROM published_translations \
         WHERE {conditions}"
    );
    let statement = sql.statement(text);
    let cache = &state.delivery_cache;
    let key = format!("{}|{:?}", statement.sql, statement.values);
    // Readers asking for the same total at once wait for one count.
    let bound = Duration::from_millis(state.settings.delivery.response_cache_wait_ms);
    let now = state.clock.now();
    // Held until the count is kept: the readers waiting for it then find it.
    let mut _leader = None;
    for _ in 0..3 {
        if let Some(total) = cache.total(&key, now) {
            return Ok(total);
        }
        match cache.join_total(&key) {
            Some(Turn::Follow(follower)) => {
                if follower.wait(bound).await == Waited::TimedOut {
                    break;
                }
            }
            Some(Turn::Lead(leader)) => {
                _leader = Some(leader);
                break;
            }
            None => break,
        }
    }
    if let Some(total) = cache.total(&key, now) {
        return Ok(total);
    }
    let ticket = cache.ticket();
    let counted = Count::find_by_statement(statement).one(&state.db).await?;
    let total = counted.map_or(0, |c| u64::try_from(c.total).unwrap_or(0));
    // However exact the invalidation, a total is counted again after the maximum age,
    // as responses are rendered again (see `respond::expiry`).
    let max_age = state.settings.delivery.response_cache_max_age_seconds;
    let expires = now + TimeDelta::seconds(i64::try_from(max_age).unwrap_or(i64::MAX));
    let reads = super::reads::of_list(audience, kind, false);
    cache.put_total(key, total, expires, reads, ticket);
    Ok(total)
}

#[derive(Debug, FromQueryResult)]
struct Count {
    total: i64,
}
