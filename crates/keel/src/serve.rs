//! `keel serve`: the web interface and API on one port.

use crate::db::{self, DbArgs};
use anyhow::Context;
use chrono::Utc;
use keel_web::WebConfig;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "KEEL_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Load the demo organisation (once) and print a demo login.
    #[arg(long, env = "KEEL_DEMO")]
    pub demo: bool,
    /// Mark cookies Secure; set this when Keel is reached over HTTPS.
    #[arg(long, env = "KEEL_SECURE_COOKIES")]
    pub secure_cookies: bool,
}

/// Prints a line for the person who started Keel; a closed stdout (the
/// starter went away) must not bring the server down.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

pub async fn run(db_args: &DbArgs, args: ServeArgs) -> anyhow::Result<()> {
    let app = db::open(db_args).await?;
    let listener = tokio::net::TcpListener::bind(&args.bind).await.with_context(|| {
        format!("listening on {} (another program may use it; choose another with --bind)", args.bind)
    })?;
    let address = listener.local_addr()?;
    let base = format!("http://{address}");
    say!("Keel is serving {} on {base}", db::describe(db_args));
    if args.demo {
        let today = keel_app::clock::today_in(&app.settings.default_time_zone, Utc::now());
        let login = app.load_demo(today).await?;
        let what = if login.created { "Demo organisation loaded." } else { "Demo organisation already present." };
        say!("{what} Log in at {base}/login as {} with password {}", login.login, login.password);
    } else if let Some(token) = app.setup_token_if_needed().await? {
        say!("No one can log in yet. Create the first admin at {base}/setup?token={token}");
        say!("(or stop Keel and run: keel user add LOGIN --name NAME --admin)");
    } else {
        say!("Log in at {base}/login");
    }
    let router = keel_web::router(app, WebConfig { secure_cookies: args.secure_cookies });
    axum::serve(listener, router).with_graceful_shutdown(shutdown()).await.context("serving HTTP")?;
    Ok(())
}

async fn shutdown() {
    let _ = tokio::signal::ctrl_c().await;
    tracing::info!("shutting down");
}
