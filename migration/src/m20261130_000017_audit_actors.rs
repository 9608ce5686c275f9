//! Who an actor was when they acted: their name, role and countries, kept with each
//! audit entry (a role or scope changed later does not rewrite the past).
//!
//! Existing entries take what their user or token is now: the best there is.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        for column in [
            ColumnDef::new(AuditLog::ActorName)
                .string_len(200)
                .null()
                .to_owned(),
            ColumnDef::new(AuditLog::ActorRole)
                .string_len(16)
                .null()
                .to_owned(),
            ColumnDef::new(AuditLog::ActorCountries)
                .json()
                .null()
                .to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(AuditLog::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE audit_log SET \
               actor_name = (SELECT u.display_name FROM users u WHERE u.id = audit_log.actor_id), \
               actor_role = (SELECT u.role FROM users u WHERE u.id = audit_log.actor_id), \
               actor_countries = (SELECT u.scope_countries FROM users u WHERE u.id = audit_log.actor_id) \
             WHERE actor_kind = 'user'",
        )
        .await?;
        db.execute_unprepared(
            "UPDATE audit_log SET \
               actor_name = (SELECT t.name FROM api_tokens t WHERE t.id = audit_log.actor_id), \
               actor_role = (SELECT t.role FROM api_tokens t WHERE t.id = audit_log.actor_id), \
               actor_countries = (SELECT t.scope_countries FROM api_tokens t WHERE t.id = audit_log.actor_id) \
             WHERE actor_kind = 'token'",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            AuditLog::ActorCountries,
            AuditLog::ActorRole,
            AuditLog::ActorName,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(AuditLog::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    ActorName,
    ActorRole,
    ActorCountries,
}
