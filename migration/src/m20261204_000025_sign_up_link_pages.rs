//! Mailed sign-up links may open the site's own pages: a site sets where
//! (`sign_up_links_url`, a URL pattern with `{action}` and `{token}`), and each sign-up
//! records the site it came through (`site_code`; none for sign-ups from before, or
//! made without a site), so that its links go back there.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Sites::Table)
                    .add_column(ColumnDef::new(Sites::SignUpLinksUrl).string_len(500).null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Registrations::Table)
                    .add_column(
                        ColumnDef::new(Registrations::SiteCode)
                            .string_len(32)
                            .null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Registrations::Table)
                    .drop_column(Registrations::SiteCode)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Sites::Table)
                    .drop_column(Sites::SignUpLinksUrl)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Registrations {
    Table,
    SiteCode,
}

#[derive(DeriveIden)]
enum Sites {
    Table,
    SignUpLinksUrl,
}
