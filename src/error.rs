//! The one error type of the domain. Services return it; `http::problem` renders it
//! as `application/problem+json`, the only place an internal cause is logged.

use std::time::Duration;

/// One field at fault in a request, by its JSON name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request is well-formed but its values are not acceptable (422).
    #[error("the request has invalid fields")]
    Validation(Vec<FieldError>),
    /// Query or path parameters are invalid (400), e.g. a page size over the limit.
    #[error("the request has invalid parameters")]
    InvalidParameters(Vec<FieldError>),
    /// Missing or bad credentials (401). The message is safe to show.
    #[error("{0}")]
    Unauthorized(String),
    /// Authenticated but not allowed (403).
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// A refusal clients must tell apart (409, or 410 for a past event), with its own
    /// problem type.
    #[error("{detail}")]
    Refused { reason: Refusal, detail: String },
    /// A write to an existing resource came without `If-Match` (428).
    #[error("{0}")]
    PreconditionRequired(String),
    /// `If-Match` names a version that is no longer current (412).
    #[error("{detail}")]
    PreconditionFailed {
        detail: String,
        current_etag: Option<String>,
    },
    /// The body (e.g. an upload) is larger than allowed (413).
    #[error("{0}")]
    PayloadTooLarge(String),
    /// The body's type (decided from its content) is not accepted (415).
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// A requested byte range lies outside the file (416); `size` is the file's length.
    #[error("the requested range is outside the file of {size} bytes")]
    RangeNotSatisfiable { size: u64 },
    /// Too many attempts; the client may retry after the given time (429).
    #[error("too many attempts; try again later")]
    TooManyRequests { retry_after: Duration },
    /// A dependency is down or saturated (503); retrying later may work.
    #[error("{0}")]
    Unavailable(String),
    /// A bug or an unexpected failure (500). The cause is logged, never shown.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// The refusals a frontend or the web app must tell apart without reading the prose:
/// each has its own problem `type`, `urn:buysocial:problem:<slug>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The event has as many registrations as places.
    EventFull,
    /// The event is called off.
    EventCancelled,
    /// The event is over (410).
    EventPast,
    /// The event takes no registrations here now: closed, elsewhere, or outside its window.
    RegistrationClosed,
    /// A mailed link that has expired, or whose sign-up was cancelled or replaced (410).
    LinkExpired,
    /// Another item of the kind is live in the locale with the slug.
    SlugTaken,
    /// Content uses the asset.
    AssetInUse,
    /// Something with this name (email, site code) exists already.
    AlreadyExists,
    /// The last active admin cannot lose that role.
    LastAdmin,
    /// A new draft of a translation whose publication is scheduled must say what
    /// happens to the schedule.
    SchedulePending,
}

impl Refusal {
    /// The last part of its problem type.
    pub fn slug(self) -> &'static str {
        match self {
            Refusal::EventFull => "event-full",
            Refusal::EventCancelled => "event-cancelled",
            Refusal::EventPast => "event-past",
            Refusal::RegistrationClosed => "registration-closed",
            Refusal::LinkExpired => "link-expired",
            Refusal::SlugTaken => "slug-taken",
            Refusal::AssetInUse => "asset-in-use",
            Refusal::AlreadyExists => "already-exists",
            Refusal::LastAdmin => "last-admin",
            Refusal::SchedulePending => "schedule-pending",
        }
    }

    /// Over for good (410) rather than in conflict with the current state (409).
    pub fn is_gone(self) -> bool {
        matches!(self, Refusal::EventPast | Refusal::LinkExpired)
    }
}

impl AppError {
    /// A refusal with its own problem type.
    pub fn refused(reason: Refusal, detail: impl Into<String>) -> Self {
        Self::Refused {
            reason,
            detail: detail.into(),
        }
    }

    pub fn internal(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Internal(cause.into())
    }

    /// A single invalid query or path parameter.
    pub fn invalid_parameter(name: impl Into<String>, message: impl Into<String>) -> Self {
        Self::InvalidParameters(vec![FieldError::new(name, message)])
    }

    /// A single invalid field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        if crate::db::is_unavailable(&err) {
            tracing::warn!(error = %err, "database unavailable");
            Self::Unavailable("the database is unavailable or busy; try again shortly".into())
        } else {
            Self::internal(err)
        }
    }
}

impl From<sea_orm::TransactionError<AppError>> for AppError {
    fn from(err: sea_orm::TransactionError<AppError>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(app) => app,
        }
    }
}

/// Collects field errors while parsing a request, so that all of them are reported at once.
#[derive(Debug, Default)]
pub struct FieldErrors(Vec<FieldError>);

#[cfg(test)]
impl FieldErrors {
    /// Runs `check` and returns the fields it recorded, in order (for tests of rules).
    pub(crate) fn refused_by(check: impl FnOnce(&mut FieldErrors)) -> Vec<String> {
        let mut errors = FieldErrors::new();
        check(&mut errors);
        errors.0.into_iter().map(|e| e.field).collect()
    }
}

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps the parsed value, or records why `field` is invalid.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, String>) -> Option<T> {
        parsed
            .map_err(|message| self.0.push(FieldError::new(field, message)))
            .ok()
    }

    pub fn push(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    /// `Ok(())` when nothing was recorded, else a validation error naming every field.
    pub fn finish(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self.0))
        }
    }
}
