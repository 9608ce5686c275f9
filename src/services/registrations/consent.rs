//! The consent a sign-up form shows and a sign-up keeps: the site's own text in the
//! reader's language (see [`SiteConsent`]), else buysocial's, which says how long the
//! details are kept (`registrations.keep_days_after_event`) and is versioned by it.

use crate::domain::consent::ShownConsent;
use crate::services::sites::Site;
use crate::state::AppState;

/// What a reader of `locale` on `site` (none: no site) is asked to agree to.
pub fn consent_for(state: &AppState, site: Option<&Site>, locale: &str) -> ShownConsent {
    let days = state.settings.registrations.keep_days_after_event;
    let own = ShownConsent {
        text: state
            .mailer
            .templates
            .text(locale, "consent", &[("keep_days", &days.to_string())]),
        version: format!("buysocial-{days}d"),
        privacy_notice_url: None,
    };
    match site.and_then(|s| s.registration_consent.as_ref()) {
        Some(consent) => consent.shown(locale, own),
        None => own,
    }
}
