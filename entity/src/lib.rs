//! sea-orm entities: the database tables as Rust types. No logic lives here.

pub mod activity_mark;
pub mod api_token;
pub mod asset;
pub mod audit_entry;
pub mod document;
pub mod ids;
pub mod login_throttle;
pub mod mail_outbox;
pub mod outbox_event;
pub mod published_translation;
pub mod registration;
pub mod registration_token;
pub mod review_request;
pub mod revision;
pub mod schedule;
pub mod session;
pub mod site;
pub mod slug_redirect;
pub mod translation;
pub mod user;
pub mod values;
pub mod webhook;
pub mod webhook_attempt;
pub mod webhook_delivery;
