//! The tokens of mailed links: 256 random bits, shown only in the mail, stored as
//! their SHA-256 with what they are for, for which sign-up, until when. Each acts once:
//! its use is recorded (`used_at`), and a second use finds the sign-up confirmed or
//! cancelled already and says so.
//! Links lead to the site's own pages for them, or buysocial's ([`LinkPages`]).

use chrono::{DateTime, TimeDelta, Utc};
use entity::ids::RegistrationId;
use entity::registration;
use entity::registration_token::{self, Column, Entity as Tokens};
use entity::values::TokenPurpose;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::auth::token;
use crate::domain::content::EventFields;
use crate::domain::routes::{UrlPattern, Values};
use crate::error::AppError;
use crate::services::kernel::unit_of_work::UnitOfWork;
use crate::services::sites::Site;
use crate::state::AppState;

/// Prefix of sign-up link tokens, so that a leaked one is recognisable.
const PREFIX: &str = "bsr_";

/// A new token for `purpose` on `registration`, valid until `expires`.
pub(super) async fn issue(
    work: &UnitOfWork<'_>,
    registration: RegistrationId,
    purpose: TokenPurpose,
    expires: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let secret = token::generate(PREFIX);
    Tokens::insert(registration_token::ActiveModel {
        hash: Set(token::hash(&secret)),
        registration_id: Set(registration),
        purpose: Set(purpose),
        expires_at: Set(expires),
        used_at: Set(None),
        created_at: Set(now),
    })
    .exec_without_returning(work.txn())
    .await?;
    Ok(secret)
}

/// A link to cancel `registration`, working until the event is over (see
/// [`cancel_until`]): every mail of a sign-up carries one.
pub(super) async fn issue_cancel(
    work: &UnitOfWork<'_>,
    registration: RegistrationId,
    fields: &EventFields,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let until = cancel_until(fields, now);
    issue(work, registration, TokenPurpose::Cancel, until, now).await
}

/// Until when a cancel link works: the end of the event (a day after its start without
/// one), and at least a day from now.
fn cancel_until(fields: &EventFields, now: DateTime<Utc>) -> DateTime<Utc> {
    let end = fields
        .ends_at
        .or(fields.starts_at)
        .map(|at| at.with_timezone(&Utc) + TimeDelta::days(1));
    end.unwrap_or(now + TimeDelta::days(366))
        .max(now + TimeDelta::days(1))
}

/// Every link of `registration` stops working.
pub(super) async fn revoke_all(
    work: &UnitOfWork<'_>,
    registration: RegistrationId,
) -> Result<(), AppError> {
    Tokens::delete_many()
        .filter(Column::RegistrationId.eq(registration))
        .exec(work.txn())
        .await?;
    Ok(())
}

/// The stored token for `secret` and `purpose`, used or not, expired or not.
pub(super) async fn find(
    db: &impl ConnectionTrait,
    secret: &str,
    purpose: TokenPurpose,
) -> Result<Option<registration_token::Model>, AppError> {
    if !secret.starts_with(PREFIX) || secret.len() > 100 {
        return Ok(None);
    }
    Ok(Tokens::find_by_id(token::hash(secret))
        .filter(Column::Purpose.eq(purpose))
        .one(db)
        .await?)
}

/// Marks the token used.
pub(super) async fn use_up(
    work: &UnitOfWork<'_>,
    found: &registration_token::Model,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    Tokens::update_many()
        .col_expr(Column::UsedAt, Expr::value(Some(now)))
        .filter(Column::Hash.eq(found.hash.clone()))
        .exec(work.txn())
        .await?;
    Ok(())
}

/// This server's address for mailed links: `server.public_url`, or with none (as in a
/// first local run) the address it listens on.
pub(super) fn own_base(state: &AppState) -> String {
    state.settings.server.links_base()
}

/// Where a sign-up's mailed links lead: the pages of the site the person signed up
/// through, when it has some (`sign_up_links_url`), else buysocial's own,
/// `{public_url}/registrations/{action}?token=…` (with no public URL, as in a first local
/// run, this server's own address). Never the request's `Host`.
pub(super) struct LinkPages {
    site: Option<UrlPattern>,
    /// Filled into a site pattern's `{locale}`: the person's language.
    locale: String,
    own: String,
}

impl LinkPages {
    /// The pages of `site` (none: buysocial's) for a person of `locale`.
    pub(super) fn new(state: &AppState, site: Option<&Site>, locale: &str) -> Self {
        Self {
            site: site.and_then(|s| s.sign_up_links_url.clone()),
            locale: locale.to_owned(),
            own: own_base(state),
        }
    }

    /// The pages for `registration`'s links: those of the site it was made through,
    /// in the person's language.
    pub(super) async fn of(
        state: &AppState,
        db: &impl ConnectionTrait,
        registration: &registration::Model,
    ) -> Result<Self, AppError> {
        let locale = super::person::language(registration);
        Self::in_locale(state, db, registration, locale).await
    }

    /// The pages for `registration`'s links, in `locale`.
    pub(super) async fn in_locale(
        state: &AppState,
        db: &impl ConnectionTrait,
        registration: &registration::Model,
        locale: &str,
    ) -> Result<Self, AppError> {
        let site = match &registration.site_code {
            Some(code) => crate::services::sites::find_public(db, code).await?,
            None => None,
        };
        Ok(Self::new(state, site.as_ref(), locale))
    }

    /// The page that does `action` with `secret`.
    pub(super) fn url(&self, action: &str, secret: &str) -> String {
        let on_site = self.site.as_ref().and_then(|pattern| {
            pattern.fill(&Values {
                locale: Some(&self.locale),
                token: Some(secret),
                action: Some(action),
                ..Values::default()
            })
        });
        on_site.unwrap_or_else(|| format!("{}/registrations/{action}?token={secret}", self.own))
    }
}
