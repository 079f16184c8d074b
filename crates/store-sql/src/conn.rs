//! The small connection interface a backend implements for the shared SQL.

use crate::Row;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// One open transaction on a backend.
#[async_trait]
pub trait Conn: Send {
    fn dialect(&self) -> Dialect;
    /// Runs a statement; returns the number of rows it changed.
    async fn execute(&mut self, sql: &str, args: Vec<Value>) -> R<u64>;
    async fn fetch(&mut self, sql: &str, args: Vec<Value>) -> R<Vec<Row>>;
    async fn commit(self: Box<Self>) -> R<()>;
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
