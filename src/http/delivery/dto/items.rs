//! One schema per kind: a news item, an event, a material and a page, each whole (for
//! details) and lean (for lists), made of the parts every kind shares and the facts of
//! its own kind, so that a generated client has a type per kind with no optional field
//! of another kind.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use entity::ids::AssetId;
use poem_openapi::Object;
use uuid::Uuid;

use super::{Alternate, AssetInfo, ListParts, LocaleLink, MaterialLink};
use crate::http::admin::content::dto::{MaterialKindName, RegistrationModeName};
use crate::http::admin::pagination::PageInfo;
use crate::http::names::{EventStatusName, KindName};
use crate::services::delivery::DeliveredItem;
use crate::services::pagination::Paged;

/// What every item carries, whatever its kind.
#[derive(Debug, Object)]
pub(in crate::http::delivery) struct ItemCore {
    id: Uuid,
    kind: KindName,
    /// The locale served: the first of the chain the item exists in.
    locale: String,
    slug: String,
    /// Where the asked site's frontend shows the item in this locale, from the site's
    /// routes; `null` without a site, or when the site has no route for it.
    #[oai(nullable)]
    url: Option<String>,
    title: String,
    summary: String,
    /// EU member states the item concerns; empty: EU-wide.
    countries: Vec<String>,
    tags: Vec<String>,
    /// When this locale was published (`null` in previews of drafts).
    #[oai(nullable)]
    published_at: Option<DateTime<Utc>>,
}

/// The texts of a whole item.
#[derive(Debug, Object)]
pub(in crate::http::delivery) struct FullText {
    /// The body as Markdown.
    body_markdown: String,
    /// The body as sanitized HTML.
    body_html: String,
    seo_title: String,
    seo_description: String,
    /// Every locale the item exists in, with its slug, for a language switcher.
    locales: Vec<LocaleLink>,
    /// The item's URL in every locale the asked site shows it in: what `hreflang`
    /// links need. Empty without a site or routes.
    alternates: Vec<Alternate>,
}

/// The parts of an item a list leaves out unless `fields=` names them.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub(in crate::http::delivery) struct ChosenParts {
    /// With `fields=body`: the body as Markdown.
    body_markdown: Option<String>,
    /// With `fields=body`: the body as sanitized HTML.
    body_html: Option<String>,
    /// With `fields=seo`.
    seo_title: Option<String>,
    /// With `fields=seo`.
    seo_description: Option<String>,
    /// With `fields=locales`: every locale the item exists in, with its slug.
    locales: Option<Vec<LocaleLink>>,
    /// With `fields=locales`: the item's URL in every locale the site shows it in.
    alternates: Option<Vec<Alternate>>,
}

/// An item taken apart: what every kind shares, and the texts.
struct Parts {
    core: ItemCore,
    text: FullText,
}

impl Parts {
    fn of(item: DeliveredItem) -> Self {
        Self {
            core: ItemCore {
                id: item.id.into(),
                kind: item.kind.into(),
                locale: item.locale,
                slug: item.slug,
                url: item.url,
                title: item.title,
                summary: item.summary,
                countries: item.countries,
                tags: item.tags,
                published_at: item.published_at,
            },
            text: FullText {
                body_markdown: item.body,
                body_html: item.body_html,
                seo_title: item.seo_title,
                seo_description: item.seo_description,
                locales: item
                    .locales
                    .into_iter()
                    .map(|(locale, slug)| LocaleLink { locale, slug })
                    .collect(),
                alternates: item
                    .alternates
                    .into_iter()
                    .map(|(locale, url)| Alternate { locale, url })
                    .collect(),
            },
        }
    }
}

impl ChosenParts {
    fn of(text: FullText, parts: ListParts) -> Self {
        Self {
            body_markdown: parts.body.then_some(text.body_markdown),
            body_html: parts.body.then_some(text.body_html),
            seo_title: parts.seo.then_some(text.seo_title),
            seo_description: parts.seo.then_some(text.seo_description),
            locales: parts.locales.then_some(text.locales),
            alternates: parts.locales.then_some(text.alternates),
        }
    }
}

/// The facts of an item of one kind, read from a delivered item.
pub(in crate::http::delivery) trait Facts: Sized {
    fn of(item: &DeliveredItem, files_base: &str) -> Self;
}

fn asset(item: &DeliveredItem, id: Option<AssetId>, files_base: &str) -> Option<AssetInfo> {
    let id = id?;
    item.assets
        .iter()
        .find(|a| a.id == id)
        .map(|a| AssetInfo::of(a, files_base))
}

