//! What a cached response was made from (`Reads`) and what a write changed (`Change`),
//! so that a write drops exactly the responses it can change: publishing a Lithuanian
//! news item leaves Belgian events, pages and the other kinds' lists cached.
//!
//! A response depends on a change when all three hold:
//! - the change is about a kind the response shows (an event list shows materials too);
//! - the response's site shows the item, before or after the change (a site shows
//!   EU-wide items and those of its countries; no site shows everything);
//! - the change touches a locale the response reads, an item it shows or a slug it
//!   looked up. Lists read the locales of their chain (an item is chosen, kept or
//!   dropped only by a translation in the chain); an item reads every translation of
//!   itself and what it links to, and the slug it was found by; lists showing every
//!   locale (`locales`, `alternates`), page trees (a page's path is made of its
//!   ancestors' slugs), search and sitemaps read every locale.
//!
//! Anything else (a site, an asset, a write that said nothing) is `Change::Everything`.

use entity::ids::ItemId;
use serde::{Deserialize, Serialize};

use crate::domain::content::ContentKind;

/// What a write changed that readers can see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "change")]
pub enum Change {
    /// Anything may have changed: a site, an asset, a write that did not say.
    Everything,
    /// One item's published state.
    Item(ItemChange),
}

/// One item's published state changed: some of its live translations, or all of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemChange {
    #[serde(with = "kind_name")]
    pub kind: ContentKind,
    pub id: ItemId,
    /// The locales whose live version changed; `None`: any (a trash, a registration).
    pub locales: Option<Vec<String>>,
    /// Slugs that lead to the item now or did before.
    pub slugs: Vec<String>,
    /// The item's countries before and after; empty: EU-wide (every site shows it).
    pub countries: Vec<String>,
}

/// What a response was made from.
#[derive(Debug, Clone, Default)]
pub struct Reads {
    kinds: Vec<ContentKind>,
    /// The site's countries; empty: items of every country may be shown.
    site_countries: Vec<String>,
    /// The locales whose changes matter; `None`: every locale.
    locales: Option<Vec<String>>,
    /// Items shown or linked (an event's materials), whatever their locale.
    items: Vec<ItemId>,
    /// Slugs looked up (a missing one may appear).
    slugs: Vec<String>,
}

impl Reads {
    /// A response that may show anything of `kinds` in any locale (search, sitemaps,
    /// page trees).
    pub fn all_of(kinds: &[ContentKind], site_countries: Vec<String>) -> Self {
        Self {
            kinds: kinds.to_vec(),
            site_countries,
            locales: None,
            ..Self::default()
        }
    }

    /// A list: items of `kinds` chosen along `chain`, or (`None`) items that also show
    /// every other locale. An item is chosen, kept or dropped, and shows what it shows,
    /// only by its translations in the chain: a translation outside it changes nothing.
    pub fn list(
        kinds: &[ContentKind],
        site_countries: Vec<String>,
        chain: Option<Vec<String>>,
    ) -> Self {
        Self {
            kinds: kinds.to_vec(),
            site_countries,
            locales: chain,
            ..Self::default()
        }
    }

    /// One item looked up by `slug`: `items` are the item and what it links to (none
    /// when nothing was found).
    pub fn item(
        kinds: &[ContentKind],
        site_countries: Vec<String>,
        slug: &str,
        items: Vec<ItemId>,
    ) -> Self {
        Self {
            kinds: kinds.to_vec(),
            site_countries,
            locales: Some(Vec::new()),
            items,
            slugs: vec![slug.to_owned()],
        }
    }

    /// Whether `change` can make this response different.
    pub fn is_changed_by(&self, change: &Change) -> bool {
        let Change::Item(change) = change else {
            return true;
        };
        self.kinds.contains(&change.kind)
            && self.shows_countries(&change.countries)
            && (self.reads_locales(change.locales.as_deref())
                || self.items.contains(&change.id)
                || change.slugs.iter().any(|slug| self.slugs.contains(slug)))
    }

    fn shows_countries(&self, countries: &[String]) -> bool {
        self.site_countries.is_empty()
            || countries.is_empty()
            || countries.iter().any(|c| self.site_countries.contains(c))
    }

