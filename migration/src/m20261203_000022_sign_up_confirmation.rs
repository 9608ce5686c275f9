//! Sign-ups people confirm: a registration has a status (`pending` until the person
//! confirms their address, `confirmed`, `cancelled`), when it was confirmed, until
//! when an unconfirmed one holds its place, and when it was cancelled. Sign-ups from
//! before were accepted as they came, so they are `confirmed`. The tokens of mailed
//! links are stored hashed, each for one purpose, expiring, used once.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one at a time.
        let columns = [
            ColumnDef::new(Registrations::Status)
                .string_len(16)
                .not_null()
                .default("confirmed")
                .to_owned(),
            ColumnDef::new(Registrations::ConfirmedAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
            ColumnDef::new(Registrations::HoldUntil)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
            ColumnDef::new(Registrations::CancelledAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
        ];
        for mut column in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Registrations::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .get_connection()
            .execute_unprepared("UPDATE registrations SET confirmed_at = created_at")
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Tokens::Table)
                    .col(
                        ColumnDef::new(Tokens::Hash)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Tokens::RegistrationId).uuid().not_null())
                    .col(ColumnDef::new(Tokens::Purpose).string_len(16).not_null())
                    .col(
                        ColumnDef::new(Tokens::ExpiresAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Tokens::UsedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Tokens::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_registration_tokens_registration")
                            .from(Tokens::Table, Tokens::RegistrationId)
                            .to(Registrations::Table, Registrations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_registration_tokens_registration")
                    .table(Tokens::Table)
                    .col(Tokens::RegistrationId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_registrations_event_status")
                    .table(Registrations::Table)
                    .col(Registrations::EventId)
                    .col(Registrations::Status)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Tokens::Table).to_owned())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ix_registrations_event_status")
                    .table(Registrations::Table)
                    .to_owned(),
            )
            .await?;
        for column in [
            Registrations::CancelledAt,
            Registrations::HoldUntil,
            Registrations::ConfirmedAt,
            Registrations::Status,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Registrations::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Registrations {
    Table,
    Id,
    EventId,
    Status,
    ConfirmedAt,
    HoldUntil,
    CancelledAt,
}

#[derive(DeriveIden)]
enum Tokens {
    #[sea_orm(iden = "registration_tokens")]
    Table,
    Hash,
    RegistrationId,
    Purpose,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}