/// A news item's own facts.
#[derive(Debug, Object)]
pub(in crate::http::delivery) struct NewsFacts {
    /// The date the news is about.
    #[oai(nullable)]
    date: Option<NaiveDate>,
    /// The image shown with it.
    #[oai(nullable)]
    cover: Option<AssetInfo>,
}

impl Facts for NewsFacts {
    fn of(item: &DeliveredItem, files_base: &str) -> Self {
        Self {
            date: item.fields.as_news().and_then(|news| news.date),
            cover: asset(item, item.fields.cover_asset_id(), files_base),
        }
    }
}

/// An event's own facts, with what readers are told.
#[derive(Debug, Object)]
pub(in crate::http::delivery) struct EventFacts {
    /// Computed from the facts: `upcoming`, `full` (registrations reached the
    /// capacity), `past` or `cancelled`.
    status: EventStatusName,
    /// Whether the registration form takes sign-ups now (mode, window, places, start).
    registration_open: bool,
    /// Whether the event is full and its form puts sign-ups on the waitlist instead
    /// (send `waitlist: true`): places that free up are offered by mail in order.
    waitlist_open: bool,
    /// The start, with the UTC offset of the event's place.
    starts_at: DateTime<FixedOffset>,
    /// The end, after the start.
    ends_at: DateTime<FixedOffset>,
    /// The IANA time zone of the event, e.g. `Europe/Vilnius`.
    time_zone: String,
    /// `null` for an online event.
    #[oai(nullable)]
    city: Option<String>,
    #[oai(nullable)]
    venue: Option<String>,
    /// The link of an online event.
    #[oai(nullable)]
    online_url: Option<String>,
    /// The locales the workshop is held in.
    workshop_languages: Vec<String>,
    /// Places; `null`: no limit.
    #[oai(nullable)]
    capacity: Option<i64>,
    /// How readers sign up: `form` (POST `/api/v1/events/{slug}/registrations`),
    /// `external` (at `registration_url`) or `closed`.
    #[oai(nullable)]
    registration_mode: Option<RegistrationModeName>,
    /// With `external` registration: where.
    #[oai(nullable)]
    registration_url: Option<String>,
    /// Sign-ups open (`null`: already open).
    #[oai(nullable)]
    registration_opens_at: Option<DateTime<FixedOffset>>,
    /// Sign-ups close (`null`: at the start).
    #[oai(nullable)]
    registration_closes_at: Option<DateTime<FixedOffset>>,
    /// The image shown with it.
    #[oai(nullable)]
    cover: Option<AssetInfo>,
    /// The linked materials, in the event's order, each in the first locale of the
    /// chain it has; only published ones the reader may see.
    materials: Vec<MaterialLink>,
    /// With `registration_mode` `form`: what the form shows beside its consent
    /// checkbox, in the served locale (the site's text, else buysocial's). Send its
    /// `version` back as `consent_version`: the sign-up keeps this text.
    #[oai(nullable)]
    consent: Option<ConsentInfo>,
}

/// The consent a sign-up form asks for.
#[derive(Debug, Object)]
pub(in crate::http::delivery) struct ConsentInfo {
    /// The text to show, as it is (plain text).
    text: String,
    version: String,
    /// The site's privacy notice, to link beside it.
    #[oai(nullable)]
    privacy_notice_url: Option<String>,
}

impl Facts for EventFacts {
    fn of(item: &DeliveredItem, files_base: &str) -> Self {
        let fields = item.fields.as_event().cloned().unwrap_or_default();
        // Events are saved with their start, end and zone; a row read without them
        // (never written by this version) shows the epoch rather than failing the list.
        let epoch = DateTime::<Utc>::UNIX_EPOCH.fixed_offset();
        let (status, registration_open, waitlist_open) = item
            .event
            .as_ref()
            .map_or((EventStatusName::Past, false, false), |e| {
                (e.status.into(), e.registration_open, e.waitlist_open)
            });
        Self {
            status,
            registration_open,
            waitlist_open,
            starts_at: fields.starts_at.unwrap_or(epoch),
            ends_at: fields.ends_at.unwrap_or(epoch),
            time_zone: fields.time_zone.unwrap_or_default(),
            city: fields.city,
            venue: fields.venue,
            online_url: fields.online_url,
            workshop_languages: fields.workshop_languages.unwrap_or_default(),
            capacity: fields.capacity,
            registration_mode: fields.registration_mode.map(RegistrationModeName::from),
            registration_url: fields.registration_url,
            registration_opens_at: fields.registration_opens_at,
            registration_closes_at: fields.registration_closes_at,
            cover: asset(item, fields.cover_asset_id, files_base),
            materials: item
                .materials
                .iter()
                .map(|m| MaterialLink::of(m.clone(), files_base))
                .collect(),
            consent: item.consent.clone().map(|c| ConsentInfo {
                text: c.text,
                version: c.version,
                privacy_notice_url: c.privacy_notice_url,
            }),
        }
    }
}

