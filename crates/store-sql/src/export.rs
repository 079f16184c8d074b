//! The whole database as one document and back: every table Keel keeps
//! (sessions aside), each row's values in a form that is the same on SQLite
//! and PostgreSQL, so an export restored on either backend and exported
//! again is byte-identical. Tables are listed in an order that inserts
//! parents first; the few columns that point along a table or round a loop
//! (a sub-task's parent, an objective aligned under a key result) are
//! written after all rows are in.

use crate::{Conn, Row, Value, instant_text};
use chrono::{DateTime, NaiveDate, Utc};
use keel_app::StoreError;
use keel_app::store::R;
use serde_json::Value as Json;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Int,
    Float,
    Text,
    Bool,
    Date,
    Time,
}
use Kind::*;

pub struct Table {
    pub name: &'static str,
    pub key: &'static [&'static str],
    pub columns: &'static [(&'static str, Kind)],
}

/// Every exported table, parents before children. (Sessions are not
/// exported: they end with the instance.)
pub const TABLES: &[Table] = &[
    Table { name: "settings", key: &["key"], columns: &[("key", Text), ("value", Text)] },
    Table {
        name: "users",
        key: &["id"],
        columns: &[
            ("id", Int),
            ("login", Text),
            ("display_name", Text),
            ("email", Text),
            ("role", Text),
            ("lang", Text),
            ("time_zone", Text),
            ("can_login", Bool),
            ("password_hash", Text),
            ("source", Text),
            ("external_id", Text),
            ("version", Int),
            ("created_at", Time),
        ],
    },
    Table {
        name: "units",
        key: &["id"],
        columns: &[
            ("id", Int),
            ("parent_id", Int),
            ("name", Text),
            ("region", Text),
            ("lead_id", Int),
            ("version", Int),
        ],
    },
    Table { name: "user_units", key: &["user_id", "unit_id"], columns: &[("user_id", Int), ("unit_id", Int)] },
    Table {
        name: "api_tokens",
        key: &["id"],
        columns: &[("id", Int), ("user_id", Int), ("name", Text), ("token_hash", Text), ("created_at", Time)],
    },
    Table {
        name: "notification_prefs",
        key: &["user_id"],
        columns: &[("user_id", Int), ("prefs", Text), ("version", Int)],
    },
    Table {
        name: "cycles",
        key: &["id"],
        columns: &[
            ("id", Int),
            ("name", Text),
            ("start_date", Date),
            ("end_date", Date),
            ("state", Text),
            ("parent_id", Int),
            ("version", Int),
        ],
    },
    Table {
        name: "objectives",
        key: &["id"],
        columns: &[
            ("id", Int),
            ("cycle_id", Int),
            ("title", Text),
            ("description", Text),
            ("level", Text),
            ("unit_id", Int),
            ("owner_id", Int),
            ("parent_objective_id", Int),
            ("parent_key_result_id", Int),
            ("private", Bool),
            ("version", Int),
            ("created_at", Time),
        ],
    },
    Table {
        name: "key_results",
        key: &["id"],
        columns: &[
            ("id", Int),
            ("objective_id", Int),
            ("title", Text),
            ("owner_id", Int),
            ("kind", Text),
            ("weight", Float),
            ("start_value", Float),
            ("target_value", Float),
            ("current_value", Float),
            ("unit_label", Text),
            ("direction", Text),
            ("due_date", Date),
            ("status_override", Text),
            ("override_reason", Text),
            ("position", Int),
            ("version", Int),
        ],
    },
    Table {
        name: "kr_items",
        key: &["id"],
        columns: &[
            ("id", Int),
            ("key_result_id", Int),
            ("title", Text),
            ("weight", Float),
            ("done", Bool),
            ("position", Int),
        ],
    },
    Table {
        name: "check_ins",
        key: &["id"],
        columns: &[
            ("id", Int),
            ("key_result_id", Int),
            ("author_id", Int),
            ("at", Time),
            ("value", Float),
            ("progress", Float),
            ("confidence", Int),
            ("note", Text),
        ],
    },
    Table {
        name: "kr_comments",
        key: &["id"],
        columns: &[
            ("id", Int),
            ("key_result_id", Int),
            ("author_id", Int),
            ("body", Text),
            ("created_at", Time),
            ("source", Text),
            ("external_id", Text),
        ],
    },
    Table {
        name: "projects",
        key: &["id"],
        columns: &[
            ("id", Int),
            ("key", Text),
            ("name", Text),
            ("description", Text),
            ("parent_id", Int),
            ("owner_id", Int),
            ("unit_id", Int),
            ("status", Text),
            ("start_date", Date),
            ("target_date", Date),
            ("private", Bool),
            ("workflow", Text),
            ("source", Text),
            ("external_id", Text),
            ("archived", Bool),
            ("next_number", Int),
            ("version", Int),
            ("created_at", Time),
        ],
    },
    Table {
        name: "project_key_results",
        key: &["project_id", "key_result_id"],
        columns: &[("project_id", Int), ("key_result_id", Int)],
    },
    Table {
        name: "project_milestones",
        key: &["id"],
        columns: &[("id", Int), ("project_id", Int), ("title", Text), ("due_date", Date), ("done", Bool)],
    },
    Table {
        name: "tasks",
        key: &["id"],
        columns: &[
            ("id", Int),
            ("project_id", Int),
            ("number", Int),
            ("title", Text),
            ("description", Text),
            ("status", Text),
            ("category", Text),
            ("blocked", Bool),
            ("blocked_reason", Text),
            ("priority", Text),
            ("assignee_id", Int),
            ("reporter_id", Int),
            ("start_date", Date),
            ("due_date", Date),
            ("estimate", Float),
            ("progress", Float),
            ("parent_id", Int),
            ("labels", Text),
            ("cancelled", Bool),
            ("archived", Bool),
            ("source", Text),
            ("external_id", Text),
            ("created_at", Time),
            ("updated_at", Time),
            ("version", Int),
        ],
    },
    Table {
        name: "task_key_results",
        key: &["task_id", "key_result_id"],
        columns: &[("task_id", Int), ("key_result_id", Int)],
    },
    Table {
        name: "task_dependencies",
        key: &["task_id", "depends_on_id"],
        columns: &[("task_id", Int), ("depends_on_id", Int)],
    },
    Table {
        name: "comments",
        key: &["id"],
        columns: &[
            ("id", Int),
            ("task_id", Int),
            ("author_id", Int),
            ("body", Text),
            ("created_at", Time),
            ("source", Text),
            ("external_id", Text),
        ],
    },
    Table {
        name: "worklogs",
        key: &["id"],
        columns: &[("id", Int), ("task_id", Int), ("user_id", Int), ("day", Date), ("hours", Float), ("note", Text)],
    },
    Table {
        name: "custom_fields",
        key: &["id"],
        columns: &[
            ("id", Int),
            ("project_id", Int),
            ("name", Text),
            ("kind", Text),
            ("options", Text),
            ("position", Int),
            ("source", Text),
            ("external_id", Text),
            ("version", Int),
        ],
    },
    Table {
        name: "task_field_values",
        key: &["task_id", "field_id"],
        columns: &[("task_id", Int), ("field_id", Int), ("value", Text)],
    },
    Table {
        name: "saved_views",
        key: &["id"],
        columns: &[
            ("id", Int),
            ("project_id", Int),
            ("owner_id", Int),
            ("name", Text),
            ("spec", Text),
            ("version", Int),
            ("created_by", Int),
            ("created_at", Time),
        ],
    },
    Table {
        name: "changes",
        key: &["id"],
        columns: &[
            ("id", Int),
            ("at", Time),
            ("actor_id", Int),
            ("entity", Text),
            ("entity_id", Int),
            ("action", Text),
            ("before_json", Text),
            ("after_json", Text),
        ],
    },
];

