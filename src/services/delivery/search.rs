//! Full-text search over published content, ranked, with highlighted snippets.
//!
//! The index lives in the database next to the read model (see migration
//! `m20261125_000009_search`): PostgreSQL stems each locale with its own text search
//! configuration; SQLite uses FTS5 with the Porter stemmer. Only live rows can match,
//! and an item is found in the locale a reader is served: the first of the chain it
//! has. Previews search published content too: drafts are not indexed.

use std::collections::{BTreeMap, HashMap};

use sea_orm::{DatabaseBackend, FromQueryResult, Statement, Value};
use uuid::Uuid;

use super::Audience;
use crate::domain::content::ContentKind;
use crate::error::AppError;
use crate::services::pagination::{PageRequest, Paged};
use crate::state::AppState;

/// The most matches ranked per query; a broader query should be narrowed.
const MAX_MATCHES: u64 = 1000;
/// The longest query accepted, in characters.
const MAX_QUERY_CHARS: usize = 200;
/// Around highlighted words in snippets (control characters: never in content).
const MARK_START: char = '\u{1}';
const MARK_END: char = '\u{2}';

/// One search result.
#[derive(Debug, Clone)]
pub struct SearchHit {
    pub id: Uuid,
    pub kind: ContentKind,
    pub locale: String,
    pub slug: String,
    pub title: String,
    pub summary: String,
    /// A passage around the matching words: HTML-escaped text with the words in `<mark>`.
    pub snippet: String,
    /// Higher is better; comparable within one response only.
    pub score: f64,
}

#[derive(Debug, FromQueryResult)]
struct Match {
    document_id: Uuid,
    locale: String,
    kind: String,
    countries: serde_json::Value,
    score: f64,
}

#[derive(Debug, FromQueryResult)]
struct Shown {
    document_id: Uuid,
    locale: String,
    slug: String,
    title: String,
    summary: String,
    snippet: String,
}

#[derive(Debug, FromQueryResult)]
struct Available {
    document_id: Uuid,
    locale: String,
}

/// The words of a query, as the index sees them: letters and digits only, so nothing a
/// reader types can be read as query syntax.
fn words(query: &str) -> Vec<String> {
    query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Published items of the audience matching all words of `query`, best first.
pub async fn search(
    state: &AppState,
    audience: &Audience,
    query: &str,
    kind: Option<ContentKind>,
    page: PageRequest,
) -> Result<Paged<SearchHit>, AppError> {
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(AppError::invalid_parameter(
            "q",
            format!("is longer than {MAX_QUERY_CHARS} characters"),
        ));
    }
    let words = words(query);
    if words.is_empty() {
        return Err(AppError::invalid_parameter(
            "q",
            "needs at least one word to search for",
        ));
    }
    let sql = Sql::new(state.db.get_database_backend());
    let chain: Vec<String> = audience.locales.iter().map(ToString::to_string).collect();
    let matches = Match::find_by_statement(sql.matches(&words, &chain, kind))
        .all(&state.db)
        .await?;
    // An item is found in the locale it is served in: the first of the chain it has.
    let ids: Vec<Uuid> = matches.iter().map(|m| m.document_id).collect();
    let served = served_locales(state, &sql, &ids, &chain).await?;
    let mut found: Vec<Match> = matches
        .into_iter()
        .filter(|m| served.get(&m.document_id) == Some(&m.locale))
        .filter(|m| {
            audience.shows(
                &serde_json::from_value::<Vec<String>>(m.countries.clone()).unwrap_or_default(),
            )
        })
        .collect();
    found.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.document_id.cmp(&b.document_id))
    });
    let total = found.len() as u64;
    let start = usize::try_from(page.index() * page.size).unwrap_or(usize::MAX);
    let shown: Vec<Match> = found
        .into_iter()
        .skip(start)
        .take(usize::try_from(page.size).unwrap_or(usize::MAX))
        .collect();
    let details: HashMap<(Uuid, String), Shown> = if shown.is_empty() {
        HashMap::new()
    } else {
        let rows: Vec<(Uuid, String)> = shown
            .iter()
            .map(|m| (m.document_id, m.locale.clone()))
            .collect();
        Shown::find_by_statement(sql.details(&words, &rows))
            .all(&state.db)
            .await?
            .into_iter()
            .map(|s| ((s.document_id, s.locale.clone()), s))
            .collect()
    };
    let items = shown
        .into_iter()
        .filter_map(|m| {
            let detail = details.get(&(m.document_id, m.locale.clone()))?;
            Some(SearchHit {
                id: m.document_id,
                kind: ContentKind::ALL
                    .into_iter()
                    .find(|k| k.as_str() == m.kind)?,
                locale: m.locale,
                slug: detail.slug.clone(),
                title: detail.title.clone(),
                summary: detail.summary.clone(),
                snippet: highlight(&detail.snippet),
                score: m.score,
            })
        })
        .collect();
    Ok(Paged::new(items, total, page))
}

