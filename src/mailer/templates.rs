//! The texts of mails and of the sign-up pages, per language: the catalogs shipped in
//! `templates/mail/<locale>.toml` (compiled in), each key overridable by an operator's
//! file of the same name in `mail.templates_dir`. A language without a catalog, or a
//! key its catalog lacks, falls back to English.
//!
//! Placeholders are `{name}`; values are put in as they are in the text part and
//! escaped in the HTML part, where web addresses become links. The HTML part has no
//! images and no styles that hide text, so it reads the same with images blocked.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Datelike, FixedOffset, Timelike};
use include_dir::{Dir, include_dir};
use toml::{Table, Value};

static SHIPPED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates/mail");

/// The placeholders whose values are links buysocial made (shown as links in HTML).
const LINKS: [&str; 3] = ["link", "cancel_link", "online_url"];

/// The language every other falls back to.
pub const FALLBACK: &str = "en";

/// Mails not about one sign-up, so without the footer that names its event.
const WITHOUT_FOOTER: [&str; 3] = ["test", "my_data", "my_data_none"];

/// Every catalog, shipped and overridden, by locale.
#[derive(Debug, Clone)]
pub struct Templates {
    catalogs: BTreeMap<String, Table>,
}

/// A mail's subject and its two bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Templates {
    /// The shipped catalogs with the overrides in `dir` (empty: none). An error names
    /// the file that does not read.
    pub fn load(dir: &str) -> Result<Self, String> {
        let mut catalogs = BTreeMap::new();
        for file in SHIPPED.files() {
            let Some(locale) = locale_of(file.path()) else {
                continue;
            };
            let text = file.contents_utf8().unwrap_or_default();
            let table: Table = toml::from_str(text)
                .map_err(|err| format!("templates/mail/{locale}.toml: {err}"))?;
            catalogs.insert(locale, table);
        }
        if !dir.is_empty() {
            let entries = std::fs::read_dir(dir)
                .map_err(|err| format!("mail.templates_dir {dir:?}: {err}"))?;
            for entry in entries.flatten() {
                let path = entry.path();
                let Some(locale) = locale_of(&path) else {
                    continue;
                };
                let text = std::fs::read_to_string(&path)
                    .map_err(|err| format!("{}: {err}", path.display()))?;
                let table: Table =
                    toml::from_str(&text).map_err(|err| format!("{}: {err}", path.display()))?;
                merge(catalogs.entry(locale).or_default(), table);
            }
        }
        if !catalogs.contains_key(FALLBACK) {
            return Err(format!("no {FALLBACK}.toml among the mail templates"));
        }
        Ok(Self { catalogs })
    }

    /// The locales with a catalog of their own.
    pub fn locales(&self) -> impl Iterator<Item = &str> {
        self.catalogs.keys().map(String::as_str)
    }

    /// The text at `key` (`confirm.subject`, `pages.confirm_button`) in `locale`, else
    /// in English; empty when neither has it.
    pub fn raw(&self, locale: &str, key: &str) -> &str {
        [locale, FALLBACK]
            .into_iter()
            .filter_map(|l| self.catalogs.get(l))
            .find_map(|catalog| lookup(catalog, key)?.as_str())
            .unwrap_or_default()
    }

    /// The text at `key` with `values` put in.
    pub fn text(&self, locale: &str, key: &str, values: &[(&str, &str)]) -> String {
        fill(self.raw(locale, key), values, |v| v.to_owned())
    }

    /// The mail `kind` (`confirm`, `offer`...) in `locale`, with the footer that says
    /// why the person receives it (not on the operators' test message).
    pub fn mail(&self, locale: &str, kind: &str, values: &[(&str, &str)]) -> Rendered {
        let subject = self.text(locale, &format!("{kind}.subject"), values);
        let footer = if WITHOUT_FOOTER.contains(&kind) {
            ""
        } else if kind.starts_with("organiser_") {
            self.raw(locale, "organiser_footer")
        } else if kind.starts_with("account_") {
            self.raw(locale, "account_footer")
        } else {
            self.raw(locale, "footer")
        };
        let body = format!(
            "{}\n\n{footer}",
            self.raw(locale, &format!("{kind}.body")).trim_end()
        );
        let text = fill(&body, values, |v| v.to_owned());
        // Only buysocial's own links become links: a name that looks like an address
        // stays text.
        let marked: Vec<(&str, String)> = values
            .iter()
            .map(|(key, value)| {
                // Marked line by line: the HTML part is written a line at a time.
                let mark = if LINKS.contains(key) {
                    '\u{1}'
                } else {
                    '\u{3}'
                };
                let marked: Vec<String> = value
                    .split('\n')
                    .map(|line| format!("{mark}{line}\u{2}"))
                    .collect();
                (*key, marked.join("\n"))
            })
            .collect();
        let marked: Vec<(&str, &str)> = marked.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let html = html_of(&fill(&body, &marked, |v| v.to_owned()));
        Rendered {
            subject: subject.replace(['\r', '\n'], " "),
            text,
            html,
        }
    }

    /// A start and end in `zone` as the language writes them: "23 May 2024,
    /// 09:00–16:00 (Europe/Vilnius)".
    pub fn when(
        &self,
        locale: &str,
        start: DateTime<FixedOffset>,
        end: DateTime<FixedOffset>,
        zone: &str,
    ) -> String {
        let (start, end) = in_zone(start, end, zone);
        self.date(locale, "when_format", start, Some(end), zone)
    }

    /// A moment in `zone`: "24 May 2024, 18:00 (Europe/Vilnius)".
    pub fn moment(&self, locale: &str, at: DateTime<FixedOffset>, zone: &str) -> String {
        let (at, _) = in_zone(at, at, zone);
        self.date(locale, "deadline_format", at, None, zone)
    }

    fn date(
        &self,
        locale: &str,
        format_key: &str,
        start: DateTime<FixedOffset>,
        end: Option<DateTime<FixedOffset>>,
        zone: &str,
    ) -> String {
        let month = [locale, FALLBACK]
            .into_iter()
            .filter_map(|l| self.catalogs.get(l))
            .find_map(|c| {
                c.get("months")?
                    .as_array()?
                    .get(start.month0() as usize)?
                    .as_str()
            })
            .unwrap_or_default();
        let clock = |at: DateTime<FixedOffset>| format!("{:02}:{:02}", at.hour(), at.minute());
        let (day, year) = (start.day().to_string(), start.year().to_string());
        let (from, until) = (clock(start), end.map(clock).unwrap_or_default());
        self.text(
            locale,
            format_key,
            &[
                ("day", &day),
                ("month", month),
                ("year", &year),
                ("start", &from),
                ("end", &until),
                ("zone", zone),
            ],
        )
    }
}

