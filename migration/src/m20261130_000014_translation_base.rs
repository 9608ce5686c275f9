//! What each translation was made from: the revision of the source locale it follows.
//! A translation is outdated when the source's text differs from that revision's, and
//! the source's changes since then are what a translator works from.
//!
//! Existing translations are based on the source revision that was current when they
//! were last written (the newest source revision at or before their last change).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Translations::Table)
                    .add_column(ColumnDef::new(Translations::BaseRevisionId).uuid().null())
                    .to_owned(),
            )
            .await?;
        // Plain SQL both backends run alike: a correlated subquery per translation.
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE translations SET base_revision_id = ( \
                   SELECT r.id FROM revisions r \
                   JOIN documents d ON d.id = r.document_id \
                   WHERE r.document_id = translations.document_id \
                     AND r.locale = d.source_locale \
                     AND r.action IN ('create', 'draft', 'publish') \
                     AND r.created_at <= translations.updated_at \
                   ORDER BY r.created_at DESC, r.id DESC LIMIT 1) \
                 WHERE translations.locale <> ( \
                   SELECT d.source_locale FROM documents d WHERE d.id = translations.document_id)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Translations::Table)
                    .drop_column(Translations::BaseRevisionId)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Translations {
    Table,
    BaseRevisionId,
}
