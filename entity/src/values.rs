//! The closed sets of names the tables store in text columns, as Rust enums.
//!
//! Each maps to exactly the text the column has always held (no database enum type,
//! no data migration), so a query compares with the enum (`Column::Kind.eq(kind)`) and
//! a row comes back typed: no service matches on strings. Their names are part of the
//! stored data and of webhook payloads; never rename one.

use std::fmt;
use std::str::FromStr;

use sea_orm::entity::prelude::*;

/// Implements `as_str`, `ALL`, `Display`, `FromStr` and `Serialize` (as the name) for a
/// fieldless enum from its list of variants and names.
macro_rules! named {
    ($type:ident { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $type {
            pub const ALL: [$type; [$(stringify!($variant)),+].len()] = [$(Self::$variant),+];

            /// The name stored in the database and written on the wire.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $name),+
                }
            }
        }

        impl fmt::Display for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $type {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::ALL
                    .into_iter()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| format!(
                        concat!("unknown ", stringify!($type), " {:?}: expected {}"),
                        s,
                        Self::ALL.map(|v| v.as_str()).join(", ")
                    ))
            }
        }

        impl serde::Serialize for $type {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
}

/// The four kinds of content (`documents.kind`, and copied onto translations, live
/// rows and slug redirects).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum ContentKind {
    #[sea_orm(string_value = "page")]
    Page,
    #[sea_orm(string_value = "news")]
    News,
    #[sea_orm(string_value = "event")]
    Event,
    #[sea_orm(string_value = "material")]
    Material,
}
named!(ContentKind { Page => "page", News => "news", Event => "event", Material => "material" });

impl ContentKind {
    /// The path segment of the API (`/api/v1/admin/pages`).
    pub fn plural(self) -> &'static str {
        match self {
            Self::Page => "pages",
            Self::News => "news",
            Self::Event => "events",
            Self::Material => "materials",
        }
    }
}

/// A person's role (`users.role`), or the role an admin token acts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum Role {
    #[sea_orm(string_value = "admin")]
    Admin,
    #[sea_orm(string_value = "editor")]
    Editor,
    #[sea_orm(string_value = "author")]
    Author,
    #[sea_orm(string_value = "viewer")]
    Viewer,
}
named!(Role { Admin => "admin", Editor => "editor", Author => "author", Viewer => "viewer" });

/// What an API token is for (`api_tokens.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum TokenKind {
    #[sea_orm(string_value = "delivery")]
    Delivery,
    #[sea_orm(string_value = "preview")]
    Preview,
    #[sea_orm(string_value = "admin")]
    Admin,
}
named!(TokenKind { Delivery => "delivery", Preview => "preview", Admin => "admin" });

/// What made a revision (`revisions.action`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum RevisionAction {
    #[sea_orm(string_value = "create")]
    Create,
    #[sea_orm(string_value = "draft")]
    Draft,
    #[sea_orm(string_value = "fields")]
    Fields,
    #[sea_orm(string_value = "publish")]
    Publish,
    #[sea_orm(string_value = "unpublish")]
    Unpublish,
    #[sea_orm(string_value = "restore")]
    Restore,
    #[sea_orm(string_value = "drop")]
    Drop,
}
named!(RevisionAction {
    Create => "create", Draft => "draft", Fields => "fields", Publish => "publish",
    Unpublish => "unpublish", Restore => "restore", Drop => "drop",
});

impl RevisionAction {
    /// The actions that wrote a translation's text (what a translation was made from).
    pub const TEXT: [RevisionAction; 3] = [Self::Create, Self::Draft, Self::Publish];
}

/// What a schedule does when due (`schedules.action`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum ScheduleAction {
    #[sea_orm(string_value = "publish")]
    Publish,
    #[sea_orm(string_value = "unpublish")]
    Unpublish,
}
named!(ScheduleAction { Publish => "publish", Unpublish => "unpublish" });

/// How a schedule ended (`schedules.outcome`): ran, cancelled, or the reason it failed
/// (the column holds that reason as it is, for the editor to read).
#[derive(Debug, Clone, PartialEq, Eq, Hash, DeriveValueType)]
#[sea_orm(value_type = "String")]
pub enum ScheduleOutcome {
    Done,
    Cancelled,
    Failed(String),
}

impl ScheduleOutcome {
    pub fn as_str(&self) -> &str {
        match self {
            Self::Done => "done",
            Self::Cancelled => "cancelled",
            Self::Failed(reason) => reason,
        }
    }
}

impl fmt::Display for ScheduleOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Any text is an outcome: what is not `done` or `cancelled` is a failure's reason.
impl FromStr for ScheduleOutcome {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "done" => Self::Done,
            "cancelled" => Self::Cancelled,
            reason => Self::Failed(reason.to_owned()),
        })
    }
}

/// Where a request for review stands (`review_requests.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum ReviewStatus {
    #[sea_orm(string_value = "open")]
    Open,
    #[sea_orm(string_value = "published")]
    Published,
    #[sea_orm(string_value = "returned")]
    Returned,
}
named!(ReviewStatus { Open => "open", Published => "published", Returned => "returned" });

/// Where a webhook delivery stands (`webhook_deliveries.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum DeliveryStatus {
    #[sea_orm(string_value = "pending")]
    Pending,
    #[sea_orm(string_value = "delivered")]
    Delivered,
    #[sea_orm(string_value = "failed")]
    Failed,
}
named!(DeliveryStatus { Pending => "pending", Delivered => "delivered", Failed => "failed" });

