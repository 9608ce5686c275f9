//! `/api/v1/news`, `/events`, `/materials`, `/pages` and `/{kind}/{slug}`: published
//! items, one operation and one schema per kind, so that generated clients get a type
//! per kind and only the filters that kind has.

use poem::Request;
use poem_openapi::param::{Path, Query};
use poem_openapi::types::{ToJSON, Type};
use poem_openapi::{ApiResponse, OpenApi};
use uuid::Uuid;

use super::dto::{
    EventItem, EventList, ListParts, MaterialItem, MaterialList, NewsItem, NewsList, PageItem,
    PageList,
};
use super::params::{self, QueryParams};
use super::respond::{Answer, JsonBytes, Rendered, respond};
use super::{DeliveryErrors, VARY};
use crate::domain::content::ContentKind;
use crate::error::AppError;
use crate::http::ApiTags;
use crate::http::admin::content::dto::MaterialKindName;
use crate::http::problem::ApiError;
use crate::services::delivery::{self, DeliveredItem, ListFilter, Lookup};
use crate::services::pagination::{PageRequest, Paged};
use crate::state::AppState;

pub struct ItemsApi {
    pub state: AppState,
}

#[derive(ApiResponse)]
enum ListResponse<T: Type + Send> {
    /// The items.
    #[oai(status = 200)]
    Ok(
        JsonBytes<T>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Cache-Control")] String,
        #[oai(header = "Vary")] String,
    ),
    /// Unchanged since the `If-None-Match` ETag.
    #[oai(status = 304)]
    NotModified(
        #[oai(header = "ETag")] String,
        #[oai(header = "Cache-Control")] String,
        #[oai(header = "Vary")] String,
    ),
}

#[derive(ApiResponse)]
enum ItemResponse<T: Type + Send> {
    /// The item.
    #[oai(status = 200)]
    Ok(
        JsonBytes<T>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Cache-Control")] String,
        #[oai(header = "Vary")] String,
    ),
    /// The slug changed: `Location` has the current one.
    #[oai(status = 301)]
    Moved(
        #[oai(header = "Location")] String,
        #[oai(header = "Cache-Control")] String,
        #[oai(header = "Vary")] String,
    ),
    /// Unchanged since the `If-None-Match` ETag.
    #[oai(status = 304)]
    NotModified(
        #[oai(header = "ETag")] String,
        #[oai(header = "Cache-Control")] String,
        #[oai(header = "Vary")] String,
    ),
}

type ListResult<T> = Result<ListResponse<T>, ApiError<DeliveryErrors>>;
type ItemResult<T> = Result<ItemResponse<T>, ApiError<DeliveryErrors>>;

/// Which events, by date.
#[derive(Debug, Clone, Copy, poem_openapi::Enum)]
#[oai(rename_all = "lowercase")]
enum When {
    /// Not over yet (the default): upcoming and running.
    Upcoming,
    /// Over.
    Past,
    /// Both.
    All,
}

impl From<When> for delivery::When {
    fn from(when: When) -> Self {
        match when {
            When::Upcoming => Self::Upcoming,
            When::Past => Self::Past,
            When::All => Self::All,
        }
    }
}

/// A list's filters as the query spells them; parsed into a [`ListFilter`] where the
/// list is read, after the reader is known (a bad token is 401 before a bad filter is
/// 400, and bad filters count against the address's limit).
#[derive(Default)]
struct ListQuery {
    country: Option<String>,
    tag: Option<String>,
    when: Option<When>,
    language: Option<String>,
    event: Option<Uuid>,
    material_kind: Option<MaterialKindName>,
}

impl ListQuery {
    fn parse(self, state: &AppState) -> Result<ListFilter, AppError> {
        Ok(ListFilter {
            country: params::country(self.country)?,
            tag: self.tag,
            when: self.when.map(Into::into).unwrap_or_default(),
            language: params::language(state, self.language)?,
            event: self.event.map(Into::into),
            material_kind: self.material_kind.map(Into::into),
        })
    }
}

