//! `GET /api/v1/admin/countries` and `GET /api/v1/admin/tags`: what forms offer (the
//! member states' time zones and languages, the tags in use), so that the web app asks
//! the API instead of keeping a copy.

use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use crate::domain::country::COUNTRY_FACTS;
use crate::http::ApiTags;
use crate::http::problem::{ApiError, error_set};
use crate::http::security::AdminAuth;
use crate::state::AppState;

pub struct CountriesApi {
    pub state: AppState,
}

/// An EU member state.
#[derive(Debug, Object)]
struct CountryResponse {
    /// ISO 3166-1 alpha-2, e.g. `PT`.
    code: String,
    /// Its IANA time zones, the capital's first (`["Europe/Lisbon", "Atlantic/Madeira",
    /// "Atlantic/Azores"]`): an event there takes the first unless it is elsewhere.
    time_zones: Vec<String>,
    /// Its official EU languages, the most widely used first, among the configured
    /// locales.
    languages: Vec<String>,
}

/// A tag in use.
#[derive(Debug, Object)]
struct TagResponse {
    tag: String,
    /// How many items (not in the trash) carry it.
    items: u64,
}

error_set!(
    /// Reading the countries or tags.
    Errors: 401, 403
);

#[OpenApi(prefix_path = "/api/v1/admin", tag = "ApiTags::Content")]
impl CountriesApi {
    /// The EU member states, with their time zones and languages.
    ///
    /// For forms: a new event in Portugal starts in Lisbon's time zone (and offers
    /// Madeira's and the Azores'), its first translation in Portuguese. Anyone signed in
    /// to the admin API may read it.
    #[oai(path = "/countries", method = "get", operation_id = "countries_list")]
    async fn list(&self, auth: AdminAuth) -> Result<Json<Vec<CountryResponse>>, ApiError<Errors>> {
        crate::services::reference::countries(&self.state, &auth.0).await?;
        let configured = &self.state.settings.content.locales;
        Ok(Json(
            COUNTRY_FACTS
                .iter()
                .map(|country| CountryResponse {
                    code: country.code.to_owned(),
                    time_zones: country.time_zones.iter().map(|z| (*z).to_owned()).collect(),
                    languages: country
                        .languages
                        .iter()
                        .filter(|l| configured.iter().any(|c| c == *l))
                        .map(|l| (*l).to_owned())
                        .collect(),
                })
                .collect(),
        ))
    }

    /// The tags in use, with how many items carry each, by name.
    ///
    /// For forms: tagging offers what exists, so that one topic keeps one tag. Anyone
    /// signed in to the admin API may read it.
    #[oai(path = "/tags", method = "get", operation_id = "tags_list")]
    async fn tags(&self, auth: AdminAuth) -> Result<Json<Vec<TagResponse>>, ApiError<Errors>> {
        let tags = crate::services::content::tags_in_use(&self.state, &auth.0).await?;
        Ok(Json(
            tags.into_iter()
                .map(|(tag, items)| TagResponse { tag, items })
                .collect(),
        ))
    }
}
