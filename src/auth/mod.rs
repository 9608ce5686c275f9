//! Authentication building blocks: password hashing, opaque tokens, login throttling.

pub mod password;
pub mod throttle;
pub mod token;
