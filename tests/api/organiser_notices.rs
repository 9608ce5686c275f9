//! Organisers hear about sign-ups to the events of their countries as each chose
//! (`PATCH /api/v1/auth/me`): a mail on each sign-up, or a summary once a day; those
//! of other countries hear nothing. Through HTTP and a real SMTP dialogue on loopback.

use chrono::{TimeDelta, Timelike};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use buysocial::domain::Role;
use buysocial::services::users::NewUser;

use crate::helpers::{Backend, TestApp, backend_tests};
use crate::registrations::{event, person, register};
use crate::sign_ups::{app_with_mail, mails_to, text_of};

backend_tests!(
    organisers_of_the_country_hear_of_each_sign_up,
    organisers_who_chose_it_get_a_summary_once_a_day,
);

async fn choose(app: &TestApp, token: &str, notices: &str) -> reqwest::Response {
    app.send(
        Method::PATCH,
        "/api/v1/auth/me",
        Some(token),
        Some(&json!({ "sign_up_notices": notices })),
    )
    .await
}

async fn organisers_of_the_country_hear_of_each_sign_up(backend: Backend) {
    let (app, smtp, admin) = app_with_mail(backend).await;
    let lisbon = app
        .scoped_user_token("joana@example.pt", Role::Editor, &["PT"], &["pt"])
        .await;
    let brussels = app
        .scoped_user_token("luc@example.be", Role::Editor, &["BE"], &["fr"])
        .await;
    for token in [&lisbon, &brussels] {
        let chosen = choose(&app, token, "each").await;
        assert_eq!(chosen.status(), StatusCode::OK);
        let me: Value = chosen.json().await.unwrap();
        assert_eq!(me["sign_up_notices"], "each");
    }
    let (slug, _) = event(&app, &admin, "PT", 10, json!({ "capacity": 20 })).await;
    register(&app, &slug, &person("ana@example.pt")).await;

    let told = mails_to(&app, &smtp, "joana@example.pt").await;
    assert_eq!(told.len(), 1);
    let text = text_of(&told[0]);
    assert!(text.contains("Ana Silva"), "{text}");
    assert!(text.contains("1 de 20"), "in her language: {text}");
    assert!(text.contains("/admin/event-desk/"), "{text}");
    assert!(
        !told[0]
            .parsed()
            .subject()
            .unwrap()
            .starts_with("New sign-up"),
        "in Portuguese, her language"
    );
    // Belgium's editor organises no Portuguese event.
    assert!(smtp.received_by("luc@example.be").is_empty());
    // Nor does anyone who did not ask (the admin).
    let me: Value = app.get_json("/api/v1/auth/me", &admin).await;
    assert_eq!(me["user"]["sign_up_notices"], "none");
    let admin_email = me["user"]["email"].as_str().unwrap();
    assert!(smtp.received_by(admin_email).is_empty());

    // Anyone may choose for themselves only, signed in; a wrong value changes nothing.
    let anonymous = app
        .send(
            Method::PATCH,
            "/api/v1/auth/me",
            None,
            Some(&json!({ "sign_up_notices": "daily" })),
        )
        .await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let wrong = choose(&app, &lisbon, "hourly").await;
    assert!(wrong.status().is_client_error(), "{}", wrong.status());
    let me: Value = app.get_json("/api/v1/auth/me", &lisbon).await;
    assert_eq!(me["user"]["sign_up_notices"], "each");

    // Someone who must still choose their own password is refused, as in the admin API.
    let mut new = NewUser::unscoped("new@example.pt", Role::Editor, "a generated password");
    new.must_change_password = true;
    buysocial::services::users::create(&app.state, new)
        .await
        .unwrap();
    let newcomer = app
        .login_token("new@example.pt", "a generated password")
        .await;
    assert_eq!(
        choose(&app, &newcomer, "each").await.status(),
        StatusCode::FORBIDDEN
    );
}

async fn organisers_who_chose_it_get_a_summary_once_a_day(backend: Backend) {
    let (app, smtp, _) = app_with_mail(backend).await;
    // Sign-ups before this morning's 07:00 UTC are in today's summary: sign up at
    // 06:00, send at 08:00.
    let now = app.clock.now();
    app.clock
        .advance(TimeDelta::hours((30 - i64::from(now.hour())) % 24));
    let admin = app.admin_token().await;
    let lisbon = app
        .scoped_user_token("joana@example.pt", Role::Editor, &["PT"], &["en"])
        .await;
    let brussels = app
        .scoped_user_token("luc@example.be", Role::Editor, &["BE"], &["fr"])
        .await;
    for token in [&lisbon, &brussels] {
        assert_eq!(choose(&app, token, "daily").await.status(), StatusCode::OK);
    }
    let (slug, _) = event(
        &app,
        &admin,
        "PT",
        10,
        json!({ "capacity": 20, "double_opt_in": false }),
    )
    .await;
    register(&app, &slug, &person("ana@example.pt")).await;
    register(&app, &slug, &person("rui@example.pt")).await;
    assert!(
        mails_to(&app, &smtp, "joana@example.pt").await.is_empty(),
        "no mail on each sign-up"
    );
    assert_eq!(
        buysocial::services::registrations::send_digests(&app.state)
            .await
            .unwrap(),
        0,
        "not before 07:00"
    );
    app.clock.advance(TimeDelta::hours(2));

    let digests = || buysocial::services::registrations::send_digests(&app.state);
    assert_eq!(digests().await.unwrap(), 1);
    assert_eq!(digests().await.unwrap(), 0, "once a day");
    let told = mails_to(&app, &smtp, "joana@example.pt").await;
    assert_eq!(told.len(), 1);
    let text = text_of(&told[0]);
    assert!(text.contains("2 new, 2 of 20 places taken"), "{text}");
    assert!(!text.contains("Ana Silva"), "counts only: {text}");
    assert!(
        mails_to(&app, &smtp, "luc@example.be").await.is_empty(),
        "Belgium's editor organises no Portuguese event"
    );
}
