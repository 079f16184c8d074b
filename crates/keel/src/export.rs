//! `keel export`: the whole instance as one JSON document (docs/EXPORT.md),
//! which `keel import keel-json` restores into a new instance.

use crate::db::{self, DbArgs};
use keel_app::Actor;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Where to write the document; standard output when left out.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

pub async fn run(db_args: &DbArgs, args: ExportArgs) -> anyhow::Result<()> {
    let app = db::open(db_args).await?;
    let export = app.export_all(&Actor::system()).await?;
    match &args.output {
        Some(path) => {
            crate::backup::write_export(&export, path)?;
            let rows: usize = export.tables.iter().map(|t| t.rows.len()).sum();
            eprintln!("Exported {rows} rows of {} tables to {}", export.tables.len(), path.display());
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            export.write_to(&mut out)?;
            out.flush()?;
        }
    }
    Ok(())
}
