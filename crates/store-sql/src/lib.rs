//! Keel's storage written once in portable SQL.
//!
//! The queries here run unchanged on SQLite and PostgreSQL (`$n`
//! placeholders, `RETURNING`, `ON CONFLICT`). Each backend crate supplies a
//! [`Conn`]: a transaction that binds [`Value`]s with its own driver's native
//! types and hands rows back as values, so booleans, dates and instants are
//! decoded the way each database really stores them.

mod conn;
pub mod export;
mod misc;
mod okr;
mod people;
mod rows;
mod table;
mod tx;
mod users;
mod work;

pub use conn::{Conn, Value, store_error};
pub use rows::{Cursor, Row, instant_text};
pub use tx::SqlTx;
