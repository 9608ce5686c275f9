//! Where items live on the asked site's frontend: absolute URLs from the site's routes,
//! with page paths (`{path}`) built from the page tree in each locale.

use entity::ids::ItemId;
use std::collections::BTreeMap;

use entity::published_translation::{Column, Entity as Published};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::Value;

use super::Audience;
use super::rows::{rows, shown};
use crate::domain::content::ContentKind;
use crate::domain::routes::{SiteRoutes, Target};
use crate::error::AppError;
use crate::state::AppState;

/// Pages as the reader sees them, by id and locale: each one's slug and parent.
#[derive(Debug, Default)]
pub(super) struct PageTree(BTreeMap<(ItemId, String), (String, Option<ItemId>)>);

impl PageTree {
    /// Deeper trees than this are not navigation; a cycle ends here too.
    const MAX_DEPTH: usize = 32;

    pub(super) fn insert(
        &mut self,
        id: ItemId,
        locale: String,
        slug: String,
        parent: Option<ItemId>,
    ) {
        self.0.insert((id, locale), (slug, parent));
    }

    /// The slugs from the root page down to `id`, joined by `/`; `None` when a page on
    /// the way has no slug in `locale` (it is not shown in that locale).
    pub(super) fn path(&self, id: ItemId, locale: &str) -> Option<String> {
        let mut slugs = Vec::new();
        let mut current = Some(id);
        while let Some(page) = current {
            if slugs.len() == Self::MAX_DEPTH {
                return None;
            }
            let (slug, parent) = self.0.get(&(page, locale.to_owned()))?;
            slugs.push(slug.as_str());
            current = *parent;
        }
        slugs.reverse();
        Some(slugs.join("/"))
    }
}

/// The published pages the audience's site shows in `locales`: ids, slugs and parents
/// only, in one query.
async fn published_pages(
    state: &AppState,
    audience: &Audience,
    locales: &[String],
) -> Result<PageTree, AppError> {
    let found: Vec<(ItemId, String, String, Option<ItemId>, Value)> = Published::find()
        .select_only()
        .columns([
            Column::DocumentId,
            Column::Locale,
            Column::Slug,
            Column::ParentId,
            Column::Countries,
        ])
        .filter(Column::Kind.eq(ContentKind::Page))
        .filter(Column::Locale.is_in(locales.iter().cloned()))
        .into_tuple()
        .all(&state.db)
        .await?;
    let mut tree = PageTree::default();
    for (id, locale, slug, parent, countries) in found {
        if shown(audience, &countries) {
            tree.insert(id, locale, slug, parent);
        }
    }
    Ok(tree)
}

/// Makes the URLs of items of one kind on the audience's site.
#[derive(Debug, Default)]
pub(super) struct Links {
    routes: SiteRoutes,
    pages: PageTree,
}

impl Links {
    /// For `kind`; pages read the page tree when a route uses `{path}`.
    pub(super) async fn load(
        state: &AppState,
        audience: &Audience,
        kind: ContentKind,
    ) -> Result<Self, AppError> {
        let mut links = Self::new(audience.routes.clone(), PageTree::default());
        let Some(site) = &audience.site else {
            return Ok(links);
        };
        if kind == ContentKind::Page && links.routes.uses_path(kind) {
            let locales: Vec<String> = site.locales.iter().map(ToString::to_string).collect();
            if audience.preview {
                for row in rows(state, kind, audience, Some(&locales), None, None).await? {
                    links
                        .pages
                        .insert(row.document_id, row.locale, row.slug, row.parent_id);
                }
            } else {
                links.pages = published_pages(state, audience, &locales).await?;
            }
        }
        Ok(links)
    }

    pub(super) fn new(routes: SiteRoutes, pages: PageTree) -> Self {
        Self { routes, pages }
    }

    /// The item's URL in `locale`, where the site has a route for it.
    pub(super) fn url(
        &self,
        kind: ContentKind,
        id: ItemId,
        locale: &str,
        slug: &str,
    ) -> Option<String> {
        if self.routes.is_empty() {
            return None;
        }
        let path = if kind == ContentKind::Page {
            self.pages.path(id, locale)
        } else {
            None
        };
        self.routes.url(Target {
            kind,
            locale,
            id: &id.to_string(),
            slug,
            path: path.as_deref(),
        })
    }

    /// Each `(locale, slug)` the item is published in that has a URL, as `(locale, url)`.
    pub(super) fn alternates(
        &self,
        kind: ContentKind,
        id: ItemId,
        locales: &[(String, String)],
    ) -> Vec<(String, String)> {
        locales
            .iter()
            .filter_map(|(locale, slug)| {
                self.url(kind, id, locale, slug)
                    .map(|url| (locale.clone(), url))
            })
            .collect()
    }
}

/// The URLs on `site` of an item's translations `(locale, slug)` (for webhooks: the
/// pages a frontend should rebuild). Pages under a `{path}` route need their live tree,
/// so a page that is no longer live there has no URL to give.
pub async fn site_urls(
    state: &AppState,
    site: &crate::services::sites::Site,
    kind: ContentKind,
    id: ItemId,
    translations: &[(String, String)],
) -> Result<Vec<String>, AppError> {
    let audience = Audience {
        locales: std::iter::once(site.default_locale.clone())
            .chain(site.fallback.iter().cloned())
            .collect(),
        site_countries: site.countries.clone(),
        preview: false,
        preview_only: None,
        routes: site.item_routes(),
        site: Some(site.clone()),
    };
    let links = Links::load(state, &audience, kind).await?;
    let mut urls: Vec<String> = translations
        .iter()
        .filter_map(|(locale, slug)| links.url(kind, id, locale, slug))
        .collect();
    urls.dedup();
    Ok(urls)
}
