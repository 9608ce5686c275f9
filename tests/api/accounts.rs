//! Accounts nobody else knows the password of: an administrator invites by mail, the
//! person chooses their password through the link; a forgotten password is reset
//! through a mailed link that works once. Mails go through a real SMTP dialogue.

use buysocial::domain::Role;
use buysocial::services::accounts::password_reset;
use chrono::TimeDelta;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::smtp::{Received, SmtpServer};
use crate::helpers::{Backend, TestApp, assert_problem, backend_tests};
use crate::sign_ups::{app_with_mail, mails_to, text_of};

backend_tests!(
    an_invited_editor_chooses_a_password_and_is_signed_in_with_the_role_and_scope_given,
    only_admins_invite_resend_and_withdraw,
    a_resent_invitation_replaces_its_link_and_a_withdrawn_or_expired_one_works_no_more,
    inviting_an_address_with_an_account_or_an_open_invitation_is_refused,
    a_bad_invitation_is_refused_field_by_field_and_nothing_is_mailed,
    a_forgotten_password_is_reset_through_a_mailed_link_that_works_once,
    asking_for_a_reset_answers_and_works_the_same_for_any_address,
    reset_requests_are_throttled_per_address_asked_for_and_per_client,
    a_reset_link_expires_and_using_one_ends_the_others,
    a_wrong_token_or_a_refused_password_changes_nothing,
);

const INVITEE: &str = "lina@example.lt";

/// The token of the web-app link to `page` in `mail`: `{public_url}/admin/{page}#token=…`.
fn token_in(mail: &Received, page: &str) -> String {
    let text = text_of(mail);
    let marker = format!("https://cms.webuysocial.test/admin/{page}#token=");
    let start = text
        .find(&marker)
        .unwrap_or_else(|| panic!("no {page} link in {text}"))
        + marker.len();
    text[start..].split_whitespace().next().unwrap().to_owned()
}

fn subject_of(mail: &Received) -> String {
    mail.parsed().subject().unwrap_or_default().to_owned()
}

async fn invite(app: &TestApp, admin: &str, body: Value) -> reqwest::Response {
    app.post_json_authed("/api/v1/admin/invitations", admin, &body)
        .await
}

fn lithuanian_editor() -> Value {
    json!({
        "email": INVITEE,
        "display_name": "Lina Kazlauskienė",
        "role": "editor",
        "scope": { "countries": ["LT"], "locales": ["lt", "en"] },
        "language": "lt",
    })
}

/// Invites the Lithuanian editor and returns the invitation's id and the mailed token.
async fn invited(app: &TestApp, smtp: &SmtpServer, admin: &str) -> (String, String) {
    let response = invite(app, admin, lithuanian_editor()).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    let mails = mails_to(app, smtp, INVITEE).await;
    let mail = mails.last().expect("the invitation is mailed");
    (
        body["id"].as_str().unwrap().to_owned(),
        token_in(mail, "invitation"),
    )
}

async fn accept(app: &TestApp, token: &str, password: &str) -> reqwest::Response {
    app.post_json(
        "/api/v1/auth/invitations/accept",
        &json!({ "token": token, "password": password }),
    )
    .await
}

