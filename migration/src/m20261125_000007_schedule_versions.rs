//! A scheduled publish pins the draft and neutral-field versions it was scheduled
//! for, so that later edits (by anyone) do not go live unreviewed.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for column in [Schedules::DraftVersion, Schedules::DocumentVersion] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Schedules::Table)
                        .add_column(ColumnDef::new(column).big_integer().null())
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Schedules::DraftVersion, Schedules::DocumentVersion] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Schedules::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Schedules {
    Table,
    DraftVersion,
    DocumentVersion,
}
