//! Full-text search over published content, ranked, with highlighted snippets.
//!
//! The index lives in the database next to the read model (see migrations
//! `m20261125_000009_search` and `m20261129_000012_search_words`): PostgreSQL stems each
//! locale with its own text search configuration, SQLite stems English with Porter; both
//! also index the words as written, for prefixes and unstemmed languages. Only live rows can match,
//! and an item is found in the locale a reader is served: the first of the chain it
//! has. Previews search published content too: drafts are not indexed.

use entity::ids::ItemId;
use std::collections::HashMap;

use sea_orm::{FromQueryResult, Statement};

use super::Audience;
use super::links::Links;
use super::sql::Sql;
use crate::domain::content::ContentKind;
use crate::error::AppError;
use crate::services::pagination::{PageRequest, Paged};
use crate::state::AppState;

/// The most matches ranked per query; a broader query should be narrowed.
const MAX_MATCHES: u64 = 1000;
/// The longest query accepted, in characters.
const MAX_QUERY_CHARS: usize = 200;
/// The most words a query may have: each is one more index lookup to intersect.
const MAX_QUERY_WORDS: usize = 8;
/// Around highlighted words in snippets (control characters: never in content).
const MARK_START: char = '\u{1}';
const MARK_END: char = '\u{2}';

/// One search result.
#[derive(Debug, Clone)]
pub struct SearchHit {
    pub id: ItemId,
    pub kind: ContentKind,
    pub locale: String,
    pub slug: String,
    pub title: String,
    pub summary: String,
    /// A passage around the matching words: HTML-escaped text with the words in `<mark>`.
    pub snippet: String,
    /// Where the asked site's frontend shows the item, from its routes.
    pub url: Option<String>,
    /// Higher is better; comparable within one response only.
    pub score: f64,
}

#[derive(Debug, FromQueryResult)]
struct Match {
    document_id: ItemId,
    locale: String,
    kind: ContentKind,
    score: f64,
}

#[derive(Debug, FromQueryResult)]
struct Shown {
    document_id: ItemId,
    locale: String,
    slug: String,
    title: String,
    summary: String,
    snippet: String,
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
    let words = checked_words(query)?;
    let chain: Vec<String> = audience.locales.iter().map(ToString::to_string).collect();
    let backend = state.db.get_database_backend();
    let found =
        Match::find_by_statement(matches(Sql::new(backend), audience, &words, &chain, kind))
            .all(&state.db)
            .await?;
    let total = found.len() as u64;
    let start = usize::try_from(page.index().saturating_mul(page.size)).unwrap_or(usize::MAX);
    let shown: Vec<Match> = found
        .into_iter()
        .skip(start)
        .take(usize::try_from(page.size).unwrap_or(usize::MAX))
        .collect();
    let details: HashMap<(ItemId, String), Shown> = if shown.is_empty() {
        HashMap::new()
    } else {
        let rows: Vec<(ItemId, String)> = shown
            .iter()
            .map(|m| (m.document_id, m.locale.clone()))
            .collect();
        Shown::find_by_statement(details(Sql::new(backend), &words, &rows))
            .all(&state.db)
            .await?
            .into_iter()
            .map(|s| ((s.document_id, s.locale.clone()), s))
            .collect()
    };
    let mut links: Vec<(ContentKind, Links)> = Vec::new();
    for kind in shown.iter().map(|m| m.kind) {
        if !links.iter().any(|(k, _)| *k == kind) {
            links.push((kind, Links::load(state, audience, kind).await?));
        }
    }
    let items = shown
        .into_iter()
        .filter_map(|m| {
            let detail = details.get(&(m.document_id, m.locale.clone()))?;
            Some(hit(m, detail, &links))
        })
        .collect();
    Ok(Paged::new(items, total, page))
}

/// The words of `query`: 400 when there are none, too many, or the query is too long.
fn checked_words(query: &str) -> Result<Vec<String>, AppError> {
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
    if words.len() > MAX_QUERY_WORDS {
        return Err(AppError::invalid_parameter(
            "q",
            format!("has more than {MAX_QUERY_WORDS} words; search for fewer"),
        ));
    }
    Ok(words)
}