/// For each item, the first locale of the chain it is published in.
async fn served_locales(
    state: &AppState,
    sql: &Sql,
    ids: &[Uuid],
    chain: &[String],
) -> Result<BTreeMap<Uuid, String>, AppError> {
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    let rank = |locale: &str| chain.iter().position(|l| l == locale).unwrap_or(usize::MAX);
    let mut best: BTreeMap<Uuid, String> = BTreeMap::new();
    for row in Available::find_by_statement(sql.available(ids, chain))
        .all(&state.db)
        .await?
    {
        match best.get(&row.document_id) {
            Some(kept) if rank(kept) <= rank(&row.locale) => {}
            _ => {
                best.insert(row.document_id, row.locale);
            }
        }
    }
    Ok(best)
}

/// A snippet as safe HTML: the text escaped, the matched words in `<mark>`.
fn highlight(snippet: &str) -> String {
    let mut html = String::with_capacity(snippet.len() + 32);
    for c in snippet.chars() {
        match c {
            MARK_START => html.push_str("<mark>"),
            MARK_END => html.push_str("</mark>"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '&' => html.push_str("&amp;"),
            '"' => html.push_str("&quot;"),
            '\'' => html.push_str("&#39;"),
            c => html.push(c),
        }
    }
    html
}

/// The statements, per database. Every value is bound, never spliced into the text.
struct Sql {
    backend: DatabaseBackend,
}

impl Sql {
    fn new(backend: DatabaseBackend) -> Self {
        Self { backend }
    }

    fn postgres(&self) -> bool {
        self.backend == DatabaseBackend::Postgres
    }

    /// A placeholder for the `n`th value (1-based).
    fn param(&self, n: usize) -> String {
        if self.postgres() {
            format!("${n}")
        } else {
            "?".to_owned()
        }
    }

    fn list(&self, values: &mut Vec<Value>, items: impl IntoIterator<Item = Value>) -> String {
        let mut marks = Vec::new();
        for item in items {
            values.push(item);
            marks.push(self.param(values.len()));
        }
        marks.join(", ")
    }

    fn statement(&self, sql: String, values: Vec<Value>) -> Statement {
        Statement::from_sql_and_values(self.backend, sql, values)
    }

    /// FTS5: every word must appear (the last may be the start of a word, for
    /// search-as-you-type); each is quoted, so it is only ever a word.
    fn fts5_query(words: &[String]) -> String {
        let last = words.len() - 1;
        words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let quoted = format!("\"{w}\"");
                if i == last { quoted + "*" } else { quoted }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// PostgreSQL: the words ANDed for `to_tsquery`, the last also as a prefix. Words
    /// are letters and digits only, so they cannot carry tsquery operators.
    fn pg_terms(words: &[String]) -> String {
        let last = words.len() - 1;
        words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                if i == last {
                    format!("{w}:*")
                } else {
                    w.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(" & ")
    }

    fn matches(&self, words: &[String], chain: &[String], kind: Option<ContentKind>) -> Statement {
        let mut values = Vec::new();
        let sql = if self.postgres() {
            values.push(Value::from(Self::pg_terms(words)));
            let per_locale: Vec<String> = chain
                .iter()
                .map(|locale| {
                    values.push(Value::from(locale.clone()));
                    let l = self.param(values.len());
                    format!(
                        "(p.locale = {l} AND p.search @@ to_tsquery(buysocial_search_config({l}), $1))"
                    )
                })
                .collect();
            let kind = self.kind_filter(&mut values, kind, "p.kind");
            format!(
                "SELECT p.document_id, p.locale, p.kind, p.countries, \
                 ts_rank(p.search, to_tsquery(buysocial_search_config(p.locale), $1))::float8 AS score \
                 FROM published_translations p WHERE ({}){kind} \
                 ORDER BY score DESC, p.document_id LIMIT {MAX_MATCHES}",
                per_locale.join(" OR ")
            )
        } else {
            values.push(Value::from(Self::fts5_query(words)));
            let locales = self.list(&mut values, chain.iter().cloned().map(Value::from));
            let kind = self.kind_filter(&mut values, kind, "p.kind");
            format!(
                "SELECT p.document_id, p.locale, p.kind, p.countries, \
                 -bm25(published_search, 10.0, 4.0, 1.0) AS score \
                 FROM published_search JOIN published_translations p \
                 ON p.document_id = published_search.document_id AND p.locale = published_search.locale \
                 WHERE published_search MATCH ? AND published_search.locale IN ({locales}){kind} \
                 ORDER BY score DESC, p.document_id LIMIT {MAX_MATCHES}"
            )
        };
        self.statement(sql, values)
    }

    fn kind_filter(
        &self,
        values: &mut Vec<Value>,
        kind: Option<ContentKind>,
        column: &str,
    ) -> String {
        match kind {
            Some(kind) => {
                values.push(Value::from(kind.as_str()));
                format!(" AND {column} = {}", self.param(values.len()))
            }
            None => String::new(),
        }
    }

    fn available(&self, ids: &[Uuid], chain: &[String]) -> Statement {
        let mut values = Vec::new();
        let ids = self.list(&mut values, ids.iter().copied().map(Value::from));
        let locales = self.list(&mut values, chain.iter().cloned().map(Value::from));
        self.statement(
            format!(
                "SELECT document_id, locale FROM published_translations \
                 WHERE document_id IN ({ids}) AND locale IN ({locales})"
            ),
            values,
        )
    }

    /// Titles, slugs and snippets of the rows shown.
    fn details(&self, words: &[String], rows: &[(Uuid, String)]) -> Statement {
        let mut values = Vec::new();
        let start = MARK_START.to_string();
        let end = MARK_END.to_string();
        if self.postgres() {
            values.push(Value::from(Self::pg_terms(words)));
            let options = format!(
                "StartSel={start}, StopSel={end}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=\" … \""
            );
            values.push(Value::from(options));
            let pairs: Vec<String> = rows
                .iter()
                .map(|(id, locale)| {
                    values.push(Value::from(*id));
                    let i = self.param(values.len());
                    values.push(Value::from(locale.clone()));
                    let l = self.param(values.len());
                    format!("(p.document_id = {i} AND p.locale = {l})")
                })
                .collect();
            self.statement(
                format!(
                    "SELECT p.document_id, p.locale, p.slug, p.title, p.summary, \
                     ts_headline(buysocial_search_config(p.locale), p.summary || ' ' || p.body, \
                     to_tsquery(buysocial_search_config(p.locale), $1), $2) AS snippet \
                     FROM published_translations p WHERE {}",
                    pairs.join(" OR ")
                ),
                values,
            )
        } else {
            values.push(Value::from(start));
            values.push(Value::from(end));
            values.push(Value::from(Self::fts5_query(words)));
            let pairs: Vec<String> = rows
                .iter()
                .map(|(id, locale)| {
                    values.push(Value::from(*id));
                    values.push(Value::from(locale.clone()));
                    "(published_search.document_id = ? AND published_search.locale = ?)".to_owned()
                })
                .collect();
            self.statement(
                format!(
                    "SELECT p.document_id, p.locale, p.slug, p.title, p.summary, \
                     snippet(published_search, -1, ?, ?, ' … ', 24) AS snippet \
                     FROM published_search JOIN published_translations p \
                     ON p.document_id = published_search.document_id AND p.locale = published_search.locale \
                     WHERE published_search MATCH ? AND ({})",
                    pairs.join(" OR ")
                ),
                values,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_only_ever_words() {
        assert_eq!(
            words("  achats\" OR publics* NEAR(x) "),
            ["achats", "or", "publics", "near", "x"]
        );
        assert_eq!(
            Sql::fts5_query(&words("Viešieji pirkimai")),
            "\"viešieji\" \"pirkimai\"*"
        );
        assert!(words("!!! ---").is_empty());
        assert_eq!(Sql::pg_terms(&words("social clau")), "social & clau:*");
    }

    #[test]
    fn snippets_are_escaped_html_with_marks() {
        assert_eq!(
            highlight("<b>\u{1}social\u{2}</b> & more"),
            "&lt;b&gt;<mark>social</mark>&lt;/b&gt; &amp; more"
        );
    }
}
