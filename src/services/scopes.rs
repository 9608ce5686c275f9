//! Scopes in requests and in the database (two JSON arrays of codes).

use serde::Deserialize;
use serde_json::Value;

use crate::domain::{CountryCode, Locale, Scope};
use crate::error::{AppError, FieldErrors};

/// Parses the countries and locales of a request, recording errors under `field`.
pub fn parse(
    countries: &[String],
    locales: &[String],
    configured_locales: &[String],
    field: &str,
    errors: &mut FieldErrors,
) -> Scope {
    let mut scope = Scope::default();
    for (i, raw) in countries.iter().enumerate() {
        if let Some(code) =
            errors.check(&format!("{field}.countries[{i}]"), CountryCode::parse(raw))
        {
            scope.countries.insert(code);
        }
    }
    for (i, raw) in locales.iter().enumerate() {
        if let Some(locale) = errors.check(
            &format!("{field}.locales[{i}]"),
            Locale::parse(raw, configured_locales),
        ) {
            scope.locales.insert(locale);
        }
    }
    scope
}

/// The two JSON arrays a scope is stored as.
pub fn to_json(scope: &Scope) -> (Value, Value) {
    let countries = scope
        .countries
        .iter()
        .map(|c| Value::from(c.as_str()))
        .collect();
    let locales = scope
        .locales
        .iter()
        .map(|l| Value::from(l.as_str()))
        .collect();
    (Value::Array(countries), Value::Array(locales))
}

pub fn from_json(countries: Value, locales: Value) -> Result<Scope, AppError> {
    let locales: Vec<String> = serde_json::from_value(locales).map_err(AppError::internal)?;
    Ok(Scope {
        countries: countries_from_json(&countries)?.into_iter().collect(),
        locales: locales.into_iter().map(Locale::from_stored).collect(),
    })
}

/// A stored JSON array of country codes (of a document, a site, a snapshot). Anything
/// else is a broken row: an internal error, never an empty (EU-wide) list.
pub fn countries_from_json(value: &Value) -> Result<Vec<CountryCode>, AppError> {
    let codes = Vec::<String>::deserialize(value).map_err(AppError::internal)?;
    Ok(codes.into_iter().map(CountryCode::from_stored).collect())
}
