//! `/api/v1/registrations/confirm`, `/cancel`, `/accept-offer` and `/erase`: what a
//! mailed link does; `/my-data`: asking for the mail that lists one's data, for
//! frontends that show the link's page themselves and send its token (buysocial's own
//! pages, `/registrations/...`, do the same through [`super::sign_up_pages`]).

use poem::Request;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};

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
    /// `waitlisted`: the place on the waitlist (1: the next to be offered a place).
    #[oai(nullable)]
    waitlist_position: Option<u64>,
}

impl LinkOutcome {
    fn of(redeemed: Redeemed, target: registrations::LinkTarget) -> Self {
        Self {
            outcome: redeemed.into(),
            event_title: target.event_title,
            locale: target.locale,
            waitlist_position: match redeemed {
                Redeemed::Waitlisted(position) => Some(position),
                _ => None,
            },
        }
    }
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
    /// Confirmed after the event filled up: the person is on its waitlist (at
    /// `waitlist_position`).
    Waitlisted,
}

impl From<Redeemed> for OutcomeName {
    fn from(redeemed: Redeemed) -> Self {
        match redeemed {
            Redeemed::Confirmed => Self::Confirmed,
            Redeemed::AlreadyConfirmed => Self::AlreadyConfirmed,
            Redeemed::Cancelled => Self::Cancelled,
            Redeemed::AlreadyCancelled => Self::AlreadyCancelled,
            Redeemed::Accepted => Self::Accepted,
            Redeemed::Waitlisted(_) => Self::Waitlisted,
        }
    }
}

error_set!(
    /// Following a mailed link.
    LinkErrors: 400, 404, 409, 410, 422
);

/// Which address to mail its data to.
#[derive(Debug, Object, serde::Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
struct DataRequest {
    email: String,
    /// The language of the page the form is on (a configured locale); absent: that of
    /// the address's latest sign-up, else English.
    locale: Option<String>,
}

/// The same answer whatever is held about the address.
#[derive(Debug, Object)]
struct DataRequested {
    /// `sent`: a mail to the address lists what is held about it, or says that nothing is.
    status: DataRequestStatus,
}

#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "snake_case")]
enum DataRequestStatus {
    Sent,
}

#[derive(ApiResponse)]
enum DataAnswer {
    /// A mail is on its way to the address.
    #[oai(status = 202)]
    Accepted(Json<DataRequested>),
}

error_set!(
    /// Asking for one's data.
    DataErrors: 400, 422, 429
);

/// What an erasure did.
#[derive(Debug, Object)]
struct ErasureOutcome {
    /// How many sign-ups of the address were erased.
    erased: u64,
    /// The person's language, for the words around it.
    locale: String,
}

#[OpenApi(tag = "ApiTags::Delivery")]
impl SignUpLinksApi {
    /// Confirm a sign-up's address with the token of its mailed link.
    ///
    /// The sign-up is confirmed; a mail says so, with a link to cancel. Following it
    /// again is harmless (`already_confirmed`). When the sign-up's hold ran out and the
    /// event filled up meanwhile, the person joins its waitlist (`waitlisted`, with
    /// `waitlist_position`), or 409 `event-full` when the event keeps none. 404 for a
    /// token that names no sign-up; 410 `link-expired` once the link has expired
    /// (after `registrations.confirm_hours`) or the sign-up was cancelled.
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
        Ok(Json(LinkOutcome::of(redeemed, target)))
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
        Ok(Json(LinkOutcome::of(redeemed, target)))
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
        Ok(Json(LinkOutcome::of(redeemed, target)))
    }

    /// Ask for a mail listing what is held about an address.
    ///
    /// The address gets a mail listing every sign-up it made, with what was given with
    /// each, and a link (valid 24 hours) to erase them all; or a mail saying that
    /// nothing is held. The answer is the same 202 either way. 422 for an invalid
    /// address; 429 past `delivery.registrations_per_address_per_hour` from one client
    /// address or `registrations.per_email_per_hour` for one e-mail address.
    #[oai(
        path = "/api/v1/registrations/my-data",
        method = "post",
        operation_id = "registration_my_data"
    )]
    async fn my_data(
        &self,
        req: &Request,
        body: crate::http::json::JsonBody<DataRequest>,
    ) -> Result<DataAnswer, ApiError<DataErrors>> {
        let client = crate::http::client::client_info(req, &self.state.settings.server);
        registrations::mail_my_data(
            &self.state,
            &body.0.email,
            body.0.locale.as_deref(),
            client.limit_key.as_deref(),
        )
        .await?;
        Ok(DataAnswer::Accepted(Json(DataRequested {
            status: DataRequestStatus::Sent,
        })))
    }

    /// Erase every sign-up of an address, with the token of the link its "my data"
    /// mail carries.
    ///
    /// Every sign-up of the address is deleted for good, with its mails; the places
    /// they held are offered to the events' waitlists. The audit log records each
    /// erasure, without the person's details. 404 for a token that names nothing (a
    /// link used already names nothing any more); 410 `link-expired` after 24 hours.
    #[oai(
        path = "/api/v1/registrations/erase",
        method = "post",
        operation_id = "registration_erase"
    )]
    async fn erase(
        &self,
        body: crate::http::json::JsonBody<LinkToken>,
    ) -> Result<Json<ErasureOutcome>, ApiError<LinkErrors>> {
        let done = registrations::erase_my_data(&self.state, &body.0.token).await?;
        Ok(Json(ErasureOutcome {
            erased: done.count as u64,
            locale: done.locale,
        }))
    }
}
