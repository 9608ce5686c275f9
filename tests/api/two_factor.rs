//! Two-factor sign-in: enrolling with a code from the app (computed here from the
//! shared secret, as the app would), signing in with a code or a recovery code, each
//! accepted once, wrong codes throttled like wrong passwords, the roles that must use
//! it, and an administrator's reset.

use buysocial::domain::Role;
use buysocial::services::accounts::two_factor::totp::{code_at, step_at};
use chrono::TimeDelta;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, assert_problem, backend_tests, find_in};

backend_tests!(
    an_editor_turns_on_two_factor_and_signs_in_with_a_code_or_a_recovery_code_each_once,
    wrong_codes_count_in_the_throttle_like_wrong_passwords,
    a_challenge_works_once_and_for_five_minutes,
    roles_an_admin_names_must_turn_it_on_before_anything_else,
    an_admin_resets_a_lost_second_factor,
    turning_it_off_needs_the_password_and_new_recovery_codes_a_code,
);

const EDITOR: &str = "rasa@example.lt";
const PASSWORD: &str = "a password for tests";

/// The code the app shows now for `secret`, by the app's clock.
fn code_now(app: &TestApp, secret: &str) -> String {
    code_at(secret, step_at(app.clock.now().timestamp())).unwrap()
}

/// Waits (on the test clock) for the next 30-second step: its code is a new one.
fn next_step(app: &TestApp) {
    app.clock.advance(TimeDelta::seconds(30));
}

async fn editor_session(app: &TestApp) -> String {
    app.create_user(EDITOR, Role::Editor, PASSWORD).await;
    app.login_token(EDITOR, PASSWORD).await
}

