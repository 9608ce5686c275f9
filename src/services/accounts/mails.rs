//! The mails about an account, in its language: an invitation, a password-reset link,
//! and the notice that a password was changed through one.

use chrono::{DateTime, Utc};
use entity::{invitation, user};

use crate::services::kernel::mail::OutgoingMail;
use crate::state::AppState;

/// The language of an account's mails.
pub(super) fn language_of(user: &user::Model) -> &str {
    user.language
        .as_deref()
        .unwrap_or(crate::mailer::templates::FALLBACK)
}

/// "You are invited": the link to make the account, until when it works.
pub(super) fn invitation(
    state: &AppState,
    invitation: &invitation::Model,
    link: &str,
) -> OutgoingMail {
    let templates = &state.mailer.templates;
    let locale = invitation.language.as_str();
    let role = templates.text(locale, &format!("role_{}", invitation.role.as_str()), &[]);
    let deadline = templates.moment(locale, invitation.expires_at.fixed_offset(), "UTC");
    let name = if invitation.display_name.is_empty() {
        invitation.email.as_str()
    } else {
        invitation.display_name.as_str()
    };
    let rendered = templates.mail(
        locale,
        "account_invitation",
        &[
            ("name", name),
            ("inviter", &invitation.invited_by_label),
            ("role", &role),
            ("link", link),
            ("deadline", &deadline),
        ],
    );
    account_mail(
        format!(
            "invitation:{}:{}",
            invitation.id,
            invitation.sent_at.timestamp_micros()
        ),
        &invitation.email,
        locale,
        rendered,
    )
}

/// "Choose a new password": the link, and how long it works.
pub(super) fn password_reset(
    state: &AppState,
    user: &user::Model,
    link: &str,
    request: uuid::Uuid,
) -> OutgoingMail {
    let locale = language_of(user);
    let minutes = state.settings.auth.password_reset_minutes.to_string();
    let rendered = state.mailer.templates.mail(
        locale,
        "account_password_reset",
        &[
            ("name", &user.display_name),
            ("link", link),
            ("minutes", &minutes),
        ],
    );
    account_mail(
        format!("password-reset:{request}"),
        &user.email,
        locale,
        rendered,
    )
}

/// "Your password was changed": so that a reset the owner did not make is noticed.
pub(super) fn password_changed(
    state: &AppState,
    user: &user::Model,
    at: DateTime<Utc>,
) -> OutgoingMail {
    let locale = language_of(user);
    let rendered = state.mailer.templates.mail(
        locale,
        "account_password_changed",
        &[("name", &user.display_name)],
    );
    account_mail(
        format!("password-changed:{}:{}", user.id, at.timestamp_micros()),
        &user.email,
        locale,
        rendered,
    )
}

fn account_mail(
    reason: String,
    to: &str,
    locale: &str,
    rendered: crate::mailer::templates::Rendered,
) -> OutgoingMail {
    OutgoingMail {
        reason,
        to: to.to_owned(),
        locale: locale.to_owned(),
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        attachments: Vec::new(),
        event: None,
        registration: None,
    }
}
