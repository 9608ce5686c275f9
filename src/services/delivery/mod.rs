//! The delivery side: what national frontends read. Published content comes only from
//! the read model (`published_translations`); drafts only with a preview token.

mod audience;
mod chosen;
mod horizon;
mod items;
mod links;
pub mod published_state;
mod read;
pub mod reads;
mod rows;
mod search;
mod sitemap;
mod sql;

pub use crate::domain::content::{EventState, EventStatus};
pub use audience::{Audience, Request, resolve};
pub use horizon::next_status_change;
pub use items::{DeliveredItem, LinkedMaterial, Parts};
pub use links::site_urls;
pub use read::{ListFilter, Lookup, When, get, list};
pub use search::{SearchHit, search};
pub use sitemap::{SitemapEntry, sitemap};
