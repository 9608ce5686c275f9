//! A page's neutral fields: none beyond what every item has (its place in the tree is
//! the document's `parent_id` and `position`).

use serde::{Deserialize, Serialize};

use super::{ContentKind, OfKind};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageFields {}

impl OfKind for PageFields {
    const KIND: ContentKind = ContentKind::Page;
}
