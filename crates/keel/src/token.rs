//! `keel token create LOGIN`: an API token for a person, shown once.

use crate::db::{self, DbArgs};

#[derive(Debug, clap::Args)]
pub struct TokenArgs {
    #[command(subcommand)]
    pub command: TokenCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Create a token that acts as LOGIN; send it as `Authorization: Bearer …`.
    Create {
        login: String,
        /// What the token is for (shown in lists).
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

pub async fn run(db_args: &DbArgs, args: TokenArgs) -> anyhow::Result<()> {
    let app = db::open(db_args).await?;
    match args.command {
        TokenCommand::Create { login, name } => {
            let token = app.create_token(&login, &name).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{token}");
            eprintln!("Keep this token secret; Keel stores only its hash and cannot show it again.");
        }
    }
    Ok(())
}
