//! The API's version policy, enforced: the OpenAPI document is compared with the one of
//! the last release (`contract/openapi-<version>.json`), and every change that can break
//! a client generated from it (a removed operation, schema, field, parameter or enum
//! value; a request field or parameter made required) must be named in the current
//! version's section of `CHANGELOG.md`, and the version raised.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::cli::buysocial;

/// A change that breaks clients, with the names a changelog may give it by.
#[derive(Debug)]
struct Breaking {
    what: String,
    names: Vec<String>,
}

impl Breaking {
    fn new(what: String, names: &[&str]) -> Self {
        Self {
            what,
            names: names.iter().map(|n| (*n).to_owned()).collect(),
        }
    }
}

fn version_of(spec: &Value) -> (u64, u64, u64) {
    let parts: Vec<u64> = spec["info"]["version"]
        .as_str()
        .unwrap()
        .split('.')
        .map(|p| p.parse().unwrap())
        .collect();
    (parts[0], parts[1], parts[2])
}

/// Raises what the policy calls the major version: the minor one while it is 0.x.
fn is_breaking_release(from: (u64, u64, u64), to: (u64, u64, u64)) -> bool {
    if from.0 == 0 && to.0 == 0 {
        to.1 > from.1
    } else {
        to.0 > from.0
    }
}

/// The schemas a request body can reach: where a newly required field breaks clients.
fn request_schemas(spec: &Value) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut pending: Vec<String> = Vec::new();
    let refs = |value: &Value, into: &mut Vec<String>| {
        let text = value.to_string();
        for part in text.split("#/components/schemas/").skip(1) {
            into.push(part.split('"').next().unwrap().to_owned());
        }
    };
    for methods in spec["paths"].as_object().unwrap().values() {
        for operation in methods.as_object().unwrap().values() {
            refs(&operation["requestBody"], &mut pending);
        }
    }
    while let Some(name) = pending.pop() {
        if found.insert(name.clone()) {
            refs(&spec["components"]["schemas"][&name], &mut pending);
        }
    }
    found
}