/// Columns filled in after every table is loaded: they refer to rows of
/// their own table, or to a table loaded later.
pub const LATE: &[(&str, &str)] = &[
    ("units", "parent_id"),
    ("cycles", "parent_id"),
    ("objectives", "parent_objective_id"),
    ("objectives", "parent_key_result_id"),
    ("projects", "parent_id"),
    ("tasks", "parent_id"),
];

pub fn table(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.name == name)
}

fn bad(table: &str, column: &str, message: impl std::fmt::Display) -> StoreError {
    StoreError::Other(format!("{table}.{column}: {message}"))
}

/// A stored value as the document holds it.
fn to_json(table: &str, column: &str, kind: Kind, value: &Value) -> R<Json> {
    let out = match (kind, value) {
        (_, Value::Int(None) | Value::Float(None) | Value::Text(None) | Value::Bool(None))
        | (_, Value::Date(None) | Value::Time(None)) => Json::Null,
        (Int, Value::Int(Some(i))) => Json::from(*i),
        (Float, Value::Float(Some(f))) => Json::from(*f),
        // SQLite keeps a whole REAL as an INTEGER when it can.
        (Float, Value::Int(Some(i))) => Json::from(*i as f64),
        (Bool, Value::Bool(Some(b))) => Json::from(*b),
        (Bool, Value::Int(Some(i))) => Json::from(*i != 0),
        (Text, Value::Text(Some(s))) => Json::from(s.as_str()),
        (Date, Value::Date(Some(d))) => Json::from(d.format("%Y-%m-%d").to_string()),
        (Date, Value::Text(Some(s))) => Json::from(parse_date(table, column, s)?.format("%Y-%m-%d").to_string()),
        (Time, Value::Time(Some(t))) => Json::from(instant_text(t)),
        (Time, Value::Text(Some(s))) => Json::from(instant_text(&parse_time(table, column, s)?)),
        (kind, other) => return Err(bad(table, column, format!("stored {other:?} where {kind:?} was expected"))),
    };
    Ok(out)
}

