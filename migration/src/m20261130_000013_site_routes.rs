//! Site routes and preview links: where a site's frontend shows each kind of item per
//! locale, where it previews drafts, and preview tokens scoped to one translation.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        let site_columns = [
            ColumnDef::new(Sites::Routes)
                .json()
                .not_null()
                .default("[]")
                .to_owned(),
            ColumnDef::new(Sites::PreviewUrl).string().null().to_owned(),
        ];
        for column in site_columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Sites::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        let token_columns = [
            ColumnDef::new(ApiTokens::DocumentId)
                .uuid()
                .null()
                .to_owned(),
            ColumnDef::new(ApiTokens::Locale).string().null().to_owned(),
        ];
        for column in token_columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(ApiTokens::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [ApiTokens::DocumentId, ApiTokens::Locale] {
            manager
                .alter_table(
                    Table::alter()
                        .table(ApiTokens::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for column in [Sites::Routes, Sites::PreviewUrl] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Sites::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Sites {
    Table,
    Routes,
    PreviewUrl,
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    DocumentId,
    Locale,
}
