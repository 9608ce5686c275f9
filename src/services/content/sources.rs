//! What a translation was made from: each translation follows one revision of the
//! item's source locale (its base). It is outdated when the source's text differs from
//! that revision's, whatever happens to the translation itself (a typo fixed in it
//! does not make it current), and the source's changes since the base are what a
//! translator works from. The base moves when a translation is created from the source,
//! when its editor marks it up to date, or when it is saved with the source revision
//! shown beside it (`based_on`).

use entity::ids::{ItemId, RevisionId};
use std::collections::BTreeMap;

use entity::revision::{self, Column as RevisionColumn, Entity as Revisions};
use entity::translation;
use entity::values::RevisionAction;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Map, Value, json};

use crate::domain::Locale;
use crate::domain::content::ContentKind;
use crate::error::AppError;
use crate::policy::Action;
use crate::services::kernel::actor::Actor;
use crate::services::kernel::audit::{self, AuditAction, Event};
use crate::services::kernel::unit_of_work::UnitOfWork;
use crate::state::AppState;

/// The texts a translation renders from its source; slugs and files are per locale.
pub const SOURCE_TEXTS: [&str; 5] = ["title", "summary", "body", "seo_title", "seo_description"];

/// The newest revision of `document`'s `source_locale`: what a translation made now
/// would follow.
pub async fn latest(
    db: &impl ConnectionTrait,
    document: ItemId,
    source_locale: &str,
) -> Result<Option<RevisionId>, AppError> {
    Ok(Revisions::find()
        .filter(RevisionColumn::DocumentId.eq(document))
        .filter(RevisionColumn::Locale.eq(source_locale))
        // Only revisions that hold a translation's whole text: an unpublish's or a drop's do
        // not stand for the source as it is, so no translation can follow them.
        .filter(RevisionColumn::Action.is_in(RevisionAction::TEXT))
        .order_by_desc(RevisionColumn::CreatedAt)
        .order_by_desc(RevisionColumn::Id)
        .one(db)
        .await?
        .map(|r| r.id))
}

/// `based_on` as sent by a client: a revision of this item's source locale.
pub async fn check_based_on(
    db: &impl ConnectionTrait,
    document: ItemId,
    source_locale: &str,
    based_on: RevisionId,
) -> Result<RevisionId, AppError> {
    let found = Revisions::find_by_id(based_on).one(db).await?;
    match found {
        Some(r)
            if r.document_id == document
                && r.locale.as_deref() == Some(source_locale)
                && RevisionAction::TEXT.contains(&r.action) =>
        {
            Ok(r.id)
        }
        _ => Err(AppError::invalid(
            "based_on",
            format!("is not a revision of this item's source locale ({source_locale})"),
        )),
    }
}

/// The source texts of a draft or of a revision's snapshot.
pub fn texts_of_draft(draft: &translation::Model) -> Value {
    json!({
        "title": draft.title, "summary": draft.summary, "body": draft.body,
        "seo_title": draft.seo_title, "seo_description": draft.seo_description,
    })
}

fn texts_of_snapshot(snapshot: &Value) -> Value {
    let mut texts = Map::new();
    for field in SOURCE_TEXTS {
        texts.insert(
            field.to_owned(),
            snapshot.get(field).cloned().unwrap_or(Value::from("")),
        );
    }
    Value::Object(texts)
}

/// The snapshots of `ids`, by id.
pub async fn snapshots(
    db: &impl ConnectionTrait,
    ids: Vec<RevisionId>,
) -> Result<BTreeMap<RevisionId, revision::Model>, AppError> {
    let mut found = BTreeMap::new();
    // In chunks: PostgreSQL takes at most 65,535 parameters in one statement.
    for chunk in ids.chunks(1000) {
        found.extend(
            Revisions::find()
                .filter(RevisionColumn::Id.is_in(chunk.iter().copied()))
                .all(db)
                .await?
                .into_iter()
                .map(|r| (r.id, r)),
        );
    }
    Ok(found)
}

/// Each source text that differs between the base and the source's draft now, as
/// `(field, at the base, now)`.
pub fn changes(base: &revision::Model, source: &translation::Model) -> Vec<(String, Value, Value)> {
    let before = texts_of_snapshot(&base.snapshot);
    let after = texts_of_draft(source);
    SOURCE_TEXTS
        .iter()
        .filter_map(|field| {
            let (old, new) = (before[field].clone(), after[field].clone());
            (old != new).then(|| ((*field).to_owned(), old, new))
        })
        .collect()
}

