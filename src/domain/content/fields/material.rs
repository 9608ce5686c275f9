//! A material's neutral fields (its file is per locale, in the translation).

use serde::{Deserialize, Serialize};

use super::{ContentKind, OfKind};
use crate::error::FieldErrors;

/// What kind of downloadable a material is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaterialKind {
    Presentation,
    Report,
    Guide,
    Handout,
    Video,
    Other,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaterialFields {
    /// Required; optional in the type only so that every missing field of a write is
    /// named at once (see [`MaterialFields::validate`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub material_kind: Option<MaterialKind>,
}

impl OfKind for MaterialFields {
    const KIND: ContentKind = ContentKind::Material;
}

impl MaterialFields {
    pub fn validate(&self, errors: &mut FieldErrors) {
        if self.material_kind.is_none() {
            errors.push("fields.material_kind", "is required for materials");
        }
    }
}
