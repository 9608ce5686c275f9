//! Review requests: an author asks for a translation to be reviewed; an editor who may
//! publish it publishes it or sends it back with a comment.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ReviewRequests::Table)
                    .col(
                        ColumnDef::new(ReviewRequests::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(ReviewRequests::DocumentId).uuid().not_null())
                    .col(ColumnDef::new(ReviewRequests::Locale).string().not_null())
                    .col(ColumnDef::new(ReviewRequests::Status).string().not_null())
                    .col(ColumnDef::new(ReviewRequests::Comment).text().not_null())
                    .col(
                        ColumnDef::new(ReviewRequests::DraftVersion)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(ReviewRequests::RequestedBy).uuid().null())
                    .col(
                        ColumnDef::new(ReviewRequests::RequestedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(ReviewRequests::DecidedBy).uuid().null())
                    .col(
                        ColumnDef::new(ReviewRequests::DecidedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(ReviewRequests::Answer).text().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(ReviewRequests::Table, ReviewRequests::DocumentId)
                            .to(Documents::Table, Documents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("review_requests_by_translation")
                    .table(ReviewRequests::Table)
                    .col(ReviewRequests::DocumentId)
                    .col(ReviewRequests::Locale)
                    .col(ReviewRequests::Status)
                    .to_owned(),
            )
            .await?;
        // One open request per translation, whatever races: a partial unique index,
        // which both SQLite and PostgreSQL have.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX review_requests_one_open \
                 ON review_requests (document_id, locale) WHERE status = 'open'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ReviewRequests::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ReviewRequests {
    Table,
    Id,
    DocumentId,
    Locale,
    Status,
    Comment,
    DraftVersion,
    RequestedBy,
    RequestedAt,
    DecidedBy,
    DecidedAt,
    Answer,
}

#[derive(DeriveIden)]
enum Documents {
    Table,
    Id,
}
