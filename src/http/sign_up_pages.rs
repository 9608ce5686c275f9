//! The small pages a mailed link opens when the site has no page of its own for it:
//! `GET /registrations/confirm?token=…`, `/registrations/cancel?token=…` and
//! `/registrations/accept-offer?token=…` show what
//! the link is for and a button, in the person's language; only the button's POST
//! acts (mail scanners open every link, and must not confirm or cancel anything). No
//! script, no external resources, a strict Content-Security-Policy.

use poem::http::StatusCode;
use poem::web::{Data, Form, Html, Query};
use poem::{IntoResponse, Response, Route, get, handler};
use serde::Deserialize;

use crate::error::AppError;
use crate::mailer::Templates;
use crate::mailer::templates::escape;
use crate::services::registrations::{self, Redeemed};
use crate::state::AppState;
use entity::values::TokenPurpose;

/// The pages, under `/registrations`.
pub fn routes() -> Route {
    Route::new()
        .at("/confirm", get(confirm_page).post(confirm_action))
        .at("/cancel", get(cancel_page).post(cancel_action))
        .at("/accept-offer", get(offer_page).post(offer_action))
}

#[derive(Debug, Deserialize)]
struct TokenParam {
    #[serde(default)]
    token: String,
}

#[handler]
async fn confirm_page(Data(state): Data<&AppState>, Query(q): Query<TokenParam>) -> Response {
    ask(state, &q.token, TokenPurpose::Confirm, "confirm").await
}

#[handler]
async fn cancel_page(Data(state): Data<&AppState>, Query(q): Query<TokenParam>) -> Response {
    ask(state, &q.token, TokenPurpose::Cancel, "cancel").await
}

#[handler]
async fn offer_page(Data(state): Data<&AppState>, Query(q): Query<TokenParam>) -> Response {
    ask(state, &q.token, TokenPurpose::Offer, "accept-offer").await
}

#[handler]
async fn confirm_action(Data(state): Data<&AppState>, Form(f): Form<TokenParam>) -> Response {
    answer(state, registrations::confirm(state, &f.token).await)
}

#[handler]
async fn cancel_action(Data(state): Data<&AppState>, Form(f): Form<TokenParam>) -> Response {
    answer(state, registrations::cancel(state, &f.token).await)
}

#[handler]
async fn offer_action(Data(state): Data<&AppState>, Form(f): Form<TokenParam>) -> Response {
    answer(state, registrations::accept_offer(state, &f.token).await)
}

/// The page that asks: what the link is for, and the button that does it.
async fn ask(state: &AppState, token: &str, purpose: TokenPurpose, action: &str) -> Response {
    let texts = &state.mailer.templates;
    match registrations::token_page(state, token, purpose).await {
        Ok(target) => {
            let locale = target.locale.as_str();
            // The texts of `accept-offer` are under `offer_`.
            let texts_of = action.trim_start_matches("accept-");
            let title = texts.text(locale, &format!("pages.{texts_of}_title"), &[]);
            let intro = texts.text(
                locale,
                &format!("pages.{texts_of}_intro"),
                &[("event", &target.event_title)],
            );
            let button = texts.text(locale, &format!("pages.{texts_of}_button"), &[]);
            let form = format!(
                "<p>{}</p>\n<form method=\"post\" action=\"{action}\">\
                 <input type=\"hidden\" name=\"token\" value=\"{}\">\
                 <button type=\"submit\">{}</button></form>",
                escape(&intro),
                escape(token),
                escape(&button)
            );
            page(StatusCode::OK, locale, &title, &form)
        }
        Err(err) => failed(texts, err),
    }
}

/// The page after the button: what happened, or why nothing did.
fn answer(
    state: &AppState,
    done: Result<(Redeemed, registrations::LinkTarget), AppError>,
) -> Response {
    let texts = &state.mailer.templates;
    match done {
        Ok((redeemed, target)) => {
            let key = match redeemed {
                Redeemed::Confirmed => "pages.confirmed",
                Redeemed::AlreadyConfirmed => "pages.already_confirmed",
                Redeemed::Cancelled => "pages.cancelled",
                Redeemed::AlreadyCancelled => "pages.already_cancelled",
                Redeemed::Accepted => "pages.offer_accepted",
            };
            let title_key = match redeemed {
                Redeemed::Confirmed | Redeemed::AlreadyConfirmed => "pages.confirm_title",
                Redeemed::Cancelled | Redeemed::AlreadyCancelled => "pages.cancel_title",
                Redeemed::Accepted => "pages.offer_title",
            };
            let locale = target.locale.as_str();
            let said = texts.text(locale, key, &[("event", &target.event_title)]);
            let title = texts.text(locale, title_key, &[]);
            page(
                StatusCode::OK,
                locale,
                &title,
                &format!("<p>{}</p>", escape(&said)),
            )
        }
        Err(AppError::Refused {
            reason: crate::error::Refusal::EventFull,
            ..
        }) => {
            let said = texts.text("en", "pages.event_full", &[("event", "")]);
            page(
                StatusCode::CONFLICT,
                "en",
                &texts.text("en", "pages.confirm_title", &[]),
                &format!("<p>{}</p>", escape(&said)),
            )
        }
        Err(err) => failed(texts, err),
    }
}

/// A link that names nothing, or no longer works, gets the page that says so; any other
/// failure is the server's (logged, 500/503), not the link's.
fn failed(texts: &Templates, err: AppError) -> Response {
    match err {
        AppError::NotFound(_) => invalid(texts),
        AppError::Refused {
            reason: crate::error::Refusal::LinkExpired,
            ..
        } => invalid(texts).with_status(StatusCode::GONE).into_response(),
        other => {
            let status = match other {
                AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            tracing::error!(error = %other, "a sign-up link's page failed");
            page(
                status,
                "en",
                "buysocial",
                "<p>Something went wrong on our side. Please try again in a few minutes.</p>",
            )
        }
    }
}

fn invalid(texts: &Templates) -> Response {
    let said = texts.text("en", "pages.invalid", &[]);
    page(
        StatusCode::NOT_FOUND,
        "en",
        &texts.text("en", "pages.confirm_title", &[]),
        &format!("<p>{}</p>", escape(&said)),
    )
}

fn page(status: StatusCode, locale: &str, title: &str, body: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\"><title>{}</title></head>\n\
         <body><main><h1>{}</h1>\n{body}\n</main></body></html>\n",
        escape(locale),
        escape(title),
        escape(title)
    );
    Html(html)
        .with_status(status)
        .with_header(
            "Content-Security-Policy",
            "default-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        )
        .with_header("Cache-Control", "no-store")
        .with_header("Referrer-Policy", "no-referrer")
        .into_response()
}