/// A material's own facts.
#[derive(Debug, Object)]
pub(in crate::http::delivery) struct MaterialFacts {
    /// What kind of material.
    #[oai(nullable)]
    material_kind: Option<MaterialKindName>,
    /// The file of this locale, with its download URL.
    #[oai(nullable)]
    file: Option<AssetInfo>,
}

impl Facts for MaterialFacts {
    fn of(item: &DeliveredItem, files_base: &str) -> Self {
        Self {
            material_kind: item
                .fields
                .as_material()
                .and_then(|material| material.material_kind)
                .map(MaterialKindName::from),
            file: asset(item, item.file_asset_id, files_base),
        }
    }
}

/// A page's place in the navigation tree.
#[derive(Debug, Object)]
pub(in crate::http::delivery) struct PageFacts {
    /// The parent page; `null` for a top-level page.
    #[oai(nullable)]
    parent_id: Option<Uuid>,
    /// Order among its siblings.
    position: i32,
}

impl Facts for PageFacts {
    fn of(item: &DeliveredItem, _files_base: &str) -> Self {
        Self {
            parent_id: item.parent_id.map(Into::into),
            position: item.position,
        }
    }
}

/// A whole item and a list of lean ones, for one kind.
macro_rules! kind_schemas {
    ($facts:ty, $item:ident, $item_doc:literal, $list_item:ident, $list_item_doc:literal,
     $list:ident, $list_doc:literal) => {
        #[doc = $item_doc]
        #[derive(Debug, Object)]
        pub(in crate::http::delivery) struct $item {
            #[oai(flatten)]
            core: ItemCore,
            #[oai(flatten)]
            facts: $facts,
            #[oai(flatten)]
            text: FullText,
        }

        impl $item {
            /// File URLs start with `files_base` (`server.public_url`).
            pub(in crate::http::delivery) fn of(item: DeliveredItem, files_base: &str) -> Self {
                let facts = <$facts>::of(&item, files_base);
                let Parts { core, text } = Parts::of(item);
                Self { core, facts, text }
            }
        }

        #[doc = $list_item_doc]
        #[derive(Debug, Object)]
        pub(in crate::http::delivery) struct $list_item {
            #[oai(flatten)]
            core: ItemCore,
            #[oai(flatten)]
            facts: $facts,
            #[oai(flatten)]
            chosen: ChosenParts,
        }

        #[doc = $list_doc]
        #[derive(Debug, Object)]
        pub(in crate::http::delivery) struct $list {
            items: Vec<$list_item>,
            page: PageInfo,
            /// The locales tried, in order.
            locales: Vec<String>,
        }

        impl $list {
            pub(in crate::http::delivery) fn of(
                paged: Paged<DeliveredItem>,
                locales: Vec<String>,
                parts: ListParts,
                files_base: &str,
            ) -> Self {
                Self {
                    page: PageInfo::of(&paged),
                    items: paged
                        .items
                        .into_iter()
                        .map(|item| {
                            let facts = <$facts>::of(&item, files_base);
                            let Parts { core, text } = Parts::of(item);
                            $list_item {
                                core,
                                facts,
                                chosen: ChosenParts::of(text, parts),
                            }
                        })
                        .collect(),
                    locales,
                }
            }
        }
    };
}

kind_schemas!(
    NewsFacts,
    NewsItem,
    "A published news item in one locale, whole.",
    NewsListItem,
    "A news item in a list: what a list shows, and the parts `fields=` names.",
    NewsList,
    "A page of news items, newest first."
);
kind_schemas!(
    EventFacts,
    EventItem,
    "A published event in one locale, whole, with its status and materials.",
    EventListItem,
    "An event in a list: what a list shows, and the parts `fields=` names.",
    EventList,
    "A page of events, by start."
);
kind_schemas!(
    MaterialFacts,
    MaterialItem,
    "A published material (a presentation, report, guide...) in one locale, whole.",
    MaterialListItem,
    "A material in a list: what a list shows, and the parts `fields=` names.",
    MaterialList,
    "A page of materials."
);
kind_schemas!(
    PageFacts,
    PageItem,
    "A published page in one locale, whole.",
    PageListItem,
    "A page in a list: what a list shows, and the parts `fields=` names.",
    PageList,
    "A page of pages, in navigation order (`parent_id` and `position` give the tree)."
);
