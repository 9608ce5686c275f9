//! What the delivery API returns and accepts, as documented in the OpenAPI spec.

mod items;

pub(super) use items::{
    EventItem, EventList, MaterialItem, MaterialList, NewsItem, NewsList, PageItem, PageList,
};

use poem_openapi::{Enum, Object};
use uuid::Uuid;

use crate::http::admin::content::dto::MaterialKindName;
use crate::http::admin::pagination::PageInfo;
use crate::http::names::{Checked, KindName, OrganisationTypeName};
use crate::services::assets::Asset;
use crate::services::delivery::{LinkedMaterial, SearchHit};

/// The optional parts of list items, as `fields=` names them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct ListParts {
    pub(super) body: bool,
    pub(super) seo: bool,
    pub(super) locales: bool,
}

impl ListParts {
    /// `body,seo,locales` (any of them, in any order); an unknown name is the error.
    pub(super) fn parse(raw: Option<&str>) -> Result<Self, String> {
        let mut parts = Self::default();
        for name in raw
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            match name {
                "body" => parts.body = true,
                "seo" => parts.seo = true,
                "locales" => parts.locales = true,
                other => {
                    return Err(format!("{other:?} is not body, seo or locales"));
                }
            }
        }
        Ok(parts)
    }
}

/// A material linked from an event.
#[derive(Debug, Object)]
pub(super) struct MaterialLink {
    pub(super) id: Uuid,
    pub(super) locale: String,
    pub(super) slug: String,
    pub(super) title: String,
    pub(super) summary: String,
    #[oai(nullable)]
    pub(super) material_kind: Option<MaterialKindName>,
    /// The file of this locale, with its download URL.
    #[oai(nullable)]
    pub(super) file: Option<AssetInfo>,
    /// Where the asked site's frontend shows the material; `null` without a route.
    #[oai(nullable)]
    pub(super) url: Option<String>,
}

impl MaterialLink {
    fn of(material: LinkedMaterial, files_base: &str) -> Self {
        Self {
            id: material.id.into(),
            locale: material.locale,
            slug: material.slug,
            title: material.title,
            summary: material.summary,
            material_kind: material.material_kind.map(MaterialKindName::from),
            file: material
                .file
                .as_ref()
                .map(|file| AssetInfo::of(file, files_base)),
            url: material.url,
        }
    }
}

/// The item in another locale on the asked site.
#[derive(Debug, Object)]
pub(super) struct Alternate {
    /// The locale, as `hreflang` takes it.
    pub(super) locale: String,
    pub(super) url: String,
}

#[derive(Debug, Object)]
pub(super) struct LocaleLink {
    pub(super) locale: String,
    pub(super) slug: String,
}

/// What a frontend needs to link or show a file.
#[derive(Debug, Object)]
pub(super) struct AssetInfo {
    pub(super) id: Uuid,
    pub(super) url: String,
    pub(super) file_name: String,
    pub(super) content_type: String,
    pub(super) size: u64,
    pub(super) title: String,
    pub(super) alt: String,
}

impl AssetInfo {
    /// `files_base` (`server.public_url`, or empty for a path) goes before the path.
    fn of(asset: &Asset, files_base: &str) -> Self {
        Self {
            id: asset.id.into(),
            url: format!("{files_base}{}", asset.url()),
            file_name: asset.file_name.clone(),
            content_type: asset.content_type.clone(),
            size: asset.size,
            title: asset.title.clone(),
            alt: asset.alt.clone(),
        }
    }
}

/// An expression of interest in an event.
#[derive(Debug, Object, serde::Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub(super) struct RegistrationRequest {
    pub(super) name: String,
    pub(super) email: String,
    pub(super) organisation: String,
    /// Checked with the other fields: a wrong value is reported with every other one.
    pub(super) organisation_type: Checked<OrganisationTypeName>,
    /// The participant's country (an EU member state).
    pub(super) country: String,
    /// Agreement to the use of these details for organising the event; must be `true`.
    pub(super) consent: bool,
    /// The language of the page the form is on (a configured locale, e.g. `lt`): the
    /// person's mails and the pages of their links are in it. Absent: the language the
    /// event is served in.
    pub(super) locale: Option<String>,
    /// The `version` of the event's `consent` the form showed: the sign-up keeps that
    /// text. Absent: the current one is kept. A version that is no longer current is
    /// 422 on this field (show the text again).
    pub(super) consent_version: Option<String>,
    /// Whether to join the event's waitlist if it is full (see the event's
    /// `waitlist_open`); absent: no, a full event answers 409 `event-full`.
    pub(super) waitlist: Option<bool>,
}

/// What the sign-up came to. The same for an address that had signed up already (it
/// gets a mail instead), so the answer never tells who is signed up.
#[derive(Debug, Object)]
pub(super) struct RegistrationCreated {
    /// `pending`: a mail asks the person to confirm their address (show "check your
    /// inbox"); `confirmed`: signed up (the event does not ask for confirmation);
    /// `waitlisted`: the event is full and the person is on its waitlist (a mail says
    /// so; a place that frees up is offered by mail, in order).
    pub(super) status: SignUpStatusName,
}

/// Where a sign-up stands for the person who sent it.
#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "snake_case")]
pub(super) enum SignUpStatusName {
    Pending,
    Confirmed,
    Waitlisted,
}

impl From<crate::services::registrations::SignUpAnswer> for SignUpStatusName {
    fn from(answer: crate::services::registrations::SignUpAnswer) -> Self {
        use crate::services::registrations::SignUpAnswer;
        match answer {
            SignUpAnswer::Pending => Self::Pending,
            SignUpAnswer::Confirmed => Self::Confirmed,
            SignUpAnswer::Waitlisted => Self::Waitlisted,
        }
    }
}

/// One search result.
#[derive(Debug, Object)]
pub(super) struct SearchResult {
    pub(super) id: Uuid,
    pub(super) kind: KindName,
    /// The locale the item is served (and was found) in.
    pub(super) locale: String,
    pub(super) slug: String,
    pub(super) title: String,
    pub(super) summary: String,
    /// A passage around the matching words, as HTML: the text is escaped and the
    /// matching words are in `<mark>`, so it can be inserted as it is.
    pub(super) snippet: String,
    /// Relevance, higher first; comparable within one response only.
    pub(super) score: f64,
    /// Where the asked site's frontend shows the item; `null` without a site or route.
    #[oai(nullable)]
    pub(super) url: Option<String>,
}

impl From<SearchHit> for SearchResult {
    fn from(hit: SearchHit) -> Self {
        Self {
            id: hit.id.into(),
            kind: hit.kind.into(),
            locale: hit.locale,
            slug: hit.slug,
            title: hit.title,
            summary: hit.summary,
            snippet: hit.snippet,
            score: hit.score,
            url: hit.url,
        }
    }
}

/// A page of search results, best first.
#[derive(Debug, Object)]
pub(super) struct SearchResults {
    pub(super) items: Vec<SearchResult>,
    pub(super) page: PageInfo,
    /// The locales searched, in order.
    pub(super) locales: Vec<String>,
}
