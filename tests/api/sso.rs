//! Single sign-on against a real OpenID provider on loopback (oidc-provider, run by
//! Node): the full redirect flow, driven as a browser would, matching by verified
//! e-mail, refusals (unverified e-mail, tampered state, a wrong issuer, a provider that
//! is down), accounts made only where allowed, invitations, and the web app's code.

use buysocial::domain::Role;
use buysocial::settings::{OidcProviderSettings, Secret};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::oidc::{CLIENT_SECRET, OidcProvider, free_port};
use crate::helpers::{Backend, TestApp, assert_problem};

/// Like `backend_tests!`, and ignored (reported so) without `TEST_OIDC_MODULES`.
macro_rules! oidc_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[cfg_attr(not(test_oidc), ignore = "TEST_OIDC_MODULES is not set")]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[cfg_attr(
                    any(not(test_postgres), not(test_oidc)),
                    ignore = "TEST_DATABASE_URL or TEST_OIDC_MODULES is not set"
                )]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Postgres).await
                }
            )*
        }
    };
}

oidc_tests!(
    a_person_signs_in_through_the_provider_matched_by_verified_email,
    an_unverified_email_is_refused,
    a_tampered_state_a_replayed_answer_or_another_browser_is_refused,
    a_wrong_issuer_or_a_provider_that_is_down_leaves_password_sign_in_working,
    accounts_are_made_only_for_allowed_domains_with_the_providers_role_and_scope,
    an_invited_person_signs_in_through_the_provider_instead_of_choosing_a_password,
    password_sign_in_can_be_switched_off_for_accounts_that_use_it,
);

mod limits {
    use super::*;
    use crate::helpers::backend_tests;

    backend_tests!(starting_sign_ins_is_limited_per_client_address);

    /// Needs no provider: one that is down answers each start at once.
    async fn starting_sign_ins_is_limited_per_client_address(backend: Backend) {
        let down = format!("http://127.0.0.1:{}", free_port());
        let app = TestApp::builder(backend)
            .with(move |s| s.auth.oidc = vec![eu_login(&down)])
            .spawn()
            .await;
        for _ in 0..buysocial::services::accounts::sso::STARTS_PER_ADDRESS_PER_MINUTE {
            let started = app.get("/api/v1/auth/sso/eulogin/start").await;
            assert_eq!(started.status(), StatusCode::SEE_OTHER);
        }
        let refused = app.get("/api/v1/auth/sso/eulogin/start").await;
        assert!(refused.headers().contains_key("retry-after"));
        assert_problem(refused, StatusCode::TOO_MANY_REQUESTS).await;
    }
}

const PUBLIC: &str = "https://cms.webuysocial.test";
const CALLBACK: &str = "https://cms.webuysocial.test/api/v1/auth/sso/eulogin/callback";
const LINA: &str = "lina@example.lt";
const PASSWORD: &str = "a password for tests";

fn eu_login(issuer: &str) -> OidcProviderSettings {
    OidcProviderSettings {
        id: "eulogin".into(),
        display_name: "EU Login".into(),
        issuer: issuer.into(),
        client_id: "buysocial".into(),
        client_secret: Secret::new(CLIENT_SECRET),
        create_accounts: false,
        allowed_domains: vec![],
        role: "viewer".into(),
        countries: vec![],
        locales: vec![],
        password_sign_in: true,
    }
}

/// buysocial with EU Login as a provider (changed by `change`), and the provider.
async fn apps(
    backend: Backend,
    change: impl FnOnce(&mut OidcProviderSettings) + 'static,
) -> (TestApp, OidcProvider) {
    let provider = OidcProvider::start(&[CALLBACK.to_owned()], None).await;
    let mut settings = eu_login(&provider.address);
    change(&mut settings);
    let app = TestApp::builder(backend)
        .with(move |s| {
            s.server.public_url = PUBLIC.into();
            s.auth.oidc = vec![settings];
        })
        .spawn()
        .await;
    (app, provider)
}

/// A browser's start: where buysocial sends it, and the cookie it sets.
async fn start(app: &TestApp) -> (String, String) {
    let response = app.get("/api/v1/auth/sso/eulogin/start").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(cookie.contains("Secure"), "public_url is https: {cookie}");
    let value = cookie.split(';').next().unwrap().to_owned();
    (location, value)
}

/// buysocial's answer to the provider's redirect back (`callback`, a URL under
/// `PUBLIC`), with `cookie`: the sign-in page's fragment.
async fn come_back(app: &TestApp, callback: &str, cookie: Option<&str>) -> String {
    let path = callback.strip_prefix(PUBLIC).unwrap();
    let mut request = app.client.get(format!("{}{path}", app.address));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap();
    let cleared = response.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cleared.contains("Max-Age=0"),
        "the flow's cookie goes: {cleared}"
    );
    let fragment = location
        .strip_prefix(&format!("{PUBLIC}/admin/sign-in#"))
        .unwrap_or_else(|| panic!("not the sign-in page: {location}"));
    fragment.to_owned()
}

