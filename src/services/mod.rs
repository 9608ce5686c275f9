//! Domain logic: transactions, validation, permissions and the order of side effects.
//! Services never import poem; handlers call exactly one of their functions.

pub mod accounts;
pub mod assets;
pub mod audit_log;
pub mod auth;
pub mod content;
pub mod delivery;
pub mod health;
pub mod kernel;
pub mod mail;
pub mod pagination;
pub mod people;
pub mod reference;
pub mod registrations;
pub mod retry;
pub mod scopes;
pub mod sessions;
pub mod sign_up_sheet;
pub mod sites;
pub mod tokens;
pub mod users;
pub mod webhooks;
