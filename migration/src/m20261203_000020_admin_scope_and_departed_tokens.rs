//! Two corrections of stored grants, matching rules the server now enforces:
//! - An admin acts everywhere. Admin users and admin-role tokens that carried a scope
//!   were shown with it, but the policy never applied it; the scope is cleared so that
//!   what is shown is what holds (the CHANGELOG, 0.4.0, asks operators to review them).
//! - Admin-kind tokens stop with the person who created them: those whose creator is
//!   disabled or deleted are revoked now, as disabling or deleting someone does from now
//!   on. Delivery and preview tokens keep working, so national sites stay online.
//!
//! `down` cannot bring back what was cleared or revoked, and does nothing.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const CLEAR_ADMIN_SCOPES: [&str; 2] = [
    "UPDATE users SET scope_countries = '[]', scope_locales = '[]' WHERE role = 'admin'",
    "UPDATE api_tokens SET scope_countries = '[]', scope_locales = '[]' WHERE role = 'admin'",
];

/// Admin tokens of creators who are disabled or gone; `{now}` is the backend's time in
/// the form the application stores (RFC 3339 text on SQLite).
const REVOKE_DEPARTED: &str = "UPDATE api_tokens SET revoked_at = {now} \
     WHERE kind = 'admin' AND revoked_at IS NULL AND created_by IS NOT NULL \
     AND NOT EXISTS (SELECT 1 FROM users \
                     WHERE users.id = api_tokens.created_by AND users.disabled_at IS NULL)";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for sql in CLEAR_ADMIN_SCOPES {
            db.execute_unprepared(sql).await?;
        }
        let now = match manager.get_database_backend() {
            DatabaseBackend::Postgres => "CURRENT_TIMESTAMP",
            _ => "strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now')",
        };
        db.execute_unprepared(&REVOKE_DEPARTED.replace("{now}", now))
            .await?;
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Ok(())
    }
}
