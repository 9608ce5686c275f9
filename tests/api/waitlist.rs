//! Waitlists, through HTTP and a real SMTP dialogue on loopback: people join a full
//! event's waitlist in order; a place that frees up (a cancellation, an erasure, a hold
//! that ran out, a raised capacity) is offered by mail to the first on the list, held
//! until a deadline, and goes to the next when the offer runs out. Never more places
//! are held than the event has, however the cancellations race.

use chrono::TimeDelta;
use futures_util::future::join_all;
use reqwest::{Method, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::smtp::SmtpServer;
use crate::helpers::{Backend, TestApp, assert_problem, backend_tests};
use crate::registrations::{event, person, register};
use crate::sign_ups::{app_with_mail, follow, mails_to, press, shown, sign_ups, text_of, token_in};

backend_tests!(
    a_full_event_puts_people_on_its_waitlist_in_order,
    a_cancelled_place_is_offered_to_the_first_on_the_waitlist,
    an_offer_not_accepted_in_time_goes_to_the_next_person,
    places_freed_by_time_or_a_raised_capacity_are_offered,
    racing_cancellations_never_offer_more_places_than_are_free,
    an_event_without_a_waitlist_refuses_when_full,
);

fn waiting(email: &str) -> Value {
    let mut body = person(email);
    body["waitlist"] = json!(true);
    body
}

async fn status_of(answer: reqwest::Response) -> String {
    assert_eq!(answer.status(), StatusCode::CREATED);
    let body: Value = answer.json().await.unwrap();
    body["status"].as_str().unwrap().to_owned()
}

fn by_email<'a>(listed: &'a [Value], email: &str) -> &'a Value {
    listed
        .iter()
        .find(|r| r["email"] == email)
        .unwrap_or_else(|| panic!("{email} is not listed: {listed:?}"))
}

