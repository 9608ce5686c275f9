//! sea-orm entities: the database tables as Rust types. No logic lives here.

pub mod login_throttle;
pub mod session;
pub mod user;
