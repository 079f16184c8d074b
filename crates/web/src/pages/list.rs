//! The list view of a project (`GET /projects/{id}/list`): its tasks as a
//! tree, each top-level task a row with its sub-tasks folded under it in a
//! `<details>` (works without script), with how many there are and how many
//! are done.
//!
//! Rules the page follows:
//! - A top-level task is one whose parent is not in the list (none, or
//!   hidden from the viewer, or left out by the options). Every task below
//!   it (sub-tasks and theirs) is folded under it; the count in the summary
//!   covers them all, and "done" means the done category (not cancelled).
//! - `?show=open|done` and `?due=YYYY-MM-DD` keep a top-level task when it
//!   or any task below it matches; its fold still shows all of them.
//!   "Open" is neither done nor cancelled.
//! - `?sort=number|due|priority` orders top-level tasks and, the same way,
//!   the tasks inside each fold: due date (undated last) or priority
//!   (highest first), then number.
//! - Archived tasks only with `?archived=1`; the tasks of sub-projects only
//!   with `?include=sub`. Only what the viewer may see is listed.
//! - Paged on the server by top-level tasks, [`PER_PAGE`] a page (`?page=`).
//! - Overdue: not done or cancelled, and the due day has ended in the
//!   viewer's time zone.

use super::auth::PageActor;
use super::lookup::Names;
use super::project_tabs::{ProjectTab, ProjectTabs};
use super::projects::{subtree, task_progress};
use super::view::{self, Bar, Chrome};
use super::{OrPage, PageResult, render};
use crate::AppState;
use crate::i18n::{Msg, tf};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{NaiveDate, Utc};
use keel_app::store::{Page, TaskFilter};
use keel_domain::work::{StatusCategory, Task};
use keel_domain::{ProjectId, TaskId};
use serde::Deserialize;
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

