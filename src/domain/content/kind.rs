//! The four kinds of content. The enum is the one the tables store (`entity::values`),
//! so that a row comes back with its kind typed.

pub use entity::values::ContentKind;
