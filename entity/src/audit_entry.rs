//! `audit_log`: who did what, when, from where. Append-only.

use sea_orm::entity::prelude::*;

use crate::ids::ActorId;

use crate::values::AuditOutcome;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub at: DateTimeUtc,
    /// `user`, `token` or `anonymous`.
    pub actor_kind: String,
    pub actor_id: Option<ActorId>,
    /// The user's email or the token's name, as it was at the time.
    pub actor_label: String,
    /// The user's display name or the token's name, as it was at the time.
    pub actor_name: Option<String>,
    /// The actor's role at the time (`None` for anonymous and schedule entries).
    pub actor_role: Option<String>,
    /// JSON array of the actor's countries at the time; empty: all.
    pub actor_countries: Option<Json>,
    /// e.g. `user.create`, `auth.login`, `permission.denied`.
    pub action: String,
    pub outcome: AuditOutcome,
    pub resource_kind: String,
    pub resource_id: Option<String>,
    pub client_addr: Option<String>,
    pub details: Json,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
