//! The HTTP edge (poem only): the route tree, the OpenAPI service and middleware.

mod admin;
mod admin_app;
mod api_docs;
mod auth;
mod client;
pub mod connections;
mod cors;
mod delivery;
mod files;
mod json;
pub mod middleware;
mod names;
pub mod problem;
mod security;
mod service;
mod sign_up_links;
mod sign_up_pages;
mod spec;

use poem::endpoint::BoxEndpoint;
use poem::http::Method;
use poem::middleware::{Cors, SetHeader};
use poem::{EndpointExt, Route};
use poem_openapi::{OpenApiService, Tags};

use crate::state::AppState;

#[derive(Tags)]
pub enum ApiTags {
    /// Health and metrics, for operators and load balancers.
    Service,
    /// Sessions: log in, log out, who am I, change password; invitations and password
    /// resets through mailed links.
    Auth,
    /// User accounts, roles and national scopes (admins).
    Users,
    /// API tokens for frontends, previews and automation (admins).
    Tokens,
    /// National frontends: their countries, locales and fallback chains.
    Sites,
    /// Who did what, when (admins).
    Audit,
    /// Outgoing webhooks: receivers, deliveries and attempts (admins).
    Webhooks,
    /// Pages, news, events and materials: drafts, publishing, revisions, trash.
    Content,
    /// Uploaded files and the media library.
    Assets,
    /// What frontends read: published content and files.
    Delivery,
}

type Apis = (
    service::ServiceApi,
    (
        auth::AuthApi,
        auth::accounts::AccountsApi,
        auth::totp::TwoFactorApi,
        auth::sso::SsoApi,
    ),
    (
        admin::users::UsersApi,
        admin::invitations::InvitationsApi,
        admin::account_policy::AccountPolicyApi,
    ),
    admin::tokens::TokensApi,
    admin::sites::SitesApi,
    // Who did what, and who is told of it.
    (admin::audit::AuditApi, admin::webhooks::WebhooksApi),
    admin::content::ContentApi,
    admin::preview_links::PreviewLinksApi,
    // Helpers of the editor's forms.
    (
        admin::markdown::MarkdownApi,
        admin::countries::CountriesApi,
        admin::content::schedules::SchedulesApi,
    ),
    // Translation work; a tuple of its own (poem-openapi combines at most 16).
    (
        admin::sources::SourcesApi,
        admin::reviews::ReviewsApi,
        admin::board::BoardApi,
        admin::activity::ActivityApi,
    ),
    admin::assets::AssetsApi,
    files::FilesApi,
    delivery::ItemsApi,
    delivery::DeliveryApi,
    // Events' sign-ups.
    (
        admin::registrations::RegistrationsApi,
        admin::event_desk::EventDeskApi,
        sign_up_links::SignUpLinksApi,
    ),
);

/// The OpenAPI service: every operation, described.
pub fn api_service(state: &AppState) -> OpenApiService<Apis, ()> {
    let apis = (
        service::ServiceApi {
            state: state.clone(),
        },
        (
            auth::AuthApi {
                state: state.clone(),
            },
            auth::accounts::AccountsApi {
                state: state.clone(),
            },
            auth::totp::TwoFactorApi {
                state: state.clone(),
            },
            auth::sso::SsoApi {
                state: state.clone(),
            },
        ),
        (
            admin::users::UsersApi {
                state: state.clone(),
            },
            admin::invitations::InvitationsApi {
                state: state.clone(),
            },
            admin::account_policy::AccountPolicyApi {
                state: state.clone(),
            },
        ),
        admin::tokens::TokensApi {
            state: state.clone(),
        },
        admin::sites::SitesApi {
            state: state.clone(),
        },
        (
            admin::audit::AuditApi {
                state: state.clone(),
            },
            admin::webhooks::WebhooksApi {
                state: state.clone(),
            },
        ),
        admin::content::ContentApi {
            state: state.clone(),
        },
        admin::preview_links::PreviewLinksApi {
            state: state.clone(),
        },
        (
            admin::markdown::MarkdownApi {
                state: state.clone(),
            },
            admin::countries::CountriesApi {
                state: state.clone(),
            },
            admin::content::schedules::SchedulesApi {
                state: state.clone(),
            },
        ),
        (
            admin::sources::SourcesApi {
                state: state.clone(),
            },
            admin::reviews::ReviewsApi {
                state: state.clone(),
            },
            admin::board::BoardApi {
                state: state.clone(),
            },
            admin::activity::ActivityApi {
                state: state.clone(),
            },
        ),
        admin::assets::AssetsApi {
            state: state.clone(),
        },
        files::FilesApi {
            state: state.clone(),
        },
        delivery::ItemsApi {
            state: state.clone(),
        },
        delivery::DeliveryApi {
            state: state.clone(),
        },
        (
            admin::registrations::RegistrationsApi {
                state: state.clone(),
            },
            admin::event_desk::EventDeskApi {
                state: state.clone(),
            },
            sign_up_links::SignUpLinksApi {
                state: state.clone(),
            },
        ),
    );
    OpenApiService::new(apis, "buysocial", env!("CARGO_PKG_VERSION")).description(
        "Headless CMS for multilingual public-interest campaigns. Every error is \
         `application/problem+json` (RFC 9457); validation errors list the fields at fault.",
    )
}

