//! A person's own data, through HTTP and a real SMTP dialogue on loopback: asking by
//! address mails that address what is held about it (the same answer whether or not it
//! signed up), with a link to erase it all; erasing frees the places for the waitlist
//! and is audited without personal data; sign-ups of past events are deleted after
//! the retention period.

use chrono::TimeDelta;
use reqwest::StatusCode;
use sea_orm::EntityTrait;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, assert_problem, backend_tests};
use crate::registrations::{event, person, register};
use crate::sign_ups::{app_with_mail, follow, mails_to, press, sign_ups, text_of, token_in};

backend_tests!(
    people_get_their_data_by_mail_and_erase_it,
    asking_about_an_address_tells_nothing_to_the_asker,
    sign_ups_of_past_events_are_deleted_after_the_retention_period,
);

async fn ask(app: &TestApp, body: Value) -> reqwest::Response {
    app.post_json("/api/v1/registrations/my-data", &body).await
}

async fn people_get_their_data_by_mail_and_erase_it(backend: Backend) {
    let (app, smtp, admin) = app_with_mail(backend).await;
    let (full, full_id) = event(
        &app,
        &admin,
        "PT",
        10,
        json!({ "capacity": 1, "double_opt_in": false }),
    )
    .await;
    let (other, other_id) = event(&app, &admin, "PT", 12, json!({ "double_opt_in": false })).await;
    let mut ana = person("ana@example.pt");
    ana["organisation"] = json!("Câmara Municipal de Braga");
    register(&app, &full, &ana).await;
    register(&app, &other, &ana).await;
    let mut rui = person("rui@example.pt");
    rui["waitlist"] = json!(true);
    register(&app, &full, &rui).await;
    mails_to(&app, &smtp, "ana@example.pt").await;

    let answer = ask(&app, json!({ "email": "ANA@example.pt", "locale": "en" })).await;
    assert_eq!(answer.status(), StatusCode::ACCEPTED);
    assert_eq!(
        answer.json::<Value>().await.unwrap(),
        json!({ "status": "sent" })
    );
    let mails = mails_to(&app, &smtp, "ana@example.pt").await;
    let listing = mails.last().unwrap();
    let text = text_of(listing);
    assert!(text.contains("Câmara Municipal de Braga"), "{text}");
    assert_eq!(text.matches("signed up on").count(), 2, "{text}");
    assert!(
        !text.contains("{event}"),
        "no footer about one event: {text}"
    );
    let html = listing.parsed().body_html(0).unwrap().into_owned();
    assert!(!html.contains('\u{2}') && !html.contains('\u{3}'), "{html}");
    assert!(html.contains("Câmara Municipal de Braga"));
    let token = token_in(listing, "erase");

    // The link's page says what it would do, and does nothing until its button.
    let page = app
        .get(&format!("/registrations/erase?token={token}"))
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("<form method=\"post\" action=\"erase\">"),
        "{html}"
    );
    assert!(html.contains('2'), "{html}");
    assert_eq!(sign_ups(&app, &admin, &other_id).await.len(), 1);

    let erased = follow(&app, "erase", &token).await;
    assert_eq!(erased.status(), StatusCode::OK);
    assert_eq!(erased.json::<Value>().await.unwrap()["erased"], 2);
    assert!(sign_ups(&app, &admin, &other_id).await.is_empty());
    // Ana's place went to Rui, who was waiting for it.
    let left = sign_ups(&app, &admin, &full_id).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["email"], "rui@example.pt");
    assert_eq!(left[0]["status"], "offered");
    // Her mails went with her: none of them is left in the outbox.
    let outbox: Vec<String> = entity::mail_outbox::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.to_address)
        .collect();
    assert!(
        !outbox.iter().any(|to| to == "ana@example.pt"),
        "{outbox:?}"
    );
    // The log has the erasures, by the person, without who it was.
    let entries = app.audit(&admin, "action=registration.erase").await;
    assert_eq!(entries.len(), 2);
    for entry in &entries {
        assert_eq!(entry["actor_kind"], "person");
        assert!(!entry.to_string().contains("ana@"), "{entry}");
    }
    // Used once, the link names nothing.
    assert_problem(follow(&app, "erase", &token).await, StatusCode::NOT_FOUND).await;
}

async fn asking_about_an_address_tells_nothing_to_the_asker(backend: Backend) {
    let (app, smtp, _) = app_with_mail(backend).await;
    let answer = ask(&app, json!({ "email": "nobody@example.pt" })).await;
    assert_eq!(answer.status(), StatusCode::ACCEPTED);
    assert_eq!(
        answer.json::<Value>().await.unwrap(),
        json!({ "status": "sent" })
    );
    let mails = mails_to(&app, &smtp, "nobody@example.pt").await;
    assert_eq!(mails.len(), 1);
    assert!(text_of(&mails[0]).contains("We hold none"));
    assert!(!text_of(&mails[0]).contains("/registrations/erase"));

    let problem = assert_problem(
        ask(&app, json!({ "email": "not an address" })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "email");

    // An inbox cannot be flooded through it either (registrations.per_email_per_hour: 3).
    for _ in 0..2 {
        ask(&app, json!({ "email": "nobody@example.pt" })).await;
    }
    let limited = ask(&app, json!({ "email": "nobody@example.pt" })).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers().contains_key("retry-after"));

    // buysocial's own form page does the same, in the page's language.
    let form = app.get("/registrations/my-data?locale=fr").await;
    assert_eq!(form.status(), StatusCode::OK);
    let html = form.text().await.unwrap();
    assert!(html.contains("<html lang=\"fr\">"), "{html}");
    assert!(html.contains("<label for=\"email\">"), "{html}");
    let sent = press(&app, "my-data", "email=someone%40example.fr&locale=fr").await;
    assert_eq!(sent.status(), StatusCode::OK);
    let mails = mails_to(&app, &smtp, "someone@example.fr").await;
    assert_eq!(mails.len(), 1);
    assert!(
        !mails[0]
            .parsed()
            .subject()
            .unwrap()
            .starts_with("The data we hold"),
        "in French"
    );
}

async fn sign_ups_of_past_events_are_deleted_after_the_retention_period(backend: Backend) {
    let (app, smtp, admin) = app_with_mail(backend).await;
    let (past, past_id) = event(&app, &admin, "PT", 2, json!({ "double_opt_in": false })).await;
    let (later, later_id) = event(&app, &admin, "PT", 60, json!({ "double_opt_in": false })).await;
    register(&app, &past, &person("ana@example.pt")).await;
    register(&app, &later, &person("ana@example.pt")).await;
    mails_to(&app, &smtp, "ana@example.pt").await;
    let purge = || buysocial::services::registrations::purge_past_sign_ups(&app.state);

    // Over, but not for 30 days yet: kept.
    app.clock.advance(TimeDelta::days(20));
    assert_eq!(purge().await.unwrap(), 0);
    app.clock.advance(TimeDelta::days(15));
    assert_eq!(purge().await.unwrap(), 1);
    assert_eq!(purge().await.unwrap(), 0, "once");
    let admin = app.admin_token().await;
    assert!(sign_ups(&app, &admin, &past_id).await.is_empty());
    assert_eq!(sign_ups(&app, &admin, &later_id).await.len(), 1);
    let entries = app.audit(&admin, "action=registration.retention").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["actor_kind"], "system");
    assert_eq!(entries[0]["details"]["count"], 1);
    assert!(!entries[0].to_string().contains("ana@"));
}
