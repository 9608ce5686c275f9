//! Items as wholes: create, read, list, change neutral fields, trash, restore, purge.

use entity::ids::ItemId;
use std::collections::HashSet;

use chrono::{DateTime, Utc};
use entity::document::{self, Column, Entity as Documents};
use entity::published_translation::{self, Entity as Published};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::history::{self, RevisionAction};
use super::item_view;
use super::listing::parse_tag;
use super::load::{self, json_strings};
use super::schedules::{self, ScheduleChoice};
use super::translations::{self, TranslationInput};
use super::view::{Item, etag_of_document};
use crate::domain::content::{ContentKind, FieldChanges, ItemFields};
use crate::domain::{CountryCode, Locale};
use crate::error::{AppError, FieldErrors};
use crate::policy::{self, Action, ItemAbilities};
use crate::services::kernel::actor::Actor;
use crate::services::kernel::audit::{self, AuditAction, Event};
use crate::services::kernel::events::{
    DomainEvent, ItemOfCountries, ItemTrashed, LiveAddress, countries_of_all,
};
use crate::services::kernel::precondition::Precondition;
use crate::services::kernel::unit_of_work::UnitOfWork;
use crate::state::AppState;

/// Language-neutral fields as received; `None` leaves a field as it is (on update).
#[derive(Debug, Clone, Default)]
pub struct ItemInput {
    pub countries: Option<Vec<String>>,
    pub tags: Option<Vec<String>>,
    /// `Some(None)` removes the parent.
    pub parent_id: Option<Option<ItemId>>,
    pub position: Option<i32>,
    pub fields: FieldChanges,
}

/// Creates an item with its first translation.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    kind: ContentKind,
    input: ItemInput,
    locale: &str,
    translation: TranslationInput,
) -> Result<Item, AppError> {
    let configured = &state.settings.content.locales;
    let mut errors = FieldErrors::new();
    let locale = errors.check("translation.locale", Locale::parse(locale, configured));
    let neutral = validate_neutral(
        state,
        kind,
        &ItemFields::empty(kind),
        &input,
        None,
        &mut errors,
    )
    .await?;
    translations::validate(state, &translation, "translation.", &mut errors);
    translations::check_file(state, kind, &translation, "translation.", &mut errors).await?;
    errors.finish()?;
    let Some(locale) = locale else {
        return Err(AppError::internal("validated locale is missing"));
    };
    audit::authorize(
        state,
        actor,
        Action::EditItem {
            countries: &neutral.countries,
        },
        kind.as_str(),
        None,
    )
    .await?;
    let edit = Action::EditTranslation {
        countries: &neutral.countries,
        locale: &locale,
    };
    audit::authorize(state, actor, edit, kind.as_str(), None).await?;

    let now = state.clock.now();
    let id = ItemId::new();
    let work = UnitOfWork::begin(state).await?;
    let model = document::ActiveModel {
        id: Set(id),
        kind: Set(kind),
        fields: Set(serde_json::to_value(&neutral.fields).map_err(AppError::internal)?),
        countries: Set(json_strings(
            neutral.countries.iter().map(CountryCode::as_str),
        )),
        tags: Set(json_strings(neutral.tags.iter().map(String::as_str))),
        parent_id: Set(neutral.parent_id),
        position: Set(neutral.position),
        source_locale: Set(locale.to_string()),
        version: Set(1),
        created_by: Set(Some(actor.id())),
        updated_by: Set(Some(actor.id())),
        created_at: Set(now),
        updated_at: Set(now),
        deleted_at: Set(None),
    };
    let created = Documents::insert(model)
        .exec_with_returning(work.txn())
        .await?;
    history::record_fields(work.txn(), &created, RevisionAction::Create, actor, now).await?;
    translations::write_draft(work.txn(), &created, &locale, None, translation, actor, now).await?;
    let event = Event::success(AuditAction::ContentCreate, kind.as_str(), id)
        .with_details(json!({ "locale": locale.as_str() }));
    audit::record(work.txn(), now, actor, event).await?;
    work.commit().await?;
    item_view::item(state, created).await
}

