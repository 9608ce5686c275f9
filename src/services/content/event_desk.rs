//! The organisers' event desk: the events whose sign-ups the caller may see, with the
//! number of sign-ups against capacity (and per state) and the status frontends show.
//! Read in a fixed number of queries (events, titles, live locales, counts), sorted and paged in
//! memory: a campaign runs dozens of events, not thousands.

use entity::ids::ItemId;
use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use entity::document::{self, Column, Entity as Documents};
use entity::published_translation::{self, Entity as Published};
use entity::translation::{self, Entity as Translations};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::listing::in_scope;
use super::load;
use crate::domain::content::{ContentKind, EventFields, EventState, event_state};
use crate::domain::{CountryCode, Locale};
use crate::error::AppError;
use crate::policy::{self, Action};
use crate::services::kernel::actor::Actor;
use crate::services::kernel::audit;
use crate::services::pagination::{PageRequest, Paged};
use crate::services::registrations;
use crate::state::AppState;

/// Which events the desk lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum When {
    /// Not over yet (the soonest first).
    #[default]
    Upcoming,
    /// Over (the latest first).
    Past,
    /// Both: upcoming ones first, then past ones.
    All,
}

/// One event on the desk.
#[derive(Debug, Clone)]
pub struct DeskEvent {
    pub id: ItemId,
    /// In the caller's first locale the event has (its source locale otherwise).
    pub title: String,
    pub title_locale: String,
    pub country: CountryCode,
    pub fields: EventFields,
    /// Sign-ups that hold a place (confirmed, and pending or offered ones whose hold
    /// has not run out).
    pub registered: i64,
    /// Sign-ups per state.
    pub sign_ups: registrations::Tally,
    /// What frontends show, and whether they take sign-ups now.
    pub state: EventState,
    /// The locales readers can see it in; empty: not published.
    pub live_locales: Vec<String>,
}

/// The events of the caller's countries whose sign-ups they may read. Refused (and
/// audited) for those who may read no event's sign-ups.
pub async fn event_desk(
    state: &AppState,
    actor: &Actor,
    when: When,
    page: PageRequest,
) -> Result<Paged<DeskEvent>, AppError> {
    let may_read = |country: &CountryCode| {
        policy::authorize(&actor.principal, Action::ReadRegistrations { country }).is_ok()
    };
    refuse_without_any_country(state, actor, &may_read).await?;
    let now = state.clock.now();
    let events = organised(state, actor, when, now, &may_read).await?;
    let ids: Vec<ItemId> = events.iter().map(|(d, ..)| d.id).collect();
    let titles = titles(state, &ids).await?;
    let live = live_locales(state, &ids).await?;
    let counts: BTreeMap<ItemId, i64> = registrations::counts(&state.db, &ids, now)
        .await?
        .into_iter()
        .collect();
    let tallies = registrations::tally(&state.db, &ids).await?;
    let mut desk: Vec<(bool, DeskEvent)> = events
        .into_iter()
        .map(|(document, country, fields, over)| {
            let (title_locale, title) = best_title(actor, &document, &titles);
            let registered = counts.get(&document.id).copied().unwrap_or(0);
            let event = DeskEvent {
                id: document.id,
                title,
                title_locale,
                country,
                state: event_state(&fields, registered, now),
                registered,
                sign_ups: tallies.get(&document.id).copied().unwrap_or_default(),
                live_locales: live
                    .get(&document.id)
                    .map(|set| set.iter().cloned().collect())
                    .unwrap_or_default(),
                fields,
            };
            (over, event)
        })
        .collect();
    desk.sort_by(|(a_over, a), (b_over, b)| {
        let (a_start, b_start) = (a.fields.starts_at, b.fields.starts_at);
        a_over.cmp(b_over).then_with(|| {
            if *a_over {
                b_start.cmp(&a_start)
            } else {
                // Events without a date last among the upcoming ones.
                (a_start.is_none(), a_start).cmp(&(b_start.is_none(), b_start))
            }
        })
    });
    Ok(Paged::slice(
        desk.into_iter().map(|(_, event)| event).collect(),
        page,
    ))
}

