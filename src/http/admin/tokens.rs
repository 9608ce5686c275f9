//! `/api/v1/admin/tokens`: API tokens for frontends, previews and automation (admins only).

use chrono::{DateTime, Utc};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use serde::Deserialize;
use uuid::Uuid;

use super::pagination::PageInfo;
use super::users::{RoleName, ScopeRequest, ScopeResponse};
use crate::http::ApiTags;
use crate::http::json::JsonBody;
use crate::http::problem::{ApiError, error_set};
use crate::http::security::AdminAuth;
use crate::services::pagination::PageRequest;
use crate::services::tokens::{self, ApiToken, NewToken, TokenKind};
use crate::state::AppState;

pub struct TokensApi {
    pub state: AppState,
}

/// `delivery`: read published content through the delivery API; `preview`: also
/// read drafts there; `admin`: use the admin API with a role and scope.
#[derive(Debug, Clone, Copy, Enum, Deserialize)]
#[oai(rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum TokenKindName {
    Delivery,
    Preview,
    Admin,
}

impl From<TokenKind> for TokenKindName {
    fn from(kind: TokenKind) -> Self {
        match kind {
            TokenKind::Delivery => Self::Delivery,
            TokenKind::Preview => Self::Preview,
            TokenKind::Admin => Self::Admin,
        }
    }
}

impl From<TokenKindName> for TokenKind {
    fn from(kind: TokenKindName) -> Self {
        match kind {
            TokenKindName::Delivery => Self::Delivery,
            TokenKindName::Preview => Self::Preview,
            TokenKindName::Admin => Self::Admin,
        }
    }
}

/// An API token (never its secret).
#[derive(Debug, Object)]
pub struct TokenResponse {
    pub id: Uuid,
    pub name: String,
    pub kind: TokenKindName,
    /// The start of the secret, to recognise the token.
    pub hint: String,
    /// The site a delivery or preview token is bound to, if any.
    #[oai(nullable)]
    pub site: Option<String>,
    /// The role an admin token acts with.
    #[oai(nullable)]
    pub role: Option<RoleName>,
    /// The scope an admin token acts within.
    pub scope: ScopeResponse,
    /// The user who created the token.
    #[oai(nullable)]
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    #[oai(nullable)]
    pub expires_at: Option<DateTime<Utc>>,
    /// Updated at most once a minute.
    #[oai(nullable)]
    pub last_used_at: Option<DateTime<Utc>>,
    #[oai(nullable)]
    pub revoked_at: Option<DateTime<Utc>>,
    /// A preview link's token: the one translation whose draft it shows.
    #[oai(nullable)]
    pub preview_of: Option<PreviewOfResponse>,
    /// Whoever created the token has been disabled or deleted. Their admin tokens were
    /// revoked then; delivery and preview tokens keep working (national sites use them)
    /// until an admin revokes them. Always `false` right after creation.
    pub creator_left: bool,
}

/// The translation a preview link shows.
#[derive(Debug, Object)]
pub struct PreviewOfResponse {
    pub document_id: Uuid,
    pub locale: String,
}

impl From<ApiToken> for TokenResponse {
    fn from(token: ApiToken) -> Self {
        Self {
            scope: ScopeResponse::from(&token.scope),
            id: token.id.into(),
            name: token.name,
            kind: token.kind.into(),
            hint: token.hint,
            site: token.site,
            role: token.role.map(RoleName::from),
            created_by: token.created_by.map(Into::into),
            created_at: token.created_at,
            expires_at: token.expires_at,
            last_used_at: token.last_used_at,
            preview_of: token.preview_of.map(|p| PreviewOfResponse {
                document_id: p.document_id.into(),
                locale: p.locale,
            }),
            revoked_at: token.revoked_at,
            creator_left: token.creator_left,
        }
    }
}

/// A new token and its secret.
#[derive(Debug, Object)]
struct CreatedToken {
    /// The secret, shown only now: send it as `Authorization: Bearer <secret>`.
    secret: String,
    token: TokenResponse,
}

/// A page of tokens, newest first.
#[derive(Debug, Object)]
struct TokenList {
    items: Vec<TokenResponse>,
    page: PageInfo,
}

/// A new API token.
#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
struct CreateTokenRequest {
    /// What the token is for, e.g. "Belgian frontend (production)".
    name: String,
    kind: TokenKindName,
    /// Delivery and preview tokens only: the site it may read; absent: any site.
    #[oai(nullable)]
    site: Option<String>,
    /// Admin tokens only (required): the role it acts with.
    #[oai(nullable)]
    role: Option<RoleName>,
    /// Admin tokens only: the countries and locales it acts within; absent: all. A token
    /// with the role `admin` acts everywhere and takes no scope (422 on `scope`).
    #[oai(nullable)]
    scope: Option<ScopeRequest>,
    /// When the token stops working; absent: never.
    #[oai(nullable)]
    expires_at: Option<DateTime<Utc>>,
}

#[derive(ApiResponse)]
enum Created {
    /// The token was created; its secret is in the body, once.
    #[oai(status = 201)]
    Token(Json<CreatedToken>),
}

#[derive(ApiResponse)]
enum Revoked {
    /// The token is revoked (or already was).
    #[oai(status = 204)]
    Done,
}

error_set!(
    /// Reading tokens.
    ReadErrors: 400, 401, 403
);
error_set!(
    /// Creating and revoking tokens.
    WriteErrors: 400, 401, 403, 404, 422
);

#[OpenApi(prefix_path = "/api/v1/admin/tokens", tag = "ApiTags::Tokens")]
impl TokensApi {
    /// List API tokens, revoked ones included.
    #[oai(path = "/", method = "get", operation_id = "tokens_list")]
    async fn list(
        &self,
        auth: AdminAuth,
        page: Query<Option<u64>>,
        per_page: Query<Option<u64>>,
    ) -> Result<Json<TokenList>, ApiError<ReadErrors>> {
        let page = PageRequest::parse(page.0, per_page.0, &self.state.settings.api)?;
        let paged = tokens::list(&self.state, &auth.0, page).await?;
        Ok(Json(TokenList {
            page: PageInfo::of(&paged),
            items: paged.items.into_iter().map(TokenResponse::from).collect(),
        }))
    }

    /// Create an API token.
    ///
    /// The secret (prefixed `bsd_`, `bsp_` or `bsa_` by kind) is in this response
    /// only; the server keeps a hash.
    #[oai(path = "/", method = "post", operation_id = "tokens_create")]
    async fn create(
        &self,
        auth: AdminAuth,
        body: JsonBody<CreateTokenRequest>,
    ) -> Result<Created, ApiError<WriteErrors>> {
        let body = body.0;
        let scope = body.scope.unwrap_or_default();
        let new = NewToken {
            name: body.name,
            kind: Some(body.kind.into()),
            site: body.site,
            role: body.role.map(Into::into),
            countries: scope.countries,
            locales: scope.locales,
            expires_at: body.expires_at,
        };
        let (token, secret) = tokens::create(&self.state, &auth.0, new).await?;
        Ok(Created::Token(Json(CreatedToken {
            secret,
            token: token.into(),
        })))
    }

    /// Revoke an API token; it is refused from the next request on.
    #[oai(path = "/:id", method = "delete", operation_id = "tokens_revoke")]
    async fn revoke(
        &self,
        auth: AdminAuth,
        id: Path<Uuid>,
    ) -> Result<Revoked, ApiError<WriteErrors>> {
        tokens::revoke(&self.state, &auth.0, id.0.into()).await?;
        Ok(Revoked::Done)
    }
}
