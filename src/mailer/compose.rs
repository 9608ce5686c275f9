//! A queued mail as an Internet message (RFC 5322): the sender and reply address from
//! the settings, its own `Message-ID` (the same on every attempt), a plain-text and an
//! HTML part, and its attachments (a calendar entry is `text/calendar`).

use lettre::Message;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};

use crate::settings::MailSettings;

/// What a message is made of.
#[derive(Debug, Clone)]
pub struct Composed<'m> {
    pub message_id: &'m str,
    pub to: &'m str,
    pub subject: &'m str,
    pub text: &'m str,
    pub html: &'m str,
    /// `(file name, content type, content)`.
    pub attachments: Vec<(String, String, String)>,
}

/// The sender when none is configured (files only: nothing is sent).
const NOBODY: &str = "buysocial <no-reply@buysocial.invalid>";

impl Composed<'_> {
    /// The message; an error (a malformed address, say) is permanent for this mail.
    pub fn message(&self, settings: &MailSettings) -> Result<Message, String> {
        let from: Mailbox = if settings.from.is_empty() {
            NOBODY.parse()
        } else {
            settings.from.parse()
        }
        .map_err(|err| format!("mail.from: {err}"))?;
        let to: Mailbox = self
            .to
            .parse()
            .map_err(|err| format!("the recipient's address is not valid: {err}"))?;
        let mut builder = Message::builder()
            .from(from)
            .to(to)
            .subject(self.subject)
            .message_id(Some(self.message_id.to_owned()))
            .date_now();
        if !settings.reply_to.is_empty() {
            let reply_to: Mailbox = settings
                .reply_to
                .parse()
                .map_err(|err| format!("mail.reply_to: {err}"))?;
            builder = builder.reply_to(reply_to);
        }
        let bodies = MultiPart::alternative_plain_html(self.text.to_owned(), self.html.to_owned());
        let message = if self.attachments.is_empty() {
            builder.multipart(bodies)
        } else {
            let mut mixed = MultiPart::mixed().multipart(bodies);
            for (name, content_type, content) in &self.attachments {
                let kind = ContentType::parse(content_type)
                    .map_err(|err| format!("attachment {name}: {err}"))?;
                let part: SinglePart = Attachment::new(name.clone()).body(content.clone(), kind);
                mixed = mixed.singlepart(part);
            }
            builder.multipart(mixed)
        };
        message.map_err(|err| format!("the message cannot be built: {err}"))
    }
}
