//! The mail seam: how a queued mail becomes a message on the wire. [`Mailer`] holds
//! the texts ([`templates`]) and the way out ([`transport`]): an SMTP server, or, with
//! none configured, a folder of `.eml` files. What to send and when is the mail
//! outbox's business (`services::mail`); this module only composes and sends.

pub mod calendar;
pub mod compose;
pub mod templates;
pub mod transport;

use std::sync::Arc;

pub use compose::Composed;
pub use templates::{Rendered, Templates};
pub use transport::{SendFailure, Transport};

use crate::settings::MailSettings;

/// The texts and the way out, shared by every request and job.
#[derive(Clone)]
pub struct Mailer {
    pub templates: Arc<Templates>,
    pub transport: Arc<Transport>,
}

impl Mailer {
    /// Reads the templates and prepares the transport; an error says which setting or
    /// file is wrong.
    pub fn from_settings(settings: &MailSettings) -> Result<Self, String> {
        Ok(Self {
            templates: Arc::new(Templates::load(&settings.templates_dir)?),
            transport: Arc::new(Transport::from_settings(settings)?),
        })
    }

    /// Sends the test message to `address` at once, past the outbox (for `buysocial
    /// mail test`): the settings work when it arrives.
    pub async fn send_test(
        &self,
        settings: &MailSettings,
        public_url: &str,
        address: &str,
    ) -> Result<(), SendFailure> {
        let rendered = self.templates.mail(templates::FALLBACK, "test", &[]);
        let message_id = format!(
            "<{}@{}>",
            uuid::Uuid::now_v7(),
            crate::services::kernel::mail::message_domain(public_url)
        );
        let composed = Composed {
            message_id: &message_id,
            to: address,
            subject: &rendered.subject,
            text: &rendered.text,
            html: &rendered.html,
            attachments: Vec::new(),
        };
        let message = composed.message(settings).map_err(SendFailure::permanent)?;
        self.transport.send(&message, "test").await
    }
}
