//! The Gantt chart of a project (`GET /projects/{id}/gantt`): the dated
//! tasks of the project and its sub-projects as bars on a time axis, its
//! milestones as diamonds, finish-to-start dependencies as arrows and the
//! critical path highlighted; and the request that changes a task's dates
//! (`POST /tasks/{id}/dates`), behind the per-row forms and the script
//! `assets/gantt.js` (drag a bar to move it, its right end to resize).
//!
//! Rules the page follows:
//! - Rows: for each project of the tree (the project first, then its
//!   sub-projects depth first), its dated milestones by date, then its dated
//!   tasks with each sub-task under its parent. A heading row names the
//!   project as soon as any row belongs to a sub-project. Cancelled and
//!   archived tasks are left out; tasks without dates are listed below the
//!   chart. At most [`ROWS_PER_PAGE`] rows per page (`?page=`).
//! - A bar covers a task's own days (`schedule::own_days`: start..=due, a
//!   task without a start is one day on its due date): x = days from the
//!   axis start × the zoom's pixels per day ([`Zoom::px`]), width = days ×
//!   pixels per day. The fill is the task's progress (a done task is full).
//!   A bar is overdue when its task is not done and its due day has ended in
//!   the viewer's time zone.
//! - The axis runs from a little before the earliest date shown to a little
//!   after the latest (whole weeks from Monday at week zoom, whole months at
//!   month zoom), and takes in today when today is within a month of them.
//!   Without `?zoom=` the zoom follows the span: days up to 45 days, weeks
//!   up to 240, months beyond.
//! - Slack and the critical path come from `keel_domain::schedule` over all
//!   the dated tasks of the tree (not only this page's); every task without
//!   slack is marked critical, and so is every dependency between two of
//!   them along which the successor starts right after its predecessor.
//!   A cycle among the dependencies is named instead.
//! - Moving needs `can_edit_task`; the application checks again, and refuses
//!   a start before a predecessor's due date, a finish after a successor's
//!   start, and a stale version. Its refusal is told in the reader's
//!   language, naming the other task.

use super::auth::PageActor;
use super::forms::{self, FieldError};
use super::project_tabs::{ProjectTab, ProjectTabs};
use super::projects::subtree;
use super::view;
use super::{OrPage, PageError, PageResult, render};
use crate::AppState;
use crate::i18n::{self, Msg, tf};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, Duration, NaiveDate, Utc, Weekday};
use keel_app::store::{Page, TaskFilter};
use keel_app::work::TaskPatch;
use keel_app::{AppError, access};
use keel_domain::org::Lang;
use keel_domain::schedule::{self, Job, Schedule, ScheduleError, own_days};
use keel_domain::work::{Project, ProjectMilestone, StatusCategory, Task};
use keel_domain::{ProjectId, TaskId};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};

/// Height of a row, in pixels (the labels beside the chart use the same).
pub const ROW: i64 = 32;
/// Height of the time axis above the first row.
pub const HEAD: i64 = 44;
const BAR_TOP: i64 = 7;
const BAR_HEIGHT: i64 = 18;
/// Rows per page of the chart.
pub const ROWS_PER_PAGE: usize = 200;
/// Tasks without dates listed under the chart, at most.
const UNDATED_SHOWN: usize = 200;
/// The axis never spans more days than this (a date decades off is cut at the edge).
const MAX_DAYS: i64 = 3660;
/// Room after the last day for the key written after a bar that ends there.
const LABEL_ROOM: i64 = 96;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zoom {
    Day,
    Week,
    Month,
}

impl Zoom {
    pub fn parse(s: &str) -> Option<Zoom> {
        match s.trim() {
            "day" => Some(Zoom::Day),
            "week" => Some(Zoom::Week),
            "month" => Some(Zoom::Month),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Zoom::Day => "day",
            Zoom::Week => "week",
            Zoom::Month => "month",
        }
    }

    /// Pixels per day.
    pub fn px(self) -> i64 {
        match self {
            Zoom::Day => 32,
            Zoom::Week => 12,
            Zoom::Month => 4,
        }
    }

    fn label(self) -> Msg {
        match self {
            Zoom::Day => Msg::GanttZoomDay,
            Zoom::Week => Msg::GanttZoomWeek,
            Zoom::Month => Msg::GanttZoomMonth,
        }
    }

    /// The zoom for a span of this many days when the address names none.
    fn auto(days: i64) -> Zoom {
        if days <= 45 {
            Zoom::Day
        } else if days <= 240 {
            Zoom::Week
        } else {
            Zoom::Month
        }
    }

