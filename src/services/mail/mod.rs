//! The mail outbox: mails queued by writes (through the unit of work, in the change's
//! transaction) are sent here by whichever instance claims them, retried with backoff
//! while the server is away, and forgotten after `mail.keep_days`.

mod sender;

pub use sender::{backlog, prune, run_once};
