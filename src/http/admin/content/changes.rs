//! `FieldsChanges`: the `fields` of a create or update request. In the spec it is the
//! shape of [`FieldsBody`]; parsed, it keeps the difference between a field given
//! `null` (clear it) and a field left out (keep it), which a struct of `Option`s loses.

use std::borrow::Cow;

use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::{
    ParseError, ParseFromJSON, ParseFromXML, ParseFromYAML, ParseResult, ToJSON, ToXML, ToYAML,
    Type,
};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::fields::FieldsBody;
use crate::domain::content::FieldChanges;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct FieldsChanges(Map<String, Value>);

impl From<FieldsChanges> for FieldChanges {
    fn from(changes: FieldsChanges) -> Self {
        FieldChanges::from_json(changes.0)
    }
}

impl Type for FieldsChanges {
    const IS_REQUIRED: bool = true;
    type RawValueType = Map<String, Value>;
    type RawElementValueType = Map<String, Value>;

    fn name() -> Cow<'static, str> {
        FieldsBody::name()
    }

    fn schema_ref() -> MetaSchemaRef {
        FieldsBody::schema_ref()
    }

    fn register(registry: &mut Registry) {
        FieldsBody::register(registry);
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(&self.0)
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

fn parse(value: Option<Value>) -> ParseResult<FieldsChanges> {
    match value.unwrap_or_default() {
        Value::Object(map) => Ok(FieldsChanges(map)),
        other => Err(ParseError::expected_type(other)),
    }
}

impl ParseFromJSON for FieldsChanges {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        parse(value)
    }
}

impl ParseFromXML for FieldsChanges {
    fn parse_from_xml(value: Option<Value>) -> ParseResult<Self> {
        parse(value)
    }
}

impl ParseFromYAML for FieldsChanges {
    fn parse_from_yaml(value: Option<Value>) -> ParseResult<Self> {
        parse(value)
    }
}

impl ToJSON for FieldsChanges {
    fn to_json(&self) -> Option<Value> {
        Some(Value::Object(self.0.clone()))
    }
}

impl ToXML for FieldsChanges {
    fn to_xml(&self) -> Option<Value> {
        self.to_json()
    }
}

impl ToYAML for FieldsChanges {
    fn to_yaml(&self) -> Option<Value> {
        self.to_json()
    }
}