/// The whole item, trashed or not.
pub async fn get(
    state: &AppState,
    actor: &Actor,
    kind: ContentKind,
    id: ItemId,
) -> Result<Item, AppError> {
    let found = load::document(&state.db, kind, id).await?;
    audit::authorize(
        state,
        actor,
        Action::ReadContent,
        kind.as_str(),
        Some(id.to_string()),
    )
    .await?;
    item_view::item(state, found).await
}

/// What `actor` may do to `item`: its details, the trash, which locales to write and
/// publish. The policy's answers, for clients to offer only what is allowed.
pub fn abilities(state: &AppState, actor: &Actor, item: &Item) -> ItemAbilities {
    let is_live = item.translations.iter().any(|t| t.live.is_some());
    policy::item_abilities(
        &actor.principal,
        &item.countries,
        is_live,
        &crate::services::kernel::actor::configured_locales(state),
    )
}

/// Changes neutral fields. `precondition` must name the item's current ETag.
///
/// When publications of the item are scheduled, `schedules` says what happens to them
/// (see [`super::schedules`]): without it, 409.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    kind: ContentKind,
    id: ItemId,
    precondition: &Precondition,
    input: ItemInput,
    schedules: Option<ScheduleChoice>,
) -> Result<Item, AppError> {
    let current = load::live_document(&state.db, kind, id).await?;
    let current_countries = load::countries(&current)?;
    audit::authorize(
        state,
        actor,
        Action::EditItem {
            countries: &current_countries,
        },
        kind.as_str(),
        Some(id.to_string()),
    )
    .await?;
    check_precondition(precondition, current.version)?;
    let mut errors = FieldErrors::new();
    let neutral = validate_neutral(
        state,
        kind,
        &load::fields(&current)?,
        &input,
        Some(&current),
        &mut errors,
    )
    .await?;
    errors.finish()?;
    if neutral.countries != current_countries {
        let action = Action::EditItem {
            countries: &neutral.countries,
        };
        audit::authorize(state, actor, action, kind.as_str(), Some(id.to_string())).await?;
    }

    let scheduled =
        super::schedules::choice_for_details(state, actor, &current_countries, id, schedules)
            .await?;
    let now = state.clock.now();
    let work = UnitOfWork::begin(state).await?;
    write_neutral(work.txn(), &current, &neutral, actor, now).await?;
    let changed = load::document(work.txn(), kind, id).await?;
    let chosen = scheduled.as_ref();
    schedules::settle_after_details(work.txn(), chosen, changed.version, actor, now).await?;
    history::record_fields(work.txn(), &changed, RevisionAction::Fields, actor, now).await?;
    audit::record(
        work.txn(),
        now,
        actor,
        Event::success(AuditAction::ContentUpdate, kind.as_str(), id),
    )
    .await?;
    work.commit().await?;
    item_view::item(state, changed).await
}

/// Writes the checked neutral fields over `current` if it is still the version read:
/// 412 with the version saved meanwhile when another write was quicker.
async fn write_neutral(
    txn: &impl ConnectionTrait,
    current: &document::Model,
    neutral: &Neutral,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let updated = Documents::update_many()
        .col_expr(
            Column::Fields,
            Expr::value(serde_json::to_value(&neutral.fields).map_err(AppError::internal)?),
        )
        .col_expr(
            Column::Countries,
            Expr::value(json_strings(
                neutral.countries.iter().map(CountryCode::as_str),
            )),
        )
        .col_expr(
            Column::Tags,
            Expr::value(json_strings(neutral.tags.iter().map(String::as_str))),
        )
        .col_expr(Column::ParentId, Expr::value(neutral.parent_id))
        .col_expr(Column::Position, Expr::value(neutral.position))
        .col_expr(Column::Version, Expr::value(current.version + 1))
        .col_expr(Column::UpdatedBy, Expr::value(Some(actor.id())))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(current.id))
        // Guards against a concurrent write between the check above and this one.
        .filter(Column::Version.eq(current.version))
        .exec(txn)
        .await?;
    if updated.rows_affected == 0 {
        // Someone saved in between: the version that is current now, read, not guessed.
        let saved_meanwhile = load::document(txn, current.kind, current.id).await?;
        return Err(stale(saved_meanwhile.version));
    }
    Ok(())
}

