//! Opaque bearer tokens: random secrets shown once, stored only as a SHA-256 hash.

use rand::Rng as _;
use sha2::{Digest, Sha256};

/// Prefix of session tokens, so that a leaked one is recognisable (e.g. by secret scanners).
pub const SESSION_PREFIX: &str = "bss_";

/// A fresh token: `prefix` followed by 256 random bits in hex.
pub fn generate(prefix: &str) -> String {
    let mut secret = [0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    format!("{prefix}{}", hex::encode(secret))
}

/// What the database stores: a hex SHA-256 of the whole token. Tokens carry 256
/// random bits, so a fast hash is enough; no salt or slow hash is needed.
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_prefixed() {
        let (a, b) = (generate(SESSION_PREFIX), generate(SESSION_PREFIX));
        assert_ne!(a, b);
        assert!(a.starts_with("bss_"));
        assert_eq!(a.len(), 4 + 64);
    }

    #[test]
    fn the_hash_is_stable_and_not_the_token() {
        let token = generate(SESSION_PREFIX);
        assert_eq!(hash(&token), hash(&token));
        assert_ne!(hash(&token), token);
        assert_eq!(hash(&token).len(), 64);
    }
}
