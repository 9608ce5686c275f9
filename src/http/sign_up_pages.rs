//! The small pages a mailed link opens when the site has no page of its own for it:
//! `GET /registrations/confirm?token=…`, `/registrations/cancel?token=…` and
//! `/registrations/accept-offer?token=…` (and `/registrations/erase?token=…`) show what
//! the link is for and a button, in the person's language; only the button's POST
//! acts (mail scanners open every link, and must not confirm or cancel anything).
//! `/registrations/my-data` is the form that asks for the mail listing one's data. No
//! script, no external resources, a strict Content-Security-Policy.

use poem::http::StatusCode;
use poem::web::{Data, Form, Html, Query};
use poem::{IntoResponse, Response, Route, get, handler};
use serde::Deserialize;

use crate::error::{AppError, Refusal};
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
        .at("/my-data", get(my_data_page).post(my_data_action))
        .at("/erase", get(erase_page).post(erase_action))
}

#[derive(Debug, Deserialize)]
struct DataForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    locale: Option<String>,
}

#[derive(Debug, Deserialize)]
struct LocaleParam {
    #[serde(default)]
    locale: Option<String>,
}

/// The form that asks for one's data by mail, in `?locale=` (English otherwise).
#[handler]
async fn my_data_page(Data(state): Data<&AppState>, Query(q): Query<LocaleParam>) -> Response {
    let locale = page_locale(state, q.locale.as_deref());
    data_form(state, &locale, StatusCode::OK, None)
}

#[handler]
async fn my_data_action(
    req: &poem::Request,
    Data(state): Data<&AppState>,
    Form(f): Form<DataForm>,
) -> Response {
    let texts = &state.mailer.templates;
    let locale = page_locale(state, f.locale.as_deref());
    let client = crate::http::client::client_info(req, &state.settings.server);
    match registrations::mail_my_data(state, &f.email, Some(&locale), client.limit_key.as_deref())
        .await
    {
        Ok(()) => {
            let said = texts.text(&locale, "pages.my_data_sent", &[]);
            let title = texts.text(&locale, "pages.my_data_title", &[]);
            page(
                StatusCode::OK,
                &locale,
                &title,
                &format!("<p>{}</p>", escape(&said)),
            )
        }
        Err(AppError::Validation(_)) => {
            let said = texts.text(&locale, "pages.my_data_refused", &[]);
            data_form(
                state,
                &locale,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&said),
            )
        }
        Err(err) => failed(texts, err),
    }
}

/// A configured locale from a page's parameter, else English.
fn page_locale(state: &AppState, asked: Option<&str>) -> String {
    asked
        .and_then(|raw| crate::domain::Locale::parse(raw, &state.settings.content.locales).ok())
        .map_or_else(|| "en".to_owned(), |l| l.to_string())
}

fn data_form(
    state: &AppState,
    locale: &str,
    status: StatusCode,
    problem: Option<&str>,
) -> Response {
    let texts = &state.mailer.templates;
    let title = texts.text(locale, "pages.my_data_title", &[]);
    let intro = texts.text(locale, "pages.my_data_intro", &[]);
    let label = texts.text(locale, "pages.my_data_label", &[]);
    let button = texts.text(locale, "pages.my_data_button", &[]);
    let problem = problem
        .map(|p| format!("<p role=\"alert\" id=\"problem\">{}</p>", escape(p)))
        .unwrap_or_default();
    let described = if problem.is_empty() {
        ""
    } else {
        " aria-describedby=\"problem\" aria-invalid=\"true\""
    };
    let form = format!(
        "<p>{}</p>\n{problem}<form method=\"post\" action=\"my-data\">\
         <input type=\"hidden\" name=\"locale\" value=\"{}\">\
         <p><label for=\"email\">{}</label><br>\
         <input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"email\" required{described}></p>\
         <button type=\"submit\">{}</button></form>",
        escape(&intro),
        escape(locale),
        escape(&label),
        escape(&button)
    );
    page(status, locale, &title, &form)
}

/// The page an erasure link opens: how many sign-ups it erases, and the button.
#[handler]
async fn erase_page(Data(state): Data<&AppState>, Query(q): Query<TokenParam>) -> Response {
    let texts = &state.mailer.templates;
    match registrations::erasure_page(state, &q.token).await {
        Ok(target) => {
            let locale = target.locale.as_str();
            let count = target.count.to_string();
            let title = texts.text(locale, "pages.erase_title", &[]);
            let intro = texts.text(locale, "pages.erase_intro", &[("count", &count)]);
            let button = texts.text(locale, "pages.erase_button", &[]);
            let form = format!(
                "<p>{}</p>\n<form method=\"post\" action=\"erase\">\
                 <input type=\"hidden\" name=\"token\" value=\"{}\">\
                 <button type=\"submit\">{}</button></form>",
                escape(&intro),
                escape(&q.token),
                escape(&button)
            );
            page(StatusCode::OK, locale, &title, &form)
        }
        Err(err) => failed(texts, err),
    }
}

