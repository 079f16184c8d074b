//! Parsers that turn other tools' exports into one neutral [`ImportBatch`].
//!
//! Parsing is pure: bytes in, a batch (or an error naming file, line/record
//! and field) out. Writing the batch into Keel is the application layer's job,
//! in one transaction.

pub mod model;
pub mod trello;
pub mod jira_csv;
mod text;

pub use model::*;
