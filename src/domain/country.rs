//! Country codes: the EU member states, as ISO 3166-1 alpha-2 codes.

use std::fmt;

/// The 27 EU member states. Greece is `GR` (ISO), not the EU's own `EL`.
pub const EU_MEMBER_STATES: [&str; 27] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
];

/// Facts about a member state that forms start from: its IANA time zones (the
/// capital's first; Portugal and Spain have islands in others) and its official EU
/// languages (the most widely used first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountryFacts {
    pub code: &'static str,
    pub time_zones: &'static [&'static str],
    pub languages: &'static [&'static str],
}

/// The facts of every member state, in the order of [`EU_MEMBER_STATES`].
pub const COUNTRY_FACTS: [CountryFacts; 27] = [
    facts("AT", &["Europe/Vienna"], &["de"]),
    facts("BE", &["Europe/Brussels"], &["nl", "fr", "de"]),
    facts("BG", &["Europe/Sofia"], &["bg"]),
    facts("CY", &["Asia/Nicosia", "Asia/Famagusta"], &["el"]),
    facts("CZ", &["Europe/Prague"], &["cs"]),
    facts("DE", &["Europe/Berlin"], &["de"]),
    facts("DK", &["Europe/Copenhagen"], &["da"]),
    facts("EE", &["Europe/Tallinn"], &["et"]),
    facts(
        "ES",
        &["Europe/Madrid", "Atlantic/Canary", "Africa/Ceuta"],
        &["es"],
    ),
    facts("FI", &["Europe/Helsinki"], &["fi", "sv"]),
    facts("FR", &["Europe/Paris"], &["fr"]),
    facts("GR", &["Europe/Athens"], &["el"]),
    facts("HR", &["Europe/Zagreb"], &["hr"]),
    facts("HU", &["Europe/Budapest"], &["hu"]),
    facts("IE", &["Europe/Dublin"], &["en", "ga"]),
    facts("IT", &["Europe/Rome"], &["it"]),
    facts("LT", &["Europe/Vilnius"], &["lt"]),
    facts("LU", &["Europe/Luxembourg"], &["fr", "de"]),
    facts("LV", &["Europe/Riga"], &["lv"]),
    facts("MT", &["Europe/Malta"], &["mt", "en"]),
    facts("NL", &["Europe/Amsterdam"], &["nl"]),
    facts("PL", &["Europe/Warsaw"], &["pl"]),
    facts(
        "PT",
        &["Europe/Lisbon", "Atlantic/Madeira", "Atlantic/Azores"],
        &["pt"],
    ),
    facts("RO", &["Europe/Bucharest"], &["ro"]),
    facts("SE", &["Europe/Stockholm"], &["sv"]),
    facts("SI", &["Europe/Ljubljana"], &["sl"]),
    facts("SK", &["Europe/Bratislava"], &["sk"]),
];

const fn facts(
    code: &'static str,
    time_zones: &'static [&'static str],
    languages: &'static [&'static str],
) -> CountryFacts {
    CountryFacts {
        code,
        time_zones,
        languages,
    }
}

/// An EU member state's ISO code, upper case.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CountryCode(String);

impl CountryCode {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let code = raw.trim().to_ascii_uppercase();
        if EU_MEMBER_STATES.contains(&code.as_str()) {
            Ok(Self(code))
        } else {
            Err(format!(
                "{raw:?} is not the ISO 3166-1 alpha-2 code of an EU member state (e.g. BE, LT, PT)"
            ))
        }
    }

    /// A code read back from the database, which was validated when written.
    pub fn from_stored(code: String) -> Self {
        Self(code)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for CountryCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Whether a site of `site` countries shows an item of `item` countries: EU-wide items
/// always, others when they share a country with the site (every item when the site is
/// EU-wide, or there is no site).
pub fn site_shows(site: &[CountryCode], item: &[impl AsRef<str>]) -> bool {
    site.is_empty()
        || item.is_empty()
        || item
            .iter()
            .any(|c| site.iter().any(|s| s.as_str() == c.as_ref()))
}

/// Written out as its name (in webhook payloads and notices between instances).
impl serde::Serialize for CountryCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod facts_tests {
    use super::*;

    #[test]
    fn every_member_state_has_real_time_zones_and_languages() {
        let codes: Vec<&str> = COUNTRY_FACTS.iter().map(|f| f.code).collect();
        assert_eq!(codes, EU_MEMBER_STATES);
        for country in COUNTRY_FACTS {
            assert!(!country.languages.is_empty(), "{}", country.code);
            for zone in country.time_zones {
                assert!(zone.parse::<chrono_tz::Tz>().is_ok(), "{zone}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CountryCode;

    #[test]
    fn member_states_are_accepted_in_any_case() {
        assert_eq!(CountryCode::parse("be").unwrap().as_str(), "BE");
        assert_eq!(CountryCode::parse("LT").unwrap().as_str(), "LT");
    }

    #[test]
    fn other_codes_are_refused() {
        for bad in ["", "XX", "UK", "NO", "EL", "BEL", "EU"] {
            assert!(CountryCode::parse(bad).is_err(), "{bad}");
        }
    }
}