async fn an_invited_editor_chooses_a_password_and_is_signed_in_with_the_role_and_scope_given(
    backend: Backend,
) {
    let (app, smtp, admin) = app_with_mail(backend).await;

    let response = invite(&app, &admin, lithuanian_editor()).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let invitation: Value = response.json().await.unwrap();
    assert_eq!(
        location,
        format!(
            "/api/v1/admin/invitations/{}",
            invitation["id"].as_str().unwrap()
        )
    );
    assert_eq!(invitation["status"], "pending");
    assert_eq!(invitation["role"], "editor");
    assert_eq!(invitation["invited_by"], "Administrator");
    let mails = mails_to(&app, &smtp, INVITEE).await;
    assert_eq!(mails.len(), 1);
    // In the language the admin chose for her, with her role in its words.
    assert_eq!(
        subject_of(&mails[0]),
        "Kvietimas prisijungti prie buysocial"
    );
    let text = text_of(&mails[0]);
    assert!(text.contains("Sveiki, Lina Kazlauskienė"), "{text}");
    assert!(text.contains("Jūsų vaidmuo – redaktorius"), "{text}");
    let token = token_in(&mails[0], "invitation");
    assert!(
        token.starts_with("bsi_") && token.len() >= 4 + 32,
        "{token}"
    );

    // The page of the link shows what the account will be, and changes nothing.
    let opened = app
        .post_json("/api/v1/auth/invitations/open", &json!({ "token": token }))
        .await;
    assert_eq!(opened.status(), StatusCode::OK);
    let opened: Value = opened.json().await.unwrap();
    assert_eq!(opened["email"], INVITEE);
    assert_eq!(
        opened["scope"],
        json!({ "countries": ["LT"], "locales": ["en", "lt"] })
    );

    let response = accept(&app, &token, "Vilnius gegužės 23").await;
    assert_eq!(response.status(), StatusCode::OK);
    let session: Value = response.json().await.unwrap();
    assert_eq!(session["user"]["email"], INVITEE);
    assert_eq!(session["user"]["language"], "lt");
    let me = app
        .get_json("/api/v1/auth/me", session["token"].as_str().unwrap())
        .await;
    assert_eq!(me["user"]["role"], "editor");
    assert_eq!(me["user"]["display_name"], "Lina Kazlauskienė");
    assert_eq!(me["permissions"]["countries"], json!(["LT"]));
    assert_eq!(me["permissions"]["publish"], true);
    // Her own password signs her in from now on; the link works no more.
    app.login_token(INVITEE, "Vilnius gegužės 23").await;
    let again = accept(&app, &token, "another password 123").await;
    let problem = assert_problem(again, StatusCode::GONE).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("accepted already")
    );

    let open = app.get_json("/api/v1/admin/invitations", &admin).await;
    assert_eq!(
        open["items"],
        json!([]),
        "an accepted invitation is a user now"
    );
    let audit = app.audit(&admin, "").await;
    let actions: Vec<&str> = audit
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for action in ["invitation.create", "invitation.accept"] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    let accepted = audit
        .iter()
        .find(|e| e["action"] == "invitation.accept")
        .unwrap();
    assert_eq!(accepted["actor_label"], INVITEE);
    let log = serde_json::to_string(&audit).unwrap();
    assert!(!log.contains(&token), "no link in the audit log");
    assert!(
        !log.contains("Vilnius gegužės"),
        "no password in the audit log"
    );
}

async fn only_admins_invite_resend_and_withdraw(backend: Backend) {
    let (app, smtp, admin) = app_with_mail(backend).await;
    let editor = app
        .scoped_user_token("jonas@example.lt", Role::Editor, &["LT"], &[])
        .await;

    let refused = invite(&app, &editor, lithuanian_editor()).await;
    assert_problem(refused, StatusCode::FORBIDDEN).await;
    let refused = app.get_authed("/api/v1/admin/invitations", &editor).await;
    assert_problem(refused, StatusCode::FORBIDDEN).await;
    assert!(mails_to(&app, &smtp, INVITEE).await.is_empty());

    let (id, _) = invited(&app, &smtp, &admin).await;
    let resend = format!("/api/v1/admin/invitations/{id}/resend");
    let refused = app.post_json_authed(&resend, &editor, &json!({})).await;
    assert_problem(refused, StatusCode::FORBIDDEN).await;
    let one = format!("/api/v1/admin/invitations/{id}");
    let refused = app.delete_authed(&one, &editor).await;
    assert_problem(refused, StatusCode::FORBIDDEN).await;

    // An admin API token may, as an admin may.
    let (_, token) = app
        .api_token(
            &admin,
            json!({ "name": "provisioning", "kind": "admin", "role": "admin" }),
        )
        .await;
    let response = app.post_json_authed(&resend, &token, &json!({})).await;
    assert_eq!(response.status(), StatusCode::OK);
    let response = app.delete_authed(&one, &admin).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
}

