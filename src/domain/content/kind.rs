//! The four kinds of content.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContentKind {
    Page,
    News,
    Event,
    Material,
}

impl ContentKind {
    pub const ALL: [ContentKind; 4] = [Self::Page, Self::News, Self::Event, Self::Material];

    /// The name used in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Page => "page",
            Self::News => "news",
            Self::Event => "event",
            Self::Material => "material",
        }
    }

    /// The path segment of the API (`/api/v1/admin/pages`).
    pub fn plural(self) -> &'static str {
        match self {
            Self::Page => "pages",
            Self::News => "news",
            Self::Event => "events",
            Self::Material => "materials",
        }
    }
}

/// Written out as its name (in webhook payloads and notices between instances).
impl serde::Serialize for ContentKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl fmt::Display for ContentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ContentKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown content kind {s:?}"))
    }
}
