//! An email address, normalised so that one person has one account.

use std::fmt;

/// A syntactically valid email address, trimmed and lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err("must not be empty".into());
        }
        if email.chars().count() > Self::MAX_LEN {
            return Err(format!("must be at most {} characters", Self::MAX_LEN));
        }
        let (local, domain) = email
            .rsplit_once('@')
            .ok_or_else(|| "must be an email address like name@example.org".to_owned())?;
        let domain_ok = domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.contains('@')
            && local.chars().all(|c| !c.is_whitespace() && !c.is_control());
        if !domain_ok || !local_ok {
            return Err("must be an email address like name@example.org".into());
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Email;

    #[test]
    fn addresses_are_normalised() {
        let email = Email::parse("  Ona.Petraitiene@VMI.lt ").unwrap();
        assert_eq!(email.as_str(), "ona.petraitiene@vmi.lt");
    }

    #[test]
    fn internationalised_domains_are_accepted() {
        assert!(Email::parse("info@sociálna-ekonomika.sk").is_ok());
        assert!(Email::parse("admin@localhost").is_ok());
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for bad in [
            "",
            "plain",
            "@example.org",
            "a@",
            "a@b..c",
            "a b@example.org",
            "a@-x.org",
            "a@@b.org",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} was accepted");
        }
        assert!(Email::parse(&format!("{}@example.org", "a".repeat(300))).is_err());
    }
}
