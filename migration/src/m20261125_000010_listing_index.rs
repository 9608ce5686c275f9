//! An index that answers delivery lists on its own: for a kind, each item's rows in
//! document order (as choosing a locale per item partitions them), with the columns
//! lists are ordered by. Choosing each item's locale and cutting a page of news then
//! reads the index only, not the rows with their bodies. `kind` then `document_id`, so
//! that lookups of a kind's documents by id use it too (`kind, locale` first made
//! SQLite scan a whole kind for them).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEX: &str = "published_translations_listing";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(PublishedTranslations::Table)
                    .col(PublishedTranslations::Kind)
                    .col(PublishedTranslations::DocumentId)
                    .col(PublishedTranslations::Locale)
                    .col(PublishedTranslations::SortAt)
                    .col(PublishedTranslations::PublishedAt)
                    .col(PublishedTranslations::Position)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(INDEX)
                    .table(PublishedTranslations::Table)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum PublishedTranslations {
    Table,
    Kind,
    Locale,
    DocumentId,
    SortAt,
    PublishedAt,
    Position,
}
