//! Who acts: an [`Actor`] is a verified credential (a session, an admin token, a
//! person at the command line) with the role and scope it acts with, and where the
//! request came from. Verifying bearer tokens is the `auth` feature's job.

use chrono::{DateTime, Utc};
use entity::ids::ActorId;
use uuid::Uuid;

use super::identity::{ApiToken, TokenKind, User};
use crate::domain::Locale;
use crate::policy::{self, Abilities, Principal};
use crate::state::AppState;

/// Who is calling, as told by the connection.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub address: Option<String>,
    /// What per-address limits count: the address, or for IPv6 its network
    /// (`server.ipv6_limit_prefix`).
    pub limit_key: Option<String>,
    pub user_agent: Option<String>,
}

/// A verified bearer credential of any kind.
#[derive(Debug, Clone)]
pub enum Credential {
    Session {
        user: User,
        session_id: Uuid,
        /// When the session ends if unused from now on.
        expires_at: DateTime<Utc>,
    },
    Token(ApiToken),
    /// A user acting through the command line on this machine (e.g. `seed-demo`).
    Local(User),
}

/// Someone acting in the admin API: a user through a session, or an admin token.
#[derive(Debug, Clone)]
pub struct Actor {
    pub principal: Principal,
    pub credential: Credential,
    pub client: ClientInfo,
}

impl Actor {
    /// The id recorded in the audit log: the user's or the token's.
    pub fn id(&self) -> ActorId {
        match &self.credential {
            Credential::Session { user, .. } | Credential::Local(user) => user.id.into(),
            Credential::Token(token) => token.id.into(),
        }
    }

    pub fn label(&self) -> &str {
        match &self.credential {
            Credential::Session { user, .. } | Credential::Local(user) => &user.email,
            Credential::Token(token) => &token.name,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self.credential {
            Credential::Session { .. } | Credential::Local(_) => "user",
            Credential::Token(_) => "token",
        }
    }

    /// The logged-in user, when the actor is one (not a token).
    pub fn user(&self) -> Option<&User> {
        match &self.credential {
            Credential::Session { user, .. } | Credential::Local(user) => Some(user),
            Credential::Token(_) => None,
        }
    }
}

impl Actor {
    /// `user` acting from the command line, with their own role and scope.
    pub fn local(user: User) -> Self {
        Self {
            principal: Principal {
                role: user.role,
                scope: user.scope.clone(),
            },
            credential: Credential::Local(user),
            client: ClientInfo {
                address: Some("local".into()),
                limit_key: Some("local".into()),
                user_agent: None,
            },
        }
    }
}

impl Credential {
    /// Who acts in the admin API with this credential: a user (once any generated
    /// password is changed) or an admin token; `None` for delivery and preview tokens.
    pub fn principal(&self) -> Option<Principal> {
        match self {
            Credential::Local(user) | Credential::Session { user, .. } => {
                (!user.must_change_password && !user.must_enrol_second_factor).then(|| Principal {
                    role: user.role,
                    scope: user.scope.clone(),
                })
            }
            Credential::Token(token) => match (token.kind, token.role) {
                (TokenKind::Admin, Some(role)) => Some(Principal {
                    role,
                    scope: token.scope.clone(),
                }),
                _ => None,
            },
        }
    }
}

/// The configured locales, parsed once by the settings.
pub fn configured_locales(state: &AppState) -> Vec<Locale> {
    state
        .settings
        .content
        .locales
        .iter()
        .map(|l| Locale::from_stored(l.clone()))
        .collect()
}

/// What `credential` may do in the admin API; nothing for delivery and preview tokens
/// and for users who must change their password first.
pub fn abilities(state: &AppState, credential: &Credential) -> Abilities {
    credential
        .principal()
        .map(|principal| policy::abilities(&principal, &configured_locales(state)))
        .unwrap_or_default()
}
