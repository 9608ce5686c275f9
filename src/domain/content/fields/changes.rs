//! Changes to neutral fields as a client sends them, merged into a kind's typed fields.
//!
//! A field given a value is set, a field given `null` is cleared, a field left out
//! stays as it is. The merge goes through the kind's own serde shape, so a new field
//! needs no change here; which names a kind has is read from that shape too
//! ([`field_names`]), never from a list written by hand.

use serde::de::Visitor;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use super::{ItemFields, OfKind};
use crate::error::FieldErrors;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldChanges(Map<String, Value>);

impl FieldChanges {
    pub fn from_json(changes: Map<String, Value>) -> Self {
        Self(changes)
    }

    /// Sets every field that `fields` has (for items created in code, as the demo's).
    pub fn setting(fields: impl Into<ItemFields>) -> Self {
        match serde_json::to_value(fields.into()) {
            Ok(Value::Object(set)) => Self(set),
            _ => Self::default(),
        }
    }

    /// `current` with these changes applied. A name the kind does not have is refused
    /// (`null` for another kind's field is accepted: it clears what this kind cannot
    /// hold anyway; a name no kind has is refused even then); a value
    /// of the wrong type is refused and that field kept as it was. Every refusal is
    /// recorded, not only the first.
    pub(super) fn apply<T: OfKind>(&self, current: &T, errors: &mut FieldErrors) -> T {
        let names = field_names::<T>();
        let mut merged = match serde_json::to_value(current) {
            Ok(Value::Object(current)) => current,
            _ => Map::new(),
        };
        for (name, value) in &self.0 {
            if names.contains(&name.as_str()) {
                merged.insert(name.clone(), value.clone());
            } else if !value.is_null() || !super::is_a_field_of_some_kind(name) {
                errors.push(
                    &format!("fields.{name}"),
                    format!("is not a field of {} items", T::KIND),
                );
            }
        }
        // Each pass names the first mistyped field and drops that change, until the
        // rest reads; at most one pass per field.
        for _ in 0..=names.len() {
            match serde_path_to_error::deserialize::<_, T>(Value::Object(merged.clone())) {
                Ok(fields) => return fields,
                Err(error) => {
                    let path = error.path().to_string();
                    let top = path.split(['.', '[']).next().unwrap_or_default().to_owned();
                    errors.push(&format!("fields.{path}"), error.into_inner().to_string());
                    match (serde_json::to_value(current), merged.contains_key(&top)) {
                        (Ok(Value::Object(before)), true) => match before.get(&top) {
                            Some(kept) => merged.insert(top, kept.clone()),
                            None => merged.remove(&top),
                        },
                        _ => return current.clone(),
                    };
                }
            }
        }
        current.clone()
    }
}

/// The field names of a struct that derives `Deserialize`, as its derive declares
/// them (serde passes them to `deserialize_struct`).
pub(super) fn field_names<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    let mut names: &'static [&'static str] = &[];
    let _ = T::deserialize(NamesOf(&mut names));
    names
}

/// A deserializer that reads nothing, only the names a struct asks for.
struct NamesOf<'a>(&'a mut &'static [&'static str]);

impl<'de> Deserializer<'de> for NamesOf<'_> {
    type Error = serde::de::value::Error;

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        *self.0 = fields;
        Err(serde::de::Error::custom("only the names were read"))
    }

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Self::Error> {
        Err(serde::de::Error::custom("not a struct"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
        byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
        identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::super::{EventFields, NewsFields, fields_refused};
    use super::*;
    use serde_json::json;

    fn changes(json: Value) -> FieldChanges {
        match json {
            Value::Object(map) => FieldChanges::from_json(map),
            _ => unreachable!(),
        }
    }

    fn event() -> EventFields {
        serde_json::from_value(json!({
            "city": "Vilnius", "venue": "Hall A", "capacity": 40,
            "starts_at": "2024-05-23T09:00:00+03:00", "ends_at": "2024-05-23T16:00:00+03:00",
            "time_zone": "Europe/Vilnius"
        }))
        .unwrap()
    }

    #[test]
    fn the_names_come_from_the_type() {
        assert_eq!(field_names::<NewsFields>(), ["date", "cover_asset_id"]);
        assert!(field_names::<EventFields>().contains(&"capacity"));
    }

    #[test]
    fn changes_set_what_they_give_clear_what_is_null_and_keep_the_rest() {
        let mut errors = FieldErrors::new();
        let changed =
            changes(json!({ "capacity": null, "venue": "Hall B" })).apply(&event(), &mut errors);
        assert!(errors.finish().is_ok());
        assert_eq!(changed.capacity, None);
        assert_eq!(changed.venue.as_deref(), Some("Hall B"));
        assert_eq!(changed.city.as_deref(), Some("Vilnius"));
    }

    #[test]
    fn every_refused_change_is_named_and_the_others_still_apply() {
        let mut changed = None;
        let refused = fields_refused(|errors| {
            changed = Some(
                changes(json!({
                    "colour": null, "material_kind": "guide", "date": null,
                    "capacity": "many", "venue": 7, "city": "Kaunas"
                }))
                .apply(&event(), errors),
            );
        });
        assert_eq!(
            refused,
            [
                "fields.colour",
                "fields.material_kind",
                "fields.capacity",
                "fields.venue"
            ]
        );
        let changed = changed.unwrap();
        assert_eq!(changed.city.as_deref(), Some("Kaunas"));
        assert_eq!(changed.capacity, Some(40));
        assert_eq!(changed.venue.as_deref(), Some("Hall A"));
    }

    #[test]
    fn a_mistyped_element_is_named_by_its_path() {
        let refused = fields_refused(|errors| {
            changes(json!({ "workshop_languages": ["lt", 3] })).apply(&event(), errors);
        });
        assert_eq!(refused, ["fields.workshop_languages[1]"]);
    }
}
