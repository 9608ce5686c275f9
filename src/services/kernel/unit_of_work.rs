//! One write, one unit of work: a write transaction, the events the change caused, and
//! their effects. Inside the transaction each event leaves its outbox row (webhooks
//! hear of the change if, and only if, it commits) and each mail its row in the mail
//! outbox (sent if, and only if, the change commits); once it has committed, the
//! delivery caches drop what the events changed, here and on the other instances.
//!
//! A write whose commit is cut short (the request dropped, the connection lost while
//! committing) may or may not have committed: the caches then drop everything, which
//! can make them colder, never stale.

use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Utc};
use entity::outbox_event::{self, Entity as Outbox};
use sea_orm::{DatabaseTransaction, EntityTrait, Set};
use uuid::Uuid;

use super::actor::Actor;
use super::audit;
use super::cache_notices;
use super::events::DomainEvent;
use super::mail;
use crate::delivery_cache::Change;
use crate::error::AppError;
use crate::policy::Action;
use crate::state::AppState;

/// A write under way.
pub struct UnitOfWork<'s> {
    state: &'s AppState,
    txn: DatabaseTransaction,
    // Behind a lock so that recording needs no `&mut` while the transaction is
    // borrowed; never held across an await.
    changes: Mutex<Vec<Change>>,
    /// This writer's turn at SQLite (see [`crate::db::WriteTurn`]), given back as the
    /// transaction ends.
    _turn: crate::db::WriteTurn,
}

impl<'s> UnitOfWork<'s> {
    /// Opens the write transaction.
    pub async fn begin(state: &'s AppState) -> Result<Self, AppError> {
        let (txn, turn) = crate::db::begin_write(&state.db).await?;
        Ok(Self {
            state,
            txn,
            _turn: turn,
            changes: Mutex::new(Vec::new()),
        })
    }

    /// The transaction, for the change itself.
    pub fn txn(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// The policy's decision on what the transaction has locked and read (see
    /// [`audit::authorize_locked`]): refused, the transaction is rolled back first.
    pub async fn authorize(
        self,
        actor: &Actor,
        action: Action<'_>,
        resource_kind: &'static str,
        resource_id: Option<String>,
    ) -> Result<Self, AppError> {
        let Self {
            state,
            txn,
            changes,
            _turn,
        } = self;
        let txn =
            audit::authorize_locked(state, txn, actor, action, resource_kind, resource_id).await?;
        Ok(Self {
            state,
            txn,
            changes,
            _turn,
        })
    }

    /// Gives up the write: nothing it did stays, nothing is announced.
    pub async fn rollback(self) -> Result<(), AppError> {
        Ok(self.txn.rollback().await?)
    }

    /// Records what the write did: its outbox row now, its cache change at commit.
    pub async fn record(&self, event: DomainEvent, now: DateTime<Utc>) -> Result<(), AppError> {
        if let Some(event_type) = event.event_type() {
            let row = outbox_event::ActiveModel {
                id: Set(Uuid::now_v7()),
                topic: Set(event_type.as_str().to_owned()),
                payload: Set(event.payload().map_err(AppError::internal)?),
                created_at: Set(now),
                processed_at: Set(None),
            };
            Outbox::insert(row)
                .exec_without_returning(&self.txn)
                .await?;
        }
        if let DomainEvent::MailQueued(mail) = &event {
            let domain = mail::message_domain(&self.state.settings.server.public_url);
            mail::queue(&self.txn, mail, &domain, now).await?;
        }
        if let Some(change) = event.change() {
            self.changes
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(change);
        }
        Ok(())
    }

    /// Commits; then the caches drop what the recorded events changed.
    pub async fn commit(self) -> Result<(), AppError> {
        let Self {
            state,
            txn,
            changes,
            _turn: turn,
        } = self;
        let changes = changes.into_inner().unwrap_or_else(PoisonError::into_inner);
        if changes.is_empty() {
            // Nothing readers see changed (a sign-in, a user, a token): whether or not
            // the commit lands, no cache has anything to drop.
            return Ok(txn.commit().await?);
        }
        let uncertain = UncertainOnDrop(Some(state));
        let committed = txn.commit().await;
        // The next writer's turn: telling the caches writes again (in a turn of its own).
        drop(turn);
        uncertain.settle();
        match committed {
            Ok(()) => {
                cache_notices::changed(state, changes).await;
                Ok(())
            }
            Err(err) => {
                // A failed COMMIT may still have committed (the answer was lost).
                cache_notices::changed(state, vec![Change::Everything]).await;
                Err(err.into())
            }
        }
    }
}

/// While a commit is awaited: dropped then, nobody knows whether it committed, so every
/// cache drops everything.
struct UncertainOnDrop<'s>(Option<&'s AppState>);

impl UncertainOnDrop<'_> {
    fn settle(mut self) {
        self.0 = None;
    }
}

impl Drop for UncertainOnDrop<'_> {
    fn drop(&mut self) {
        if let Some(state) = self.0.take() {
            let everything = vec![Change::Everything];
            cache_notices::apply_here(state, &everything);
            cache_notices::share(state, everything);
        }
    }
}
