//! Locales: BCP 47 language codes from the configured list.

use std::fmt;

/// A locale from the configured list (`content.locales`), lower case.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Locale(String);

impl Locale {
    pub fn parse(raw: &str, configured: &[String]) -> Result<Self, String> {
        let code = raw.trim().to_ascii_lowercase();
        if configured.contains(&code) {
            Ok(Self(code))
        } else {
            Err(format!(
                "{raw:?} is not one of the configured locales ({})",
                configured.join(", ")
            ))
        }
    }

    /// A locale read back from the database, which was validated when written; it
    /// stays usable even if the configuration has dropped it since.
    pub fn from_stored(code: String) -> Self {
        Self(code)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Written out as its name (in webhook payloads and notices between instances).
impl serde::Serialize for Locale {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether `code` looks like a BCP 47 language tag we can configure (`fr`, `pt-br`).
pub fn is_well_formed(code: &str) -> bool {
    let mut parts = code.split('-');
    let language_ok = parts
        .next()
        .is_some_and(|l| (2..=3).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_lowercase()));
    language_ok
        && parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn configured() -> Vec<String> {
        ["en", "fr", "nl"].map(String::from).to_vec()
    }

    #[test]
    fn configured_locales_are_accepted() {
        assert_eq!(Locale::parse("FR", &configured()).unwrap().as_str(), "fr");
    }

    #[test]
    fn unconfigured_locales_are_refused() {
        assert!(Locale::parse("lt", &configured()).is_err());
        assert!(Locale::parse("", &configured()).is_err());
    }

    #[test]
    fn well_formed_tags() {
        assert!(is_well_formed("fr"));
        assert!(is_well_formed("pt-br"));
        assert!(!is_well_formed("FR"));
        assert!(!is_well_formed("french"));
        assert!(!is_well_formed(""));
    }
}
