//! Parsers that turn other tools' exports into one neutral [`ImportBatch`].
//!
//! Parsing is pure: bytes in, a batch (or an error naming file, line/record
//! and field) out. Writing the batch into Keel is the application layer's job,
//! in one transaction.

pub mod asana;
pub mod csv_generic;
pub mod github;
pub mod jira_csv;
pub mod jira_json;
pub mod model;
pub mod mspdi;
mod text;
pub mod trello;

pub use model::*;
