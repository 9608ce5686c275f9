//! What "in use" means for an asset, decided here and nowhere else.
//!
//! Content uses an asset as a cover (`cover_asset_id` in an item's neutral fields), as a
//! material's file (`file_asset_id` in a translation's fields), or through a link to its
//! download URL (`/api/v1/files/{id}/...`) in a Markdown body; in a draft, in a live
//! version, or in a trashed item (which can come back). Deleting an asset, the media
//! library's `used_by` and `used` filter, the sweep of replaced files and the download
//! check all ask this module, so none of them can disagree about a file a page links to.
//!
//! The SQL only narrows the rows to read (`LIKE` on the columns that can refer to an
//! asset); [`referenced_in`] decides what a row really refers to.

use entity::ids::ItemId;
use std::collections::HashSet;

use entity::ids::AssetId;
use entity::{document, published_translation, translation};
use sea_orm::sea_query::{Expr, ExprTrait as _, SimpleExpr};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::Value;

use crate::domain::CountryCode;
use crate::domain::content::ContentKind;
use crate::error::AppError;
use crate::services::scopes::countries_from_json;

/// The path readers download files under; a body links a file with it.
const FILE_LINK: &str = "/api/v1/files/";
/// The keys of content fields that hold an asset id.
const ASSET_FIELDS: [&str; 2] = ["cover_asset_id", "file_asset_id"];

/// One item using an asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Usage {
    pub kind: ContentKind,
    pub document_id: ItemId,
    /// The translation using it; `None` for a cover, which every locale shows.
    pub locale: Option<String>,
    /// Whether readers see this use (a live version), or only editors (a draft).
    pub live: bool,
    /// The item's countries (empty: EU-wide).
    pub countries: Vec<CountryCode>,
    /// Whether the item is in the trash (it may come back, so the file stays in use).
    pub trashed: bool,
}

/// The asset ids that content with these `fields` and Markdown `body` refers to.
pub fn referenced_in<'a>(fields: &'a Value, body: &'a str) -> impl Iterator<Item = AssetId> + 'a {
    let in_fields = ASSET_FIELDS
        .iter()
        .filter_map(|key| fields.get(key)?.as_str()?.parse().ok());
    let in_body = body.match_indices(FILE_LINK).filter_map(|(at, _)| {
        let rest = &body[at + FILE_LINK.len()..];
        rest.get(..36)?.parse().ok()
    });
    in_fields.chain(in_body)
}

/// Every use of asset `id`, drafts, live versions and trashed items alike.
pub async fn users(db: &impl ConnectionTrait, id: AssetId) -> Result<Vec<Usage>, AppError> {
    let mut users = draft_users(db, id).await?;
    users.extend(live_users(db, id).await?);
    Ok(users)
}

/// The drafts using asset `id`: items' neutral fields (covers) and translations'
/// drafts (material files, body links), trashed items included.
pub async fn draft_users(db: &impl ConnectionTrait, id: AssetId) -> Result<Vec<Usage>, AppError> {
    let mut users = Vec::new();
    let documents = document::Entity::find()
        .filter(mentions_id("documents", &["fields"], id))
        .all(db)
        .await?;
    for doc in documents {
        if referenced_in(&doc.fields, "").any(|used| used == id) {
            users.push(Usage {
                kind: doc.kind,
                document_id: doc.id,
                locale: None,
                live: false,
                countries: countries_from_json(&doc.countries)?,
                trashed: doc.deleted_at.is_some(),
            });
        }
    }
    let drafts: Vec<translation::Model> = translation::Entity::find()
        .filter(mentions_id("translations", &["fields", "body"], id))
        .all(db)
        .await?
        .into_iter()
        .filter(|t| referenced_in(&t.fields, &t.body).any(|used| used == id))
        .collect();
    let owners = document::Entity::find()
        .filter(document::Column::Id.is_in(drafts.iter().map(|t| t.document_id)))
        .all(db)
        .await?;
    for draft in drafts {
        let owner = owners.iter().find(|d| d.id == draft.document_id);
        let countries = match owner {
            Some(doc) => countries_from_json(&doc.countries)?,
            None => Vec::new(),
        };
        users.push(Usage {
            kind: draft.kind,
            document_id: draft.document_id,
            locale: Some(draft.locale),
            live: false,
            countries,
            trashed: owner.is_some_and(|doc| doc.deleted_at.is_some()),
        });
    }
    Ok(users)
}

