//! The delivery side: what national frontends read. Published content comes only from
//! the read model (`published_translations`); drafts only with a preview token.

mod audience;
mod read;

pub use audience::{Audience, Request, resolve};
pub use read::{DeliveredItem, EventState, ListFilter, Lookup, get, list};
