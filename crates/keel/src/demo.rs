//! `keel demo`: loads the demo organisation without serving.

use crate::db::{self, DbArgs};
use chrono::Utc;

pub async fn run(db_args: &DbArgs) -> anyhow::Result<()> {
    let app = db::open(db_args).await?;
    let today = keel_app::clock::today_in(&app.settings.default_time_zone, Utc::now());
    let login = app.load_demo(today).await?;
    println!(
        "Demo organisation {}. Log in as {} with password {}",
        if login.created { "loaded" } else { "already present" },
        login.login,
        login.password
    );
    Ok(())
}
