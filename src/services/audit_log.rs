//! Reading the audit log: filtered, newest first, each entry with what a person needs
//! to read it: the item it concerns (kind, id, current title) and the locale, or the
//! current name of the user, token, site, file or webhook. Names are looked up per page, a
//! query per kind of resource on it.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use entity::audit_entry::{self, Column, Entity as AuditLog};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::domain::content::ContentKind;
use crate::error::AppError;
use crate::policy::Action;
use crate::services::kernel::actor::Actor;
use crate::services::kernel::audit::authorize;
use crate::services::pagination::{PageRequest, Paged};
use crate::state::AppState;

/// Filters of the audit log; all optional.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor_id: Option<Uuid>,
    pub action: Option<String>,
    pub resource_kind: Option<String>,
    /// Entries about this content item (or other resource) only.
    pub item: Option<Uuid>,
    /// Entries about this locale (of a translation) only.
    pub locale: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// An entry and the names that make it readable.
#[derive(Debug, Clone)]
pub struct AuditRecord {
    pub entry: audit_entry::Model,
    /// The content item the entry concerns, if any.
    pub item: Option<ItemRef>,
    /// The locale the entry concerns, if any.
    pub locale: Option<String>,
    /// The current name of a user, token, site, file or webhook the entry concerns.
    pub resource_label: Option<String>,
}

/// A content item named by an entry.
#[derive(Debug, Clone)]
pub struct ItemRef {
    pub kind: ContentKind,
    pub id: Uuid,
    /// Its source translation's title now; `None` once it is purged.
    pub title: Option<String>,
}

/// Entries matching `filter`, newest first.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    filter: AuditFilter,
    page: PageRequest,
) -> Result<Paged<AuditRecord>, AppError> {
    authorize(state, actor, Action::ReadAudit, "audit", None).await?;
    let mut query = AuditLog::find();
    if let Some(id) = filter.actor_id {
        query = query.filter(Column::ActorId.eq(id));
    }
    if let Some(action) = filter.action {
        query = query.filter(Column::Action.eq(action));
    }
    if let Some(kind) = filter.resource_kind {
        query = query.filter(Column::ResourceKind.eq(kind));
    }
    if let Some(item) = filter.item {
        query = query.filter(Column::ResourceId.eq(item.to_string()));
    }
    if let Some(locale) = filter.locale {
        // The locale is a detail of the entry, a JSON object each backend reads its way.
        let detail = match state.db.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => "details->>'locale'",
            _ => "json_extract(details, '$.locale')",
        };
        use sea_orm::sea_query::ExprTrait as _;
        query = query.filter(sea_orm::sea_query::Expr::cust(detail).eq(locale));
    }
    if let Some(from) = filter.from {
        query = query.filter(Column::At.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(Column::At.lt(to));
    }
    let paginator = query
        .order_by_desc(Column::Id)
        .paginate(&state.db, page.size);
    let total = paginator.num_items().await?;
    let entries = paginator.fetch_page(page.index()).await?;
    let names = Names::read(state, &entries).await?;
    let records = entries
        .into_iter()
        .map(|entry| names.record(entry))
        .collect();
    Ok(Paged::new(records, total, page))
}

/// `(id, name)` of the rows of `E` with these ids.
async fn names_by_id<E: EntityTrait>(
    state: &AppState,
    id: E::Column,
    name: E::Column,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<Vec<(String, String)>, AppError> {
    let rows: Vec<(Uuid, String)> = E::find()
        .select_only()
        .column(id)
        .column(name)
        .filter(id.is_in(ids))
        .into_tuple()
        .all(&state.db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| (id.to_string(), name))
        .collect())
}

/// The content item an entry concerns: its own resource, a scheduled job's item, or
/// the event of a registration; with its kind when the entry tells it.
fn item_of(entry: &audit_entry::Model) -> Option<(Option<ContentKind>, Uuid)> {
    let detail = |key: &str| {
        entry
            .details
            .get(key)
            .and_then(|v| v.as_str())
            .and_then(|raw| raw.parse::<Uuid>().ok())
    };
    match entry.resource_kind.as_str() {
        "schedule" => Some((None, detail("document")?)),
        "registration" => Some((Some(ContentKind::Event), detail("event")?)),
        other => {
            let kind = other.parse::<ContentKind>().ok()?;
            Some((Some(kind), entry.resource_id.as_deref()?.parse().ok()?))
        }
    }
}

/// Current names of what a page of entries concerns.
#[derive(Default)]
struct Names {
    /// id → (kind, source title).
    items: BTreeMap<Uuid, (ContentKind, String)>,
    /// (resource kind, id) → name.
    labels: BTreeMap<(String, String), String>,
}

