//! The published state's version, for delivery caches shared by several instances:
//! one row, moved by every write readers could notice.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PublishedState::Table)
                    .col(
                        ColumnDef::new(PublishedState::Id)
                            .integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(PublishedState::Version)
                            .big_integer()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        let mut insert = Query::insert();
        insert
            .into_table(PublishedState::Table)
            .columns([PublishedState::Id, PublishedState::Version])
            .values([1.into(), 0.into()])
            .map_err(|err| DbErr::Custom(err.to_string()))?;
        manager.exec_stmt(insert).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PublishedState::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum PublishedState {
    Table,
    Id,
    Version,
}
