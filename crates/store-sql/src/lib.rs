//! Keel's storage written once in portable SQL.
//!
//! The queries here run unchanged on SQLite and PostgreSQL (`$n`
//! placeholders, `RETURNING`, `ON CONFLICT`). Each backend crate supplies a
//! [`Conn`]: a transaction that binds [`Value`]s with its own driver's native
//! types and hands rows back as values, so booleans, dates and instants are
//! decoded the way each database really stores them.

mod conn;
mod rows;
mod tx;
mod users;
mod okr;
mod work;
mod misc;

pub use conn::{Conn, Dialect, Value};
pub use rows::{instant_text, Cursor, Row};
pub use tx::SqlTx;
