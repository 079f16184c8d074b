//! Fresh databases per backend, and opening them in this process for the OKR step.
//!
//! PostgreSQL gets a new database on the server named by KEEL_TEST_DATABASE_URL
//! (the same server the tests use), dropped again when the guard goes, even
//! after an error or Ctrl-C, because a 100,000-task database is large.

use anyhow::Context;
use keel_app::store::Store;
use keel_store_postgres::PgStore;
use keel_store_sqlite::SqliteStore;
use sqlx::Connection;
use std::sync::Arc;

pub const DEFAULT_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

fn unreachable_help(admin_url: &str, e: &dyn std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!(
        "PostgreSQL is not reachable at {admin_url}: {e}\n\
         To fix: start the server (e.g. `pg_ctlcluster 15 main start`, or run scripts/test once, which starts \
         or installs it), or set KEEL_TEST_DATABASE_URL / --pg-url to a server where this user may CREATE \
         DATABASE, or run only SQLite with --backend sqlite."
    )
}

/// Connects once, so a missing server is reported before minutes of SQLite work.
/// Returns the server's version.
pub async fn check_pg(admin_url: &str) -> anyhow::Result<String> {
    let mut conn = sqlx::PgConnection::connect(admin_url).await.map_err(|e| unreachable_help(admin_url, &e))?;
    let version: String = sqlx::query_scalar("SHOW server_version").fetch_one(&mut conn).await?;
    conn.close().await.ok();
    Ok(version)
}

/// A database created for one run; dropped with the guard unless kept.
pub struct PgDatabase {
    admin_url: String,
    name: String,
    pub url: String,
    pub keep: bool,
}

impl PgDatabase {
    pub async fn create(admin_url: &str, keep: bool) -> anyhow::Result<PgDatabase> {
        let name = format!("keel_bench_{}_{}", std::process::id(), chrono::Utc::now().timestamp_subsec_micros());
        let mut conn = sqlx::PgConnection::connect(admin_url).await.map_err(|e| unreachable_help(admin_url, &e))?;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .with_context(|| format!("creating database {name} on {admin_url} (the user needs CREATEDB)"))?;
        conn.close().await.ok();
        let base = admin_url.split('?').next().unwrap_or(admin_url);
        let base = base.rsplit_once('/').map(|(b, _)| b).unwrap_or(base);
        Ok(PgDatabase { admin_url: admin_url.to_string(), url: format!("{base}/{name}"), name, keep })
    }

    pub async fn size_bytes(&self) -> anyhow::Result<i64> {
        let mut conn = sqlx::PgConnection::connect(&self.admin_url).await?;
        let size = sqlx::query_scalar("SELECT pg_database_size($1)").bind(&self.name).fetch_one(&mut conn).await?;
        conn.close().await.ok();
        Ok(size)
    }

    async fn drop_now(admin_url: &str, name: &str) -> anyhow::Result<()> {
        let mut conn = sqlx::PgConnection::connect(admin_url).await?;
        // FORCE (PostgreSQL 13+) ends sessions a killed server may have left.
        if sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await.is_err() {
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name}")).execute(&mut conn).await?;
        }
        conn.close().await.ok();
        Ok(())
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if self.keep {
            eprintln!("kept PostgreSQL database {}", self.url);
            return;
        }
        // Drop runs inside the async runtime; a runtime of its own on a plain
        // thread can block on the DROP without upsetting the outer one.
        let (admin, name) = (self.admin_url.clone(), self.name.clone());
        let done = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            rt.block_on(PgDatabase::drop_now(&admin, &name))
        })
        .join();
        if !matches!(done, Ok(Ok(()))) {
            eprintln!("warning: could not drop PostgreSQL database {}; drop it by hand", self.name);
        }
    }
}

/// A store opened in this process, closed explicitly so SQLite checkpoints
/// and PostgreSQL connections are gone before `keel serve` starts.
pub enum Opened {
    Sqlite(Arc<SqliteStore>),
    Postgres(Arc<PgStore>),
}

impl Opened {
    pub async fn open(url: &str) -> anyhow::Result<Opened> {
        Ok(if url.starts_with("postgres") {
            Opened::Postgres(Arc::new(PgStore::open(url, 4).await.with_context(|| format!("opening {url}"))?))
        } else {
            Opened::Sqlite(Arc::new(SqliteStore::open_url(url).await.with_context(|| format!("opening {url}"))?))
        })
    }

    pub fn store(&self) -> Arc<dyn Store> {
        match self {
            Opened::Sqlite(s) => s.clone(),
            Opened::Postgres(s) => s.clone(),
        }
    }

    pub async fn close(&self) {
        match self {
            Opened::Sqlite(s) => s.close().await,
            Opened::Postgres(s) => s.close().await,
        }
    }
}