fn parse_date(table: &str, column: &str, s: &str) -> R<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| bad(table, column, format!("{s:?} is not a date")))
}

fn parse_time(table: &str, column: &str, s: &str) -> R<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| bad(table, column, format!("{s:?} is not an RFC 3339 time")))
}

/// A document value as a statement argument.
fn from_json(table: &str, column: &str, kind: Kind, value: &Json) -> R<Value> {
    let wrong = || bad(table, column, format!("{value} is not a {kind:?}"));
    Ok(match (kind, value) {
        (Int, Json::Null) => Value::Int(None),
        (Float, Json::Null) => Value::Float(None),
        (Text, Json::Null) => Value::Text(None),
        (Bool, Json::Null) => Value::Bool(None),
        (Date, Json::Null) => Value::Date(None),
        (Time, Json::Null) => Value::Time(None),
        (Int, Json::Number(n)) => Value::Int(Some(n.as_i64().ok_or_else(wrong)?)),
        (Float, Json::Number(n)) => Value::Float(Some(n.as_f64().ok_or_else(wrong)?)),
        (Bool, Json::Bool(b)) => Value::Bool(Some(*b)),
        (Text, Json::String(s)) => Value::Text(Some(s.clone())),
        (Date, Json::String(s)) => Value::Date(Some(parse_date(table, column, s)?)),
        (Time, Json::String(s)) => Value::Time(Some(parse_time(table, column, s)?)),
        _ => return Err(wrong()),
    })
}

/// Every row of a table in key order, as document values.
pub async fn dump(c: &mut dyn Conn, t: &Table) -> R<Vec<Vec<Json>>> {
    let names: Vec<&str> = t.columns.iter().map(|(n, _)| *n).collect();
    let sql = format!("SELECT {} FROM {} ORDER BY {}", names.join(", "), t.name, t.key.join(", "));
    let rows: Vec<Row> = c.fetch(&sql, vec![]).await?;
    rows.iter()
        .map(|row| {
            t.columns.iter().zip(&row.0).map(|((name, kind), value)| to_json(t.name, name, *kind, value)).collect()
        })
        .collect()
}