/// How a page of delivered items becomes a kind's list body.
type MakeList<L> = fn(Paged<DeliveredItem>, Vec<String>, ListParts, &str) -> L;

/// The reading shared by every kind: parameters checked, the cache, rendering.
impl ItemsApi {
    async fn list_of<L: ToJSON + Type + Send>(
        &self,
        req: &Request,
        kind: ContentKind,
        filter: ListQuery,
        fields: Option<String>,
        page: (Option<u64>, Option<u64>),
        make: MakeList<L>,
    ) -> ListResult<L> {
        let params = QueryParams::of(req);
        params.check_read(kind, false)?;
        let parts = ListParts::parse(fields.as_deref())
            .map_err(|message| AppError::invalid_parameter("fields", message))?;
        let page = PageRequest::parse(page.0, page.1, &self.state.settings.api)?;
        let state = &self.state;
        let answer: Answer = respond(state, req, &params, |audience| async move {
            let filter = filter.parse(state)?;
            let needs = delivery::Parts {
                texts: parts.body || parts.seo,
                locales: parts.locales,
            };
            let paged = delivery::list(state, &audience, kind, filter, page, needs).await?;
            let reads = delivery::reads::of_list(&audience, kind, parts.locales);
            let locales = audience.locales.iter().map(ToString::to_string).collect();
            let files_base = state.settings.server.files_base();
            Ok(Rendered::Body(
                make(paged, locales, parts, files_base),
                reads,
            ))
        })
        .await?;
        Ok(body_or_not_modified!(answer, ListResponse))
    }

    async fn get_of<T: ToJSON + Type + Send>(
        &self,
        req: &Request,
        kind: ContentKind,
        slug: &str,
        make: fn(DeliveredItem, &str) -> T,
    ) -> ItemResult<T> {
        let params = QueryParams::of(req);
        params.check_read(kind, true)?;
        let state = &self.state;
        let answer = respond(state, req, &params, |audience| async move {
            Ok(match delivery::get(state, &audience, kind, slug).await? {
                Lookup::Found(item) => {
                    let reads = delivery::reads::of_item(&audience, &item, slug);
                    Rendered::Body(make(*item, state.settings.server.files_base()), reads)
                }
                Lookup::MovedTo(current) => {
                    let query = req
                        .uri()
                        .query()
                        .map(|q| format!("?{q}"))
                        .unwrap_or_default();
                    Rendered::Moved(format!("/api/v1/{}/{current}{query}", kind.plural()))
                }
            })
        })
        .await?;
        Ok(match answer {
            Answer::Body {
                body,
                etag,
                cache_control,
            } => ItemResponse::Ok(JsonBytes::new(body), etag, cache_control, VARY.into()),
            Answer::NotModified {
                etag,
                cache_control,
            } => ItemResponse::NotModified(etag, cache_control, VARY.into()),
            // With the content's Cache-Control, for CDNs (this cache keeps bodies only):
            // a later publish may give the slug to another item.
            Answer::Moved {
                location,
                cache_control,
            } => ItemResponse::Moved(location, cache_control, VARY.into()),
        })
    }
}