/// The OpenAPI document as JSON, as served at `/api/openapi.json`.
pub fn openapi_json(state: &AppState) -> String {
    spec::finish(&api_service(state).spec())
}

/// The whole application: routes plus middleware, outermost last.
pub fn endpoint(state: AppState) -> BoxEndpoint<'static> {
    let api = api_service(&state);
    // Built once; served as it is.
    let document = openapi_json(&state);
    // Swagger UI shows the document as served, not poem-openapi's unfinished one.
    let docs_html = api.swagger_ui_html().replacen(&api.spec(), &document, 1);
    let docs = api_docs::endpoint(docs_html);
    let spec = poem::endpoint::make_sync(move |_| {
        poem::Response::builder()
            .content_type("application/json; charset=utf-8")
            .body(document.clone())
    });
    let max_body = usize::try_from(state.settings.server.max_json_body_bytes).unwrap_or(usize::MAX);
    let metrics = state.metrics.clone();
    // Shared by reference: every request passes through, reads included.
    let origins = state.settings.server.cors_allowed_origins.clone();
    let time_limit = std::time::Duration::from_secs(state.settings.server.request_timeout_seconds);

    let app = Route::new()
        .nest("/", api)
        .at("/api/openapi.json", spec)
        .at("/api/docs", docs)
        .nest("/registrations", sign_up_pages::routes());
    // Switched off, /admin is simply not a route (404 like any unknown path).
    let app = if state.settings.admin_app.enabled {
        app.nest_no_strip(admin_app::PREFIX, admin_app::endpoint())
    } else {
        app
    };
    let app = app
        .data(state)
        .around(move |ep, req| middleware::limit_body(ep, req, max_body))
        .catch_all_error(problem::render)
        .around(move |ep, req| middleware::time_limit(ep, req, time_limit))
        .around(move |ep, req| middleware::observe(ep, req, metrics.clone()))
        .with(SetHeader::new().overriding("X-Content-Type-Options", "nosniff"))
        .around(middleware::no_store_for_private)
        .around(middleware::close_after_unread_body);
    let app = std::sync::Arc::new(app.boxed());
    let listed = (!origins.is_empty()).then(|| {
        let cors = Cors::new()
            .allow_origins(origins)
            .allow_methods([
                Method::GET,
                Method::POST,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
            ])
            .allow_headers(["authorization", "content-type", "if-match", "if-none-match"])
            .expose_headers(cors::EXPOSED_HEADERS)
            .max_age(600);
        // Refusals by CORS itself happen outside the inner renderer.
        std::sync::Arc::new(
            app.clone()
                .with(cors)
                .catch_all_error(problem::render)
                .boxed(),
        )
    });
    poem::endpoint::make(move |req: poem::Request| {
        let (app, listed) = (app.clone(), listed.clone());
        async move { cors::route_cors(req, app, listed).await }
    })
    .boxed()
}