/// One match as a reader sees it, with its URL on the site where it has one.
fn hit(m: Match, detail: &Shown, links: &[(ContentKind, Links)]) -> SearchHit {
    let url = links
        .iter()
        .find(|(k, _)| *k == m.kind)
        .and_then(|(_, l)| l.url(m.kind, m.document_id, &m.locale, &detail.slug));
    SearchHit {
        id: m.document_id,
        kind: m.kind,
        url,
        locale: m.locale,
        slug: detail.slug.clone(),
        title: detail.title.clone(),
        summary: detail.summary.clone(),
        snippet: highlight(&detail.snippet),
        score: m.score,
    }
}

/// A snippet as safe HTML: the text escaped, the matched words in `<mark>`. Marks stay
/// balanced even if the content itself held the marker characters.
fn highlight(snippet: &str) -> String {
    let mut html = String::with_capacity(snippet.len() + 32);
    let mut open = false;
    for c in snippet.chars() {
        match c {
            MARK_START if !open => {
                open = true;
                html.push_str("<mark>");
            }
            MARK_END if open => {
                open = false;
                html.push_str("</mark>");
            }
            MARK_START | MARK_END => {}
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '&' => html.push_str("&amp;"),
            '"' => html.push_str("&quot;"),
            '\'' => html.push_str("&#39;"),
            c => html.push(c),
        }
    }
    if open {
        html.push_str("</mark>");
    }
    html
}

/// The ways a query is asked of the indexes. Every word must appear; the last may be
/// the start of a word (search-as-you-type). A full word also matches its stemmed
/// forms where a stemmer is right for the language; a prefix is matched against the
/// words as written, since stems are shorter than the words a longer prefix begins
/// (`procurem` begins "procurement", not its stem `procur`).
struct Terms<'a> {
    words: &'a [String],
}

/// The shortest unfinished word searched as a prefix: shorter ones would match most of
/// the index and are matched as whole words.
const MIN_PREFIX_CHARS: usize = 3;

impl Terms<'_> {
    fn last(&self) -> &str {
        self.words.last().map_or("", String::as_str)
    }

    fn rest(&self) -> &[String] {
        &self.words[..self.words.len().saturating_sub(1)]
    }

    /// FTS5: each word quoted, so it is only ever a word.
    fn fts5(words: &[String], last_as_prefix: bool) -> String {
        Syntax::Fts5.all(words, last_as_prefix)
    }

    /// PostgreSQL `to_tsquery` text: the words ANDed. Words are letters and digits
    /// only, so they cannot carry tsquery operators.
    fn tsquery(words: &[String], last_as_prefix: bool) -> String {
        Syntax::TsQuery.all(words, last_as_prefix)
    }

    /// For highlighting: any word, as the start of a word (short ones whole).
    fn any_prefix(&self, fts5: bool) -> String {
        let syntax = if fts5 { Syntax::Fts5 } else { Syntax::TsQuery };
        self.words
            .iter()
            .map(|w| syntax.word(w, w.chars().count() >= MIN_PREFIX_CHARS))
            .collect::<Vec<_>>()
            .join(syntax.or())
    }
}

/// The two query languages the indexes speak.
#[derive(Clone, Copy)]
enum Syntax {
    Fts5,
    TsQuery,
}

impl Syntax {
    fn word(self, word: &str, as_prefix: bool) -> String {
        match (self, as_prefix) {
            (Syntax::Fts5, true) => format!("\"{word}\"*"),
            (Syntax::Fts5, false) => format!("\"{word}\""),
            (Syntax::TsQuery, true) => format!("{word}:*"),
            (Syntax::TsQuery, false) => word.to_owned(),
        }
    }

    fn and(self) -> &'static str {
        match self {
            Syntax::Fts5 => " ",
            Syntax::TsQuery => " & ",
        }
    }

    fn or(self) -> &'static str {
        match self {
            Syntax::Fts5 => " OR ",
            Syntax::TsQuery => " | ",
        }
    }

    /// Every word; the last as a prefix when asked and long enough.
    fn all(self, words: &[String], last_as_prefix: bool) -> String {
        let last = words.len().saturating_sub(1);
        let last_as_prefix = last_as_prefix && is_prefix_long_enough(words);
        words
            .iter()
            .enumerate()
            .map(|(i, w)| self.word(w, i == last && last_as_prefix))
            .collect::<Vec<_>>()
            .join(self.and())
    }
}

