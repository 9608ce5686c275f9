//! Revisions: a snapshot at every saved draft, change of neutral fields, publish,
//! unpublish and restore. Any two can be compared field by field; any one can be
//! restored, which makes a new draft.

use chrono::{DateTime, Utc};
use entity::document::{self, Column as DocumentColumn, Entity as Documents};
use entity::ids::{ActorId, ItemId, RevisionId};
use entity::revision::{self, Column, Entity as Revisions};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::{Map, Value, json};

use super::history::{RevisionAction, record_fields};
use super::item_view;
use super::load;
use super::schedules::{self, ScheduleChoice};
use super::translations::{self, TranslationInput};
use super::view::{Item, RevisionSummary};
use crate::domain::Locale;
use crate::domain::content::{ContentKind, ItemFields};
use crate::error::AppError;
use crate::policy::Action;
use crate::services::kernel::actor::Actor;
use crate::services::kernel::audit::{self, AuditAction, Event};
use crate::services::kernel::unit_of_work::UnitOfWork;
use crate::services::pagination::{PageRequest, Paged};
use crate::state::AppState;

/// One revision with its snapshot, and what changed against another.
#[derive(Debug, Clone)]
pub struct RevisionDetail {
    pub summary: RevisionSummary,
    pub snapshot: Value,
    /// The revision compared against (by default the previous one of the same locale).
    pub compared_to: Option<RevisionId>,
    /// `(field, before, after)` for every field that differs.
    pub changes: Vec<(String, Value, Value)>,
}

/// The item's revisions, newest first.
pub async fn list_revisions(
    state: &AppState,
    actor: &Actor,
    kind: ContentKind,
    id: ItemId,
    page: PageRequest,
) -> Result<Paged<RevisionSummary>, AppError> {
    load::document(&state.db, kind, id).await?;
    audit::authorize(
        state,
        actor,
        Action::ReadContent,
        kind.as_str(),
        Some(id.to_string()),
    )
    .await?;
    let paginator = Revisions::find()
        .filter(Column::DocumentId.eq(id))
        .order_by_desc(Column::Id)
        .paginate(&state.db, page.size);
    let total = paginator.num_items().await?;
    let items = paginator.fetch_page(page.index()).await?;
    let people =
        crate::services::people::names(&state.db, items.iter().filter_map(|r| r.created_by))
            .await?;
    Ok(Paged::new(items, total, page).map(|model| summary(model, &people)))
}

/// One revision, compared with `compare_to` or else the previous one of the same locale.
pub async fn read_revision(
    state: &AppState,
    actor: &Actor,
    kind: ContentKind,
    id: ItemId,
    revision: RevisionId,
    compare_to: Option<RevisionId>,
) -> Result<RevisionDetail, AppError> {
    load::document(&state.db, kind, id).await?;
    audit::authorize(
        state,
        actor,
        Action::ReadContent,
        kind.as_str(),
        Some(id.to_string()),
    )
    .await?;
    let found = find(&state.db, id, revision).await?;
    let other = match compare_to {
        Some(other) => Some(find(&state.db, id, other).await?),
        None => {
            let mut previous = Revisions::find()
                .filter(Column::DocumentId.eq(id))
                .filter(Column::Id.lt(revision))
                .order_by_desc(Column::Id);
            previous = match &found.locale {
                Some(locale) => previous.filter(Column::Locale.eq(locale.as_str())),
                None => previous.filter(Column::Locale.is_null()),
            };
            previous.one(&state.db).await?
        }
    };
    let changes = diff(other.as_ref().map(|o| &o.snapshot), &found.snapshot);
    let people = crate::services::people::names(&state.db, found.created_by).await?;
    Ok(RevisionDetail {
        compared_to: other.map(|o| o.id),
        snapshot: found.snapshot.clone(),
        summary: summary(found, &people),
        changes,
    })
}

/// Makes a revision's content the current draft (or neutral fields) again.
///
/// Restoring is a save like any other: a pending scheduled publication of what it
/// replaces needs `schedule` to say what happens to it (see [`super::schedules`]).
pub async fn restore_revision(
    state: &AppState,
    actor: &Actor,
    kind: ContentKind,
    id: ItemId,
    revision: RevisionId,
    schedule: Option<ScheduleChoice>,
) -> Result<Item, AppError> {
    let document = load::live_document(&state.db, kind, id).await?;
    let found = find(&state.db, id, revision).await?;
    if found.action == RevisionAction::Unpublish {
        return Err(AppError::Conflict(
            "an unpublish revision has no content to restore; pick a draft or publish revision"
                .into(),
        ));
    }
    let restoring = Restoring {
        state,
        actor,
        kind,
        document: &document,
        revision: &found,
        schedule,
    };
    match &found.locale {
        Some(locale) => restoring.text(Locale::from_stored(locale.clone())).await?,
        None => restoring.details().await?,
    }
    item_view::item(state, load::document(&state.db, kind, id).await?).await
}

