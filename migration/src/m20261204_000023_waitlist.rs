//! Waitlists: sign-ups may now be `waitlisted`, `offered` (a freed place held until
//! `hold_until`) or `expired` (an offer not taken in time); the status column holds
//! them as it is. What is new is how they are found: every instance looks each poll
//! for lapsed offers and waiting people, and delivery caches for the next hold that
//! runs out, both by status and hold, across events.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
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
            .await
    }
}

#[derive(DeriveIden)]
enum Registrations {
    Table,
    Status,
    HoldUntil,
}
