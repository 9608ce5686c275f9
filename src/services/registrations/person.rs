//! Who signs up, as the form sends it, checked: every problem at once, as field errors.

use crate::domain::{CountryCode, Email, Locale};
use crate::error::{AppError, FieldErrors};

/// Who may register, by the kind of organisation they come from.
pub const ORGANISATION_TYPES: [&str; 3] = ["public_buyer", "social_economy_entity", "other"];

/// A registration as received from a frontend.
#[derive(Debug, Clone, Default)]
pub struct NewRegistration {
    pub name: String,
    pub email: String,
    pub organisation: String,
    pub organisation_type: String,
    pub country: String,
    pub consent: bool,
    /// The language of the page the form was on (a configured locale); the person's
    /// mails are in it. `None`: the language the event was served in.
    pub locale: Option<String>,
    /// Whether to join the waitlist if the event is full.
    pub waitlist: bool,
    /// The version of the consent text the form showed (see the event's `consent`).
    pub consent_version: Option<String>,
}

/// Who signs up, checked: every problem at once, as field errors.
pub(super) struct Person {
    pub(super) name: String,
    pub(super) email: Email,
    pub(super) organisation: String,
    pub(super) organisation_type: String,
    pub(super) country: CountryCode,
    pub(super) locale: Option<Locale>,
    pub(super) waitlist: bool,
    pub(super) consent_version: Option<String>,
}

impl Person {
    pub(super) fn check(new: NewRegistration, locales: &[String]) -> Result<Self, AppError> {
        let mut errors = FieldErrors::new();
        let name = new.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 200 {
            errors.push("name", "must be 1 to 200 characters");
        } else if !is_plain_text(&name) {
            errors.push("name", "must not contain control characters or semicolons");
        }
        let email = errors.check("email", Email::parse(&new.email));
        let organisation = new.organisation.trim().to_owned();
        if organisation.is_empty() || organisation.chars().count() > 300 {
            errors.push("organisation", "must be 1 to 300 characters");
        } else if !is_plain_text(&organisation) {
            errors.push(
                "organisation",
                "must not contain control characters or semicolons",
            );
        }
        if !ORGANISATION_TYPES.contains(&new.organisation_type.as_str()) {
            errors.push(
                "organisation_type",
                "must be public_buyer, social_economy_entity or other",
            );
        }
        let country = errors.check("country", CountryCode::parse(&new.country));
        if !new.consent {
            errors.push(
                "consent",
                "must be given: we keep these details only to organise the event",
            );
        }
        let locale = match &new.locale {
            Some(raw) => errors.check("locale", Locale::parse(raw, locales)),
            None => None,
        };
        errors.finish()?;
        let (Some(email), Some(country)) = (email, country) else {
            return Err(AppError::internal("validated fields are missing"));
        };
        Ok(Self {
            name,
            email,
            organisation,
            organisation_type: new.organisation_type,
            country,
            locale,
            waitlist: new.waitlist,
            consent_version: new.consent_version,
        })
    }
}

/// Text that stays one cell in any spreadsheet: no control characters, no `;`.
fn is_plain_text(value: &str) -> bool {
    !value.chars().any(|c| {
        c.is_control() || c == ';' || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    })
}

/// The language of `registration`'s mails and pages: that of the page they signed up
/// on (English for sign-ups from before it was kept).
pub(super) fn language(registration: &entity::registration::Model) -> &str {
    registration.locale.as_deref().unwrap_or("en")
}
