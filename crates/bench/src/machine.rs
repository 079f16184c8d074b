//! What the figures were measured on: cores, CPU model, memory, commit.
//! Figures from two machines do not compare; the report says which one.

use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug, Clone, serde::Serialize)]
pub struct Machine {
    pub cores: usize,
    pub cpu: String,
    pub memory_mib: u64,
    pub kernel: String,
    pub commit: String,
    /// 1/5/15-minute load averages when the run started and ended: other work
    /// on the same cores shows here and skews every figure.
    pub load_at_start: String,
    pub load_at_end: String,
}

fn proc_field(file: &str, field: &str) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    let line = text.lines().find(|l| l.starts_with(field))?;
    Some(line.split_once(':')?.1.trim().to_string())
}

/// Short hash of HEAD, "+uncommitted changes" when the work tree differs.
/// Asked in the folder of the measured binary (its checkout), else in the one
/// keel-bench was built from. `--no-optional-locks`: never touch the index.
fn commit(keel: &Path) -> String {
    let dirs = [keel.parent().map(Path::to_path_buf), Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")))];
    for dir in dirs.into_iter().flatten() {
        let git =
            |args: &[&str]| Command::new("git").arg("-C").arg(&dir).arg("--no-optional-locks").args(args).output().ok();
        let Some(out) = git(&["rev-parse", "--short", "HEAD"]).filter(|o| o.status.success()) else { continue };
        let hash = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let dirty = git(&["diff", "--quiet", "HEAD", "--"]).is_some_and(|o| o.status.code() == Some(1));
        return if dirty { format!("{hash}+uncommitted changes") } else { hash };
    }
    "unknown (not a git checkout)".into()
}

pub fn load_average() -> String {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    text.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}

pub fn describe(keel: &Path, load_at_start: String) -> Machine {
    Machine {
        cores: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        cpu: proc_field("/proc/cpuinfo", "model name").unwrap_or_else(|| "unknown".into()),
        memory_mib: proc_field("/proc/meminfo", "MemTotal")
            .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
            .map_or(0, |kib| kib / 1024),
        kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease").map(|s| s.trim().to_string()).unwrap_or_default(),
        commit: commit(keel),
        load_at_start,
        load_at_end: load_average(),
    }
}
