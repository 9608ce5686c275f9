//! Consent as it was given: each sign-up keeps the exact consent text the person agreed
//! to, its version and the privacy notice it linked to; a site may set its own consent
//! texts (per language, with a version) and privacy notice. Sign-ups from before keep
//! no text (they were given the form's consent without one being recorded).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one at a time.
        let registration_columns = [
            ColumnDef::new(Registrations::ConsentText)
                .text()
                .null()
                .to_owned(),
            ColumnDef::new(Registrations::ConsentVersion)
                .string_len(100)
                .null()
                .to_owned(),
            ColumnDef::new(Registrations::PrivacyNoticeUrl)
                .string_len(2000)
                .null()
                .to_owned(),
        ];
        for mut column in registration_columns {
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
            .alter_table(
                Table::alter()
                    .table(Sites::Table)
                    .add_column(ColumnDef::new(Sites::RegistrationConsent).json().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Sites::Table)
                    .drop_column(Sites::RegistrationConsent)
                    .to_owned(),
            )
            .await?;
        for column in [
            Registrations::PrivacyNoticeUrl,
            Registrations::ConsentVersion,
            Registrations::ConsentText,
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
    ConsentText,
    ConsentVersion,
    PrivacyNoticeUrl,
}

#[derive(DeriveIden)]
enum Sites {
    Table,
    RegistrationConsent,
}
