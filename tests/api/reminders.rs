//! The reminder before an event, through a real SMTP dialogue on loopback: sent once,
//! `registrations.reminder_hours` before the start, in the person's language, with the
//! time in the event's zone, a link to cancel and a calendar entry that an independent
//! RFC 5545 parser reads; the mail confirming a sign-up carries the same entry.

use chrono::{DateTime, TimeDelta, Utc};
use mail_parser::MimeHeaders;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::smtp::Received;
use crate::helpers::{Backend, TestApp, backend_tests};
use crate::registrations::{event, person, register};
use crate::sign_ups::{app_with_mail, mails_to, text_of, token_in};

backend_tests!(
    people_are_reminded_once_the_day_before_with_a_calendar_entry,
    an_online_event_reminds_with_its_link,
    an_event_moved_later_reminds_again,
);

async fn an_event_moved_later_reminds_again(backend: Backend) {
    let (app, smtp, admin) = app_with_mail(backend).await;
    let (slug, id) = event(&app, &admin, "PT", 3, json!({ "double_opt_in": false })).await;
    register(&app, &slug, &person("ana@example.pt")).await;
    let start = start_in(&app, 3);
    to_the_day_before(&app, start);
    assert_eq!(remind(&app).await, 1);

    // Put off by a week (and published): the reminder comes again before the new date.
    let admin = app.admin_token().await;
    let later = start + TimeDelta::days(7);
    let current: serde_json::Value = app
        .get_json(&format!("/api/v1/admin/events/{id}"), &admin)
        .await;
    let at = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let moved = app
        .send_if_match(
            reqwest::Method::PATCH,
            &format!("/api/v1/admin/events/{id}"),
            &admin,
            current["etag"].as_str(),
            &json!({ "fields": { "starts_at": at(later), "ends_at": at(later + TimeDelta::hours(7)) } }),
        )
        .await;
    assert_eq!(moved.status(), StatusCode::OK);
    let published = app
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/admin/events/{id}/translations/en/publish"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(published.status(), StatusCode::OK);
    assert_eq!(remind(&app).await, 0, "not yet");
    to_the_day_before(&app, later);
    assert_eq!(remind(&app).await, 1);
    let reminders = mails_to(&app, &smtp, "ana@example.pt")
        .await
        .into_iter()
        .filter(|m| m.parsed().subject().unwrap().starts_with("Reminder"))
        .count();
    assert_eq!(reminders, 2);
}

/// The properties of the one event of the calendar entry `mail` carries.
fn calendar_of(mail: &Received) -> Vec<(String, String)> {
    let parsed = mail.parsed();
    let entry = parsed
        .attachments()
        .find(|a| a.attachment_name() == Some("event.ics"))
        .expect("a calendar entry");
    let content_type = entry.content_type().unwrap();
    assert_eq!(
        (content_type.ctype(), content_type.subtype()),
        ("text", Some("calendar"))
    );
    let text = String::from_utf8(entry.contents().to_vec()).unwrap();
    assert!(text.contains("\r\n"), "CRLF line endings");
    let mut calendars = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()));
    let calendar = calendars.next().expect("one calendar").expect("it parses");
    assert!(calendars.next().is_none());
    let version = calendar
        .properties
        .iter()
        .find(|p| p.name == "VERSION")
        .and_then(|p| p.value.clone());
    assert_eq!(version.as_deref(), Some("2.0"));
    assert_eq!(calendar.events.len(), 1);
    calendar.events[0]
        .properties
        .iter()
        .map(|p| (p.name.clone(), p.value.clone().unwrap_or_default()))
        .collect()
}

fn property<'a>(properties: &'a [(String, String)], name: &str) -> &'a str {
    properties
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {name} in {properties:?}"))
}

fn utc(value: &str) -> DateTime<Utc> {
    chrono::NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%SZ")
        .unwrap_or_else(|err| panic!("{value}: {err}"))
        .and_utc()
}

/// Moves the clock to 23 hours before `start`.
fn to_the_day_before(app: &TestApp, start: DateTime<Utc>) {
    let wait = start - TimeDelta::hours(23) - app.clock.now();
    app.clock.advance(wait);
}

/// The start of the helper's event `days` ahead: 09:30 at UTC+1.
fn start_in(app: &TestApp, days: i64) -> DateTime<Utc> {
    let day = app.clock.now() + TimeDelta::days(days);
    utc(&day.format("%Y%m%dT083000Z").to_string())
}

async fn remind(app: &TestApp) -> u64 {
    buysocial::services::registrations::send_reminders(&app.state)
        .await
        .unwrap()
}