    fn reads_locales(&self, changed: Option<&[String]>) -> bool {
        match (&self.locales, changed) {
            (None, _) => true,
            (Some(read), None) => !read.is_empty(),
            (Some(read), Some(changed)) => changed.iter().any(|l| read.contains(l)),
        }
    }

    /// Roughly what this costs in memory, for the cache's budget.
    pub(super) fn size(&self) -> usize {
        let strings = |list: &[String]| list.iter().map(|s| s.len() + 24).sum::<usize>();
        self.kinds.len()
            + strings(&self.site_countries)
            + self.locales.as_deref().map_or(0, strings)
            + self.items.len() * 16
            + strings(&self.slugs)
    }
}

/// A change's kind as its database name, in notifications between instances.
mod kind_name {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    use crate::domain::content::ContentKind;

    pub fn serialize<S: Serializer>(kind: &ContentKind, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(kind.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ContentKind, D::Error> {
        let name = String::deserialize(d)?;
        ContentKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == name)
            .ok_or_else(|| D::Error::custom(format!("unknown kind {name:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    fn news_in(locale: &str, countries: &[&str]) -> Change {
        Change::Item(ItemChange {
            kind: ContentKind::News,
            id: ItemId(Uuid::from_u128(1)),
            locales: Some(strings(&[locale])),
            slugs: strings(&["a-slug"]),
            countries: strings(countries),
        })
    }

    #[test]
    fn a_list_depends_on_its_kinds_its_sites_countries_and_its_chain() {
        let french_news_in_belgium = Reads::list(
            &[ContentKind::News],
            strings(&["BE"]),
            Some(strings(&["fr", "en"])),
        );
        assert!(french_news_in_belgium.is_changed_by(&news_in("fr", &["BE"])));
        assert!(
            french_news_in_belgium.is_changed_by(&news_in("en", &[])),
            "EU-wide"
        );
        assert!(!french_news_in_belgium.is_changed_by(&news_in("lt", &["LT"])));
        assert!(
            !french_news_in_belgium.is_changed_by(&news_in("fr", &["LT"])),
            "not shown in Belgium"
        );
        assert!(
            !french_news_in_belgium.is_changed_by(&news_in("lt", &["BE"])),
            "not in the chain"
        );
        let events = Reads::list(
            &[ContentKind::Event, ContentKind::Material],
            Vec::new(),
            Some(strings(&["fr"])),
        );
        assert!(!events.is_changed_by(&news_in("fr", &["BE"])), "other kind");
        assert!(events.is_changed_by(&Change::Everything));
    }

    #[test]
    fn an_item_depends_on_what_it_shows_and_the_slug_it_looked_up() {
        let shown = Uuid::from_u128(1);
        let read = Reads::item(
            &[ContentKind::News],
            Vec::new(),
            "a-slug",
            vec![shown.into()],
        );
        assert!(
            read.is_changed_by(&news_in("lt", &["LT"])),
            "its own locales"
        );
        let other = Change::Item(ItemChange {
            kind: ContentKind::News,
            id: ItemId(Uuid::from_u128(2)),
            locales: Some(strings(&["fr"])),
            slugs: strings(&["other"]),
            countries: Vec::new(),
        });
        assert!(!read.is_changed_by(&other));
        let taking_the_slug = Change::Item(ItemChange {
            slugs: strings(&["a-slug"]),
            ..match other {
                Change::Item(change) => change,
                Change::Everything => unreachable!(),
            }
        });
        assert!(
            read.is_changed_by(&taking_the_slug),
            "a missing slug appears"
        );
    }

    #[test]
    fn a_change_in_every_locale_reaches_every_chain() {
        let list = Reads::list(&[ContentKind::Event], Vec::new(), Some(strings(&["pt"])));
        let registration = Change::Item(ItemChange {
            kind: ContentKind::Event,
            id: ItemId(Uuid::from_u128(3)),
            locales: None,
            slugs: Vec::new(),
            countries: strings(&["PT"]),
        });
        assert!(list.is_changed_by(&registration));
        let round_trip: Change =
            serde_json::from_str(&serde_json::to_string(&registration).unwrap()).unwrap();
        assert_eq!(round_trip, registration);
    }
}