fn enum_values(schema: &Value) -> BTreeSet<String> {
    schema["enum"]
        .as_array()
        .map(|values| {
            values
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn strings(value: &Value) -> BTreeSet<String> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Every change from `old` to `new` that can break a client generated from `old`.
fn breaking_changes(old: &Value, new: &Value) -> Vec<Breaking> {
    let mut found = Vec::new();
    for (path, methods) in old["paths"].as_object().unwrap() {
        for (method, operation) in methods.as_object().unwrap() {
            let now = &new["paths"][path][method];
            let id = operation["operationId"].as_str().unwrap_or_default();
            if now.is_null() {
                found.push(Breaking::new(
                    format!("{method} {path} ({id}) was removed"),
                    &[path, id],
                ));
                continue;
            }
            let params = |op: &Value| -> Vec<(String, bool, BTreeSet<String>)> {
                op["parameters"]
                    .as_array()
                    .map(|ps| {
                        ps.iter()
                            .map(|p| {
                                (
                                    p["name"].as_str().unwrap().to_owned(),
                                    p["required"].as_bool().unwrap_or(false),
                                    enum_values(&p["schema"]),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let current = params(now);
            let before = params(operation);
            for (name, required, _) in &current {
                if *required && !before.iter().any(|(n, _, _)| n == name) {
                    found.push(Breaking::new(
                        format!("required parameter {name} of {id} was added"),
                        &[name],
                    ));
                }
            }
            if now["requestBody"]["required"] == Value::Bool(true)
                && operation["requestBody"]["required"] != Value::Bool(true)
            {
                found.push(Breaking::new(
                    format!("the body of {id} became required"),
                    &[id],
                ));
            }
            for (name, required, values) in before {
                match current.iter().find(|(n, _, _)| *n == name) {
                    None => found.push(Breaking::new(
                        format!("parameter {name} of {id} was removed"),
                        &[&name],
                    )),
                    Some((_, now_required, now_values)) => {
                        if *now_required && !required {
                            found.push(Breaking::new(
                                format!("parameter {name} of {id} became required"),
                                &[&name],
                            ));
                        }
                        for value in values.difference(now_values) {
                            found.push(Breaking::new(
                                format!("value {value} of parameter {name} of {id} was removed"),
                                &[value],
                            ));
                        }
                    }
                }
            }
        }
    }
    let requests = request_schemas(new);
    for (name, schema) in old["components"]["schemas"].as_object().unwrap() {
        let now = &new["components"]["schemas"][name];
        if now.is_null() {
            found.push(Breaking::new(format!("schema {name} was removed"), &[name]));
            continue;
        }
        for value in enum_values(schema).difference(&enum_values(now)) {
            found.push(Breaking::new(
                format!("value {value} of {name} was removed"),
                &[value],
            ));
        }
        if let Some(properties) = schema["properties"].as_object() {
            for (field, old_field) in properties {
                let now_field = &now["properties"][field];
                if now_field.is_null() {
                    found.push(Breaking::new(
                        format!("field {name}.{field} was removed"),
                        &[field, &format!("{name}.{field}")],
                    ));
                    continue;
                }
                let inline = |v: &Value| {
                    let mut values = enum_values(v);
                    values.extend(enum_values(&v["items"]));
                    values
                };
                for value in inline(old_field).difference(&inline(now_field)) {
                    found.push(Breaking::new(
                        format!("value {value} of {name}.{field} was removed"),
                        &[value],
                    ));
                }
            }
        }
        if requests.contains(name) {
            for field in strings(&now["required"]).difference(&strings(&schema["required"])) {
                found.push(Breaking::new(
                    format!("request field {name}.{field} became required"),
                    &[field, &format!("{name}.{field}")],
                ));
            }
        }
    }
    found
}

/// The text of the changelog's section for `version` (`## 0.3.0 ...` to the next `## `).
fn changelog_section(changelog: &str, version: &str) -> Option<String> {
    let start = changelog.find(&format!("\n## {version}"))?;
    let rest = &changelog[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 3);
    Some(rest[..end].to_owned())
}

/// The released contracts, newest last.
fn released(dir: &Path) -> Vec<((u64, u64, u64), Value)> {
    let mut found: Vec<((u64, u64, u64), Value)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .map(|path| {
            let spec: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            (version_of(&spec), spec)
        })
        .collect();
    found.sort_by_key(|(version, _)| *version);
    found
}

/// A breaking change is allowed only in a release that says so: the version raised as
/// the policy asks, and each change named (in backticks) in its changelog section.
#[test]
fn breaking_changes_to_the_contract_are_released_and_named_in_the_changelog() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let output = buysocial(dir.path()).arg("openapi").output().unwrap();
    assert!(output.status.success());
    let current: Value = serde_json::from_slice(&output.stdout).unwrap();
    let version = version_of(&current);
    let label = current["info"]["version"].as_str().unwrap().to_owned();

    let contracts = released(&root.join("contract"));
    let (previous, old) = contracts
        .iter()
        .rev()
        .find(|(v, _)| *v < version)
        .expect("contract/ holds the document of the release before this version");
    let changelog = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    let section = changelog_section(&changelog, &label)
        .unwrap_or_else(|| panic!("CHANGELOG.md has no section for {label}"));

    let breaking = breaking_changes(old, &current);
    if !breaking.is_empty() {
        assert!(
            is_breaking_release(*previous, version),
            "{label} breaks clients of {previous:?} but does not raise the version as CHANGELOG.md's policy asks: {:#?}",
            breaking.iter().map(|b| &b.what).collect::<Vec<_>>()
        );
    }
    let unnamed: Vec<&str> = breaking
        .iter()
        .filter(|b| !b.names.iter().any(|n| section.contains(&format!("`{n}`"))))
        .map(|b| b.what.as_str())
        .collect();
    assert!(
        unnamed.is_empty(),
        "breaking changes since the last release that CHANGELOG.md's {label} section does not name (in backticks): {unnamed:#?}"
    );
}

/// The comparison finds what it must, so that the test above can fail.
#[test]
fn the_contract_comparison_finds_removed_fields_values_operations_and_new_requirements() {
    let old: Value = serde_json::json!({
        "paths": {
            "/a": { "get": { "operationId": "a_get", "parameters": [
                { "name": "when", "in": "query", "required": false,
                  "schema": { "type": "string", "enum": ["past", "all"] } } ] } },
            "/b": { "post": { "operationId": "b_post",
                "requestBody": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/New" } } } } } }
        },
        "components": { "schemas": {
            "Item": { "properties": { "title": {}, "event": {} } },
            "New": { "properties": { "name": {}, "kind": {} }, "required": ["name"] },
            "Gone": { "properties": {} }
        } }
    });
    let new: Value = serde_json::json!({
        "paths": {
            "/a": { "get": { "operationId": "a_get", "parameters": [
                { "name": "when", "in": "query", "required": true,
                  "schema": { "type": "string", "enum": ["past"] } },
                { "name": "site", "in": "query", "required": true, "schema": { "type": "string" } } ] } },
            "/b": { "post": { "operationId": "b_post",
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/New" } } } } } }
        },
        "components": { "schemas": {
            "Item": { "properties": { "title": {} } },
            "New": { "properties": { "name": {}, "kind": {} }, "required": ["name", "kind"] }
        } }
    });
    let found: Vec<String> = breaking_changes(&old, &new)
        .into_iter()
        .map(|b| b.what)
        .collect();
    assert_eq!(
        found,
        [
            "required parameter site of a_get was added",
            "parameter when of a_get became required",
            "value all of parameter when of a_get was removed",
            "the body of b_post became required",
            "schema Gone was removed",
            "field Item.event was removed",
            "request field New.kind became required",
        ]
    );
    assert!(breaking_changes(&new, &new).is_empty());
    assert!(is_breaking_release((0, 2, 0), (0, 3, 0)));
    assert!(!is_breaking_release((0, 2, 0), (0, 2, 1)));
    assert!(is_breaking_release((1, 4, 0), (2, 0, 0)));
}
