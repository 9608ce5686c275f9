//! Typed ids: an item's id and an asset's id are both UUIDs, and a function that takes
//! one must not be handed the other. Each maps to its UUID column as it is (no data
//! migration), is written as the plain UUID in JSON, and converts to and from `Uuid` at
//! the edges (paths, DTOs).

use std::fmt;
use std::str::FromStr;

use sea_orm::TryFromU64;
use sea_orm::entity::prelude::*;

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, DeriveValueType,
            serde::Serialize, serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new id, ordered by creation time (UUID v7).
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl PartialEq<Uuid> for $name {
            fn eq(&self, other: &Uuid) -> bool {
                self.0 == *other
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::from_str(s).map(Self)
            }
        }

        /// Ids are never numbers; sea-orm asks only for auto-increment keys.
        impl TryFromU64 for $name {
            fn try_from_u64(_: u64) -> Result<Self, DbErr> {
                Err(DbErr::ConvertFromU64(stringify!($name)))
            }
        }
    };
}

typed_id!(
    /// A content item (`documents.id`), whatever its kind.
    ItemId
);

typed_id!(
    /// An uploaded file (`assets.id`).
    AssetId
);

typed_id!(
    /// A person's account (`users.id`).
    UserId
);

typed_id!(
    /// Who did something: a person's account or an API token (`created_by`,
    /// `updated_by`, `published_by`, an audit entry's `actor_id`...). The columns hold
    /// either, so this is neither a [`UserId`] nor a token's id.
    ActorId
);

typed_id!(
    /// A saved revision of an item (`revisions.id`).
    RevisionId
);

impl From<UserId> for ActorId {
    /// A person acting: the id their actions are recorded under.
    fn from(user: UserId) -> Self {
        Self(user.0)
    }
}

impl ActorId {
    /// The account this id names, if it is a person's (look it up: it may be a token's).
    pub fn as_user(self) -> UserId {
        UserId(self.0)
    }

    /// The token this id names, if it is a token's (look it up: it may be a person's).
    pub fn as_token(self) -> TokenId {
        TokenId(self.0)
    }
}

typed_id!(
    /// An API token (`api_tokens.id`).
    TokenId
);

impl From<TokenId> for ActorId {
    /// A token acting: the id its actions are recorded under.
    fn from(token: TokenId) -> Self {
        Self(token.0)
    }
}

typed_id!(
    /// An outgoing webhook (`webhooks.id`).
    WebhookId
);

typed_id!(
    /// A sign-up for an event (`registrations.id`).
    RegistrationId
);

typed_id!(
    /// A scheduled publication or unpublication (`schedules.id`).
    ScheduleId
);

typed_id!(
    /// A request for review (`review_requests.id`).
    ReviewId
);

typed_id!(
    /// An invitation to make an account (`invitations.id`).
    InvitationId
);
