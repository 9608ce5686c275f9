//! Every error leaves the server as `application/problem+json` (RFC 9457): errors
//! of our services, poem-openapi's parse failures, 404, 405 and 413 alike.

use poem::http::StatusCode;
use poem::{IntoResponse, Response};
use poem_openapi::payload::Json;
use std::marker::PhantomData;

use poem_openapi::registry::{MetaResponses, Registry};
use poem_openapi::{ApiResponse, Object, OperationId};

use crate::error::{AppError, FieldError};

pub const CONTENT_TYPE: &str = "application/problem+json";

/// A problem detail (RFC 9457).
#[derive(Debug, Clone, Object)]
pub struct Problem {
    /// A URI identifying the kind of problem, `urn:buysocial:problem:<slug>`, to tell
    /// refusals apart without reading `detail`: `invalid-fields` (422, see `errors`),
    /// `invalid-parameters` (400, see `errors`), `invalid-request` (400: a body that is not
    /// JSON, a malformed path), `unauthorized` (401), `forbidden` (403: a missing permission
    /// or scope, a site-bound token), `not-found` (404), `method-not-allowed` (405),
    /// `conflict` (409, other), `event-full`, `event-cancelled`, `registration-closed`,
    /// `slug-taken`, `asset-in-use`, `already-exists`, `last-admin` (409), `event-past`,
    /// `link-expired` (410: a mailed link past its time), `stale-version` (412),
    /// `too-large` (413), `unsupported-type` (415), `range-not-satisfiable` (416),
    /// `if-match-required` (428), `throttled` (429), `internal` (500), `unavailable` (503).
    #[oai(rename = "type")]
    pub problem_type: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong in this occurrence, for people.
    pub detail: String,
    /// The request fields at fault, when the request was refused for its content
    /// (`invalid-fields`, `invalid-parameters`); absent otherwise.
    #[oai(skip_serializing_if_is_empty, default)]
    pub errors: Vec<ProblemField>,
}

/// One request field at fault.
#[derive(Debug, Clone, Object)]
pub struct ProblemField {
    /// The field's path in the request, e.g. `email` or `scope.countries[1]`.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl Problem {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            problem_type: "about:blank".into(),
            title: status.canonical_reason().unwrap_or("Error").into(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    pub fn typed(mut self, slug: &str) -> Self {
        self.problem_type = format!("urn:buysocial:problem:{slug}");
        self
    }

    /// 422: fields of the body are invalid.
    pub fn invalid_fields(errors: Vec<FieldError>) -> Self {
        Self::listing(StatusCode::UNPROCESSABLE_ENTITY, "invalid-fields", errors)
    }

    /// 400: query or path parameters are invalid.
    pub fn invalid_parameters(errors: Vec<FieldError>) -> Self {
        Self::listing(StatusCode::BAD_REQUEST, "invalid-parameters", errors)
    }

    fn listing(status: StatusCode, slug: &str, errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => format!("{}: {}", one.field, one.message),
            many => format!("{} fields are invalid", many.len()),
        };
        let mut problem = Self::new(status, detail).typed(slug);
        problem.errors = errors
            .into_iter()
            .map(|e| ProblemField {
                field: e.field,
                message: e.message,
            })
            .collect();
        problem
    }
}

