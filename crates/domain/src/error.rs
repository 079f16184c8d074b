//! Errors a rule can raise when input breaks it. Each names the field at fault.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Error)]
pub enum DomainError {
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
}

impl DomainError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        DomainError::Invalid { field, message: message.into() }
    }

    pub fn field(&self) -> &'static str {
        match self {
            DomainError::Invalid { field, .. } => field,
        }
    }
}
