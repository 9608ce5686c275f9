//! When each user last looked at what happened while they were away.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ActivityMarks::Table)
                    .col(
                        ColumnDef::new(ActivityMarks::UserId)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(ActivityMarks::SeenAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ActivityMarks::Table, ActivityMarks::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ActivityMarks::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ActivityMarks {
    Table,
    UserId,
    SeenAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
