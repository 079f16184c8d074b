//! Rows as the backends hand them back, and a cursor that reads a row's
//! columns in SELECT order into Keel's types.

use crate::Value;
use chrono::{DateTime, NaiveDate, Utc};
use keel_app::StoreError;
use keel_app::store::R;

#[derive(Debug, Clone, PartialEq)]
pub struct Row(pub Vec<Value>);

impl Row {
    pub fn cursor(&self) -> Cursor<'_> {
        Cursor { row: self, next: 0 }
    }
}

/// Reads columns one after another; each getter checks the stored type.
pub struct Cursor<'a> {
    row: &'a Row,
    next: usize,
}

fn bad(column: usize, want: &str, got: &Value) -> StoreError {
    StoreError::Other(format!("column {column}: expected {want}, found {got:?}"))
}

impl Cursor<'_> {
    fn take(&mut self) -> R<&Value> {
        let v =
            self.row.0.get(self.next).ok_or_else(|| StoreError::Other(format!("row has no column {}", self.next)))?;
        self.next += 1;
        Ok(v)
    }

    pub fn opt_int(&mut self) -> R<Option<i64>> {
        let i = self.next;
        match self.take()? {
            Value::Int(v) => Ok(*v),
            Value::Bool(v) => Ok(v.map(i64::from)),
            Value::Float(Some(f)) if f.fract() == 0.0 => Ok(Some(*f as i64)),
            Value::Text(None) | Value::Float(None) | Value::Date(None) | Value::Time(None) => Ok(None),
            other => Err(bad(i, "integer", other)),
        }
    }
    pub fn int(&mut self) -> R<i64> {
        let i = self.next;
        self.opt_int()?.ok_or_else(|| StoreError::Other(format!("column {i}: unexpected null")))
    }
    pub fn opt_float(&mut self) -> R<Option<f64>> {
        let i = self.next;
        match self.take()? {
            Value::Float(v) => Ok(*v),
            Value::Int(v) => Ok(v.map(|n| n as f64)),
            Value::Text(None) | Value::Bool(None) | Value::Date(None) | Value::Time(None) => Ok(None),
            other => Err(bad(i, "number", other)),
        }
    }
    pub fn float(&mut self) -> R<f64> {
        let i = self.next;
        self.opt_float()?.ok_or_else(|| StoreError::Other(format!("column {i}: unexpected null")))
    }
    pub fn opt_text(&mut self) -> R<Option<String>> {
        let i = self.next;
        match self.take()? {
            Value::Text(v) => Ok(v.clone()),
            Value::Int(None) | Value::Float(None) | Value::Bool(None) | Value::Date(None) | Value::Time(None) => {
                Ok(None)
            }
            other => Err(bad(i, "text", other)),
        }
    }
    pub fn text(&mut self) -> R<String> {
        let i = self.next;
        self.opt_text()?.ok_or_else(|| StoreError::Other(format!("column {i}: unexpected null")))
    }
    pub fn bool(&mut self) -> R<bool> {
        let i = self.next;
        match self.take()? {
            Value::Bool(Some(b)) => Ok(*b),
            Value::Int(Some(n)) => Ok(*n != 0),
            other => Err(bad(i, "boolean", other)),
        }
    }
    pub fn opt_date(&mut self) -> R<Option<NaiveDate>> {
        let i = self.next;
        match self.take()? {
            Value::Date(v) => Ok(*v),
            Value::Text(Some(s)) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| bad(i, "date", &Value::Text(Some(s.clone())))),
            Value::Text(None) | Value::Int(None) | Value::Float(None) | Value::Bool(None) | Value::Time(None) => {
                Ok(None)
            }
            other => Err(bad(i, "date", other)),
        }
    }
    pub fn date(&mut self) -> R<NaiveDate> {
        let i = self.next;
        self.opt_date()?.ok_or_else(|| StoreError::Other(format!("column {i}: unexpected null")))
    }
    pub fn opt_time(&mut self) -> R<Option<DateTime<Utc>>> {
        let i = self.next;
        match self.take()? {
            Value::Time(v) => Ok(*v),
            Value::Text(Some(s)) => {
                parse_instant(s).map(Some).ok_or_else(|| bad(i, "instant", &Value::Text(Some(s.clone()))))
            }
            Value::Text(None) | Value::Int(None) | Value::Float(None) | Value::Bool(None) | Value::Date(None) => {
                Ok(None)
            }
            other => Err(bad(i, "instant", other)),
        }
    }
    pub fn time(&mut self) -> R<DateTime<Utc>> {
        let i = self.next;
        self.opt_time()?.ok_or_else(|| StoreError::Other(format!("column {i}: unexpected null")))
    }
    /// A JSON column stored as text (workflow, labels).
    pub fn json<T: serde::de::DeserializeOwned>(&mut self) -> R<T> {
        let i = self.next;
        let text = self.text()?;
        serde_json::from_str(&text).map_err(|e| StoreError::Other(format!("column {i}: bad JSON: {e}")))
    }
}

/// Instants are stored by SQLite as fixed-width RFC 3339 text (so text order
/// is time order); accept the forms SQLite itself may hold too.
fn parse_instant(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .or_else(|_| DateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f%:z"))
        .map(|d| d.with_timezone(&Utc))
        .ok()
}

/// The text form instants are written in on SQLite.
pub fn instant_text(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}
