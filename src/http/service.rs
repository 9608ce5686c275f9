//! Service endpoints for operators: liveness, readiness, metrics.

use poem::http::StatusCode;
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, Object, OpenApi};

use crate::http::ApiTags;
use crate::http::problem::Problem;
use crate::services::health;
use crate::state::AppState;

pub struct ServiceApi {
    pub state: AppState,
}

/// The process is up.
#[derive(Object)]
struct Live {
    /// Always `ok`.
    status: String,
}

/// Both dependencies answered.
#[derive(Object)]
struct Ready {
    /// Always `ready`.
    status: String,
    /// `ok`.
    database: String,
    /// `ok`.
    storage: String,
}

#[derive(ApiResponse)]
enum ReadyResponse {
    /// The database and the object store are reachable.
    #[oai(status = 200)]
    Ready(Json<Ready>),
    /// A dependency is unreachable; `detail` names which.
    #[oai(status = 503, content_type = "application/problem+json")]
    NotReady(Json<Problem>),
}

#[derive(ApiResponse)]
enum MetricsResponse {
    /// Prometheus text exposition format.
    #[oai(
        status = 200,
        content_type = "text/plain; version=0.0.4; charset=utf-8"
    )]
    Ok(PlainText<String>),
}

#[OpenApi(tag = "ApiTags::Service")]
impl ServiceApi {
    /// Liveness: the process answers.
    ///
    /// It checks nothing else, so an orchestrator restarts the process only when it
    /// is really stuck.
    #[oai(path = "/health/live", method = "get", operation_id = "health_live")]
    async fn live(&self) -> Json<Live> {
        Json(Live {
            status: "ok".into(),
        })
    }

    /// Readiness: the database and the object store are reachable.
    ///
    /// The database must answer a query and the object store must accept a write and
    /// a delete. A load balancer should send traffic only while this answers 200.
    #[oai(path = "/health/ready", method = "get", operation_id = "health_ready")]
    async fn ready(&self) -> ReadyResponse {
        let readiness = health::readiness(&self.state).await;
        if readiness.is_ready() {
            return ReadyResponse::Ready(Json(Ready {
                status: "ready".into(),
                database: "ok".into(),
                storage: "ok".into(),
            }));
        }
        let describe = |name: &str, failure: &Option<String>| match failure {
            None => format!("{name}: ok"),
            Some(cause) => {
                // The cause can name internal hosts: log it, don't publish it.
                tracing::warn!(dependency = name, %cause, "readiness check failed");
                format!("{name}: unreachable")
            }
        };
        let detail = format!(
            "{}; {}",
            describe("database", &readiness.database),
            describe("storage", &readiness.storage)
        );
        ReadyResponse::NotReady(Json(
            Problem::new(StatusCode::SERVICE_UNAVAILABLE, detail).typed("unavailable"),
        ))
    }

    /// Metrics in Prometheus text format.
    ///
    /// Requests by method, route (operation id) and status, with latency histograms; SQL
    /// statements run (`buysocial_db_queries_total`); delivery response-cache lookups by
    /// result (`buysocial_delivery_cache_lookups_total`) and misses that waited for
    /// another request's render (`buysocial_delivery_render_waits_total`).
    #[oai(path = "/metrics", method = "get", operation_id = "metrics")]
    async fn metrics(&self) -> MetricsResponse {
        MetricsResponse::Ok(PlainText(self.state.metrics.render()))
    }
}
