//! Integration tests: real HTTP against a spawned application, on SQLite always and
//! on PostgreSQL (with S3 when `TEST_S3_ENDPOINT` is set) when `TEST_DATABASE_URL` is set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod helpers;

mod accounts;
mod activity;
mod admin_app;
mod admin_client;
mod asset_usage;
mod assets;
mod audit;
mod auth;
mod board;
mod campaign;
mod cli;
mod concurrent_writes;
mod connections;
mod content;
mod content_fields;
mod content_permissions;
mod contract;
mod database_outages;
mod delivery;
mod delivery_cache;
mod delivery_invalidation;
mod errors;
mod event_desk;
mod first_day;
mod headers;
mod limits;
mod mail;
mod markdown_limits;
mod migrations;
mod office_files;
mod organiser_notices;
mod permissions;
mod personal_data;
mod preview_links;
mod problem_types;
mod registrations;
mod reminders;
mod reviews;
mod search;
mod security;
mod service;
mod sign_ups;
mod site_routes;
mod sites;
mod sso;
mod storage;
mod tokens;
mod translation_sources;
mod two_factor;
mod users;
mod waitlist;
mod webhooks;