/// Rows per INSERT: SQLite looks `$n` names up one by one, so statements
/// stay short.
const ROWS_PER_INSERT: usize = 20;

/// Inserts rows given in the table's column order, late columns left empty.
pub async fn load(c: &mut dyn Conn, t: &Table, rows: &[Vec<Json>]) -> R<()> {
    let width = t.columns.len();
    let names: Vec<&str> = t.columns.iter().map(|(n, _)| *n).collect();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let mut values = Vec::with_capacity(chunk.len() * width);
        let mut groups = Vec::with_capacity(chunk.len());
        for row in chunk {
            if row.len() != width {
                return Err(bad(t.name, "*", format!("a row has {} values for {width} columns", row.len())));
            }
            let start = values.len() + 1;
            groups
                .push(format!("({})", (start..start + width).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")));
            for ((name, kind), value) in t.columns.iter().zip(row) {
                let late = LATE.contains(&(t.name, *name));
                values.push(if late {
                    from_json(t.name, name, *kind, &Json::Null)?
                } else {
                    from_json(t.name, name, *kind, value)?
                });
            }
        }
        let sql = format!("INSERT INTO {} ({}) VALUES {}", t.name, names.join(", "), groups.join(", "));
        c.execute(&sql, values).await?;
    }
    Ok(())
}

/// Fills the late columns of a loaded table (once every table is in).
pub async fn load_late(c: &mut dyn Conn, t: &Table, rows: &[Vec<Json>]) -> R<()> {
    for (at, (column, kind)) in t.columns.iter().enumerate().filter(|(_, (n, _))| LATE.contains(&(t.name, *n))) {
        for row in rows.iter().filter(|r| r.get(at).is_some_and(|v| !v.is_null())) {
            let value = from_json(t.name, column, *kind, &row[at])?;
            let id = from_json(t.name, "id", Int, &row[0])?;
            c.execute(&format!("UPDATE {} SET {column} = $1 WHERE id = $2", t.name), vec![value, id]).await?;
        }
    }
    Ok(())
}

/// Loads a whole export into a database none of whose exported tables
/// holds a row: each table checked against the schema, then loaded, then
/// the late columns, then (PostgreSQL) the id sequences moved past the ids.
pub async fn load_all(c: &mut dyn Conn, tables: &[keel_app::store::ExportedTable]) -> R<()> {
    for t in TABLES {
        let rows = crate::users::first_int(&c.fetch(&format!("SELECT COUNT(*) FROM {}", t.name), vec![]).await?)?;
        if rows > 0 {
            return Err(StoreError::Other(format!(
                "this database already holds data ({rows} rows in {}); restore into a new, empty one",
                t.name
            )));
        }
    }
    let mut found = Vec::new();
    for exported in tables {
        let t = table(&exported.name).ok_or_else(|| {
            StoreError::Other(format!("the export has a table {:?} Keel does not know", exported.name))
        })?;
        let expected: Vec<&str> = t.columns.iter().map(|(n, _)| *n).collect();
        if exported.columns != expected {
            return Err(StoreError::Other(format!(
                "table {}: the export's columns {:?} differ from this version's {:?}",
                t.name, exported.columns, expected
            )));
        }
        found.push((t, exported));
    }
    // Parents first, whatever order the document lists the tables in.
    found.sort_by_key(|(t, _)| TABLES.iter().position(|x| x.name == t.name));
    for (t, exported) in &found {
        load(c, t, &exported.rows).await?;
    }
    for (t, exported) in &found {
        load_late(c, t, &exported.rows).await?;
    }
    if c.is_postgres() {
        for t in TABLES.iter().filter(|t| t.key == ["id"]) {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence('{0}', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM {0}), false)",
                t.name
            );
            c.fetch(&sql, vec![]).await?;
        }
    }
    Ok(())
}
