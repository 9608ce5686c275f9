//! Waitlists and reminders. Sign-ups may now be `waitlisted`, `offered` (a freed place
//! held until `hold_until`) or `expired` (an offer not taken in time); the status
//! column holds them as it is. What is new is how they are found: every instance looks
//! each poll for lapsed offers and waiting people, and delivery caches for the next
//! hold that runs out, both by status and hold, across events. `reminded_at` records
//! that a sign-up's reminder was queued, so that it goes once across instances.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Registrations::Table)
                    .add_column(
                        ColumnDef::new(Registrations::RemindedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_registrations_status_hold")
                    .table(Registrations::Table)
                    .col(Registrations::Status)
                    .col(Registrations::HoldUntil)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_registrations_status_hold")
                    .table(Registrations::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Registrations::Table)
                    .drop_column(Registrations::RemindedAt)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Registrations {
    Table,
    Status,
    HoldUntil,
    RemindedAt,
}
