//! Outgoing webhooks: the receivers admins register, each delivery of an event to one
//! of them (its id is what receivers de-duplicate on), and every attempt to deliver it.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Webhooks::Table)
                    .col(ColumnDef::new(Webhooks::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Webhooks::Name).string_len(200).not_null())
                    .col(ColumnDef::new(Webhooks::Url).string_len(2000).not_null())
                    // JSON array of event types; empty: every event.
                    .col(ColumnDef::new(Webhooks::Events).json().not_null())
                    .col(ColumnDef::new(Webhooks::SiteCode).string_len(32).null())
                    // Kept to sign with; shown to the admin once.
                    .col(ColumnDef::new(Webhooks::Secret).string_len(128).not_null())
                    .col(ColumnDef::new(Webhooks::Paused).boolean().not_null())
                    .col(ColumnDef::new(Webhooks::CreatedBy).uuid().null())
                    .col(
                        ColumnDef::new(Webhooks::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Webhooks::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Deliveries::Table)
                    .col(
                        ColumnDef::new(Deliveries::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Deliveries::WebhookId).uuid().not_null())
                    .col(
                        ColumnDef::new(Deliveries::EventType)
                            .string_len(64)
                            .not_null(),
                    )
                    // Deliveries of one key go out in order: an item, a site, a file.
                    .col(
                        ColumnDef::new(Deliveries::OrderingKey)
                            .string_len(200)
                            .not_null(),
                    )
                    // Their order: numbered by the one instance fanning out at a time, in
                    // the outbox's order (not by the clock of whichever instance it was).
                    .col(
                        ColumnDef::new(Deliveries::Sequence)
                            .big_integer()
                            .not_null(),
                    )
                    // The exact body sent, so that every attempt sends the same bytes.
                    .col(ColumnDef::new(Deliveries::Body).text().not_null())
                    // `pending`, `delivered` or `failed`.
                    .col(ColumnDef::new(Deliveries::Status).string_len(16).not_null())
                    .col(ColumnDef::new(Deliveries::Attempts).integer().not_null())
                    .col(
                        ColumnDef::new(Deliveries::NextAttemptAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    // The claim of the instance sending it: its record counts only while
                    // the claim is still its own.
                    .col(ColumnDef::new(Deliveries::ClaimedBy).uuid().null())
                    .col(ColumnDef::new(Deliveries::LastStatusCode).integer().null())
                    .col(ColumnDef::new(Deliveries::LastError).text().null())
                    .col(
                        ColumnDef::new(Deliveries::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Deliveries::FinishedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Deliveries::Table, Deliveries::WebhookId)
                            .to(Webhooks::Table, Webhooks::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            (
                "webhook_deliveries_due",
                vec![Deliveries::Status, Deliveries::NextAttemptAt],
            ),
            (
                "webhook_deliveries_of_webhook",
                vec![
                    Deliveries::WebhookId,
                    Deliveries::OrderingKey,
                    Deliveries::Status,
                    Deliveries::Sequence,
                ],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(Deliveries::Table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(Attempts::Table)
                    .col(ColumnDef::new(Attempts::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Attempts::DeliveryId).uuid().not_null())
                    .col(
                        ColumnDef::new(Attempts::At)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Attempts::StatusCode).integer().null())
                    .col(
                        ColumnDef::new(Attempts::DurationMs)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Attempts::Error).text().null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(Attempts::Table, Attempts::DeliveryId)
                            .to(Deliveries::Table, Deliveries::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("webhook_attempts_of_delivery")
                    .table(Attempts::Table)
                    .col(Attempts::DeliveryId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Attempts::Table.into_iden(),
            Deliveries::Table.into_iden(),
            Webhooks::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Webhooks {
    Table,
    Id,
    Name,
    Url,
    Events,
    SiteCode,
    Secret,
    Paused,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Deliveries {
    #[sea_orm(iden = "webhook_deliveries")]
    Table,
    Id,
    WebhookId,
    EventType,
    OrderingKey,
    Sequence,
    Body,
    Status,
    Attempts,
    NextAttemptAt,
    ClaimedBy,
    LastStatusCode,
    LastError,
    CreatedAt,
    FinishedAt,
}

#[derive(DeriveIden)]
enum Attempts {
    #[sea_orm(iden = "webhook_attempts")]
    Table,
    Id,
    DeliveryId,
    At,
    StatusCode,
    DurationMs,
    Error,
}