/// The live versions using asset `id`: what makes its file public.
pub async fn live_users(db: &impl ConnectionTrait, id: AssetId) -> Result<Vec<Usage>, AppError> {
    let rows = published_translation::Entity::find()
        .filter(mentions_id(
            "published_translations",
            &["fields", "document_fields", "body"],
            id,
        ))
        .all(db)
        .await?;
    let mut users = Vec::new();
    for row in rows {
        let uses = referenced_in(&row.fields, &row.body)
            .chain(referenced_in(&row.document_fields, ""))
            .any(|used| used == id);
        if uses {
            users.push(Usage {
                kind: row.kind,
                document_id: row.document_id,
                locale: Some(row.locale),
                live: true,
                countries: countries_from_json(&row.countries)?,
                // Trashing takes every translation offline: live rows are never trashed.
                trashed: false,
            });
        }
    }
    Ok(users)
}

/// Every asset id some content uses, for the library's `used` filter and the sweep.
pub async fn used_ids(db: &impl ConnectionTrait) -> Result<HashSet<AssetId>, AppError> {
    let mut ids = HashSet::new();
    for doc in document::Entity::find()
        .filter(mentions_any("documents", &["fields"], &[]))
        .all(db)
        .await?
    {
        ids.extend(referenced_in(&doc.fields, ""));
    }
    for draft in translation::Entity::find()
        .filter(mentions_any("translations", &["fields"], &["body"]))
        .all(db)
        .await?
    {
        ids.extend(referenced_in(&draft.fields, &draft.body));
    }
    for row in published_translation::Entity::find()
        .filter(mentions_any(
            "published_translations",
            &["fields", "document_fields"],
            &["body"],
        ))
        .all(db)
        .await?
    {
        ids.extend(referenced_in(&row.fields, &row.body));
        ids.extend(referenced_in(&row.document_fields, ""));
    }
    Ok(ids)
}

/// Rows whose `columns` contain the id at all, in any case (PostgreSQL's `LIKE` minds
/// case; a link may spell the id in capitals). The id is a UUID, so it is safe in the
/// pattern.
fn mentions_id(table: &str, columns: &[&str], id: AssetId) -> SimpleExpr {
    any_of(
        columns
            .iter()
            .map(|column| format!("LOWER(CAST({table}.{column} AS TEXT)) LIKE '%{id}%'")),
    )
}

/// Rows whose JSON `fields` name an asset key, or whose `bodies` link a file.
fn mentions_any(table: &str, fields: &[&str], bodies: &[&str]) -> SimpleExpr {
    let in_fields = fields
        .iter()
        .map(|column| format!("CAST({table}.{column} AS TEXT) LIKE '%asset_id%'"));
    let in_bodies = bodies
        .iter()
        .map(|column| format!("{table}.{column} LIKE '%{FILE_LINK}%'"));
    any_of(in_fields.chain(in_bodies))
}

fn any_of(conditions: impl Iterator<Item = String>) -> SimpleExpr {
    conditions
        .map(Expr::cust)
        .reduce(|all, next| all.or(next))
        .unwrap_or_else(|| Expr::cust("1 = 0"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use uuid::Uuid;

    use super::*;

    #[test]
    fn fields_and_body_links_are_references() {
        let cover = Uuid::new_v4();
        let linked = Uuid::new_v4();
        let fields = json!({ "cover_asset_id": cover.to_string(), "city": "Vilnius" });
        let body = format!(
            "See [the slides](https://cms.example/api/v1/files/{linked}/slides.pdf) and \
             /api/v1/files/not-a-uuid/x.pdf"
        );
        let found: Vec<AssetId> = referenced_in(&fields, &body).collect();
        assert_eq!(found, vec![cover, linked]);
    }

    #[test]
    fn a_body_without_links_refers_to_nothing() {
        assert_eq!(referenced_in(&json!({}), "plain text").count(), 0);
        assert_eq!(referenced_in(&json!({}), "/api/v1/files/").count(), 0);
    }
}
