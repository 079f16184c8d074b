//! Keel's HTTP face: the JSON API under /api/v1 with its OpenAPI document,
//! and the server-rendered pages. Handlers are short: parse, call the
//! application, render. Everything served is embedded in the binary.

pub mod api;
pub mod error;
pub mod extract;
pub mod i18n;
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
}

#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    pub secure_cookies: bool,
}

/// The whole application as one router.
pub fn router(app: App, config: WebConfig) -> Router {
    let (api, openapi) = api::router();
    let state = AppState { app, openapi: Arc::new(openapi), secure_cookies: config.secure_cookies };
    Router::new()
        .merge(api)
        .route("/api/v1/openapi.json", get(api::openapi_json))
        .route("/healthz", get(|| async { "ok" }))
        .merge(pages::routes())
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'"),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