/// The whole flow for `login` at the provider: the sign-in page's fragment.
async fn flow(app: &TestApp, provider: &OidcProvider, login: &str) -> String {
    let (authorize, cookie) = start(app).await;
    let back = provider.sign_in(&authorize, login, CALLBACK).await;
    come_back(app, &back, Some(&cookie)).await
}

async fn exchange(app: &TestApp, fragment: &str) -> reqwest::Response {
    let code = fragment
        .strip_prefix("sso=")
        .unwrap_or_else(|| panic!("no code but {fragment}"));
    app.post_json("/api/v1/auth/sso/exchange", &json!({ "code": code }))
        .await
}

async fn a_person_signs_in_through_the_provider_matched_by_verified_email(backend: Backend) {
    let (app, provider) = apps(backend, |_| {}).await;
    app.create_user(LINA, Role::Editor, PASSWORD).await;
    let listed = app
        .get("/api/v1/auth/sso")
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(
        listed,
        json!({ "providers": [{ "id": "eulogin", "display_name": "EU Login", "start_url": "/api/v1/auth/sso/eulogin/start" }] })
    );

    let (authorize, cookie) = start(&app).await;
    assert!(
        authorize.starts_with(&format!("{}/auth?", provider.address)),
        "{authorize}"
    );
    for part in [
        "code_challenge_method=S256",
        "code_challenge=",
        "state=",
        "nonce=",
        "scope=openid",
    ] {
        assert!(authorize.contains(part), "{part} in {authorize}");
    }
    let back = provider.sign_in(&authorize, LINA, CALLBACK).await;
    let fragment = come_back(&app, &back, Some(&cookie)).await;
    assert!(
        fragment.starts_with("sso=bso_"),
        "a one-minute code, no session: {fragment}"
    );
    let response = exchange(&app, &fragment).await;
    assert_eq!(response.status(), StatusCode::OK);
    let session: Value = response.json().await.unwrap();
    assert_eq!(session["status"], "signed_in");
    assert_eq!(session["user"]["email"], LINA);
    let me = app
        .get_json("/api/v1/auth/me", session["token"].as_str().unwrap())
        .await;
    assert_eq!(me["user"]["role"], "editor");
    // The code works once.
    let again = exchange(&app, &fragment).await;
    assert_problem(again, StatusCode::UNAUTHORIZED).await;

    // Linked now: the next sign-in finds her by the provider's subject.
    let fragment = flow(&app, &provider, LINA).await;
    assert_eq!(exchange(&app, &fragment).await.status(), StatusCode::OK);
    let admin = app.admin_token().await;
    let audit = app.audit(&admin, "action=auth.login").await;
    assert!(
        audit
            .iter()
            .any(|e| e["details"]["method"] == "single sign-on"),
        "{audit:?}"
    );
    let log = serde_json::to_string(&audit).unwrap();
    assert!(!log.contains(fragment.strip_prefix("sso=").unwrap()));
}

async fn an_unverified_email_is_refused(backend: Backend) {
    let (app, provider) = apps(backend, |_| {}).await;
    app.create_user(LINA, Role::Admin, PASSWORD).await;

    let fragment = flow(&app, &provider, &format!("unverified:{LINA}")).await;
    assert_eq!(fragment, "sso_error=email_unverified");
    // Nothing was linked: the verified person is matched afresh, by e-mail.
    let fragment = flow(&app, &provider, LINA).await;
    assert!(fragment.starts_with("sso="), "{fragment}");
}

async fn a_tampered_state_a_replayed_answer_or_another_browser_is_refused(backend: Backend) {
    let (app, provider) = apps(backend, |_| {}).await;
    app.create_user(LINA, Role::Editor, PASSWORD).await;

    let (authorize, cookie) = start(&app).await;
    let back = provider.sign_in(&authorize, LINA, CALLBACK).await;
    let mut tampered = reqwest::Url::parse(&back).unwrap();
    let pairs: Vec<(String, String)> = tampered
        .query_pairs()
        .map(|(k, v)| {
            let value = if k == "state" {
                format!("{v}x")
            } else {
                v.into_owned()
            };
            (k.into_owned(), value)
        })
        .collect();
    tampered.query_pairs_mut().clear().extend_pairs(pairs);
    assert_eq!(
        come_back(&app, tampered.as_str(), Some(&cookie)).await,
        "sso_error=state_mismatch"
    );
    // The flow was used up by the tampered answer: the genuine one is refused too.
    assert_eq!(
        come_back(&app, &back, Some(&cookie)).await,
        "sso_error=state_mismatch"
    );

    // Another browser (no cookie, or another's) cannot finish a flow.
    let (authorize, _) = start(&app).await;
    let back = provider.sign_in(&authorize, LINA, CALLBACK).await;
    assert_eq!(
        come_back(&app, &back, None).await,
        "sso_error=state_mismatch"
    );
    let (_, other) = start(&app).await;
    assert_eq!(
        come_back(&app, &back, Some(&other)).await,
        "sso_error=state_mismatch"
    );
    let unknown = app.get("/api/v1/auth/sso/nobody/start").await;
    assert_problem(unknown, StatusCode::NOT_FOUND).await;
}

