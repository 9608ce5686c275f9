//! The mail outbox: mails queued by writes (through the unit of work, in the change's
//! transaction) are sent here by whichever instance claims them, retried with backoff
//! while the server is away, and forgotten after `mail.keep_days`.

mod sender;

pub use sender::{backlog, prune, run_once};

/// The name (without `.eml`) of the file a mail is written to when there is no mail
/// server: when it was queued, then its outbox id.
pub fn file_stem(id: uuid::Uuid, created_at: chrono::DateTime<chrono::Utc>) -> String {
    format!("{}-{id}", created_at.format("%Y%m%dT%H%M%S"))
}
