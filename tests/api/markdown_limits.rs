//! Markdown bodies are bounded: the worst accepted body renders in a bounded time, off
//! the async workers, so that no request holds a core while others wait.

use std::time::{Duration, Instant};

use buysocial::domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, assert_problem, backend_tests};

backend_tests!(
    pathological_bodies_answer_quickly_while_the_server_keeps_answering,
    a_body_beyond_the_limits_is_refused_where_it_is_accepted,
    a_stored_body_beyond_the_limits_renders_as_plain_text_and_editors_are_told,
    preview_reads_render_a_draft_once,
);

/// Bodies just under the size limit that used to take seconds to minutes.
fn pathological(size: usize) -> Vec<(&'static str, String)> {
    let fill = |unit: &str| unit.repeat(size / unit.len());
    vec![
        ("deep block quotes", fill(">")),
        ("deep lists", {
            let mut list = String::new();
            for n in 0.. {
                let line = format!("{}- x\n", " ".repeat((n % 200) * 2));
                if list.len() + line.len() > size {
                    break;
                }
                list.push_str(&line);
            }
            list
        }),
        ("deep <div>", fill("<div>")),
        ("long emphasis runs", fill("**a")),
        ("many [", fill("[")),
        ("many links begun", fill("[a](")),
        (
            "ampersands in a link",
            format!("[a](https://x.example/?{})", fill("&a")),
        ),
        ("ampersands in text", fill("& ")),
        (
            "a wide padded table",
            format!("{}|\n{}|\n", "|a".repeat(2000), "|-".repeat(2000))
                + &"x\n".repeat((size - 8_100) / 2),
        ),
    ]
}

async fn pathological_bodies_answer_quickly_while_the_server_keeps_answering(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let viewer = app
        .scoped_user_token("viewer@example.org", Role::Viewer, &[], &[])
        .await;
    let size = app.state.settings.content.max_body_bytes - 64;
    // The health check is timed throughout, from its own task.
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let health = {
        let (client, url, done) = (app.client.clone(), app.url("/health/live"), done.clone());
        tokio::spawn(async move {
            let mut slowest = Duration::ZERO;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                let started = Instant::now();
                let response = client.get(&url).send().await.unwrap();
                assert_eq!(response.status(), StatusCode::OK);
                slowest = slowest.max(started.elapsed());
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            slowest
        })
    };
    // Two at a time, as the attack that froze the health check did.
    for pair in pathological(size).chunks(2) {
        let requests = pair.iter().map(|(name, body)| {
            let app = &app;
            let viewer = &viewer;
            async move {
                let started = Instant::now();
                let response = app
                    .post_json_authed(
                        "/api/v1/admin/markdown",
                        viewer,
                        &json!({ "markdown": body }),
                    )
                    .await;
                let status = response.status();
                let answer: Value = response.json().await.unwrap();
                (name, status, answer, started.elapsed())
            }
        });
        for (name, status, answer, took) in futures_util::future::join_all(requests).await {
            assert!(
                status == StatusCode::OK || status == StatusCode::UNPROCESSABLE_ENTITY,
                "{name}: {status} {answer}"
            );
            if status == StatusCode::UNPROCESSABLE_ENTITY {
                let message = answer["errors"][0]["message"].as_str().unwrap();
                assert_eq!(answer["errors"][0]["field"], "markdown", "{name}");
                assert!(
                    message.contains("deeper than 32") || message.contains("more than 50000"),
                    "{name}: the limit is named: {message}"
                );
            }
            // Debug builds are several times slower than the figures in the bench.
            assert!(took < Duration::from_secs(5), "{name} took {took:?}");
        }
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let slowest = health.await.unwrap();
    assert!(
        slowest < Duration::from_secs(2),
        "the health check waited {slowest:?} while bodies rendered"
    );
}

async fn a_body_beyond_the_limits_is_refused_where_it_is_accepted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let deep = ">".repeat(40);
    let created = app
        .post_json_authed(
            "/api/v1/admin/news",
            &admin,
            &json!({ "translation": { "locale": "en", "title": "Deep", "body": deep } }),
        )
        .await;
    let problem = assert_problem(created, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["errors"][0]["field"], "translation.body");
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("nests deeper than 32 levels"),
        "{problem}"
    );
    let id = crate::delivery::create(
        &app,
        &admin,
        "news",
        json!({ "translation": { "locale": "en", "title": "Flat", "body": "> one level" } }),
    )
    .await;
    let saved = app
        .send(
            Method::PUT,
            &format!("/api/v1/admin/news/{id}/translations/fr"),
            Some(&admin),
            Some(&json!({ "title": "Profond", "body": "<div>".repeat(40) })),
        )
        .await;
    let problem = assert_problem(saved, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["errors"][0]["field"], "body");
    let nothing: Value = app
        .get_json(&format!("/api/v1/admin/news/{id}"), &admin)
        .await;
    assert_eq!(
        nothing["translations"].as_array().unwrap().len(),
        1,
        "nothing of the refused translation was stored"
    );
    let preview = app
        .post_json_authed(
            "/api/v1/admin/markdown",
            &admin,
            &json!({ "markdown": "1. a\n".to_owned() + &"   - b\n".repeat(3) + &"*".repeat(10) }),
        )
        .await;
    assert_eq!(
        preview.status(),
        StatusCode::OK,
        "ordinary bodies still render"
    );
}

