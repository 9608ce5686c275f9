//! The OpenAPI document as served: poem-openapi's, with what it cannot say itself.
//!
//! - Header names as HTTP writes them (`ETag`, `Retry-After`), not upper-cased: client
//!   generators use them as keys.
//! - `If-None-Match` declared on every read that answers 304.
//! - A 415 declared on every operation that takes a body (sent without its type).
//! - A property the server always writes is `required`, even when its value may be
//!   `null`: poem-openapi leaves every `Option` optional, so generated clients would
//!   have to test for a missing field that is never missing.

use std::collections::BTreeSet;

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
                declare_unsupported_type(operation);
            }
        }
    }
    require_always_sent(&mut spec);
    serde_json::to_string_pretty(&spec).unwrap_or_else(|_| raw.to_owned())
}

/// A body sent without `Content-Type`, or with one the operation does not take, is
/// refused with 415 before the operation runs.
fn declare_unsupported_type(operation: &mut Map<String, Value>) {
    if !operation.contains_key("requestBody") {
        return;
    }
    let Some(responses) = operation
        .get_mut("responses")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    responses.entry("415").or_insert_with(|| {
        json!({
            "description": "The body's Content-Type is not one this operation takes (or is missing where a body is required).",
            "content": { "application/problem+json": {
                "schema": { "$ref": "#/components/schemas/Problem" }
            } }
        })
    });
}

/// Marks as required the nullable properties of schemas that only answers use. Those
/// are always written (`null` when unset); the properties that are left out when unset
/// are not nullable (`fields=` parts, a problem's `errors`) and stay optional. Schemas
/// that requests use too are left as they are: there, optional means "may be left out".
fn require_always_sent(spec: &mut Value) {
    let mut in_requests = BTreeSet::new();
    let mut in_responses = BTreeSet::new();
    if let Some(paths) = spec.get("paths").and_then(Value::as_object) {
        for operation in paths
            .values()
            .filter_map(Value::as_object)
            .flat_map(|ops| ops.values())
        {
            collect_refs(&operation["requestBody"], &mut in_requests);
            collect_refs(&operation["parameters"], &mut in_requests);
            collect_refs(&operation["responses"], &mut in_responses);
        }
    }
    let Some(schemas) = spec
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let in_requests = reachable(schemas, in_requests);
    let in_responses = reachable(schemas, in_responses);
    for name in in_responses.difference(&in_requests) {
        let Some(schema) = schemas.get_mut(name).and_then(Value::as_object_mut) else {
            continue;
        };
        let always: Vec<String> = schema
            .get("properties")
            .and_then(Value::as_object)
            .map(|props| {
                props
                    .iter()
                    .filter(|(_, p)| nullable(p))
                    .map(|(name, _)| name.clone())
                    .collect()
            })
            .unwrap_or_default();
        if always.is_empty() {
            continue;
        }
        let required = schema
            .entry("required")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Some(required) = required.as_array_mut() {
            for name in always {
                if !required.iter().any(|r| r == name.as_str()) {
                    required.push(Value::String(name));
                }
            }
        }
    }
}

/// A property that may be `null`, written directly or through `allOf` (a `$ref`).
fn nullable(property: &Value) -> bool {
    property["nullable"] == true
        || property["allOf"]
            .as_array()
            .is_some_and(|all| all.iter().any(|p| p["nullable"] == true))
}

/// The schema names `node` refers to.
fn collect_refs(node: &Value, into: &mut BTreeSet<String>) {
    match node {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value.as_str()) {
                    ("$ref", Some(target)) => {
                        if let Some(name) = target.strip_prefix("#/components/schemas/") {
                            into.insert(name.to_owned());
                        }
                    }
                    _ => collect_refs(value, into),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, into)),
        _ => {}
    }
}

/// `start` and every schema they refer to, directly or not.
fn reachable(schemas: &Map<String, Value>, start: BTreeSet<String>) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo: Vec<String> = start.into_iter().collect();
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let mut found = BTreeSet::new();
        if let Some(schema) = schemas.get(&name) {
            collect_refs(schema, &mut found);
        }
        todo.extend(found.into_iter().filter(|n| !seen.contains(n)));
    }
    seen
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

    #[test]
    fn operations_with_a_body_declare_415() {
        let raw = json!({ "paths": { "/a": {
            "post": { "requestBody": {}, "responses": { "200": {} } },
            "get": { "responses": { "200": {} } } } } });
        let finished: Value = serde_json::from_str(&finish(&raw.to_string())).unwrap();
        assert!(finished["paths"]["/a"]["post"]["responses"]["415"].is_object());
        assert!(finished["paths"]["/a"]["get"]["responses"]["415"].is_null());
    }

    #[test]
    fn nullable_properties_of_answers_only_are_required() {
        let nullable_ref =
            json!({ "allOf": [{ "$ref": "#/components/schemas/Inner" }, { "nullable": true }] });
        let raw = json!({
            "paths": { "/a": { "post": {
                "requestBody": { "content": { "application/json": {
                    "schema": { "$ref": "#/components/schemas/Both" } } } },
                "responses": { "200": { "content": { "application/json": {
                    "schema": { "$ref": "#/components/schemas/Answer" } } } } } } } },
            "components": { "schemas": {
                "Answer": { "type": "object", "required": ["id"], "properties": {
                    "id": { "type": "string" },
                    "cover": nullable_ref,
                    "date": { "type": "string", "nullable": true },
                    "body_html": { "type": "string" },
                    "both": { "$ref": "#/components/schemas/Both" } } },
                "Both": { "type": "object", "properties": {
                    "note": { "type": "string", "nullable": true } } },
                "Inner": { "type": "object", "properties": {
                    "alt": { "type": "string", "nullable": true } } }
            } }
        });
        let finished: Value = serde_json::from_str(&finish(&raw.to_string())).unwrap();
        let schemas = &finished["components"]["schemas"];
        assert_eq!(
            schemas["Answer"]["required"],
            json!(["id", "cover", "date"])
        );
        // Reached from a request too: optional still means "may be left out" there.
        assert!(schemas["Both"]["required"].is_null());
        assert_eq!(schemas["Inner"]["required"], json!(["alt"]));
    }
}
