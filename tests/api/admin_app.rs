//! `/admin`: the web app's files, served by the binary with a strict CSP, the shell
//! revalidated and versioned files cached for good.

use reqwest::StatusCode;

use crate::helpers::{Backend, TestApp, assert_problem, backend_tests};

backend_tests!(
    the_shell_answers_every_address_of_the_app_with_a_strict_policy,
    versioned_files_are_cached_for_good_and_revalidate_by_etag,
    the_app_can_be_switched_off,
);

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The versioned base the shell names its files under.
fn base_of(shell: &str) -> String {
    let start = shell.find("/admin/v/").unwrap() + "/admin/v/".len();
    let version = &shell[start..start + shell[start..].find('/').unwrap()];
    format!("/admin/v/{version}")
}

async fn the_shell_answers_every_address_of_the_app_with_a_strict_policy(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for path in [
        "/admin",
        "/admin/",
        "/admin/news",
        "/admin/events/0199c0de-0000-7000-8000-000000000000?locale=fr",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let headers = response.headers();
        assert_eq!(headers["content-type"], "text/html; charset=utf-8");
        assert_eq!(headers["content-security-policy"], CSP);
        assert_eq!(headers["x-frame-options"], "DENY");
        assert_eq!(headers["cache-control"], "no-cache");
        let shell = response.text().await.unwrap();
        assert!(
            shell.contains(r#"<script type="module" src="/admin/v/"#),
            "{shell}"
        );
        assert!(!shell.contains("{{base}}"));
        // No inline script or style: the policy would refuse them.
        assert!(
            !shell.contains("<script>") && !shell.contains("<style") && !shell.contains("style=")
        );
    }
}

async fn versioned_files_are_cached_for_good_and_revalidate_by_etag(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let shell = app.get("/admin").await.text().await.unwrap();
    let base = base_of(&shell);
    let script = app.get(&format!("{base}/app.js")).await;
    assert_eq!(script.status(), StatusCode::OK);
    assert_eq!(
        script.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert_eq!(
        script.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(script.headers()["content-security-policy"], CSP);
    let etag = script.headers()["etag"].to_str().unwrap().to_owned();
    assert!(script.text().await.unwrap().contains("import"));
    let again = app
        .client
        .get(app.url(&format!("{base}/app.js")))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    for (file, kind) in [
        ("styles.css", "text/css; charset=utf-8"),
        ("favicon.svg", "image/svg+xml"),
        ("content/editor/editor.js", "text/javascript; charset=utf-8"),
    ] {
        let response = app.get(&format!("{base}/{file}")).await;
        assert_eq!(response.status(), StatusCode::OK, "{file}");
        assert_eq!(response.headers()["content-type"], kind);
    }
    // Files of another build, and files that do not exist, are not found.
    for path in [
        "/admin/v/000000000000/app.js",
        &format!("{base}/nothing.js"),
        &format!("{base}/../index.html"),
    ] {
        assert_eq!(
            app.get(path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}

async fn the_app_can_be_switched_off(backend: Backend) {
    let app = TestApp::builder(backend)
        .with(|s| s.admin_app.enabled = false)
        .spawn()
        .await;
    assert_problem(app.get("/admin").await, StatusCode::NOT_FOUND).await;
    assert_problem(app.get("/admin/news").await, StatusCode::NOT_FOUND).await;
    assert_eq!(app.get("/health/live").await.status(), StatusCode::OK);
}
