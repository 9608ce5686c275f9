//! `JsonBody<T>`: a JSON request body parsed with serde, so that a refusal names the
//! field at fault (`email: invalid type: integer, expected a string`), which
//! poem-openapi's own `Json` cannot. The OpenAPI schema still comes from `T`.

use poem::{FromRequest, Request, RequestBody};
use poem_openapi::payload::{ParsePayload, Payload};
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use serde::de::DeserializeOwned;

use crate::error::{AppError, FieldError};
use crate::http::problem::{Problem, ProblemResponse};

/// A JSON request body; declare `T` with both `Object` (for the spec) and
/// `Deserialize` with `deny_unknown_fields` (for parsing).
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T: Type> Payload for JsonBody<T> {
    const CONTENT_TYPE: &'static str = "application/json";

    fn check_content_type(content_type: &str) -> bool {
        matches!(content_type.parse::<mime::Mime>(), Ok(mime)
            if mime.type_() == "application" && (mime.subtype() == "json" || mime.suffix().is_some_and(|s| s == "json")))
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

poem_openapi::impl_apirequest_for_payload!(JsonBody<T>, T: Type + DeserializeOwned);

impl<T: Type + DeserializeOwned> ParsePayload for JsonBody<T> {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let bytes = Vec::<u8>::from_request(request, body).await?;
        parse(&bytes).map(Self).map_err(poem::Error::from)
    }
}

/// An optional JSON body: an empty body is `None` (e.g. "publish now" without `{at}`).
#[derive(Debug)]
pub struct OptionalJsonBody<T>(pub Option<T>);

impl<T: Type> Payload for OptionalJsonBody<T> {
    const CONTENT_TYPE: &'static str = "application/json";

    fn check_content_type(content_type: &str) -> bool {
        JsonBody::<T>::check_content_type(content_type)
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<'a, T: Type + DeserializeOwned> poem_openapi::ApiExtractor<'a> for OptionalJsonBody<T> {
    const TYPES: &'static [poem_openapi::ApiExtractorType] =
        &[poem_openapi::ApiExtractorType::RequestObject];

    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn request_meta() -> Option<poem_openapi::registry::MetaRequest> {
        Some(poem_openapi::registry::MetaRequest {
            description: None,
            content: vec![poem_openapi::registry::MetaMediaType {
                content_type: <Self as Payload>::CONTENT_TYPE,
                schema: T::schema_ref(),
            }],
            required: false,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: poem_openapi::ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        // The type first: a body of another type is refused before it is read.
        if let Some(content_type) = request.content_type()
            && !Self::check_content_type(content_type)
        {
            return Err(poem_openapi::error::ContentTypeError::NotSupported {
                content_type: content_type.to_owned(),
            }
            .into());
        }
        let bytes = <Vec<u8> as FromRequest>::from_request(request, body).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self(None));
        }
        parse(&bytes)
            .map(|v| Self(Some(v)))
            .map_err(poem::Error::from)
    }
}

fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, BodyError> {
    if bytes.is_empty() {
        return Err(bad_request(
            "the request body is empty; a JSON object is expected",
        ));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let parsed: Result<T, _> = serde_path_to_error::deserialize(&mut deserializer);
    let value = match parsed {
        Ok(value) => value,
        Err(err) => {
            let inner = err.inner();
            if inner.is_syntax() || inner.is_eof() {
                return Err(bad_request(&format!(
                    "the request body is not valid JSON: {inner}"
                )));
            }
            let path = err.path().to_string();
            let field = if path == "." { "body".to_owned() } else { path };
            return Err(BodyError::Invalid(AppError::Validation(vec![
                FieldError::new(field, strip_position(&inner.to_string())),
            ])));
        }
    };
    deserializer
        .end()
        .map_err(|err| bad_request(&format!("the request body is not valid JSON: {err}")))?;
    Ok(value)
}

/// serde_json appends " at line 1 column 17"; the field path is more useful.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

/// Why a body was refused: not JSON at all (400), or JSON of the wrong shape (422).
#[derive(Debug)]
enum BodyError {
    Malformed(String),
    Invalid(AppError),
}

fn bad_request(detail: &str) -> BodyError {
    BodyError::Malformed(detail.to_owned())
}

impl From<BodyError> for poem::Error {
    fn from(err: BodyError) -> Self {
        match err {
            BodyError::Malformed(detail) => {
                let problem = Problem::new(poem::http::StatusCode::BAD_REQUEST, detail)
                    .typed("invalid-request");
                let response = ProblemResponse::BadRequest(poem_openapi::payload::Json(problem));
                poem::Error::from_response(poem::IntoResponse::into_response(response))
            }
            BodyError::Invalid(app) => app.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Login {
        email: String,
        password: String,
    }

    fn field_of(body: &str) -> (String, String) {
        match parse::<Login>(body.as_bytes()) {
            Err(BodyError::Invalid(AppError::Validation(errors))) => {
                (errors[0].field.clone(), errors[0].message.clone())
            }
            Err(BodyError::Malformed(detail)) => panic!("expected a field error, got {detail}"),
            other => panic!("expected a field error, got {:?}", other.is_ok()),
        }
    }

    #[test]
    fn a_wrong_type_names_the_field() {
        let (field, message) = field_of(r#"{"email": 5, "password": "x"}"#);
        assert_eq!(field, "email");
        assert!(message.contains("invalid type"), "{message}");
        assert!(!message.contains("line"), "{message}");
    }

    #[test]
    fn an_unknown_field_is_refused_by_name() {
        let (_, message) = field_of(r#"{"email": "a@b.c", "password": "x", "role": "admin"}"#);
        assert!(message.contains("unknown field `role`"), "{message}");
    }

    #[test]
    fn a_missing_field_is_named() {
        let (_, message) = field_of(r#"{"email": "a@b.c"}"#);
        assert!(message.contains("missing field `password`"), "{message}");
    }

    #[test]
    fn broken_json_is_a_bad_request() {
        assert!(matches!(
            parse::<Login>(b"{\"email\": "),
            Err(BodyError::Malformed(_))
        ));
        assert!(matches!(parse::<Login>(b""), Err(BodyError::Malformed(_))));
        assert!(matches!(
            parse::<Login>(br#"{"email": "a", "password": "b"} trailing"#),
            Err(BodyError::Malformed(_))
        ));
    }
}
