//! What a site would show of one item, before its settings are saved: for a reader
//! in each of the site's locales, the locale chain (that locale, then the fallback) and
//! the live translation it lands on. The delivery API chooses the same way.

use entity::document::{self, Entity as Documents};
use entity::published_translation::{self, Entity as Published};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::{SiteFields, validate};
use crate::domain::content::ContentKind;
use crate::domain::country::site_shows;
use crate::domain::{CountryCode, Locale};
use crate::error::{AppError, FieldErrors};
use crate::policy::Action;
use crate::services::kernel::actor::Actor;
use crate::services::kernel::audit;
use crate::services::scopes::countries_from_json;
use crate::state::AppState;

/// What the site would show of the item.
#[derive(Debug, Clone)]
pub struct SitePreview {
    /// Whether the site shows items of the item's countries at all.
    pub shown: bool,
    /// The item's countries; empty: EU-wide.
    pub item_countries: Vec<CountryCode>,
    /// One reader per site locale, in the site's order.
    pub readers: Vec<LocalePreview>,
}

/// A reader of the site asking for one of its locales.
#[derive(Debug, Clone)]
pub struct LocalePreview {
    pub locale: Locale,
    /// The locales tried, in order.
    pub chain: Vec<Locale>,
    /// The live translation served, and its title; `None`: nothing live on the chain.
    pub served: Option<(Locale, String)>,
}

/// Applies the site settings `fields` (countries, locales, default locale, fallback;
/// validated as for saving, nothing saved) to the live translations of one item.
pub async fn preview(
    state: &AppState,
    actor: &Actor,
    fields: SiteFields,
    kind: ContentKind,
    id: Uuid,
) -> Result<SitePreview, AppError> {
    audit::authorize(state, actor, Action::ManageSites, "site", None).await?;
    let mut errors = FieldErrors::new();
    for (field, missing) in [
        ("locales", fields.locales.is_none()),
        ("default_locale", fields.default_locale.is_none()),
    ] {
        if missing {
            errors.push(field, "is required");
        }
    }
    let valid = validate(state, &fields, &mut errors);
    errors.finish()?;
    let item = Documents::find_by_id(id)
        .filter(document::Column::Kind.eq(kind))
        .filter(document::Column::DeletedAt.is_null())
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no {} {id}", kind.as_str())))?;
    let item_countries = countries_from_json(&item.countries)?;
    let live: Vec<(String, String)> = Published::find()
        .select_only()
        .column(published_translation::Column::Locale)
        .column(published_translation::Column::Title)
        .filter(published_translation::Column::DocumentId.eq(id))
        .into_tuple()
        .all(&state.db)
        .await?;
    let fallback = valid.fallback.unwrap_or_default();
    let readers = valid
        .locales
        .unwrap_or_default()
        .into_iter()
        .map(|locale| {
            let mut chain = vec![locale.clone()];
            for next in &fallback {
                if !chain.contains(next) {
                    chain.push(next.clone());
                }
            }
            let served = chain.iter().find_map(|tried| {
                live.iter()
                    .find(|(l, _)| l == tried.as_str())
                    .map(|(_, title)| (tried.clone(), title.clone()))
            });
            LocalePreview {
                locale,
                chain,
                served,
            }
        })
        .collect();
    let site_countries = valid.countries.unwrap_or_default();
    let codes: Vec<&str> = item_countries.iter().map(CountryCode::as_str).collect();
    Ok(SitePreview {
        shown: site_shows(&site_countries, &codes),
        item_countries,
        readers,
    })
}