/// Someone who may read the sign-ups of none of their countries is refused, through
/// the audited path, so that the refusal is recorded.
async fn refuse_without_any_country(
    state: &AppState,
    actor: &Actor,
    may_read: &impl Fn(&CountryCode) -> bool,
) -> Result<(), AppError> {
    let countries: Vec<CountryCode> = if actor.principal.scope.has_all_countries() {
        crate::domain::EU_MEMBER_STATES
            .iter()
            .filter_map(|code| CountryCode::parse(code).ok())
            .collect()
    } else {
        actor.principal.scope.countries.iter().cloned().collect()
    };
    if !countries.iter().any(may_read)
        && let Some(country) = countries.first()
    {
        let action = Action::ReadRegistrations { country };
        audit::authorize(state, actor, action, "registration", None).await?;
    }
    Ok(())
}

/// The events the actor organises (their countries, sign-ups they may read) that
/// `when` asks for, each with its country, details and whether it is over.
async fn organised(
    state: &AppState,
    actor: &Actor,
    when: When,
    now: DateTime<Utc>,
    may_read: &impl Fn(&CountryCode) -> bool,
) -> Result<Vec<(document::Model, CountryCode, EventFields, bool)>, AppError> {
    let mut query = Documents::find()
        .filter(Column::Kind.eq(ContentKind::Event))
        .filter(Column::DeletedAt.is_null());
    if let Some(mine) = in_scope(actor) {
        query = query.filter(mine);
    }
    let mut events = Vec::new();
    for document in query.order_by_asc(Column::Id).all(&state.db).await? {
        let Some(country) = load::countries(&document)?.into_iter().next() else {
            continue;
        };
        if !may_read(&country) {
            continue;
        }
        let fields = load::event_fields(&document)?;
        let over = is_over(&fields, now);
        let wanted = match when {
            When::Upcoming => !over,
            When::Past => over,
            When::All => true,
        };
        if wanted {
            events.push((document, country, fields, over));
        }
    }
    Ok(events)
}

/// The title to show: the caller's own languages first, then the source, then the
/// rest in locale order.
fn best_title(
    actor: &Actor,
    document: &document::Model,
    titles: &BTreeMap<ItemId, Vec<(String, String)>>,
) -> (String, String) {
    let preferred = |locale: &str| {
        actor
            .principal
            .scope
            .covers_locale(&Locale::from_stored(locale.to_owned()))
    };
    let mut named = titles.get(&document.id).cloned().unwrap_or_default();
    named.sort_by_key(|(locale, _)| {
        (
            !preferred(locale),
            *locale != document.source_locale,
            locale.clone(),
        )
    });
    named
        .into_iter()
        .next()
        .unwrap_or_else(|| (document.source_locale.clone(), String::new()))
}

/// Over once it has ended (or started, without an end).
fn is_over(fields: &EventFields, now: DateTime<Utc>) -> bool {
    fields
        .ends_at
        .or(fields.starts_at)
        .is_some_and(|end| end.with_timezone(&Utc) < now)
}

/// Every translation's draft title, per event.
async fn titles(
    state: &AppState,
    ids: &[ItemId],
) -> Result<BTreeMap<ItemId, Vec<(String, String)>>, AppError> {
    let mut titles: BTreeMap<ItemId, Vec<(String, String)>> = BTreeMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(ItemId, String, String)> = Translations::find()
            .select_only()
            .column(translation::Column::DocumentId)
            .column(translation::Column::Locale)
            .column(translation::Column::Title)
            .filter(translation::Column::DocumentId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(&state.db)
            .await?;
        for (id, locale, title) in rows {
            titles.entry(id).or_default().push((locale, title));
        }
    }
    Ok(titles)
}

/// The locales each event is live in.
async fn live_locales(
    state: &AppState,
    ids: &[ItemId],
) -> Result<BTreeMap<ItemId, BTreeSet<String>>, AppError> {
    let mut live: BTreeMap<ItemId, BTreeSet<String>> = BTreeMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(ItemId, String)> = Published::find()
            .select_only()
            .column(published_translation::Column::DocumentId)
            .column(published_translation::Column::Locale)
            .filter(published_translation::Column::DocumentId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(&state.db)
            .await?;
        for (id, locale) in rows {
            live.entry(id).or_default().insert(locale);
        }
    }
    Ok(live)
}
