//! The `keel` binary: one small file per subcommand.

mod backup;
mod db;
mod demo;
mod export;
mod import;
mod serve;
mod token;
mod user;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "keel", version, about = "Keel: OKRs bound to the work that delivers them")]
pub struct Cli {
    #[command(flatten)]
    pub db: db::DbArgs,
    /// Log as JSON lines instead of readable text.
    #[arg(long, env = "KEEL_LOG_JSON", global = true)]
    pub log_json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web interface and the API.
    Serve(serve::ServeArgs),
    /// Import another tool's export (Trello, Jira CSV, GitHub, Asana), or restore a Keel export.
    Import(import::ImportArgs),
    /// Write the whole instance as one JSON document (restore it with `import keel-json`).
    Export(export::ExportArgs),
    /// Copy the whole instance to a file while it keeps running.
    Backup(backup::BackupArgs),
    /// Bring a backup (or an export) back into a new, empty instance.
    Restore(backup::RestoreArgs),
    /// Manage people who log in.
    User(user::UserArgs),
    /// Manage API tokens.
    Token(token::TokenArgs),
    /// Load the demo organisation into the database.
    Demo,
    /// Create or upgrade the database schema, then exit.
    Migrate,
}

fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("KEEL_LOG")
        .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into());
    // Colours only on a terminal: log files and CI output stay plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// glibc gives every thread that allocates its own malloc arena and keeps
/// freed memory in it: a few large responses then leave hundreds of MB
/// resident (measured: 714 MiB peak with the default, 198 MiB with two).
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator tuning; called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// `keel import … | head` closes the pipe early: end quietly, as other
/// command-line tools do, instead of panicking on the next print (Rust
/// ignores SIGPIPE by default).
fn quiet_on_closed_pipe() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: restores the default disposition of one signal before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn main() -> std::process::ExitCode {
    limit_malloc_arenas();
    quiet_on_closed_pipe();
    tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("start the async runtime").block_on(run())
}

async fn run() -> std::process::ExitCode {
    let cli = Cli::parse();
    init_logging(cli.log_json);
    let result = match cli.command {
        Command::Serve(args) => serve::run(&cli.db, args).await,
        Command::Import(args) => import::run(&cli.db, args).await,
        Command::Export(args) => export::run(&cli.db, args).await,
        Command::Backup(args) => backup::backup(&cli.db, args).await,
        Command::Restore(args) => backup::restore(&cli.db, args).await,
        Command::User(args) => user::run(&cli.db, args).await,
        Command::Token(args) => token::run(&cli.db, args).await,
        Command::Demo => demo::run(&cli.db).await,
        Command::Migrate => db::open(&cli.db).await.map(|_| println!("The database schema is up to date.")),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