/// A body written before the limits (here: straight into the database) still renders,
/// as plain text, and the admin API says why.
async fn a_stored_body_beyond_the_limits_renders_as_plain_text_and_editors_are_told(
    backend: Backend,
) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let id = crate::delivery::create(
        &app,
        &admin,
        "news",
        json!({ "translation": { "locale": "en", "title": "Old", "slug": "old", "body": "fine" } }),
    )
    .await;
    let deep = "> ".repeat(50) + "deep <b>old</b> text";
    entity::translation::Entity::update_many()
        .col_expr(entity::translation::Column::Body, Expr::value(deep.clone()))
        .filter(entity::translation::Column::DocumentId.eq(id.parse::<uuid::Uuid>().unwrap()))
        .exec(&app.state.db)
        .await
        .unwrap();
    let item: Value = app
        .get_json(&format!("/api/v1/admin/news/{id}"), &admin)
        .await;
    let warning = item["translations"][0]["draft"]["body_exceeds_limits"]
        .as_str()
        .unwrap_or_else(|| panic!("no warning in {item}"));
    assert!(warning.contains("plain text"), "{warning}");
    crate::delivery::publish(&app, &admin, "news", &id, "en").await;
    let live = crate::delivery::read(&app, "/api/v1/news/old?locale=en").await;
    assert_eq!(
        live["body_html"],
        format!(
            "<p>{}deep &lt;b&gt;old&lt;/b&gt; text</p>\n",
            "&gt; ".repeat(50)
        )
    );
}

/// A preview read renders a draft once and keeps it: repeating it costs no render.
async fn preview_reads_render_a_draft_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.admin_token().await;
    let id = crate::delivery::create(
        &app,
        &admin,
        "news",
        json!({ "translation": { "locale": "en", "title": "Draft", "slug": "draft", "body": "**bold** draft" } }),
    )
    .await;
    let (_, preview) = app
        .api_token(&admin, json!({ "name": "Preview", "kind": "preview" }))
        .await;
    let read = || async {
        let response = app
            .get_authed("/api/v1/news/draft?locale=en&preview=true", &preview)
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json::<Value>().await.unwrap()
    };
    let first = read().await;
    assert_eq!(first["body_html"], "<p><strong>bold</strong> draft</p>\n");
    let renders = app.state.renderer.renders();
    let again = read().await;
    assert_eq!(again["body_html"], first["body_html"]);
    assert_eq!(
        app.state.renderer.renders(),
        renders,
        "the second read rendered nothing"
    );
    let _ = id;
}