/// What changed in the source since a translation's base.
#[derive(Debug, Clone)]
pub struct SourceChanges {
    pub source_locale: String,
    /// The revision the translation follows; `None` when it follows none yet.
    pub base_revision_id: Option<RevisionId>,
    pub based_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The newest source revision: what "mark as up to date" moves the base to.
    pub latest_revision_id: Option<RevisionId>,
    /// `(field, at the base, now)` for each source text that changed.
    pub changes: Vec<(String, Value, Value)>,
}

/// The source's field-by-field changes since `locale`'s base; anyone who reads content.
pub async fn source_changes(
    state: &AppState,
    actor: &Actor,
    kind: ContentKind,
    id: ItemId,
    locale: &str,
) -> Result<SourceChanges, AppError> {
    let (document, draft) = translation_of(state, kind, id, locale).await?;
    audit::authorize(
        state,
        actor,
        Action::ReadContent,
        kind.as_str(),
        Some(id.to_string()),
    )
    .await?;
    let source = super::load::translation(
        &state.db,
        id,
        &Locale::from_stored(document.source_locale.clone()),
    )
    .await?
    .ok_or_else(|| AppError::internal("an item without its source translation"))?;
    let base = match draft.base_revision_id {
        Some(base) => Revisions::find_by_id(base).one(&state.db).await?,
        None => None,
    };
    let changes = match &base {
        Some(base) => changes(base, &source),
        // Following nothing: everything in the source is news to it.
        None => SOURCE_TEXTS
            .iter()
            .map(|f| {
                let now = texts_of_draft(&source)[f].clone();
                ((*f).to_owned(), Value::Null, now)
            })
            .collect(),
    };
    Ok(SourceChanges {
        latest_revision_id: latest(&state.db, id, &document.source_locale).await?,
        source_locale: document.source_locale,
        base_revision_id: base.as_ref().map(|b| b.id),
        based_at: base.map(|b| b.created_at),
        changes,
    })
}

/// Moves `locale`'s base to the newest source revision: its editor says it says what
/// the source says now. The draft itself does not change (nor its ETag).
pub async fn mark_up_to_date(
    state: &AppState,
    actor: &Actor,
    kind: ContentKind,
    id: ItemId,
    locale: &str,
    shown: Option<RevisionId>,
) -> Result<(), AppError> {
    let (document, draft) = translation_of(state, kind, id, locale).await?;
    let countries = super::load::countries(&document)?;
    let locale = Locale::from_stored(draft.locale.clone());
    let action = Action::EditTranslation {
        countries: &countries,
        locale: &locale,
    };
    audit::authorize(state, actor, action, kind.as_str(), Some(id.to_string())).await?;
    let now = state.clock.now();
    let work = UnitOfWork::begin(state).await?;
    let txn = work.txn();
    let base = latest(txn, id, &document.source_locale).await?;
    // The translator read the changes up to `shown`; a newer source is news to them.
    if shown.is_some_and(|shown| Some(shown) != base) {
        return Err(AppError::Conflict(
            "the source changed again since its changes were shown; look at them again".into(),
        ));
    }
    translation::Entity::update_many()
        .col_expr(
            translation::Column::BaseRevisionId,
            sea_orm::sea_query::Expr::value(base),
        )
        .filter(translation::Column::DocumentId.eq(id))
        .filter(translation::Column::Locale.eq(locale.as_str()))
        .exec(txn)
        .await?;
    let event = Event::success(AuditAction::ContentUpToDate, kind.as_str(), id)
        .with_details(json!({ "locale": locale.as_str(), "base_revision_id": base }));
    audit::record(txn, now, actor, event).await?;
    work.commit().await?;
    Ok(())
}

/// The item (not in the trash) and its translation in `locale`, which must not be the
/// source: the source follows nothing.
async fn translation_of(
    state: &AppState,
    kind: ContentKind,
    id: ItemId,
    locale: &str,
) -> Result<(entity::document::Model, translation::Model), AppError> {
    let locale = Locale::parse(locale, &state.settings.content.locales)
        .map_err(|m| AppError::invalid_parameter("locale", m))?;
    let document = super::load::live_document(&state.db, kind, id).await?;
    let draft = super::load::translation(&state.db, id, &locale)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(format!("the {kind} {id} has no {locale} translation"))
        })?;
    if document.source_locale == locale.as_str() {
        return Err(AppError::invalid_parameter(
            "locale",
            format!("{locale} is the item's source; other translations follow it"),
        ));
    }
    Ok((document, draft))
}
