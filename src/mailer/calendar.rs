//! A calendar entry for an event, as an `.ics` file (RFC 5545) that calendar programs
//! accept when it comes with a mail: one `VEVENT` with a stable `UID` and a growing
//! `SEQUENCE` (a later entry updates the first instead of adding one), `DTSTAMP`, and the start and end
//! in UTC, which every client places right in its own zone without a `VTIMEZONE`.
//! Text values are escaped and lines folded at 75 octets, with CRLF endings.

use chrono::{DateTime, Utc};

/// What the entry says.
#[derive(Debug, Clone)]
pub struct CalendarEvent<'a> {
    /// Unique and stable for this person's entry: no personal data in it.
    pub uid: &'a str,
    pub stamp: DateTime<Utc>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub summary: &'a str,
    /// The venue and city, or "online".
    pub location: &'a str,
    /// The link of an online event.
    pub url: Option<&'a str>,
    pub description: &'a str,
}

/// The `.ics` file's text.
pub fn ics(event: &CalendarEvent<'_>) -> String {
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//buysocial//event sign-ups//EN".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}", text(event.uid)),
        format!("DTSTAMP:{}", utc(event.stamp)),
        // Each entry sent later carries a higher one, so calendars take it as the update
        // (minutes since 2024: an INTEGER for centuries).
        format!("SEQUENCE:{}", sequence(event.stamp)),
        format!("DTSTART:{}", utc(event.start)),
        format!("DTEND:{}", utc(event.end)),
        format!("SUMMARY:{}", text(event.summary)),
        format!("LOCATION:{}", text(event.location)),
    ];
    if let Some(url) = event.url {
        // A URI value is not escaped as text is.
        lines.push(format!("URL:{}", url.replace(['\r', '\n'], "")));
    }
    lines.push(format!("DESCRIPTION:{}", text(event.description)));
    lines.extend(["END:VEVENT".to_owned(), "END:VCALENDAR".to_owned()]);
    let mut out = String::new();
    for line in lines {
        fold(&line, &mut out);
    }
    out
}

fn sequence(stamp: DateTime<Utc>) -> i64 {
    let since = DateTime::<Utc>::from_timestamp(1_704_067_200, 0).unwrap_or_default();
    (stamp - since).num_minutes().max(0)
}

/// A UTC time as RFC 5545 writes it: `20240523T060000Z`.
fn utc(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A TEXT value: backslash, semicolon and comma escaped, line breaks as `\n`.
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends `line` folded to 75 octets per line (continuations start with a space),
/// never inside a character, each line ending in CRLF.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> String {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        ics(&CalendarEvent {
            uid: "0190-event-0190-sign-up@cms.example.eu",
            stamp: at("2024-05-22T08:00:00Z"),
            start: at("2024-05-23T06:00:00Z"),
            end: at("2024-05-23T13:00:00Z"),
            summary: "Socialiai atsakingi viešieji pirkimai; mokymai, Vilnius",
            location: "Ekonomikos ir inovacijų ministerija, Vilnius",
            url: None,
            description: "Line one\nLine two with a very long text that goes on and on and on until it must be folded",
        })
    }

    #[test]
    fn times_are_in_utc_and_text_is_escaped() {
        let ics = entry();
        assert!(ics.contains("DTSTART:20240523T060000Z\r\n"));
        assert!(ics.contains("DTEND:20240523T130000Z\r\n"));
        assert!(
            ics.contains("SUMMARY:Socialiai atsakingi viešieji pirkimai\\; mokymai\\, Vilnius")
        );
        assert!(ics.contains("Line one\\nLine two"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
    }

    #[test]
    fn lines_are_folded_at_75_octets_between_characters() {
        for line in entry().split("\r\n") {
            assert!(line.len() <= 75, "{line:?} is {} octets", line.len());
        }
        let unfolded = entry().replace("\r\n ", "");
        assert!(unfolded.contains("until it must be folded"));
        assert!(unfolded.contains("Ekonomikos ir inovacijų ministerija"));
    }
}
