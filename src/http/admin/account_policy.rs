//! `/api/v1/admin/account-policy`: rules for every account that administrators set at
//! run time; today, which roles must sign in with a second factor.

use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde::Deserialize;

use super::users::RoleName;
use crate::domain::Role;
use crate::http::ApiTags;
use crate::http::json::JsonBody;
use crate::http::problem::{ApiError, error_set};
use crate::http::security::AdminAuth;
use crate::services::accounts::two_factor;
use crate::state::AppState;

pub struct AccountPolicyApi {
    pub state: AppState,
}

/// Rules for every account.
#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
struct AccountPolicy {
    /// Roles that must sign in with a second factor (an authenticator app). People of
    /// these roles without one can sign in, but may do nothing but turn it on; they
    /// cannot turn it off. Empty: nobody must.
    two_factor_roles: Vec<RoleName>,
}

fn policy_of(roles: Vec<Role>) -> AccountPolicy {
    AccountPolicy {
        two_factor_roles: roles.into_iter().map(RoleName::from).collect(),
    }
}

error_set!(
    /// Reading or changing the policy.
    PolicyErrors: 400, 401, 403, 422
);

#[OpenApi(prefix_path = "/api/v1/admin/account-policy", tag = "ApiTags::Users")]
impl AccountPolicyApi {
    /// Read the account policy.
    #[oai(path = "/", method = "get", operation_id = "account_policy_get")]
    async fn get(&self, auth: AdminAuth) -> Result<Json<AccountPolicy>, ApiError<PolicyErrors>> {
        let roles = two_factor::required_roles_for(&self.state, &auth.0).await?;
        Ok(Json(policy_of(roles)))
    }

    /// Change the account policy.
    ///
    /// Applies at once, on every instance: the next request of someone whose role now
    /// needs a second factor they have not turned on is refused (403) until they do.
    #[oai(path = "/", method = "put", operation_id = "account_policy_put")]
    async fn put(
        &self,
        auth: AdminAuth,
        body: JsonBody<AccountPolicy>,
    ) -> Result<Json<AccountPolicy>, ApiError<PolicyErrors>> {
        let roles = body
            .0
            .two_factor_roles
            .into_iter()
            .map(Role::from)
            .collect();
        let roles = two_factor::require_for_roles(&self.state, &auth.0, roles).await?;
        Ok(Json(policy_of(roles)))
    }
}
