//! A generated Jira Cloud "Export CSV (all fields)": the 100,000 tasks of the benchmark.
//!
//! Shaped like the real export in shared/data/real/jira (column names, repeated
//! Labels and Comment columns, `09/Jan/24 3:54 PM` dates, account ids,
//! `date;accountId;text` comments, estimates in seconds, Parent = the parent's
//! issue id) with Chinese and English text, multi-line descriptions with commas
//! and quotes. Rows come newest first, as Jira's default `ORDER BY created DESC`
//! writes them, so sub-tasks precede their parents like in a real file.
//!
//! Each row is rebuilt from its own seed, so the file streams out in reverse
//! without holding 100,000 issues in memory; only the structure (project,
//! type, number, parent) is kept, a few bytes per issue.

use crate::rng::Rng;
use crate::words::*;
use chrono::{Duration, NaiveDate, NaiveDateTime};
use std::io::Write;

pub const HEADER: &[&str] = &[
    "Summary",
    "Issue key",
    "Issue id",
    "Issue Type",
    "Status",
    "Project key",
    "Project name",
    "Project type",
    "Project lead",
    "Project lead id",
    "Priority",
    "Resolution",
    "Assignee",
    "Assignee Id",
    "Reporter",
    "Reporter Id",
    "Created",
    "Updated",
    "Resolved",
    "Due date",
    "Labels",
    "Labels",
    "Labels",
    "Description",
    "Original estimate",
    "Remaining Estimate",
    "Time Spent",
    "Custom field (Start date)",
    "Custom field (Story point estimate)",
    "Custom field (Rank)",
    "Parent",
    "Parent summary",
    "Status Category",
    "Comment",
    "Comment",
];

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Epic,
    Story,
    Task,
    Bug,
    SubTask,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Epic => "Epic",
            Kind::Story => "Story",
            Kind::Task => "Task",
            Kind::Bug => "Bug",
            Kind::SubTask => "Sub-task",
        }
    }
}

/// The structure of one issue; its text is rebuilt from its seed when written.
struct Shape {
    project: u16,
    kind: Kind,
    number: u32,
    parent: Option<u32>,
}

pub struct Person {
    pub name: String,
    pub account_id: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Generated {
    pub rows: usize,
    pub sub_tasks: usize,
    pub with_parent: usize,
    pub projects: usize,
    pub people: usize,
    pub bytes: u64,
}

/// Project keys and names of the first `n` projects (the OKR step links KRs to them).
pub fn project(n: usize) -> (String, String) {
    match PROJECTS.get(n) {
        Some((key, name)) => (key.to_string(), name.to_string()),
        None => (format!("PRJ{}", n + 1), format!("项目 Project {}", n + 1)),
    }
}

fn people(rng: &mut Rng, n: usize) -> Vec<Person> {
    (0..n)
        .map(|i| {
            let name = if i % 3 == 2 {
                format!("{} {}", rng.pick(FIRST_EN), rng.pick(LAST_EN))
            } else {
                format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN))
            };
            let account_id = format!(
                "712020:{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
                rng.next_u64() as u32,
                i,
                i % 4096,
                rng.below(4096),
                rng.next_u64() >> 16
            );
            Person { name, account_id }
        })
        .collect()
}

/// Project, type, number and parent of every issue, in creation order.
fn shapes(rng: &mut Rng, rows: usize, projects: usize) -> Vec<Shape> {
    let mut numbers = vec![0u32; projects];
    // Recent parent candidates per project: sub-tasks are made soon after their parent.
    let mut recent: Vec<Vec<u32>> = vec![Vec::new(); projects];
    let mut epics: Vec<Vec<u32>> = vec![Vec::new(); projects];
    let mut out = Vec::with_capacity(rows);
    for i in 0..rows {
        // Uneven project sizes, as in a real company: u^1.4 leans to the first projects.
        let project = ((rng.unit().powf(1.4)) * projects as f64) as usize % projects;
        let roll = rng.unit();
        let mut parent = None;
        let kind = if roll < 0.02 {
            Kind::Epic
        } else if roll < 0.18 && !recent[project].is_empty() {
            let candidates = &recent[project];
            parent = Some(candidates[rng.below(candidates.len() as u64) as usize]);
            Kind::SubTask
        } else if roll < 0.50 {
            if !epics[project].is_empty() && rng.chance(0.3) {
                parent = Some(*rng.pick(&epics[project]));
            }
            Kind::Story
        } else if roll < 0.70 {
            Kind::Bug
        } else {
            Kind::Task
        };
        numbers[project] += 1;
        match kind {
            Kind::Epic => epics[project].push(i as u32),
            Kind::SubTask => {}
            _ => {
                let r = &mut recent[project];
                r.push(i as u32);
                if r.len() > 200 {
                    r.remove(0);
                }
            }
        }
        out.push(Shape { project: project as u16, kind, number: numbers[project], parent });
    }
    out
}

