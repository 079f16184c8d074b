//! The real release `keel` binary as child processes: one-shot commands,
//! the timed import with its peak RSS, and `keel serve` behind a guard.
//!
//! Peak RSS of the import: ru_maxrss from wait4(2) on the import's own pid,
//! the number GNU `time -f %M` prints (it calls wait4 too), without a second
//! program in between or its output to parse. Peak RSS of the server: VmHWM
//! from /proc/<pid>/status, read while it still runs.

use anyhow::{Context, bail};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The binary, the database it works on and a folder for its logs.
pub struct Keel {
    pub bin: PathBuf,
    pub url: String,
    pub dir: PathBuf,
}

pub struct Measured {
    pub wall: Duration,
    pub max_rss_kib: u64,
    pub stdout: String,
}

fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}

impl Keel {
    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(&self.bin);
        c.arg("--database-url").arg(&self.url).args(args).env("KEEL_LOG", "warn").stdin(Stdio::null());
        c
    }

    /// The command line as a person would type it (for the report).
    pub fn display(&self, args: &[&str]) -> String {
        format!("{} --database-url {} {}", self.bin.display(), self.url, args.join(" "))
    }

    /// Runs a short command and returns its standard output.
    pub fn run(&self, args: &[&str], env: &[(&str, &str)]) -> anyhow::Result<String> {
        let out = self
            .command(args)
            .envs(env.iter().copied())
            .output()
            .with_context(|| format!("running {}", self.bin.display()))?;
        if !out.status.success() {
            bail!("`keel {}` failed ({}): {}", args.join(" "), out.status, String::from_utf8_lossy(&out.stderr).trim());
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Runs a command to its end, timing it and reading its peak RSS.
    /// Output goes to files: a pipe nobody reads while we sit in wait4 could fill up.
    pub fn run_measured(&self, name: &str, args: &[&str]) -> anyhow::Result<Measured> {
        let out_path = self.dir.join(format!("{name}.stdout"));
        let err_path = self.dir.join(format!("{name}.stderr"));
        let started = Instant::now();
        let child = self
            .command(args)
            .stdout(std::fs::File::create(&out_path)?)
            .stderr(std::fs::File::create(&err_path)?)
            .spawn()
            .with_context(|| format!("starting {}", self.bin.display()))?;
        let pid = child.id() as libc::pid_t;
        let mut status: libc::c_int = 0;
        // SAFETY: a zeroed rusage is a valid value for wait4 to fill.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        loop {
            // SAFETY: pid is our own child, not yet reaped (std never waited on it).
            let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
            if r == pid {
                break;
            }
            let e = std::io::Error::last_os_error();
            if e.kind() != std::io::ErrorKind::Interrupted {
                bail!("waiting for `keel {}`: {e}", args.join(" "));
            }
        }
        let wall = started.elapsed();
        drop(child); // reaped above; dropping a Child neither waits nor kills
        if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
            bail!("`{}` failed (wait status {status}); its last output:\n{}", self.display(args), tail(&err_path));
        }
        // Linux reports ru_maxrss in KiB.
        Ok(Measured { wall, max_rss_kib: usage.ru_maxrss as u64, stdout: std::fs::read_to_string(&out_path)? })
    }

    /// Starts `keel serve` on a port the kernel picks and waits until it listens.
    pub fn serve(&self) -> anyhow::Result<Server> {
        let args = ["serve", "--bind", "127.0.0.1:0"];
        let err_path = self.dir.join("serve.stderr");
        let mut child = self
            .command(&args)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&err_path)?)
            .spawn()
            .with_context(|| format!("starting {}", self.bin.display()))?;
        let stdout = child.stdout.take().expect("piped stdout");
        let pid = child.id();
        // From here on the guard stops the server, whatever happens.
        let mut server = Server { child, base: String::new(), command: self.display(&args) };
        let (tx, rx) = std::sync::mpsc::channel();
        // Keep reading stdout for the server's whole life so it never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) if line.starts_with("Keel is serving") => {
                    let base = line.rsplit(" on ").next().unwrap_or_default().trim().to_string();
                    if !base.starts_with("http://") {
                        bail!("unexpected first line from keel serve: {line}");
                    }
                    server.base = base;
                    return Ok(server);
                }
                Ok(_) => continue,
                Err(_) => {
                    bail!("keel serve (pid {pid}) did not start listening within 60 s; its log:\n{}", tail(&err_path))
                }
            }
        }
    }
}

/// A running `keel serve`; stopped (SIGINT, then SIGKILL) when dropped.
pub struct Server {
    child: Child,
    pub base: String,
    pub command: String,
}

impl Server {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A `Vm…:` line of /proc/<pid>/status in KiB (VmHWM: peak RSS so far, VmRSS: now).
    pub fn status_kib(&self, field: &str) -> Option<u64> {
        let text = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        let line = text.lines().find(|l| l.starts_with(field))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        // SIGINT is what `keel serve` shuts down gracefully on (Ctrl-C).
        // SAFETY: signalling our own child, which has not been reaped.
        unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGINT) };
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
