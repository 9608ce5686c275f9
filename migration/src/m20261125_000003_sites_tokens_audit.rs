//! Sites (national frontends), API tokens and the audit log.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Sites::Table)
                    .col(
                        ColumnDef::new(Sites::Code)
                            .string_len(32)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Sites::Name).string_len(200).not_null())
                    .col(ColumnDef::new(Sites::Countries).json().not_null())
                    .col(ColumnDef::new(Sites::Locales).json().not_null())
                    .col(
                        ColumnDef::new(Sites::DefaultLocale)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Sites::Fallback).json().not_null())
                    .col(
                        ColumnDef::new(Sites::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Sites::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ApiTokens::Table)
                    .col(
                        ColumnDef::new(ApiTokens::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(ApiTokens::Name).string_len(200).not_null())
                    .col(ColumnDef::new(ApiTokens::Kind).string_len(16).not_null())
                    .col(
                        ColumnDef::new(ApiTokens::TokenHash)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    // The first characters of the secret, to tell tokens apart in lists.
                    .col(ColumnDef::new(ApiTokens::Hint).string_len(16).not_null())
                    // No foreign key: deleting a site revokes its tokens but keeps their record.
                    .col(ColumnDef::new(ApiTokens::SiteCode).string_len(32).null())
                    .col(ColumnDef::new(ApiTokens::Role).string_len(16).null())
                    .col(ColumnDef::new(ApiTokens::ScopeCountries).json().not_null())
                    .col(ColumnDef::new(ApiTokens::ScopeLocales).json().not_null())
                    .col(ColumnDef::new(ApiTokens::CreatedBy).uuid().null())
                    .col(
                        ColumnDef::new(ApiTokens::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ApiTokens::ExpiresAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(ApiTokens::LastUsedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(ApiTokens::RevokedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    // UUIDv7: ordered by time, so the id is also the sort key.
                    .col(ColumnDef::new(AuditLog::Id).uuid().not_null().primary_key())
                    .col(
                        ColumnDef::new(AuditLog::At)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AuditLog::ActorKind)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ColumnDef::new(AuditLog::ActorId).uuid().null())
                    .col(
                        ColumnDef::new(AuditLog::ActorLabel)
                            .string_len(300)
                            .not_null(),
                    )
                    .col(ColumnDef::new(AuditLog::Action).string_len(64).not_null())
                    .col(ColumnDef::new(AuditLog::Outcome).string_len(16).not_null())
                    .col(
                        ColumnDef::new(AuditLog::ResourceKind)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(ColumnDef::new(AuditLog::ResourceId).string_len(300).null())
                    .col(ColumnDef::new(AuditLog::ClientAddr).string_len(64).null())
                    .col(ColumnDef::new(AuditLog::Details).json().not_null())
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_audit_at", AuditLog::At),
            ("idx_audit_actor", AuditLog::ActorId),
            ("idx_audit_resource", AuditLog::ResourceKind),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(AuditLog::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditLog::Table.into_iden(),
            ApiTokens::Table.into_iden(),
            Sites::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Sites {
    Table,
    Code,
    Name,
    Countries,
    Locales,
    DefaultLocale,
    Fallback,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    Id,
    Name,
    Kind,
    TokenHash,
    Hint,
    SiteCode,
    Role,
    ScopeCountries,
    ScopeLocales,
    CreatedBy,
    CreatedAt,
    ExpiresAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    At,
    ActorKind,
    ActorId,
    ActorLabel,
    Action,
    Outcome,
    ResourceKind,
    ResourceId,
    ClientAddr,
    Details,
}