fn is_prefix_long_enough(words: &[String]) -> bool {
    words
        .last()
        .is_some_and(|w| w.chars().count() >= MIN_PREFIX_CHARS)
}

/// SQLite has only an English stemmer (Porter); other languages match words as written.
const SQLITE_STEMMED_LOCALE: &str = "(p.locale = 'en' OR p.locale LIKE 'en-%')";

/// The best matches, each in the locale its item is served in (no row of the item in
/// a locale earlier in the chain) and within the site, all decided before the limit.
fn matches(
    mut sql: Sql,
    audience: &Audience,
    words: &[String],
    chain: &[String],
    kind: Option<ContentKind>,
) -> Statement {
    let (select, from, mut conditions) = if sql.is_postgres() {
        postgres_matches(&mut sql, words, chain)
    } else {
        sqlite_matches(&mut sql, words, chain)
    };
    if let Some(kind) = kind {
        let param = sql.bind(kind.as_str());
        conditions.push(format!("p.kind = {param}"));
    }
    conditions.extend(sql.shown_to(audience, "p.countries"));
    let earlier_locales = sql.bind_all(chain.iter().cloned());
    let earlier_rank = sql.chain_rank("b.locale", chain);
    let own_rank = sql.chain_rank("p.locale", chain);
    conditions.push(format!(
        "NOT EXISTS (SELECT 1 FROM published_translations b WHERE b.document_id = p.document_id \
         AND b.locale IN ({earlier_locales}) AND {earlier_rank} < {own_rank})"
    ));
    sql.statement(format!(
        "SELECT p.document_id, p.locale, p.kind, {select} AS score FROM {from} \
         WHERE {} ORDER BY score DESC, p.document_id LIMIT {MAX_MATCHES}",
        conditions.join(" AND ")
    ))
}

/// What a match is, its score and where it is read from: `(score, from, conditions)`.
type Matching = (String, String, Vec<String>);

/// PostgreSQL: each locale of the chain searched with its own text search
/// configuration, stemmed or as written, the last word as a prefix.
fn postgres_matches(sql: &mut Sql, words: &[String], chain: &[String]) -> Matching {
    let terms = Terms { words };
    let stemmed = sql.bind(Terms::tsquery(words, false));
    let written = sql.bind(Terms::tsquery(words, true));
    let last = sql.bind(Terms::tsquery(&[terms.last().to_owned()], true));
    let rest = (!terms.rest().is_empty()).then(|| sql.bind(Terms::tsquery(terms.rest(), false)));
    let per_locale: Vec<String> = chain
        .iter()
        .map(|locale| {
            let l = sql.bind(locale.clone());
            let config = format!("buysocial_search_config({l})");
            let mixed = match &rest {
                Some(rest) => format!(
                    " OR (p.search @@ to_tsquery({config}, {rest}) \
                     AND p.search_words @@ to_tsquery('pg_catalog.simple', {last}))"
                ),
                None => String::new(),
            };
            format!(
                "(p.locale = {l} AND (p.search @@ to_tsquery({config}, {stemmed}) \
                 OR p.search_words @@ to_tsquery('pg_catalog.simple', {written}){mixed}))"
            )
        })
        .collect();
    (
        format!(
            "(ts_rank(p.search, to_tsquery(buysocial_search_config(p.locale), {stemmed})) \
             + ts_rank(p.search_words, to_tsquery('pg_catalog.simple', {written})))::float8"
        ),
        "published_translations p".to_owned(),
        vec![format!("({})", per_locale.join(" OR "))],
    )
}

