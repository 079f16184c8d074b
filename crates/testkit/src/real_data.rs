//! Where the real third-party exports used as test inputs live: the folder
//! named by `KEEL_REAL_DATA`, or `shared/data/real` beside the checkout or
//! beside any folder above it. They are not part of the repository (their
//! licences allow use as internal test inputs only), so a run without them
//! stops and says how to point at them instead of skipping.

use std::path::{Path, PathBuf};

pub fn real_data_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("KEEL_REAL_DATA") {
        let dir = PathBuf::from(dir);
        assert!(dir.join("trello").is_dir(), "KEEL_REAL_DATA={} has no trello/ folder", dir.display());
        return dir;
    }
    let start = Path::new(env!("CARGO_MANIFEST_DIR"));
    start.ancestors().map(|a| a.join("shared/data/real")).find(|c| c.join("trello").is_dir()).unwrap_or_else(|| {
        panic!(
            "the real exports used as test inputs were not found above {}: set KEEL_REAL_DATA to the folder \
             holding trello/ and jira/ (the workplace's shared/data/real)",
            start.display()
        )
    })
}

/// A file under the real-data folder, e.g. `real_data("trello/kanban-2016-small-board.json")`.
pub fn real_data(relative: &str) -> PathBuf {
    real_data_dir().join(relative)
}
