//! Keel's embedded SQLite backend.
//!
//! WAL journal, foreign keys on, a busy timeout, and exactly one writer
//! connection: write transactions queue for it and start with
//! `BEGIN IMMEDIATE`, so concurrent writers wait their turn instead of
//! failing with "database is locked". Readers use their own pool and never
//! block the writer.

use async_trait::async_trait;
use keel_app::StoreError;
use keel_app::store::{R, Store, Tx};
use keel_store_sql::{Conn, Row, SqlTx, Value, instant_text, store_error as map_err};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row as _, Sqlite, SqlitePool, Transaction, TypeInfo, ValueRef};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

/// Migrations in order; each runs once, in its own transaction.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/0001_init.sql")),
    (2, include_str!("../migrations/0002_task_list_index.sql")),
    (3, include_str!("../migrations/0003_table.sql")),
    (4, include_str!("../migrations/0004_people.sql")),
];

pub struct SqliteStore {
    writer: SqlitePool,
    readers: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::new().filename(path);
        Self::open_with(options).await
    }

    /// Opens a `sqlite://…` URL.
    pub async fn open_url(url: &str) -> Result<Self, StoreError> {
        let options =
            SqliteConnectOptions::from_str(url).map_err(|e| StoreError::Other(format!("bad SQLite URL: {e}")))?;
        Self::open_with(options).await
    }

    async fn open_with(options: SqliteConnectOptions) -> Result<Self, StoreError> {
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(options.clone())
            .await
            .map_err(map_err)?;
        let readers = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(options.read_only(false))
            .await
            .map_err(map_err)?;
        let store = SqliteStore { writer, readers };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await.map_err(map_err)?;
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS keel_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        let applied: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM keel_migrations").fetch_all(&mut *tx).await.map_err(map_err)?;
        for (version, sql) in MIGRATIONS {
            if applied.contains(version) {
                continue;
            }
            tracing::info!(migration.version = version, "applying SQLite migration");
            sqlx::raw_sql(sql).execute(&mut *tx).await.map_err(map_err)?;
            sqlx::query("INSERT INTO keel_migrations (version, applied_at) VALUES ($1, $2)")
                .bind(version)
                .bind(instant_text(&chrono::Utc::now()))
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        }
        tx.commit().await.map_err(map_err)
    }

    /// Closes both pools (waits for open transactions).
    pub async fn close(&self) {
        self.writer.close().await;
        self.readers.close().await;
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn read(&self) -> R<Box<dyn Tx>> {
        let tx = self.readers.begin().await.map_err(map_err)?;
        Ok(Box::new(SqlTx::new(Box::new(SqliteConn { tx }))))
    }

    async fn write(&self) -> R<Box<dyn Tx>> {
        let tx = self.writer.begin_with("BEGIN IMMEDIATE").await.map_err(map_err)?;
        Ok(Box::new(SqlTx::new(Box::new(SqliteConn { tx }))))
    }

    fn backend(&self) -> &'static str {
        "sqlite"
    }
}

struct SqliteConn {
    tx: Transaction<'static, Sqlite>,
}

type Query<'q> = sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments<'q>>;

fn bind(mut q: Query<'_>, args: Vec<Value>) -> Query<'_> {
    for arg in args {
        q = match arg {
            Value::Int(v) => q.bind(v),
            Value::Float(v) => q.bind(v),
            Value::Text(v) => q.bind(v),
            Value::Bool(v) => q.bind(v),
            Value::Date(v) => q.bind(v.map(|d| d.format("%Y-%m-%d").to_string())),
            Value::Time(v) => q.bind(v.map(|t| instant_text(&t))),
        };
    }
    q
}

/// SQLite values carry their own storage class; decode by it.
fn decode(row: &sqlx::sqlite::SqliteRow) -> R<Row> {
    let mut values = Vec::with_capacity(row.columns().len());
    for i in 0..row.columns().len() {
        let raw = row.try_get_raw(i).map_err(map_err)?;
        let value = if raw.is_null() {
            Value::Text(None)
        } else {
            match raw.type_info().name() {
                "INTEGER" | "BOOLEAN" => Value::Int(Some(row.try_get_unchecked(i).map_err(map_err)?)),
                "REAL" | "NUMERIC" => Value::Float(Some(row.try_get_unchecked(i).map_err(map_err)?)),
                _ => Value::Text(Some(row.try_get_unchecked(i).map_err(map_err)?)),
            }
        };
        values.push(value);
    }
    Ok(Row(values))
}

#[async_trait]
impl Conn for SqliteConn {
    async fn execute(&mut self, sql: &str, args: Vec<Value>) -> R<u64> {
        let done = bind(sqlx::query(sql), args).execute(&mut *self.tx).await.map_err(map_err)?;
        Ok(done.rows_affected())
    }

    async fn fetch(&mut self, sql: &str, args: Vec<Value>) -> R<Vec<Row>> {
        let rows = bind(sqlx::query(sql), args).fetch_all(&mut *self.tx).await.map_err(map_err)?;
        rows.iter().map(decode).collect()
    }

    async fn commit(self: Box<Self>) -> R<()> {
        self.tx.commit().await.map_err(map_err)
    }
}

/// A consistent copy of the whole database at `source` in a new file,
/// taken from one snapshot while others go on reading and writing: a
/// read-only connection runs `VACUUM INTO`, so neither the schema nor any
/// writer's lock is touched.
pub async fn backup_file(source: &Path, target: &Path) -> Result<(), StoreError> {
    use sqlx::Connection;
    let options = SqliteConnectOptions::new().filename(source).read_only(true).busy_timeout(Duration::from_secs(10));
    let mut conn = sqlx::SqliteConnection::connect_with(&options).await.map_err(map_err)?;
    sqlx::query("VACUUM INTO $1")
        .bind(target.to_string_lossy().into_owned())
        .execute(&mut conn)
        .await
        .map_err(map_err)?;
    conn.close().await.map_err(map_err)
}
