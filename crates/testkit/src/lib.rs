//! Fresh, real databases for tests: a new SQLite file in a temporary folder,
//! or a new database on the PostgreSQL server named by
//! `KEEL_TEST_DATABASE_URL` (default: the local server, user postgres).
//! Nothing is mocked; each test gets its own empty schema.

pub mod real_data;

pub use real_data::{real_data, real_data_dir};

use keel_app::store::Store;
use keel_store_postgres::PgStore;
use keel_store_sqlite::SqliteStore;
use sqlx::Connection;
use std::path::PathBuf;
use std::sync::Arc;

pub const DEFAULT_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Prefix of the databases tests create, so `scripts/test` can drop leftovers.
pub const TEST_DB_PREFIX: &str = "keel_t_";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub const BACKENDS: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];

/// A temporary folder removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("keel-{label}-{}-{}", std::process::id(), rand::random::<u64>()));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }
    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fresh store plus whatever keeps it alive.
pub struct TestDb {
    pub store: Arc<dyn Store>,
    pub backend: Backend,
    /// The URL a second process (e.g. `keel serve`) can open.
    pub url: String,
    _dir: Option<TempDir>,
    _pg: Option<PgDatabase>,
}

pub fn pg_admin_url() -> String {
    std::env::var("KEEL_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_PG_URL.to_string())
}

/// A PostgreSQL database made for one test, dropped when this is dropped.
pub struct PgDatabase {
    pub url: String,
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let (admin, name) = (pg_admin_url(), self.name.clone());
        // Drop runs inside async tests: a thread with its own runtime does the
        // asynchronous work without blocking the test's runtime.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            runtime.block_on(async {
                let mut conn = sqlx::PgConnection::connect(&admin).await.ok()?;
                // FORCE: the test's pool may still hold connections.
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await.ok()
            })
        })
        .join();
    }
}

/// Creates an empty PostgreSQL database for one test.
pub async fn create_pg_database() -> PgDatabase {
    let admin = pg_admin_url();
    let name = format!("{TEST_DB_PREFIX}{}_{}", std::process::id(), rand::random::<u32>());
    let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap_or_else(|e| {
        panic!("PostgreSQL is needed for this test and is not reachable at {admin}: {e}. Run scripts/test, which starts it.")
    });
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create test database");
    conn.close().await.ok();
    let base = admin.rsplit_once('/').map(|(base, _)| base.to_string()).unwrap_or(admin);
    PgDatabase { url: format!("{base}/{name}"), name }
}

pub async fn fresh(backend: Backend) -> TestDb {
    match backend {
        Backend::Sqlite => {
            let dir = TempDir::new("db");
            let path = dir.path().join("keel.db");
            let store = SqliteStore::open(&path).await.expect("open SQLite");
            TestDb {
                store: Arc::new(store),
                backend,
                url: format!("sqlite://{}", path.display()),
                _dir: Some(dir),
                _pg: None,
            }
        }
        Backend::Postgres => {
            let pg = create_pg_database().await;
            let store = PgStore::open(&pg.url, 8).await.expect("open PostgreSQL");
            TestDb { store: Arc::new(store), backend, url: pg.url.clone(), _dir: None, _pg: Some(pg) }
        }
    }
}
