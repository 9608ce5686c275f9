//! Which roles must sign in with a second factor: an administrator's choice, stored
//! in `instance_settings` so that every instance applies it at once. People of those
//! roles without one can sign in, but may use nothing but turning it on.

use entity::instance_setting::{self, Entity as Settings};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, EntityTrait, Set};
use serde_json::json;

use crate::domain::Role;
use crate::error::AppError;
use crate::policy::Action;
use crate::services::kernel::actor::Actor;
use crate::services::kernel::audit::{self, AuditAction, Event};
use crate::services::kernel::unit_of_work::UnitOfWork;
use crate::state::AppState;

const KEY: &str = "two_factor_roles";

/// The roles that must use a second factor (none until an administrator says so).
pub async fn required_roles(db: &impl ConnectionTrait) -> Result<Vec<Role>, AppError> {
    let Some(row) = Settings::find_by_id(KEY).one(db).await? else {
        return Ok(Vec::new());
    };
    let names: Vec<String> = serde_json::from_value(row.value).map_err(AppError::internal)?;
    Ok(Role::ALL
        .into_iter()
        .filter(|role| names.iter().any(|n| n == role.as_str()))
        .collect())
}

/// The roles that must use a second factor, as an administrator reads them.
pub async fn get(state: &AppState, actor: &Actor) -> Result<Vec<Role>, AppError> {
    audit::authorize(state, actor, Action::ManageUsers, "account_policy", None).await?;
    required_roles(&state.db).await
}

/// Requires a second factor of `roles` (and of no others); the roles as they are now.
pub async fn set(state: &AppState, actor: &Actor, roles: Vec<Role>) -> Result<Vec<Role>, AppError> {
    audit::authorize(state, actor, Action::ManageUsers, "account_policy", None).await?;
    let now = state.clock.now();
    let roles: Vec<Role> = Role::ALL
        .into_iter()
        .filter(|r| roles.contains(r))
        .collect();
    let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    let work = UnitOfWork::begin(state).await?;
    let txn = work.txn();
    Settings::insert(instance_setting::ActiveModel {
        key: Set(KEY.to_owned()),
        value: Set(json!(names)),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(instance_setting::Column::Key)
            .update_columns([
                instance_setting::Column::Value,
                instance_setting::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    let event = Event::success(AuditAction::AccountPolicyUpdate, "account_policy", KEY)
        .with_details(json!({ "two_factor_roles": names }));
    audit::record(txn, now, actor, event).await?;
    work.commit().await?;
    Ok(roles)
}
