//! Password resets by mail, telling nobody which addresses have an account: asking
//! answers the same and does the same work for any address (a throttle check and one
//! stored request; no password is hashed or checked), and the request is answered in
//! the background, where a reset link is mailed only to an enabled account. The link
//! works once, for `auth.password_reset_minutes` (30 at most); using it sets the new
//! password, ends every session of the account and every other reset link, and mails
//! the owner that it happened.

use chrono::TimeDelta;
use entity::password_reset_request::{self, Column, Entity as Requests};
use entity::user::{self, Entity as Users};
use entity::values::AccountTokenPurpose;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde_json::json;
use uuid::Uuid;

use super::{links, mails};
use crate::auth::throttle::{self, ThrottleKey};
use crate::domain::{Email, NewPassword};
use crate::error::AppError;
use crate::services::kernel::actor::ClientInfo;
use crate::services::kernel::audit::{self, AuditAction, Event, Who};
use crate::services::kernel::events::DomainEvent;
use crate::services::kernel::unit_of_work::UnitOfWork;
use crate::services::users::{self, User};
use crate::state::AppState;

/// Requests answered in one round of the background job.
const BATCH: u64 = 50;

/// Someone asks for a reset mail for `email`. The same answer (and work) whether or
/// not the address has an account; 429 past the limits per address asked for and per
/// client, which count every address alike.
pub async fn request(state: &AppState, email: &str, client: ClientInfo) -> Result<(), AppError> {
    let email = Email::parse(email).map_err(|m| AppError::invalid("email", m))?;
    let settings = &state.settings.auth.throttle;
    let now = state.clock.now();
    let address = client.limit_key.as_deref().unwrap_or("unknown");
    let keys = [
        ThrottleKey::reset_for(email.as_str(), settings),
        ThrottleKey::reset_from(address, settings),
    ];
    throttle::reserve(&state.db, &keys, settings, now).await?;
    let work = UnitOfWork::begin(state).await?;
    Requests::insert(password_reset_request::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email.as_str().to_owned()),
        client_addr: Set(client.address.map(|a| a.chars().take(64).collect())),
        requested_at: Set(now),
    })
    .exec_without_returning(work.txn())
    .await?;
    work.commit().await
}

/// Answers the stored requests: a reset link to each enabled account asked for,
/// nothing to other addresses. Safe with several instances: a request is taken by
/// deleting it. Returns how many requests were answered.
pub async fn answer_requests(state: &AppState) -> Result<usize, AppError> {
    let waiting = Requests::find()
        .order_by_asc(Column::RequestedAt)
        .limit(BATCH)
        .all(&state.db)
        .await?;
    let mut answered = 0;
    for request in waiting {
        // One request that fails (its mail, its account) must not hold up the others.
        match answer(state, &request).await {
            Ok(true) => answered += 1,
            Ok(false) => {}
            Err(err) => {
                tracing::warn!(error = %err, "a password-reset request could not be answered; will retry")
            }
        }
    }
    let now = state.clock.now();
    links::prune(&state.db, now - TimeDelta::days(1)).await?;
    Ok(answered)
}

/// Answers one request, unless another instance took it first.
async fn answer(
    state: &AppState,
    request: &password_reset_request::Model,
) -> Result<bool, AppError> {
    let now = state.clock.now();
    let work = UnitOfWork::begin(state).await?;
    let txn = work.txn();
    let taken = Requests::delete_many()
        .filter(Column::Id.eq(request.id))
        .exec(txn)
        .await?;
    if taken.rows_affected == 0 {
        work.rollback().await?;
        return Ok(false);
    }
    let account = users::find_by_email(txn, &request.email).await?;
    let Some(account) = account.filter(|u| u.disabled_at.is_none()) else {
        // Nothing is mailed, and nothing about the address is kept.
        work.commit().await?;
        return Ok(true);
    };
    let expires = now + TimeDelta::minutes(state.settings.auth.password_reset_minutes.into());
    let secret = links::issue(
        txn,
        account.id,
        AccountTokenPurpose::PasswordReset,
        expires,
        now,
    )
    .await?;
    let link = links::url(state, "reset-password", &secret);
    let mail = mails::password_reset(state, &account, &link, request.id);
    work.record(DomainEvent::MailQueued(Box::new(mail)), now)
        .await?;
    // Anyone may ask for an address: the request is not the account holder's act.
    let who = Who::anonymous(
        format!("someone, for {}", account.email),
        request.client_addr.clone(),
    );
    let event = Event::success(AuditAction::AuthPasswordResetRequest, "user", account.id)
        .with_details(json!({ "expires_at": expires }));
    audit::record(txn, now, who, event).await?;
    work.commit().await?;
    Ok(true)
}

/// Sets a new password with a mailed reset link: every session of the account ends,
/// and so does every other reset link.
pub async fn confirm(
    state: &AppState,
    secret: &str,
    new_password: &str,
    client: ClientInfo,
) -> Result<(), AppError> {
    let new = NewPassword::parse(new_password, users::password_rules(state))
        .map_err(|m| AppError::invalid("new_password", m))?;
    let now = state.clock.now();
    let found =
        links::find_live(&state.db, secret, AccountTokenPurpose::PasswordReset, now).await?;
    let password_hash = state.hasher.hash(new.expose()).await?;
    let work = UnitOfWork::begin(state).await?;
    let txn = work.txn();
    links::use_up(txn, &found, now).await?;
    let account = Users::find_by_id(found.user_id)
        .one(txn)
        .await?
        .filter(|u| u.disabled_at.is_none())
        .ok_or_else(links::not_valid)?;
    Users::update(user::ActiveModel {
        id: Set(account.id),
        password_hash: Set(password_hash),
        must_change_password: Set(false),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(txn)
    .await?;
    // Every session ends, and with them every other link, challenge and code.
    users::revoke_sessions(txn, account.id, now).await?;
    let mail = mails::password_changed(state, &account, now);
    work.record(DomainEvent::MailQueued(Box::new(mail)), now)
        .await?;
    let who = Who::user(&User::try_from(account.clone())?, client.address.clone());
    audit::record(
        txn,
        now,
        who,
        Event::success(AuditAction::AuthPasswordReset, "user", account.id),
    )
    .await?;
    work.commit().await?;
    // Whoever holds the mailbox chose the password: wrong guesses from here before do
    // not lock them out now. The count over all addresses stays: it also counts wrong
    // second-factor codes, which a new password does not excuse.
    let settings = &state.settings.auth.throttle;
    let address = client.limit_key.as_deref().unwrap_or("unknown");
    let here = ThrottleKey::account_from(&account.email, address, settings);
    throttle::clear(&state.db, &here).await
}
