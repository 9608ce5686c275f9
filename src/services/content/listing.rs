//! Finding items: the admin list's filters (workflow status, locale, country, the
//! caller's scope, tag, author, words of a title) and the summaries it shows; the
//! filters are shared with the board and the event desk.

use entity::document::{self, Column, Entity as Documents};
use entity::ids::{ActorId, ItemId};
use entity::published_translation::{self, Entity as Published};
use entity::schedule::{self, Entity as Schedules};
use entity::translation::{self, Entity as Translations};
use sea_orm::sea_query::{Expr, ExprTrait as _, Func, Query, SelectStatement, SimpleExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Select,
};

use super::load;
use super::view::ItemSummary;
use crate::domain::content::ContentKind;
use crate::domain::{CountryCode, Locale};
use crate::error::AppError;
use crate::policy::Action;
use crate::services::kernel::actor::Actor;
use crate::services::kernel::audit;
use crate::services::pagination::{PageRequest, Paged};
use crate::state::AppState;

/// Where an item stands in the editorial workflow, for list filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// No translation is live.
    Draft,
    /// At least one translation is live.
    Published,
    /// A live translation's draft, or the neutral fields, changed since publishing.
    Changed,
    /// A publish or unpublish is scheduled.
    Scheduled,
    Trashed,
}

#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    pub locale: Option<String>,
    pub status: Option<Status>,
    pub country: Option<String>,
    pub tag: Option<String>,
    pub author: Option<ActorId>,
    /// Words in a title, any locale, case-insensitive.
    pub q: Option<String>,
    /// Only items of the caller's countries and EU-wide ones (every item for a scope of
    /// all countries).
    pub in_scope: bool,
}

/// Items of `kind`, most recently changed first.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    kind: ContentKind,
    filter: ItemFilter,
    page: PageRequest,
) -> Result<Paged<ItemSummary>, AppError> {
    audit::authorize(state, actor, Action::ReadContent, kind.as_str(), None).await?;
    let query = filtered(state, actor, kind, &filter)?;
    let paginator = query
        .order_by_desc(Column::UpdatedAt)
        .order_by_desc(Column::Id)
        .paginate(&state.db, page.size);
    let total = paginator.num_items().await?;
    let documents = paginator.fetch_page(page.index()).await?;
    let items = summaries(&state.db, kind, documents).await?;
    Ok(Paged::new(items, total, page))
}

/// The items of `kind` that `filter` keeps.
fn filtered(
    state: &AppState,
    actor: &Actor,
    kind: ContentKind,
    filter: &ItemFilter,
) -> Result<Select<Documents>, AppError> {
    let mut query = by_status(
        Documents::find().filter(Column::Kind.eq(kind)),
        filter.status,
    );
    if let Some(raw) = &filter.locale {
        let locale = Locale::parse(raw, &state.settings.content.locales)
            .map_err(|m| AppError::invalid_parameter("locale", m))?;
        let written_in = translations_where(translation::Column::Locale.eq(locale.as_str()));
        query = query.filter(Column::Id.in_subquery(written_in));
    }
    if let Some(condition) = of_country(filter.country.as_deref())? {
        query = query.filter(condition);
    }
    if filter.in_scope
        && let Some(mine) = in_scope(actor)
    {
        query = query.filter(mine);
    }
    if let Some(condition) = with_tag(filter.tag.as_deref())? {
        query = query.filter(condition);
    }
    if let Some(author) = filter.author {
        query = query.filter(Column::CreatedBy.eq(author));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pattern = format!("%{}%", q.to_lowercase().replace(['%', '_'], ""));
        let titled = translations_where(
            Expr::expr(Func::lower(Expr::col(translation::Column::Title))).like(pattern),
        );
        query = query.filter(Column::Id.in_subquery(titled));
    }
    Ok(query)
}

/// The ids of items with a translation where `condition` holds.
fn translations_where(condition: SimpleExpr) -> SelectStatement {
    Query::select()
        .column(translation::Column::DocumentId)
        .from(Translations)
        .and_where(condition)
        .to_owned()
}

