//! Running the real `keel` binary against a database, and opening that
//! database in the test to look at what it wrote.

#![allow(dead_code)]

use keel_app::{App, Settings};
use std::process::Output;
use std::sync::Arc;

/// `keel ARGS` on the database at `url`, quietly.
pub fn keel(url: &str, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_keel"))
        .args(args)
        .env("KEEL_DATABASE_URL", url)
        .env("KEEL_LOG", "warn")
        .output()
        .expect("run keel")
}

/// The application on the database at `url` (SQLite or PostgreSQL).
pub async fn app_on(url: &str) -> App {
    let store: Arc<dyn keel_app::store::Store> = if url.starts_with("postgres") {
        Arc::new(keel_store_postgres::PgStore::open(url, 4).await.unwrap())
    } else {
        Arc::new(keel_store_sqlite::SqliteStore::open_url(url).await.unwrap())
    };
    App::new(store, Settings::default())
}
