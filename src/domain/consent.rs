//! What the sign-up form asks people to agree to. A site may set its own consent text
//! per language, with a version (changed whenever the text changes in substance) and a
//! privacy notice; otherwise, or in a language the site's text lacks, buysocial's own
//! text is shown. Each sign-up keeps the text, version and notice it was given with.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::Locale;
use crate::error::FieldErrors;

/// A site's consent, as stored and as the admin API takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteConsent {
    /// Names this wording, e.g. `2024-05`; a sign-up records it.
    pub version: String,
    /// The text per locale, as readers see it beside the checkbox.
    pub texts: BTreeMap<String, String>,
    /// The site's privacy notice, linked from the form.
    pub privacy_notice_url: Option<String>,
}

/// The consent a reader is shown, and a sign-up keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownConsent {
    pub text: String,
    pub version: String,
    pub privacy_notice_url: Option<String>,
}

const MAX_VERSION: usize = 100;
const MAX_TEXT: usize = 5000;

impl SiteConsent {
    /// Checks the consent under `field` (`registration_consent`): a version, a text per
    /// locale of `locales` only, of sensible length, and a web address for the notice
    /// (normalised).
    pub fn validate(&mut self, field: &str, locales: &[Locale], errors: &mut FieldErrors) {
        let version = self.version.trim();
        if version.is_empty() || version.chars().count() > MAX_VERSION {
            errors.push(
                &format!("{field}.version"),
                format!("must be 1 to {MAX_VERSION} characters"),
            );
        }
        self.version = version.to_owned();
        if self.texts.is_empty() {
            errors.push(
                &format!("{field}.texts"),
                "must give the text in at least one of the site's locales",
            );
        }
        for (locale, text) in &mut self.texts {
            let at = format!("{field}.texts.{locale}");
            if !locales.iter().any(|l| l.as_str() == locale) {
                errors.push(&at, format!("{locale} is not one of the site's locales"));
            }
            *text = text.trim().to_owned();
            if text.is_empty() || text.chars().count() > MAX_TEXT {
                errors.push(&at, format!("must be 1 to {MAX_TEXT} characters"));
            }
        }
        if let Some(url) = &mut self.privacy_notice_url {
            match crate::domain::web_url::normalise(url) {
                Ok(normalised) => *url = normalised,
                Err(message) => errors.push(&format!("{field}.privacy_notice_url"), message),
            }
        }
    }

    /// What a reader of `locale` is shown: the site's text in it, else `fallback`
    /// (buysocial's own, in that language) with the site's privacy notice.
    pub fn shown(&self, locale: &str, fallback: ShownConsent) -> ShownConsent {
        match self.texts.get(locale) {
            Some(text) => ShownConsent {
                text: text.clone(),
                version: self.version.clone(),
                privacy_notice_url: self.privacy_notice_url.clone(),
            },
            None => ShownConsent {
                privacy_notice_url: self.privacy_notice_url.clone(),
                ..fallback
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn consent() -> SiteConsent {
        SiteConsent {
            version: " 2024-05 ".into(),
            texts: BTreeMap::from([("fr".into(), "J'accepte.".into())]),
            privacy_notice_url: Some("https://be.example.eu/vie-privee".into()),
        }
    }

    fn own() -> ShownConsent {
        ShownConsent {
            text: "I agree.".into(),
            version: "buysocial-30d".into(),
            privacy_notice_url: None,
        }
    }

    #[test]
    fn the_sites_text_in_the_readers_language_else_buysocials_own() {
        let consent = consent();
        assert_eq!(consent.shown("fr", own()).text, "J'accepte.");
        let english = consent.shown("en", own());
        assert_eq!(english.text, "I agree.");
        assert_eq!(english.version, "buysocial-30d");
        assert_eq!(
            english.privacy_notice_url.as_deref(),
            Some("https://be.example.eu/vie-privee")
        );
    }

    #[test]
    fn texts_are_for_the_sites_locales_with_a_version_and_a_web_address() {
        let mut bad = consent();
        bad.version = String::new();
        bad.texts.insert("lt".into(), " ".into());
        bad.privacy_notice_url = Some("javascript:alert(1)".into());
        let fields = FieldErrors::refused_by(|errors| {
            bad.validate(
                "registration_consent",
                &[Locale::from_stored("fr".into())],
                errors,
            )
        });
        assert_eq!(
            fields,
            [
                "registration_consent.version",
                "registration_consent.texts.lt",
                "registration_consent.texts.lt",
                "registration_consent.privacy_notice_url"
            ]
        );
        let mut good = consent();
        let fields = FieldErrors::refused_by(|errors| {
            good.validate(
                "registration_consent",
                &[Locale::from_stored("fr".into())],
                errors,
            )
        });
        assert!(fields.is_empty(), "{fields:?}");
        assert_eq!(good.version, "2024-05");
    }
}
