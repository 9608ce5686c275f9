//! Sign-ups people confirm by mail, through HTTP and a real SMTP dialogue on loopback:
//! a sign-up is pending until its address is confirmed, holds a place meanwhile, and
//! can be cancelled through the link every mail carries. Opening a link changes
//! nothing; only its page's button (or a frontend's POST) does.

use chrono::TimeDelta;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::smtp::{Received, SmtpServer};
use crate::helpers::{Backend, TestApp, assert_problem, backend_tests};
use crate::registrations::{event, person, register};

backend_tests!(
    a_sign_up_waits_until_its_address_is_confirmed,
    an_unconfirmed_sign_up_stops_holding_its_place_when_its_hold_runs_out,
    signing_up_again_gets_the_same_answer_and_a_mail_instead,
    the_cancel_link_frees_the_place,
    a_confirmation_link_expires_and_its_sign_up_is_deleted,
    an_inbox_cannot_be_flooded_through_the_form,
    unknown_links_are_refused,
    erasing_a_sign_up_forgets_its_mails_too,
    people_can_cancel_after_the_event_went_offline_and_a_purge_forgets_their_mails,
    organisers_see_which_addresses_could_not_be_mailed,
    erasing_a_sign_up_deletes_the_files_of_its_mails,
    a_sign_up_keeps_the_consent_its_form_showed,
    mailed_links_open_the_pages_of_the_site_signed_up_on,
);

async fn mailed_links_open_the_pages_of_the_site_signed_up_on(backend: Backend) {
    let (app, smtp, admin) = app_with_mail(backend).await;
    let site = json!({ "code": "be", "name": "WeBuySocial Belgium", "countries": ["BE", "PT"],
        "locales": ["fr", "en"], "default_locale": "fr",
        "sign_up_links_url": "https://webuysocial.be/{locale}/inscription/{action}?jeton={token}" });
    let created = app
        .post_json_authed("/api/v1/admin/sites", &admin, &site)
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let (slug, id) = event(&app, &admin, "PT", 10, json!({})).await;
    let mut marie = person("marie@example.be");
    marie["locale"] = json!("fr");
    let answer = app
        .post_json(
            &format!("/api/v1/events/{slug}/registrations?site=be&locale=en"),
            &marie,
        )
        .await;
    assert_eq!(answer.status(), StatusCode::CREATED);

    let mails = mails_to(&app, &smtp, "marie@example.be").await;
    let text = text_of(&mails[0]);
    let marker = "https://webuysocial.be/fr/inscription/confirm?jeton=";
    let start = text.find(marker).unwrap_or_else(|| panic!("{text}")) + marker.len();
    let token = text[start..].split_whitespace().next().unwrap();
    assert!(text.contains("https://webuysocial.be/fr/inscription/cancel?jeton=bsr_"));
    assert!(
        !text.contains("/registrations/"),
        "no buysocial page: {text}"
    );
    // The site's page sends the token on, as buysocial's own page does.
    let confirmed: Value = follow(&app, "confirm", token).await.json().await.unwrap();
    assert_eq!(confirmed["outcome"], "confirmed");
    let confirmation = &mails_to(&app, &smtp, "marie@example.be").await[1];
    assert!(text_of(confirmation).contains("https://webuysocial.be/fr/inscription/cancel?jeton="));
    assert_eq!(sign_ups(&app, &admin, &id).await[0]["status"], "confirmed");

    // The page must know what to do with the token.
    let refused = app
        .patch_json_authed(
            "/api/v1/admin/sites/be",
            &admin,
            &json!({ "sign_up_links_url": "https://webuysocial.be/inscription?jeton={token}" }),
        )
        .await;
    let problem = assert_problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["errors"][0]["field"], "sign_up_links_url");
}

