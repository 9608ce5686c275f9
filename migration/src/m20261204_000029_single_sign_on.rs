//! Single sign-on with OpenID Connect: which account a provider's person (its issuer's
//! `sub`) signs in to, and the sign-ins under way (state, nonce and PKCE verifier kept
//! here, on the server, keyed by the SHA-256 of a short-lived cookie's value), so that
//! any instance can finish a flow another started.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Identities::Table)
                    .col(
                        ColumnDef::new(Identities::Provider)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Identities::Subject)
                            .string_len(255)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Identities::UserId).uuid().not_null())
                    .col(ColumnDef::new(Identities::Email).string_len(320).not_null())
                    .col(
                        ColumnDef::new(Identities::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Identities::LastUsedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(Identities::Provider)
                            .col(Identities::Subject),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("user_identities_user")
                            .from(Identities::Table, Identities::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("user_identities_by_user")
                    .table(Identities::Table)
                    .col(Identities::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Flows::Table)
                    .col(
                        ColumnDef::new(Flows::Id)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Flows::Provider).string_len(64).not_null())
                    .col(ColumnDef::new(Flows::State).string_len(128).not_null())
                    .col(ColumnDef::new(Flows::Nonce).string_len(128).not_null())
                    .col(
                        ColumnDef::new(Flows::PkceVerifier)
                            .string_len(128)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Flows::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Flows::ExpiresAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Flows::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Identities::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Identities {
    #[sea_orm(iden = "user_identities")]
    Table,
    Provider,
    Subject,
    UserId,
    Email,
    CreatedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum Flows {
    #[sea_orm(iden = "sso_flows")]
    Table,
    Id,
    Provider,
    State,
    Nonce,
    PkceVerifier,
    CreatedAt,
    ExpiresAt,
}
