//! Security schemes: how a request proves who it is.

use poem::Request;
use poem_openapi::SecurityScheme;
use poem_openapi::auth::Bearer;

use crate::error::AppError;
use crate::http::client::client_info;
use crate::services::auth;
use crate::services::auth::SessionCaller;
use crate::services::kernel::actor::{Actor, Credential};
use crate::state::AppState;

/// A session token from `POST /api/v1/auth/login` (`bss_...`), or an admin API token
/// (`bsa_...`), as `Authorization: Bearer <token>`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", checker = "check_admin")]
pub struct AdminAuth(pub Actor);

/// A session token from `POST /api/v1/auth/login` (`bss_...`).
#[derive(SecurityScheme)]
#[oai(ty = "bearer", checker = "check_session")]
pub struct SessionAuth(pub SessionCaller);

/// Any token: a session (`bss_`), or an API token of any kind (`bsd_`, `bsp_`, `bsa_`).
#[derive(SecurityScheme)]
#[oai(ty = "bearer", checker = "check_any")]
pub struct AnyAuth(pub Credential);

fn state(req: &Request) -> Result<&AppState, AppError> {
    req.data::<AppState>()
        .ok_or_else(|| AppError::internal("application state is missing from the request"))
}

async fn check_admin(req: &Request, bearer: Bearer) -> poem::Result<Actor> {
    let state = state(req)?;
    let client = client_info(req, &state.settings.server);
    Ok(auth::authenticate_admin(state, &bearer.token, client).await?)
}

async fn check_session(req: &Request, bearer: Bearer) -> poem::Result<SessionCaller> {
    let state = state(req)?;
    match auth::authenticate(state, &bearer.token).await? {
        Credential::Session {
            user, session_id, ..
        } => Ok(SessionCaller {
            user,
            session_id,
            client: client_info(req, &state.settings.server),
        }),
        Credential::Token(_) | Credential::Local(_) => Err(AppError::Forbidden(
            "this needs a session token from POST /api/v1/auth/login".into(),
        )
        .into()),
    }
}

async fn check_any(req: &Request, bearer: Bearer) -> poem::Result<Credential> {
    Ok(auth::authenticate(state(req)?, &bearer.token).await?)
}
