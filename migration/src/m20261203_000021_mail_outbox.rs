//! The mail outbox: each mail buysocial sends is a row, written in the transaction of
//! the change that causes it, and sent by whichever instance claims it. `reason` is
//! unique, so the same mail for the same cause is queued once; `message_id` is fixed
//! at queueing, so a retry after a crash mid-send carries the same `Message-ID`.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MailOutbox::Table)
                    .col(
                        ColumnDef::new(MailOutbox::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(MailOutbox::Reason)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(MailOutbox::MessageId)
                            .string_len(300)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(MailOutbox::ToAddress)
                            .string_len(254)
                            .not_null(),
                    )
                    .col(ColumnDef::new(MailOutbox::Locale).string_len(16).not_null())
                    .col(
                        ColumnDef::new(MailOutbox::Subject)
                            .string_len(500)
                            .not_null(),
                    )
                    // Emptied once sent: a mailed link holds a token.
                    .col(ColumnDef::new(MailOutbox::TextBody).text().not_null())
                    .col(ColumnDef::new(MailOutbox::HtmlBody).text().not_null())
                    // JSON list of {file_name, content_type, content}.
                    .col(ColumnDef::new(MailOutbox::Attachments).json().not_null())
                    // What the mail is about, for organisers to see failures.
                    .col(ColumnDef::new(MailOutbox::EventId).uuid().null())
                    .col(ColumnDef::new(MailOutbox::RegistrationId).uuid().null())
                    .col(ColumnDef::new(MailOutbox::Status).string_len(16).not_null())
                    .col(ColumnDef::new(MailOutbox::Attempts).integer().not_null())
                    .col(
                        ColumnDef::new(MailOutbox::NextAttemptAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(MailOutbox::ClaimedBy).uuid().null())
                    .col(
                        ColumnDef::new(MailOutbox::LastError)
                            .string_len(1000)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(MailOutbox::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(MailOutbox::FinishedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_mail_outbox_reason")
                    .table(MailOutbox::Table)
                    .col(MailOutbox::Reason)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_mail_outbox_due")
                    .table(MailOutbox::Table)
                    .col(MailOutbox::Status)
                    .col(MailOutbox::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_mail_outbox_registration")
                    .table(MailOutbox::Table)
                    .col(MailOutbox::RegistrationId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MailOutbox::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum MailOutbox {
    Table,
    Id,
    Reason,
    MessageId,
    ToAddress,
    Locale,
    Subject,
    TextBody,
    HtmlBody,
    Attachments,
    EventId,
    RegistrationId,
    Status,
    Attempts,
    NextAttemptAt,
    ClaimedBy,
    LastError,
    CreatedAt,
    FinishedAt,
}
