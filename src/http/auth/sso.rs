//! `/api/v1/auth/sso`: single sign-on through the configured OpenID Connect providers.
//! The browser is sent to the provider and back; the callback ends on the web app's
//! sign-in page with a one-minute code in the fragment (`#sso=…`), which the app
//! exchanges for a session, or with why not (`#sso_error=…`).

use poem::Request;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;

use super::LoginAnswer;
use crate::http::ApiTags;
use crate::http::client::client_info;
use crate::http::json::JsonBody;
use crate::http::problem::{ApiError, error_set};
use crate::services::accounts::sso::{self, COOKIE, Callback};
use crate::state::AppState;

pub struct SsoApi {
    pub state: AppState,
}

/// A provider people can sign in through.
#[derive(Object)]
struct ProviderResponse {
    id: String,
    /// What the button says: "Sign in with {display_name}".
    display_name: String,
    /// Where the button leads (a browser navigation, not a fetch).
    start_url: String,
}

/// The configured providers.
#[derive(Object)]
struct ProviderList {
    providers: Vec<ProviderResponse>,
}

/// The code the callback put in the sign-in page's address.
#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
struct ExchangeRequest {
    /// What follows `#sso=`.
    #[oai(validator(max_length = 200))]
    code: String,
}

#[derive(ApiResponse)]
enum Redirect {
    /// On to the provider, or back to the web app's sign-in page.
    #[oai(status = 303)]
    SeeOther(
        #[oai(header = "Location")] String,
        #[oai(header = "Set-Cookie")] String,
    ),
}

error_set!(
    /// Starting: an unknown provider; too many starts from one client address.
    StartErrors: 400, 404, 429
);
error_set!(
    /// Finishing: an unknown provider.
    FlowErrors: 400, 404
);
error_set!(
    /// Exchanging the code: wrong, used or older than a minute (401).
    ExchangeErrors: 400, 401, 422
);

/// The cookie that ties the flow to this browser, for `seconds` (0: removed). Only
/// sent to the callback's paths; `SameSite=Lax` lets it ride the provider's redirect
/// back, a top-level GET navigation.
fn cookie(state: &AppState, value: &str, seconds: u32) -> String {
    let secure = if state.settings.server.links_base().starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{COOKIE}={value}; Path=/api/v1/auth/sso; Max-Age={seconds}; HttpOnly; SameSite=Lax{secure}"
    )
}

fn cookie_of(req: &Request) -> Option<&str> {
    req.headers()
        .get_all("cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value)
}

#[OpenApi(prefix_path = "/api/v1/auth/sso", tag = "ApiTags::Auth")]
impl SsoApi {
    /// List the single sign-on providers.
    ///
    /// Those in `[[auth.oidc]]`, for the sign-in page's buttons; empty when none is set.
    #[oai(path = "/", method = "get", operation_id = "auth_sso_providers")]
    async fn providers(&self) -> Json<ProviderList> {
        Json(ProviderList {
            providers: sso::providers(&self.state)
                .into_iter()
                .map(|p| ProviderResponse {
                    start_url: format!("/api/v1/auth/sso/{}/start", p.id),
                    id: p.id,
                    display_name: p.display_name,
                })
                .collect(),
        })
    }

    /// Start signing in through a provider (a browser navigation).
    ///
    /// Sends the browser to the provider with a fresh state, nonce and PKCE challenge,
    /// kept on the server for 10 minutes and tied to this browser by a cookie. A
    /// provider that cannot be reached sends it back to the sign-in page with
    /// `#sso_error=provider_unavailable`. 404 for an unknown provider; 429 past 30 starts
    /// a minute from one client address.
    #[oai(
        path = "/:provider/start",
        method = "get",
        operation_id = "auth_sso_start"
    )]
    async fn start(
        &self,
        req: &Request,
        provider: Path<String>,
    ) -> Result<Redirect, ApiError<StartErrors>> {
        let client = client_info(req, &self.state.settings.server);
        Ok(match sso::start(&self.state, &provider.0, &client).await? {
            Ok(started) => {
                Redirect::SeeOther(started.location, cookie(&self.state, &started.cookie, 600))
            }
            Err(failure) => Redirect::SeeOther(
                sso::sign_in_page(&self.state, &format!("sso_error={}", failure.as_str())),
                cookie(&self.state, "", 0),
            ),
        })
    }

    /// Where the provider sends the browser back.
    ///
    /// Checks the answer against the flow this browser started (state, then the code
    /// exchanged with the PKCE verifier, then the ID token's signature, issuer,
    /// audience, expiry and nonce), finds the account (linked before; else by an
    /// e-mail address the provider verified; else an open invitation to it; else, if the
    /// provider may make accounts, one for an allowed domain) and sends the browser to
    /// the web app's sign-in page with a code valid for one minute, once: `#sso=…`.
    /// Otherwise `#sso_error=` one of `provider_unavailable`, `provider_refused`,
    /// `state_mismatch`, `expired`, `invalid_token`, `email_unverified`, `no_account`,
    /// `account_disabled`, `sign_in_failed`. The flow works once.
    #[oai(
        path = "/:provider/callback",
        method = "get",
        operation_id = "auth_sso_callback"
    )]
    async fn callback(
        &self,
        req: &Request,
        provider: Path<String>,
        code: Query<Option<String>>,
        state: Query<Option<String>>,
        error: Query<Option<String>>,
    ) -> Result<Redirect, ApiError<FlowErrors>> {
        let answer = Callback {
            code: code.0,
            state: state.0,
            error: error.0,
        };
        let fragment = match sso::finish(&self.state, &provider.0, cookie_of(req), answer).await? {
            Ok(code) => format!("sso={code}"),
            Err(failure) => format!("sso_error={}", failure.as_str()),
        };
        Ok(Redirect::SeeOther(
            sso::sign_in_page(&self.state, &fragment),
            cookie(&self.state, "", 0),
        ))
    }

    /// Exchange the single sign-on's code for a session.
    ///
    /// Answers as `POST /api/v1/auth/login` does: a session, or for an account with a
    /// second factor the step that asks for its code. The code works once, for a
    /// minute; 401 otherwise.
    #[oai(
        path = "/exchange",
        method = "post",
        operation_id = "auth_sso_exchange"
    )]
    async fn exchange(
        &self,
        req: &Request,
        body: JsonBody<ExchangeRequest>,
    ) -> Result<Json<LoginAnswer>, ApiError<ExchangeErrors>> {
        let client = client_info(req, &self.state.settings.server);
        let step = sso::exchange(&self.state, &body.0.code, client).await?;
        Ok(Json(step.into()))
    }
}