async fn a_sign_up_keeps_the_consent_its_form_showed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let consent = json!({ "version": "2024-05", "texts": { "en": "I agree to the Portuguese terms." },
                          "privacy_notice_url": "https://pt.webuysocial.test/privacy" });
    let site = json!({ "code": "pt", "name": "WeBuySocial Portugal", "countries": ["PT"],
                       "locales": ["en"], "default_locale": "en", "registration_consent": consent });
    let created = app
        .post_json_authed("/api/v1/admin/sites", &admin, &site)
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let (slug, id) = event(&app, &admin, "PT", 10, json!({})).await;

    // The site's text on the site; buysocial's own elsewhere.
    let on_site: Value = app
        .get(&format!("/api/v1/events/{slug}?site=pt"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        on_site["consent"],
        consent_shown("I agree to the Portuguese terms.")
    );
    let own = &shown(&app, &slug).await["consent"];
    assert!(own["text"].as_str().unwrap().contains("30 days"), "{own}");
    assert_eq!(own["version"], "buysocial-30d");
    assert!(own["privacy_notice_url"].is_null());

    let mut ana = person("ana@example.pt");
    ana["consent_version"] = json!("2024-05");
    let path = format!("/api/v1/events/{slug}/registrations?site=pt");
    assert_eq!(
        app.post_json(&path, &ana).await.status(),
        StatusCode::CREATED
    );
    let kept = &sign_ups(&app, &admin, &id).await[0];
    assert_eq!(kept["consent_text"], "I agree to the Portuguese terms.");
    assert_eq!(kept["consent_version"], "2024-05");
    assert_eq!(
        kept["privacy_notice_url"],
        "https://pt.webuysocial.test/privacy"
    );

    // A form that showed an older text asks again.
    let mut rui = person("rui@example.pt");
    rui["consent_version"] = json!("2023-01");
    let problem = assert_problem(
        app.post_json(&path, &rui).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "consent_version");

    // A site's consent is checked, and can go back to buysocial's.
    let current: Value = app.get_json("/api/v1/admin/sites/pt", &admin).await;
    assert_eq!(current["registration_consent"]["version"], "2024-05");
    let refused = app
        .patch_json_authed(
            "/api/v1/admin/sites/pt",
            &admin,
            &json!({ "registration_consent": { "version": "", "texts": { "lt": "Sutinku." } } }),
        )
        .await;
    let problem = assert_problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "registration_consent.version",
            "registration_consent.texts.lt"
        ]
    );
    let reset = app
        .patch_json_authed(
            "/api/v1/admin/sites/pt",
            &admin,
            &json!({ "registration_consent": null }),
        )
        .await;
    assert_eq!(reset.status(), StatusCode::OK);
    let on_site: Value = app
        .get(&format!("/api/v1/events/{slug}?site=pt"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(on_site["consent"]["version"], "buysocial-30d");
}

fn consent_shown(text: &str) -> Value {
    json!({ "text": text, "version": "2024-05",
            "privacy_notice_url": "https://pt.webuysocial.test/privacy" })
}

/// Without a mail server, mails are `.eml` files: an erasure deletes them too.
async fn erasing_a_sign_up_deletes_the_files_of_its_mails(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let (slug, id) = event(&app, &admin, "PT", 10, json!({})).await;
    register(&app, &slug, &person("ana@example.pt")).await;
    register(&app, &slug, &person("rui@example.pt")).await;
    buysocial::services::mail::run_once(&app.state)
        .await
        .unwrap();
    let folder = app.state.settings.mail.folder.clone();
    let files = || -> Vec<String> {
        std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect()
    };
    assert_eq!(files().len(), 2);
    let listed = sign_ups(&app, &admin, &id).await;
    let ana = listed
        .iter()
        .find(|r| r["email"] == "ana@example.pt")
        .unwrap();
    let erased = app
        .delete_authed(
            &format!(
                "/api/v1/admin/events/{id}/registrations/{}",
                ana["id"].as_str().unwrap()
            ),
            &admin,
        )
        .await;
    assert_eq!(erased.status(), StatusCode::NO_CONTENT);
    let left = files();
    assert_eq!(left.len(), 1);
    assert!(left[0].contains("rui@example.pt"));
}

async fn organisers_see_which_addresses_could_not_be_mailed(backend: Backend) {
    let (app, smtp, admin) = app_with_mail(backend).await;
    let (slug, id) = event(&app, &admin, "PT", 10, json!({})).await;
    smtp.refuse("typo@example.pt");
    register(&app, &slug, &person("typo@example.pt")).await;
    register(&app, &slug, &person("ana@example.pt")).await;
    assert!(mails_to(&app, &smtp, "typo@example.pt").await.is_empty());

    let listed = sign_ups(&app, &admin, &id).await;
    let typo = listed
        .iter()
        .find(|r| r["email"] == "typo@example.pt")
        .unwrap();
    let failure = &typo["mail_failed"];
    assert!(failure["subject"].as_str().unwrap().contains("Training PT"));
    assert!(
        failure["reason"].as_str().unwrap().contains("550"),
        "{failure}"
    );
    assert!(failure["at"].is_string());
    let ana = listed
        .iter()
        .find(|r| r["email"] == "ana@example.pt")
        .unwrap();
    assert!(ana["mail_failed"].is_null());
}

pub(crate) async fn app_with_mail(backend: Backend) -> (TestApp, SmtpServer, String) {
    let smtp = SmtpServer::start().await;
    let app = TestApp::builder(backend)
        .with_smtp(smtp.port())
        .spawn()
        .await;
    let admin = app.admin_token().await;
    (app, smtp, admin)
}

/// The mails `address` has received so far, after a round of sending.
pub(crate) async fn mails_to(app: &TestApp, smtp: &SmtpServer, address: &str) -> Vec<Received> {
    buysocial::services::mail::run_once(&app.state)
        .await
        .unwrap();
    smtp.received_by(address)
}

pub(crate) fn text_of(mail: &Received) -> String {
    mail.parsed().body_text(0).unwrap().into_owned()
}

/// The token of the link to `/registrations/{action}` in `mail`.
pub(crate) fn token_in(mail: &Received, action: &str) -> String {
    let text = text_of(mail);
    let marker = format!("/registrations/{action}?token=");
    let start = text
        .find(&marker)
        .unwrap_or_else(|| panic!("no {action} link in {text}"))
        + marker.len();
    text[start..].split_whitespace().next().unwrap().to_owned()
}

/// Presses the button of buysocial's own page for `action`: its form's POST.
pub(crate) async fn press(app: &TestApp, action: &str, body: &str) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/registrations/{action}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}

