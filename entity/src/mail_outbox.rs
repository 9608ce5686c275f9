//! `mail_outbox`: one mail to one person, queued with the change that causes it and
//! sent at least once (receivers drop a copy by its `Message-ID`).

use sea_orm::entity::prelude::*;

use crate::ids::{ItemId, RegistrationId};
use crate::values::MailStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mail_outbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Why it is sent, e.g. `registration:<id>:confirm`; unique, so a cause mails once.
    pub reason: String,
    /// `<id@domain>`, fixed when queued: every attempt sends the same one.
    pub message_id: String,
    pub to_address: String,
    pub locale: String,
    pub subject: String,
    /// Emptied once the mail is sent or has failed for good.
    pub text_body: String,
    pub html_body: String,
    /// `[{file_name, content_type, content}]`.
    pub attachments: Json,
    pub event_id: Option<ItemId>,
    pub registration_id: Option<RegistrationId>,
    pub status: MailStatus,
    pub attempts: i32,
    /// When it is due; while an instance sends it, when that claim lapses.
    pub next_attempt_at: DateTimeUtc,
    /// The claim of the instance sending it now.
    pub claimed_by: Option<Uuid>,
    /// Why the last attempt failed (a refused recipient, an unreachable server).
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
