//! One error type for HTTP: typed client errors with a machine code and the
//! field at fault, internal errors logged once and returned opaque.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use keel_app::AppError;
use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Machine-readable: invalid, unauthorized, forbidden, not_found, conflict, internal …
    pub code: &'static str,
    pub message: String,
    /// The input field at fault, when there is one.
    pub field: Option<String>,
    /// On a conflict: the item as it is now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current: Option<serde_json::Value>,
}

#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl From<keel_app::StoreError> for ApiError {
    fn from(e: keel_app::StoreError) -> Self {
        ApiError(e.into())
    }
}

impl ApiError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        ApiError(AppError::invalid(field, message))
    }

    pub fn parts(&self) -> (StatusCode, ErrorDetail) {
        let detail = |code, message: String, field: Option<String>| ErrorDetail { code, message, field, current: None };
        match &self.0 {
            AppError::Unauthorized => {
                (StatusCode::UNAUTHORIZED, detail("unauthorized", "log in or send an API token".into(), None))
            }
            AppError::Forbidden(why) => (StatusCode::FORBIDDEN, detail("forbidden", why.clone(), None)),
            AppError::NotFound(what) => (StatusCode::NOT_FOUND, detail("not_found", format!("{what} not found"), None)),
            AppError::Invalid { field, message } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                // serde's own messages start with the field already ("due_date: input is out of range").
                detail(
                    "invalid",
                    if message.starts_with(&format!("{field}: ")) {
                        message.clone()
                    } else {
                        format!("{field}: {message}")
                    },
                    Some(field.clone()),
                ),
            ),
            AppError::Conflict { message, current } => (
                StatusCode::CONFLICT,
                ErrorDetail {
                    code: "conflict",
                    message: message.clone(),
                    field: Some("version".into()),
                    current: (!current.is_null()).then(|| current.clone()),
                },
            ),
            AppError::Internal(msg) => {
                tracing::error!(error.message = %msg, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    detail("internal", "something went wrong on the server; it has been logged".into(), None),
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error) = self.parts();
        (status, Json(ErrorBody { error })).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
