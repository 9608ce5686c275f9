//! The campaign page as content: the demo seed models it through the services editors
//! use, publishing locale by locale, and nothing unpublished reaches the read model.

use entity::{published_translation, translation};
use reqwest::StatusCode;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::Value;

use crate::helpers::{Backend, TestApp, backend_tests};

backend_tests!(the_campaign_page_is_modelled_and_published_locale_by_locale);

async fn the_campaign_page_is_modelled_and_published_locale_by_locale(backend: Backend) {
    let app = TestApp::spawn(backend).await;

    let report = buysocial::demo::seed(&app.state).await.unwrap();

    assert_eq!((report.sites, report.items), (13, 14));
    let admin = app.admin_token().await;
    let events: Value = app
        .get_authed("/api/v1/admin/events?status=published", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(events["page"]["total"], 5);
    let mut languages: Vec<String> = Vec::new();
    for event in events["items"].as_array().unwrap() {
        let id = event["id"].as_str().unwrap();
        let item: Value = app
            .get_authed(&format!("/api/v1/admin/events/{id}"), &admin)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            item["translations"].as_array().unwrap().len(),
            2,
            "workshop language and English"
        );
        assert!(
            item["translations"]
                .as_array()
                .unwrap()
                .iter()
                .all(|t| t["status"] == "published")
        );
        assert_eq!(item["fields"]["materials"].as_array().unwrap().len(), 1);
        languages.push(
            item["fields"]["workshop_languages"][0]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    languages.sort();
    assert_eq!(languages, ["et", "fr", "lt", "nl", "pt"]);
    let pages: Value = app
        .get_authed("/api/v1/admin/pages?q=socially", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        pages["items"][0]["translations"].as_array().unwrap().len(),
        2
    );

    // Everything seeded was published; a later draft edit is not.
    let drafts = translation::Entity::find()
        .count(&app.state.db)
        .await
        .unwrap();
    let live = published_translation::Entity::find()
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(
        (drafts, live),
        (
            report.published_translations as u64,
            report.published_translations as u64
        )
    );
    let what_is = pages["items"][0]["id"].as_str().unwrap();
    let item: Value = app
        .get_authed(&format!("/api/v1/admin/pages/{what_is}"), &admin)
        .await
        .json()
        .await
        .unwrap();
    let fr_etag = item["translations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["locale"] == "fr")
        .unwrap()["etag"]
        .as_str()
        .unwrap()
        .to_owned();
    let edit = app
        .client
        .put(app.url(&format!("/api/v1/admin/pages/{what_is}/translations/fr")))
        .bearer_auth(&admin)
        .header("if-match", fr_etag)
        .json(&serde_json::json!({ "title": "Brouillon secret" }))
        .send()
        .await
        .unwrap();
    assert_eq!(edit.status(), StatusCode::OK);
    let leaked = published_translation::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .any(|p| p.title.contains("Brouillon"));
    assert!(!leaked, "a draft reached the read model");

    // Each material has a sample PDF, public since the material is published.
    let materials: Value = app
        .get_authed("/api/v1/admin/materials", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(materials["page"]["total"], 5);
    let material = materials["items"][0]["id"].as_str().unwrap();
    let item: Value = app
        .get_authed(&format!("/api/v1/admin/materials/{material}"), &admin)
        .await
        .json()
        .await
        .unwrap();
    let file = item["translations"][0]["live"]["file_asset_id"]
        .as_str()
        .unwrap();
    let asset: Value = app
        .get_authed(&format!("/api/v1/admin/assets/{file}"), &admin)
        .await
        .json()
        .await
        .unwrap();
    let download = app.get(asset["asset"]["url"].as_str().unwrap()).await;
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(download.headers()["content-type"], "application/pdf");
    assert!(download.bytes().await.unwrap().starts_with(b"%PDF-1.4"));

    // Seeding twice does nothing.
    assert!(
        buysocial::demo::seed(&app.state)
            .await
            .unwrap()
            .already_present
    );
}