/// Where a queued mail stands (`mail_outbox.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum MailStatus {
    #[sea_orm(string_value = "pending")]
    Pending,
    /// Accepted by the mail server (or written as a file).
    #[sea_orm(string_value = "sent")]
    Sent,
    /// Refused for good (a recipient the server rejects), or out of attempts.
    #[sea_orm(string_value = "failed")]
    Failed,
}
named!(MailStatus { Pending => "pending", Sent => "sent", Failed => "failed" });

/// Where a sign-up stands (`registrations.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum RegistrationStatus {
    /// Waiting for the person to confirm their address; holds a place until
    /// `hold_until`.
    #[sea_orm(string_value = "pending")]
    Pending,
    #[sea_orm(string_value = "confirmed")]
    Confirmed,
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
    /// The event was full: waiting, in order of joining, for a place to be offered.
    #[sea_orm(string_value = "waitlisted")]
    Waitlisted,
    /// A freed place is offered from the waitlist and held for the person until
    /// `hold_until`.
    #[sea_orm(string_value = "offered")]
    Offered,
    /// An offered place not accepted in time: it went to the next on the waitlist.
    #[sea_orm(string_value = "expired")]
    Expired,
}
named!(RegistrationStatus { Pending => "pending", Confirmed => "confirmed", Cancelled => "cancelled", Waitlisted => "waitlisted", Offered => "offered", Expired => "expired" });

/// How someone hears about sign-ups to the events of their countries
/// (`users.sign_up_notices`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum SignUpNotices {
    /// Not by mail (the event desk shows them).
    #[sea_orm(string_value = "none")]
    None,
    /// A mail on each sign-up.
    #[sea_orm(string_value = "each")]
    Each,
    /// A mail a day summing up the last 24 hours, when there was any.
    #[sea_orm(string_value = "daily")]
    Daily,
}
named!(SignUpNotices { None => "none", Each => "each", Daily => "daily" });

/// What a mailed link's token is for (`registration_tokens.purpose`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum TokenPurpose {
    #[sea_orm(string_value = "confirm")]
    Confirm,
    #[sea_orm(string_value = "cancel")]
    Cancel,
    /// Accepting a place offered from the waitlist.
    #[sea_orm(string_value = "offer")]
    Offer,
    /// Erasing every sign-up of the address the link was mailed to.
    #[sea_orm(string_value = "erase")]
    Erase,
}
named!(TokenPurpose { Confirm => "confirm", Cancel => "cancel", Offer => "offer", Erase => "erase" });

/// What an account's token is for (`account_tokens.purpose`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum AccountTokenPurpose {
    /// Choosing a new password through a mailed link.
    #[sea_orm(string_value = "password_reset")]
    PasswordReset,
    /// The step between a right password and the second factor's code at sign-in.
    #[sea_orm(string_value = "second_factor")]
    SecondFactor,
    /// The one-minute code a single sign-on hands the web app for a session.
    #[sea_orm(string_value = "sso_handoff")]
    SsoHandoff,
}
named!(AccountTokenPurpose {
    PasswordReset => "password_reset",
    SecondFactor => "second_factor",
    SsoHandoff => "sso_handoff",
});

/// How an audited attempt ended (`audit_log.outcome`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum AuditOutcome {
    #[sea_orm(string_value = "success")]
    Success,
    #[sea_orm(string_value = "failure")]
    Failure,
    #[sea_orm(string_value = "denied")]
    Denied,
}
named!(AuditOutcome { Success => "success", Failure => "failure", Denied => "denied" });

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::ActiveEnum;

    /// The database text and the name on the wire are one and the same.
    fn round_trips<T>(all: &[T])
    where
        T: ActiveEnum<Value = String> + FromStr + fmt::Display + PartialEq + fmt::Debug + Copy,
        <T as FromStr>::Err: fmt::Debug,
    {
        for value in all {
            assert_eq!(value.to_value(), value.to_string());
            assert_eq!(value.to_string().parse::<T>().unwrap(), *value);
            assert_eq!(T::try_from_value(&value.to_string()).unwrap(), *value);
        }
    }

    #[test]
    fn every_name_is_the_stored_text() {
        round_trips(&ContentKind::ALL);
        round_trips(&Role::ALL);
        round_trips(&TokenKind::ALL);
        round_trips(&RevisionAction::ALL);
        round_trips(&ScheduleAction::ALL);
        round_trips(&ReviewStatus::ALL);
        round_trips(&DeliveryStatus::ALL);
        round_trips(&MailStatus::ALL);
        round_trips(&RegistrationStatus::ALL);
        round_trips(&TokenPurpose::ALL);
        round_trips(&AccountTokenPurpose::ALL);
        round_trips(&AuditOutcome::ALL);
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn a_schedule_outcome_that_is_not_done_or_cancelled_is_a_reason() {
        for text in [
            "done",
            "cancelled",
            "the draft changed after it was scheduled",
        ] {
            assert_eq!(text.parse::<ScheduleOutcome>().unwrap().as_str(), text);
        }
        assert_eq!(
            "the site is gone".parse::<ScheduleOutcome>().unwrap(),
            ScheduleOutcome::Failed("the site is gone".to_owned())
        );
    }
}
