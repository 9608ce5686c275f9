//! The OpenAPI document as served: poem-openapi's, with what it cannot say itself.
//!
//! - Header names as HTTP writes them (`ETag`, `Retry-After`), not upper-cased: client
//!   generators use them as keys.
//! - `If-None-Match` declared on every read that answers 304.

use serde_json::{Map, Value, json};

/// Finishes the document poem-openapi generated (`raw`, JSON).
pub fn finish(raw: &str) -> String {
    let Ok(mut spec) = serde_json::from_str::<Value>(raw) else {
        return raw.to_owned();
    };
    if let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) {
        for operations in paths.values_mut().filter_map(Value::as_object_mut) {
            for operation in operations.values_mut().filter_map(Value::as_object_mut) {
                canonical_response_headers(operation);
                declare_if_none_match(operation);
            }
        }
    }
    serde_json::to_string_pretty(&spec).unwrap_or_else(|_| raw.to_owned())
}

fn canonical_response_headers(operation: &mut Map<String, Value>) {
    let Some(responses) = operation
        .get_mut("responses")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for response in responses.values_mut() {
        if let Some(headers) = response.get_mut("headers").and_then(Value::as_object_mut) {
            let renamed: Map<String, Value> = std::mem::take(headers)
                .into_iter()
                .map(|(name, header)| (canonical(&name), header))
                .collect();
            *headers = renamed;
        }
    }
}

/// `ETAG` → `ETag`, `RETRY-AFTER` → `Retry-After`, `WWW-AUTHENTICATE` →
/// `WWW-Authenticate`: each word capitalised, with HTTP's own exceptions.
fn canonical(name: &str) -> String {
    match name.to_ascii_lowercase().as_str() {
        "etag" => "ETag".into(),
        "www-authenticate" => "WWW-Authenticate".into(),
        lower => lower
            .split('-')
            .map(|word| {
                let mut chars = word.chars();
                chars.next().map_or_else(String::new, |first| {
                    first.to_ascii_uppercase().to_string() + chars.as_str()
                })
            })
            .collect::<Vec<_>>()
            .join("-"),
    }
}

fn declare_if_none_match(operation: &mut Map<String, Value>) {
    let answers_304 = operation
        .get("responses")
        .and_then(Value::as_object)
        .is_some_and(|r| r.contains_key("304"));
    let declared = operation
        .get("parameters")
        .and_then(Value::as_array)
        .is_some_and(|ps| {
            ps.iter().any(|p| {
                p["in"] == "header"
                    && p["name"]
                        .as_str()
                        .is_some_and(|n| n.eq_ignore_ascii_case("if-none-match"))
            })
        });
    if !answers_304 || declared {
        return;
    }
    let parameters = operation
        .entry("parameters")
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Some(parameters) = parameters.as_array_mut() {
        parameters.push(json!({
            "name": "If-None-Match",
            "in": "header",
            "required": false,
            "description": "The ETag of the copy you hold: 304 Not Modified when it is still current.",
            "schema": { "type": "string" }
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_are_written_as_http_writes_them() {
        assert_eq!(canonical("ETAG"), "ETag");
        assert_eq!(canonical("RETRY-AFTER"), "Retry-After");
        assert_eq!(canonical("CACHE-CONTROL"), "Cache-Control");
        assert_eq!(canonical("WWW-AUTHENTICATE"), "WWW-Authenticate");
        assert_eq!(canonical("Content-Disposition"), "Content-Disposition");
    }

    #[test]
    fn reads_answering_304_declare_if_none_match() {
        let raw = json!({ "paths": { "/a": { "get": { "responses": {
            "200": { "headers": { "ETAG": {} } }, "304": {} } } } } });
        let finished: Value = serde_json::from_str(&finish(&raw.to_string())).unwrap();
        let get = &finished["paths"]["/a"]["get"];
        assert!(get["responses"]["200"]["headers"]["ETag"].is_object());
        assert_eq!(get["parameters"][0]["name"], "If-None-Match");
    }
}