fn jira_time(t: NaiveDateTime) -> String {
    t.format("%d/%b/%y %-I:%M %p").to_string()
}

fn jira_day(d: NaiveDate) -> String {
    format!("{} 12:00 AM", d.format("%d/%b/%y"))
}

/// Creation time of issue `i`: steady over 2023-01-01 … 2025-09-30, with jitter.
fn created(i: usize, rows: usize, rng: &mut Rng) -> NaiveDateTime {
    let start = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap().and_hms_opt(8, 0, 0).unwrap();
    let span = 1002 * 24 * 3600i64;
    start + Duration::seconds(span * i as i64 / rows.max(1) as i64 + rng.range(0, 600))
}

/// The title is the row's first draw, so a child can rebuild its parent's summary.
fn title(rng: &mut Rng) -> String {
    let (m_zh, m_en) = rng.pick(MODULES);
    let (a_zh, a_en) = rng.pick(ACTIONS);
    let (d_zh, d_en) = rng.pick(DETAILS);
    match rng.below(4) {
        0 => format!("{a_zh}{m_zh}{d_zh}"),
        1 => format!("{a_en} {m_en}: {d_en}"),
        2 => format!("[{m_en}] {a_zh}{d_zh}（{d_en}）"),
        _ => format!("{m_zh}模块 {d_zh} - {a_en} {d_en}"),
    }
}

fn row_rng(seed: u64, i: usize) -> Rng {
    Rng::new(seed ^ (i as u64).wrapping_mul(0xA24B_AED4_963E_E407))
}

fn description(rng: &mut Rng, kind: Kind) -> String {
    let (m_zh, m_en) = rng.pick(MODULES);
    let (d_zh, d_en) = rng.pick(DETAILS);
    let mut text = match rng.below(3) {
        0 => format!(
            "h3. 背景\n用户反馈{m_zh}{d_zh}，影响转化率。\n\nh3. 验收标准\n* 复现步骤写清楚\n* 修复后 P95 < 300ms"
        ),
        1 => format!(
            "As a user, I want the {m_en} flow to work without \"{d_en}\", so that I can finish my order.\n\nSteps: open app, go to {m_en}, wait."
        ),
        _ => format!(
            "{m_zh}：{d_zh}。Logs attached, see {{code}}GET /api/{m_en}?page=2{{code}}, 版本 5.{}.{}",
            rng.below(20),
            rng.below(10)
        ),
    };
    if kind == Kind::Epic {
        text.push_str("\n\n本 Epic 对应季度 OKR，拆分为多个 Story。");
    }
    text
}