/// Top-level tasks per page.
pub const PER_PAGE: usize = 100;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    sort: String,
    show: String,
    archived: String,
    include: String,
    due: String,
    page: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sort {
    Number,
    Due,
    Priority,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Show {
    All,
    Open,
    Done,
}

#[derive(Debug, Clone, Copy)]
struct Options {
    sort: Sort,
    show: Show,
    archived: bool,
    sub: bool,
    due: Option<NaiveDate>,
    page: usize,
}

impl Options {
    fn parse(q: &ListQuery) -> Options {
        let on = |s: &str| matches!(s.trim(), "1" | "true" | "on");
        Options {
            sort: match q.sort.trim() {
                "due" => Sort::Due,
                "priority" => Sort::Priority,
                _ => Sort::Number,
            },
            show: match q.show.trim() {
                "open" => Show::Open,
                "done" => Show::Done,
                _ => Show::All,
            },
            archived: on(&q.archived),
            sub: q.include.trim() == "sub",
            due: NaiveDate::parse_from_str(q.due.trim(), "%Y-%m-%d").ok(),
            page: q.page.trim().parse().unwrap_or(1).max(1),
        }
    }

    /// The list's address with these options (the defaults left out).
    fn href(self, project: i64) -> String {
        let mut q = Vec::new();
        match self.sort {
            Sort::Number => {}
            Sort::Due => q.push("sort=due".to_string()),
            Sort::Priority => q.push("sort=priority".to_string()),
        }
        match self.show {
            Show::All => {}
            Show::Open => q.push("show=open".into()),
            Show::Done => q.push("show=done".into()),
        }
        if self.archived {
            q.push("archived=1".into());
        }
        if self.sub {
            q.push("include=sub".into());
        }
        if let Some(d) = self.due {
            q.push(format!("due={}", view::date(d)));
        }
        if self.page > 1 {
            q.push(format!("page={}", self.page));
        }
        let q = if q.is_empty() { String::new() } else { format!("?{}", q.join("&")) };
        format!("/projects/{project}/list{q}")
    }
}

pub struct Choice {
    id: String,
    href: String,
    label: &'static str,
    on: bool,
}

pub struct Row {
    id: i64,
    key: String,
    title: String,
    depth: usize,
    status: String,
    status_class: &'static str,
    assignee: String,
    priority: &'static str,
    priority_class: &'static str,
    due: String,
    overdue: Option<String>,
    progress: String,
    bar: Bar,
    blocked: bool,
    cancelled: bool,
    archived: bool,
}

pub struct TopRow {
    row: Row,
    subs: Vec<Row>,
    /// "3 sub-tasks, 1 done".
    sub_text: String,
}

pub struct Pager {
    text: String,
    prev: Option<String>,
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage {
    c: Chrome,
    project_tabs: ProjectTabs,
    id: i64,
    key: String,
    name: String,
    sorts: Vec<Choice>,
    shows: Vec<Choice>,
    archived_href: String,
    archived_label: &'static str,
    sub_href: Option<String>,
    sub_label: &'static str,
    due_text: Option<String>,
    clear_due: String,
    rows: Vec<TopRow>,
    pager: Option<Pager>,
}

fn is_done(t: &Task) -> bool {
    t.category == StatusCategory::Done
}

fn matches(t: &Task, o: &Options) -> bool {
    let shown = match o.show {
        Show::All => true,
        Show::Open => !is_done(t) && !t.cancelled,
        Show::Done => is_done(t),
    };
    shown && o.due.is_none_or(|d| t.due_date == Some(d))
}

/// The order of tasks under the chosen sort; `rank` places each project.
fn compare(sort: Sort, rank: &HashMap<ProjectId, usize>, a: &Task, b: &Task) -> Ordering {
    let by_number = || (rank.get(&a.project_id), a.number, a.id).cmp(&(rank.get(&b.project_id), b.number, b.id));
    match sort {
        Sort::Number => by_number(),
        Sort::Due => match (a.due_date, b.due_date) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
        .then_with(by_number),
        Sort::Priority => b.priority.cmp(&a.priority).then_with(by_number),
    }
}

pub async fn list(
    State(state): State<AppState>,
    page: PageActor,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let (lang, app, actor) = (page.lang, &state.app, &page.actor);
    let opts = Options::parse(&q);
    let project = app.get_project(actor, ProjectId(id)).await.or_page(lang)?;
    let all = app.list_projects(actor, Page::ALL).await.or_page(lang)?;
    let tree = subtree(&all, project.id);
    let has_subs = tree.len() > 1;
    let ids = if opts.sub { tree } else { vec![project.id] };
    let rank: HashMap<ProjectId, usize> = ids.iter().enumerate().map(|(i, p)| (*p, i)).collect();
    let filter = TaskFilter {
        project_ids: Some(ids),
        include_archived: opts.archived,
        without_descriptions: true,
        ..Default::default()
    };
    let (mut tasks, _) = app.list_tasks(actor, filter, Page::ALL).await.or_page(lang)?;
    tasks.retain(|t| opts.archived || !t.archived);
    tasks.sort_by(|a, b| compare(opts.sort, &rank, a, b));
    let names = Names::load(app, actor).await.or_page(lang)?;
    let today = keel_app::clock::today_in(page.zone(), Utc::now());

    // The tree: children by parent, in the chosen order.
    let present: HashSet<TaskId> = tasks.iter().map(|t| t.id).collect();
    let mut children: HashMap<TaskId, Vec<usize>> = HashMap::new();
    let mut tops = Vec::new();
    for (i, t) in tasks.iter().enumerate() {
        match t.parent_id.filter(|p| present.contains(p) && *p != t.id) {
            Some(p) => children.entry(p).or_default().push(i),
            None => tops.push(i),
        }
    }
    // Every task below a top-level one, depth first, with its depth (1 = child).
    let below = |top: usize| -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut seen = HashSet::from([tasks[top].id]);
        let mut stack: Vec<(usize, usize)> =
            children.get(&tasks[top].id).into_iter().flatten().rev().map(|&i| (i, 1)).collect();
        while let Some((i, depth)) = stack.pop() {
            if !seen.insert(tasks[i].id) {
                continue;
            }
            out.push((i, depth));
            if let Some(kids) = children.get(&tasks[i].id) {
                stack.extend(kids.iter().rev().map(|&k| (k, depth + 1)));
            }
        }
        out
    };
    let kept: Vec<(usize, Vec<(usize, usize)>)> = tops
        .into_iter()
        .map(|top| (top, below(top)))
        .filter(|(top, subs)| matches(&tasks[*top], &opts) || subs.iter().any(|(i, _)| matches(&tasks[*i], &opts)))
        .collect();

    let total = kept.len();
    let pages = total.div_ceil(PER_PAGE).max(1);
    let page_no = opts.page.min(pages);
    let row = |t: &Task, depth: usize| {
        let finished = is_done(t) || t.cancelled;
        let category = view::category_class(t.category);
        let fraction = if is_done(t) { 1.0 } else { t.progress.unwrap_or(0.0) };
        Row {
            id: t.id.0,
            key: t.key.clone(),
            title: t.title.clone(),
            depth: depth.min(4),
            status: view::workflow_status(lang, &t.status),
            status_class: category,
            assignee: t.assignee_id.map(|a| names.of(Some(a))).unwrap_or_else(|| page.t(Msg::Unassigned).into()),
            priority: page.t(view::priority(t.priority)),
            priority_class: t.priority.as_str(),
            due: view::opt_date(t.due_date),
            overdue: t
                .due_date
                .filter(|due| !finished && today > *due)
                .map(|due| tf(lang, Msg::OverdueDays, &[&(today - due).num_days()])),
            progress: task_progress(t),
            bar: Bar::new(fraction, category),
            blocked: t.blocked,
            cancelled: t.cancelled,
            archived: t.archived,
        }
    };
    let rows: Vec<TopRow> = kept
        .iter()
        .skip((page_no - 1) * PER_PAGE)
        .take(PER_PAGE)
        .map(|(top, subs)| {
            let done = subs.iter().filter(|(i, _)| is_done(&tasks[*i])).count();
            TopRow {
                row: row(&tasks[*top], 0),
                subs: subs.iter().map(|(i, depth)| row(&tasks[*i], *depth)).collect(),
                sub_text: tf(lang, Msg::ListSubCount, &[&subs.len(), &done]),
            }
        })
        .collect();

    let pid = project.id.0;
    let at = |o: Options| o.href(pid);
    let pager = (pages > 1).then(|| Pager {
        text: tf(lang, Msg::ListPage, &[&page_no, &pages, &total]),
        prev: (page_no > 1).then(|| at(Options { page: page_no - 1, ..opts })),
        next: (page_no < pages).then(|| at(Options { page: page_no + 1, ..opts })),
    });
    let first = Options { page: 1, ..opts };
    let sorts = [
        (Sort::Number, "number", Msg::ListSortNumber),
        (Sort::Due, "due", Msg::ListSortDue),
        (Sort::Priority, "priority", Msg::ListSortPriority),
    ]
    .into_iter()
    .map(|(s, name, label)| Choice {
        id: format!("list-sort-{name}"),
        href: at(Options { sort: s, ..first }),
        label: page.t(label),
        on: opts.sort == s,
    })
    .collect();
    let shows = [
        (Show::All, "all", Msg::ListShowAll),
        (Show::Open, "open", Msg::ListShowOpen),
        (Show::Done, "done", Msg::ListShowDone),
    ]
    .into_iter()
    .map(|(s, name, label)| Choice {
        id: format!("list-show-{name}"),
        href: at(Options { show: s, ..first }),
        label: page.t(label),
        on: opts.show == s,
    })
    .collect();
    let mut c = page.chrome(format!("{} · {}", project.key, page.t(Msg::ListTitle)));
    c.here = at(opts);
    let out = ListPage {
        c,
        project_tabs: ProjectTabs::new(lang, pid, ProjectTab::List),
        id: pid,
        key: project.key.clone(),
        name: project.name.clone(),
        sorts,
        shows,
        archived_href: at(Options { archived: !opts.archived, ..first }),
        archived_label: page.t(if opts.archived { Msg::HideArchived } else { Msg::ShowArchived }),
        sub_href: (has_subs || opts.sub).then(|| at(Options { sub: !opts.sub, ..first })),
        sub_label: page.t(if opts.sub { Msg::ListOwnOnly } else { Msg::ListIncludeSub }),
        due_text: opts.due.map(|d| tf(lang, Msg::ListDueOn, &[&view::date(d)])),
        clear_due: at(Options { due: None, ..first }),
        rows,
        pager,
    };
    Ok(render(StatusCode::OK, &out))
}