#[handler]
async fn erase_action(Data(state): Data<&AppState>, Form(f): Form<TokenParam>) -> Response {
    let texts = &state.mailer.templates;
    match registrations::erase_my_data(state, &f.token).await {
        Ok(done) => {
            let locale = done.locale.as_str();
            let count = done.count.to_string();
            let said = texts.text(locale, "pages.erased", &[("count", &count)]);
            let title = texts.text(locale, "pages.erase_title", &[]);
            page(
                StatusCode::OK,
                locale,
                &title,
                &format!("<p>{}</p>", escape(&said)),
            )
        }
        Err(err) => failed(texts, err),
    }
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
    let done = registrations::confirm(state, &f.token).await;
    if refused_for(&done, Refusal::EventFull) {
        let filled_up = Refused {
            purpose: TokenPurpose::Confirm,
            said: "pages.event_full",
            title: "pages.confirm_title",
            status: StatusCode::CONFLICT,
        };
        return filled_up.page(state, &f.token).await;
    }
    answer(state, done)
}

#[handler]
async fn cancel_action(Data(state): Data<&AppState>, Form(f): Form<TokenParam>) -> Response {
    answer(state, registrations::cancel(state, &f.token).await)
}

#[handler]
async fn offer_action(Data(state): Data<&AppState>, Form(f): Form<TokenParam>) -> Response {
    let done = registrations::accept_offer(state, &f.token).await;
    if refused_for(&done, Refusal::LinkExpired) {
        let offer_gone = Refused {
            purpose: TokenPurpose::Offer,
            said: "pages.offer_gone",
            title: "pages.offer_title",
            status: StatusCode::GONE,
        };
        return offer_gone.page(state, &f.token).await;
    }
    answer(state, done)
}

fn refused_for<T>(done: &Result<T, AppError>, refusal: Refusal) -> bool {
    matches!(done, Err(AppError::Refused { reason, .. }) if *reason == refusal)
}

/// A link's action refused for a reason the person is told in their own language
/// (the event filled up, the offer ran out), with the text keys that say it.
struct Refused {
    purpose: TokenPurpose,
    said: &'static str,
    title: &'static str,
    status: StatusCode,
}

impl Refused {
    async fn page(&self, state: &AppState, token: &str) -> Response {
        let texts = &state.mailer.templates;
        match registrations::token_page(state, token, self.purpose).await {
            Ok(target) => {
                let locale = target.locale.as_str();
                let said = texts.text(locale, self.said, &[("event", &target.event_title)]);
                page(
                    self.status,
                    locale,
                    &texts.text(locale, self.title, &[]),
                    &format!("<p>{}</p>", escape(&said)),
                )
            }
            Err(err) => failed(texts, err),
        }
    }
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
                Redeemed::Waitlisted(_) => "pages.confirmed_waitlisted",
            };
            let title_key = match redeemed {
                Redeemed::Confirmed | Redeemed::AlreadyConfirmed | Redeemed::Waitlisted(_) => {
                    "pages.confirm_title"
                }
                Redeemed::Cancelled | Redeemed::AlreadyCancelled => "pages.cancel_title",
                Redeemed::Accepted => "pages.offer_title",
            };
            let position = match redeemed {
                Redeemed::Waitlisted(position) => position.to_string(),
                _ => String::new(),
            };
            let locale = target.locale.as_str();
            let said = texts.text(
                locale,
                key,
                &[("event", &target.event_title), ("position", &position)],
            );
            let title = texts.text(locale, title_key, &[]);
            page(
                StatusCode::OK,
                locale,
                &title,
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
            reason: Refusal::LinkExpired,
            ..
        } => invalid(texts).with_status(StatusCode::GONE).into_response(),
        AppError::TooManyRequests { retry_after } => page(
            StatusCode::TOO_MANY_REQUESTS,
            "en",
            "buysocial",
            "<p>Too many attempts from here. Please try again later.</p>",
        )
        .with_header("Retry-After", retry_after.as_secs().max(1).to_string())
        .into_response(),
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
