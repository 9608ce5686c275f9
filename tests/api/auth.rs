//! `/api/v1/auth`: login, me, logout, password change, expiry, throttling.

use std::time::Duration;

use buysocial::domain::Role;
use buysocial::services::users::Bootstrap;
use chrono::TimeDelta;
use entity::user;
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::{Value, json};

use crate::helpers::{
    ADMIN_EMAIL, ADMIN_PASSWORD, Backend, TestApp, assert_problem, backend_tests,
};

backend_tests!(
    login_returns_a_token_that_identifies_the_user,
    login_ignores_the_case_of_the_email,
    unknown_email_and_wrong_password_get_the_same_answer,
    requests_without_or_with_a_bad_token_are_refused,
    logout_ends_the_session_at_once,
    changing_the_password_ends_the_other_sessions,
    a_password_change_needs_the_current_password_and_a_long_new_one,
    an_idle_session_expires,
    an_active_session_still_ends_at_its_absolute_limit,
    repeated_failures_lock_the_account_for_a_while,
    repeated_failures_from_one_address_lock_that_address,
    parallel_failures_never_pass_the_address_limit,
    a_successful_login_does_not_count_against_the_address,
    a_disabled_user_cannot_log_in_and_its_sessions_end,
    without_configured_admin_a_one_time_password_is_generated,
    the_first_admin_comes_from_the_settings_once,
    a_login_flood_is_answered_503_not_queued_forever,
);

async fn login_returns_a_token_that_identifies_the_user(backend: Backend) {
    let app = TestApp::spawn(backend).await;

    let response = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;

    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    let token = body["token"].as_str().unwrap();
    assert!(token.starts_with("bss_"), "{token}");
    assert_eq!(body["user"]["email"], ADMIN_EMAIL);
    assert_eq!(body["user"]["role"], "admin");
    assert!(body["user"].get("password_hash").is_none());
    let me: Value = app
        .get_authed("/api/v1/auth/me", token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["user"]["email"], ADMIN_EMAIL);
    assert_eq!(
        me["user"]["scope"],
        json!({ "countries": [], "locales": [] })
    );
    assert_eq!(me["kind"], "session");
    assert!(me["expires_at"].is_string());
}

async fn login_ignores_the_case_of_the_email(backend: Backend) {
    let app = TestApp::spawn(backend).await;

    let response = app.login("  Admin@Example.ORG ", ADMIN_PASSWORD).await;

    assert_eq!(response.status(), StatusCode::OK);
}

async fn unknown_email_and_wrong_password_get_the_same_answer(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let verifications = || async { app.metric("buysocial_password_verifications_total").await };
    let before = verifications().await;

    let unknown = app.login("nobody@example.org", "whatever whatever").await;
    let after_unknown = verifications().await;
    let wrong = app.login(ADMIN_EMAIL, "not the password at all").await;
    let after_wrong = verifications().await;

    let unknown = assert_problem(unknown, StatusCode::UNAUTHORIZED).await;
    let wrong = assert_problem(wrong, StatusCode::UNAUTHORIZED).await;
    assert_eq!(unknown, wrong);
    assert_eq!(unknown["detail"], "the email or password is incorrect");
    // An unknown email costs exactly one password verification, as a wrong password
    // does, so the time of the answer does not tell whether the account exists.
    assert_eq!(after_unknown - before, 1.0, "unknown email");
    assert_eq!(after_wrong - after_unknown, 1.0, "wrong password");
}

async fn requests_without_or_with_a_bad_token_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;

    let missing = app.get("/api/v1/auth/me").await;
    assert_eq!(missing.headers()["www-authenticate"], "Bearer");
    assert_problem(missing, StatusCode::UNAUTHORIZED).await;
    let garbage = app
        .get_authed("/api/v1/auth/me", "bss_not-a-real-token")
        .await;
    assert_problem(garbage, StatusCode::UNAUTHORIZED).await;
    let logout = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .send()
        .await
        .unwrap();
    assert_problem(logout, StatusCode::UNAUTHORIZED).await;
    let password = app
        .post_json(
            "/api/v1/auth/password",
            &json!({ "current_password": "x", "new_password": "y" }),
        )
        .await;
    assert_problem(password, StatusCode::UNAUTHORIZED).await;
}

async fn logout_ends_the_session_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.admin_token().await;
    let other = app.admin_token().await;

    let response = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let after = app.get_authed("/api/v1/auth/me", &token).await;
    assert_problem(after, StatusCode::UNAUTHORIZED).await;
    let other_session = app.get_authed("/api/v1/auth/me", &other).await;
    assert_eq!(other_session.status(), StatusCode::OK);
}

