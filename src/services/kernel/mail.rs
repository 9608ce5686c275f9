//! A mail to queue: composed by the feature that causes it (the text in the person's
//! language, the links with their tokens), written to the mail outbox by the unit of
//! work in the transaction of the change (see [`super::unit_of_work`]), sent later by
//! whichever instance claims it (`services::mail`). The kernel knows no template and
//! no transport.

use chrono::{DateTime, Utc};
use entity::ids::{ItemId, RegistrationId};
use entity::mail_outbox;
use entity::values::MailStatus;
use sea_orm::{ConnectionTrait, EntityTrait, Set};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

/// One mail to one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    /// Why it is sent, unique per cause (`registration:<id>:confirm`): queued again for
    /// the same reason, it is not sent twice.
    pub reason: String,
    pub to: String,
    pub locale: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub attachments: Vec<Attachment>,
    /// The event it is about, for organisers to see a mail that failed.
    pub event: Option<ItemId>,
    pub registration: Option<RegistrationId>,
}

/// A file sent with a mail (a calendar entry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub file_name: String,
    pub content_type: String,
    pub content: String,
}

/// Queues `mail` in `txn`, due at once; nothing when a mail for the same reason is
/// queued already. `domain` names this server in the `Message-ID`.
pub(super) async fn queue(
    txn: &impl ConnectionTrait,
    mail: &OutgoingMail,
    domain: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let id = Uuid::now_v7();
    let row = mail_outbox::ActiveModel {
        id: Set(id),
        reason: Set(mail.reason.clone()),
        message_id: Set(format!("<{id}@{domain}>")),
        to_address: Set(mail.to.clone()),
        locale: Set(mail.locale.clone()),
        subject: Set(mail.subject.chars().take(500).collect()),
        text_body: Set(mail.text.clone()),
        html_body: Set(mail.html.clone()),
        attachments: Set(serde_json::to_value(&mail.attachments).map_err(AppError::internal)?),
        event_id: Set(mail.event),
        registration_id: Set(mail.registration),
        status: Set(MailStatus::Pending),
        attempts: Set(0),
        next_attempt_at: Set(now),
        claimed_by: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        finished_at: Set(None),
    };
    mail_outbox::Entity::insert(row)
        .on_conflict_do_nothing_on([mail_outbox::Column::Reason])
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

/// The host part of `Message-ID`s: the public URL's host, or a name that cannot be
/// anyone's (RFC 2606) when none is configured.
pub fn message_domain(public_url: &str) -> String {
    url::Url::parse(public_url)
        .ok()
        .and_then(|url| url.host_str().map(str::to_owned))
        .unwrap_or_else(|| "buysocial.invalid".to_owned())
}

#[cfg(test)]
mod tests {
    use super::message_domain;

    #[test]
    fn message_ids_name_the_public_host() {
        assert_eq!(
            message_domain("https://cms.webuysocial.eu/"),
            "cms.webuysocial.eu"
        );
        assert_eq!(message_domain(""), "buysocial.invalid");
    }
}