/// Turns two-factor sign-in on for the holder of `session`: its secret and recovery codes.
async fn turn_on(app: &TestApp, session: &str) -> (String, Vec<String>) {
    let enrolment = app
        .post_json_authed("/api/v1/auth/totp/enrol", session, &json!({}))
        .await;
    assert_eq!(enrolment.status(), StatusCode::OK);
    let enrolment: Value = enrolment.json().await.unwrap();
    let secret = enrolment["secret"].as_str().unwrap().to_owned();
    let confirmed = app
        .post_json_authed(
            "/api/v1/auth/totp/confirm",
            session,
            &json!({ "code": code_now(app, &secret) }),
        )
        .await;
    assert_eq!(confirmed.status(), StatusCode::OK);
    let body: Value = confirmed.json().await.unwrap();
    let codes = body["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    (secret, codes)
}

/// Signs in with the password: the challenge the answer asks a code for.
async fn challenge(app: &TestApp, email: &str) -> String {
    let response = app.login(email, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "code_needed", "{body}");
    assert!(body.get("token").is_none(), "no session before the code");
    body["challenge"].as_str().unwrap().to_owned()
}

async fn second_step(app: &TestApp, challenge: &str, proof: Value) -> reqwest::Response {
    let mut body = json!({ "challenge": challenge });
    body.as_object_mut()
        .unwrap()
        .extend(proof.as_object().unwrap().clone());
    app.post_json("/api/v1/auth/login/totp", &body).await
}

async fn session_of(response: reqwest::Response) -> String {
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    body["token"].as_str().unwrap().to_owned()
}

async fn an_editor_turns_on_two_factor_and_signs_in_with_a_code_or_a_recovery_code_each_once(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let session = editor_session(&app).await;
    let first = app
        .login(EDITOR, PASSWORD)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(first["status"], "signed_in");

    let enrolment: Value = app
        .post_json_authed("/api/v1/auth/totp/enrol", &session, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    let secret = enrolment["secret"].as_str().unwrap();
    assert_eq!(secret.len(), 32, "160 bits in base32");
    let uri = enrolment["otpauth_uri"].as_str().unwrap();
    assert!(
        uri.starts_with("otpauth://totp/buysocial%3Arasa%40example.lt?secret="),
        "{uri}"
    );
    let svg = enrolment["qr_svg"].as_str().unwrap();
    assert!(svg.starts_with("<?xml") || svg.starts_with("<svg"), "{svg}");
    assert!(svg.contains("<title>"));
    let wrong = app
        .post_json_authed(
            "/api/v1/auth/totp/confirm",
            &session,
            &json!({ "code": "000000" }),
        )
        .await;
    let problem = assert_problem(wrong, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["errors"][0]["field"], "code");
    let me = app.get_json("/api/v1/auth/me", &session).await;
    assert_eq!(me["two_factor"]["enabled"], false, "not on until confirmed");
    // Turning it on needs a recent sign-in: a session taken earlier cannot.
    app.clock.advance(TimeDelta::minutes(16));
    let stale = app
        .post_json_authed(
            "/api/v1/auth/totp/confirm",
            &session,
            &json!({ "code": code_now(&app, secret) }),
        )
        .await;
    let problem = assert_problem(stale, StatusCode::FORBIDDEN).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("sign in again")
    );
    let session = app.login_token(EDITOR, PASSWORD).await;

    let confirmed: Value = app
        .post_json_authed(
            "/api/v1/auth/totp/confirm",
            &session,
            &json!({ "code": code_now(&app, secret) }),
        )
        .await
        .json()
        .await
        .unwrap();
    let codes: Vec<&str> = confirmed["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(codes.len(), 10);
    assert!(codes.iter().all(|c| c.len() == 19));
    let me = app.get_json("/api/v1/auth/me", &session).await;
    assert_eq!(
        me["two_factor"],
        json!({ "enabled": true, "required": false, "recovery_codes_left": 10 })
    );

    // The code used to confirm is not accepted again, even within its 30 seconds.
    let replayed = second_step(
        &app,
        &challenge(&app, EDITOR).await,
        json!({ "code": code_now(&app, secret) }),
    )
    .await;
    let problem = assert_problem(replayed, StatusCode::UNAUTHORIZED).await;
    assert_eq!(problem["detail"], "the code is incorrect");
    next_step(&app);
    let code = code_now(&app, secret);
    let signed_in = second_step(
        &app,
        &challenge(&app, EDITOR).await,
        json!({ "code": code }),
    )
    .await;
    let fresh = session_of(signed_in).await;
    assert_eq!(
        app.get_authed("/api/v1/auth/me", &fresh).await.status(),
        StatusCode::OK
    );
    let again = second_step(
        &app,
        &challenge(&app, EDITOR).await,
        json!({ "code": code }),
    )
    .await;
    assert_problem(again, StatusCode::UNAUTHORIZED).await;

    // A recovery code, typed in capitals without dashes, works once.
    let typed = codes[3].replace('-', "").to_uppercase();
    let recovered = second_step(
        &app,
        &challenge(&app, EDITOR).await,
        json!({ "recovery_code": typed }),
    )
    .await;
    session_of(recovered).await;
    let reused = second_step(
        &app,
        &challenge(&app, EDITOR).await,
        json!({ "recovery_code": codes[3] }),
    )
    .await;
    assert_problem(reused, StatusCode::UNAUTHORIZED).await;
    let me = app.get_json("/api/v1/auth/me", &fresh).await;
    assert_eq!(me["two_factor"]["recovery_codes_left"], 9);
    let both = second_step(
        &app,
        &challenge(&app, EDITOR).await,
        json!({ "code": "123456", "recovery_code": codes[4] }),
    )
    .await;
    assert_problem(both, StatusCode::UNPROCESSABLE_ENTITY).await;

    let admin = app.admin_token().await;
    let audit = app.audit(&admin, "").await;
    let actions: Vec<&str> = audit
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"auth.totp_enable"), "{actions:?}");
    let failed = audit
        .iter()
        .find(|e| e["action"] == "auth.login" && e["outcome"] == "failure")
        .unwrap();
    assert_eq!(failed["details"]["step"], "second factor");
    let log = serde_json::to_string(&audit).unwrap();
    assert!(!log.contains(secret) && !log.contains(codes[3]) && !log.contains(&code));
}

