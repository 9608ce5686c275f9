//! `registrations`: a reader's expression of interest in an event.

use sea_orm::entity::prelude::*;

use crate::ids::{ItemId, RegistrationId};
use crate::values::RegistrationStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "registrations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: RegistrationId,
    pub event_id: ItemId,
    pub name: String,
    pub email: String,
    pub organisation: String,
    /// `public_buyer`, `social_economy_entity` or `other`.
    pub organisation_type: String,
    pub country: String,
    /// The language of the page the person signed up on: their mails are in it.
    pub locale: Option<String>,
    pub consented_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub status: RegistrationStatus,
    pub confirmed_at: Option<DateTimeUtc>,
    /// While pending or offered: until when it keeps its place.
    pub hold_until: Option<DateTimeUtc>,
    pub cancelled_at: Option<DateTimeUtc>,
    /// When the reminder before the event was queued.
    pub reminded_at: Option<DateTimeUtc>,
    /// The consent text the person agreed to, as shown to them.
    pub consent_text: Option<String>,
    pub consent_version: Option<String>,
    /// The privacy notice the form linked to.
    pub privacy_notice_url: Option<String>,
    /// The site the person signed up through: its mailed links open that site's pages.
    pub site_code: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
