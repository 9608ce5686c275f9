//! Database migrations, self-contained (no `entity` imports) and run unchanged on
//! SQLite and PostgreSQL. Each has a real `down`.
//!
//! Rule for SQLite: never rebuild a table that other tables reference with
//! `ON DELETE CASCADE`; with foreign keys on, dropping the old table deletes the
//! children. Add columns and tables instead. `tests/api/migrations.rs` checks that
//! every migration keeps existing rows.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_users_and_sessions;
mod m20261125_000002_login_throttle;
mod m20261125_000003_sites_tokens_audit;
mod m20261125_000004_content;
mod m20261125_000005_assets;
mod m20261125_000006_asset_replacement;
mod m20261125_000007_schedule_versions;
mod m20261125_000008_registrations;
mod m20261125_000009_search;
mod m20261125_000010_listing_index;
mod m20261125_000011_published_state;
mod m20261129_000012_search_words;
mod m20261130_000013_site_routes;
mod m20261130_000014_translation_base;
mod m20261130_000015_review_requests;
mod m20261130_000016_activity_marks;
mod m20261130_000017_audit_actors;
mod m20261130_000018_webhooks;
mod m20261130_000019_newest_index;
mod m20261203_000020_admin_scope_and_departed_tokens;
mod m20261203_000021_mail_outbox;
mod m20261203_000022_sign_up_confirmation;
mod m20261204_000023_waitlists_and_reminders;
mod m20261204_000024_sign_up_consent;
mod m20261204_000025_sign_up_link_pages;
mod m20261204_000026_sign_up_notices;
mod m20261204_000027_invitations_and_password_resets;
mod m20261204_000028_two_factor;
mod m20261204_000029_single_sign_on;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_users_and_sessions::Migration),
            Box::new(m20261125_000002_login_throttle::Migration),
            Box::new(m20261125_000003_sites_tokens_audit::Migration),
            Box::new(m20261125_000004_content::Migration),
            Box::new(m20261125_000005_assets::Migration),
            Box::new(m20261125_000006_asset_replacement::Migration),
            Box::new(m20261125_000007_schedule_versions::Migration),
            Box::new(m20261125_000008_registrations::Migration),
            Box::new(m20261125_000009_search::Migration),
            Box::new(m20261125_000010_listing_index::Migration),
            Box::new(m20261125_000011_published_state::Migration),
            Box::new(m20261129_000012_search_words::Migration),
            Box::new(m20261130_000013_site_routes::Migration),
            Box::new(m20261130_000014_translation_base::Migration),
            Box::new(m20261130_000015_review_requests::Migration),
            Box::new(m20261130_000016_activity_marks::Migration),
            Box::new(m20261130_000017_audit_actors::Migration),
            Box::new(m20261130_000018_webhooks::Migration),
            Box::new(m20261130_000019_newest_index::Migration),
            Box::new(m20261203_000020_admin_scope_and_departed_tokens::Migration),
            Box::new(m20261203_000021_mail_outbox::Migration),
            Box::new(m20261203_000022_sign_up_confirmation::Migration),
            Box::new(m20261204_000023_waitlists_and_reminders::Migration),
            Box::new(m20261204_000024_sign_up_consent::Migration),
            Box::new(m20261204_000025_sign_up_link_pages::Migration),
            Box::new(m20261204_000026_sign_up_notices::Migration),
            Box::new(m20261204_000027_invitations_and_password_resets::Migration),
            Box::new(m20261204_000028_two_factor::Migration),
            Box::new(m20261204_000029_single_sign_on::Migration),
        ]
    }
}
