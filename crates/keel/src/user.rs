//! `keel user add`: people who log in, from the command line.

use crate::db::{self, DbArgs};
use anyhow::Context;
use keel_domain::org::Role;
use std::io::Read;

#[derive(Debug, clap::Args)]
pub struct UserArgs {
    #[command(subcommand)]
    pub command: UserCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum UserCommand {
    /// Add a person who can log in. The password comes from standard input
    /// (`--password-stdin`), KEEL_PASSWORD, or is generated and printed.
    Add {
        login: String,
        /// Display name (defaults to the login).
        #[arg(long)]
        name: Option<String>,
        /// Make the person an admin.
        #[arg(long, conflicts_with = "viewer")]
        admin: bool,
        /// Make the person a read-only viewer.
        #[arg(long)]
        viewer: bool,
        /// Read the password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

pub async fn run(db_args: &DbArgs, args: UserArgs) -> anyhow::Result<()> {
    let app = db::open(db_args).await?;
    match args.command {
        UserCommand::Add { login, name, admin, viewer, password_stdin } => {
            let (password, generated) = if password_stdin {
                let mut text = String::new();
                std::io::stdin().read_to_string(&mut text).context("reading the password from standard input")?;
                (text.trim_end_matches(['\r', '\n']).to_string(), false)
            } else if let Ok(password) = std::env::var("KEEL_PASSWORD") {
                (password, false)
            } else {
                (keel_app::auth::new_secret("").chars().take(16).collect(), true)
            };
            let role = if admin {
                Role::Admin
            } else if viewer {
                Role::Viewer
            } else {
                Role::Member
            };
            let name = name.unwrap_or_else(|| login.clone());
            let user = app.add_login_user(&login, &name, &password, role).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("Added {} ({}) as {}.", user.display_name, login, role.as_str());
            if generated {
                println!("Password: {password}");
            }
        }
    }
    Ok(())
}
