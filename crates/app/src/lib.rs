//! Keel's use cases. Every operation takes the acting person, checks what
//! they may see and change, runs in one storage transaction and records the
//! change. The storage traits live here; backends implement them.

pub mod error;
pub mod store;

pub use error::{AppError, AppResult, StoreError};
