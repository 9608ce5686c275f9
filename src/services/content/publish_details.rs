//! Bringing an item's changed details live without its drafts. An event's venue or its
//! linked slides are language-neutral: readers see them with each language's live
//! version, which a publish of that language refreshes. Publishing a language to show
//! new details would also publish its unfinished draft; this publishes the details
//! alone, for the live languages chosen, each keeping its live text.

use chrono::{DateTime, Utc};
use entity::document;
use entity::ids::ItemId;
use entity::published_translation::{self, Entity as Published};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use super::history::{self, RevisionAction};
use super::item_view;
use super::load;
use super::view::{Item, etag_of_document};
use crate::domain::Locale;
use crate::domain::content::ContentKind;
use crate::error::AppError;
use crate::policy::Action;
use crate::services::kernel::actor::Actor;
use crate::services::kernel::audit::{self, AuditAction, Event};
use crate::services::kernel::events::{DomainEvent, TranslationLive, countries_of_all};
use crate::services::kernel::precondition::Precondition;
use crate::services::kernel::unit_of_work::UnitOfWork;
use crate::state::AppState;

/// Publishes the item's current details for `locales` (absent: every live language
/// whose readers see older details), keeping each one's live text. For whoever may
/// publish each of them; `precondition`, the item's ETag, pins the details reviewed.
pub async fn publish_details(
    state: &AppState,
    actor: &Actor,
    kind: ContentKind,
    id: ItemId,
    locales: Option<Vec<String>>,
    precondition: &Precondition,
) -> Result<Item, AppError> {
    let document = load::live_document(&state.db, kind, id).await?;
    let countries = load::countries(&document)?;
    let live = Published::find()
        .filter(published_translation::Column::DocumentId.eq(id))
        .all(&state.db)
        .await?;
    let chosen = choose(state, &document, &live, locales)?;
    for locale in &chosen {
        let action = Action::Publish {
            countries: &countries,
            locale,
        };
        audit::authorize(state, actor, action, kind.as_str(), Some(id.to_string())).await?;
    }
    let current = etag_of_document(document.version);
    if precondition.is_given() && !precondition.names(&current) {
        return Err(stale(current));
    }
    let now = state.clock.now();
    let work = UnitOfWork::begin(state).await?;
    let locked = load::lock_document(work.txn(), kind, id).await?;
    if locked.version != document.version {
        return Err(stale(etag_of_document(locked.version)));
    }
    for locale in &chosen {
        bring_live(&work, actor, kind, &locked, locale, now).await?;
    }
    let locales: Vec<&str> = chosen.iter().map(Locale::as_str).collect();
    let event = Event::success(AuditAction::ContentPublishDetails, kind.as_str(), id)
        .with_details(json!({ "locales": locales }));
    audit::record(work.txn(), now, actor, event).await?;
    work.commit().await?;
    item_view::item(state, load::document(&state.db, kind, id).await?).await
}

/// The languages asked for, each of them live (422 naming the one that is not), or
/// without a choice every live language that shows earlier details.
fn choose(
    state: &AppState,
    document: &document::Model,
    live: &[published_translation::Model],
    locales: Option<Vec<String>>,
) -> Result<Vec<Locale>, AppError> {
    let chosen: Vec<Locale> = match locales {
        Some(raw) => {
            let mut chosen = Vec::new();
            for (i, code) in raw.iter().enumerate() {
                let locale = Locale::parse(code, &state.settings.content.locales)
                    .map_err(|m| AppError::invalid(format!("locales[{i}]"), m))?;
                if !live.iter().any(|l| l.locale == locale.as_str()) {
                    return Err(AppError::invalid(
                        format!("locales[{i}]"),
                        format!("the {locale} translation is not live: publish it instead"),
                    ));
                }
                chosen.push(locale);
            }
            chosen
        }
        None => live
            .iter()
            .filter(|l| l.document_version != document.version)
            .map(|l| Locale::from_stored(l.locale.clone()))
            .collect(),
    };
    if chosen.is_empty() {
        return Err(AppError::invalid(
            "locales",
            "no live language shows earlier details: there is nothing to publish",
        ));
    }
    Ok(chosen)
}

/// One live language gets the item's current details and keeps its live text; the
/// publication is a revision and a `TranslationChanged` event like any other.
async fn bring_live(
    work: &UnitOfWork<'_>,
    actor: &Actor,
    kind: ContentKind,
    locked: &document::Model,
    locale: &Locale,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let (txn, id) = (work.txn(), locked.id);
    let Some(previous) = load::published(txn, id, locale).await? else {
        return Ok(());
    };
    Published::update_many()
        .col_expr(
            published_translation::Column::DocumentFields,
            Expr::value(locked.fields.clone()),
        )
        .col_expr(
            published_translation::Column::Countries,
            Expr::value(locked.countries.clone()),
        )
        .col_expr(
            published_translation::Column::Tags,
            Expr::value(locked.tags.clone()),
        )
        .col_expr(
            published_translation::Column::ParentId,
            Expr::value(locked.parent_id),
        )
        .col_expr(
            published_translation::Column::Position,
            Expr::value(locked.position),
        )
        .col_expr(
            published_translation::Column::SortAt,
            Expr::value(load::fields(locked)?.sorts_at()),
        )
        .col_expr(
            published_translation::Column::DocumentVersion,
            Expr::value(locked.version),
        )
        .filter(published_translation::Column::DocumentId.eq(id))
        .filter(published_translation::Column::Locale.eq(locale.as_str()))
        .exec(txn)
        .await?;
    let snapshot = json!({
        "slug": previous.slug, "title": previous.title, "summary": previous.summary,
        "body": previous.body, "seo_title": previous.seo_title,
        "seo_description": previous.seo_description, "fields": locked.fields,
        "countries": locked.countries, "tags": locked.tags,
        "draft_version": previous.draft_version, "document_version": locked.version,
        "file_asset_id": load::file_of(&previous.fields), "details_only": true,
    });
    let publication = RevisionAction::Publish;
    history::record_publication(txn, id, locale, publication, snapshot, Some(actor), now).await?;
    let changed = TranslationLive {
        item_id: id,
        kind,
        locale: locale.clone(),
        slug: previous.slug.clone(),
        previous_slug: None,
        countries: countries_of_all(&[&locked.countries, &previous.countries]),
    };
    work.record(DomainEvent::TranslationChanged(changed), now)
        .await
}

fn stale(current: String) -> AppError {
    AppError::PreconditionFailed {
        detail: "the details changed since you read them; review them again before publishing"
            .into(),
        current_etag: Some(current),
    }
}