async fn changing_the_password_ends_the_other_sessions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let current = app.admin_token().await;
    let elsewhere = app.admin_token().await;
    let new_password = "a much longer passphrase 2026";

    let response = app
        .post_json_authed(
            "/api/v1/auth/password",
            &current,
            &json!({ "current_password": ADMIN_PASSWORD, "new_password": new_password }),
        )
        .await;

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get_authed("/api/v1/auth/me", &current).await.status(),
        StatusCode::OK
    );
    let revoked = app.get_authed("/api/v1/auth/me", &elsewhere).await;
    assert_problem(revoked, StatusCode::UNAUTHORIZED).await;
    assert_problem(
        app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(
        app.login(ADMIN_EMAIL, new_password).await.status(),
        StatusCode::OK
    );
}

async fn a_password_change_needs_the_current_password_and_a_long_new_one(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.admin_token().await;
    let change = |current: &'static str, new: &'static str| {
        let (app, token) = (&app, token.clone());
        async move {
            app.post_json_authed(
                "/api/v1/auth/password",
                &token,
                &json!({ "current_password": current, "new_password": new }),
            )
            .await
        }
    };

    let wrong_current = assert_problem(
        change("not my password", "a long enough new password").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(wrong_current["errors"][0]["field"], "current_password");
    let too_short = assert_problem(
        change(ADMIN_PASSWORD, "short").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(too_short["errors"][0]["field"], "new_password");
    assert!(
        too_short["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("12")
    );
    let same = assert_problem(
        change(ADMIN_PASSWORD, ADMIN_PASSWORD).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(same["errors"][0]["field"], "new_password");
    // Nothing changed: the old password still works.
    assert_eq!(
        app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.status(),
        StatusCode::OK
    );
}

async fn an_idle_session_expires(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.admin_token().await;

    app.clock.advance(TimeDelta::hours(11));
    assert_eq!(
        app.get_authed("/api/v1/auth/me", &token).await.status(),
        StatusCode::OK
    );
    app.clock
        .advance(TimeDelta::hours(12) + TimeDelta::minutes(2));

    let response = app.get_authed("/api/v1/auth/me", &token).await;
    assert_problem(response, StatusCode::UNAUTHORIZED).await;
}

async fn an_active_session_still_ends_at_its_absolute_limit(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.admin_token().await;

    // Used every 10 hours, the session never goes idle...
    for _ in 0..16 {
        app.clock.advance(TimeDelta::hours(10));
        assert_eq!(
            app.get_authed("/api/v1/auth/me", &token).await.status(),
            StatusCode::OK
        );
    }
    // ...but 7 days (168 h) after login it ends anyway.
    app.clock.advance(TimeDelta::hours(9));

    let response = app.get_authed("/api/v1/auth/me", &token).await;
    assert_problem(response, StatusCode::UNAUTHORIZED).await;
}

async fn repeated_failures_lock_the_account_for_a_while(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for _ in 0..5 {
        assert_problem(
            app.login(ADMIN_EMAIL, "wrong wrong wrong").await,
            StatusCode::UNAUTHORIZED,
        )
        .await;
    }

    // Even the right password is refused during the lockout.
    let locked = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;

    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = locked.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    assert_problem(locked, StatusCode::TOO_MANY_REQUESTS).await;
    // Other accounts are not affected.
    app.create_user("editor@example.org", Role::Editor, "editor password 1")
        .await;
    assert_eq!(
        app.login("editor@example.org", "editor password 1")
            .await
            .status(),
        StatusCode::OK
    );
    // After the lockout the account works again.
    app.clock.advance(TimeDelta::seconds(901));
    assert_eq!(
        app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.status(),
        StatusCode::OK
    );
}

async fn repeated_failures_from_one_address_lock_that_address(backend: Backend) {
    let app = TestApp::builder(backend)
        .with(|s| s.auth.throttle.max_failures_per_address = 3)
        .spawn()
        .await;
    for n in 0..3 {
        let response = app
            .login(&format!("guess{n}@example.org"), "wrong wrong wrong")
            .await;
        assert_problem(response, StatusCode::UNAUTHORIZED).await;
    }

    let response = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;

    assert_problem(response, StatusCode::TOO_MANY_REQUESTS).await;
}

async fn parallel_failures_never_pass_the_address_limit(backend: Backend) {
    let app = std::sync::Arc::new(
        TestApp::builder(backend)
            .with(|s| s.auth.throttle.max_failures_per_address = 5)
            .spawn()
            .await,
    );
    let attempts: Vec<_> = (0..40)
        .map(|n| {
            let app = app.clone();
            tokio::spawn(async move {
                app.login(&format!("guess{n}@example.org"), "wrong wrong wrong")
                    .await
                    .status()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for attempt in attempts {
        statuses.push(attempt.await.unwrap());
    }

    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let throttled = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert!(
        checked <= 5,
        "{checked} passwords checked against a limit of 5"
    );
    assert_eq!(checked + throttled, 40, "{statuses:?}");
    assert!(app.metric("buysocial_password_verifications_total").await <= 5.0);
}

async fn a_successful_login_does_not_count_against_the_address(backend: Backend) {
    let app = TestApp::builder(backend)
        .with(|s| s.auth.throttle.max_failures_per_address = 3)
        .spawn()
        .await;
    for _ in 0..4 {
        app.login_token(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    }
    for _ in 0..2 {
        assert_problem(
            app.login("guess@example.org", "wrong wrong wrong").await,
            StatusCode::UNAUTHORIZED,
        )
        .await;
    }
    // The third attempt reaches the limit, but it is right: it must not lock the
    // address for the next person behind it.
    app.login_token(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(
        app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.status(),
        StatusCode::OK
    );
    assert_problem(
        app.login("guess@example.org", "wrong wrong wrong").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_problem(
        app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS,
    )
    .await;
}

async fn a_disabled_user_cannot_log_in_and_its_sessions_end(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("viewer@example.org", Role::Viewer, "viewer password 1")
        .await;
    let token = app
        .login_token("viewer@example.org", "viewer password 1")
        .await;
    let stored = buysocial::services::users::find_by_email(&app.state.db, "viewer@example.org")
        .await
        .unwrap()
        .unwrap();
    let mut disabled: user::ActiveModel = stored.into();
    disabled.disabled_at = Set(Some(app.clock.now()));
    disabled.update(&app.state.db).await.unwrap();

    assert_problem(
        app.get_authed("/api/v1/auth/me", &token).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let login = app.login("viewer@example.org", "viewer password 1").await;
    let body = assert_problem(login, StatusCode::UNAUTHORIZED).await;
    assert_eq!(body["detail"], "the email or password is incorrect");
}

async fn without_configured_admin_a_one_time_password_is_generated(backend: Backend) {
    let (app, rest) = TestApp::builder(backend)
        .without_configured_admin()
        .build()
        .await;
    let Bootstrap::Generated { email, password } = app.bootstrap() else {
        panic!("expected a generated admin, got {:?}", app.bootstrap());
    };
    let (email, password) = (email.clone(), password.clone());
    assert!(password.len() >= 20);
    let app = rest.start(app);

    let token = app.login_token(&email, &password).await;

    let me: Value = app
        .get_authed("/api/v1/auth/me", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["user"]["role"], "admin");
    assert_eq!(me["user"]["must_change_password"], true);
}

async fn the_first_admin_comes_from_the_settings_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    assert_eq!(
        user::Entity::find().all(&app.state.db).await.unwrap().len(),
        1
    );

    // A second start on the same database creates nobody.
    let again = buysocial::services::users::bootstrap_admin(&app.state)
        .await
        .unwrap();

    assert!(matches!(again, Bootstrap::NotNeeded), "{again:?}");
    assert_eq!(
        user::Entity::find().all(&app.state.db).await.unwrap().len(),
        1
    );
    let me: Value = app
        .get_authed("/api/v1/auth/me", &app.admin_token().await)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["user"]["must_change_password"], false);
}

async fn a_login_flood_is_answered_503_not_queued_forever(backend: Backend) {
    let app = TestApp::builder(backend)
        .with(|s| {
            s.auth.max_concurrent_hashes = 1;
            s.auth.hash_queue_timeout_ms = 1;
            s.auth.throttle.max_failures_per_address = 1000;
            s.auth.throttle.max_failures_per_account = 1000;
        })
        .spawn()
        .await;

    let attempts = (0..8).map(|_| app.login(ADMIN_EMAIL, "wrong wrong wrong"));
    let responses = futures_util::future::join_all(attempts).await;

    let statuses: Vec<StatusCode> = responses.iter().map(|r| r.status()).collect();
    assert!(
        statuses.contains(&StatusCode::SERVICE_UNAVAILABLE),
        "{statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::UNAUTHORIZED || *s == StatusCode::SERVICE_UNAVAILABLE),
        "{statuses:?}"
    );
    // The server recovers as soon as the flood is over.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.status(),
        StatusCode::OK
    );
}
