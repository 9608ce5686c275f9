//! What each delivery response reads, so that the response cache drops it exactly when
//! a write changes one of those things (see `delivery_cache::reads`).

use entity::ids::ItemId;

use super::{Audience, DeliveredItem};
use crate::delivery_cache::Reads;
use crate::domain::content::ContentKind;

/// The kinds a response about `kind` shows: events show their materials, and a list
/// of materials may be those of an event.
fn kinds_shown(kind: ContentKind) -> &'static [ContentKind] {
    match kind {
        ContentKind::Event | ContentKind::Material => &[ContentKind::Event, ContentKind::Material],
        ContentKind::News => &[ContentKind::News],
        ContentKind::Page => &[ContentKind::Page],
    }
}

fn site_countries(audience: &Audience) -> Vec<String> {
    audience
        .site_countries
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// The item shown and everything it links to, whether shown or not (a linked material
/// published later appears in the event).
fn shown(item: &DeliveredItem) -> Vec<ItemId> {
    std::iter::once(item.id)
        .chain(item.fields.linked_materials().iter().copied())
        .collect()
}

/// A list of `kind`; `every_locale` when its items show their other locales too.
pub fn of_list(audience: &Audience, kind: ContentKind, every_locale: bool) -> Reads {
    // A page's URL is made of its ancestors' slugs: any page may change it.
    let chain = (!every_locale && kind != ContentKind::Page)
        .then(|| audience.locales.iter().map(ToString::to_string).collect());
    Reads::list(kinds_shown(kind), site_countries(audience), chain)
}

/// One item of `kind`, found by `slug`.
pub fn of_item(audience: &Audience, item: &DeliveredItem, slug: &str) -> Reads {
    if item.kind == ContentKind::Page {
        return of_everything(audience, &[ContentKind::Page]);
    }
    Reads::item(
        kinds_shown(item.kind),
        site_countries(audience),
        slug,
        shown(item),
    )
}

/// Anything of `kinds`, in any locale (search, sitemaps).
pub fn of_everything(audience: &Audience, kinds: &[ContentKind]) -> Reads {
    Reads::all_of(kinds, site_countries(audience))
}
