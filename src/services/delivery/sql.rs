//! Building the delivery's hand-written statements for SQLite and PostgreSQL alike.
//! Every value from a request is bound, never spliced into the text (the one exception:
//! a page's LIMIT and OFFSET, integers the server computed; see `chosen`). SQLite's `?`
//! are bound in the order they appear in the text, so callers add each part in text
//! order.

use sea_orm::{DatabaseBackend, Statement, Value};

use super::Audience;

pub(super) struct Sql {
    backend: DatabaseBackend,
    values: Vec<Value>,
}

impl Sql {
    pub(super) fn new(backend: DatabaseBackend) -> Self {
        Self {
            backend,
            values: Vec::new(),
        }
    }

    pub(super) fn is_postgres(&self) -> bool {
        self.backend == DatabaseBackend::Postgres
    }

    /// Binds `value` and returns its placeholder.
    pub(super) fn bind(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        if self.is_postgres() {
            format!("${}", self.values.len())
        } else {
            "?".to_owned()
        }
    }

    /// Binds each value; returns their placeholders, comma-separated.
    pub(super) fn bind_all<V: Into<Value>>(
        &mut self,
        values: impl IntoIterator<Item = V>,
    ) -> String {
        values
            .into_iter()
            .map(|v| self.bind(v))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `CASE column WHEN <first locale> THEN 0 … END`: a row's place in the chain.
    pub(super) fn chain_rank(&mut self, column: &str, chain: &[String]) -> String {
        let arms: Vec<String> = chain
            .iter()
            .enumerate()
            .map(|(rank, locale)| {
                let param = self.bind(locale.clone());
                format!("WHEN {param} THEN {rank}")
            })
            .collect();
        format!("CASE {column} {} END", arms.join(" "))
    }

    /// Whether the JSON array of strings in `column` holds `item`: the item's JSON
    /// string, quotes included, inside the array's text. A plain, case-sensitive
    /// substring test (no LIKE: its wildcards and case folding would need escaping).
    pub(super) fn contains(&mut self, column: &str, item: &str) -> String {
        let quoted = serde_json::to_string(item).unwrap_or_default();
        let param = self.bind(quoted);
        if self.is_postgres() {
            format!("strpos(CAST({column} AS TEXT), {param}) > 0")
        } else {
            format!("instr(CAST({column} AS TEXT), {param}) > 0")
        }
    }

    /// The site's countries: EU-wide items (no countries) and those sharing a country
    /// with the site; `None` when the audience has no site countries (all items).
    pub(super) fn shown_to(&mut self, audience: &Audience, column: &str) -> Option<String> {
        if audience.site_countries.is_empty() {
            return None;
        }
        let mut any = vec![format!("CAST({column} AS TEXT) = '[]'")];
        for country in &audience.site_countries {
            any.push(self.contains(column, country.as_str()));
        }
        Some(format!("({})", any.join(" OR ")))
    }

    pub(super) fn statement(&self, text: String) -> Statement {
        Statement::from_sql_and_values(self.backend, text, self.values.clone())
    }
}
