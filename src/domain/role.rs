//! The roles a user can have; what each may do is decided in `policy`. The enum is the
//! one the tables store (`entity::values`).

pub use entity::values::Role;
