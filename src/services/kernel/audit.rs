//! The audit log: who did what, when, from where. Services record an entry in the
//! same transaction as the change it describes; refusals are recorded on their own.

use chrono::{DateTime, Utc};
use entity::audit_entry::{self, Entity as AuditLog};
use entity::ids::ActorId;
use sea_orm::{ConnectionTrait, DatabaseTransaction, EntityTrait, Set};
use serde_json::Value;
use uuid::Uuid;

use super::actor::{Actor, Credential};
use super::identity::User;
use crate::domain::{Role, Scope};
use crate::error::AppError;
use crate::policy::{self, Action};
use crate::services::scopes;
use crate::state::AppState;

pub use entity::values::AuditOutcome as Outcome;

/// Who an entry is about when there is no authenticated actor (e.g. a failed login).
#[derive(Debug, Clone)]
pub struct Who {
    pub kind: &'static str,
    pub id: Option<ActorId>,
    pub label: String,
    pub client_addr: Option<String>,
    /// Who they were at the time, for users and tokens.
    pub standing: Option<Standing>,
}

/// An actor's name, role and countries when they acted.
#[derive(Debug, Clone)]
pub struct Standing {
    pub name: String,
    pub role: Option<Role>,
    pub scope: Scope,
}

impl Who {
    /// A person acting through a link mailed to them (who they are is not recorded).
    pub fn mailed_link() -> Self {
        Self {
            kind: "person",
            id: None,
            label: "a person, through a link mailed to them".into(),
            client_addr: None,
            standing: None,
        }
    }

    /// Someone not signed in (a failed sign-in, a reset asked for an address), described
    /// by `label`, from `client_addr`.
    pub fn anonymous(label: impl Into<String>, client_addr: Option<String>) -> Self {
        Self {
            kind: "anonymous",
            id: None,
            label: label.into(),
            client_addr,
            standing: None,
        }
    }

    /// buysocial itself, doing what its settings say (`what`: which job).
    pub fn system(what: &str) -> Self {
        Self {
            kind: "system",
            id: None,
            label: what.to_owned(),
            client_addr: None,
            standing: None,
        }
    }

    /// A signed-in user (or one signing in) acting from `client_addr`.
    pub fn user(user: &User, client_addr: Option<String>) -> Self {
        Self {
            kind: "user",
            id: Some(user.id.into()),
            label: user.email.clone(),
            client_addr,
            standing: Some(Standing {
                name: user.display_name.clone(),
                role: Some(user.role),
                scope: user.scope.clone(),
            }),
        }
    }
}

impl From<&Actor> for Who {
    fn from(actor: &Actor) -> Self {
        match &actor.credential {
            Credential::Session { user, .. } | Credential::Local(user) => {
                Who::user(user, actor.client.address.clone())
            }
            Credential::Token(token) => Self {
                kind: actor.kind(),
                id: Some(token.id.into()),
                label: token.name.clone(),
                client_addr: actor.client.address.clone(),
                standing: Some(Standing {
                    name: token.name.clone(),
                    role: token.role,
                    scope: token.scope.clone(),
                }),
            },
        }
    }
}

/// What an audit entry records. Its name (`as_str`) is what the log stores and is
/// filtered on: stable, never renamed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    ContentCreate,
    ContentDraft,
    ContentUpdate,
    ContentTrash,
    ContentRestore,
    ContentPurge,
    ContentPublish,
    ContentUnpublish,
    ContentSchedulePublish,
    ContentScheduleUnpublish,
    ContentScheduleMove,
    ContentScheduleCancel,
    ContentDropTranslation,
    ContentRestoreRevision,
    ContentPublishDetails,
    ContentReviewRequest,
    ContentReviewReturn,
    ContentReviewPublish,
    ContentUpToDate,
    AssetUpload,
    AssetUpdate,
    AssetReplace,
    AssetDelete,
    SiteCreate,
    SiteUpdate,
    SiteDelete,
    UserCreate,
    UserUpdate,
    UserDelete,
    TokenCreate,
    TokenRevoke,
    WebhookCreate,
    WebhookUpdate,
    WebhookDelete,
    WebhookPing,
    WebhookRedeliver,
    RegistrationRead,
    RegistrationErase,
    /// A person cancelled their sign-up through a mailed link (who is not recorded).
    RegistrationCancel,
    /// Sign-ups of a past event deleted after `registrations.keep_days_after_event`.
    RegistrationRetention,
    PreviewLinkCreate,
    PermissionDenied,
    AuthLogin,
    AuthLogout,
    AuthPasswordChange,
    AuthPasswordResetRequest,
    AuthPasswordReset,
    InvitationCreate,
    InvitationResend,
    InvitationWithdraw,
    InvitationAccept,
    AuthTotpEnable,
    AuthTotpDisable,
    AuthRecoveryCodes,
    UserTotpReset,
    AccountPolicyUpdate,
    UserSsoLink,
}

