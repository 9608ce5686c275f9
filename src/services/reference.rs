//! Reference data the admin API serves (the member states' time zones and languages):
//! who may read it.

use crate::error::AppError;
use crate::policy::Action;
use crate::services::kernel::actor::Actor;
use crate::services::kernel::audit;
use crate::state::AppState;

/// Anyone who reads content may read the countries.
pub async fn countries(state: &AppState, actor: &Actor) -> Result<(), AppError> {
    audit::authorize(state, actor, Action::ReadContent, "country", None).await
}