async fn a_resent_invitation_replaces_its_link_and_a_withdrawn_or_expired_one_works_no_more(
    backend: Backend,
) {
    let (app, smtp, admin) = app_with_mail(backend).await;
    let (id, first) = invited(&app, &smtp, &admin).await;

    let response = app
        .post_json_authed(
            &format!("/api/v1/admin/invitations/{id}/resend"),
            &admin,
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let mails = mails_to(&app, &smtp, INVITEE).await;
    assert_eq!(mails.len(), 2, "sent again");
    let second = token_in(&mails[1], "invitation");
    assert_ne!(first, second);
    let old = accept(&app, &first, "a password of mine").await;
    let problem = assert_problem(old, StatusCode::NOT_FOUND).await;
    assert!(problem["detail"].as_str().unwrap().contains("newest mail"));

    // Expired: listed as such, refused, and sending it again makes it work.
    app.clock.advance(TimeDelta::hours(73));
    let admin = app.admin_token().await;
    let list = app.get_json("/api/v1/admin/invitations", &admin).await;
    assert_eq!(list["items"][0]["status"], "expired");
    let late = accept(&app, &second, "a password of mine").await;
    let problem = assert_problem(late, StatusCode::GONE).await;
    assert_eq!(problem["type"], "urn:buysocial:problem:link-expired");
    app.post_json_authed(
        &format!("/api/v1/admin/invitations/{id}/resend"),
        &admin,
        &json!({}),
    )
    .await;
    let third = token_in(
        mails_to(&app, &smtp, INVITEE).await.last().unwrap(),
        "invitation",
    );

    // Withdrawn: the link works no more, and the invitation is gone from the list.
    let response = app
        .delete_authed(&format!("/api/v1/admin/invitations/{id}"), &admin)
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let withdrawn = accept(&app, &third, "a password of mine").await;
    let problem = assert_problem(withdrawn, StatusCode::GONE).await;
    assert!(problem["detail"].as_str().unwrap().contains("withdrawn"));
    let list = app.get_json("/api/v1/admin/invitations", &admin).await;
    assert_eq!(list["items"], json!([]));
    let again = app
        .delete_authed(&format!("/api/v1/admin/invitations/{id}"), &admin)
        .await;
    assert_problem(again, StatusCode::NOT_FOUND).await;
    assert_eq!(
        app.login(INVITEE, "a password of mine").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn inviting_an_address_with_an_account_or_an_open_invitation_is_refused(backend: Backend) {
    let (app, smtp, admin) = app_with_mail(backend).await;
    invited(&app, &smtp, &admin).await;

    let twice = invite(&app, &admin, lithuanian_editor()).await;
    let problem = assert_problem(twice, StatusCode::CONFLICT).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("send that invitation again")
    );
    let existing = invite(
        &app,
        &admin,
        json!({ "email": "ADMIN@example.org", "role": "viewer" }),
    )
    .await;
    let problem = assert_problem(existing, StatusCode::CONFLICT).await;
    assert_eq!(problem["type"], "urn:buysocial:problem:already-exists");
    assert_eq!(mails_to(&app, &smtp, INVITEE).await.len(), 1);
}

async fn a_bad_invitation_is_refused_field_by_field_and_nothing_is_mailed(backend: Backend) {
    let (app, smtp, admin) = app_with_mail(backend).await;

    let response = invite(
        &app,
        &admin,
        json!({
            "email": "not an address",
            "role": "admin",
            "scope": { "countries": ["LT"] },
            "language": "tlh",
        }),
    )
    .await;
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["email", "scope", "language"]);
    let unknown = invite(
        &app,
        &admin,
        json!({ "email": INVITEE, "role": "editor", "password": "x" }),
    )
    .await;
    let problem = assert_problem(unknown, StatusCode::UNPROCESSABLE_ENTITY).await;
    let message = problem["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("unknown field `password`"), "{message}");
    buysocial::services::mail::run_once(&app.state)
        .await
        .unwrap();
    assert!(smtp.received().is_empty());
}

const OWNER: &str = "ona@example.lt";
const OLD_PASSWORD: &str = "the old password 1";
const NEW_PASSWORD: &str = "a brand new password";

async fn ask_reset(app: &TestApp, email: &str) -> reqwest::Response {
    app.post_json("/api/v1/auth/password-reset", &json!({ "email": email }))
        .await
}

/// The reset mails `email` has, after the requests were answered and mail sent.
async fn reset_mails(app: &TestApp, smtp: &SmtpServer, email: &str) -> Vec<Received> {
    password_reset::answer_requests(&app.state).await.unwrap();
    mails_to(app, smtp, email)
        .await
        .into_iter()
        .filter(|m| subject_of(m) == "Choose a new password for buysocial")
        .collect()
}

async fn confirm(app: &TestApp, token: &str, password: &str) -> reqwest::Response {
    app.post_json(
        "/api/v1/auth/password-reset/confirm",
        &json!({ "token": token, "new_password": password }),
    )
    .await
}

async fn a_forgotten_password_is_reset_through_a_mailed_link_that_works_once(backend: Backend) {
    let (app, smtp, admin) = app_with_mail(backend).await;
    app.create_user(OWNER, Role::Editor, OLD_PASSWORD).await;
    let laptop = app.login_token(OWNER, OLD_PASSWORD).await;
    let phone = app.login_token(OWNER, OLD_PASSWORD).await;

    let response = ask_reset(&app, "  Ona@Example.LT ").await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let mails = reset_mails(&app, &smtp, OWNER).await;
    assert_eq!(mails.len(), 1);
    let text = text_of(&mails[0]);
    assert!(text.contains("30 minutes"), "{text}");
    let token = token_in(&mails[0], "reset-password");

    // Until the link is used, nothing changes.
    assert_eq!(
        app.get_authed("/api/v1/auth/me", &laptop).await.status(),
        StatusCode::OK
    );
    let response = confirm(&app, &token, NEW_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);

    for session in [&laptop, &phone] {
        let ended = app.get_authed("/api/v1/auth/me", session).await;
        assert_eq!(
            ended.status(),
            StatusCode::UNAUTHORIZED,
            "every session ends"
        );
    }
    assert_eq!(
        app.login(OWNER, OLD_PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    app.login_token(OWNER, NEW_PASSWORD).await;
    let twice = confirm(&app, &token, "yet another password").await;
    let problem = assert_problem(twice, StatusCode::GONE).await;
    assert!(problem["detail"].as_str().unwrap().contains("used already"));

    let notices: Vec<Received> = smtp
        .received_by(OWNER)
        .into_iter()
        .filter(|m| subject_of(m) == "Your buysocial password was changed")
        .collect();
    assert_eq!(notices.len(), 0, "queued, not yet sent");
    let notices: Vec<String> = mails_to(&app, &smtp, OWNER)
        .await
        .iter()
        .map(subject_of)
        .collect();
    assert!(
        notices.contains(&"Your buysocial password was changed".to_owned()),
        "{notices:?}"
    );

    let audit = app.audit(&admin, "").await;
    let actions: Vec<&str> = audit
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"auth.password_reset_request"),
        "{actions:?}"
    );
    assert!(actions.contains(&"auth.password_reset"), "{actions:?}");
    let log = serde_json::to_string(&audit).unwrap();
    assert!(!log.contains(&token));
    assert!(!log.contains(NEW_PASSWORD));
}

async fn asking_for_a_reset_answers_and_works_the_same_for_any_address(backend: Backend) {
    let (app, smtp, _) = app_with_mail(backend).await;
    app.create_user(OWNER, Role::Author, OLD_PASSWORD).await;
    app.create_user("gone@example.lt", Role::Author, OLD_PASSWORD)
        .await;
    let admin = app.admin_token().await;
    let gone = app
        .get_json("/api/v1/admin/users?per_page=100", &admin)
        .await;
    let gone_id = crate::helpers::find_in(&gone, "email", "gone@example.lt")["id"].clone();
    app.patch_json_authed(
        &format!("/api/v1/admin/users/{}", gone_id.as_str().unwrap()),
        &admin,
        &json!({ "disabled": true }),
    )
    .await;

    let before = app.metric("buysocial_password_verifications_total").await;
    let mut answers = Vec::new();
    for email in [OWNER, "nobody@example.lt", "gone@example.lt"] {
        let response = ask_reset(&app, email).await;
        answers.push((response.status(), response.text().await.unwrap()));
    }
    assert!(answers.iter().all(|a| *a == answers[0]), "{answers:?}");
    assert_eq!(answers[0].0, StatusCode::ACCEPTED);
    assert_eq!(
        app.metric("buysocial_password_verifications_total").await,
        before,
        "no password is checked for any address"
    );

    assert_eq!(reset_mails(&app, &smtp, OWNER).await.len(), 1);
    assert!(smtp.received_by("nobody@example.lt").is_empty());
    assert!(
        smtp.received_by("gone@example.lt").is_empty(),
        "a disabled account gets none"
    );
    assert_eq!(
        password_reset::answer_requests(&app.state).await.unwrap(),
        0,
        "all answered"
    );
}

async fn reset_requests_are_throttled_per_address_asked_for_and_per_client(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = TestApp::builder(backend)
        .with_smtp(smtp.port())
        .with(|s| {
            s.auth.throttle.max_reset_requests_per_account = 2;
            s.auth.throttle.max_reset_requests_per_address = 4;
        })
        .spawn()
        .await;
    app.create_user(OWNER, Role::Author, OLD_PASSWORD).await;

    // For one address, account or not, alike: the limit tells nothing.
    for email in [OWNER, "nobody@example.lt"] {
        for _ in 0..2 {
            assert_eq!(ask_reset(&app, email).await.status(), StatusCode::ACCEPTED);
        }
        let refused = ask_reset(&app, email).await;
        assert!(refused.headers().contains_key("retry-after"));
        assert_problem(refused, StatusCode::TOO_MANY_REQUESTS).await;
    }
    assert_eq!(reset_mails(&app, &smtp, OWNER).await.len(), 2);
    // From one client, whatever the addresses: refused requests were not counted.
    let refused = ask_reset(&app, "third@example.lt").await;
    assert_problem(refused, StatusCode::TOO_MANY_REQUESTS).await;
}

async fn a_reset_link_expires_and_using_one_ends_the_others(backend: Backend) {
    let (app, smtp, _) = app_with_mail(backend).await;
    app.create_user(OWNER, Role::Author, OLD_PASSWORD).await;

    ask_reset(&app, OWNER).await;
    let first = token_in(&reset_mails(&app, &smtp, OWNER).await[0], "reset-password");
    app.clock.advance(TimeDelta::minutes(31));
    let late = confirm(&app, &first, NEW_PASSWORD).await;
    let problem = assert_problem(late, StatusCode::GONE).await;
    assert!(problem["detail"].as_str().unwrap().contains("expired"));

    ask_reset(&app, OWNER).await;
    ask_reset(&app, OWNER).await;
    let mails = reset_mails(&app, &smtp, OWNER).await;
    assert_eq!(mails.len(), 3);
    let (second, third) = (
        token_in(&mails[1], "reset-password"),
        token_in(&mails[2], "reset-password"),
    );
    let used = [&second, &third];
    // Mails of one round arrive in any order: use one, and the other ends with it.
    assert_eq!(
        confirm(&app, used[0], NEW_PASSWORD).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_problem(
        confirm(&app, used[1], "other new password").await,
        StatusCode::GONE,
    )
    .await;
    app.login_token(OWNER, NEW_PASSWORD).await;
}

async fn a_wrong_token_or_a_refused_password_changes_nothing(backend: Backend) {
    let (app, smtp, _) = app_with_mail(backend).await;
    app.create_user(OWNER, Role::Author, OLD_PASSWORD).await;
    ask_reset(&app, OWNER).await;
    let token = token_in(&reset_mails(&app, &smtp, OWNER).await[0], "reset-password");

    let short = confirm(&app, &token, "short").await;
    let problem = assert_problem(short, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["errors"][0]["field"], "new_password");
    for wrong in ["bsk_0000", "garbage", &format!("{token}0")] {
        assert_problem(
            confirm(&app, wrong, NEW_PASSWORD).await,
            StatusCode::NOT_FOUND,
        )
        .await;
    }
    let invitation = app
        .post_json("/api/v1/auth/invitations/open", &json!({ "token": token }))
        .await;
    assert_problem(invitation, StatusCode::NOT_FOUND).await;
    app.login_token(OWNER, OLD_PASSWORD).await;
    // The link still works after all that.
    assert_eq!(
        confirm(&app, &token, NEW_PASSWORD).await.status(),
        StatusCode::NO_CONTENT
    );
}
