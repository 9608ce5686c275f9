//! Single sign-on with OpenID Connect (authorization code flow with PKCE). `start`
//! keeps the flow's state, nonce and PKCE verifier on the server, under the SHA-256 of
//! a random value the browser carries in a short-lived cookie, and sends the browser to
//! the provider; `finish` checks the provider's answer against them, exchanges the code,
//! verifies the ID token (signature by the provider's published keys, issuer, audience,
//! expiry, nonce), finds the account (`matching`) and hands the web app a single-use code
//! valid for a minute, which `exchange` turns into a session. No token of ours ever
//! appears in a URL, and a flow works once.

mod matching;

use chrono::{DateTime, TimeDelta, Utc};
use entity::sso_flow::{self, Column, Entity as Flows};
use entity::values::AccountTokenPurpose;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    TokenResponse as _,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};

pub use matching::password_refused_by;

use super::links;
use super::two_factor::sign_in::{self, LoginStep};
use crate::auth::token;
use crate::error::AppError;
use crate::services::kernel::actor::ClientInfo;
use crate::services::kernel::unit_of_work::UnitOfWork;
use crate::services::users::User;
use crate::settings::OidcProviderSettings;
use crate::state::AppState;

/// The cookie that ties a flow to the browser that started it.
pub const COOKIE: &str = "buysocial_sso";
/// How long a flow may take at the provider.
const FLOW_MINUTES: i64 = 10;
/// Sign-ins a client address may start in a minute: more than a person needs, few
/// enough that nobody fills the table of flows under way.
pub const STARTS_PER_ADDRESS_PER_MINUTE: u32 = 30;
/// How long the web app has to exchange the handed-over code.
const HANDOFF_SECONDS: i64 = 60;

/// A provider as the sign-in page offers it.
#[derive(Debug, Clone)]
pub struct Provider {
    pub id: String,
    pub display_name: String,
}

/// Why a single sign-on did not end in an account: a word the sign-in page explains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The provider could not be reached or answered something unusable.
    ProviderUnavailable,
    /// The provider said no (the person cancelled, or it refused the request).
    ProviderRefused,
    /// The answer does not belong to a sign-in this browser started (a tampered or
    /// replayed `state`, a missing cookie, another browser).
    StateMismatch,
    /// The sign-in took too long; start again.
    Expired,
    /// The ID token did not verify (signature, issuer, audience, nonce, expiry).
    InvalidToken,
    /// The provider does not vouch for the e-mail address.
    EmailUnverified,
    /// No account, invitation or allowed domain for this person (or the account of
    /// their address is linked to another of the provider's people).
    NoAccount,
    /// The account is disabled.
    AccountDisabled,
    /// Something went wrong on our side (logged); try again.
    SignInFailed,
}

impl Failure {
    /// The word in the sign-in page's address (`#sso_error=…`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ProviderUnavailable => "provider_unavailable",
            Self::ProviderRefused => "provider_refused",
            Self::StateMismatch => "state_mismatch",
            Self::Expired => "expired",
            Self::InvalidToken => "invalid_token",
            Self::EmailUnverified => "email_unverified",
            Self::NoAccount => "no_account",
            Self::AccountDisabled => "account_disabled",
            Self::SignInFailed => "sign_in_failed",
        }
    }
}

/// The configured providers.
pub fn providers(state: &AppState) -> Vec<Provider> {
    state
        .settings
        .auth
        .oidc
        .iter()
        .map(|p| Provider {
            id: p.id.clone(),
            display_name: p.display_name.clone(),
        })
        .collect()
}

fn provider<'s>(state: &'s AppState, id: &str) -> Result<&'s OidcProviderSettings, AppError> {
    state
        .settings
        .auth
        .oidc
        .iter()
        .find(|p| p.id == id)
        .ok_or_else(|| AppError::NotFound(format!("there is no sign-in provider {id:?}")))
}

/// Where the provider sends the browser back: this server's callback for it.
fn redirect_url(state: &AppState, provider: &str) -> String {
    format!(
        "{}/api/v1/auth/sso/{provider}/callback",
        state.settings.server.links_base()
    )
}

/// The web app's sign-in page, with what it is to do in its fragment.
pub fn sign_in_page(state: &AppState, fragment: &str) -> String {
    format!(
        "{}/admin/sign-in#{fragment}",
        state.settings.server.links_base()
    )
}

