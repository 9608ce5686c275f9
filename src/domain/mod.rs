//! Parsed value types: valid by construction, no I/O.

pub mod consent;
pub mod content;
pub mod country;
mod email;
pub mod files;
pub mod locale;
mod password;
mod role;
pub mod routes;
mod scope;
mod site_code;
pub mod web_url;
pub mod zip_contents;

pub use country::{CountryCode, EU_MEMBER_STATES};
pub use email::Email;
pub use locale::Locale;
pub use password::{NewPassword, PasswordRules};
pub use role::Role;
pub use scope::Scope;
pub use site_code::SiteCode;
