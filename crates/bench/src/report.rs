//! Figures against the targets of the performance issue, as a table or JSON.
//!
//! The ratio is oriented so that ≥ 1.0 always means "target met": figure ÷
//! target for throughput, target ÷ figure for times and memory.

use crate::machine::Machine;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Measure {
    pub name: String,
    pub figure: f64,
    pub target: f64,
    pub unit: &'static str,
    pub higher_is_better: bool,
    pub ratio: f64,
    pub met: bool,
}

impl Measure {
    pub fn new(name: &str, figure: f64, target: f64, unit: &'static str, higher_is_better: bool) -> Measure {
        let ratio = if higher_is_better { figure / target } else { target / figure };
        Measure { name: name.into(), figure, target, unit, higher_is_better, ratio, met: ratio >= 1.0 }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct BackendReport {
    pub backend: String,
    pub database: String,
    pub measures: Vec<Measure>,
    /// Context: percentiles, sizes, set-up times (name, value).
    pub details: Vec<(String, String)>,
    /// The exact commands and requests measured.
    pub commands: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub machine: Machine,
    pub command: String,
    pub keel_binary: String,
    pub backends: Vec<BackendReport>,
    pub total_secs: f64,
}

fn number(v: f64) -> String {
    if !v.is_finite() {
        "n/a".into()
    } else if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

pub fn print_table(r: &Report) {
    let m = &r.machine;
    println!();
    println!("Keel benchmark — commit {}", m.commit);
    println!("machine: {} cores, {}, {} MiB RAM, Linux {}", m.cores, m.cpu, m.memory_mib, m.kernel);
    println!("load average (1/5/15 min): {} at start, {} at end", m.load_at_start, m.load_at_end);
    println!("command: {}", r.command);
    println!("keel:    {}", r.keel_binary);
    for b in &r.backends {
        println!();
        println!("== {} ({})", b.backend, b.database);
        println!("{:<44} {:>12} {:>12}  {:>7}  met", "measure", "figure", "target", "ratio");
        for x in &b.measures {
            let target = format!("{} {}", if x.higher_is_better { "≥" } else { "≤" }, number(x.target));
            println!(
                "{:<44} {:>12} {:>12}  {:>6}×  {}",
                x.name,
                format!("{} {}", number(x.figure), x.unit),
                format!("{target} {}", x.unit),
                number(x.ratio),
                if x.met { "yes" } else { "no" }
            );
        }
        println!("details:");
        for (k, v) in &b.details {
            println!("  {k:<42} {v}");
        }
        println!("measured:");
        for c in &b.commands {
            println!("  {c}");
        }
    }
    println!();
    println!("ratio ≥ 1.00 means the target is met (figure÷target for req/s, target÷figure otherwise).");
    println!("whole run: {:.0} s", r.total_secs);
}