    /// The axis's first and last day around the earliest and latest dates shown.
    fn bounds(self, first: NaiveDate, last: NaiveDate) -> (NaiveDate, NaiveDate) {
        match self {
            Zoom::Day => (first - Duration::days(2), last + Duration::days(2)),
            Zoom::Week => {
                let from = first - Duration::days(1);
                let to = last + Duration::days(1);
                (
                    from - Duration::days(from.weekday().num_days_from_monday() as i64),
                    to + Duration::days(6 - to.weekday().num_days_from_monday() as i64),
                )
            }
            Zoom::Month => (first.with_day(1).unwrap_or(first), next_month(last) - Duration::days(1)),
        }
    }
}

/// The first day of the month after `d`'s.
fn next_month(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 12 { (d.year() + 1, 1) } else { (d.year(), d.month() + 1) };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(d)
}

/// What the address asks for: `?zoom=day|week|month` and `?page=`.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct GanttQuery {
    zoom: String,
    page: String,
}

#[derive(Debug, Clone, Copy)]
struct Options {
    /// None: chosen from the span.
    zoom: Option<Zoom>,
    page: usize,
}

impl Options {
    fn parse(zoom: &str, page: &str) -> Options {
        Options { zoom: Zoom::parse(zoom), page: page.trim().parse().unwrap_or(1).max(1) }
    }

    fn href(self, project: i64) -> String {
        let mut query = Vec::new();
        if let Some(z) = self.zoom {
            query.push(format!("zoom={}", z.as_str()));
        }
        if self.page > 1 {
            query.push(format!("page={}", self.page));
        }
        let query = if query.is_empty() { String::new() } else { format!("?{}", query.join("&")) };
        format!("/projects/{project}/gantt{query}")
    }
}

pub struct Tab {
    value: &'static str,
    href: String,
    label: &'static str,
    on: bool,
}

/// One row of labels beside the chart.
pub struct LabelRow {
    /// "group", "milestone" or "task".
    kind: &'static str,
    dom_id: String,
    depth: usize,
    id: i64,
    key: String,
    title: String,
    /// A milestone's date.
    note: String,
    critical: bool,
    overdue: bool,
}

/// A label on the axis's upper band (months, or years at month zoom).
pub struct Band {
    x: i64,
    label_x: i64,
    label: String,
}

/// A column of the axis's lower band: a day, a week or a month.
pub struct Tick {
    x: i64,
    w: i64,
    label_x: i64,
    label: String,
    weekend: bool,
}

pub struct BarView {
    id: i64,
    key: String,
    class: String,
    x: i64,
    y: i64,
    w: i64,
    h: i64,
    fill_w: i64,
    handle_x: i64,
    label_x: i64,
    label_y: i64,
    tip: String,
    version: i64,
    start: String,
    due: String,
    movable: bool,
}

pub struct MilestoneView {
    id: i64,
    class: &'static str,
    d: String,
    label_x: i64,
    label_y: i64,
    title: String,
    tip: String,
}

pub struct ArrowView {
    from: i64,
    to: i64,
    d: String,
    critical: bool,
}

pub struct Chart {
    width: i64,
    height: i64,
    /// Height of the axis, of a row, and where a bar sits in its row.
    head: i64,
    row: i64,
    px: i64,
    axis_start: String,
    axis_end: String,
    today: String,
    today_x: Option<i64>,
    bands: Vec<Band>,
    ticks: Vec<Tick>,
    /// The y of every other row's stripe.
    stripes: Vec<i64>,
    bars: Vec<BarView>,
    milestones: Vec<MilestoneView>,
    arrows: Vec<ArrowView>,
}

pub struct DateForm {
    id: i64,
    key: String,
    title: String,
    version: i64,
    start: String,
    due: String,
    error: Option<String>,
}

pub struct UndatedRow {
    id: i64,
    key: String,
    title: String,
}

pub struct Pager {
    text: String,
    prev: Option<String>,
    next: Option<String>,
}

/// A refused date change shown again on the page: the task, what was
/// typed, and why.
pub struct Problem {
    status: StatusCode,
    task: i64,
    start: String,
    due: String,
    text: String,
}

#[derive(Template)]
#[template(path = "gantt.html")]
struct GanttPage {
    c: view::Chrome,
    project_tabs: ProjectTabs,
    id: i64,
    key: String,
    name: String,
    script: String,
    zoom: &'static str,
    page: usize,
    tabs: Vec<Tab>,
    chart_label: String,
    rows: Vec<LabelRow>,
    chart: Chart,
    empty: bool,
    critical_text: Option<String>,
    cycle_text: Option<String>,
    movable_any: bool,
    forms: Vec<DateForm>,
    undated: Vec<UndatedRow>,
    undated_more: Option<String>,
    problem: Option<String>,
    pager: Option<Pager>,
}

pub async fn gantt(
    State(state): State<AppState>,
    page: PageActor,
    Path(id): Path<i64>,
    Query(q): Query<GanttQuery>,
) -> PageResult {
    gantt_page(&state, &page, ProjectId(id), Options::parse(&q.zoom, &q.page), None).await
}

