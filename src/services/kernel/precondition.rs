//! A write's precondition: the versions a client based its change on, parsed from
//! `If-Match` at the edge (`http/`), so that services compare versions, not header text.

/// What `If-Match` said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    /// No `If-Match`: the client claims no version (creating, or a write that needs none).
    Absent,
    /// `If-Match: *`: whatever the current version is.
    AnyVersion,
    /// The entity tags named, quotes included (`"d3"`, `"t7"`). Weak tags (`W/"…"`)
    /// never match: `If-Match` compares strongly.
    Tags(Vec<String>),
}

impl Precondition {
    /// Parses an `If-Match` value: `*`, or a comma-separated list of entity tags.
    pub fn from_if_match(header: Option<&str>) -> Self {
        let Some(header) = header.map(str::trim) else {
            return Self::Absent;
        };
        let tags: Vec<&str> = header.split(',').map(str::trim).collect();
        if tags.contains(&"*") {
            return Self::AnyVersion;
        }
        Self::Tags(tags.into_iter().map(str::to_owned).collect())
    }

    /// Whether the client sent `If-Match` at all.
    pub fn is_given(&self) -> bool {
        *self != Self::Absent
    }

    /// Whether the precondition holds for the current `etag`.
    pub fn names(&self, etag: &str) -> bool {
        match self {
            Self::Absent => false,
            Self::AnyVersion => true,
            Self::Tags(tags) => tags.iter().any(|tag| tag == etag),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Precondition;

    #[test]
    fn if_match_is_read_as_the_versions_it_names() {
        assert_eq!(Precondition::from_if_match(None), Precondition::Absent);
        assert!(!Precondition::from_if_match(None).names("\"d1\""));
        let listed = Precondition::from_if_match(Some(" \"d1\", \"d2\" "));
        assert!(listed.names("\"d2\"") && !listed.names("\"d3\""));
        assert!(Precondition::from_if_match(Some("*")).names("\"d9\""));
        assert!(
            !Precondition::from_if_match(Some("W/\"d1\"")).names("\"d1\""),
            "weak tags never match"
        );
    }
}
