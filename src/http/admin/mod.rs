//! `/api/v1/admin`: administration of users, tokens, sites and the audit log.

pub mod account_policy;
pub mod activity;
pub mod assets;
pub mod audit;
pub mod board;
pub mod content;
pub mod countries;
pub mod event_desk;
pub mod invitations;
pub mod markdown;
pub(crate) mod pagination;
pub mod preview_links;
pub mod registrations;
pub mod reviews;
pub mod sites;
pub mod sources;
pub mod tokens;
pub mod users;
pub mod webhooks;
