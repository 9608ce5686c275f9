//! Login throttling per account and per client address, kept in the database so
//! that all instances behind a load balancer share the counts.
//!
//! A login attempt is counted before its password is checked, with an atomic
//! `UPDATE`: parallel attempts (which all wait for a hashing slot) cannot all pass the
//! check before any failure is counted, so no more than the limit ever get through.
//! A successful login gives its attempt back.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use entity::login_throttle::{Column, Entity as Throttle};
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, Statement, Value,
};

use crate::error::AppError;
use crate::settings::ThrottleSettings;

/// What a throttle counts: one account, or one client address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottleKey {
    key: String,
    max_failures: u32,
}

impl ThrottleKey {
    /// One account tried from one client address (or /64 network): the lock that five
    /// wrong passwords set. Someone else, elsewhere, guessing wrong does not lock the
    /// account's owner out.
    pub fn account_from(email: &str, address: &str, settings: &ThrottleSettings) -> Self {
        Self {
            key: format!("account:{}@{address}", short(email)),
            max_failures: settings.max_failures_per_account,
        }
    }

    /// One account tried from anywhere: a higher bound on guesses spread over many
    /// addresses.
    pub fn account(email: &str, settings: &ThrottleSettings) -> Self {
        Self {
            key: format!("account:{}", short(email)),
            max_failures: settings.max_failures_per_account_all_addresses,
        }
    }

    pub fn address(address: &str, settings: &ThrottleSettings) -> Self {
        Self {
            key: format!("address:{address}"),
            max_failures: settings.max_failures_per_address,
        }
    }
}

impl ThrottleKey {
    /// Password-reset mails asked for one address, whether or not it has an account (a
    /// limit only for accounts would tell which addresses have one).
    pub fn reset_for(email: &str, settings: &ThrottleSettings) -> Self {
        Self {
            key: format!("reset:account:{}", short(email)),
            max_failures: settings.max_reset_requests_per_account,
        }
    }

    /// Wrong second-factor codes for one account from anywhere: a tighter bound than
    /// for passwords, since whoever is asked for a code knows the password already.
    pub fn second_factor(email: &str, settings: &ThrottleSettings) -> Self {
        Self {
            key: format!("second-factor:{}", short(email)),
            max_failures: settings.max_failures_per_account,
        }
    }

    /// Password-reset mails asked for from one client address.
    pub fn reset_from(address: &str, settings: &ThrottleSettings) -> Self {
        Self {
            key: format!("reset:address:{address}"),
            max_failures: settings.max_reset_requests_per_address,
        }
    }
}

fn short(email: &str) -> String {
    email.chars().take(260).collect()
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
    release(db, others).await
}

/// Gives back the attempt counted against each key, for an attempt whose password was
/// right or never checked (the hashing queue was full): a lock that attempt set is
/// lifted when the count falls below the maximum again.
pub async fn release(db: &impl ConnectionTrait, keys: &[ThrottleKey]) -> Result<(), AppError> {
    for key in keys {
        Throttle::update_many()
            .col_expr(Column::Failures, Expr::col(Column::Failures).sub(1))
            .filter(Column::Key.eq(&key.key))
            .filter(Column::Failures.gt(0))
            .exec(db)
            .await?;
        Throttle::update_many()
            .col_expr(Column::LockedUntil, Expr::value(None::<DateTime<Utc>>))
            .filter(Column::Key.eq(&key.key))
            .filter(Column::Failures.lt(i64::from(key.max_failures)))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Counts one failure against `key`, locking it once it reaches its maximum; returns
/// the failures counted in the window so far, this one included.
///
/// One statement counts: an upsert that adds one within the window and starts a new
/// window otherwise. (Updating first and inserting when nothing was updated let a
/// burst of parallel attempts all find no row and all start the count again at one.)
pub async fn record_failure(
    db: &impl ConnectionTrait,
    key: &ThrottleKey,
    settings: &ThrottleSettings,
    now: DateTime<Utc>,
) -> Result<u32, AppError> {
    let window_start = now - TimeDelta::seconds(settings.window_seconds.into());
    let backend = db.get_database_backend();
    let placeholders: Vec<String> = (1..=5)
        .map(|n| match backend {
            DatabaseBackend::Postgres => format!("${n}"),
            _ => "?".to_owned(),
        })
        .collect();
    let [key_at, now_at, in_window_1, in_window_2, in_window_3] =
        [0, 1, 2, 3, 4].map(|i| &placeholders[i]);
    let in_window = |at: &str| format!("login_throttle.window_started_at > {at}");
    let sql = format!(
        "INSERT INTO login_throttle (key, failures, window_started_at, locked_until) \
         VALUES ({key_at}, 1, {now_at}, NULL) \
         ON CONFLICT (key) DO UPDATE SET \
           failures = CASE WHEN {} THEN login_throttle.failures + 1 ELSE 1 END, \
           locked_until = CASE WHEN {} THEN login_throttle.locked_until ELSE NULL END, \
           window_started_at = CASE WHEN {} THEN login_throttle.window_started_at \
             ELSE excluded.window_started_at END \
         RETURNING failures",
        in_window(in_window_1),
        in_window(in_window_2),
        in_window(in_window_3),
    );
    let values: Vec<Value> = vec![
        key.key.clone().into(),
        now.into(),
        window_start.into(),
        window_start.into(),
        window_start.into(),
    ];
    let failures = db
        .query_one_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?
        .map(|row| row.try_get::<i32>("", "failures"))
        .transpose()?
        .unwrap_or(1);
    if failures >= i32::try_from(key.max_failures).unwrap_or(i32::MAX) {
        let lockout_end = now + TimeDelta::seconds(settings.lockout_seconds.into());
        Throttle::update_many()
            .col_expr(Column::LockedUntil, Expr::value(Some(lockout_end)))
            .filter(Column::Key.eq(&key.key))
            .filter(
                Column::LockedUntil
                    .is_null()
                    .or(Column::LockedUntil.lte(now)),
            )
            .exec(db)
            .await?;
    }
    Ok(u32::try_from(failures).unwrap_or(0))
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
