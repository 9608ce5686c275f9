//! The page description shared by admin lists.

use poem_openapi::Object;

use crate::services::pagination::Paged;

/// Where a page sits in the whole list.
#[derive(Debug, Object)]
pub struct PageInfo {
    /// This page's number, from 1.
    pub page: u64,
    pub per_page: u64,
    /// Items across all pages.
    pub total: u64,
}

impl PageInfo {
    pub fn of<T>(paged: &Paged<T>) -> Self {
        Self {
            page: paged.page.number,
            per_page: paged.page.size,
            total: paged.total,
        }
    }
}