async fn people_are_reminded_once_the_day_before_with_a_calendar_entry(backend: Backend) {
    let (app, smtp, admin) = app_with_mail(backend).await;
    // Three days ahead, 09:30–16:30 in Lisbon (UTC+1 in the helper's offsets).
    let (slug, _) = event(&app, &admin, "PT", 3, json!({ "double_opt_in": false })).await;
    let mut ona = person("ona@example.lt");
    ona["locale"] = json!("lt");
    for body in [&person("ana@example.pt"), &ona] {
        assert_eq!(
            register(&app, &slug, body).await.status(),
            StatusCode::CREATED
        );
    }
    let confirmed = mails_to(&app, &smtp, "ana@example.pt").await;
    assert_eq!(confirmed.len(), 1);
    let added = calendar_of(&confirmed[0]);
    let start = utc(property(&added, "DTSTART"));
    assert_eq!(start, start_in(&app, 3), "09:30 at UTC+1 is 08:30 UTC");
    assert_eq!(utc(property(&added, "DTEND")) - start, TimeDelta::hours(7));
    assert!(property(&added, "SUMMARY").starts_with("Training PT 3"));
    assert_eq!(property(&added, "LOCATION"), "Lisboa");
    utc(property(&added, "DTSTAMP"));

    // Not yet: the start is more than a day away.
    assert_eq!(remind(&app).await, 0);

    // A day before, once each, however often it runs.
    to_the_day_before(&app, start);
    assert_eq!(remind(&app).await, 2);
    assert_eq!(remind(&app).await, 0);
    // Someone who signs up within the day gets the entry with their confirmation only.
    register(&app, &slug, &person("late@example.pt")).await;
    assert_eq!(remind(&app).await, 0);

    let ana = mails_to(&app, &smtp, "ana@example.pt").await;
    assert_eq!(ana.len(), 2);
    let reminder = &ana[1];
    let subject = reminder.parsed().subject().unwrap().to_owned();
    assert!(subject.starts_with("Reminder: Training PT 3"), "{subject}");
    let text = text_of(reminder);
    // The time as the event's place has it.
    let lisbon = |at: DateTime<Utc>| {
        at.with_timezone(&chrono_tz::Europe::Lisbon)
            .format("%H:%M")
            .to_string()
    };
    let local = format!(
        "{}–{} (Europe/Lisbon)",
        lisbon(start),
        lisbon(start + TimeDelta::hours(7))
    );
    assert!(text.contains(&local), "{local} in {text}");
    token_in(reminder, "cancel");
    let updated = calendar_of(reminder);
    assert_eq!(
        property(&updated, "UID"),
        property(&added, "UID"),
        "the reminder updates the entry the confirmation added"
    );
    assert_eq!(property(&updated, "DTSTART"), property(&added, "DTSTART"));
    assert!(
        !property(&updated, "UID").contains("ana@"),
        "no address in it"
    );

    let ona = smtp.received_by("ona@example.lt");
    let subject = ona[1].parsed().subject().unwrap().to_owned();
    assert!(subject.starts_with("Priminimas"), "{subject}");
    assert_eq!(smtp.received_by("late@example.pt").len(), 1);
}

async fn an_online_event_reminds_with_its_link(backend: Backend) {
    let (app, smtp, admin) = app_with_mail(backend).await;
    let (slug, _) = event(
        &app,
        &admin,
        "PT",
        3,
        json!({ "double_opt_in": false, "city": null,
                "online_url": "https://meet.example.eu/training?id=42" }),
    )
    .await;
    register(&app, &slug, &person("ana@example.pt")).await;
    to_the_day_before(&app, start_in(&app, 3));
    assert_eq!(remind(&app).await, 1);
    // Sent in one round with the confirmation, in either order.
    let mails = mails_to(&app, &smtp, "ana@example.pt").await;
    assert_eq!(mails.len(), 2);
    let reminder = mails
        .iter()
        .find(|m| m.parsed().subject().unwrap().starts_with("Reminder"))
        .expect("a reminder");
    let text = text_of(reminder);
    assert!(
        text.contains("Join here: https://meet.example.eu/training?id=42"),
        "{text}"
    );
    let html = reminder.parsed().body_html(0).unwrap().into_owned();
    assert!(
        html.contains("href=\"https://meet.example.eu/training?id=42\""),
        "{html}"
    );
    let entry = calendar_of(reminder);
    assert_eq!(
        property(&entry, "URL"),
        "https://meet.example.eu/training?id=42"
    );
}