/// SQLite: the FTS5 tables, as written in every locale, stemmed in English only.
fn sqlite_matches(sql: &mut Sql, words: &[String], chain: &[String]) -> Matching {
    let terms = Terms { words };
    // Bound in text order: the two scored subqueries, then the conditions.
    let written = sql.bind(Terms::fts5(words, true));
    let stemmed = sql.bind(Terms::fts5(words, false));
    let from = format!(
        "published_translations p \
         JOIN published_search_keys k ON k.document_id = p.document_id AND k.locale = p.locale \
         LEFT JOIN (SELECT rowid AS id, -bm25(published_words, 10.0, 4.0, 1.0) AS score \
           FROM published_words WHERE published_words MATCH {written}) w ON w.id = k.id \
         LEFT JOIN (SELECT rowid AS id, -bm25(published_search, 10.0, 4.0, 1.0) AS score \
           FROM published_search WHERE published_search MATCH {stemmed}) s ON s.id = k.id"
    );
    let locales = sql.bind_all(chain.iter().cloned());
    let mixed = if terms.rest().is_empty() {
        String::new()
    } else {
        let rest = sql.bind(Terms::fts5(terms.rest(), false));
        let last = sql.bind(Terms::fts5(&[terms.last().to_owned()], true));
        format!(
            " OR (k.id IN (SELECT rowid FROM published_search WHERE published_search MATCH {rest}) \
             AND k.id IN (SELECT rowid FROM published_words WHERE published_words MATCH {last}))"
        )
    };
    (
        "COALESCE(w.score, s.score, 0.0)".to_owned(),
        from,
        vec![
            format!("p.locale IN ({locales})"),
            format!(
                "(w.id IS NOT NULL OR ({SQLITE_STEMMED_LOCALE} AND (s.id IS NOT NULL{mixed})))"
            ),
        ],
    )
}

/// Titles, slugs and snippets of the rows shown. Snippets mark every word that begins
/// with a word of the query, as written; a row found through stems alone whose words
/// none begins with a query word gets the start of its summary and body.
fn details(mut sql: Sql, words: &[String], rows: &[(ItemId, String)]) -> Statement {
    let start = MARK_START.to_string();
    let end = MARK_END.to_string();
    let terms = Terms { words };
    if sql.is_postgres() {
        let any = sql.bind(terms.any_prefix(false));
        let options = sql.bind(format!(
            "StartSel={start}, StopSel={end}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=\" … \""
        ));
        let pairs = row_pairs(&mut sql, rows);
        sql.statement(format!(
            "SELECT p.document_id, p.locale, p.slug, p.title, p.summary, \
             ts_headline('pg_catalog.simple', p.summary || ' ' || p.body, \
             to_tsquery('pg_catalog.simple', {any}), {options}) AS snippet \
             FROM published_translations p WHERE {}",
            pairs
        ))
    } else {
        let open = sql.bind(start);
        let close = sql.bind(end);
        let any = sql.bind(terms.any_prefix(true));
        let pairs = row_pairs(&mut sql, rows);
        sql.statement(format!(
            "SELECT p.document_id, p.locale, p.slug, p.title, p.summary, \
             COALESCE(w.snippet, substr(p.summary || ' ' || p.body, 1, 200)) AS snippet \
             FROM published_translations p \
             JOIN published_search_keys k ON k.document_id = p.document_id AND k.locale = p.locale \
             LEFT JOIN (SELECT rowid AS id, snippet(published_words, -1, {open}, {close}, ' … ', 24) AS snippet \
               FROM published_words WHERE published_words MATCH {any}) w ON w.id = k.id \
             WHERE {}",
            pairs
        ))
    }
}

/// `(p.document_id = … AND p.locale = …) OR …` for `rows`, bound last.
fn row_pairs(sql: &mut Sql, rows: &[(ItemId, String)]) -> String {
    rows.iter()
        .map(|(id, locale)| {
            let i = sql.bind(*id);
            let l = sql.bind(locale.clone());
            format!("(p.document_id = {i} AND p.locale = {l})")
        })
        .collect::<Vec<_>>()
        .join(" OR ")
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
        let words_of = words("Viešieji pirkimai");
        assert_eq!(Terms::fts5(&words_of, true), "\"viešieji\" \"pirkimai\"*");
        assert_eq!(
            Terms { words: &words_of }.any_prefix(true),
            "\"viešieji\"* OR \"pirkimai\"*"
        );
        assert!(words("!!! ---").is_empty());
        assert_eq!(
            Terms::tsquery(&words("social clau"), true),
            "social & clau:*"
        );
        assert_eq!(
            Terms::tsquery(&words("social clau"), false),
            "social & clau"
        );
    }

    #[test]
    fn snippets_are_escaped_html_with_marks() {
        assert_eq!(
            highlight("<b>\u{1}social\u{2}</b> & more"),
            "&lt;b&gt;<mark>social</mark>&lt;/b&gt; &amp; more"
        );
        assert_eq!(
            highlight("\u{2}a \u{1}b\u{1} c"),
            "a <mark>b c</mark>",
            "stray markers never unbalance the HTML"
        );
    }
}
