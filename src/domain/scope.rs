//! Where a user or token may work: a set of countries and a set of locales.

use std::collections::BTreeSet;

use super::{CountryCode, Locale};

/// Empty sets mean "all": an EU-level editor has an empty scope.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scope {
    pub countries: BTreeSet<CountryCode>,
    pub locales: BTreeSet<Locale>,
}

impl Scope {
    /// Unrestricted: every country and every locale.
    pub fn everything() -> Self {
        Self::default()
    }

    pub fn has_all_countries(&self) -> bool {
        self.countries.is_empty()
    }

    pub fn covers_country(&self, country: &CountryCode) -> bool {
        self.countries.is_empty() || self.countries.contains(country)
    }

    /// Whether every one of `countries` is in scope. An empty list (an EU-wide
    /// item) is covered only by a scope with all countries.
    pub fn covers_all_of(&self, countries: &[CountryCode]) -> bool {
        if countries.is_empty() {
            self.has_all_countries()
        } else {
            countries.iter().all(|c| self.covers_country(c))
        }
    }

    pub fn covers_locale(&self, locale: &Locale) -> bool {
        self.locales.is_empty() || self.locales.contains(locale)
    }

    /// Whether this scope lies within `outer` (used so nobody hands out more than they have).
    pub fn is_within(&self, outer: &Scope) -> bool {
        let countries_ok = outer.countries.is_empty()
            || (!self.countries.is_empty() && self.countries.is_subset(&outer.countries));
        let locales_ok = outer.locales.is_empty()
            || (!self.locales.is_empty() && self.locales.is_subset(&outer.locales));
        countries_ok && locales_ok
    }
}