/// Items in the trash, or not; then where they stand in the workflow.
fn by_status(query: Select<Documents>, status: Option<Status>) -> Select<Documents> {
    let query = match status {
        Some(Status::Trashed) => query.filter(Column::DeletedAt.is_not_null()),
        _ => query.filter(Column::DeletedAt.is_null()),
    };
    let published_ids = Query::select()
        .column(published_translation::Column::DocumentId)
        .from(Published)
        .to_owned();
    match status {
        Some(Status::Draft) => query.filter(Column::Id.not_in_subquery(published_ids)),
        Some(Status::Published) => query.filter(Column::Id.in_subquery(published_ids)),
        Some(Status::Changed) => query.filter(Expr::cust(
            "documents.id IN (SELECT p.document_id FROM published_translations p \
             JOIN translations t ON t.document_id = p.document_id AND t.locale = p.locale \
             WHERE p.draft_version <> t.version) \
             OR documents.id IN (SELECT p.document_id FROM published_translations p \
             WHERE p.document_version <> documents.version)",
        )),
        Some(Status::Scheduled) => query.filter(
            Column::Id.in_subquery(
                Query::select()
                    .column(schedule::Column::DocumentId)
                    .from(Schedules)
                    .and_where(schedule::Column::DoneAt.is_null())
                    .to_owned(),
            ),
        ),
        Some(Status::Trashed) | None => query,
    }
}

/// A page of items as the list shows them: two queries for the whole page, not two per
/// item.
async fn summaries(
    db: &impl ConnectionTrait,
    kind: ContentKind,
    documents: Vec<document::Model>,
) -> Result<Vec<ItemSummary>, AppError> {
    let ids: Vec<ItemId> = documents.iter().map(|d| d.id).collect();
    let drafts = Translations::find()
        .filter(translation::Column::DocumentId.is_in(ids.clone()))
        .order_by_asc(translation::Column::Locale)
        .all(db)
        .await?;
    let lives = Published::find()
        .filter(published_translation::Column::DocumentId.is_in(ids))
        .all(db)
        .await?;
    documents
        .into_iter()
        .map(|doc| {
            let translations = drafts
                .iter()
                .filter(|t| t.document_id == doc.id)
                .map(|t| {
                    let live = lives
                        .iter()
                        .find(|l| l.document_id == doc.id && l.locale == t.locale);
                    let changed = live.is_some_and(|l| {
                        l.draft_version != t.version || l.document_version != doc.version
                    });
                    let (title, slug) = (t.title.clone(), t.slug.clone());
                    (t.locale.clone(), title, slug, live.is_some(), changed)
                })
                .collect();
            Ok(ItemSummary {
                id: doc.id,
                kind,
                countries: load::countries(&doc)?,
                tags: load::tags(&doc)?,
                created_by: doc.created_by,
                updated_at: doc.updated_at,
                deleted_at: doc.deleted_at,
                translations,
            })
        })
        .collect()
}

/// Items of the actor's countries and EU-wide ones; `None` for a scope of all countries.
pub(super) fn in_scope(actor: &Actor) -> Option<SimpleExpr> {
    let scope = &actor.principal.scope;
    if scope.has_all_countries() {
        return None;
    }
    // Country codes are two capital letters, so the patterns need no escaping.
    let mine: Vec<String> = scope
        .countries
        .iter()
        .map(|c| format!("CAST(documents.countries AS TEXT) LIKE '%\"{c}\"%'"))
        .collect();
    Some(Expr::cust(format!(
        "(CAST(documents.countries AS TEXT) = '[]' OR {})",
        mine.join(" OR ")
    )))
}

/// Items concerning the country `raw`, if given.
pub(super) fn of_country(raw: Option<&str>) -> Result<Option<SimpleExpr>, AppError> {
    let Some(raw) = raw else { return Ok(None) };
    let country = CountryCode::parse(raw).map_err(|m| AppError::invalid_parameter("country", m))?;
    // Country codes are two capital letters, so the pattern needs no escaping.
    Ok(Some(Expr::cust(format!(
        "CAST(documents.countries AS TEXT) LIKE '%\"{country}\"%'"
    ))))
}

/// Items with the tag `raw`, if given.
pub(super) fn with_tag(raw: Option<&str>) -> Result<Option<SimpleExpr>, AppError> {
    let Some(raw) = raw else { return Ok(None) };
    let tag = parse_tag(raw).map_err(|m| AppError::invalid_parameter("tag", m))?;
    // Tags are lower-case letters, digits and hyphens: no escaping needed either.
    Ok(Some(Expr::cust(format!(
        "CAST(documents.tags AS TEXT) LIKE '%\"{tag}\"%'"
    ))))
}

pub(super) fn parse_tag(raw: &str) -> Result<String, String> {
    let tag = raw.trim().to_lowercase();
    let valid = (1..=50).contains(&tag.len())
        && tag
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if valid {
        Ok(tag)
    } else {
        Err("tags are 1 to 50 lower-case letters, digits and hyphens (e.g. srpp, training)".into())
    }
}