/// The projects of the tree in display order: each followed by its
/// sub-projects, depth first.
fn tree_order(all: &[Project], ids: &[ProjectId], root: ProjectId) -> Vec<ProjectId> {
    let inside: HashSet<ProjectId> = ids.iter().copied().collect();
    let mut out = Vec::new();
    let mut stack = vec![root];
    let mut seen = HashSet::new();
    while let Some(p) = stack.pop() {
        if !seen.insert(p) {
            continue;
        }
        out.push(p);
        let kids: Vec<ProjectId> =
            all.iter().filter(|x| x.parent_id == Some(p) && inside.contains(&x.id)).map(|x| x.id).collect();
        stack.extend(kids.into_iter().rev());
    }
    out
}

/// Tasks with each sub-task right under its parent, and its depth; a task
/// whose parent is not among them is a root.
fn fold<'a>(tasks: &[&'a Task]) -> Vec<(&'a Task, usize)> {
    let present: HashSet<TaskId> = tasks.iter().map(|t| t.id).collect();
    let mut children: HashMap<TaskId, Vec<&'a Task>> = HashMap::new();
    let mut stack = Vec::new();
    for t in tasks.iter().rev() {
        match t.parent_id.filter(|p| present.contains(p)) {
            Some(parent) => children.entry(parent).or_default().push(t),
            None => stack.push((*t, 0)),
        }
    }
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    while let Some((t, depth)) = stack.pop() {
        if !seen.insert(t.id) {
            continue;
        }
        out.push((t, depth));
        if let Some(kids) = children.get(&t.id) {
            stack.extend(kids.iter().map(|k| (*k, depth + 1)));
        }
    }
    out
}