async fn desk_entry(app: &TestApp, admin: &str, id: &str) -> Value {
    let desk: Value = app
        .get_json("/api/v1/admin/event-desk?when=all", admin)
        .await;
    desk["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == id)
        .unwrap()
        .clone()
}

/// An event that confirms at once (no confirmation mail to follow first).
async fn open_event(app: &TestApp, admin: &str, capacity: i64) -> (String, String) {
    event(
        app,
        admin,
        "PT",
        10,
        json!({ "capacity": capacity, "double_opt_in": false }),
    )
    .await
}

async fn a_full_event_puts_people_on_its_waitlist_in_order(backend: Backend) {
    let (app, smtp, admin) = app_with_mail(backend).await;
    let (slug, id) = event(&app, &admin, "PT", 10, json!({ "capacity": 1 })).await;
    assert_eq!(shown(&app, &slug).await["waitlist_open"], false);

    assert_eq!(
        status_of(register(&app, &slug, &person("ana@example.pt")).await).await,
        "pending"
    );
    // A pending sign-up holds the place: the event is full, its waitlist open.
    let event = shown(&app, &slug).await;
    assert_eq!(event["status"], "full");
    assert_eq!(event["registration_open"], false);
    assert_eq!(event["waitlist_open"], true);

    // Without asking for the waitlist, a full event refuses.
    let refused = register(&app, &slug, &person("rui@example.pt")).await;
    let problem = assert_problem(refused, StatusCode::CONFLICT).await;
    assert!(problem["type"].as_str().unwrap().ends_with("event-full"));

    assert_eq!(
        status_of(register(&app, &slug, &waiting("rui@example.pt")).await).await,
        "waitlisted"
    );
    app.clock.advance(TimeDelta::seconds(1));
    let mut eva = waiting("eva@example.pt");
    eva["locale"] = json!("pt");
    assert_eq!(
        status_of(register(&app, &slug, &eva).await).await,
        "waitlisted"
    );

    // One mail each, saying where they are on the list, with a link to leave it.
    let rui = mails_to(&app, &smtp, "rui@example.pt").await;
    assert_eq!(rui.len(), 1);
    assert!(
        text_of(&rui[0]).contains("in place 1"),
        "{}",
        text_of(&rui[0])
    );
    token_in(&rui[0], "cancel");
    let eva_mails = smtp.received_by("eva@example.pt");
    assert_eq!(eva_mails.len(), 1);
    let eva_text = text_of(&eva_mails[0]);
    assert!(eva_text.contains("posição 2"), "{eva_text}");
    assert!(
        !eva_mails[0]
            .parsed()
            .subject()
            .unwrap()
            .starts_with("You are on the waitlist"),
        "in Portuguese"
    );

    // Signing up again while waiting changes nothing, with the same answer.
    assert_eq!(
        status_of(register(&app, &slug, &waiting("rui@example.pt")).await).await,
        "waitlisted"
    );

    let listed = sign_ups(&app, &admin, &id).await;
    assert_eq!(by_email(&listed, "ana@example.pt")["status"], "pending");
    assert!(by_email(&listed, "ana@example.pt")["waitlist_position"].is_null());
    assert_eq!(by_email(&listed, "rui@example.pt")["status"], "waitlisted");
    assert_eq!(by_email(&listed, "rui@example.pt")["waitlist_position"], 1);
    assert_eq!(by_email(&listed, "eva@example.pt")["waitlist_position"], 2);

    let desk = desk_entry(&app, &admin, &id).await;
    assert_eq!(desk["registered"], 1);
    assert_eq!(desk["waitlist_open"], true);
    assert_eq!(
        desk["sign_ups"],
        json!({ "pending": 1, "confirmed": 0, "offered": 0, "waitlisted": 2,
                "cancelled": 0, "expired": 0 })
    );

    let sheet = app
        .get_authed(
            &format!("/api/v1/admin/events/{id}/registrations?format=csv"),
            &admin,
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(sheet.contains("waitlist, place 2"), "{sheet}");
}

async fn a_cancelled_place_is_offered_to_the_first_on_the_waitlist(backend: Backend) {
    let (app, smtp, admin) = app_with_mail(backend).await;
    let (slug, id) = open_event(&app, &admin, 1).await;
    assert_eq!(
        status_of(register(&app, &slug, &person("ana@example.pt")).await).await,
        "confirmed"
    );
    register(&app, &slug, &waiting("rui@example.pt")).await;
    app.clock.advance(TimeDelta::seconds(1));
    register(&app, &slug, &waiting("eva@example.pt")).await;
    let ana = mails_to(&app, &smtp, "ana@example.pt").await;
    let rui_waiting = smtp.received_by("rui@example.pt");

    let cancelled = follow(&app, "cancel", &token_in(&ana[0], "cancel")).await;
    assert_eq!(cancelled.status(), StatusCode::OK);

    // The place went to Rui at once, held for him: the event stays full.
    let listed = sign_ups(&app, &admin, &id).await;
    let rui = by_email(&listed, "rui@example.pt");
    assert_eq!(rui["status"], "offered");
    assert!(rui["hold_until"].is_string());
    assert_eq!(by_email(&listed, "eva@example.pt")["waitlist_position"], 1);
    assert_eq!(shown(&app, &slug).await["status"], "full");

    let offers = mails_to(&app, &smtp, "rui@example.pt").await;
    assert_eq!(offers.len(), 2, "the waitlist mail, then the offer");
    let offer = offers
        .iter()
        .find(|m| text_of(m).contains("/registrations/accept-offer?token="))
        .expect("an offer mail");
    assert!(!rui_waiting.is_empty());
    let token = token_in(offer, "accept-offer");
    token_in(offer, "cancel");
    assert!(smtp.received_by("eva@example.pt").len() == 1, "Eva waits");

    // Opening the link changes nothing; its button takes the place.
    let page = app
        .get(&format!("/registrations/accept-offer?token={token}"))
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("<form method=\"post\" action=\"accept-offer\">"),
        "{html}"
    );
    assert_eq!(
        by_email(&sign_ups(&app, &admin, &id).await, "rui@example.pt")["status"],
        "offered"
    );
    let accepted = press(&app, "accept-offer", &format!("token={token}")).await;
    assert_eq!(accepted.status(), StatusCode::OK);
    assert!(accepted.text().await.unwrap().contains("is yours"));
    let rui = by_email(&sign_ups(&app, &admin, &id).await, "rui@example.pt").clone();
    assert_eq!(rui["status"], "confirmed");
    assert!(rui["confirmed_at"].is_string());
    let again: Value = follow(&app, "accept-offer", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["outcome"], "already_confirmed");
    let rui_mails = mails_to(&app, &smtp, "rui@example.pt").await;
    assert_eq!(rui_mails.len(), 3, "signed up: one more mail");
    token_in(&rui_mails[2], "cancel");
}

async fn an_offer_not_accepted_in_time_goes_to_the_next_person(backend: Backend) {
    let (app, smtp, admin) = app_with_mail(backend).await;
    let (slug, id) = open_event(&app, &admin, 1).await;
    register(&app, &slug, &person("ana@example.pt")).await;
    register(&app, &slug, &waiting("rui@example.pt")).await;
    app.clock.advance(TimeDelta::seconds(1));
    register(&app, &slug, &waiting("eva@example.pt")).await;
    let ana = sign_ups(&app, &admin, &id).await;
    let ana_id = by_email(&ana, "ana@example.pt")["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // An organiser erases Ana: her place is offered to Rui.
    let erased = app
        .delete_authed(
            &format!("/api/v1/admin/events/{id}/registrations/{ana_id}"),
            &admin,
        )
        .await;
    assert_eq!(erased.status(), StatusCode::NO_CONTENT);
    let offer = mails_to(&app, &smtp, "rui@example.pt")
        .await
        .into_iter()
        .find(|m| text_of(m).contains("accept-offer"))
        .expect("an offer");
    let rui_token = token_in(&offer, "accept-offer");

    // Before the deadline, the job leaves the offer alone.
    app.clock.advance(TimeDelta::hours(23));
    buysocial::services::registrations::run_waitlists(&app.state)
        .await
        .unwrap();
    // (A day on, the organiser signs in again.)
    let admin = app.admin_token().await;
    assert_eq!(
        by_email(&sign_ups(&app, &admin, &id).await, "rui@example.pt")["status"],
        "offered"
    );

    // After it (registrations.offer_hours: 24), the place goes to Eva.
    app.clock.advance(TimeDelta::hours(2));
    let offered = buysocial::services::registrations::run_waitlists(&app.state)
        .await
        .unwrap();
    assert_eq!(offered, 1);
    let admin = app.admin_token().await;
    let listed = sign_ups(&app, &admin, &id).await;
    assert_eq!(by_email(&listed, "rui@example.pt")["status"], "expired");
    assert_eq!(by_email(&listed, "eva@example.pt")["status"], "offered");
    let late = follow(&app, "accept-offer", &rui_token).await;
    let problem = assert_problem(late, StatusCode::GONE).await;
    assert!(problem["type"].as_str().unwrap().ends_with("link-expired"));
    let rui_mails = mails_to(&app, &smtp, "rui@example.pt").await;
    assert!(
        rui_mails
            .iter()
            .any(|m| text_of(m).contains("no longer on the waitlist")),
        "Rui is told the offer has gone"
    );

    // Running again (another instance, the next tick) offers nothing twice.
    assert_eq!(
        buysocial::services::registrations::run_waitlists(&app.state)
            .await
            .unwrap(),
        0
    );
    let eva_offer = smtp
        .received_by("eva@example.pt")
        .into_iter()
        .filter(|m| text_of(m).contains("accept-offer"))
        .collect::<Vec<_>>();
    assert_eq!(eva_offer.len(), 1);
    let accepted: Value = follow(
        &app,
        "accept-offer",
        &token_in(&eva_offer[0], "accept-offer"),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(accepted["outcome"], "accepted");
    let desk = desk_entry(&app, &admin, &id).await;
    assert_eq!(desk["registered"], 1);
    assert_eq!(desk["sign_ups"]["confirmed"], 1);
    assert_eq!(desk["sign_ups"]["expired"], 1);
}

async fn places_freed_by_time_or_a_raised_capacity_are_offered(backend: Backend) {
    let (app, smtp, admin) = app_with_mail(backend).await;
    let (slug, id) = event(&app, &admin, "PT", 10, json!({ "capacity": 1 })).await;
    register(&app, &slug, &person("ana@example.pt")).await;
    register(&app, &slug, &waiting("rui@example.pt")).await;
    app.clock.advance(TimeDelta::seconds(1));
    register(&app, &slug, &waiting("eva@example.pt")).await;

    // Ana never confirms: when her hold runs out, the place is offered to Rui.
    app.clock.advance(TimeDelta::minutes(31));
    let offered = buysocial::services::registrations::run_waitlists(&app.state)
        .await
        .unwrap();
    assert_eq!(offered, 1);
    let listed = sign_ups(&app, &admin, &id).await;
    assert_eq!(by_email(&listed, "rui@example.pt")["status"], "offered");
    assert_eq!(by_email(&listed, "eva@example.pt")["status"], "waitlisted");
    // Ana's late confirmation finds the place taken: she waits, behind Eva.
    let ana = mails_to(&app, &smtp, "ana@example.pt").await;
    let late = follow(&app, "confirm", &token_in(&ana[0], "confirm")).await;
    assert_eq!(late.status(), StatusCode::OK);
    let late: Value = late.json().await.unwrap();
    assert_eq!(late["outcome"], "waitlisted");
    assert_eq!(late["waitlist_position"], 2);
    let ana = mails_to(&app, &smtp, "ana@example.pt").await;
    assert!(text_of(ana.last().unwrap()).contains("in place 2"));

    // An organiser raises the capacity and publishes: Eva is offered the new place.
    let current: Value = app
        .get_json(&format!("/api/v1/admin/events/{id}"), &admin)
        .await;
    let patched = app
        .send_if_match(
            Method::PATCH,
            &format!("/api/v1/admin/events/{id}"),
            &admin,
            current["etag"].as_str(),
            &json!({ "fields": { "capacity": 2 } }),
        )
        .await;
    assert_eq!(patched.status(), StatusCode::OK);
    let published = app
        .send(
            Method::POST,
            &format!("/api/v1/admin/events/{id}/translations/en/publish"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(published.status(), StatusCode::OK);
    let offered = buysocial::services::registrations::run_waitlists(&app.state)
        .await
        .unwrap();
    assert_eq!(offered, 1);
    let listed = sign_ups(&app, &admin, &id).await;
    assert_eq!(by_email(&listed, "eva@example.pt")["status"], "offered");
    assert_eq!(by_email(&listed, "ana@example.pt")["waitlist_position"], 1);
}

async fn racing_cancellations_never_offer_more_places_than_are_free(backend: Backend) {
    let (app, smtp, admin) = app_with_mail(backend).await;
    let (slug, id) = open_event(&app, &admin, 4).await;
    let holders: Vec<String> = (0..4).map(|i| format!("holder{i}@example.pt")).collect();
    for email in &holders {
        assert_eq!(
            status_of(register(&app, &slug, &person(email)).await).await,
            "confirmed"
        );
    }
    for i in 0..8 {
        app.clock.advance(TimeDelta::seconds(1));
        let email = format!("waiting{i}@example.pt");
        assert_eq!(
            status_of(register(&app, &slug, &waiting(&email)).await).await,
            "waitlisted"
        );
    }
    buysocial::services::mail::run_once(&app.state)
        .await
        .unwrap();
    let cancel_tokens: Vec<String> = holders
        .iter()
        .map(|email| token_in(&smtp.received_by(email)[0], "cancel"))
        .collect();

    // Every holder cancels at once (twice each), while newcomers join and the job runs.
    let cancels = cancel_tokens
        .iter()
        .chain(cancel_tokens.iter())
        .map(|token| follow(&app, "cancel", token));
    let joins = (0..4).map(|i| {
        let body = waiting(&format!("late{i}@example.pt"));
        let slug = slug.clone();
        let app = &app;
        async move { register(app, &slug, &body).await }
    });
    let (cancelled, joined, job) = tokio::join!(
        join_all(cancels),
        join_all(joins),
        buysocial::services::registrations::run_waitlists(&app.state)
    );
    job.unwrap();
    for answer in cancelled {
        assert_eq!(answer.status(), StatusCode::OK);
    }
    for answer in joined {
        assert_eq!(status_of(answer).await, "waitlisted");
    }
    // Every freed place was offered as it was freed: nothing is left to offer.
    assert_eq!(
        buysocial::services::registrations::run_waitlists(&app.state)
            .await
            .unwrap(),
        0
    );
    // One offer link per person offered a place, none twice.
    let offer_links: Vec<entity::registration_token::Model> =
        entity::registration_token::Entity::find()
            .filter(
                entity::registration_token::Column::Purpose.eq(entity::values::TokenPurpose::Offer),
            )
            .all(&app.state.db)
            .await
            .unwrap();
    assert_eq!(offer_links.len(), 4);
    let mut holders_of_links: Vec<_> = offer_links.iter().map(|t| t.registration_id).collect();
    holders_of_links.sort();
    holders_of_links.dedup();
    assert_eq!(holders_of_links.len(), 4);

    // Exactly the four places are offered, to the first four who waited, in order.
    let listed = sign_ups(&app, &admin, &id).await;
    let offered: Vec<&str> = listed
        .iter()
        .filter(|r| r["status"] == "offered")
        .map(|r| r["email"].as_str().unwrap())
        .collect();
    let mut expected: Vec<String> = (0..4).map(|i| format!("waiting{i}@example.pt")).collect();
    let mut offered: Vec<String> = offered.into_iter().map(str::to_owned).collect();
    offered.sort();
    expected.sort();
    assert_eq!(offered, expected);
    let desk = desk_entry(&app, &admin, &id).await;
    assert_eq!(desk["registered"], 4);
    assert_eq!(desk["sign_ups"]["offered"], 4);
    assert_eq!(desk["sign_ups"]["waitlisted"], 8);
    assert_eq!(desk["sign_ups"]["cancelled"], 4);
    // One offer mail each, none twice.
    buysocial::services::mail::run_once(&app.state)
        .await
        .unwrap();
    for email in &expected {
        let offers = smtp
            .received_by(email)
            .into_iter()
            .filter(|m| text_of(m).contains("accept-offer"))
            .count();
        assert_eq!(offers, 1, "{email}");
    }
}

async fn an_event_without_a_waitlist_refuses_when_full(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = TestApp::builder(backend)
        .with_smtp(smtp.port())
        .spawn()
        .await;
    let admin = app.admin_token().await;
    let (slug, _) = event(
        &app,
        &admin,
        "PT",
        10,
        json!({ "capacity": 1, "double_opt_in": false, "waitlist": false }),
    )
    .await;
    register(&app, &slug, &person("ana@example.pt")).await;
    let event = shown(&app, &slug).await;
    assert_eq!(event["status"], "full");
    assert_eq!(event["waitlist_open"], false);
    let refused = register(&app, &slug, &waiting("rui@example.pt")).await;
    assert_problem(refused, StatusCode::CONFLICT).await;
    assert!(mails_to(&app, &smtp, "rui@example.pt").await.is_empty());
}
