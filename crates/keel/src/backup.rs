//! `keel backup FILE` and `keel restore FILE`. On SQLite a backup is a
//! compact copy of the database file taken from one snapshot, so the server
//! may keep running; on PostgreSQL it is the export document (one
//! repeatable-read snapshot). `keel restore` takes either kind into a new,
//! empty instance on either backend, through the same checked, all-or-
//! nothing load as `keel import keel-json`.

use crate::db::{self, DbArgs};
use anyhow::{Context, bail};
use keel_app::Actor;
use keel_app::backup::Export;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// The backup file to write (it must not exist yet).
    pub file: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// A file written by `keel backup` or `keel export`.
    pub file: PathBuf,
    /// Check everything and write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

pub async fn backup(db_args: &DbArgs, args: BackupArgs) -> anyhow::Result<()> {
    if args.file.exists() {
        bail!("{} exists already; give a new file name", args.file.display());
    }
    match db::sqlite_file(db_args) {
        Some(source) => {
            if !source.exists() {
                bail!("there is no database at {} to back up", source.display());
            }
            keel_store_sqlite::backup_file(&source, &args.file)
                .await
                .with_context(|| format!("copying {} to {}", db::describe(db_args), args.file.display()))?;
            println!("Backed up {} to {} (an SQLite file).", db::describe(db_args), args.file.display());
        }
        None => {
            let app = db::open(db_args).await?;
            let export = app.export_all(&Actor::system()).await?;
            write_export(&export, &args.file)?;
            println!("Backed up {} to {} (a Keel export document).", db::describe(db_args), args.file.display());
        }
    }
    Ok(())
}

/// Writes beside the target and renames, so a failure leaves no half file.
pub fn write_export(export: &Export, path: &Path) -> anyhow::Result<()> {
    let partial = path.with_extension("partial");
    let file = std::fs::File::create(&partial).with_context(|| format!("creating {}", partial.display()))?;
    let mut out = std::io::BufWriter::new(file);
    export.write_to(&mut out).with_context(|| format!("writing {}", partial.display()))?;
    out.flush()?;
    drop(out);
    std::fs::rename(&partial, path).with_context(|| format!("renaming to {}", path.display()))?;
    Ok(())
}

/// The export a backup file holds: read from an SQLite backup (a copy of
/// it, brought to this version's schema), or parsed from a document.
async fn read_backup(path: &Path) -> anyhow::Result<Export> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).with_context(|| format!("reading {name}"))?;
    if bytes.starts_with(b"SQLite format 3\0") {
        let dir = tempdir()?;
        let copy = dir.join("backup.db");
        std::fs::write(&copy, &bytes).with_context(|| format!("copying {name}"))?;
        let result = async {
            let store = std::sync::Arc::new(
                keel_store_sqlite::SqliteStore::open(&copy).await.with_context(|| format!("opening {name}"))?,
            );
            let app = keel_app::App::new(store.clone(), Default::default());
            let export = app.export_all(&Actor::system()).await.with_context(|| format!("reading {name}"));
            drop(app);
            store.close().await;
            export
        }
        .await;
        let _ = std::fs::remove_dir_all(&dir);
        return result;
    }
    serde_json::from_slice(&bytes).map_err(|e| {
        anyhow::anyhow!(
            "{name}, line {}, column {}: neither an SQLite backup nor a Keel export: {e}",
            e.line(),
            e.column()
        )
    })
}

fn tempdir() -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("keel-restore-{}-{}", std::process::id(), rand_suffix()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)
}

pub async fn restore(db_args: &DbArgs, args: RestoreArgs) -> anyhow::Result<()> {
    let name = args.file.display().to_string();
    let export = read_backup(&args.file).await.map_err(|e| anyhow::anyhow!("{e:#}; nothing was restored"))?;
    let app = db::open(db_args).await?;
    let summary = app
        .restore(&Actor::system(), &export, args.dry_run)
        .await
        .map_err(|e| anyhow::anyhow!("{name}: {e}; nothing was restored"))?;
    let rows: usize = summary.tables.iter().map(|(_, n)| n).sum();
    let verb = if args.dry_run { "Would restore" } else { "Restored" };
    println!("{verb} {rows} rows of {} tables from {name} into {}.", summary.tables.len(), db::describe(db_args));
    Ok(())
}
