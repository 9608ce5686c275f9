//! Domain logic: transactions, validation and the order of side effects.
//! Services never import poem; handlers call exactly one of their functions.

pub mod auth;
pub mod health;
pub mod users;