// Each query parameter is an argument, so that the spec declares it with its type. The
// shared ones (`site`, `locale`, `fallback`, `preview`) are read from the query string
// by `QueryParams`, which also refuses parameters an operation does not declare.
#[allow(clippy::too_many_arguments)]
#[OpenApi(tag = "ApiTags::Delivery")]
impl ItemsApi {
    /// List published news items, newest first.
    ///
    /// Each item comes in the first locale of the chain it has: name a site
    /// (`?site=be`: its default locale, fallback chain and countries) or give `locale`
    /// and `fallback`. Unknown parameters are refused (400).
    #[oai(path = "/api/v1/news", method = "get", operation_id = "news_list")]
    async fn news_list(
        &self,
        req: &Request,
        /// A site code, e.g. `be`: its default locale, fallback chain and countries. A
        /// token bound to a site reads that site by default, and only it.
        #[oai(name = "site")]
        _site: Query<Option<String>>,
        /// The locale to serve first (a configured locale, e.g. `fr`), instead of the
        /// site's default.
        #[oai(name = "locale")]
        _locale: Query<Option<String>>,
        /// The locales to fall back to, in order, comma-separated (e.g. `nl,en`),
        /// instead of the site's chain.
        #[oai(name = "fallback")]
        _fallback: Query<Option<String>>,
        /// With a preview token: show drafts as publishing would (`Cache-Control:
        /// no-store`).
        #[oai(name = "preview")]
        _preview: Query<Option<bool>>,
        /// Items concerning this EU member state (ISO code, e.g. `BE`), and EU-wide ones.
        country: Query<Option<String>>,
        /// Items with this tag.
        tag: Query<Option<String>>,
        /// Parts to add to each item, comma-separated: `body` (Markdown and HTML),
        /// `seo` (SEO title and description), `locales` (every locale with its slug, and
        /// `alternates`). Without it items carry what a list shows.
        fields: Query<Option<String>>,
        /// The page, from 1.
        page: Query<Option<u64>>,
        /// Items per page (default `api.default_page_size`, at most `api.max_page_size`).
        per_page: Query<Option<u64>>,
    ) -> ListResult<NewsList> {
        let filter = ListQuery {
            country: country.0,
            tag: tag.0,
            ..ListQuery::default()
        };
        self.list_of(
            req,
            ContentKind::News,
            filter,
            fields.0,
            (page.0, per_page.0),
            NewsList::of,
        )
        .await
    }

    /// One published news item by its slug in any locale of the chain.
    ///
    /// A slug the item had before answers 301 to the current one.
    #[oai(path = "/api/v1/news/:slug", method = "get", operation_id = "news_get")]
    async fn news_get(
        &self,
        req: &Request,
        /// The item's slug in any locale of the chain.
        slug: Path<String>,
        /// A site code, e.g. `be`: its default locale, fallback chain and countries. A
        /// token bound to a site reads that site by default, and only it.
        #[oai(name = "site")]
        _site: Query<Option<String>>,
        /// The locale to serve first (a configured locale, e.g. `fr`), instead of the
        /// site's default.
        #[oai(name = "locale")]
        _locale: Query<Option<String>>,
        /// The locales to fall back to, in order, comma-separated (e.g. `nl,en`),
        /// instead of the site's chain.
        #[oai(name = "fallback")]
        _fallback: Query<Option<String>>,
        /// With a preview token: show drafts as publishing would (`Cache-Control:
        /// no-store`).
        #[oai(name = "preview")]
        _preview: Query<Option<bool>>,
    ) -> ItemResult<NewsItem> {
        self.get_of(req, ContentKind::News, &slug.0, NewsItem::of)
            .await
    }

    /// List published events, by start.
    ///
    /// Each with its computed `status`, whether registration is open, and its linked
    /// materials. Name a site (`?site=be`) or give `locale` and `fallback`. Unknown
    /// parameters are refused (400).
    #[oai(path = "/api/v1/events", method = "get", operation_id = "events_list")]
    async fn events_list(
        &self,
        req: &Request,
        /// A site code, e.g. `be`: its default locale, fallback chain and countries. A
        /// token bound to a site reads that site by default, and only it.
        #[oai(name = "site")]
        _site: Query<Option<String>>,
        /// The locale to serve first (a configured locale, e.g. `fr`), instead of the
        /// site's default.
        #[oai(name = "locale")]
        _locale: Query<Option<String>>,
        /// The locales to fall back to, in order, comma-separated (e.g. `nl,en`),
        /// instead of the site's chain.
        #[oai(name = "fallback")]
        _fallback: Query<Option<String>>,
        /// With a preview token: show drafts as publishing would (`Cache-Control:
        /// no-store`).
        #[oai(name = "preview")]
        _preview: Query<Option<bool>>,
        /// Events in this EU member state (ISO code, e.g. `BE`).
        country: Query<Option<String>>,
        /// Events with this tag.
        tag: Query<Option<String>>,
        /// By date; `upcoming` (the default) includes those running now.
        when: Query<Option<When>>,
        /// Held in this language (a configured locale).
        language: Query<Option<String>>,
        /// Parts to add to each item, comma-separated: `body`, `seo`, `locales`.
        fields: Query<Option<String>>,
        /// The page, from 1.
        page: Query<Option<u64>>,
        /// Items per page (default `api.default_page_size`, at most `api.max_page_size`).
        per_page: Query<Option<u64>>,
    ) -> ListResult<EventList> {
        let filter = ListQuery {
            country: country.0,
            tag: tag.0,
            when: when.0,
            language: language.0,
            ..ListQuery::default()
        };
        self.list_of(
            req,
            ContentKind::Event,
            filter,
            fields.0,
            (page.0, per_page.0),
            EventList::of,
        )
        .await
    }

