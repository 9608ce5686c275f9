//! Security schemes: how a request proves who it is.

use poem::Request;
use poem_openapi::SecurityScheme;
use poem_openapi::auth::Bearer;

use crate::error::AppError;
use crate::services::auth::{self, Actor};
use crate::state::AppState;

/// A session token from `POST /api/v1/auth/login`, sent as `Authorization: Bearer bss_...`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", checker = "check_session")]
pub struct SessionAuth(pub Actor);

async fn check_session(req: &Request, bearer: Bearer) -> poem::Result<Actor> {
    let state = req
        .data::<AppState>()
        .ok_or_else(|| AppError::internal("application state is missing from the request"))?;
    Ok(auth::authenticate(state, &bearer.token).await?)
}
