//! Opening the database every subcommand works on: an SQLite file in the
//! data folder by default, or whatever `--database-url` names.

use anyhow::{Context, bail};
use keel_app::store::Store;
use keel_app::{App, Settings};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug, clap::Args)]
pub struct DbArgs {
    /// Folder for the embedded SQLite database (created if missing).
    #[arg(long, env = "KEEL_DATA_DIR", default_value = "./keel-data", global = true)]
    pub data_dir: PathBuf,
    /// sqlite://PATH or postgres://USER@HOST:PORT/DB; overrides --data-dir.
    #[arg(long, env = "KEEL_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Time zone of people who have not chosen one.
    #[arg(long, env = "KEEL_TIME_ZONE", default_value = "Asia/Shanghai", global = true)]
    pub time_zone: String,
}

/// Where the data lives, for messages (no password shown).
pub fn describe(args: &DbArgs) -> String {
    match &args.database_url {
        Some(url) if url.starts_with("postgres") => {
            let redacted =
                url.split_once('@').map(|(_, host)| format!("postgres://…@{host}")).unwrap_or_else(|| url.clone());
            format!("PostgreSQL at {redacted}")
        }
        Some(url) => format!("SQLite at {}", url.trim_start_matches("sqlite://")),
        None => format!("SQLite at {}", args.data_dir.join("keel.db").display()),
    }
}

/// The SQLite file the arguments name; None for PostgreSQL.
pub fn sqlite_file(args: &DbArgs) -> Option<PathBuf> {
    match &args.database_url {
        Some(url) if url.starts_with("sqlite:") => {
            let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
            Some(PathBuf::from(path.split('?').next().unwrap_or(path)))
        }
        Some(_) => None,
        None => Some(args.data_dir.join("keel.db")),
    }
}

pub async fn open(args: &DbArgs) -> anyhow::Result<App> {
    if !keel_app::clock::is_valid_zone(&args.time_zone) {
        bail!("--time-zone {:?} is not an IANA time zone such as Asia/Shanghai", args.time_zone);
    }
    let store: Arc<dyn Store> = match &args.database_url {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => Arc::new(
            keel_store_postgres::PgStore::open(url, 16).await.with_context(|| format!("opening {}", describe(args)))?,
        ),
        Some(url) if url.starts_with("sqlite:") => Arc::new(
            keel_store_sqlite::SqliteStore::open_url(url)
                .await
                .with_context(|| format!("opening {}", describe(args)))?,
        ),
        Some(url) => bail!("--database-url must start with sqlite:// or postgres:// (got {url:?})"),
        None => {
            std::fs::create_dir_all(&args.data_dir)
                .with_context(|| format!("creating data folder {}", args.data_dir.display()))?;
            let path = args.data_dir.join("keel.db");
            Arc::new(
                keel_store_sqlite::SqliteStore::open(&path)
                    .await
                    .with_context(|| format!("opening {}", describe(args)))?,
            )
        }
    };
    Ok(App::new(store, Settings { default_time_zone: args.time_zone.clone(), ..Settings::default() }))
}
