//! URL slugs: ASCII, lower case, hyphens; generated from titles in any script.

use std::fmt;

/// A valid slug: 1 to 200 lower-case ASCII letters, digits and single hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Slug(String);

impl Slug {
    pub const MAX_LEN: usize = 200;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let valid = !raw.is_empty()
            && raw.len() <= Self::MAX_LEN
            && raw
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !raw.starts_with('-')
            && !raw.ends_with('-')
            && !raw.contains("--");
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err("must be lower-case ASCII letters, digits and single hyphens (e.g. training-vilnius-2024), at most 200 characters".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// This slug with `-n` appended, shortened so that the result stays valid.
    pub fn with_suffix(&self, n: u32) -> Slug {
        let suffix = format!("-{n}");
        let keep = Self::MAX_LEN - suffix.len();
        let base = if self.0.len() > keep {
            self.0[..keep].trim_end_matches('-')
        } else {
            &self.0
        };
        Slug(format!("{base}{suffix}"))
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A readable slug from a title in any script: transliterated to ASCII, lower case,
/// words joined by hyphens. `None` when nothing usable is left (e.g. only emoji).
pub fn slugify(title: &str) -> Option<Slug> {
    let ascii = deunicode::deunicode(title).to_ascii_lowercase();
    let mut slug = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if c == '\'' {
            // Apostrophes join a word (l'Europe, Bulgarian ъ as '): drop, don't split.
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let mut slug = slug.trim_end_matches('-').to_owned();
    if slug.len() > 120 {
        // Cut at a word boundary so slugs stay readable.
        let cut = slug[..120].rfind('-').unwrap_or(120);
        slug.truncate(cut);
    }
    Slug::parse(&slug).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slug(title: &str) -> String {
        slugify(title).map(|s| s.0).unwrap_or_default()
    }

    #[test]
    fn titles_in_every_campaign_language_give_readable_slugs() {
        assert_eq!(
            slug("Lithuania – 23 May 2024, workshop in Lithuanian"),
            "lithuania-23-may-2024-workshop-in-lithuanian"
        );
        assert_eq!(
            slug("Socialiai atsakingi viešieji pirkimai: mokymai Vilniuje"),
            "socialiai-atsakingi-viesieji-pirkimai-mokymai-vilniuje"
        );
        assert_eq!(
            slug("Sotsiaalselt vastutustundlikud hanked – Tallinn"),
            "sotsiaalselt-vastutustundlikud-hanked-tallinn"
        );
        assert_eq!(
            slug("Κοινωνικά υπεύθυνες δημόσιες συμβάσεις"),
            "koinonika-upeuthunes-demosies-sumbaseis"
        );
        assert_eq!(
            slug("Социално отговорни обществени поръчки"),
            "sotsialno-otgovorni-obshchestveni-porchki"
        );
        assert_eq!(
            slug("Why should the public sector 'buy social'?"),
            "why-should-the-public-sector-buy-social"
        );
        assert_eq!(
            slug("Marchés publics socialement responsables à Bruxelles"),
            "marches-publics-socialement-responsables-a-bruxelles"
        );
    }

    #[test]
    fn nothing_usable_gives_no_slug() {
        assert_eq!(slugify("!!! ???"), None);
        assert_eq!(slugify(""), None);
    }

    #[test]
    fn long_titles_are_cut_at_a_word() {
        let long = slug(&"procurement ".repeat(40));
        assert!(long.len() <= 120 && !long.ends_with('-'), "{long}");
    }

    #[test]
    fn slugs_are_checked() {
        assert!(Slug::parse("training-vilnius-2024").is_ok());
        for bad in ["", "Upper", "a b", "-a", "a-", "a--b", "ą", "../x"] {
            assert!(Slug::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Slug::parse("a").unwrap().with_suffix(2).as_str(), "a-2");
        let max = Slug::parse(&"a".repeat(200)).unwrap();
        assert_eq!(max.with_suffix(12).as_str().len(), 200);
    }
}