/// One restore under way: who restores which revision of which item, and what happens
/// to pending schedules.
struct Restoring<'a> {
    state: &'a AppState,
    actor: &'a Actor,
    kind: ContentKind,
    document: &'a document::Model,
    revision: &'a revision::Model,
    schedule: Option<ScheduleChoice>,
}

impl Restoring<'_> {
    /// A translation's text becomes its draft again.
    async fn text(&self, locale: Locale) -> Result<(), AppError> {
        let (state, actor, kind, id) = (self.state, self.actor, self.kind, self.document.id);
        let countries = load::countries(self.document)?;
        let action = Action::EditTranslation {
            countries: &countries,
            locale: &locale,
        };
        audit::authorize(state, actor, action, kind.as_str(), Some(id.to_string())).await?;
        let input = self.text_input().await;
        // The revision was valid when taken; limits and files may have changed since.
        translations::check_input(state, kind, &input).await?;
        let scheduled =
            schedules::choice_for_draft(state, actor, &countries, id, &locale, self.schedule)
                .await?;
        let current = load::translation(&state.db, id, &locale).await?;
        let now = state.clock.now();
        let work = UnitOfWork::begin(state).await?;
        let txn = work.txn();
        let version = translations::write_draft(
            txn,
            self.document,
            &locale,
            current.as_ref(),
            input,
            actor,
            now,
        )
        .await?;
        let versions = (version, self.document.version);
        schedules::settle_after_draft(txn, scheduled.as_ref(), versions, actor, now).await?;
        let event = Event::success(AuditAction::ContentRestoreRevision, kind.as_str(), id)
            .with_details(json!({
                "revision": self.revision.id, "locale": locale.as_str(),
                "schedule": scheduled.map(|(_, choice)| choice.as_str()),
            }));
        audit::record(txn, now, actor, event).await?;
        work.commit().await?;
        Ok(())
    }

    /// The revision's text as a draft to write.
    async fn text_input(&self) -> TranslationInput {
        let snapshot = &self.revision.snapshot;
        let text = |key: &str| snapshot[key].as_str().unwrap_or_default().to_owned();
        // The old text follows what it followed then, if that still is a text of the
        // item's source; otherwise what the translation follows now.
        let based_on = match snapshot["base_revision_id"]
            .as_str()
            .and_then(|b| b.parse().ok())
        {
            Some(base) => {
                let source = &self.document.source_locale;
                super::sources::check_based_on(&self.state.db, self.document.id, source, base)
                    .await
                    .ok()
            }
            None => None,
        };
        TranslationInput {
            slug: Some(text("slug")),
            title: text("title"),
            summary: text("summary"),
            body: text("body"),
            seo_title: text("seo_title"),
            seo_description: text("seo_description"),
            file_asset_id: snapshot["file_asset_id"]
                .as_str()
                .and_then(|id| id.parse().ok()),
            based_on,
        }
    }

    /// The item's details (fields, countries, tags) become what they were.
    async fn details(&self) -> Result<(), AppError> {
        let (state, actor, kind, id) = (self.state, self.actor, self.kind, self.document.id);
        let countries = load::countries(self.document)?;
        let edit = Action::EditItem {
            countries: &countries,
        };
        audit::authorize(state, actor, edit, kind.as_str(), Some(id.to_string())).await?;
        let snapshot = &self.revision.snapshot;
        // Restoring must not reach further than editing would: the restored countries
        // must be in scope too.
        let restored = crate::services::scopes::countries_from_json(&snapshot["countries"])?;
        if restored != countries {
            let action = Action::EditItem {
                countries: &restored,
            };
            audit::authorize(state, actor, action, kind.as_str(), Some(id.to_string())).await?;
        }
        let fields = ItemFields::read(kind, &snapshot["fields"]).map_err(AppError::internal)?;
        let scheduled =
            schedules::choice_for_details(state, actor, &countries, id, self.schedule).await?;
        let now = state.clock.now();
        let work = UnitOfWork::begin(state).await?;
        let txn = work.txn();
        let changed = self.write_details(txn, &fields, now).await?;
        schedules::settle_after_details(txn, scheduled.as_ref(), changed.version, actor, now)
            .await?;
        record_fields(txn, &changed, RevisionAction::Restore, actor, now).await?;
        let event = Event::success(AuditAction::ContentRestoreRevision, kind.as_str(), id)
            .with_details(json!({
                "revision": self.revision.id,
                "schedules": scheduled.map(|(_, choice)| choice.as_str()),
            }));
        audit::record(txn, now, actor, event).await?;
        work.commit().await?;
        Ok(())
    }

    /// Writes the restored details over the version that was read; 412 with the
    /// version saved meanwhile when someone else was quicker.
    async fn write_details(
        &self,
        txn: &impl ConnectionTrait,
        fields: &ItemFields,
        now: DateTime<Utc>,
    ) -> Result<document::Model, AppError> {
        let (document, snapshot) = (self.document, &self.revision.snapshot);
        let updated = Documents::update_many()
            .col_expr(
                DocumentColumn::Fields,
                Expr::value(serde_json::to_value(fields).map_err(AppError::internal)?),
            )
            .col_expr(
                DocumentColumn::Countries,
                Expr::value(snapshot["countries"].clone()),
            )
            .col_expr(DocumentColumn::Tags, Expr::value(snapshot["tags"].clone()))
            .col_expr(DocumentColumn::Version, Expr::value(document.version + 1))
            .col_expr(
                DocumentColumn::UpdatedBy,
                Expr::value(Some(self.actor.id())),
            )
            .col_expr(DocumentColumn::UpdatedAt, Expr::value(now))
            .filter(DocumentColumn::Id.eq(document.id))
            .filter(DocumentColumn::Version.eq(document.version))
            .exec(txn)
            .await?;
        let saved = load::document(txn, self.kind, document.id).await?;
        if updated.rows_affected == 0 {
            return Err(AppError::PreconditionFailed {
                detail: "the item changed a moment ago; read it again".into(),
                current_etag: Some(super::view::etag_of_document(saved.version)),
            });
        }
        Ok(saved)
    }
}

