//! Parsed value types: valid by construction, no I/O.

mod email;
mod password;
mod role;

pub use email::Email;
pub use password::{NewPassword, PasswordRules};
pub use role::Role;
