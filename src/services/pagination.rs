//! Page requests and pages of results, bounded by configuration.

use crate::error::AppError;
use crate::settings::ApiSettings;

/// A 1-based page number and a page size within the configured maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub number: u64,
    pub size: u64,
}

impl PageRequest {
    pub fn parse(
        number: Option<u64>,
        size: Option<u64>,
        limits: &ApiSettings,
    ) -> Result<Self, AppError> {
        let number = number.unwrap_or(1);
        let size = size.unwrap_or(limits.default_page_size);
        // Far beyond any real list, and keeps offsets within what databases accept.
        const MAX_PAGE: u64 = 1_000_000;
        if number == 0 || number > MAX_PAGE {
            return Err(AppError::invalid_parameter(
                "page",
                format!("must be between 1 and {MAX_PAGE}"),
            ));
        }
        if size == 0 || size > limits.max_page_size {
            return Err(AppError::invalid_parameter(
                "per_page",
                format!("must be between 1 and {}", limits.max_page_size),
            ));
        }
        Ok(Self { number, size })
    }

    /// The 0-based index sea-orm's paginator wants.
    pub fn index(&self) -> u64 {
        self.number - 1
    }
}

/// One page of items, with the total across all pages.
#[derive(Debug, Clone)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: PageRequest,
}

impl<T> Paged<T> {
    pub fn new(items: Vec<T>, total: u64, page: PageRequest) -> Self {
        Self { items, total, page }
    }

    /// The page `page` of `all`, cut in memory (for lists filtered in Rust).
    pub fn slice(all: Vec<T>, page: PageRequest) -> Self {
        let total = all.len() as u64;
        let start = usize::try_from(page.index().saturating_mul(page.size)).unwrap_or(usize::MAX);
        let items = all
            .into_iter()
            .skip(start)
            .take(usize::try_from(page.size).unwrap_or(usize::MAX))
            .collect();
        Self { items, total, page }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Paged<U> {
        Paged {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
        }
    }

    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<Paged<U>, E> {
        Ok(Paged {
            items: self.items.into_iter().map(f).collect::<Result<_, _>>()?,
            total: self.total,
            page: self.page,
        })
    }
}