pub(crate) async fn follow(app: &TestApp, action: &str, token: &str) -> reqwest::Response {
    app.post_json(
        &format!("/api/v1/registrations/{action}"),
        &json!({ "token": token }),
    )
    .await
}

pub(crate) async fn shown(app: &TestApp, slug: &str) -> Value {
    let response = app.get(&format!("/api/v1/events/{slug}?locale=en")).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

pub(crate) async fn sign_ups(app: &TestApp, admin: &str, event_id: &str) -> Vec<Value> {
    let listed: Value = app
        .get_json(
            &format!("/api/v1/admin/events/{event_id}/registrations"),
            admin,
        )
        .await;
    listed.as_array().unwrap().clone()
}

async fn a_sign_up_waits_until_its_address_is_confirmed(backend: Backend) {
    let (app, smtp, admin) = app_with_mail(backend).await;
    let (slug, id) = event(&app, &admin, "LT", 10, json!({ "capacity": 5 })).await;
    let mut ona = person("ona@example.lt");
    ona["locale"] = json!("lt");

    let answer = register(&app, &slug, &ona).await;
    assert_eq!(answer.status(), StatusCode::CREATED);
    assert_eq!(
        answer.json::<Value>().await.unwrap(),
        json!({ "status": "pending" })
    );
    assert_eq!(sign_ups(&app, &admin, &id).await[0]["status"], "pending");

    // The mail is in the language of the page, with a link to the confirmation page.
    let mails = mails_to(&app, &smtp, "ona@example.lt").await;
    assert_eq!(mails.len(), 1);
    let subject = mails[0].parsed().subject().unwrap().to_owned();
    assert!(subject.contains("Training LT"), "{subject}");
    assert!(
        !subject.starts_with("Please confirm"),
        "not English: {subject}"
    );
    assert!(
        text_of(&mails[0]).contains("https://cms.webuysocial.test/registrations/confirm?token=")
    );
    let token = token_in(&mails[0], "confirm");
    token_in(&mails[0], "cancel");

    // Opening the link (as a mail scanner does) shows a button and changes nothing.
    let page = app
        .get(&format!("/registrations/confirm?token={token}"))
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    let html = page.text().await.unwrap();
    assert!(html.contains("<html lang=\"lt\">"), "{html}");
    assert!(
        html.contains("<form method=\"post\" action=\"confirm\">"),
        "{html}"
    );
    assert_eq!(sign_ups(&app, &admin, &id).await[0]["status"], "pending");

    let confirmed = follow(&app, "confirm", &token).await;
    assert_eq!(confirmed.status(), StatusCode::OK);
    let confirmed: Value = confirmed.json().await.unwrap();
    assert_eq!(confirmed["outcome"], "confirmed");
    assert_eq!(confirmed["locale"], "lt");
    let listed = &sign_ups(&app, &admin, &id).await[0];
    assert_eq!(listed["status"], "confirmed");
    assert!(listed["confirmed_at"].is_string());

    // Said again, it is harmless, and says so.
    let again: Value = follow(&app, "confirm", &token).await.json().await.unwrap();
    assert_eq!(again["outcome"], "already_confirmed");
    let mails = mails_to(&app, &smtp, "ona@example.lt").await;
    assert_eq!(mails.len(), 2, "one mail that it is confirmed, not two");
    token_in(&mails[1], "cancel");
}

async fn an_unconfirmed_sign_up_stops_holding_its_place_when_its_hold_runs_out(backend: Backend) {
    let (app, smtp, admin) = app_with_mail(backend).await;
    // (With a waitlist, a late confirmation joins it: see the waitlist's tests.)
    let (slug, _) = event(
        &app,
        &admin,
        "PT",
        10,
        json!({ "capacity": 1, "waitlist": false }),
    )
    .await;

    register(&app, &slug, &person("ana@example.pt")).await;
    let full = assert_problem(
        register(&app, &slug, &person("rui@example.pt")).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(full["type"], "urn:buysocial:problem:event-full");
    assert_eq!(shown(&app, &slug).await["status"], "full");

    app.clock.advance(TimeDelta::minutes(31));
    assert_eq!(
        crate::delivery::event_state(&shown(&app, &slug).await),
        json!({ "status": "upcoming", "registration_open": true }),
        "the hold ran out: readers see the place free again"
    );
    assert_eq!(
        register(&app, &slug, &person("rui@example.pt"))
            .await
            .status(),
        StatusCode::CREATED
    );
    // Ana confirms too late: Rui holds the place now.
    let token = token_in(&mails_to(&app, &smtp, "ana@example.pt").await[0], "confirm");
    let late = assert_problem(follow(&app, "confirm", &token).await, StatusCode::CONFLICT).await;
    assert_eq!(late["type"], "urn:buysocial:problem:event-full");
}

async fn signing_up_again_gets_the_same_answer_and_a_mail_instead(backend: Backend) {
    let (app, smtp, admin) = app_with_mail(backend).await;
    let (slug, id) = event(&app, &admin, "PT", 10, json!({})).await;

    let first = register(&app, &slug, &person("ana@example.pt")).await;
    let second = register(&app, &slug, &person("Ana@Example.pt")).await;

    assert_eq!(second.status(), first.status());
    assert_eq!(
        second.json::<Value>().await.unwrap(),
        first.json::<Value>().await.unwrap()
    );
    assert_eq!(sign_ups(&app, &admin, &id).await.len(), 1);
    let mails = mails_to(&app, &smtp, "ana@example.pt").await;
    assert_eq!(mails.len(), 2);
    // Sent side by side: either may arrive first.
    let again = mails
        .iter()
        .find(|m| text_of(m).contains("already signed up"))
        .expect("a mail that says the address is signed up already");
    token_in(again, "cancel");
}

async fn the_cancel_link_frees_the_place(backend: Backend) {
    let (app, smtp, admin) = app_with_mail(backend).await;
    let (slug, id) = event(
        &app,
        &admin,
        "PT",
        10,
        json!({ "capacity": 1, "double_opt_in": false }),
    )
    .await;

    let answer: Value = register(&app, &slug, &person("ana@example.pt"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        answer,
        json!({ "status": "confirmed" }),
        "no confirmation asked"
    );
    assert_problem(
        register(&app, &slug, &person("rui@example.pt")).await,
        StatusCode::CONFLICT,
    )
    .await;
    let mails = mails_to(&app, &smtp, "ana@example.pt").await;
    assert_eq!(mails.len(), 1);
    let token = token_in(&mails[0], "cancel");

    // Through buysocial's own page: its button posts the form.
    let page = press(&app, "cancel", &format!("token={token}")).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("is cancelled"));
    assert_eq!(sign_ups(&app, &admin, &id).await[0]["status"], "cancelled");
    assert_eq!(
        register(&app, &slug, &person("rui@example.pt"))
            .await
            .status(),
        StatusCode::CREATED,
        "the place is free"
    );
    let again: Value = follow(&app, "cancel", &token).await.json().await.unwrap();
    assert_eq!(again["outcome"], "already_cancelled");
    let mails = mails_to(&app, &smtp, "ana@example.pt").await;
    assert_eq!(mails.len(), 2);
    assert!(mails[1].parsed().subject().unwrap().contains("cancelled"));
}

async fn a_confirmation_link_expires_and_its_sign_up_is_deleted(backend: Backend) {
    let (app, smtp, admin) = app_with_mail(backend).await;
    let (slug, id) = event(&app, &admin, "PT", 10, json!({})).await;
    register(&app, &slug, &person("ana@example.pt")).await;
    let token = token_in(&mails_to(&app, &smtp, "ana@example.pt").await[0], "confirm");

    app.clock.advance(TimeDelta::hours(49));

    let expired = assert_problem(follow(&app, "confirm", &token).await, StatusCode::GONE).await;
    assert_eq!(expired["type"], "urn:buysocial:problem:link-expired");
    assert_eq!(
        buysocial::services::registrations::purge_unconfirmed(&app.state)
            .await
            .unwrap(),
        1
    );
    // The admin's session has lapsed meanwhile too.
    let admin = app.admin_token().await;
    assert!(sign_ups(&app, &admin, &id).await.is_empty());
    assert!(
        outbox_addresses(&app).await.is_empty(),
        "its mails went with it"
    );
    assert_problem(follow(&app, "confirm", &token).await, StatusCode::NOT_FOUND).await;
}

async fn an_inbox_cannot_be_flooded_through_the_form(backend: Backend) {
    let (app, smtp, admin) = app_with_mail(backend).await;
    let (slug, _) = event(&app, &admin, "PT", 10, json!({})).await;

    for _ in 0..3 {
        assert_eq!(
            register(&app, &slug, &person("ana@example.pt"))
                .await
                .status(),
            StatusCode::CREATED
        );
    }
    let refused = register(&app, &slug, &person("ana@example.pt")).await;

    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));
    assert_eq!(mails_to(&app, &smtp, "ana@example.pt").await.len(), 3);
}