/// Every error response the API can give. Operations return [`ApiError`], which
/// documents only the statuses of its [`ErrorSet`].
#[derive(Debug, ApiResponse)]
pub enum ProblemResponse {
    /// The request is malformed (not JSON, a bad parameter).
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// Credentials are missing or wrong.
    #[oai(status = 401, content_type = "application/problem+json")]
    Unauthorized(Json<Problem>, #[oai(header = "WWW-Authenticate")] String),
    /// The caller may not do this.
    #[oai(status = 403, content_type = "application/problem+json")]
    Forbidden(Json<Problem>),
    /// No such resource.
    #[oai(status = 404, content_type = "application/problem+json")]
    NotFound(Json<Problem>),
    /// The request conflicts with the current state (e.g. a duplicate).
    #[oai(status = 409, content_type = "application/problem+json")]
    Conflict(Json<Problem>),
    /// The resource changed since it was read (`If-Match` is stale); `ETag` is the current version.
    #[oai(status = 412, content_type = "application/problem+json")]
    PreconditionFailed(Json<Problem>, #[oai(header = "ETag")] Option<String>),
    /// Changing this resource needs `If-Match` with its ETag.
    #[oai(status = 428, content_type = "application/problem+json")]
    PreconditionRequired(Json<Problem>),
    /// Over for good (e.g. a past event).
    #[oai(status = 410, content_type = "application/problem+json")]
    Gone(Json<Problem>),
    /// The body is larger than allowed.
    #[oai(status = 413, content_type = "application/problem+json")]
    PayloadTooLarge(Json<Problem>),
    /// The body's type is not accepted (for files: decided from the content).
    #[oai(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Json<Problem>),
    /// The requested range lies outside the file; `Content-Range` gives its size.
    #[oai(status = 416, content_type = "application/problem+json")]
    RangeNotSatisfiable(Json<Problem>, #[oai(header = "Content-Range")] String),
    /// Fields of the request are invalid; `errors` names each of them.
    #[oai(status = 422, content_type = "application/problem+json")]
    Unprocessable(Json<Problem>),
    /// Too many attempts; retry after the given number of seconds.
    #[oai(status = 429, content_type = "application/problem+json")]
    TooManyRequests(Json<Problem>, #[oai(header = "Retry-After")] u64),
    /// An unexpected failure; the server logged it.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
    /// A dependency (the database, the file store) is unavailable or the server is
    /// saturated; retry after the given number of seconds.
    #[oai(status = 503, content_type = "application/problem+json")]
    Unavailable(Json<Problem>, #[oai(header = "Retry-After")] u64),
}

/// What a 503 tells clients to wait: long enough for a connection pool, a lock or a
/// restarting database to come back, short enough not to matter to an editor.
pub const RETRY_UNAVAILABLE_AFTER_SECONDS: u64 = 5;

impl From<AppError> for ProblemResponse {
    fn from(err: AppError) -> Self {
        match err {
            AppError::Validation(errors) => {
                Self::Unprocessable(Json(Problem::invalid_fields(errors)))
            }
            AppError::InvalidParameters(errors) => {
                Self::BadRequest(Json(Problem::invalid_parameters(errors)))
            }
            AppError::Unauthorized(detail) => Self::Unauthorized(
                Json(Problem::new(StatusCode::UNAUTHORIZED, detail).typed("unauthorized")),
                "Bearer".into(),
            ),
            AppError::PreconditionFailed {
                detail,
                current_etag,
            } => Self::PreconditionFailed(
                Json(Problem::new(StatusCode::PRECONDITION_FAILED, detail).typed("stale-version")),
                current_etag,
            ),
            AppError::PreconditionRequired(detail) => Self::PreconditionRequired(Json(
                Problem::new(StatusCode::PRECONDITION_REQUIRED, detail).typed("if-match-required"),
            )),
            AppError::PayloadTooLarge(detail) => Self::PayloadTooLarge(Json(
                Problem::new(StatusCode::PAYLOAD_TOO_LARGE, detail).typed("too-large"),
            )),
            AppError::UnsupportedMediaType(detail) => Self::UnsupportedMediaType(Json(
                Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, detail).typed("unsupported-type"),
            )),
            AppError::RangeNotSatisfiable { size } => Self::RangeNotSatisfiable(
                Json(
                    Problem::new(
                        StatusCode::RANGE_NOT_SATISFIABLE,
                        format!("the requested range is outside the file of {size} bytes"),
                    )
                    .typed("range-not-satisfiable"),
                ),
                format!("bytes */{size}"),
            ),
            AppError::Forbidden(detail) => Self::Forbidden(Json(
                Problem::new(StatusCode::FORBIDDEN, detail).typed("forbidden"),
            )),
            AppError::NotFound(detail) => Self::NotFound(Json(
                Problem::new(StatusCode::NOT_FOUND, detail).typed("not-found"),
            )),
            AppError::Conflict(detail) => Self::Conflict(Json(
                Problem::new(StatusCode::CONFLICT, detail).typed("conflict"),
            )),
            AppError::Refused { reason, detail } if reason.is_gone() => Self::Gone(Json(
                Problem::new(StatusCode::GONE, detail).typed(reason.slug()),
            )),
            AppError::Refused { reason, detail } => Self::Conflict(Json(
                Problem::new(StatusCode::CONFLICT, detail).typed(reason.slug()),
            )),
            AppError::TooManyRequests { retry_after } => {
                let seconds = retry_after.as_secs();
                Self::TooManyRequests(
                    Json(
                        Problem::new(
                            StatusCode::TOO_MANY_REQUESTS,
                            format!("too many attempts; try again in {seconds} s"),
                        )
                        .typed("throttled"),
                    ),
                    seconds,
                )
            }
            AppError::Unavailable(detail) => Self::Unavailable(
                Json(Problem::new(StatusCode::SERVICE_UNAVAILABLE, detail).typed("unavailable")),
                RETRY_UNAVAILABLE_AFTER_SECONDS,
            ),
            AppError::Internal(cause) => {
                // The one place where an internal cause is logged; the client gets no detail.
                tracing::error!(error = %cause, cause = ?cause, "internal error");
                Self::Internal(Json(
                    Problem::new(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "an unexpected error occurred; it has been logged",
                    )
                    .typed("internal"),
                ))
            }
        }
    }
}

impl From<AppError> for poem::Error {
    fn from(err: AppError) -> Self {
        poem::Error::from_response(ProblemResponse::from(err).into_response())
    }
}

/// The statuses an operation documents in the OpenAPI spec (500 and 503 always are:
/// any operation that touches the database can find it unavailable).
pub trait ErrorSet: Send + Sync {
    const STATUSES: &'static [u16];
}

/// Declares an [`ErrorSet`]: `error_set!(LoginErrors: 401, 422, 429, 503);`.
macro_rules! error_set {
    ($(#[$meta:meta])* $name:ident: $($status:literal),* $(,)?) => {
        $(#[$meta])*
        pub struct $name;
        impl $crate::http::problem::ErrorSet for $name {
            const STATUSES: &'static [u16] = &[$($status),*];
        }
    };
}
pub(crate) use error_set;

/// The error of an operation: any problem at run time, but only the statuses of `S`
/// in the spec, so that each operation documents the failures it can really have.
#[derive(Debug)]
pub struct ApiError<S>(ProblemResponse, PhantomData<S>);

impl<S> From<AppError> for ApiError<S> {
    fn from(err: AppError) -> Self {
        Self(err.into(), PhantomData)
    }
}

impl<S: ErrorSet> IntoResponse for ApiError<S> {
    fn into_response(self) -> Response {
        self.0.into_response()
    }
}

impl<S> From<ApiError<S>> for poem::Error {
    fn from(err: ApiError<S>) -> Self {
        poem::Error::from_response(err.0.into_response())
    }
}

impl<S: ErrorSet> ApiResponse for ApiError<S> {
    fn meta() -> MetaResponses {
        let mut meta = ProblemResponse::meta();
        meta.responses.retain(|r| {
            r.status.is_some_and(|status| {
                status == 500 || status == 503 || S::STATUSES.contains(&status)
            })
        });
        meta
    }

    fn register(registry: &mut Registry) {
        ProblemResponse::register(registry);
    }
}

/// Renders any error that reached the edge as problem+json.
pub async fn render(err: poem::Error) -> Response {
    if err.is_from_response() {
        // Already one of our problem responses.
        return err.into_response();
    }
    let operation = err.data::<OperationId>().copied();
    if let Some(parse) = err.downcast_ref::<poem_openapi::error::ParseParamError>() {
        // A parameter the spec types (an enum, a number, a UUID): named like ours.
        let problem =
            Problem::invalid_parameters(vec![FieldError::new(parse.name, parse.reason.clone())]);
        let mut response = problem_response(problem);
        if let Some(operation) = operation {
            response.set_data(operation);
        }
        return response;
    }
    let status = err.status();
    let detail = describe(&err, status);
    if status.is_server_error() {
        tracing::error!(error = %err, "request failed");
    }
    let slug = match status {
        StatusCode::BAD_REQUEST => "invalid-request",
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not-found",
        StatusCode::METHOD_NOT_ALLOWED => "method-not-allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "too-large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported-type",
        status if status.is_server_error() => "internal",
        _ => "invalid-request",
    };
    let mut response = problem_response(Problem::new(status, detail).typed(slug));
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            poem::http::header::WWW_AUTHENTICATE,
            poem::http::HeaderValue::from_static("Bearer"),
        );
    }
    if let Some(operation) = operation {
        response.set_data(operation);
    }
    response
}

pub fn problem_response(problem: Problem) -> Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body =
        serde_json::to_string(&poem_openapi::types::ToJSON::to_json(&problem)).unwrap_or_default();
    Response::builder()
        .status(status)
        .content_type(CONTENT_TYPE)
        .body(body)
}

/// A message for a framework error: specific where we know the error, never internal details.
fn describe(err: &poem::Error, status: StatusCode) -> String {
    match status {
        StatusCode::NOT_FOUND => "no resource at this path".into(),
        StatusCode::METHOD_NOT_ALLOWED => "this method is not allowed on this path".into(),
        StatusCode::PAYLOAD_TOO_LARGE => "the request body is too large".into(),
        StatusCode::UNAUTHORIZED => {
            "a bearer token is required: Authorization: Bearer <token>".into()
        }
        status if status.is_server_error() => {
            "an unexpected error occurred; it has been logged".into()
        }
        // poem names the path's parts by its own internal names (`param1`).
        _ if err.is::<poem_openapi::error::ParsePathError>() => {
            "a part of the path is not valid (ids are UUIDs)".into()
        }
        _ => err.to_string(),
    }
}
