//! The kernel of every write: who acts ([`actor`], [`identity`]), the one gate that
//! asks the policy and records refusals ([`audit::authorize`]), the audit entry a
//! change leaves ([`audit::record`]), and what it announces: the outbox row webhooks
//! hear of ([`outbox::announce`]) and the change caches drop ([`effects`]). Features (content, assets, sites, users, tokens,
//! webhooks, registrations, delivery) build on it and on `domain`; the kernel imports
//! no feature, so that any of them, and writes without a signed-in person (public
//! sign-ups, the scheduler, background jobs), can use it.

pub mod actor;
pub mod audit;
pub mod effects;
pub mod events;
pub mod identity;
pub mod outbox;
