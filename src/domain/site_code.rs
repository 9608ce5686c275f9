//! Site codes: short identifiers of national frontends (`eu`, `be`, `lt`).

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SiteCode(String);

impl SiteCode {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let code = raw.trim();
        let valid = (2..=32).contains(&code.len())
            && code.starts_with(|c: char| c.is_ascii_lowercase())
            && code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if valid {
            Ok(Self(code.to_owned()))
        } else {
            Err("must be 2 to 32 lower-case letters, digits or hyphens, starting with a letter (e.g. be, eu, lt-vilnius)".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SiteCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::SiteCode;

    #[test]
    fn codes_are_short_lower_case_slugs() {
        assert!(SiteCode::parse("be").is_ok());
        assert!(SiteCode::parse("lt-vilnius").is_ok());
        for bad in ["", "b", "BE", "1be", "b e", "be/../x", &"a".repeat(33)] {
            assert!(SiteCode::parse(bad).is_err(), "{bad}");
        }
    }
}
