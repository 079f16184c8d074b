//! `keel import KIND FILE`: brings another tool's export into Keel in one
//! transaction and prints what it did (or, with --dry-run, would do).

use crate::db::{self, DbArgs};
use anyhow::{Context, bail};
use keel_app::Actor;
use keel_app::import::ImportSummary;
use keel_import::{ImportBatch, ImportError, Notice};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Kind {
    /// A Trello board exported as JSON.
    Trello,
    /// A Jira issue export as CSV.
    JiraCsv,
    /// An Asana export: API JSON or the project CSV.
    Asana,
    /// Jira's REST JSON (search responses or issues), ADF descriptions as Markdown.
    JiraJson,
    /// MS Project XML (MSPDI, "Save as XML"): outline, milestones, links, dates, % complete.
    MsProject,
    /// Any task list as CSV (Plane, Linear, a spreadsheet); columns guessed from the header, or --map.
    Csv,
    /// A Keel export (`keel export`), restored into a new, empty instance.
    KeelJson,
    /// GitHub issues as the REST API returns them (a page, pages, or a search result).
    Github,
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    pub kind: Kind,
    pub file: PathBuf,
    /// Show what would happen and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
    /// For `csv`: the column a field comes from, e.g. --map title=Name --map due="Target Date".
    /// Fields: id, title, description, status, priority, assignee, reporter, labels, start, due,
    /// estimate, parent, project, created, updated, completed, archived, comments, milestone.
    #[arg(long = "map", value_name = "FIELD=COLUMN")]
    pub map: Vec<String>,
}

pub fn parse(kind: Kind, file: &std::path::Path, map: &[String]) -> anyhow::Result<Result<ImportBatch, ImportError>> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let name = file.display().to_string();
    let mut pairs = Vec::new();
    for m in map {
        let Some((field, column)) = m.split_once('=') else {
            anyhow::bail!("--map {m:?}: write FIELD=COLUMN, e.g. --map title=Name");
        };
        pairs.push((field.trim().to_string(), column.trim().to_string()));
    }
    let kind = match kind {
        Kind::Trello => keel_import::Kind::Trello,
        Kind::JiraCsv => keel_import::Kind::JiraCsv,
        Kind::JiraJson => keel_import::Kind::JiraJson,
        Kind::Github => keel_import::Kind::Github,
        Kind::Asana => keel_import::Kind::Asana,
        Kind::Csv => keel_import::Kind::Csv,
        Kind::MsProject => keel_import::Kind::MsProject,
        Kind::KeelJson => {
            return Ok(Err(ImportError {
                file: name,
                line: None,
                record: None,
                field: None,
                message: "a Keel export is restored as a whole, not imported as a batch".into(),
            }));
        }
    };
    Ok(kind.parse(&name, &bytes, &pairs))
}

/// `keel import keel-json FILE`: the document read whole, then loaded in one transaction.
async fn restore(db_args: &DbArgs, args: &ImportArgs) -> anyhow::Result<()> {
    let name = args.file.display().to_string();
    let bytes = std::fs::read(&args.file).with_context(|| format!("reading {name}"))?;
    let export: keel_app::backup::Export = serde_json::from_slice(&bytes).map_err(|e| {
        anyhow::anyhow!(
            "{name}, line {}, column {}: not a Keel export: {e}; nothing was restored",
            e.line(),
            e.column()
        )
    })?;
    let app = db::open(db_args).await?;
    let summary = app
        .restore(&Actor::system(), &export, args.dry_run)
        .await
        .map_err(|e| anyhow::anyhow!("{name}: {e}; nothing was restored"))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        let rows: usize = summary.tables.iter().map(|(_, n)| n).sum();
        let verb = if args.dry_run { "Would restore" } else { "Restored" };
        println!("{verb} {rows} rows of {} tables from {name}:", summary.tables.len());
        for (table, n) in summary.tables.iter().filter(|(_, n)| *n > 0) {
            println!("  {table:<20} {n}");
        }
    }
    Ok(())
}

pub async fn run(db_args: &DbArgs, args: ImportArgs) -> anyhow::Result<()> {
    if matches!(args.kind, Kind::KeelJson) {
        return restore(db_args, &args).await;
    }
    let batch = match parse(args.kind, &args.file, &args.map)? {
        Ok(batch) => batch,
        Err(e) => {
            if args.json {
                println!("{}", serde_json::json!({ "error": e }));
            }
            let text = e.describe();
            if text.contains("nothing was imported") {
                bail!("{text}");
            }
            bail!("{text}; nothing was imported");
        }
    };
    // A dry run against a database that does not exist yet writes nothing
    // either: it runs on a throwaway one (everything would be new).
    let scratch = match db::sqlite_file(db_args) {
        Some(path) if args.dry_run && !path.exists() => Some(scratch_dir()?),
        _ => None,
    };
    let app = match &scratch {
        Some(dir) => {
            let url = format!("sqlite://{}", dir.join("keel.db").display());
            db::open(&DbArgs { database_url: Some(url), data_dir: dir.clone(), time_zone: db_args.time_zone.clone() })
                .await?
        }
        None => db::open(db_args).await?,
    };
    let result = app.import(&Actor::system(), &batch, args.dry_run).await;
    drop(app);
    if let Some(dir) = scratch {
        let _ = std::fs::remove_dir_all(dir);
    }
    let summary = result.map_err(|e| anyhow::anyhow!("{e}; nothing was imported"))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print_summary(&summary);
    }
    Ok(())
}

/// "line 14, field Created: …", leaving out what the notice does not know.
fn notice(n: &Notice) -> String {
    let place: Vec<String> =
        [n.record.clone(), n.field.as_ref().map(|f| format!("field {f}"))].into_iter().flatten().collect();
    if place.is_empty() { n.message.clone() } else { format!("{}: {}", place.join(", "), n.message) }
}

fn print_summary(s: &ImportSummary) {
    let verb = if s.dry_run { "Would import" } else { "Imported" };
    println!("{verb} {} ({}):", s.file, s.source);
    for (label, c) in [("created", &s.created), ("updated", &s.updated), ("unchanged", &s.unchanged)] {
        println!(
            "  {label:<9} {}, {}, {}, {}",
            count(c.projects, "project", "projects"),
            count(c.tasks, "task", "tasks"),
            count(c.comments, "comment", "comments"),
            count(c.people, "person", "people")
        );
    }
    for p in &s.projects {
        println!("  project {} {} (id {}){}", p.key, p.name, p.id, if p.created { ", new" } else { "" });
    }
    if !s.skipped.is_empty() {
        println!("  skipped {}:", s.skipped.len());
        for n in &s.skipped {
            println!("    {}", notice(n));
        }
    }
    if !s.warnings.is_empty() {
        println!("  warnings {}:", s.warnings.len());
        for n in &s.warnings {
            println!("    {}", notice(n));
        }
    }
    if s.dry_run {
        println!("Dry run: nothing was written.");
    }
}

/// "1 task", "2 tasks".
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A fresh folder for a throwaway database.
fn scratch_dir() -> anyhow::Result<std::path::PathBuf> {
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let dir = std::env::temp_dir().join(format!("keel-dry-run-{}-{stamp}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}
