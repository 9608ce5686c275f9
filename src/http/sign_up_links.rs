//! `/api/v1/registrations/confirm`, `/cancel` and `/accept-offer`: what a mailed link does, for
//! frontends that show the link's page themselves and send its token (buysocial's own
//! pages, `/registrations/...`, do the same through [`super::sign_up_pages`]).

use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};

use crate::http::ApiTags;
use crate::http::problem::{ApiError, error_set};
use crate::services::registrations::{self, Redeemed};
use crate::state::AppState;

pub struct SignUpLinksApi {
    pub state: AppState,
}

/// The token of a mailed link (its `token` query parameter).
#[derive(Debug, Object, serde::Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
struct LinkToken {
    token: String,
}

/// What following the link came to.
#[derive(Debug, Object)]
struct LinkOutcome {
    outcome: OutcomeName,
    /// The event's title, in the person's language where it has one.
    event_title: String,
    /// The person's language (the page they signed up on), for the words around it.
    locale: String,
}

#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "snake_case")]
enum OutcomeName {
    Confirmed,
    /// Confirmed before: nothing changed.
    AlreadyConfirmed,
    Cancelled,
    /// Cancelled before: nothing changed.
    AlreadyCancelled,
    /// The place offered from the waitlist is the person's.
    Accepted,
}

impl From<Redeemed> for OutcomeName {
    fn from(redeemed: Redeemed) -> Self {
        match redeemed {
            Redeemed::Confirmed => Self::Confirmed,
            Redeemed::AlreadyConfirmed => Self::AlreadyConfirmed,
            Redeemed::Cancelled => Self::Cancelled,
            Redeemed::AlreadyCancelled => Self::AlreadyCancelled,
            Redeemed::Accepted => Self::Accepted,
        }
    }
}

error_set!(
    /// Following a mailed link.
    LinkErrors: 400, 404, 409, 410, 422
);

#[OpenApi(tag = "ApiTags::Delivery")]
impl SignUpLinksApi {
    /// Confirm a sign-up's address with the token of its mailed link.
    ///
    /// The sign-up is confirmed; a mail says so, with a link to cancel. Following it
    /// again is harmless (`already_confirmed`). 404 for a token that names no sign-up;
    /// 410 `link-expired` once the link has expired (after
    /// `registrations.confirm_hours`) or the sign-up was cancelled; 409 `event-full`
    /// when the sign-up's hold ran out and the event filled up meanwhile.
    #[oai(
        path = "/api/v1/registrations/confirm",
        method = "post",
        operation_id = "registration_confirm"
    )]
    async fn confirm(
        &self,
        body: crate::http::json::JsonBody<LinkToken>,
    ) -> Result<Json<LinkOutcome>, ApiError<LinkErrors>> {
        let (redeemed, target) = registrations::confirm(&self.state, &body.0.token).await?;
        Ok(Json(LinkOutcome {
            outcome: redeemed.into(),
            event_title: target.event_title,
            locale: target.locale,
        }))
    }

    /// Cancel a sign-up with the token of the link its mails carry.
    ///
    /// The place is free at once; a mail confirms the cancellation. Following it again
    /// is harmless (`already_cancelled`). 404 for a token that names no sign-up; 410
    /// `link-expired` once the event is over.
    #[oai(
        path = "/api/v1/registrations/cancel",
        method = "post",
        operation_id = "registration_cancel"
    )]
    async fn cancel(
        &self,
        body: crate::http::json::JsonBody<LinkToken>,
    ) -> Result<Json<LinkOutcome>, ApiError<LinkErrors>> {
        let (redeemed, target) = registrations::cancel(&self.state, &body.0.token).await?;
        Ok(Json(LinkOutcome {
            outcome: redeemed.into(),
            event_title: target.event_title,
            locale: target.locale,
        }))
    }

    /// Accept a place offered from the waitlist, with the token of the offer's link.
    ///
    /// The place is the person's (their address is confirmed by following the mailed
    /// link); a mail says so, with a link to cancel. Following it again is harmless
    /// (`already_confirmed`). 404 for a token that names no sign-up; 410
    /// `link-expired` once the offer's deadline has passed (the place went to the next
    /// person on the waitlist) or the sign-up was cancelled.
    #[oai(
        path = "/api/v1/registrations/accept-offer",
        method = "post",
        operation_id = "registration_accept_offer"
    )]
    async fn accept_offer(
        &self,
        body: crate::http::json::JsonBody<LinkToken>,
    ) -> Result<Json<LinkOutcome>, ApiError<LinkErrors>> {
        let (redeemed, target) = registrations::accept_offer(&self.state, &body.0.token).await?;
        Ok(Json(LinkOutcome {
            outcome: redeemed.into(),
            event_title: target.event_title,
            locale: target.locale,
        }))
    }
}