async fn wrong_codes_count_in_the_throttle_like_wrong_passwords(backend: Backend) {
    let app = TestApp::builder(backend)
        .with(|s| s.auth.throttle.max_failures_per_account = 3)
        .spawn()
        .await;
    let session = editor_session(&app).await;
    let (secret, _) = turn_on(&app, &session).await;
    next_step(&app);

    // A right password gives no fresh guesses: the wrong codes add up across sign-ins.
    for _ in 0..3 {
        let wrong = second_step(
            &app,
            &challenge(&app, EDITOR).await,
            json!({ "code": "999999" }),
        )
        .await;
        assert_problem(wrong, StatusCode::UNAUTHORIZED).await;
    }
    let locked = app.login(EDITOR, PASSWORD).await;
    assert!(locked.headers().contains_key("retry-after"));
    assert_problem(locked, StatusCode::TOO_MANY_REQUESTS).await;

    app.clock.advance(TimeDelta::minutes(16));
    let right = second_step(
        &app,
        &challenge(&app, EDITOR).await,
        json!({ "code": code_now(&app, &secret) }),
    )
    .await;
    session_of(right).await;
}

async fn a_challenge_works_once_and_for_five_minutes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let session = editor_session(&app).await;
    let (secret, _) = turn_on(&app, &session).await;

    next_step(&app);
    let used = challenge(&app, EDITOR).await;
    session_of(second_step(&app, &used, json!({ "code": code_now(&app, &secret) })).await).await;
    next_step(&app);
    let twice = second_step(&app, &used, json!({ "code": code_now(&app, &secret) })).await;
    let problem = assert_problem(twice, StatusCode::UNAUTHORIZED).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("sign in again")
    );

    let late = challenge(&app, EDITOR).await;
    app.clock.advance(TimeDelta::minutes(6));
    let expired = second_step(&app, &late, json!({ "code": code_now(&app, &secret) })).await;
    assert_problem(expired, StatusCode::UNAUTHORIZED).await;
    for garbage in ["", "bsc_00", "bss_not-a-challenge"] {
        let refused = second_step(&app, garbage, json!({ "code": "123456" })).await;
        assert_problem(refused, StatusCode::UNAUTHORIZED).await;
    }
}

async fn roles_an_admin_names_must_turn_it_on_before_anything_else(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let session = editor_session(&app).await;
    let viewer = app
        .scoped_user_token("viewer@example.lt", Role::Viewer, &[], &[])
        .await;

    let refused = app
        .send(
            reqwest::Method::PUT,
            "/api/v1/admin/account-policy",
            Some(&session),
            Some(&json!({ "two_factor_roles": ["editor"] })),
        )
        .await;
    assert_problem(refused, StatusCode::FORBIDDEN).await;
    let set = app
        .send(
            reqwest::Method::PUT,
            "/api/v1/admin/account-policy",
            Some(&admin),
            Some(&json!({ "two_factor_roles": ["editor", "author"] })),
        )
        .await;
    assert_eq!(set.status(), StatusCode::OK);
    let policy = app.get_json("/api/v1/admin/account-policy", &admin).await;
    assert_eq!(policy, json!({ "two_factor_roles": ["editor", "author"] }));
    let refused = app
        .get_authed("/api/v1/admin/account-policy", &viewer)
        .await;
    assert_problem(refused, StatusCode::FORBIDDEN).await;

    // The editor's session is refused everything but turning it on.
    let blocked = app.get_authed("/api/v1/admin/news", &session).await;
    let problem = assert_problem(blocked, StatusCode::FORBIDDEN).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("second factor")
    );
    let me = app.get_json("/api/v1/auth/me", &session).await;
    assert_eq!(me["two_factor"]["required"], true);
    assert_eq!(me["permissions"]["publish"], false);
    assert_eq!(
        app.get_authed("/api/v1/admin/news", &viewer).await.status(),
        StatusCode::OK
    );
    let settings = app
        .patch_json_authed(
            "/api/v1/auth/me",
            &session,
            &json!({ "sign_up_notices": "daily" }),
        )
        .await;
    assert_problem(settings, StatusCode::FORBIDDEN).await;

    let (_, _) = turn_on(&app, &session).await;
    assert_eq!(
        app.get_authed("/api/v1/admin/news", &session)
            .await
            .status(),
        StatusCode::OK
    );
    let me = app.get_json("/api/v1/auth/me", &session).await;
    assert_eq!(me["permissions"]["publish"], true);
    let off = app
        .post_json_authed(
            "/api/v1/auth/totp/disable",
            &session,
            &json!({ "password": PASSWORD }),
        )
        .await;
    let problem = assert_problem(off, StatusCode::FORBIDDEN).await;
    assert!(problem["detail"].as_str().unwrap().contains("reset"));
    let audit = app.audit(&admin, "action=account_policy.update").await;
    assert_eq!(
        audit[0]["details"]["two_factor_roles"],
        json!(["editor", "author"])
    );
}

