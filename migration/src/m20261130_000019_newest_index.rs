//! An index in the order news lists are read: for a kind, newest first. A page of news
//! then walks the index from its newest end and stops after the page, however many items
//! there are, instead of choosing a locale for every item and sorting them all.
//! PostgreSQL puts NULLs first in a descending index unless told otherwise; the lists
//! want items without a date last.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const POSTGRES_UP: &str = "CREATE INDEX published_translations_newest ON published_translations \
     (kind, sort_at DESC NULLS LAST, published_at DESC, document_id DESC)";
const SQLITE_UP: &str = "CREATE INDEX published_translations_newest ON published_translations \
     (kind, sort_at DESC, published_at DESC, document_id DESC)";
const DOWN: &str = "DROP INDEX IF EXISTS published_translations_newest";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let up = match manager.get_database_backend() {
            DatabaseBackend::Postgres => POSTGRES_UP,
            _ => SQLITE_UP,
        };
        manager.get_connection().execute_unprepared(up).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared(DOWN).await?;
        Ok(())
    }
}
