//! An event's sign-ups as a spreadsheet that opens as it should in Excel wherever the
//! organiser is: UTF-8 with a byte-order mark (without it Excel reads "Šiauliai" as
//! mojibake), the separator of the organiser's locale (`;` where the decimal mark is a
//! comma: Portugal, Belgium, France...), plain headers, times in the event's own time
//! zone, and a file name that says which event it is. Cells a spreadsheet could take
//! for a formula are defused.

use chrono::{DateTime, Utc};
use entity::ids::ItemId;

use crate::domain::content::EventFields;
use crate::error::AppError;
use crate::services::kernel::actor::Actor;
use crate::services::registrations;
use crate::state::AppState;

/// The column separator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Separator {
    #[default]
    Comma,
    /// For locales whose decimal mark is a comma.
    Semicolon,
}

impl Separator {
    fn as_char(self) -> char {
        match self {
            Separator::Comma => ',',
            Separator::Semicolon => ';',
        }
    }
}

/// A spreadsheet file.
#[derive(Debug)]
pub struct Sheet {
    pub body: String,
    pub file_name: String,
}

/// The event's sign-ups as CSV, for whoever may read them (see `registrations::list`).
pub async fn sign_up_sheet(
    state: &AppState,
    actor: &Actor,
    event: ItemId,
    separator: Separator,
) -> Result<Sheet, AppError> {
    let found = registrations::list(state, actor, event).await?;
    let (fields, slug) = event_facts(state, event).await?;
    let zone: chrono_tz::Tz = fields
        .time_zone
        .as_deref()
        .and_then(|z| z.parse().ok())
        .unwrap_or(chrono_tz::UTC);
    let local = |at: DateTime<Utc>| at.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string();
    let separator = separator.as_char();
    let signed_up = format!("Signed up at ({zone})");
    let headers = [
        "Name",
        "Email",
        "Organisation",
        "Type of organisation",
        "Country",
        "Language",
        signed_up.as_str(),
        "Status",
    ];
    // The byte-order mark tells Excel the file is UTF-8.
    let mut body = String::from('\u{feff}');
    push_row(&mut body, &headers, separator);
    let positions = registrations::waitlist_positions(&found);
    for r in &found {
        let status = match positions.get(&r.id) {
            Some(position) => format!("waitlist, place {position}"),
            None => status_words(r.status).to_owned(),
        };
        let row = [
            r.name.as_str(),
            r.email.as_str(),
            r.organisation.as_str(),
            organisation_type_words(&r.organisation_type),
            r.country.as_str(),
            r.locale.as_deref().unwrap_or_default(),
            &local(r.created_at),
            &status,
        ];
        push_row(&mut body, &row, separator);
    }
    let date = fields
        .starts_at
        .map(|at| at.with_timezone(&zone).format("%Y-%m-%d").to_string());
    let file_name = match date {
        Some(date) => format!("sign-ups-{slug}-{date}.csv"),
        None => format!("sign-ups-{slug}.csv"),
    };
    Ok(Sheet { body, file_name })
}

/// The event's neutral fields and the slug of its source translation (its id when it
/// has none).
async fn event_facts(state: &AppState, event: ItemId) -> Result<(EventFields, String), AppError> {
    use sea_orm::EntityTrait as _;
    let document = entity::document::Entity::find_by_id(event)
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no event {event}")))?;
    let fields: EventFields =
        serde_json::from_value(document.fields.clone()).map_err(AppError::internal)?;
    let slug = entity::translation::Entity::find_by_id((event, document.source_locale.clone()))
        .one(&state.db)
        .await?
        .map_or_else(|| event.to_string(), |t| t.slug);
    Ok((fields, slug))
}

/// A sign-up's status as organisers read it.
fn status_words(status: entity::values::RegistrationStatus) -> &'static str {
    use entity::values::RegistrationStatus;
    match status {
        RegistrationStatus::Pending => "not confirmed yet",
        RegistrationStatus::Confirmed => "confirmed",
        RegistrationStatus::Cancelled => "cancelled",
        RegistrationStatus::Waitlisted => "waitlist",
        RegistrationStatus::Offered => "offered a place, not accepted yet",
        RegistrationStatus::Expired => "offer expired",
    }
}

fn organisation_type_words(stored: &str) -> &'static str {
    match stored {
        "public_buyer" => "public buyer",
        "social_economy_entity" => "social economy entity",
        _ => "other",
    }
}

fn push_row(out: &mut String, cells: &[&str], separator: char) {
    let cells: Vec<String> = cells.iter().map(|c| cell(c, separator)).collect();
    out.push_str(&cells.join(&separator.to_string()));
    out.push_str("\r\n");
}

/// A CSV cell, quoted when needed. A value that a spreadsheet could read as a formula,
/// at its start or after a separator some locales use (`;`, tab), is defused with a
/// leading `'`.
fn cell(value: &str, separator: char) -> String {
    let risky = value
        .split([';', ',', '\t'])
        .any(|part| part.trim_start().starts_with(['=', '+', '-', '@']));
    let defused = if risky {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if defused.contains([separator, ',', ';', '"', '\r', '\n', '\t']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn formulas_never_reach_a_spreadsheet() {
        assert_eq!(cell("Ana Silva", ';'), "Ana Silva");
        assert_eq!(cell("=1+1", ';'), "'=1+1");
        assert_eq!(cell("a;=HYPERLINK(x)", ','), "\"'a;=HYPERLINK(x)\"");
        assert_eq!(cell("say \"hi\", ok", ';'), "\"say \"\"hi\"\", ok\"");
        assert_eq!(cell("Lda, Porto", ';'), "\"Lda, Porto\"");
    }
}