/// Moves an item to the trash: every translation goes offline, pending schedules are
/// cancelled, and the drafts stay, to be restored.
pub async fn trash(
    state: &AppState,
    actor: &Actor,
    kind: ContentKind,
    id: ItemId,
    precondition: &Precondition,
) -> Result<(), AppError> {
    let now = state.clock.now();
    // Decide on what is live now, under lock: a publish that lands in between must
    // neither slip past an author's limits nor survive the trash.
    let work = UnitOfWork::begin(state).await?;
    let current = load::lock_document(work.txn(), kind, id).await?;
    let countries = load::countries(&current)?;
    let is_live = Published::find()
        .filter(published_translation::Column::DocumentId.eq(id))
        .count(work.txn())
        .await?
        > 0;
    let work = work
        .authorize(
            actor,
            Action::DeleteItem {
                countries: &countries,
                is_live,
            },
            kind.as_str(),
            Some(id.to_string()),
        )
        .await?;
    if precondition.is_given() {
        check_precondition(precondition, current.version)?;
    }
    // What readers saw, and where, for webhooks to know which pages to rebuild.
    let was_live: Vec<(String, String, serde_json::Value)> = Published::find()
        .select_only()
        .column(published_translation::Column::Locale)
        .column(published_translation::Column::Slug)
        .column(published_translation::Column::Countries)
        .filter(published_translation::Column::DocumentId.eq(id))
        .into_tuple()
        .all(work.txn())
        .await?;
    let offline = Published::delete_many()
        .filter(published_translation::Column::DocumentId.eq(id))
        .exec(work.txn())
        .await?;
    schedules::cancel_all(work.txn(), id, None, now).await?;
    Documents::update_many()
        .col_expr(Column::DeletedAt, Expr::value(Some(now)))
        .col_expr(Column::UpdatedBy, Expr::value(Some(actor.id())))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .exec(work.txn())
        .await?;
    let translations = was_live
        .iter()
        .map(|(locale, slug, _)| LiveAddress {
            locale: Locale::from_stored(locale.clone()),
            slug: slug.clone(),
        })
        .collect();
    let shown_in = if was_live.is_empty() {
        countries_of_all(&[&current.countries])
    } else {
        let lists: Vec<&serde_json::Value> = was_live.iter().map(|(.., c)| c).collect();
        countries_of_all(&lists)
    };
    let trashed = ItemTrashed {
        item_id: id,
        kind,
        translations,
        countries: shown_in,
    };
    work.record(DomainEvent::ItemTrashed(trashed), now).await?;
    let event = Event::success(AuditAction::ContentTrash, kind.as_str(), id)
        .with_details(json!({ "unpublished_translations": offline.rows_affected }));
    audit::record(work.txn(), now, actor, event).await?;
    work.commit().await?;
    Ok(())
}

/// Brings an item back from the trash, with every translation as a draft.
pub async fn restore(
    state: &AppState,
    actor: &Actor,
    kind: ContentKind,
    id: ItemId,
) -> Result<Item, AppError> {
    let current = load::document(&state.db, kind, id).await?;
    let countries = load::countries(&current)?;
    audit::authorize(
        state,
        actor,
        Action::DeleteItem {
            countries: &countries,
            is_live: false,
        },
        kind.as_str(),
        Some(id.to_string()),
    )
    .await?;
    if current.deleted_at.is_none() {
        return Err(AppError::Conflict(format!(
            "{kind} {id} is not in the trash"
        )));
    }
    let now = state.clock.now();
    let work = UnitOfWork::begin(state).await?;
    Documents::update_many()
        .col_expr(
            Column::DeletedAt,
            Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
        )
        .col_expr(Column::UpdatedBy, Expr::value(Some(actor.id())))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .exec(work.txn())
        .await?;
    let restored = ItemOfCountries {
        item_id: id,
        kind,
        countries: countries_of_all(&[&current.countries]),
    };
    work.record(DomainEvent::ItemRestored(restored), now)
        .await?;
    audit::record(
        work.txn(),
        now,
        actor,
        Event::success(AuditAction::ContentRestore, kind.as_str(), id),
    )
    .await?;
    work.commit().await?;
    item_view::item(state, load::document(&state.db, kind, id).await?).await
}

