//! Login throttling per account and per client address, kept in the database so
//! that all instances behind a load balancer share the counts.
//!
//! A login attempt is counted before its password is checked, with an atomic
//! `UPDATE`: parallel attempts (which all wait for a hashing slot) cannot all pass the
//! check before any failure is counted, so no more than the limit ever get through.
//! A successful login gives its attempt back.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use entity::login_throttle::{self, Column, Entity as Throttle};
use sea_orm::sea_query::{Expr, ExprTrait as _, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::error::AppError;
use crate::settings::ThrottleSettings;

/// What a throttle counts: one account, or one client address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottleKey {
    key: String,
    max_failures: u32,
}

impl ThrottleKey {
    pub fn account(email: &str, settings: &ThrottleSettings) -> Self {
        Self {
            key: format!("account:{}", email.chars().take(260).collect::<String>()),
            max_failures: settings.max_failures_per_account,
        }
    }

    pub fn address(address: &str, settings: &ThrottleSettings) -> Self {
        Self {
            key: format!("address:{address}"),
            max_failures: settings.max_failures_per_address,
        }
    }
}

/// Refuses with 429 when any of `keys` is locked out at `now`.
pub async fn check(
    db: &impl ConnectionTrait,
    keys: &[ThrottleKey],
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let names = keys.iter().map(|k| k.key.clone());
    let locked_until = Throttle::find()
        .filter(Column::Key.is_in(names))
        .filter(Column::LockedUntil.gt(now))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|row| row.locked_until)
        .max();
    match locked_until {
        Some(until) => Err(AppError::TooManyRequests {
            retry_after: retry_after(until - now),
        }),
        None => Ok(()),
    }
}

/// Counts one login attempt against each of `keys` before the password is checked;
/// 429 when a key is locked out or this attempt is beyond its allowance.
pub async fn reserve(
    db: &impl ConnectionTrait,
    keys: &[ThrottleKey],
    settings: &ThrottleSettings,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    check(db, keys, now).await?;
    for key in keys {
        if record_failure(db, key, settings, now).await? > key.max_failures {
            return Err(AppError::TooManyRequests {
                retry_after: Duration::from_secs(settings.lockout_seconds.into()),
            });
        }
    }
    Ok(())
}

/// After a successful login: the account's failures are forgotten, and the attempt
/// counted against every other key (the client's address) is given back.
pub async fn succeeded(db: &impl ConnectionTrait, keys: &[ThrottleKey]) -> Result<(), AppError> {
    let Some((account, others)) = keys.split_first() else {
        return Ok(());
    };
    clear(db, account).await?;
    for key in others {
        Throttle::update_many()
            .col_expr(Column::Failures, Expr::col(Column::Failures).sub(1))
            .filter(Column::Key.eq(&key.key))
            .filter(Column::Failures.gt(0))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Counts one failure against `key`, locking it once it reaches its maximum; returns
/// the failures counted in the window so far (this one included, perhaps parallel
/// ones too).
pub async fn record_failure(
    db: &impl ConnectionTrait,
    key: &ThrottleKey,
    settings: &ThrottleSettings,
    now: DateTime<Utc>,
) -> Result<u32, AppError> {
    let window_start = now - TimeDelta::seconds(settings.window_seconds.into());
    let counted = Throttle::update_many()
        .col_expr(Column::Failures, Expr::col(Column::Failures).add(1))
        .filter(Column::Key.eq(&key.key))
        .filter(Column::WindowStartedAt.gt(window_start))
        .exec(db)
        .await?;
    if counted.rows_affected == 0 {
        // No row, or its window is over: start a new window.
        let fresh = login_throttle::ActiveModel {
            key: Set(key.key.clone()),
            failures: Set(1),
            window_started_at: Set(now),
            locked_until: Set(None),
        };
        Throttle::insert(fresh)
            .on_conflict(
                OnConflict::column(Column::Key)
                    .update_columns([
                        Column::Failures,
                        Column::WindowStartedAt,
                        Column::LockedUntil,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    let lockout_end = now + TimeDelta::seconds(settings.lockout_seconds.into());
    Throttle::update_many()
        .col_expr(Column::LockedUntil, Expr::value(Some(lockout_end)))
        .filter(Column::Key.eq(&key.key))
        .filter(Column::Failures.gte(i64::from(key.max_failures)))
        .exec(db)
        .await?;
    let failures = Throttle::find_by_id(key.key.clone())
        .one(db)
        .await?
        .map_or(1, |row| row.failures);
    Ok(u32::try_from(failures).unwrap_or(u32::MAX))
}

/// Forgets the failures of `key`, after a successful login.
pub async fn clear(db: &impl ConnectionTrait, key: &ThrottleKey) -> Result<(), AppError> {
    Throttle::delete_by_id(key.key.clone()).exec(db).await?;
    Ok(())
}

/// Whole seconds, rounded up, so a client that waits that long is let through.
fn retry_after(remaining: TimeDelta) -> Duration {
    let millis = u64::try_from(remaining.num_milliseconds()).unwrap_or(0);
    Duration::from_secs(Ord::max(millis.div_ceil(1000), 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(
            retry_after(TimeDelta::milliseconds(1500)),
            Duration::from_secs(2)
        );
        assert_eq!(
            retry_after(TimeDelta::milliseconds(-5)),
            Duration::from_secs(1)
        );
    }
}