    /// One published event by its slug in any locale of the chain.
    ///
    /// A slug the event had before answers 301 to the current one.
    #[oai(
        path = "/api/v1/events/:slug",
        method = "get",
        operation_id = "events_get"
    )]
    async fn events_get(
        &self,
        req: &Request,
        /// The event's slug in any locale of the chain.
        slug: Path<String>,
        /// A site code, e.g. `be`: its default locale, fallback chain and countries. A
        /// token bound to a site reads that site by default, and only it.
        #[oai(name = "site")]
        _site: Query<Option<String>>,
        /// The locale to serve first (a configured locale, e.g. `fr`), instead of the
        /// site's default.
        #[oai(name = "locale")]
        _locale: Query<Option<String>>,
        /// The locales to fall back to, in order, comma-separated (e.g. `nl,en`),
        /// instead of the site's chain.
        #[oai(name = "fallback")]
        _fallback: Query<Option<String>>,
        /// With a preview token: show drafts as publishing would (`Cache-Control:
        /// no-store`).
        #[oai(name = "preview")]
        _preview: Query<Option<bool>>,
    ) -> ItemResult<EventItem> {
        self.get_of(req, ContentKind::Event, &slug.0, EventItem::of)
            .await
    }

    /// List published materials (presentations, reports, guides...).
    ///
    /// Name a site (`?site=be`) or give `locale` and `fallback`. Unknown parameters
    /// are refused (400).
    #[oai(
        path = "/api/v1/materials",
        method = "get",
        operation_id = "materials_list"
    )]
    async fn materials_list(
        &self,
        req: &Request,
        /// A site code, e.g. `be`: its default locale, fallback chain and countries. A
        /// token bound to a site reads that site by default, and only it.
        #[oai(name = "site")]
        _site: Query<Option<String>>,
        /// The locale to serve first (a configured locale, e.g. `fr`), instead of the
        /// site's default.
        #[oai(name = "locale")]
        _locale: Query<Option<String>>,
        /// The locales to fall back to, in order, comma-separated (e.g. `nl,en`),
        /// instead of the site's chain.
        #[oai(name = "fallback")]
        _fallback: Query<Option<String>>,
        /// With a preview token: show drafts as publishing would (`Cache-Control:
        /// no-store`).
        #[oai(name = "preview")]
        _preview: Query<Option<bool>>,
        /// Those linked from this event, in the event's order.
        event: Query<Option<Uuid>>,
        /// Of this kind.
        #[oai(name = "kind")]
        material_kind: Query<Option<MaterialKindName>>,
        /// Parts to add to each item, comma-separated: `body`, `seo`, `locales`.
        fields: Query<Option<String>>,
        /// The page, from 1.
        page: Query<Option<u64>>,
        /// Items per page (default `api.default_page_size`, at most `api.max_page_size`).
        per_page: Query<Option<u64>>,
    ) -> ListResult<MaterialList> {
        let filter = ListQuery {
            event: event.0,
            material_kind: material_kind.0,
            ..ListQuery::default()
        };
        self.list_of(
            req,
            ContentKind::Material,
            filter,
            fields.0,
            (page.0, per_page.0),
            MaterialList::of,
        )
        .await
    }

    /// One published material by its slug in any locale of the chain.
    ///
    /// A slug the material had before answers 301 to the current one.
    #[oai(
        path = "/api/v1/materials/:slug",
        method = "get",
        operation_id = "materials_get"
    )]
    async fn materials_get(
        &self,
        req: &Request,
        /// The material's slug in any locale of the chain.
        slug: Path<String>,
        /// A site code, e.g. `be`: its default locale, fallback chain and countries. A
        /// token bound to a site reads that site by default, and only it.
        #[oai(name = "site")]
        _site: Query<Option<String>>,
        /// The locale to serve first (a configured locale, e.g. `fr`), instead of the
        /// site's default.
        #[oai(name = "locale")]
        _locale: Query<Option<String>>,
        /// The locales to fall back to, in order, comma-separated (e.g. `nl,en`),
        /// instead of the site's chain.
        #[oai(name = "fallback")]
        _fallback: Query<Option<String>>,
        /// With a preview token: show drafts as publishing would (`Cache-Control:
        /// no-store`).
        #[oai(name = "preview")]
        _preview: Query<Option<bool>>,
    ) -> ItemResult<MaterialItem> {
        self.get_of(req, ContentKind::Material, &slug.0, MaterialItem::of)
            .await
    }

    /// List published pages in navigation order.
    ///
    /// Every page with its `parent_id` and `position`, from which the tree is built.
    /// Name a site (`?site=be`) or give `locale` and `fallback`. Unknown parameters
    /// are refused (400).
    #[oai(path = "/api/v1/pages", method = "get", operation_id = "pages_list")]
    async fn pages_list(
        &self,
        req: &Request,
        /// A site code, e.g. `be`: its default locale, fallback chain and countries. A
        /// token bound to a site reads that site by default, and only it.
        #[oai(name = "site")]
        _site: Query<Option<String>>,
        /// The locale to serve first (a configured locale, e.g. `fr`), instead of the
        /// site's default.
        #[oai(name = "locale")]
        _locale: Query<Option<String>>,
        /// The locales to fall back to, in order, comma-separated (e.g. `nl,en`),
        /// instead of the site's chain.
        #[oai(name = "fallback")]
        _fallback: Query<Option<String>>,
        /// With a preview token: show drafts as publishing would (`Cache-Control:
        /// no-store`).
        #[oai(name = "preview")]
        _preview: Query<Option<bool>>,
        /// Parts to add to each item, comma-separated: `body`, `seo`, `locales`.
        fields: Query<Option<String>>,
        /// The page, from 1.
        page: Query<Option<u64>>,
        /// Items per page (default `api.default_page_size`, at most `api.max_page_size`).
        per_page: Query<Option<u64>>,
    ) -> ListResult<PageList> {
        self.list_of(
            req,
            ContentKind::Page,
            ListQuery::default(),
            fields.0,
            (page.0, per_page.0),
            PageList::of,
        )
        .await
    }

    /// One published page by its slug in any locale of the chain.
    ///
    /// A slug the page had before answers 301 to the current one.
    #[oai(
        path = "/api/v1/pages/:slug",
        method = "get",
        operation_id = "pages_get"
    )]
    async fn pages_get(
        &self,
        req: &Request,
        /// The page's slug in any locale of the chain.
        slug: Path<String>,
        /// A site code, e.g. `be`: its default locale, fallback chain and countries. A
        /// token bound to a site reads that site by default, and only it.
        #[oai(name = "site")]
        _site: Query<Option<String>>,
        /// The locale to serve first (a configured locale, e.g. `fr`), instead of the
        /// site's default.
        #[oai(name = "locale")]
        _locale: Query<Option<String>>,
        /// The locales to fall back to, in order, comma-separated (e.g. `nl,en`),
        /// instead of the site's chain.
        #[oai(name = "fallback")]
        _fallback: Query<Option<String>>,
        /// With a preview token: show drafts as publishing would (`Cache-Control:
        /// no-store`).
        #[oai(name = "preview")]
        _preview: Query<Option<bool>>,
    ) -> ItemResult<PageItem> {
        self.get_of(req, ContentKind::Page, &slug.0, PageItem::of)
            .await
    }
}
