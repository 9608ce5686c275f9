//! `sites`: configured national frontends.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sites")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub name: String,
    /// JSON array of country codes.
    pub countries: Json,
    /// JSON array of locales, in the site's order.
    pub locales: Json,
    pub default_locale: String,
    /// JSON array: locales to try, in order, when a translation is missing.
    pub fallback: Json,
    /// JSON array of `{kind, locale, pattern}`: where the frontend shows items.
    pub routes: Json,
    /// Where the frontend previews drafts: a URL pattern with `{token}`.
    pub preview_url: Option<String>,
    /// `{version, texts: {locale: text}, privacy_notice_url}`: what the sign-up form
    /// asks people to agree to; `null`: buysocial's own text.
    pub registration_consent: Option<Json>,
    /// Where the site shows the pages of mailed sign-up links: a URL pattern with
    /// `{action}` and `{token}` (and `{locale}`).
    pub sign_up_links_url: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
