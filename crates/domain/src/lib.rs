//! Keel's domain: the types of organisations, OKRs and work, and the rules that
//! turn them into numbers (progress, status, forecast, score, health).
//!
//! Nothing here does IO or knows about databases or HTTP; everything is plain
//! data in, plain data out, so the rules can be property-tested in isolation.

pub mod calendar;
pub mod coach;
pub mod deps;
pub mod error;
pub mod forecast;
pub mod health;
pub mod ids;
pub mod notify;
pub mod okr;
pub mod org;
pub mod progress;
pub mod rollup;
pub mod schedule;
pub mod status;
pub mod table;
pub mod text;
pub mod work;

pub use error::DomainError;
pub use ids::*;
