//! Search-as-you-type over words as written, beside the stemmed index.
//!
//! A typed prefix must find every published word it begins (`procurem` finds
//! "procurement"), but a stemmed index holds stems (`procur`), which longer prefixes no
//! longer begin. So each index gains the words as written:
//!
//! - PostgreSQL: a generated `search_words` column, `simple` configuration (lower-cased
//!   words, no stemming), weighted like `search`, with a GIN index.
//! - SQLite: an FTS5 table `published_words` over Unicode words without diacritics and
//!   without the Porter stemmer (which is English and stems no other language right),
//!   keyed like `published_search` and kept by the same triggers.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const POSTGRES_UP: &str = r#"
ALTER TABLE published_translations ADD COLUMN search_words tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('pg_catalog.simple', title), 'A') ||
  setweight(to_tsvector('pg_catalog.simple', summary), 'B') ||
  setweight(to_tsvector('pg_catalog.simple', body), 'C')
) STORED;
CREATE INDEX published_translations_search_words ON published_translations USING GIN (search_words);
"#;

const POSTGRES_DOWN: &str = r#"
DROP INDEX IF EXISTS published_translations_search_words;
ALTER TABLE published_translations DROP COLUMN IF EXISTS search_words;
"#;

/// `published_words` takes the rowids of `published_search` (`published_search_keys`),
/// and the triggers now keep both tables.
const SQLITE_UP: &str = r#"
CREATE VIRTUAL TABLE published_words USING fts5(
  title, summary, body,
  tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO published_words (rowid, title, summary, body)
  SELECT k.id, p.title, p.summary, p.body
  FROM published_translations p
  JOIN published_search_keys k ON k.document_id = p.document_id AND k.locale = p.locale;
DROP TRIGGER published_search_insert;
DROP TRIGGER published_search_delete;
DROP TRIGGER published_search_update;
CREATE TRIGGER published_search_insert AFTER INSERT ON published_translations BEGIN
  INSERT INTO published_search_keys (document_id, locale) VALUES (new.document_id, new.locale);
  INSERT INTO published_search (rowid, title, summary, body, document_id, locale)
  VALUES ((SELECT id FROM published_search_keys WHERE document_id = new.document_id AND locale = new.locale),
          new.title, new.summary, new.body, new.document_id, new.locale);
  INSERT INTO published_words (rowid, title, summary, body)
  VALUES ((SELECT id FROM published_search_keys WHERE document_id = new.document_id AND locale = new.locale),
          new.title, new.summary, new.body);
END;
CREATE TRIGGER published_search_delete AFTER DELETE ON published_translations BEGIN
  DELETE FROM published_search WHERE rowid = (SELECT id FROM published_search_keys
    WHERE document_id = old.document_id AND locale = old.locale);
  DELETE FROM published_words WHERE rowid = (SELECT id FROM published_search_keys
    WHERE document_id = old.document_id AND locale = old.locale);
  DELETE FROM published_search_keys
    WHERE document_id = old.document_id AND locale = old.locale;
END;
CREATE TRIGGER published_search_update AFTER UPDATE ON published_translations BEGIN
  DELETE FROM published_search WHERE rowid = (SELECT id FROM published_search_keys
    WHERE document_id = old.document_id AND locale = old.locale);
  DELETE FROM published_words WHERE rowid = (SELECT id FROM published_search_keys
    WHERE document_id = old.document_id AND locale = old.locale);
  DELETE FROM published_search_keys
    WHERE document_id = old.document_id AND locale = old.locale;
  INSERT INTO published_search_keys (document_id, locale) VALUES (new.document_id, new.locale);
  INSERT INTO published_search (rowid, title, summary, body, document_id, locale)
  VALUES ((SELECT id FROM published_search_keys WHERE document_id = new.document_id AND locale = new.locale),
          new.title, new.summary, new.body, new.document_id, new.locale);
  INSERT INTO published_words (rowid, title, summary, body)
  VALUES ((SELECT id FROM published_search_keys WHERE document_id = new.document_id AND locale = new.locale),
          new.title, new.summary, new.body);
END;
"#;

/// Back to the triggers of `m20261125_000009_search`.
const SQLITE_DOWN: &str = r#"
DROP TRIGGER published_search_insert;
DROP TRIGGER published_search_delete;
DROP TRIGGER published_search_update;
DROP TABLE published_words;
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
