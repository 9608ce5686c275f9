//! Who can act: people (users) and automation (API tokens), as the rest of the
//! application sees them. Their features (`users`, `tokens`) store and manage them; the
//! kernel only needs to know what they are, to tell who acts.

use chrono::{DateTime, Utc};
use entity::ids::{ActorId, UserId};
use entity::ids::{ItemId, TokenId};
use entity::{api_token, user};

use crate::domain::{Role, Scope};
use crate::error::AppError;
use crate::services::scopes;

/// A user as the rest of the application sees it (never with its password hash).
#[derive(Debug, Clone)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub scope: Scope,
    pub must_change_password: bool,
    pub disabled_at: Option<DateTime<Utc>>,
    /// How they hear about sign-ups to the events of their countries.
    pub sign_up_notices: entity::values::SignUpNotices,
    /// The language of mails about the account; none: English.
    pub language: Option<String>,
    /// They sign in with a second factor (an authenticator app).
    pub two_factor: bool,
    /// Their role must use a second factor and they have none: they may do nothing
    /// but turn it on (known once a session is authenticated; false elsewhere).
    pub must_enrol_second_factor: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Live admin tokens this person created, which disabling or deleting them revokes
    /// (counted in reads, lists and changes by an admin).
    pub admin_tokens: u64,
}

impl TryFrom<user::Model> for User {
    type Error = AppError;

    fn try_from(model: user::Model) -> Result<Self, Self::Error> {
        Ok(Self {
            role: model.role,
            scope: scopes::from_json(model.scope_countries, model.scope_locales)?,
            id: model.id,
            email: model.email,
            display_name: model.display_name,
            must_change_password: model.must_change_password,
            disabled_at: model.disabled_at,
            sign_up_notices: model.sign_up_notices,
            language: model.language,
            two_factor: model.totp_secret.is_some(),
            must_enrol_second_factor: false,
            created_at: model.created_at,
            updated_at: model.updated_at,
            admin_tokens: 0,
        })
    }
}

pub use entity::values::TokenKind;

/// The prefix of a token's secret, so that a leaked token is recognisable.
pub fn secret_prefix(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::Delivery => "bsd_",
        TokenKind::Preview => "bsp_",
        TokenKind::Admin => "bsa_",
    }
}

#[derive(Debug, Clone)]
pub struct ApiToken {
    pub id: TokenId,
    pub name: String,
    pub kind: TokenKind,
    /// The first characters of the secret, to tell tokens apart.
    pub hint: String,
    pub site: Option<String>,
    pub role: Option<Role>,
    pub scope: Scope,
    pub created_by: Option<ActorId>,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// A preview link's token: the one translation it shows as a draft.
    pub preview_of: Option<PreviewOf>,
    /// Whoever created it is disabled or deleted (known in lists and reads).
    pub creator_left: bool,
}

/// The translation a preview link shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewOf {
    pub document_id: ItemId,
    pub locale: String,
}

impl TryFrom<api_token::Model> for ApiToken {
    type Error = AppError;

    fn try_from(model: api_token::Model) -> Result<Self, AppError> {
        Ok(Self {
            kind: model.kind,
            role: model.role,
            scope: scopes::from_json(model.scope_countries, model.scope_locales)?,
            id: model.id,
            name: model.name,
            hint: model.hint,
            site: model.site_code,
            created_by: model.created_by,
            created_at: model.created_at,
            expires_at: model.expires_at,
            last_used_at: model.last_used_at,
            revoked_at: model.revoked_at,
            creator_left: false,
            // Both or neither: half a scope must never read as no scope at all.
            preview_of: match (model.document_id, model.locale) {
                (Some(document_id), Some(locale)) => Some(PreviewOf {
                    document_id,
                    locale,
                }),
                (None, None) => None,
                _ => {
                    return Err(AppError::internal(format!(
                        "token {} has half a preview-link scope",
                        model.id
                    )));
                }
            },
        })
    }
}