async fn a_wrong_issuer_or_a_provider_that_is_down_leaves_password_sign_in_working(
    backend: Backend,
) {
    // The provider calls itself http://localhost:…, buysocial expects http://127.0.0.1:….
    let impostor = OidcProvider::start(&[CALLBACK.to_owned()], Some("http://localhost:1")).await;
    let issuer = impostor.address.clone();
    let down = format!("http://127.0.0.1:{}", free_port());
    for configured in [issuer, down] {
        let app = TestApp::builder(backend)
            .with(move |s| {
                s.server.public_url = PUBLIC.into();
                s.auth.oidc = vec![eu_login(&configured)];
            })
            .spawn()
            .await;
        app.create_user(LINA, Role::Editor, PASSWORD).await;
        let response = app.get("/api/v1/auth/sso/eulogin/start").await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            response.headers()["location"],
            format!("{PUBLIC}/admin/sign-in#sso_error=provider_unavailable").as_str()
        );
        app.login_token(LINA, PASSWORD).await;
    }
}

async fn accounts_are_made_only_for_allowed_domains_with_the_providers_role_and_scope(
    backend: Backend,
) {
    let (app, provider) = apps(backend, |p| {
        p.create_accounts = true;
        p.allowed_domains = vec!["example.lt".into()];
        p.role = "author".into();
        p.countries = vec!["LT".into()];
        p.locales = vec!["lt".into()];
    })
    .await;

    let fragment = flow(&app, &provider, "jonas@example.lt").await;
    let session: Value = exchange(&app, &fragment).await.json().await.unwrap();
    let me = app
        .get_json("/api/v1/auth/me", session["token"].as_str().unwrap())
        .await;
    assert_eq!(me["user"]["role"], "author");
    assert_eq!(
        me["user"]["scope"],
        json!({ "countries": ["LT"], "locales": ["lt"] })
    );
    assert_eq!(me["user"]["display_name"], "Jonas");

    assert_eq!(
        flow(&app, &provider, "someone@gmail.com").await,
        "sso_error=no_account"
    );
    let admin = app.admin_token().await;
    let users = app
        .get_json("/api/v1/admin/users?per_page=100", &admin)
        .await;
    let emails: Vec<&str> = users["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert!(!emails.contains(&"someone@gmail.com"), "{emails:?}");
}

async fn an_invited_person_signs_in_through_the_provider_instead_of_choosing_a_password(
    backend: Backend,
) {
    let (app, provider) = apps(backend, |_| {}).await;
    let admin = app.admin_token().await;
    assert_eq!(flow(&app, &provider, LINA).await, "sso_error=no_account");
    let invited = app
        .post_json_authed(
            "/api/v1/admin/invitations",
            &admin,
            &json!({ "email": LINA, "role": "editor", "scope": { "countries": ["LT"] } }),
        )
        .await;
    assert_eq!(invited.status(), StatusCode::CREATED);

    let fragment = flow(&app, &provider, LINA).await;
    let session: Value = exchange(&app, &fragment).await.json().await.unwrap();
    assert_eq!(session["user"]["role"], "editor");
    let open = app.get_json("/api/v1/admin/invitations", &admin).await;
    assert_eq!(open["items"], json!([]), "accepted");
    // Nobody knows a password for the account until its owner sets one.
    assert_eq!(
        app.login(LINA, PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn password_sign_in_can_be_switched_off_for_accounts_that_use_it(backend: Backend) {
    let (app, provider) = apps(backend, |p| p.password_sign_in = false).await;
    app.create_user(LINA, Role::Editor, PASSWORD).await;
    app.create_user("other@example.lt", Role::Editor, PASSWORD)
        .await;
    app.login_token(LINA, PASSWORD).await;

    let fragment = flow(&app, &provider, LINA).await;
    assert_eq!(exchange(&app, &fragment).await.status(), StatusCode::OK);
    let refused = app.login(LINA, PASSWORD).await;
    let problem = assert_problem(refused, StatusCode::FORBIDDEN).await;
    assert!(problem["detail"].as_str().unwrap().contains("EU Login"));
    let wrong = app.login(LINA, "a wrong password entirely").await;
    assert_problem(wrong, StatusCode::UNAUTHORIZED).await;
    app.login_token("other@example.lt", PASSWORD).await;
}
