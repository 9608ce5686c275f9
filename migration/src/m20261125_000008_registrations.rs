//! Expressions of interest in events, sent by readers through the frontends.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Registrations::Table)
                    .col(
                        ColumnDef::new(Registrations::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Registrations::EventId).uuid().not_null())
                    .col(
                        ColumnDef::new(Registrations::Name)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Registrations::Email)
                            .string_len(254)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Registrations::Organisation)
                            .string_len(300)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Registrations::OrganisationType)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Registrations::Country)
                            .string_len(2)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Registrations::Locale).string_len(16).null())
                    .col(
                        ColumnDef::new(Registrations::ConsentedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Registrations::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_registrations_event")
                            .from(Registrations::Table, Registrations::EventId)
                            .to(Documents::Table, Documents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_registrations_event_email")
                    .table(Registrations::Table)
                    .col(Registrations::EventId)
                    .col(Registrations::Email)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Registrations::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Registrations {
    Table,
    Id,
    EventId,
    Name,
    Email,
    Organisation,
    OrganisationType,
    Country,
    Locale,
    ConsentedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Documents {
    Table,
    Id,
}