/// Deletes a trashed item for good, with its translations and revisions (admins).
pub async fn purge(
    state: &AppState,
    actor: &Actor,
    kind: ContentKind,
    id: ItemId,
) -> Result<(), AppError> {
    let current = load::document(&state.db, kind, id).await?;
    audit::authorize(
        state,
        actor,
        Action::PurgeItem,
        kind.as_str(),
        Some(id.to_string()),
    )
    .await?;
    if current.deleted_at.is_none() {
        return Err(AppError::Conflict(format!(
            "{kind} {id} must be moved to the trash before it is purged"
        )));
    }
    let now = state.clock.now();
    let work = UnitOfWork::begin(state).await?;
    // Children first: SQLite enforces the foreign keys, and so must we, explicitly.
    Documents::update_many()
        .col_expr(Column::ParentId, Expr::value(Option::<Uuid>::None))
        .filter(Column::ParentId.eq(id))
        .exec(work.txn())
        .await?;
    // The mails about it go too: they name the people who signed up for it.
    entity::mail_outbox::Entity::delete_many()
        .filter(entity::mail_outbox::Column::EventId.eq(id))
        .exec(work.txn())
        .await?;
    Documents::delete_by_id(id).exec(work.txn()).await?;
    let purged = ItemOfCountries {
        item_id: id,
        kind,
        countries: countries_of_all(&[&current.countries]),
    };
    work.record(DomainEvent::ItemPurged(purged), now).await?;
    audit::record(
        work.txn(),
        now,
        actor,
        Event::success(AuditAction::ContentPurge, kind.as_str(), id),
    )
    .await?;
    work.commit().await?;
    Ok(())
}

/// 428 without `If-Match`, 412 when it is not the current version.
pub fn check_precondition(precondition: &Precondition, version: i64) -> Result<(), AppError> {
    if !precondition.is_given() {
        return Err(AppError::PreconditionRequired(
            "send If-Match with the item's ETag (from GET) to change it".into(),
        ));
    }
    if precondition.names(&etag_of_document(version)) {
        Ok(())
    } else {
        Err(stale(version))
    }
}

fn stale(version: i64) -> AppError {
    AppError::PreconditionFailed {
        detail: "the item changed since you read it; read it again and reapply your change".into(),
        current_etag: Some(etag_of_document(version)),
    }
}

/// Validated neutral fields.
struct Neutral {
    fields: ItemFields,
    countries: Vec<CountryCode>,
    tags: Vec<String>,
    parent_id: Option<ItemId>,
    position: i32,
}

/// Merges `input` into the current values (or defaults, on create) and checks the result.
async fn validate_neutral(
    state: &AppState,
    kind: ContentKind,
    current_fields: &ItemFields,
    input: &ItemInput,
    current: Option<&document::Model>,
    errors: &mut FieldErrors,
) -> Result<Neutral, AppError> {
    let countries = match (&input.countries, current) {
        (Some(raw), _) => raw
            .iter()
            .enumerate()
            .filter_map(|(i, c)| errors.check(&format!("countries[{i}]"), CountryCode::parse(c)))
            .collect::<Vec<_>>(),
        (None, Some(current)) => load::countries(current)?,
        (None, None) => Vec::new(),
    };
    let tags = match (&input.tags, current) {
        (Some(raw), _) => checked_tags(raw, errors),
        (None, Some(current)) => load::tags(current)?,
        (None, None) => Vec::new(),
    };
    let mut fields = current_fields.changed(&input.fields, errors);
    fields.validate(&countries, &state.settings.content.locales, errors);
    let parent_id = match (input.parent_id, current) {
        (Some(parent), _) => parent,
        (None, Some(current)) => current.parent_id,
        (None, None) => None,
    };
    let position = input.position.or(current.map(|c| c.position)).unwrap_or(0);
    if kind != ContentKind::Page
        && (input.parent_id.flatten().is_some() || input.position.is_some())
    {
        errors.push("parent_id", "only pages have a parent and a position");
    }
    if kind == ContentKind::Page
        && let Some(parent) = parent_id
    {
        check_parent(state, current.map(|c| c.id), parent, errors).await?;
    }
    check_cover(state, &fields, errors).await?;
    check_materials(state, &fields, errors).await?;
    Ok(Neutral {
        fields,
        countries,
        tags,
        parent_id,
        position,
    })
}

