//! Errors of the use cases. The web layer maps each to an HTTP status and a
//! machine code; internal errors are logged once and shown opaque.

use keel_domain::DomainError;
use thiserror::Error;

/// Storage failures, normalised at the storage boundary so the use cases
/// never see a driver's error type.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// The row changed since it was read (version mismatch).
    #[error("stale version")]
    Stale,
    #[error("already exists: {0}")]
    Unique(String),
    #[error("refers to something that does not exist: {0}")]
    ForeignKey(String),
    #[error("database: {0}")]
    Other(String),
}

#[derive(Debug, Error)]
pub enum AppError {
    #[error("login required")]
    Unauthorized,
    #[error("not allowed: {0}")]
    Forbidden(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// Someone else changed the item first; `current` is its state now.
    #[error("{message}")]
    Conflict { message: String, current: serde_json::Value },
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Invalid { field: field.into(), message: message.into() }
    }
    pub fn forbidden(why: impl Into<String>) -> Self {
        AppError::Forbidden(why.into())
    }
}

impl From<DomainError> for AppError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Invalid { field, message } => AppError::invalid(field, message),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound("item"),
            StoreError::Stale => {
                AppError::Conflict { message: "changed by someone else".into(), current: serde_json::Value::Null }
            }
            StoreError::Unique(what) => {
                AppError::Conflict { message: format!("already exists: {what}"), current: serde_json::Value::Null }
            }
            StoreError::ForeignKey(what) => {
                AppError::invalid("reference", format!("refers to something that does not exist ({what})"))
            }
            StoreError::Other(msg) => AppError::Internal(msg),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;