impl AuditAction {
    pub const ALL: [Self; 57] = [
        Self::ContentCreate,
        Self::ContentDraft,
        Self::ContentUpdate,
        Self::ContentTrash,
        Self::ContentRestore,
        Self::ContentPurge,
        Self::ContentPublish,
        Self::ContentUnpublish,
        Self::ContentSchedulePublish,
        Self::ContentScheduleUnpublish,
        Self::ContentScheduleMove,
        Self::ContentScheduleCancel,
        Self::ContentDropTranslation,
        Self::ContentRestoreRevision,
        Self::ContentPublishDetails,
        Self::ContentReviewRequest,
        Self::ContentReviewReturn,
        Self::ContentReviewPublish,
        Self::ContentUpToDate,
        Self::AssetUpload,
        Self::AssetUpdate,
        Self::AssetReplace,
        Self::AssetDelete,
        Self::SiteCreate,
        Self::SiteUpdate,
        Self::SiteDelete,
        Self::UserCreate,
        Self::UserUpdate,
        Self::UserDelete,
        Self::TokenCreate,
        Self::TokenRevoke,
        Self::WebhookCreate,
        Self::WebhookUpdate,
        Self::WebhookDelete,
        Self::WebhookPing,
        Self::WebhookRedeliver,
        Self::RegistrationRead,
        Self::RegistrationErase,
        Self::RegistrationCancel,
        Self::RegistrationRetention,
        Self::PreviewLinkCreate,
        Self::PermissionDenied,
        Self::AuthLogin,
        Self::AuthLogout,
        Self::AuthPasswordChange,
        Self::AuthPasswordResetRequest,
        Self::AuthPasswordReset,
        Self::InvitationCreate,
        Self::InvitationResend,
        Self::InvitationWithdraw,
        Self::InvitationAccept,
        Self::AuthTotpEnable,
        Self::AuthTotpDisable,
        Self::AuthRecoveryCodes,
        Self::UserTotpReset,
        Self::AccountPolicyUpdate,
        Self::UserSsoLink,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ContentCreate => "content.create",
            Self::ContentDraft => "content.draft",
            Self::ContentUpdate => "content.update",
            Self::ContentTrash => "content.trash",
            Self::ContentRestore => "content.restore",
            Self::ContentPurge => "content.purge",
            Self::ContentPublish => "content.publish",
            Self::ContentUnpublish => "content.unpublish",
            Self::ContentSchedulePublish => "content.schedule_publish",
            Self::ContentScheduleUnpublish => "content.schedule_unpublish",
            Self::ContentScheduleMove => "content.schedule_move",
            Self::ContentScheduleCancel => "content.schedule_cancel",
            Self::ContentDropTranslation => "content.drop_translation",
            Self::ContentRestoreRevision => "content.restore_revision",
            Self::ContentPublishDetails => "content.publish_details",
            Self::ContentReviewRequest => "content.review_request",
            Self::ContentReviewReturn => "content.review_return",
            Self::ContentReviewPublish => "content.review_publish",
            Self::ContentUpToDate => "content.up_to_date",
            Self::AssetUpload => "asset.upload",
            Self::AssetUpdate => "asset.update",
            Self::AssetReplace => "asset.replace",
            Self::AssetDelete => "asset.delete",
            Self::SiteCreate => "site.create",
            Self::SiteUpdate => "site.update",
            Self::SiteDelete => "site.delete",
            Self::UserCreate => "user.create",
            Self::UserUpdate => "user.update",
            Self::UserDelete => "user.delete",
            Self::TokenCreate => "token.create",
            Self::TokenRevoke => "token.revoke",
            Self::WebhookCreate => "webhook.create",
            Self::WebhookUpdate => "webhook.update",
            Self::WebhookDelete => "webhook.delete",
            Self::WebhookPing => "webhook.ping",
            Self::WebhookRedeliver => "webhook.redeliver",
            Self::RegistrationRead => "registration.read",
            Self::RegistrationErase => "registration.erase",
            Self::RegistrationCancel => "registration.cancel",
            Self::RegistrationRetention => "registration.retention",
            Self::PreviewLinkCreate => "preview_link.create",
            Self::PermissionDenied => "permission.denied",
            Self::AuthLogin => "auth.login",
            Self::AuthLogout => "auth.logout",
            Self::AuthPasswordChange => "auth.password_change",
            Self::AuthPasswordResetRequest => "auth.password_reset_request",
            Self::AuthPasswordReset => "auth.password_reset",
            Self::InvitationCreate => "invitation.create",
            Self::InvitationResend => "invitation.resend",
            Self::InvitationWithdraw => "invitation.withdraw",
            Self::InvitationAccept => "invitation.accept",
            Self::AuthTotpEnable => "auth.totp_enable",
            Self::AuthTotpDisable => "auth.totp_disable",
            Self::AuthRecoveryCodes => "auth.recovery_codes",
            Self::UserTotpReset => "user.totp_reset",
            Self::AccountPolicyUpdate => "account_policy.update",
            Self::UserSsoLink => "user.sso_link",
        }
    }
}