/// Whom the mail outbox still names.
async fn outbox_addresses(app: &TestApp) -> Vec<String> {
    use sea_orm::EntityTrait;
    entity::mail_outbox::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.to_address)
        .collect()
}

async fn erasing_a_sign_up_forgets_its_mails_too(backend: Backend) {
    let (app, smtp, admin) = app_with_mail(backend).await;
    let (slug, id) = event(&app, &admin, "PT", 10, json!({})).await;
    register(&app, &slug, &person("ana@example.pt")).await;
    assert_eq!(mails_to(&app, &smtp, "ana@example.pt").await.len(), 1);
    assert_eq!(outbox_addresses(&app).await, ["ana@example.pt"]);
    let rid = sign_ups(&app, &admin, &id).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let erased = app
        .delete_authed(
            &format!("/api/v1/admin/events/{id}/registrations/{rid}"),
            &admin,
        )
        .await;

    assert_eq!(erased.status(), StatusCode::NO_CONTENT);
    assert!(outbox_addresses(&app).await.is_empty());
}

async fn unknown_links_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;

    let unknown = follow(&app, "confirm", "bsr_0000").await;
    assert_problem(unknown, StatusCode::NOT_FOUND).await;
    let page = app.get("/registrations/cancel?token=nothing").await;
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    assert!(page.text().await.unwrap().contains("not valid"));
}