async fn find(
    db: &impl ConnectionTrait,
    document: ItemId,
    id: RevisionId,
) -> Result<revision::Model, AppError> {
    Revisions::find_by_id(id)
        .filter(Column::DocumentId.eq(document))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no revision {id} of {document}")))
}

fn summary(
    model: revision::Model,
    people: &std::collections::HashMap<ActorId, String>,
) -> RevisionSummary {
    RevisionSummary {
        id: model.id,
        locale: model.locale,
        action: model.action,
        created_by_name: model.created_by.and_then(|id| people.get(&id).cloned()),
        created_by: model.created_by,
        created_at: model.created_at,
    }
}

/// Bookkeeping in snapshots, not content: versions, and what the text followed.
const BOOKKEEPING: [&str; 5] = [
    "version",
    "base_revision_id",
    "draft_version",
    "document_version",
    "details_only",
];

/// Field-by-field differences of two snapshots (objects); `before` may be absent (a
/// first revision: every field with a value is new).
///
/// A draft's snapshot and a publication's hold different fields (a publication also
/// the item's details): a field only one of them has is not a change, so only fields
/// both hold are compared.
fn diff(before: Option<&Value>, after: &Value) -> Vec<(String, Value, Value)> {
    let empty = Map::new();
    let after_map = after.as_object().unwrap_or(&empty);
    let mut keys: Vec<&String> = after_map
        .keys()
        .filter(|key| !BOOKKEEPING.contains(&key.as_str()))
        .collect();
    keys.sort();
    let Some(before) = before.and_then(Value::as_object) else {
        return keys
            .into_iter()
            .filter_map(|key| {
                let new = after_map.get(key).cloned().unwrap_or(Value::Null);
                let empty = new.is_null() || new == "" || new == Value::Array(Vec::new());
                (!empty).then(|| (key.clone(), Value::Null, new))
            })
            .collect();
    };
    keys.into_iter()
        .filter_map(|key| {
            let old = before.get(key)?.clone();
            let new = after_map.get(key).cloned().unwrap_or(Value::Null);
            (old != new).then(|| (key.clone(), old, new))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::diff;
    use serde_json::json;

    #[test]
    fn only_changed_fields_are_listed() {
        let before = json!({ "title": "A", "body": "x", "summary": "", "version": 1 });
        let after = json!({ "title": "B", "body": "x", "summary": "s", "version": 2 });
        let changes = diff(Some(&before), &after);
        assert_eq!(
            changes,
            vec![
                ("summary".to_owned(), json!(""), json!("s")),
                ("title".to_owned(), json!("A"), json!("B")),
            ]
        );
    }

    #[test]
    fn a_publication_compared_with_a_draft_shows_no_details_as_changed() {
        let draft = json!({ "title": "A", "body": "x", "version": 3, "base_revision_id": null });
        let published = json!({ "title": "A", "body": "x", "fields": { "city": "Riga" },
            "countries": ["LV"], "tags": [], "draft_version": 3, "document_version": 2 });
        assert_eq!(diff(Some(&draft), &published), vec![]);
        let first = diff(None, &json!({ "title": "A", "summary": "", "version": 1 }));
        assert_eq!(first, vec![("title".to_owned(), json!(null), json!("A"))]);
    }
}