enum RowSpec<'a> {
    Group(&'a Project),
    Milestone(&'a ProjectMilestone),
    Task(&'a Task, usize),
}

fn done(t: &Task) -> bool {
    t.category == StatusCategory::Done
}

fn month_label(lang: Lang, d: NaiveDate) -> String {
    match lang {
        Lang::Zh => format!("{}年{}月", d.year(), d.month()),
        Lang::En => d.format("%b %Y").to_string(),
    }
}

fn short_month(lang: Lang, d: NaiveDate) -> String {
    match lang {
        Lang::Zh => format!("{}月", d.month()),
        Lang::En => d.format("%b").to_string(),
    }
}

fn year_label(lang: Lang, d: NaiveDate) -> String {
    match lang {
        Lang::Zh => format!("{}年", d.year()),
        Lang::En => d.year().to_string(),
    }
}

/// The axis's two bands for a zoom.
fn axis(
    lang: Lang,
    zoom: Zoom,
    start: NaiveDate,
    end: NaiveDate,
    x: &dyn Fn(NaiveDate) -> i64,
) -> (Vec<Band>, Vec<Tick>) {
    let px = zoom.px();
    let after_end = end + Duration::days(1);
    let mut ticks = Vec::new();
    let mut bands = Vec::new();
    let band =
        |at: NaiveDate, label: String, bands: &mut Vec<Band>| bands.push(Band { x: x(at), label_x: x(at) + 4, label });
    match zoom {
        Zoom::Day => {
            let mut d = start;
            while d <= end {
                ticks.push(Tick {
                    x: x(d),
                    w: px,
                    label_x: x(d) + px / 2,
                    label: d.day().to_string(),
                    weekend: matches!(d.weekday(), Weekday::Sat | Weekday::Sun),
                });
                d += Duration::days(1);
            }
        }
        Zoom::Week => {
            let mut d = start;
            while d <= end {
                let next = (d + Duration::days(7)).min(after_end);
                ticks.push(Tick {
                    x: x(d),
                    w: x(next) - x(d),
                    label_x: x(d) + 3,
                    label: format!("{}/{}", d.month(), d.day()),
                    weekend: false,
                });
                d += Duration::days(7);
            }
        }
        Zoom::Month => {
            let mut d = start;
            while d <= end {
                let next = next_month(d).min(after_end);
                ticks.push(Tick {
                    x: x(d),
                    w: x(next) - x(d),
                    label_x: x(d) + 3,
                    label: short_month(lang, d),
                    weekend: false,
                });
                d = next_month(d);
            }
        }
    }
    // The upper band: months (years at month zoom), from each boundary, and
    // from the axis's start when the first boundary leaves room for it.
    type Boundary = fn(NaiveDate) -> NaiveDate;
    type Label = fn(Lang, NaiveDate) -> String;
    let (boundary, label): (Boundary, Label) = match zoom {
        Zoom::Month => (|d| NaiveDate::from_ymd_opt(d.year() + 1, 1, 1).unwrap_or(d), year_label),
        _ => (next_month, month_label),
    };
    let first = boundary(start);
    if x(first.min(after_end)) - x(start) >= 90 {
        band(start, label(lang, start), &mut bands);
    }
    let mut d = first;
    while d <= end {
        band(d, label(lang, d), &mut bands);
        d = boundary(d);
    }
    (bands, ticks)
}

/// An arrow from the predecessor's bar to the start of the successor's:
/// out of the bar's bottom (top, when the successor is above) just before
/// its end, so the key written after the bar stays clear, down (up) to the
/// successor's row and right to its start; or, when the successor starts
/// too soon for that, round through the gap between the rows.
/// `from` is the predecessor's (x start, x end, y middle), `to` the successor's.
fn arrow_path(from: (i64, i64, i64), to: (i64, i64, i64)) -> String {
    let ((x0, x1, y1), (x2, _, y2)) = (from, to);
    let sx = (x1 - 6).max(x0 + (x1 - x0) / 2);
    let down = y2 > y1;
    let edge = if down { y1 + BAR_HEIGHT / 2 } else { y1 - BAR_HEIGHT / 2 };
    if x2 - sx >= 6 {
        format!("M{sx},{edge} V{y2} H{x2}")
    } else {
        let ym = if down { y2 - ROW / 2 } else { y2 + ROW / 2 };
        format!("M{sx},{edge} V{ym} H{} V{y2} H{x2}", x2 - 8)
    }
}

async fn gantt_page(
    state: &AppState,
    page: &PageActor,
    id: ProjectId,
    opts: Options,
    problem: Option<Problem>,
) -> PageResult {
    let (lang, app, actor) = (page.lang, &state.app, &page.actor);
    let project = app.get_project(actor, id).await.or_page(lang)?;
    let all = app.list_projects(actor, Page::ALL).await.or_page(lang)?;
    let ids = subtree(&all, project.id);
    let mut projects: HashMap<ProjectId, &Project> = all.iter().map(|p| (p.id, p)).collect();
    projects.insert(project.id, &project);
    let filter = TaskFilter { project_ids: Some(ids.clone()), without_descriptions: true, ..Default::default() };
    let (tasks, _) = app.list_tasks(actor, filter, Page::ALL).await.or_page(lang)?;
    let tasks: Vec<Task> = tasks.into_iter().filter(|t| !t.cancelled && !t.archived).collect();
    let mut milestones: Vec<ProjectMilestone> = Vec::new();
    for pid in &ids {
        milestones.extend(app.list_milestones(actor, *pid).await.or_page(lang)?);
    }
    let today = keel_app::clock::today_in(page.zone(), Utc::now());
    let keys: HashMap<i64, &str> = tasks.iter().map(|t| (t.id.0, t.key.as_str())).collect();
    let key_of = |id: i64| keys.get(&id).map(|k| k.to_string()).unwrap_or_else(|| format!("#{id}"));

    // The schedule over every dated task of the tree.
    let jobs: Vec<Job> = tasks
        .iter()
        .map(|t| Job {
            id: t.id.0,
            start: t.start_date,
            due: t.due_date,
            depends_on: t.depends_on.iter().map(|d| d.0).collect(),
        })
        .collect();
    let (sched, cycle): (Option<Schedule>, Option<Vec<i64>>) = match schedule::schedule(&jobs) {
        Ok(s) => (Some(s), None),
        Err(ScheduleError::Cycle(c)) => (None, Some(c)),
    };
    let days = |t: &Task| own_days(t.start_date, t.due_date);

    // Rows, project by project.
    let order = tree_order(&all, &ids, project.id);
    type Content<'a> = (ProjectId, Vec<&'a ProjectMilestone>, Vec<(&'a Task, usize)>);
    let mut content: Vec<Content> = Vec::new();
    for pid in &order {
        let mut ms: Vec<&ProjectMilestone> =
            milestones.iter().filter(|m| m.project_id == *pid && m.due_date.is_some()).collect();
        ms.sort_by_key(|m| (m.due_date, m.id));
        let dated: Vec<&Task> = tasks.iter().filter(|t| t.project_id == *pid && days(t).is_some()).collect();
        let folded = fold(&dated);
        if !ms.is_empty() || !folded.is_empty() {
            content.push((*pid, ms, folded));
        }
    }
    let grouped = content.iter().any(|(pid, _, _)| *pid != project.id);
    let mut specs: Vec<RowSpec> = Vec::new();
    for (pid, ms, folded) in &content {
        if grouped && let Some(p) = projects.get(pid) {
            specs.push(RowSpec::Group(p));
        }
        specs.extend(ms.iter().map(|m| RowSpec::Milestone(m)));
        specs.extend(folded.iter().map(|&(t, depth)| RowSpec::Task(t, depth)));
    }
    let pages = specs.len().div_ceil(ROWS_PER_PAGE).max(1);
    let page_no = opts.page.min(pages);
    let shown: Vec<&RowSpec> = specs.iter().skip((page_no - 1) * ROWS_PER_PAGE).take(ROWS_PER_PAGE).collect();

    // The axis.
    let mut dates: Vec<NaiveDate> = Vec::new();
    for spec in &shown {
        match spec {
            RowSpec::Task(t, _) => dates.extend(days(t).into_iter().flat_map(|(s, f)| [s, f])),
            RowSpec::Milestone(m) => dates.extend(m.due_date),
            RowSpec::Group(_) => {}
        }
    }
    let (mut first, mut last) = match (dates.iter().min(), dates.iter().max()) {
        (Some(a), Some(b)) => (*a, *b),
        _ => (today, today + Duration::days(14)),
    };
    if today >= first - Duration::days(31) && today <= last + Duration::days(31) {
        first = first.min(today);
        last = last.max(today);
    }
    let zoom = opts.zoom.unwrap_or_else(|| Zoom::auto((last - first).num_days() + 1));
    let px = zoom.px();
    let (axis_start, mut axis_end) = zoom.bounds(first, last);
    if (axis_end - axis_start).num_days() + 1 > MAX_DAYS {
        axis_end = axis_start + Duration::days(MAX_DAYS - 1);
    }
    let total_days = (axis_end - axis_start).num_days() + 1;
    let width = total_days * px + LABEL_ROOM;
    let x = |d: NaiveDate| (d - axis_start).num_days().clamp(0, total_days) * px;
    let (bands, ticks) = axis(lang, zoom, axis_start, axis_end, &x);
    let row_top = |i: usize| HEAD + i as i64 * ROW;
    let height = HEAD + shown.len().max(1) as i64 * ROW;

    // Bars, diamonds and labels.
    let mut rows = Vec::with_capacity(shown.len());
    let mut bars = Vec::new();
    let mut diamonds = Vec::new();
    let mut placed: HashMap<i64, (i64, i64, i64)> = HashMap::new(); // task → (x start, x end, y middle)
    let mut movable_any = false;
    let mut forms_out = Vec::new();
    let problem_for = |task: i64| problem.as_ref().filter(|p| p.task == task);
    for (i, spec) in shown.iter().enumerate() {
        let top = row_top(i);
        let mid = top + ROW / 2;
        match spec {
            RowSpec::Group(p) => rows.push(LabelRow {
                kind: "group",
                dom_id: format!("row-project-{}", p.id.0),
                depth: 0,
                id: p.id.0,
                key: p.key.clone(),
                title: p.name.clone(),
                note: String::new(),
                critical: false,
                overdue: false,
            }),
            RowSpec::Milestone(m) => {
                let due = m.due_date.unwrap_or(today);
                let cx = x(due) + px / 2;
                diamonds.push(MilestoneView {
                    id: m.id.0,
                    class: if m.done { "gantt-milestone done" } else { "gantt-milestone" },
                    d: format!("M{cx},{} L{},{mid} L{cx},{} L{},{mid} Z", mid - 8, cx + 8, mid + 8, cx - 8),
                    label_x: cx + 12,
                    label_y: mid + 4,
                    title: m.title.clone(),
                    tip: tf(lang, Msg::GanttMilestoneTitle, &[&view::date(due), &m.title]),
                });
                rows.push(LabelRow {
                    kind: "milestone",
                    dom_id: format!("row-milestone-{}", m.id.0),
                    depth: 0,
                    id: m.id.0,
                    key: String::new(),
                    title: m.title.clone(),
                    note: view::date(due),
                    critical: false,
                    overdue: false,
                });
            }
            RowSpec::Task(t, depth) => {
                let Some((start, finish)) = days(t) else { continue };
                let x0 = x(start);
                let x1 = x(finish + Duration::days(1)).max(x0 + 1);
                let slot = sched.as_ref().and_then(|s| s.slot(t.id.0));
                let critical = slot.is_some_and(|s| s.critical());
                let overdue = !done(t) && finish < today;
                let pushed = slot.is_some_and(|s| s.pushed_days() > 0);
                let share = if done(t) { 1.0 } else { t.progress.unwrap_or(0.0).clamp(0.0, 1.0) };
                let own = projects.get(&t.project_id).copied().unwrap_or(&project);
                let movable = access::can_edit_task(actor, own, t);
                movable_any |= movable;
                let mut class = String::from("gantt-task");
                for (on, name) in [
                    (critical, " critical"),
                    (overdue, " overdue"),
                    (done(t), " done"),
                    (movable, " movable"),
                    (pushed, " pushed"),
                ] {
                    if on {
                        class.push_str(name);
                    }
                }
                let mut tip =
                    tf(lang, Msg::GanttBarTitle, &[&t.key, &t.title, &view::date(start), &view::date(finish)]);
                let mut notes = Vec::new();
                match slot {
                    Some(s) if s.critical() => notes.push(i18n::t(lang, Msg::GanttOnCritical).to_string()),
                    Some(s) => notes.push(tf(lang, Msg::GanttSlack, &[&s.slack])),
                    None => {}
                }
                if pushed {
                    notes.push(i18n::t(lang, Msg::GanttPushed).to_string());
                }
                if overdue {
                    notes.push(tf(lang, Msg::OverdueDays, &[&(today - finish).num_days()]));
                }
                if !notes.is_empty() {
                    tip.push_str(if lang == Lang::Zh { "（" } else { " (" });
                    tip.push_str(&notes.join(if lang == Lang::Zh { "；" } else { "; " }));
                    tip.push_str(if lang == Lang::Zh { "）" } else { ")" });
                }
                bars.push(BarView {
                    id: t.id.0,
                    key: t.key.clone(),
                    class,
                    x: x0,
                    y: top + BAR_TOP,
                    w: x1 - x0,
                    h: BAR_HEIGHT,
                    fill_w: ((x1 - x0) as f64 * share).round() as i64,
                    handle_x: x1 - 6,
                    label_x: x1 + 6,
                    label_y: mid + 4,
                    tip,
                    version: t.version,
                    start: view::date(start),
                    due: view::date(finish),
                    movable,
                });
                placed.insert(t.id.0, (x0, x1, mid));
                rows.push(LabelRow {
                    kind: "task",
                    dom_id: format!("row-{}", t.id.0),
                    depth: (*depth).min(3),
                    id: t.id.0,
                    key: t.key.clone(),
                    title: t.title.clone(),
                    note: String::new(),
                    critical,
                    overdue,
                });
                if movable {
                    let typed = problem_for(t.id.0);
                    forms_out.push(DateForm {
                        id: t.id.0,
                        key: t.key.clone(),
                        title: t.title.clone(),
                        version: t.version,
                        start: typed
                            .map(|p| p.start.clone())
                            .unwrap_or_else(|| t.start_date.map(view::date).unwrap_or_default()),
                        due: typed
                            .map(|p| p.due.clone())
                            .unwrap_or_else(|| t.due_date.map(view::date).unwrap_or_default()),
                        error: typed.map(|p| p.text.clone()),
                    });
                }
            }
        }
    }

    // Arrows between the tasks on this page.
    let edges: Vec<(i64, i64)> = match &sched {
        Some(s) => s.edges.clone(),
        None => tasks.iter().flat_map(|t| t.depends_on.iter().map(move |d| (t.id.0, d.0))).collect(),
    };
    let arrows: Vec<ArrowView> = edges
        .iter()
        .filter_map(|&(task, dep)| {
            let (from, to) = (placed.get(&dep)?, placed.get(&task)?);
            Some(ArrowView {
                from: dep,
                to: task,
                d: arrow_path(*from, *to),
                critical: sched.as_ref().is_some_and(|s| s.is_critical_edge(task, dep)),
            })
        })
        .collect();

    // Tasks without dates, and their forms.
    let undated_all: Vec<&Task> = tasks.iter().filter(|t| days(t).is_none()).collect();
    let undated: Vec<UndatedRow> = undated_all
        .iter()
        .take(UNDATED_SHOWN)
        .map(|t| UndatedRow { id: t.id.0, key: t.key.clone(), title: t.title.clone() })
        .collect();
    for t in undated_all.iter().take(UNDATED_SHOWN) {
        let own = projects.get(&t.project_id).copied().unwrap_or(&project);
        if access::can_edit_task(actor, own, t) {
            movable_any = true;
            let typed = problem_for(t.id.0);
            forms_out.push(DateForm {
                id: t.id.0,
                key: t.key.clone(),
                title: t.title.clone(),
                version: t.version,
                start: typed.map(|p| p.start.clone()).unwrap_or_default(),
                due: typed.map(|p| p.due.clone()).unwrap_or_default(),
                error: typed.map(|p| p.text.clone()),
            });
        }
    }
    let undated_more = (undated_all.len() > UNDATED_SHOWN)
        .then(|| tf(lang, Msg::GanttUndatedMore, &[&(undated_all.len() - UNDATED_SHOWN)]));

    let critical_text = sched.as_ref().and_then(|s| {
        let first = s.slot(*s.critical_path.first()?)?;
        let finish = s.finish?;
        let names: Vec<String> = s.critical_path.iter().map(|id| key_of(*id)).collect();
        Some(tf(
            lang,
            Msg::GanttCriticalPath,
            &[
                &names.join(" → "),
                &((finish - first.earliest_start).num_days() + 1),
                &view::date(first.earliest_start),
                &view::date(finish),
            ],
        ))
    });
    let cycle_text = cycle.map(|c| {
        let names: Vec<String> = c.iter().map(|id| key_of(*id)).collect();
        tf(lang, Msg::GanttCycle, &[&names.join(" → ")])
    });

    let effective = Options { zoom: Some(zoom), page: page_no };
    let self_href = effective.href(project.id.0);
    let tab = |z: Zoom| Tab {
        value: z.as_str(),
        href: Options { zoom: Some(z), page: page_no }.href(project.id.0),
        label: page.t(z.label()),
        on: z == zoom,
    };
    let pager = (pages > 1).then(|| Pager {
        text: tf(lang, Msg::GanttPage, &[&page_no, &pages]),
        prev: (page_no > 1).then(|| Options { zoom: Some(zoom), page: page_no - 1 }.href(project.id.0)),
        next: (page_no < pages).then(|| Options { zoom: Some(zoom), page: page_no + 1 }.href(project.id.0)),
    });
    let today_x = (today >= axis_start && today <= axis_end).then(|| x(today) + px / 2);
    let status = problem.as_ref().map(|p| p.status).unwrap_or(StatusCode::OK);
    let mut c = page.chrome(format!("{} · {}", project.key, page.t(Msg::Gantt)));
    // After a refused POST "back" is the chart, and the chart follows every project it shows.
    c.here = self_href;
    c.watch = ids.iter().take(500).map(|p| format!("project:{}", p.0)).collect::<Vec<_>>().join(",");
    let out = GanttPage {
        project_tabs: ProjectTabs::new(lang, project.id.0, ProjectTab::Gantt),
        c,
        id: project.id.0,
        key: project.key.clone(),
        name: project.name.clone(),
        script: format!("/assets/gantt.js?v={:016x}", super::assets::GANTT_JS_HASH),
        zoom: zoom.as_str(),
        page: page_no,
        tabs: vec![tab(Zoom::Day), tab(Zoom::Week), tab(Zoom::Month)],
        chart_label: tf(lang, Msg::GanttChartLabel, &[&format!("{} {}", project.key, project.name)]),
        empty: shown.is_empty(),
        rows,
        chart: Chart {
            width,
            height,
            head: HEAD,
            row: ROW,
            px,
            axis_start: view::date(axis_start),
            axis_end: view::date(axis_end),
            today: view::date(today),
            today_x,
            bands,
            ticks,
            stripes: (0..shown.len()).filter(|i| i % 2 == 1).map(row_top).collect(),
            bars,
            milestones: diamonds,
            arrows,
        },
        critical_text,
        cycle_text,
        movable_any,
        forms: forms_out,
        undated,
        undated_more,
        problem: problem.map(|p| p.text),
        pager,
    };
    Ok(render(status, &out))
}

// ---------------------------------------------------------------------------
// Changing a task's dates.

#[derive(Deserialize)]
pub struct DatesForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    start_date: String,
    #[serde(default)]
    due_date: String,
    /// The project whose chart sent the form (the chart to go back to).
    #[serde(default)]
    view: String,
    #[serde(default)]
    zoom: String,
    #[serde(default)]
    page: String,
}

/// Why a date change was refused: an error page (not found, forbidden, a
/// lost session) or words for the chart (409, 422).
enum Refused {
    Page(PageError),
    Said { status: StatusCode, text: String },
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("application/json"))
}

fn json(status: StatusCode, body: serde_json::Value) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Sets a task's start and due dates (blank clears one) at the version the
/// form was made from. A form is answered with a redirect to the chart it
/// came from, or that chart again with the refusal (409/422); the script
/// (`Accept: application/json`) gets `{id, key, version, start_date,
/// due_date, message}` or `{error: {code, message}}`, the message in the
/// reader's language.
pub async fn set_dates(
    State(state): State<AppState>,
    page: PageActor,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Form(form): Form<DatesForm>,
) -> Response {
    let json_wanted = wants_json(&headers);
    let lang = page.lang;
    let fail = |e: PageError| if json_wanted { e.into_json() } else { e.into_response() };
    if let Err(e) = page.check_csrf(&form.csrf) {
        return fail(e);
    }
    let task = match state.app.get_task(&page.actor, TaskId(id)).await {
        Ok(t) => t,
        Err(e) => return fail(PageError::app(lang, e)),
    };
    let view_id = form.view.trim().parse::<i64>().map(ProjectId).unwrap_or(task.project_id);
    let opts = Options::parse(&form.zoom, &form.page);
    match save_dates(&state, &page, &task, &form).await {
        Ok(saved) if json_wanted => {
            let (start, due) = (view::opt_date(saved.start_date), view::opt_date(saved.due_date));
            json(
                StatusCode::OK,
                serde_json::json!({
                    "id": saved.id.0,
                    "key": saved.key,
                    "version": saved.version,
                    "start_date": saved.start_date,
                    "due_date": saved.due_date,
                    "message": tf(lang, Msg::GanttSaved, &[&saved.key, &start, &due]),
                }),
            )
        }
        Ok(_) => Redirect::to(&format!("{}#row-{id}", opts.href(view_id.0))).into_response(),
        Err(Refused::Page(e)) => fail(e),
        Err(Refused::Said { status, text }) if json_wanted => {
            let code = if status == StatusCode::CONFLICT { "conflict" } else { "invalid" };
            json(status, serde_json::json!({ "error": { "code": code, "message": text } }))
        }
        Err(Refused::Said { status, text }) => {
            let problem = Problem {
                status,
                task: id,
                start: form.start_date.trim().into(),
                due: form.due_date.trim().into(),
                text,
            };
            match gantt_page(&state, &page, view_id, opts, Some(problem)).await {
                Ok(response) => response,
                Err(e) => e.into_response(),
            }
        }
    }
}

async fn save_dates(state: &AppState, page: &PageActor, task: &Task, form: &DatesForm) -> Result<Task, Refused> {
    let lang = page.lang;
    let said = |e: FieldError| Refused::Said { status: StatusCode::UNPROCESSABLE_ENTITY, text: e.text };
    let start = forms::date(lang, "start_date", Msg::StartDate, &form.start_date).map_err(said)?;
    let due = forms::date(lang, "due_date", Msg::DueDate, &form.due_date).map_err(said)?;
    if let (Some(s), Some(d)) = (start, due)
        && d < s
    {
        return Err(said(FieldError::new(lang, "due_date", Some(Msg::DueDate), i18n::t(lang, Msg::WhyEndBeforeStart))));
    }
    // A missing or garbled version can only be stale.
    let version = form.version.trim().parse().unwrap_or(0);
    let patch = TaskPatch { start_date: Some(start), due_date: Some(due), version, ..Default::default() };
    match state.app.update_task(&page.actor, task.id, patch).await {
        Ok(saved) => Ok(saved),
        Err(AppError::Conflict { .. }) => {
            Err(Refused::Said { status: StatusCode::CONFLICT, text: page.t(Msg::ErrConflict).to_string() })
        }
        Err(AppError::Invalid { field, message }) => {
            let text = explain(state, page, task, (start, due), &field, &message).await;
            Err(Refused::Said { status: StatusCode::UNPROCESSABLE_ENTITY, text })
        }
        Err(e) => Err(Refused::Page(PageError::app(lang, e))),
    }
}

/// The application's refusal in the reader's language. A date refused for
/// a dependency is explained by the same rule the application applies
/// (`schedule::blocking_predecessor` / `blocking_successor`) over the
/// project's tasks, naming the task in the way.
async fn explain(
    state: &AppState,
    page: &PageActor,
    task: &Task,
    (start, due): (Option<NaiveDate>, Option<NaiveDate>),
    field: &str,
    message: &str,
) -> String {
    let lang = page.lang;
    let fallback = || FieldError::from_app(lang, "", None, message).text;
    if field == "depends_on"
        && let Some((_, names)) = message.split_once("cycle: ")
    {
        return tf(lang, Msg::WhyDependencyCycle, &[&names]);
    }
    let Some((first, last)) = own_days(start, due) else { return fallback() };
    if field != "start_date" && field != "due_date" {
        return fallback();
    }
    let filter = TaskFilter { project_ids: Some(vec![task.project_id]), include_archived: true, ..Default::default() };
    let Ok((tasks, _)) = state.app.list_tasks(&page.actor, filter, Page::ALL).await else { return fallback() };
    let counted = |t: &&Task| !t.cancelled;
    if field == "start_date" {
        let preds: Vec<(&Task, NaiveDate)> = tasks
            .iter()
            .filter(|t| task.depends_on.contains(&t.id))
            .filter(counted)
            .filter_map(|t| own_days(t.start_date, t.due_date).map(|(_, l)| (t, l)))
            .collect();
        if let Some((id, day)) = schedule::blocking_predecessor(first, preds.iter().map(|(t, l)| (t.id.0, *l)))
            && let Some((p, _)) = preds.iter().find(|(t, _)| t.id.0 == id)
        {
            return tf(
                lang,
                Msg::GanttBeforePredecessor,
                &[&task.key, &p.key, &view::date(day), &view::date(day + Duration::days(1))],
            );
        }
    } else {
        let succs: Vec<(&Task, NaiveDate)> = tasks
            .iter()
            .filter(|t| t.depends_on.contains(&task.id))
            .filter(counted)
            .filter_map(|t| own_days(t.start_date, t.due_date).map(|(f, _)| (t, f)))
            .collect();
        if let Some((id, day)) = schedule::blocking_successor(last, succs.iter().map(|(t, f)| (t.id.0, *f)))
            && let Some((s, _)) = succs.iter().find(|(t, _)| t.id.0 == id)
        {
            return tf(lang, Msg::GanttAfterSuccessor, &[&task.key, &s.key, &view::date(day)]);
        }
    }
    fallback()
}
