//! `keel-bench`: builds an organisation of 1,000 objectives, 5,000 KRs and
//! 100,000 tasks on SQLite and on PostgreSQL, measures the real release
//! `keel` binary (import, serve) and prints the figures against the targets
//! of the performance issue. A command, not a timed test: it reports, it
//! never fails on a slow figure. Run it through scripts/bench.

mod big_board;
mod db;
mod jira;
mod load;
mod machine;
mod okrs;
mod pages;
mod process;
mod report;
mod rng;
mod run;
mod words;

use anyhow::{Context, bail};
use clap::{Parser, ValueEnum};
use std::path::PathBuf;
use std::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BackendChoice {
    Sqlite,
    Postgres,
    Both,
}

#[derive(Debug, Clone, Parser)]
#[command(name = "keel-bench", about = "Keel's benchmark against the performance targets (SQLite and PostgreSQL)")]
pub struct Args {
    /// Which databases to measure.
    #[arg(long, value_enum, default_value = "both")]
    pub backend: BackendChoice,
    /// Tasks: rows of the generated Jira CSV, all imported.
    #[arg(long, default_value_t = 100_000)]
    pub tasks: usize,
    /// Jira projects the tasks are spread over.
    #[arg(long, default_value_t = 20)]
    pub projects: usize,
    #[arg(long, default_value_t = 1_000)]
    pub objectives: usize,
    #[arg(long, default_value_t = 5_000)]
    pub krs: usize,
    /// Measured seconds of the task-list load.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Untimed seconds of the same load first (connections, caches).
    #[arg(long, default_value_t = 2)]
    pub warmup: u64,
    /// Concurrent clients of the task-list load.
    #[arg(long, default_value_t = 4)]
    pub clients: usize,
    /// Tasks created one after another over HTTP.
    #[arg(long, default_value_t = 300)]
    pub creates: usize,
    /// Timed requests of the OKR tree.
    #[arg(long, default_value_t = 10)]
    pub tree_runs: usize,
    /// Seed of the generated organisation (same seed, same data).
    #[arg(long, default_value_t = 20_240_109)]
    pub seed: u64,
    /// The keel binary to measure; defaults to the one next to keel-bench.
    #[arg(long)]
    pub keel: Option<PathBuf>,
    /// PostgreSQL server to create the benchmark database on.
    #[arg(long, env = "KEEL_TEST_DATABASE_URL", default_value = db::DEFAULT_PG_URL)]
    pub pg_url: String,
    /// Folder for the CSV and the SQLite database (a fresh subfolder is made and removed).
    #[arg(long, default_value_os_t = std::env::temp_dir())]
    pub work_dir: PathBuf,
    /// Keep the CSV, the SQLite file, the logs and the PostgreSQL database.
    #[arg(long)]
    pub keep: bool,
    /// Print the report as JSON instead of tables.
    #[arg(long)]
    pub json: bool,
}

/// The run's folder, removed at the end (also after errors and Ctrl-C) unless kept.
pub struct WorkDir {
    pub path: PathBuf,
    keep: bool,
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        if self.keep {
            eprintln!("kept {}", self.path.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

fn keel_binary(args: &Args) -> anyhow::Result<PathBuf> {
    let path = match &args.keel {
        Some(p) => p.clone(),
        None => std::env::current_exe()?.with_file_name("keel"),
    };
    if !path.is_file() {
        bail!(
            "no keel binary at {}: build it with `cargo build --release -p keel`, or run scripts/bench",
            path.display()
        );
    }
    if !path.to_string_lossy().contains("release") {
        eprintln!(
            "warning: {} does not look like a release build; figures of a debug build mean little",
            path.display()
        );
    }
    Ok(path)
}

async fn main_inner(args: Args) -> anyhow::Result<()> {
    let started = Instant::now();
    let load_at_start = machine::load_average();
    let keel = keel_binary(&args)?;
    let backends: Vec<&str> = match args.backend {
        BackendChoice::Sqlite => vec!["sqlite"],
        BackendChoice::Postgres => vec!["postgres"],
        BackendChoice::Both => vec!["sqlite", "postgres"],
    };
    anyhow::ensure!(args.tasks >= args.projects * 200, "--tasks must give each project at least 200 tasks to list");
    if backends.contains(&"postgres") {
        let version = db::check_pg(&args.pg_url).await?;
        eprintln!("PostgreSQL {version} at {}", args.pg_url);
    }
    let dir = args.work_dir.join(format!("keel-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let work = WorkDir { path: dir, keep: args.keep };

    jira::preflight(args.projects, args.seed)?;
    let csv = work.path.join("jira-export.csv");
    let t = Instant::now();
    let generated = jira::write_file(&csv, args.tasks, args.projects, args.seed)?;
    eprintln!(
        "generated {} ({} rows, {} sub-tasks, {} with a parent, {} people, {:.1} MB) in {:.1} s",
        csv.display(),
        generated.rows,
        generated.sub_tasks,
        generated.with_parent,
        generated.people,
        generated.bytes as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );

    let mut reports = Vec::new();
    for backend in backends {
        reports.push(run::backend(&args, backend, &keel, &work.path, &csv, &generated).await?);
    }
    let report = report::Report {
        machine: machine::describe(&keel, load_at_start),
        command: std::env::var("KEEL_BENCH_COMMAND").unwrap_or_else(|_| std::env::args().collect::<Vec<_>>().join(" ")),
        keel_binary: keel.display().to_string(),
        backends: reports,
        total_secs: started.elapsed().as_secs_f64(),
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        report::print_table(&report);
    }
    Ok(())
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    // Dropping the run on Ctrl-C runs its guards: server stopped, files and database removed.
    let result = tokio::select! {
        r = main_inner(args) => r,
        _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!("interrupted; cleaned up")),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
