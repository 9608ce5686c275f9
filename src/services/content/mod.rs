//! Content: pages, news items, events and materials, each a document with
//! language-neutral fields and one translation per locale. Drafts and published
//! versions live in separate tables; publishing copies one into the other.

mod activity;
mod board;
mod event_desk;
mod history;
mod item_view;
mod items;
mod listing;
mod load;
mod markdown_preview;
mod preview_links;
mod publish_details;
mod publishing;
mod reviews;
mod revisions;
mod schedules;
mod slugs;
mod sources;
mod tags;
mod translations;
mod view;

pub use activity::{Activity, ActivityFeed, ActivityKind, mark_seen, since_last_visit};
pub use board::{Board, BoardFilter, BoardRow, CellState, board};
pub use event_desk::{DeskEvent, When as DeskWhen, event_desk};
pub(crate) use history::{RevisionAction, record_draft, record_fields};
pub use items::{ItemInput, abilities, create, get, purge, restore, trash, update};
pub use listing::{ItemFilter, Status, list};
pub use markdown_preview::render_preview;
pub use preview_links::{PreviewLink, create_preview_link};
pub use publish_details::publish_details;
pub use publishing::{run_due_schedules, schedule_or_publish, schedule_or_unpublish};
pub use reviews::{
    Decision, Review, ReviewStatus, decide, of_item as reviews_of_item, queue as review_queue,
    request as request_review,
};
pub use revisions::{RevisionDetail, list_revisions, read_revision, restore_revision};
pub use schedules::{ScheduleChoice, cancel as cancel_schedule, reschedule};
pub use sources::{SourceChanges, mark_up_to_date, source_changes};
pub use tags::tags_in_use;
pub use translations::{TranslationInput, drop_translation, put_translation};
pub use view::{
    Draft, Item, ItemSummary, Live, RevisionSummary, ScheduleView, TranslationState,
    etag_of_document, etag_of_translation,
};