impl Names {
    async fn read(state: &AppState, entries: &[audit_entry::Model]) -> Result<Self, AppError> {
        let mut names = Names::default();
        let mut items = BTreeSet::new();
        let mut wanted: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
        for entry in entries {
            if let Some((_, id)) = item_of(entry) {
                items.insert(id);
            }
            if let Some(id) = &entry.resource_id
                && matches!(
                    entry.resource_kind.as_str(),
                    "user" | "token" | "site" | "asset" | "webhook"
                )
            {
                wanted
                    .entry(entry.resource_kind.as_str())
                    .or_default()
                    .insert(id.clone());
            }
        }
        names.read_items(state, items).await?;
        for (kind, ids) in wanted {
            names.read_labels(state, kind, ids).await?;
        }
        Ok(names)
    }

    async fn read_items(&mut self, state: &AppState, ids: BTreeSet<Uuid>) -> Result<(), AppError> {
        if ids.is_empty() {
            return Ok(());
        }
        use entity::document::{Column as D, Entity as Documents};
        use entity::translation::{Column as T, Entity as Translations};
        let documents: Vec<(Uuid, String, String)> = Documents::find()
            .select_only()
            .columns([D::Id, D::Kind, D::SourceLocale])
            .filter(D::Id.is_in(ids.iter().copied()))
            .into_tuple()
            .all(&state.db)
            .await?;
        let titles: Vec<(Uuid, String, String)> = Translations::find()
            .select_only()
            .columns([T::DocumentId, T::Locale, T::Title])
            .filter(T::DocumentId.is_in(ids.iter().copied()))
            .into_tuple()
            .all(&state.db)
            .await?;
        for (id, kind, source) in documents {
            let Ok(kind) = kind.parse::<ContentKind>() else {
                continue;
            };
            let title = titles
                .iter()
                .find(|(doc, locale, _)| *doc == id && *locale == source)
                .map(|(_, _, title)| title.clone())
                .unwrap_or_default();
            self.items.insert(id, (kind, title));
        }
        Ok(())
    }

    async fn read_labels(
        &mut self,
        state: &AppState,
        kind: &str,
        ids: BTreeSet<String>,
    ) -> Result<(), AppError> {
        let uuids = || ids.iter().filter_map(|id| id.parse::<Uuid>().ok());
        let found: Vec<(String, String)> = match kind {
            "user" => {
                use entity::user::{Column as U, Entity as Users};
                let rows: Vec<(Uuid, String, String)> = Users::find()
                    .select_only()
                    .columns([U::Id, U::DisplayName, U::Email])
                    .filter(U::Id.is_in(uuids()))
                    .into_tuple()
                    .all(&state.db)
                    .await?;
                rows.into_iter()
                    .map(|(id, name, email)| (id.to_string(), format!("{name} <{email}>")))
                    .collect()
            }
            "token" => {
                use entity::api_token::{Column, Entity};
                names_by_id::<Entity>(state, Column::Id, Column::Name, uuids()).await?
            }
            "webhook" => {
                use entity::webhook::{Column, Entity};
                names_by_id::<Entity>(state, Column::Id, Column::Name, uuids()).await?
            }
            "asset" => {
                use entity::asset::{Column, Entity};
                names_by_id::<Entity>(state, Column::Id, Column::FileName, uuids()).await?
            }
            _ => {
                use entity::site::{Column as S, Entity as Sites};
                Sites::find()
                    .select_only()
                    .columns([S::Code, S::Name])
                    .filter(S::Code.is_in(ids.iter().cloned()))
                    .into_tuple()
                    .all(&state.db)
                    .await?
            }
        };
        for (id, name) in found {
            self.labels.insert((kind.to_owned(), id), name);
        }
        Ok(())
    }

    fn record(&self, entry: audit_entry::Model) -> AuditRecord {
        // A purged item keeps its id, and its kind when the entry tells it.
        let item = item_of(&entry).and_then(|(kind, id)| match self.items.get(&id) {
            Some((kind, title)) => Some(ItemRef {
                kind: *kind,
                id,
                title: Some(title.clone()),
            }),
            None => kind.map(|kind| ItemRef {
                kind,
                id,
                title: None,
            }),
        });
        let resource_label = entry.resource_id.as_ref().and_then(|id| {
            self.labels
                .get(&(entry.resource_kind.clone(), id.clone()))
                .cloned()
        });
        let locale = entry
            .details
            .get("locale")
            .and_then(|v| v.as_str())
            .map(str::to_owned);
        AuditRecord {
            entry,
            item,
            locale,
            resource_label,
        }
    }
}
