//! The small connection interface a backend implements for the shared SQL.

use crate::Row;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use keel_app::StoreError;
use keel_app::store::R;

/// A bound parameter. Nulls are typed because PostgreSQL checks parameter
/// types against the columns they are compared with.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Int(Option<i64>),
    Float(Option<f64>),
    Text(Option<String>),
    Bool(Option<bool>),
    Date(Option<NaiveDate>),
    Time(Option<DateTime<Utc>>),
}

macro_rules! value_from {
    ($variant:ident, $ty:ty) => {
        impl From<$ty> for Value {
            fn from(v: $ty) -> Self {
                Value::$variant(Some(v.into()))
            }
        }
        impl From<Option<$ty>> for Value {
            fn from(v: Option<$ty>) -> Self {
                Value::$variant(v.map(Into::into))
            }
        }
    };
}
value_from!(Int, i64);
value_from!(Float, f64);
value_from!(Text, String);
value_from!(Bool, bool);
value_from!(Date, NaiveDate);
value_from!(Time, DateTime<Utc>);

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(Some(v.to_string()))
    }
}
impl From<Option<&str>> for Value {
    fn from(v: Option<&str>) -> Self {
        Value::Text(v.map(str::to_string))
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(Some(v.clone()))
    }
}
impl From<&Option<String>> for Value {
    fn from(v: &Option<String>) -> Self {
        Value::Text(v.clone())
    }
}

/// One open transaction on a backend.
#[async_trait]
pub trait Conn: Send {
    /// Runs a statement; returns the number of rows it changed.
    async fn execute(&mut self, sql: &str, args: Vec<Value>) -> R<u64>;
    async fn fetch(&mut self, sql: &str, args: Vec<Value>) -> R<Vec<Row>>;
    async fn commit(self: Box<Self>) -> R<()>;
    /// PostgreSQL needs its id sequences moved past rows loaded with their ids.
    fn is_postgres(&self) -> bool {
        false
    }
}

/// Builds `$start, $start+1, …` for an `IN (…)` list of `n` values.
pub(crate) fn placeholders(start: usize, n: usize) -> String {
    (start..start + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// Shorthand for an argument list: `args![a, b, c]`.
#[macro_export]
macro_rules! args {
    ($($v:expr),* $(,)?) => { vec![$($crate::Value::from($v)),*] };
}

/// Normalises a driver error at the storage boundary: unique and foreign-key
/// violations and missing rows become the use cases' own error kinds.
pub fn store_error(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::RowNotFound => StoreError::NotFound,
        sqlx::Error::Database(db) => match db.kind() {
            sqlx::error::ErrorKind::UniqueViolation => StoreError::Unique(db.message().to_string()),
            sqlx::error::ErrorKind::ForeignKeyViolation => StoreError::ForeignKey(db.message().to_string()),
            _ => StoreError::Other(e.to_string()),
        },
        _ => StoreError::Other(e.to_string()),
    }
}

/// Runs an `INSERT … RETURNING id` and hands back the id.
pub(crate) async fn insert_id(c: &mut dyn Conn, sql: &str, args: Vec<Value>) -> R<i64> {
    let rows = c.fetch(sql, args).await?;
    rows.first().ok_or(StoreError::NotFound)?.cursor().int()
}

/// Runs a query and reads every row with `read`.
pub(crate) async fn fetch_map<T>(
    c: &mut dyn Conn,
    sql: &str,
    args: Vec<Value>,
    read: impl Fn(&Row) -> R<T>,
) -> R<Vec<T>> {
    c.fetch(sql, args).await?.iter().map(read).collect()
}
