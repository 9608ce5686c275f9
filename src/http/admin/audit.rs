//! `/api/v1/admin/audit`: who did what, when, from where (admins only; read-only).

use chrono::{DateTime, Utc};
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::pagination::PageInfo;
use super::users::RoleName;
use crate::domain::Role;
use crate::http::ApiTags;
use crate::http::names::KindName;
use crate::http::problem::{ApiError, error_set};
use crate::http::security::AdminAuth;
use crate::services::audit_log::{self, AuditFilter, AuditRecord};
use crate::services::pagination::PageRequest;
use crate::state::AppState;

pub struct AuditApi {
    pub state: AppState,
}

/// One recorded action.
#[derive(Debug, Object)]
struct AuditEntry {
    id: Uuid,
    at: DateTime<Utc>,
    /// `user`, `token` or `anonymous` (e.g. a failed login).
    actor_kind: String,
    /// The user's or token's id.
    #[oai(nullable)]
    actor_id: Option<Uuid>,
    /// The user's email or the token's name at the time (for a failed login: the email tried).
    actor_label: String,
    /// The user's display name (or the token's name) at the time.
    #[oai(nullable)]
    actor_name: Option<String>,
    /// The actor's role at the time.
    #[oai(nullable)]
    actor_role: Option<RoleName>,
    /// The actor's countries at the time; empty: all; `null`: not a user or token.
    #[oai(nullable)]
    actor_countries: Option<Vec<String>>,
    /// e.g. `auth.login`, `user.create`, `token.revoke`, `permission.denied`.
    action: String,
    /// `success`, `failure` or `denied`.
    outcome: String,
    /// e.g. `user`, `token`, `site`, `session`.
    resource_kind: String,
    #[oai(nullable)]
    resource_id: Option<String>,
    /// The current name of the user, token, site, file or webhook the entry concerns.
    #[oai(nullable)]
    resource_label: Option<String>,
    /// The content item the entry concerns (its own, a scheduled job's, or the event
    /// of a registration).
    #[oai(nullable)]
    item: Option<AuditItem>,
    /// The locale the entry concerns.
    #[oai(nullable)]
    locale: Option<String>,
    #[oai(nullable)]
    client_addr: Option<String>,
    /// What changed, or why it was refused.
    details: serde_json::Value,
}

/// A content item named by an audit entry.
#[derive(Debug, Object)]
struct AuditItem {
    kind: KindName,
    id: Uuid,
    /// Its source translation's title now; `null` once the item is purged.
    #[oai(nullable)]
    title: Option<String>,
}

impl From<AuditRecord> for AuditEntry {
    fn from(record: AuditRecord) -> Self {
        let e = record.entry;
        Self {
            id: e.id,
            at: e.at,
            actor_kind: e.actor_kind,
            actor_id: e.actor_id.map(Into::into),
            actor_label: e.actor_label,
            actor_name: e.actor_name,
            actor_role: e
                .actor_role
                .as_deref()
                .and_then(|raw| raw.parse::<Role>().ok())
                .map(RoleName::from),
            actor_countries: e.actor_countries.map(|countries| {
                countries
                    .as_array()
                    .map(|list| {
                        list.iter()
                            .filter_map(|c| c.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default()
            }),
            action: e.action,
            outcome: e.outcome.to_string(),
            resource_kind: e.resource_kind,
            resource_id: e.resource_id,
            resource_label: record.resource_label,
            item: record.item.map(|item| AuditItem {
                kind: item.kind.into(),
                id: item.id,
                title: item.title,
            }),
            locale: record.locale,
            client_addr: e.client_addr,
            details: e.details,
        }
    }
}

/// A page of audit entries, newest first.
#[derive(Debug, Object)]
struct AuditList {
    items: Vec<AuditEntry>,
    page: PageInfo,
}

error_set!(
    /// Reading the audit log.
    ReadErrors: 400, 401, 403
);

#[OpenApi(prefix_path = "/api/v1/admin/audit", tag = "ApiTags::Audit")]
impl AuditApi {
    /// Read the audit log.
    ///
    /// Every write, login (success and failure), logout and permission refusal, newest
    /// first. Filters: `actor` (a user or token id), `action`, `resource` (kind),
    /// `item` (a content item's or other resource's id), `locale` (entries about one
    /// language of content), and the time range `from` (inclusive) to `to` (exclusive).
    /// A scheduled publication is credited to whoever scheduled it, as `content.publish`
    /// (or `content.unpublish`) with `details.scheduled`.
    #[oai(path = "/", method = "get", operation_id = "audit_list")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        auth: AdminAuth,
        actor: Query<Option<Uuid>>,
        action: Query<Option<String>>,
        resource: Query<Option<String>>,
        item: Query<Option<Uuid>>,
        locale: Query<Option<String>>,
        from: Query<Option<DateTime<Utc>>>,
        to: Query<Option<DateTime<Utc>>>,
        page: Query<Option<u64>>,
        per_page: Query<Option<u64>>,
    ) -> Result<Json<AuditList>, ApiError<ReadErrors>> {
        let page = PageRequest::parse(page.0, per_page.0, &self.state.settings.api)?;
        let filter = AuditFilter {
            actor_id: actor.0,
            action: action.0,
            resource_kind: resource.0,
            item: item.0,
            locale: locale.0,
            from: from.0,
            to: to.0,
        };
        let paged = audit_log::list(&self.state, &auth.0, filter, page).await?;
        Ok(Json(AuditList {
            page: PageInfo::of(&paged),
            items: paged.items.into_iter().map(AuditEntry::from).collect(),
        }))
    }
}
