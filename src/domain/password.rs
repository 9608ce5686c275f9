//! A new password that satisfies the configured rules.

use std::fmt;

/// The configured rules a new password must follow.
#[derive(Debug, Clone, Copy)]
pub struct PasswordRules {
    pub min_length: usize,
}

/// A password accepted for hashing. Never printed.
#[derive(Clone)]
pub struct NewPassword(String);

impl NewPassword {
    /// Long enough for any passphrase; short enough that hashing it costs nothing extra.
    pub const MAX_LEN: usize = 1024;

    pub fn parse(raw: &str, rules: PasswordRules) -> Result<Self, String> {
        let length = raw.chars().count();
        if length < rules.min_length {
            return Err(format!(
                "must be at least {} characters long",
                rules.min_length
            ));
        }
        if length > Self::MAX_LEN {
            return Err(format!("must be at most {} characters long", Self::MAX_LEN));
        }
        if raw.trim().is_empty() {
            return Err("must not be only spaces".into());
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: PasswordRules = PasswordRules { min_length: 12 };

    #[test]
    fn length_is_counted_in_characters() {
        assert!(NewPassword::parse("ąčęėįšųūž123", RULES).is_ok());
        assert!(NewPassword::parse("short-pass1", RULES).is_err());
    }

    #[test]
    fn blank_and_huge_passwords_are_refused() {
        assert!(NewPassword::parse(&" ".repeat(20), RULES).is_err());
        assert!(NewPassword::parse(&"x".repeat(2000), RULES).is_err());
    }

    #[test]
    fn debug_hides_the_password() {
        let password = NewPassword::parse("correct horse battery", RULES).unwrap();
        assert!(!format!("{password:?}").contains("horse"));
    }
}
