//! The kernel of every write: who acts ([`actor`], [`identity`]), the one gate that
//! asks the policy and records refusals ([`audit::authorize`]), the audit entry a
//! change leaves ([`audit::record`]), and the unit of work ([`unit_of_work`]): a write
//! transaction and what the change caused, typed ([`events::DomainEvent`]), with its
//! effects (the outbox row webhooks hear of, the mail the mail outbox sends, the
//! change caches drop). Features (content, assets, sites, users, tokens,
//! webhooks, registrations, delivery) build on it and on `domain`; the kernel imports
//! no feature, so that any of them, and writes without a signed-in person (public
//! sign-ups, the scheduler, background jobs), can use it.

pub mod actor;
pub mod audit;
pub mod cache_notices;
pub mod events;
pub mod identity;
pub mod mail;
pub mod precondition;
pub mod unit_of_work;
