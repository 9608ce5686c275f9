//! `GET /api/v1/admin/event-desk`: the organisers' view of their events' sign-ups.

use chrono::{DateTime, FixedOffset};
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};
use uuid::Uuid;

use super::content::dto::RegistrationModeName;
use super::pagination::PageInfo;
use crate::http::ApiTags;
use crate::http::names::EventStatusName;
use crate::http::problem::{ApiError, error_set};
use crate::http::security::AdminAuth;
use crate::services::content::{self, DeskEvent, DeskWhen};
use crate::services::pagination::PageRequest;
use crate::services::registrations;
use crate::state::AppState;

pub struct EventDeskApi {
    pub state: AppState,
}

/// Which events to list.
#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "lowercase")]
enum DeskWhenName {
    /// Not over yet, the soonest first (the default).
    Upcoming,
    /// Over, the latest first.
    Past,
    /// Upcoming ones, then past ones.
    All,
}

impl From<DeskWhenName> for DeskWhen {
    fn from(when: DeskWhenName) -> Self {
        match when {
            DeskWhenName::Upcoming => Self::Upcoming,
            DeskWhenName::Past => Self::Past,
            DeskWhenName::All => Self::All,
        }
    }
}

/// An event with its sign-ups.
#[derive(Debug, Object)]
struct DeskEventResponse {
    id: Uuid,
    /// In the caller's first locale the event has, else its source locale.
    title: String,
    /// The locale of `title`.
    title_locale: String,
    /// The EU member state the event is in.
    country: String,
    #[oai(nullable)]
    city: Option<String>,
    #[oai(nullable)]
    venue: Option<String>,
    /// Set for online events.
    #[oai(nullable)]
    online_url: Option<String>,
    #[oai(nullable)]
    starts_at: Option<DateTime<FixedOffset>>,
    #[oai(nullable)]
    ends_at: Option<DateTime<FixedOffset>>,
    /// The IANA time zone the event's times are given in.
    #[oai(nullable)]
    time_zone: Option<String>,
    /// Places; `null`: no limit.
    #[oai(nullable)]
    capacity: Option<i64>,
    /// Sign-ups that hold a place: confirmed ones, and pending or offered ones whose
    /// hold has not run out (what `capacity` is measured against).
    registered: i64,
    /// Sign-ups received through buysocial, per state.
    sign_ups: SignUpTally,
    #[oai(nullable)]
    registration_mode: Option<RegistrationModeName>,
    /// The status frontends show.
    status: EventStatusName,
    /// Whether frontends take sign-ups now.
    registration_open: bool,
    /// Whether the event is full and its form puts people on the waitlist.
    waitlist_open: bool,
    /// The locales readers can see the event in; empty: not published.
    live_locales: Vec<String>,
}

impl From<DeskEvent> for DeskEventResponse {
    fn from(event: DeskEvent) -> Self {
        let fields = event.fields;
        Self {
            id: event.id.into(),
            title: event.title,
            title_locale: event.title_locale,
            country: event.country.to_string(),
            city: fields.city,
            venue: fields.venue,
            online_url: fields.online_url,
            starts_at: fields.starts_at,
            ends_at: fields.ends_at,
            time_zone: fields.time_zone,
            capacity: fields.capacity,
            registered: event.registered,
            sign_ups: event.sign_ups.into(),
            registration_mode: fields.registration_mode.map(RegistrationModeName::from),
            status: event.state.status.into(),
            registration_open: event.state.registration_open,
            waitlist_open: event.state.waitlist_open,
            live_locales: event.live_locales,
        }
    }
}

/// An event's sign-ups per state.
#[derive(Debug, Object)]
struct SignUpTally {
    /// Not confirmed by the person yet (holding a place while their hold lasts).
    pending: i64,
    confirmed: i64,
    /// Offered a place from the waitlist, not accepted yet (holding it meanwhile).
    offered: i64,
    /// On the waitlist.
    waitlisted: i64,
    cancelled: i64,
    /// Offers not accepted in time.
    expired: i64,
}

impl From<registrations::Tally> for SignUpTally {
    fn from(tally: registrations::Tally) -> Self {
        let registrations::Tally {
            pending,
            confirmed,
            offered,
            waitlisted,
            cancelled,
            expired,
        } = tally;
        Self {
            pending,
            confirmed,
            offered,
            waitlisted,
            cancelled,
            expired,
        }
    }
}

/// A page of events.
#[derive(Debug, Object)]
struct DeskList {
    items: Vec<DeskEventResponse>,
    page: PageInfo,
}

error_set!(
    /// Reading the event desk.
    ReadErrors: 400, 401, 403
);

#[OpenApi(prefix_path = "/api/v1/admin", tag = "ApiTags::Content")]
impl EventDeskApi {
    /// The event desk: events and their sign-ups.
    ///
    /// The events (not in the trash) whose sign-ups the caller may read: editors'
    /// events of the countries in their scope, every event for admins. Each carries its
    /// sign-up count against capacity and the status frontends show. Names and emails
    /// are at `GET /api/v1/admin/events/{id}/registrations`. 403 for those who may read
    /// no event's sign-ups.
    #[oai(path = "/event-desk", method = "get", operation_id = "event_desk")]
    async fn desk(
        &self,
        auth: AdminAuth,
        /// `upcoming` (the default), `past` or `all`.
        when: Query<Option<DeskWhenName>>,
        page: Query<Option<u64>>,
        per_page: Query<Option<u64>>,
    ) -> Result<Json<DeskList>, ApiError<ReadErrors>> {
        let page = PageRequest::parse(page.0, per_page.0, &self.state.settings.api)?;
        let when = when.0.map_or(DeskWhen::Upcoming, DeskWhen::from);
        let desk = content::event_desk(&self.state, &auth.0, when, page).await?;
        Ok(Json(DeskList {
            page: PageInfo::of(&desk),
            items: desk
                .items
                .into_iter()
                .map(DeskEventResponse::from)
                .collect(),
        }))
    }
}