/// An OpenID client of `provider`, as its discovery document describes it.
type ProviderClient = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The client for `provider`, from its discovery document (read when not known), or
/// `ProviderUnavailable` when the provider cannot be read.
async fn client_for(
    state: &AppState,
    provider: &OidcProviderSettings,
) -> Result<Result<ProviderClient, Failure>, AppError> {
    let metadata = match state.sso.metadata(provider).await {
        Ok(metadata) => metadata,
        Err(cause) => {
            tracing::warn!(provider = %provider.id, %cause, "single sign-on: the provider's discovery failed");
            return Ok(Err(Failure::ProviderUnavailable));
        }
    };
    let redirect =
        RedirectUrl::new(redirect_url(state, &provider.id)).map_err(AppError::internal)?;
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(provider.client_id.clone()),
        Some(ClientSecret::new(
            provider.client_secret.expose().to_owned(),
        )),
    )
    .set_redirect_uri(redirect);
    Ok(Ok(client))
}

/// A flow started: where to send the browser, and the cookie value to give it.
#[derive(Debug)]
pub struct Started {
    pub location: String,
    pub cookie: String,
}

/// Starts a sign-in through `provider_id`: where to send the browser, or (a provider
/// that cannot be reached) the [`Failure`] for the sign-in page; 404 for an unknown
/// provider, 429 past `STARTS_PER_ADDRESS_PER_MINUTE` from one client address.
pub async fn start(
    state: &AppState,
    provider_id: &str,
    client: &ClientInfo,
) -> Result<Result<Started, Failure>, AppError> {
    let provider = provider(state, provider_id)?;
    if let Some(address) = client.limit_key.as_deref() {
        state.sso_start_limit.check(address, state.clock.now())?;
    }
    let client = match client_for(state, provider).await? {
        Ok(client) => client,
        Err(failure) => return Ok(Err(failure)),
    };
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (location, csrf, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    let now = state.clock.now();
    let cookie = token::generate("");
    let work = UnitOfWork::begin(state).await?;
    Flows::delete_many()
        .filter(Column::ExpiresAt.lt(now))
        .exec(work.txn())
        .await?;
    Flows::insert(sso_flow::ActiveModel {
        id: Set(token::hash(&cookie)),
        provider: Set(provider.id.clone()),
        state: Set(csrf.secret().clone()),
        nonce: Set(nonce.secret().clone()),
        pkce_verifier: Set(verifier.secret().clone()),
        created_at: Set(now),
        expires_at: Set(now + TimeDelta::minutes(FLOW_MINUTES)),
    })
    .exec_without_returning(work.txn())
    .await?;
    work.commit().await?;
    Ok(Ok(Started {
        location: location.to_string(),
        cookie,
    }))
}

/// What the provider sent the browser back with.
#[derive(Debug, Default)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    /// The provider's error code (`access_denied`...), when it said no.
    pub error: Option<String>,
}

/// Finishes a sign-in: the code to hand the web app, or why not. The flow is used up
/// whatever happens.
pub async fn finish(
    state: &AppState,
    provider_id: &str,
    cookie: Option<&str>,
    answer: Callback,
) -> Result<Result<String, Failure>, AppError> {
    let provider = provider(state, provider_id)?;
    let now = state.clock.now();
    let Some(flow) = take_flow(state, cookie).await? else {
        return Ok(Err(Failure::StateMismatch));
    };
    let outcome = verify(state, provider, &flow, answer, now).await?;
    let claims = match outcome {
        Ok(claims) => claims,
        Err(failure) => {
            tracing::info!(provider = %provider.id, failure = failure.as_str(), "single sign-on refused");
            return Ok(Err(failure));
        }
    };
    // From here on the browser is always sent back to the sign-in page, never left on
    // an error document: a failure on our side is logged and named there.
    let handed = match matching::account_for(state, provider, &claims, now).await {
        Ok(Ok(user)) => hand_over(state, &user, now).await.map(Ok),
        Ok(Err(failure)) => Ok(Err(failure)),
        Err(err) => Err(err),
    };
    match handed {
        Ok(Ok(code)) => Ok(Ok(code)),
        Ok(Err(failure)) => {
            tracing::info!(provider = %provider.id, failure = failure.as_str(), "single sign-on refused");
            Ok(Err(failure))
        }
        Err(err) => {
            tracing::error!(provider = %provider.id, error = %err, "single sign-on failed on our side");
            Ok(Err(Failure::SignInFailed))
        }
    }
}

/// The flow of the browser's cookie, deleted as it is read (each works once).
async fn take_flow(
    state: &AppState,
    cookie: Option<&str>,
) -> Result<Option<sso_flow::Model>, AppError> {
    let Some(cookie) = cookie.filter(|c| c.len() <= 100) else {
        return Ok(None);
    };
    let id = token::hash(cookie);
    let work = UnitOfWork::begin(state).await?;
    let flow = Flows::find_by_id(id.clone()).one(work.txn()).await?;
    let taken = Flows::delete_by_id(id).exec(work.txn()).await?;
    work.commit().await?;
    Ok(flow.filter(|_| taken.rows_affected == 1))
}