/// Writes `rows` issues over `projects` projects; returns what was written.
pub fn write(out: impl Write, rows: usize, projects: usize, seed: u64) -> anyhow::Result<Generated> {
    let mut rng = Rng::new(seed);
    let people = people(&mut rng, (rows / 300).clamp(20, 400));
    let shapes = shapes(&mut rng, rows, projects);
    let leads: Vec<&Person> = (0..projects).map(|p| &people[p % people.len()]).collect();
    let mut w = csv::WriterBuilder::new().from_writer(out);
    w.write_record(HEADER)?;
    let mut summary = Generated { rows, sub_tasks: 0, with_parent: 0, projects, people: people.len(), bytes: 0 };
    for i in (0..rows).rev() {
        let shape = &shapes[i];
        let mut r = row_rng(seed, i);
        let summary_text = title(&mut r);
        let (key, name) = project(shape.project as usize);
        let made = created(i, rows, &mut r);
        let age = 1.0 - i as f64 / rows as f64;
        let (status, category) = if r.chance(0.25 + 0.65 * age) {
            ("Done", "Done")
        } else if r.chance(0.4) {
            ("In Progress", "In Progress")
        } else {
            ("To Do", "To Do")
        };
        let assignee = (!r.chance(0.15)).then(|| r.pick(&people));
        let reporter = r.pick(&people);
        let updated = made + Duration::minutes(r.range(1, 60 * 24 * 30));
        let resolved = (status == "Done").then_some(updated);
        let resolution = match status {
            "Done" if r.chance(0.05) => "Won't Do",
            "Done" => "Done",
            _ => "",
        };
        let due = r.chance(0.4).then(|| made.date() + Duration::days(r.range(3, 60)));
        let start = r.chance(0.2).then(|| made.date() + Duration::days(r.range(0, 5)));
        let mut labels: Vec<&str> = Vec::new();
        for _ in 0..r.below(4) {
            let l = *r.pick(LABELS);
            if !labels.contains(&l) {
                labels.push(l);
            }
        }
        labels.resize(3, "");
        let estimate = r.chance(0.6).then(|| 3600 * r.range(1, 40));
        let spent = estimate.filter(|_| status != "To Do").map(|e| e / 2);
        let points = if matches!(shape.kind, Kind::Story) { r.range(1, 13).to_string() } else { String::new() };
        let (parent_id, parent_summary) = match shape.parent {
            Some(p) => (format!("{}", 10000 + p), title(&mut row_rng(seed, p as usize))),
            None => (String::new(), String::new()),
        };
        summary.sub_tasks += usize::from(shape.kind == Kind::SubTask);
        summary.with_parent += usize::from(shape.parent.is_some());
        let mut comments = [String::new(), String::new()];
        let n_comments = if r.chance(0.10) { 2 } else { usize::from(r.chance(0.25)) };
        for (c, slot) in comments.iter_mut().enumerate().take(n_comments) {
            let who = r.pick(&people);
            let when = made + Duration::hours(r.range(1, 24 * 20) + c as i64);
            let body = if r.chance(0.5) {
                format!("已复现，原因是{}，今天修复。", r.pick(DETAILS).0)
            } else {
                format!(
                    "Looks like {}; [~accountid:{}] can you check, please?",
                    r.pick(DETAILS).1,
                    r.pick(&people).account_id
                )
            };
            *slot = format!("{};{};{}", jira_time(when), who.account_id, body);
        }
        let rank = format!("0|i{:05x}:", rows - i);
        let fields: Vec<String> = vec![
            summary_text,
            format!("{key}-{}", shape.number),
            format!("{}", 10000 + i),
            shape.kind.name().to_string(),
            status.to_string(),
            key.clone(),
            name,
            "software".to_string(),
            leads[shape.project as usize].name.clone(),
            leads[shape.project as usize].account_id.clone(),
            r.pick(PRIORITIES).to_string(),
            resolution.to_string(),
            assignee.map(|p| p.name.clone()).unwrap_or_default(),
            assignee.map(|p| p.account_id.clone()).unwrap_or_default(),
            reporter.name.clone(),
            reporter.account_id.clone(),
            jira_time(made),
            jira_time(updated),
            resolved.map(jira_time).unwrap_or_default(),
            due.map(jira_day).unwrap_or_default(),
            labels[0].to_string(),
            labels[1].to_string(),
            labels[2].to_string(),
            description(&mut r, shape.kind),
            estimate.map(|e| e.to_string()).unwrap_or_default(),
            estimate.map(|e| (e - spent.unwrap_or(0)).to_string()).unwrap_or_default(),
            spent.map(|s| s.to_string()).unwrap_or_default(),
            start.map(jira_day).unwrap_or_default(),
            points,
            rank,
            parent_id,
            parent_summary,
            category.to_string(),
            std::mem::take(&mut comments[0]),
            std::mem::take(&mut comments[1]),
        ];
        w.write_record(&fields)?;
    }
    w.flush()?;
    Ok(summary)
}

/// Writes the file and returns what it holds, with its size.
pub fn write_file(path: &std::path::Path, rows: usize, projects: usize, seed: u64) -> anyhow::Result<Generated> {
    let file = std::fs::File::create(path)?;
    let mut generated = write(std::io::BufWriter::with_capacity(1 << 20, file), rows, projects, seed)?;
    generated.bytes = std::fs::metadata(path)?.len();
    Ok(generated)
}

/// Runs Keel's own parser on a small file from the same generator, so a
/// generator the parser rejects fails in a second, not after a long import.
pub fn preflight(projects: usize, seed: u64) -> anyhow::Result<()> {
    let rows = 600;
    let mut bytes = Vec::new();
    let generated = write(&mut bytes, rows, projects, seed)?;
    let batch = keel_import::jira_csv::parse("preflight.csv", &bytes)
        .map_err(|e| anyhow::anyhow!("Keel's Jira parser rejects the generated CSV: {}", e.describe()))?;
    let tasks: usize = batch.projects.iter().map(|p| p.tasks.len()).sum();
    let parents = batch.projects.iter().flat_map(|p| &p.tasks).filter(|t| t.parent_external_id.is_some()).count();
    let comments = batch.projects.iter().flat_map(|p| &p.tasks).map(|t| t.comments.len()).sum::<usize>();
    anyhow::ensure!(
        tasks == rows && batch.skipped.is_empty() && batch.warnings.is_empty(),
        "Keel's Jira parser read {tasks} of {rows} generated rows, skipped {:?}, warned {:?}",
        batch.skipped.iter().take(3).collect::<Vec<_>>(),
        batch.warnings.iter().take(3).collect::<Vec<_>>()
    );
    anyhow::ensure!(
        parents == generated.with_parent,
        "parser kept {parents} parent links of {}",
        generated.with_parent
    );
    anyhow::ensure!(comments > 0, "parser found no comments in the generated file");
    Ok(())
}