async fn an_admin_resets_a_lost_second_factor(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let session = editor_session(&app).await;
    let (_, codes) = turn_on(&app, &session).await;
    let other = app
        .scoped_user_token("other@example.lt", Role::Editor, &["LT"], &[])
        .await;
    let users = app
        .get_json("/api/v1/admin/users?per_page=100", &admin)
        .await;
    let editor = find_in(&users, "email", EDITOR);
    assert_eq!(editor["two_factor"], true);
    let reset = format!(
        "/api/v1/admin/users/{}/totp",
        editor["id"].as_str().unwrap()
    );

    let refused = app.delete_authed(&reset, &other).await;
    assert_problem(refused, StatusCode::FORBIDDEN).await;
    let before = challenge(&app, EDITOR).await;
    let done = app.delete_authed(&reset, &admin).await;
    assert_eq!(done.status(), StatusCode::NO_CONTENT);
    // A lost phone may hold a session or a challenge: both end with the reset.
    let ended = app.get_authed("/api/v1/auth/me", &session).await;
    assert_problem(ended, StatusCode::UNAUTHORIZED).await;
    let stale = second_step(&app, &before, json!({ "recovery_code": codes[1] })).await;
    assert_problem(stale, StatusCode::UNAUTHORIZED).await;
    // Nobody resets their own: they turn it off with their password.
    let me = app.get_json("/api/v1/auth/me", &admin).await;
    let own = format!(
        "/api/v1/admin/users/{}/totp",
        me["user"]["id"].as_str().unwrap()
    );
    assert_problem(app.delete_authed(&own, &admin).await, StatusCode::FORBIDDEN).await;

    let signed_in: Value = app.login(EDITOR, PASSWORD).await.json().await.unwrap();
    assert_eq!(
        signed_in["status"], "signed_in",
        "the password alone, until turned on again"
    );
    let (_, new_codes) = turn_on(&app, signed_in["token"].as_str().unwrap()).await;
    assert!(!new_codes.contains(&codes[0]));
    let old = second_step(
        &app,
        &challenge(&app, EDITOR).await,
        json!({ "recovery_code": codes[0] }),
    )
    .await;
    assert_problem(old, StatusCode::UNAUTHORIZED).await;
    let audit = app.audit(&admin, "action=user.totp_reset").await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["actor_label"], crate::helpers::ADMIN_EMAIL);
}

async fn turning_it_off_needs_the_password_and_new_recovery_codes_a_code(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let session = editor_session(&app).await;
    let (secret, codes) = turn_on(&app, &session).await;

    next_step(&app);
    let renewed = app
        .post_json_authed(
            "/api/v1/auth/totp/recovery-codes",
            &session,
            &json!({ "code": code_now(&app, &secret) }),
        )
        .await;
    assert_eq!(renewed.status(), StatusCode::OK);
    let renewed: Value = renewed.json().await.unwrap();
    let fresh = renewed["recovery_codes"][0].as_str().unwrap().to_owned();
    let old = second_step(
        &app,
        &challenge(&app, EDITOR).await,
        json!({ "recovery_code": codes[0] }),
    )
    .await;
    assert_problem(old, StatusCode::UNAUTHORIZED).await;
    session_of(
        second_step(
            &app,
            &challenge(&app, EDITOR).await,
            json!({ "recovery_code": fresh }),
        )
        .await,
    )
    .await;

    let wrong = app
        .post_json_authed(
            "/api/v1/auth/totp/disable",
            &session,
            &json!({ "password": "not mine at all" }),
        )
        .await;
    let problem = assert_problem(wrong, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["errors"][0]["field"], "password");
    let off = app
        .post_json_authed(
            "/api/v1/auth/totp/disable",
            &session,
            &json!({ "password": PASSWORD }),
        )
        .await;
    assert_eq!(off.status(), StatusCode::NO_CONTENT);
    let signed_in: Value = app.login(EDITOR, PASSWORD).await.json().await.unwrap();
    assert_eq!(signed_in["status"], "signed_in");
}
