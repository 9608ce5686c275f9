//! Assets: uploaded files. The bytes live in object storage under a key the server
//! generates; this table keeps their metadata.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Assets::Table)
                    .col(ColumnDef::new(Assets::Id).uuid().not_null().primary_key())
                    .col(
                        ColumnDef::new(Assets::ObjectKey)
                            .string_len(300)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Assets::FileName).string_len(1024).not_null())
                    .col(
                        ColumnDef::new(Assets::ContentType)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Assets::Size).big_integer().not_null())
                    .col(ColumnDef::new(Assets::Sha256).string_len(64).not_null())
                    .col(ColumnDef::new(Assets::Title).string_len(1200).not_null())
                    .col(ColumnDef::new(Assets::Alt).string_len(2000).not_null())
                    .col(ColumnDef::new(Assets::Locale).string_len(16).null())
                    .col(ColumnDef::new(Assets::UploadedBy).uuid().null())
                    .col(
                        ColumnDef::new(Assets::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Assets::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Assets::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Assets {
    Table,
    Id,
    ObjectKey,
    FileName,
    ContentType,
    Size,
    Sha256,
    Title,
    Alt,
    Locale,
    UploadedBy,
    CreatedAt,
    UpdatedAt,
}
