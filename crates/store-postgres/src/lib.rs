//! Keel's PostgreSQL backend, for several instances behind a load balancer.
//!
//! Native pool and types (BOOLEAN, DATE, TIMESTAMPTZ). Migrations run at
//! start-up under an advisory lock so that instances starting together
//! apply each migration exactly once.

use async_trait::async_trait;
use keel_app::StoreError;
use keel_app::store::{R, Store, Tx};
use keel_store_sql::{Conn, Row, SqlTx, Value, store_error as map_err};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Row as _, Transaction, TypeInfo, ValueRef};
use std::str::FromStr;
use std::time::Duration;

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/0001_init.sql")),
    (2, include_str!("../migrations/0002_task_list_index.sql")),
    (3, include_str!("../migrations/0003_table.sql")),
    (4, include_str!("../migrations/0004_people.sql")),
];

/// Any fixed number: the advisory lock that serialises migrations.
const MIGRATION_LOCK: i64 = 0x006b_6565_6c6d_6967; // "keelmig"

pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects and brings the schema up to date. Fails fast on a bad URL
    /// or an unreachable server.
    pub async fn open(url: &str, max_connections: u32) -> Result<Self, StoreError> {
        let options =
            PgConnectOptions::from_str(url).map_err(|e| StoreError::Other(format!("bad PostgreSQL URL: {e}")))?;
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await
            .map_err(map_err)?;
        let store = PgStore { pool };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(MIGRATION_LOCK)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS keel_migrations (version BIGINT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)",
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
            tracing::info!(migration.version = version, "applying PostgreSQL migration");
            sqlx::raw_sql(sql).execute(&mut *tx).await.map_err(map_err)?;
            sqlx::query("INSERT INTO keel_migrations (version, applied_at) VALUES ($1, now())")
                .bind(version)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        }
        tx.commit().await.map_err(map_err)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[async_trait]
impl Store for PgStore {
    async fn read(&self) -> R<Box<dyn Tx>> {
        let tx = self.pool.begin().await.map_err(map_err)?;
        Ok(Box::new(SqlTx::new(Box::new(PgConn { tx }))))
    }

    async fn write(&self) -> R<Box<dyn Tx>> {
        let tx = self.pool.begin().await.map_err(map_err)?;
        Ok(Box::new(SqlTx::new(Box::new(PgConn { tx }))))
    }

    fn backend(&self) -> &'static str {
        "postgres"
    }
}

struct PgConn {
    tx: Transaction<'static, Postgres>,
}

type Query<'q> = sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments>;

fn bind(mut q: Query<'_>, args: Vec<Value>) -> Query<'_> {
    for arg in args {
        q = match arg {
            Value::Int(v) => q.bind(v),
            Value::Float(v) => q.bind(v),
            Value::Text(v) => q.bind(v),
            Value::Bool(v) => q.bind(v),
            Value::Date(v) => q.bind(v),
            Value::Time(v) => q.bind(v),
        };
    }
    q
}

/// PostgreSQL columns are typed; decode by the column's type.
fn decode(row: &sqlx::postgres::PgRow) -> R<Row> {
    let mut values = Vec::with_capacity(row.columns().len());
    for i in 0..row.columns().len() {
        let raw = row.try_get_raw(i).map_err(map_err)?;
        let null = raw.is_null();
        let name = raw.type_info().name().to_string();
        let value = match name.as_str() {
            "INT8" => Value::Int(row.try_get(i).map_err(map_err)?),
            "INT4" => Value::Int(row.try_get::<Option<i32>, _>(i).map_err(map_err)?.map(i64::from)),
            "INT2" => Value::Int(row.try_get::<Option<i16>, _>(i).map_err(map_err)?.map(i64::from)),
            "BOOL" => Value::Bool(row.try_get(i).map_err(map_err)?),
            "FLOAT8" => Value::Float(row.try_get(i).map_err(map_err)?),
            "FLOAT4" => Value::Float(row.try_get::<Option<f32>, _>(i).map_err(map_err)?.map(f64::from)),
            "DATE" => Value::Date(row.try_get(i).map_err(map_err)?),
            "TIMESTAMPTZ" => Value::Time(row.try_get(i).map_err(map_err)?),
            "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" => Value::Text(row.try_get(i).map_err(map_err)?),
            _ if null => Value::Text(None),
            other => return Err(StoreError::Other(format!("column {i}: unsupported PostgreSQL type {other}"))),
        };
        values.push(value);
    }
    Ok(Row(values))
}

#[async_trait]
impl Conn for PgConn {
    fn is_postgres(&self) -> bool {
        true
    }

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
