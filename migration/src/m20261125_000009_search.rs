//! Full-text search over the read model, kept by the database itself so that it can
//! never disagree with what is published: whatever enters or leaves
//! `published_translations` enters or leaves the index in the same transaction.
//!
//! - PostgreSQL: a generated `tsvector` column (title weighted above summary above
//!   body) with a GIN index, stemmed with the text search configuration of the row's
//!   locale (`buysocial_search_config`), `simple` where PostgreSQL has none.
//! - SQLite: an FTS5 table with the Porter stemmer over Unicode words without
//!   diacritics, filled by triggers.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Locales with a Snowball stemmer in PostgreSQL; the others use `simple`.
const POSTGRES_UP: &str = r#"
CREATE FUNCTION buysocial_search_config(locale text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (CASE locale
    WHEN 'da' THEN 'pg_catalog.danish' WHEN 'de' THEN 'pg_catalog.german'
    WHEN 'el' THEN 'pg_catalog.greek' WHEN 'en' THEN 'pg_catalog.english'
    WHEN 'es' THEN 'pg_catalog.spanish' WHEN 'fi' THEN 'pg_catalog.finnish'
    WHEN 'fr' THEN 'pg_catalog.french' WHEN 'ga' THEN 'pg_catalog.irish'
    WHEN 'hu' THEN 'pg_catalog.hungarian' WHEN 'it' THEN 'pg_catalog.italian'
    WHEN 'lt' THEN 'pg_catalog.lithuanian' WHEN 'nl' THEN 'pg_catalog.dutch'
    WHEN 'pt' THEN 'pg_catalog.portuguese' WHEN 'ro' THEN 'pg_catalog.romanian'
    WHEN 'sv' THEN 'pg_catalog.swedish'
    ELSE 'pg_catalog.simple' END)::regconfig
$$;
ALTER TABLE published_translations ADD COLUMN search tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector(buysocial_search_config(locale), title), 'A') ||
  setweight(to_tsvector(buysocial_search_config(locale), summary), 'B') ||
  setweight(to_tsvector(buysocial_search_config(locale), body), 'C')
) STORED;
CREATE INDEX published_translations_search ON published_translations USING GIN (search);
"#;

const POSTGRES_DOWN: &str = r#"
DROP INDEX IF EXISTS published_translations_search;
ALTER TABLE published_translations DROP COLUMN IF EXISTS search;
DROP FUNCTION IF EXISTS buysocial_search_config(text);
"#;

/// `published_search_keys` gives each published row a stable integer key (an explicit
/// INTEGER PRIMARY KEY survives VACUUM, unlike an implicit rowid), so the triggers find
/// a row's index entry by key instead of scanning the index's unindexed columns.
const SQLITE_UP: &str = r#"
CREATE TABLE published_search_keys (
  id INTEGER PRIMARY KEY,
  document_id uuid_text NOT NULL,
  locale varchar(16) NOT NULL,
  UNIQUE (document_id, locale)
);
CREATE VIRTUAL TABLE published_search USING fts5(
  title, summary, body, document_id UNINDEXED, locale UNINDEXED,
  tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO published_search_keys (document_id, locale)
  SELECT document_id, locale FROM published_translations;
INSERT INTO published_search (rowid, title, summary, body, document_id, locale)
  SELECT k.id, p.title, p.summary, p.body, p.document_id, p.locale
  FROM published_translations p
  JOIN published_search_keys k ON k.document_id = p.document_id AND k.locale = p.locale;
CREATE TRIGGER published_search_insert AFTER INSERT ON published_translations BEGIN
  INSERT INTO published_search_keys (document_id, locale) VALUES (new.document_id, new.locale);
  INSERT INTO published_search (rowid, title, summary, body, document_id, locale)
  VALUES (last_insert_rowid(), new.title, new.summary, new.body, new.document_id, new.locale);
END;
CREATE TRIGGER published_search_delete AFTER DELETE ON published_translations BEGIN
  DELETE FROM published_search WHERE rowid = (SELECT id FROM published_search_keys
    WHERE document_id = old.document_id AND locale = old.locale);
  DELETE FROM published_search_keys
    WHERE document_id = old.document_id AND locale = old.locale;
END;
CREATE TRIGGER published_search_update AFTER UPDATE ON published_translations BEGIN
  DELETE FROM published_search WHERE rowid = (SELECT id FROM published_search_keys
    WHERE document_id = old.document_id AND locale = old.locale);
  DELETE FROM published_search_keys
    WHERE document_id = old.document_id AND locale = old.locale;
  INSERT INTO published_search_keys (document_id, locale) VALUES (new.document_id, new.locale);
  INSERT INTO published_search (rowid, title, summary, body, document_id, locale)
  VALUES (last_insert_rowid(), new.title, new.summary, new.body, new.document_id, new.locale);
END;
"#;

const SQLITE_DOWN: &str = r#"
DROP TRIGGER IF EXISTS published_search_update;
DROP TRIGGER IF EXISTS published_search_delete;
DROP TRIGGER IF EXISTS published_search_insert;
DROP TABLE IF EXISTS published_search;
DROP TABLE IF EXISTS published_search_keys;
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let sql = match manager.get_database_backend() {
            DatabaseBackend::Postgres => POSTGRES_UP,
            _ => SQLITE_UP,
        };
        manager.get_connection().execute_unprepared(sql).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let sql = match manager.get_database_backend() {
            DatabaseBackend::Postgres => POSTGRES_DOWN,
            _ => SQLITE_DOWN,
        };
        manager.get_connection().execute_unprepared(sql).await?;
        Ok(())
    }
}
