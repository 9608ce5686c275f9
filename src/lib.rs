//! buysocial: a headless CMS for multilingual public-interest campaigns.
//!
//! Layers point one way: `http` (poem) → `services` (logic, transactions) →
//! `entity` (sea-orm). See `../shared/STYLE.md` for the layout.

pub mod app;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod db;
pub mod delivery_cache;
pub mod demo;
pub mod domain;
pub mod error;
pub mod http;
pub mod jobs;
pub mod mailer;
pub mod metrics;
pub mod oidc;
pub mod policy;
pub mod ratelimit;
pub mod render;
pub mod services;
pub mod settings;
pub mod state;
pub mod storage;
pub mod telemetry;
