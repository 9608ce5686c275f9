//! A news item's neutral fields.

use chrono::NaiveDate;
use entity::ids::AssetId;
use serde::{Deserialize, Serialize};

use super::{ContentKind, OfKind};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewsFields {
    /// The date the news is about; lists sort by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    /// An image asset shown with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cover_asset_id: Option<AssetId>,
}

impl OfKind for NewsFields {
    const KIND: ContentKind = ContentKind::News;
}
