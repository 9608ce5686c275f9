//! Content values: kinds, slugs, Markdown, and the fields of each kind. No I/O.

mod event_state;
mod fields;
mod kind;
pub mod markdown;
mod slug;

pub use event_state::{EventState, EventStatus, event_state};
pub use fields::{
    EventFields, FieldChanges, ItemFields, MaterialFields, MaterialKind, NewsFields, PageFields,
    RegistrationMode,
};
pub use kind::ContentKind;
pub use slug::{Slug, slugify};
