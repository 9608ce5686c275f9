//! What readers are told of an event, computed from its facts and the number of
//! registrations: the delivery API and the organisers' event desk say the same.

use chrono::{DateTime, Utc};

use super::{EventFields, RegistrationMode};

/// An event's state for readers, computed from its facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventState {
    pub status: EventStatus,
    pub registration_open: bool,
    /// Full, and a sign-up through the form may join the waitlist instead.
    pub waitlist_open: bool,
}

/// What readers are told of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventStatus {
    /// Not over, places left (or no limit).
    Upcoming,
    /// Registrations have reached the capacity.
    Full,
    /// Over.
    Past,
    /// Called off.
    Cancelled,
}

/// Cancelled, past, full or upcoming; registration open while the mode allows it, the
/// window is open, there are places left and the event has not started; the waitlist
/// open instead when only places are lacking and the event keeps one.
pub fn event_state(fields: &EventFields, registered: i64, now: DateTime<Utc>) -> EventState {
    let full = fields
        .capacity
        .is_some_and(|capacity| registered >= capacity);
    let started = fields
        .starts_at
        .is_some_and(|s| s.with_timezone(&Utc) <= now);
    let ended = fields.ends_at.is_some_and(|e| e.with_timezone(&Utc) < now);
    let cancelled = fields.cancelled == Some(true);
    let status = if cancelled {
        EventStatus::Cancelled
    } else if ended {
        EventStatus::Past
    } else if full {
        EventStatus::Full
    } else {
        EventStatus::Upcoming
    };
    let window_open = fields
        .registration_opens_at
        .is_none_or(|o| o.with_timezone(&Utc) <= now)
        && fields
            .registration_closes_at
            .is_none_or(|c| c.with_timezone(&Utc) > now);
    let takes_registrations = matches!(
        fields.registration_mode,
        Some(RegistrationMode::Form | RegistrationMode::External)
    );
    let could_register = !cancelled && !started && takes_registrations && window_open;
    EventState {
        status,
        registration_open: could_register && !full,
        waitlist_open: could_register
            && full
            && fields.registration_mode == Some(RegistrationMode::Form)
            && fields.keeps_waitlist(),
    }
}