/// What a verified ID token says about the person.
#[derive(Debug, Clone)]
pub struct Claims {
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
}

async fn verify(
    state: &AppState,
    provider: &OidcProviderSettings,
    flow: &sso_flow::Model,
    answer: Callback,
    now: DateTime<Utc>,
) -> Result<Result<Claims, Failure>, AppError> {
    if flow.provider != provider.id || flow.expires_at <= now {
        return Ok(Err(Failure::Expired));
    }
    let same_state = answer
        .state
        .as_deref()
        .is_some_and(|given| constant_time_eq(given.as_bytes(), flow.state.as_bytes()));
    if !same_state {
        return Ok(Err(Failure::StateMismatch));
    }
    if answer.error.is_some() {
        return Ok(Err(Failure::ProviderRefused));
    }
    let Some(code) = answer.code else {
        return Ok(Err(Failure::ProviderRefused));
    };
    let client = match client_for(state, provider).await? {
        Ok(client) => client,
        Err(failure) => return Ok(Err(failure)),
    };
    let request = match client.exchange_code(AuthorizationCode::new(code)) {
        Ok(request) => request,
        Err(_) => return Ok(Err(Failure::ProviderUnavailable)),
    };
    let http = state.sso.client();
    let tokens = match request
        .set_pkce_verifier(PkceCodeVerifier::new(flow.pkce_verifier.clone()))
        .request_async(&http)
        .await
    {
        Ok(tokens) => tokens,
        Err(err) => {
            tracing::warn!(provider = %provider.id, cause = %crate::oidc::chain(&err), "single sign-on: the code exchange failed");
            return Ok(Err(Failure::ProviderUnavailable));
        }
    };
    let Some(id_token) = tokens.id_token() else {
        return Ok(Err(Failure::InvalidToken));
    };
    let verifier = client.id_token_verifier();
    let claims = match id_token.claims(&verifier, &Nonce::new(flow.nonce.clone())) {
        Ok(claims) => claims,
        Err(err) => {
            tracing::warn!(provider = %provider.id, cause = %crate::oidc::chain(&err), "single sign-on: the ID token did not verify");
            // Perhaps the provider rotated its keys: read them again next time.
            state.sso.forget(&provider.id).await;
            return Ok(Err(Failure::InvalidToken));
        }
    };
    let subject = claims.subject().as_str().to_owned();
    let email = claims.email().map(|e| e.as_str().trim().to_lowercase());
    // What the tables cannot hold is refused, not cut: a subject or address cut short
    // could be someone else's.
    if subject.is_empty() || subject.len() > 255 || email.as_ref().is_some_and(|e| e.len() > 320) {
        return Ok(Err(Failure::InvalidToken));
    }
    Ok(Ok(Claims {
        subject,
        email,
        email_verified: claims.email_verified().unwrap_or(false),
        name: claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str().trim().chars().take(200).collect::<String>())
            .filter(|n| !n.is_empty()),
    }))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

/// The single-use code the web app exchanges for a session within a minute.
async fn hand_over(state: &AppState, user: &User, now: DateTime<Utc>) -> Result<String, AppError> {
    let work = UnitOfWork::begin(state).await?;
    let code = links::issue(
        work.txn(),
        user.id,
        AccountTokenPurpose::SsoHandoff,
        now + TimeDelta::seconds(HANDOFF_SECONDS),
        now,
    )
    .await?;
    work.commit().await?;
    Ok(code)
}

/// Exchanges the handed-over code for a session (or, for an account with a second
/// factor, its step). 401 for a code wrong, used or older than a minute.
pub async fn exchange(
    state: &AppState,
    code: &str,
    client: ClientInfo,
) -> Result<LoginStep, AppError> {
    const AGAIN: &str = "this sign-in code is not valid any more; sign in again";
    let now = state.clock.now();
    let found = links::find_live(&state.db, code, AccountTokenPurpose::SsoHandoff, now)
        .await
        .map_err(|_| AppError::Unauthorized(AGAIN.into()))?;
    let work = UnitOfWork::begin(state).await?;
    links::use_up(work.txn(), &found, now)
        .await
        .map_err(|_| AppError::Unauthorized(AGAIN.into()))?;
    work.commit().await?;
    let user = matching::enabled_user(state, found.user_id)
        .await?
        .ok_or_else(|| AppError::Unauthorized(AGAIN.into()))?;
    sign_in::after_first_factor(state, user, &client, "single sign-on").await
}
