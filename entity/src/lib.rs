//! sea-orm entities: the database tables as Rust types. No logic lives here.

pub mod api_token;
pub mod audit_entry;
pub mod login_throttle;
pub mod session;
pub mod site;
pub mod user;
