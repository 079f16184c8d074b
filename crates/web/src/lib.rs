//! Keel's HTTP face: the JSON API under /api/v1 with its OpenAPI document,
//! and the server-rendered pages. Handlers are short: parse, call the
//! application, render. Everything served is embedded in the binary.

pub mod api;
pub mod cells;
pub mod error;
pub mod extract;
pub mod i18n;
pub mod live;
pub mod pages;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::routing::get;
use keel_app::App;
use std::sync::Arc;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub openapi: Arc<utoipa::openapi::OpenApi>,
    /// Mark cookies Secure (when Keel is served over HTTPS).
    pub secure_cookies: bool,
    /// Recorded changes fanned out to live pages.
    pub feed: Arc<live::FeedHub>,
}

#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    pub secure_cookies: bool,
}

/// An address nothing answers: JSON under /api/, a page elsewhere.
async fn not_found(uri: axum::http::Uri, headers: axum::http::HeaderMap) -> axum::response::Response {
    if uri.path().starts_with("/api/") {
        let message = format!("no API route {}; see /api/v1/openapi.json", uri.path());
        route_error(axum::http::StatusCode::NOT_FOUND, "unknown_route", message)
    } else {
        pages::not_found(headers).await
    }
}

async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> axum::response::Response {
    route_error(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{method} is not allowed on {}", uri.path()),
    )
}

/// A routing error in the API's error shape (distinct codes from a handler's not_found).
fn route_error(status: axum::http::StatusCode, code: &'static str, message: String) -> axum::response::Response {
    use axum::response::IntoResponse;
    let error = error::ErrorDetail { code, message, field: None, current: None };
    (status, axum::Json(error::ErrorBody { error })).into_response()
}

/// The whole application as one router.
pub fn router(app: App, config: WebConfig) -> Router {
    let (api, openapi) = api::router();
    let state =
        AppState { app, openapi: Arc::new(openapi), secure_cookies: config.secure_cookies, feed: live::FeedHub::new() };
    Router::new()
        .merge(api)
        .route("/api/v1/openapi.json", get(api::openapi_json))
        .route("/healthz", get(|| async { "ok" }))
        .route("/events", get(live::events))
        .merge(pages::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'"),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