/// At most 20 tags, each a valid tag.
fn checked_tags(raw: &[String], errors: &mut FieldErrors) -> Vec<String> {
    if raw.len() > 20 {
        errors.push("tags", "at most 20 tags");
    }
    raw.iter()
        .enumerate()
        .filter_map(|(i, t)| errors.check(&format!("tags[{i}]"), parse_tag(t)))
        .collect()
}

/// A cover is an image that exists.
async fn check_cover(
    state: &AppState,
    fields: &ItemFields,
    errors: &mut FieldErrors,
) -> Result<(), AppError> {
    let Some(cover) = fields.cover_asset_id() else {
        return Ok(());
    };
    let asset = entity::asset::Entity::find_by_id(cover)
        .one(&state.db)
        .await?;
    match asset {
        None => errors.push(
            "fields.cover_asset_id",
            format!("there is no asset {cover}"),
        ),
        Some(asset) if !asset.content_type.starts_with("image/") => {
            errors.push(
                "fields.cover_asset_id",
                format!("{cover} is {}, not an image", asset.content_type),
            );
        }
        Some(_) => {}
    }
    Ok(())
}

/// An event's linked materials are materials that exist and are not in the trash.
async fn check_materials(
    state: &AppState,
    fields: &ItemFields,
    errors: &mut FieldErrors,
) -> Result<(), AppError> {
    let Some(materials) = fields
        .as_event()
        .and_then(|event| event.materials.as_ref())
        .filter(|m| !m.is_empty())
    else {
        return Ok(());
    };
    // One query for all of them, however many an event links.
    let existing: HashSet<ItemId> = Documents::find()
        .select_only()
        .column(document::Column::Id)
        .filter(document::Column::Id.is_in(materials.iter().copied()))
        .filter(document::Column::Kind.eq(ContentKind::Material))
        .filter(document::Column::DeletedAt.is_null())
        .into_tuple::<ItemId>()
        .all(&state.db)
        .await?
        .into_iter()
        .collect();
    for (i, id) in materials.iter().enumerate() {
        if !existing.contains(id) {
            errors.push(
                &format!("fields.materials[{i}]"),
                format!("there is no material {id}"),
            );
        }
    }
    Ok(())
}

/// The parent must be an existing page, and not the page itself or one of its descendants.
async fn check_parent(
    state: &AppState,
    page: Option<ItemId>,
    parent: ItemId,
    errors: &mut FieldErrors,
) -> Result<(), AppError> {
    let mut cursor = Some(parent);
    let mut hops = 0;
    while let Some(id) = cursor {
        if Some(id) == page {
            errors.push(
                "parent_id",
                "would make a cycle: a page cannot be below itself",
            );
            return Ok(());
        }
        let Some(found) = Documents::find_by_id(id).one(&state.db).await? else {
            errors.push("parent_id", format!("there is no page {id}"));
            return Ok(());
        };
        if found.kind != ContentKind::Page {
            errors.push("parent_id", format!("{id} is not a page"));
            return Ok(());
        }
        cursor = found.parent_id;
        hops += 1;
        if hops > 64 {
            errors.push("parent_id", "the page tree is deeper than 64 levels");
            return Ok(());
        }
    }
    Ok(())
}
