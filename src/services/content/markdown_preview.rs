//! The Markdown preview editors see while writing: the body rendered and sanitized
//! exactly as publishing renders it, so that the preview is what readers will get.

use crate::error::AppError;
use crate::policy::Action;
use crate::services::kernel::actor::Actor;
use crate::services::kernel::audit;
use crate::state::AppState;

/// `markdown` as publishing would render it; anyone who reads content may ask.
pub async fn render_preview(
    state: &AppState,
    actor: &Actor,
    markdown: &str,
) -> Result<String, AppError> {
    audit::authorize(state, actor, Action::ReadContent, "markdown", None).await?;
    let limit = state.settings.content.max_body_bytes;
    if markdown.len() > limit {
        return Err(AppError::invalid(
            "markdown",
            format!("must be at most {limit} bytes, as a body must"),
        ));
    }
    if let Err(exceeded) = state.renderer.check(markdown) {
        return Err(AppError::invalid("markdown", exceeded.to_string()));
    }
    Ok(state.renderer.preview(markdown).await?.html.clone())
}