/// One thing that happened.
#[derive(Debug, Clone)]
pub struct Event {
    pub action: AuditAction,
    pub outcome: Outcome,
    pub resource_kind: &'static str,
    pub resource_id: Option<String>,
    pub details: Value,
}

impl Event {
    pub fn success(
        action: AuditAction,
        resource_kind: &'static str,
        resource_id: impl ToString,
    ) -> Self {
        Self {
            action,
            outcome: Outcome::Success,
            resource_kind,
            resource_id: Some(resource_id.to_string()),
            details: Value::Object(Default::default()),
        }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }
}

pub async fn record(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    who: impl Into<Who>,
    event: Event,
) -> Result<(), AppError> {
    let who = who.into();
    let standing = who.standing.as_ref();
    let entry = audit_entry::ActiveModel {
        id: Set(Uuid::now_v7()),
        at: Set(now),
        actor_kind: Set(who.kind.to_owned()),
        actor_id: Set(who.id),
        actor_label: Set(who.label.chars().take(300).collect()),
        actor_name: Set(standing.map(|s| s.name.chars().take(200).collect())),
        actor_role: Set(standing.and_then(|s| s.role).map(|r| r.as_str().to_owned())),
        actor_countries: Set(standing.map(|s| scopes::to_json(&s.scope).0)),
        action: Set(event.action.as_str().to_owned()),
        outcome: Set(event.outcome),
        resource_kind: Set(event.resource_kind.to_owned()),
        resource_id: Set(event.resource_id.map(|id| id.chars().take(300).collect())),
        client_addr: Set(who.client_addr),
        details: Set(event.details),
    };
    AuditLog::insert(entry).exec_without_returning(db).await?;
    Ok(())
}

/// Asks the policy; a refusal is recorded in the audit log and becomes a 403.
pub async fn authorize(
    state: &AppState,
    actor: &Actor,
    action: Action<'_>,
    resource_kind: &'static str,
    resource_id: Option<String>,
) -> Result<(), AppError> {
    match policy::authorize(&actor.principal, action) {
        Ok(()) => Ok(()),
        Err(denied) => Err(refuse(state, actor, denied, resource_kind, resource_id).await),
    }
}

/// [`authorize`] for a decision taken inside a write transaction, on what it locked. A
/// refusal rolls the transaction back before it is recorded: the record must outlive
/// the transaction, and on SQLite it would otherwise wait for the very write lock the
/// transaction holds.
pub async fn authorize_locked(
    state: &AppState,
    txn: DatabaseTransaction,
    actor: &Actor,
    action: Action<'_>,
    resource_kind: &'static str,
    resource_id: Option<String>,
) -> Result<DatabaseTransaction, AppError> {
    match policy::authorize(&actor.principal, action) {
        Ok(()) => Ok(txn),
        Err(denied) => {
            txn.rollback().await?;
            Err(refuse(state, actor, denied, resource_kind, resource_id).await)
        }
    }
}

/// Records a refusal in the audit log; the 403 to answer.
async fn refuse(
    state: &AppState,
    actor: &Actor,
    denied: policy::Denied,
    resource_kind: &'static str,
    resource_id: Option<String>,
) -> AppError {
    let event = Event {
        action: AuditAction::PermissionDenied,
        outcome: Outcome::Denied,
        resource_kind,
        resource_id,
        details: serde_json::json!({ "permission": denied.permission, "reason": denied.reason }),
    };
    if let Err(err) = record(&state.db, state.clock.now(), actor, event).await {
        return err;
    }
    AppError::Forbidden(denied.to_string())
}

#[cfg(test)]
mod tests {
    use super::AuditAction;

    #[test]
    fn every_action_has_a_name_of_its_own() {
        let mut names: Vec<&str> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), AuditAction::ALL.len());
        assert!(
            names.iter().all(|n| n.contains('.')),
            "area.verb: {names:?}"
        );
    }
}