async fn people_can_cancel_after_the_event_went_offline_and_a_purge_forgets_their_mails(
    backend: Backend,
) {
    let (app, smtp, admin) = app_with_mail(backend).await;
    let (slug, id) = event(&app, &admin, "PT", 10, json!({ "double_opt_in": false })).await;
    register(&app, &slug, &person("ana@example.pt")).await;
    let token = token_in(&mails_to(&app, &smtp, "ana@example.pt").await[0], "cancel");
    let trashed = app
        .delete_authed(&format!("/api/v1/admin/events/{id}"), &admin)
        .await;
    assert_eq!(trashed.status(), StatusCode::NO_CONTENT);

    let cancelled = follow(&app, "cancel", &token).await;

    assert_eq!(cancelled.status(), StatusCode::OK);
    let cancelled: Value = cancelled.json().await.unwrap();
    assert_eq!(cancelled["outcome"], "cancelled");
    assert!(
        cancelled["event_title"]
            .as_str()
            .unwrap()
            .starts_with("Training PT")
    );
    mails_to(&app, &smtp, "ana@example.pt").await;
    assert_eq!(outbox_addresses(&app).await.len(), 2);
    let purged = app
        .delete_authed(&format!("/api/v1/admin/events/{id}?purge=true"), &admin)
        .await;
    assert_eq!(
        purged.status(),
        StatusCode::NO_CONTENT,
        "{}",
        purged.text().await.unwrap()
    );
    assert!(outbox_addresses(&app).await.is_empty());
}