/// Both times shown in the event's own zone (its wall clock), the offset they were
/// saved with when the zone is unknown.
fn in_zone(
    start: DateTime<FixedOffset>,
    end: DateTime<FixedOffset>,
    zone: &str,
) -> (DateTime<FixedOffset>, DateTime<FixedOffset>) {
    match zone.parse::<chrono_tz::Tz>() {
        Ok(tz) => (
            start.with_timezone(&tz).fixed_offset(),
            end.with_timezone(&tz).fixed_offset(),
        ),
        Err(_) => (start, end),
    }
}

/// `fr` for `fr.toml`.
fn locale_of(path: &Path) -> Option<String> {
    if path.extension()? != "toml" {
        return None;
    }
    Some(path.file_stem()?.to_str()?.to_owned())
}

/// `key` of `table`, through one table level (`confirm.subject`).
fn lookup<'t>(table: &'t Table, key: &str) -> Option<&'t Value> {
    match key.split_once('.') {
        Some((section, rest)) => table.get(section)?.as_table()?.get(rest),
        None => table.get(key),
    }
}

/// `overrides` laid over `base`, table by table.
fn merge(base: &mut Table, overrides: Table) {
    for (key, value) in overrides {
        match (base.get_mut(&key), value) {
            (Some(Value::Table(inner)), Value::Table(more)) => merge(inner, more),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// `template` with each `{name}` of `values` replaced by `show(value)`; unknown
/// placeholders stay as they are, so a typo in an override shows rather than vanishes.
fn fill(template: &str, values: &[(&str, &str)], show: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let named = after.find('}').and_then(|close| {
            let name = &after[..close];
            values
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (close, show(value)))
        });
        match named {
            Some((close, value)) => {
                out.push_str(&value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The HTML part: paragraphs from blank lines, line breaks kept, everything escaped;
/// the link values (between the markers `\u{1}` and `\u{2}` that [`Templates::mail`]
/// puts around them; other values are between `\u{3}` and `\u{2}`) become links.
fn html_of(marked: &str) -> String {
    let paragraphs: Vec<String> = marked
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let lines: Vec<String> = p.lines().map(html_line).collect();
            format!("<p>{}</p>", lines.join("<br>\n"))
        })
        .collect();
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>\n<body style=\"font-family: sans-serif; line-height: 1.5\">\n{}\n</body></html>\n",
        paragraphs.join("\n")
    )
}

fn html_line(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find(['\u{1}', '\u{3}']) {
        let is_link = rest[start..].starts_with('\u{1}');
        out.push_str(&escape(&rest[..start]));
        let after = &rest[start + 1..];
        let end = after.find('\u{2}').unwrap_or(after.len());
        let value = &after[..end];
        if is_link && (value.starts_with("https://") || value.starts_with("http://")) {
            let href = escape(value);
            out.push_str(&format!("<a href=\"{href}\">{href}</a>"));
        } else {
            out.push_str(&escape(value));
        }
        rest = after.get(end + 1..).unwrap_or_default();
    }
    out.push_str(&escape(rest));
    out
}

/// `text` safe inside HTML text and attribute values.
pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> Templates {
        Templates::load("").unwrap()
    }

    #[test]
    fn a_mail_fills_its_placeholders_in_both_parts_and_links_only_in_html() {
        let mail = shipped().mail(
            "en",
            "confirm",
            &[
                ("name", "Ona <script>"),
                ("event", "Training in Vilnius"),
                ("when", "23 May 2024"),
                ("where", "Vilnius"),
                (
                    "link",
                    "https://cms.example/registrations/confirm?token=abc&x=1",
                ),
                ("hold_minutes", "30"),
            ],
        );
        assert_eq!(
            mail.subject,
            "Please confirm your sign-up: Training in Vilnius"
        );
        assert!(mail.text.contains("Hello Ona <script>,"));
        assert!(
            mail.text
                .contains("https://cms.example/registrations/confirm?token=abc&x=1")
        );
        assert!(mail.html.contains("Hello Ona &lt;script&gt;,"));
        assert!(
            mail.html.contains(
                "<a href=\"https://cms.example/registrations/confirm?token=abc&amp;x=1\">"
            )
        );
        assert!(!mail.html.contains('\u{1}'));
        assert!(!mail.html.contains('\u{3}'));
        assert!(
            mail.text.contains("sign up for \"Training in Vilnius\""),
            "footer"
        );
    }

    #[test]
    fn a_name_that_looks_like_an_address_is_not_made_a_link() {
        let mail = shipped().mail(
            "en",
            "confirmed",
            &[("name", "https://evil.example/login"), ("event", "X")],
        );
        assert!(!mail.html.contains("href=\"https://evil"), "{}", mail.html);
        assert!(mail.html.contains("https://evil.example/login"));
    }

    #[test]
    fn an_unknown_language_falls_back_to_english() {
        let templates = shipped();
        assert_eq!(
            templates.raw("ga", "pages.confirm_button"),
            templates.raw("en", "pages.confirm_button")
        );
    }

    #[test]
    fn dates_are_written_in_the_events_zone_and_language() {
        let start = DateTime::parse_from_rfc3339("2024-05-23T06:00:00Z").unwrap();
        let end = DateTime::parse_from_rfc3339("2024-05-23T13:00:00Z").unwrap();
        assert_eq!(
            shipped().when("en", start, end, "Europe/Vilnius"),
            "23 May 2024, 09:00–16:00 (Europe/Vilnius)"
        );
    }

    #[test]
    fn an_override_changes_one_key_and_keeps_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("en.toml"),
            "[confirm]\nsubject = \"Confirm: {event}\"\n",
        )
        .unwrap();
        let templates = Templates::load(dir.path().to_str().unwrap()).unwrap();
        assert_eq!(
            templates.text("en", "confirm.subject", &[("event", "X")]),
            "Confirm: X"
        );
        assert!(!templates.raw("en", "confirm.body").is_empty());
    }

    #[test]
    fn unknown_placeholders_stay_visible() {
        assert_eq!(fill("a {b} {c}", &[("b", "B")], str::to_owned), "a B {c}");
    }
}
