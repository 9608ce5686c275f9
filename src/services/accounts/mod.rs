//! The account lifecycle, so that no administrator ever knows someone else's
//! password: invitations to make an account and password resets by mail (both act
//! through mailed links whose tokens are stored hashed, used once, and expire), and
//! two-factor sign-in, and single sign-on.

pub mod invitations;
mod links;
mod mails;
pub mod password_reset;
pub mod sso;
pub mod two_factor;
