//! The full export names every table and column the schema has (sessions
//! aside), with the kind each holds, on both backends: a migration that adds
//! a column without adding it to the export fails here.

use keel_store_sql::export::{Kind, TABLES};
use keel_testkit::{Backend, fresh};
use sqlx::Connection;
use std::collections::BTreeMap;

/// Tables that are not exported, and why: sessions end with the instance;
/// the migration record belongs to the database, not the data.
const NOT_EXPORTED: [&str; 2] = ["sessions", "keel_migrations"];

fn exported() -> BTreeMap<String, Vec<(String, Kind)>> {
    TABLES.iter().map(|t| (t.name.to_string(), t.columns.iter().map(|(n, k)| (n.to_string(), *k)).collect())).collect()
}

#[tokio::test]
async fn the_export_covers_the_whole_postgres_schema() {
    let db = fresh(Backend::Postgres).await;
    let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns \
         WHERE table_schema = 'public' ORDER BY table_name, ordinal_position",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut schema: BTreeMap<String, Vec<(String, Kind)>> = BTreeMap::new();
    for (table, column, data_type) in rows {
        if NOT_EXPORTED.contains(&table.as_str()) {
            continue;
        }
        let kind = match data_type.as_str() {
            "bigint" | "integer" => Kind::Int,
            "double precision" | "real" => Kind::Float,
            "text" => Kind::Text,
            "boolean" => Kind::Bool,
            "date" => Kind::Date,
            "timestamp with time zone" => Kind::Time,
            other => panic!("{table}.{column}: no export kind for {other}"),
        };
        schema.entry(table).or_default().push((column, kind));
    }
    assert_eq!(exported(), schema);
}

#[tokio::test]
async fn the_export_covers_the_whole_sqlite_schema() {
    let db = fresh(Backend::Sqlite).await;
    let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
    let tables: Vec<(String,)> = sqlx::query_as(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut schema: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (table,) in tables.into_iter().filter(|(t,)| !NOT_EXPORTED.contains(&t.as_str())) {
        let columns: Vec<(String,)> =
            sqlx::query_as(&format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"))
                .fetch_all(&mut conn)
                .await
                .unwrap();
        schema.insert(table, columns.into_iter().map(|(c,)| c).collect());
    }
    let names: BTreeMap<String, Vec<String>> =
        exported().into_iter().map(|(t, cols)| (t, cols.into_iter().map(|(c, _)| c).collect())).collect();
    assert_eq!(names, schema);
}
