//! The kanban board of a project: one column per status of the project's
//! workflow, in order, holding the open tasks of the project and of its
//! sub-projects as cards; optional swimlanes by assignee or by key result;
//! WIP limits per column, marked when a column holds more; and a form on
//! each card that moves it (the script `assets/board.js` adds drag and drop
//! over the same request).
//!
//! Rules the page follows:
//! - A card is a task that is neither cancelled nor archived. Archived ones
//!   are loaded only on demand (`?archived=1`), [`ARCHIVED_PER_PAGE`] at a
//!   time (`&apage=`), shown marked, read-only and left out of the column
//!   counts.
//! - A sub-project with its own workflow: its task goes to the column of the
//!   same name (ignoring case), else the first column of the same category,
//!   else the first column; the card then names its own status. It may only
//!   move to statuses its own project has.
//! - Key-result lanes: a task supports its own key results and those of its
//!   project and every project above it (a linked project brings in its
//!   sub-projects, as the work roll-up counts). A task supporting several
//!   shows in each of their lanes; one supporting none in "No key result".
//! - Moving needs `can_edit_task`; the app checks again and its 403 / 409 is
//!   shown as a page (form) or as a localized message (script).

use super::auth::PageActor;
use super::forms::{self, FieldError};
use super::lookup::{Names, kr_titles};
use super::project_tabs::{ProjectTab, ProjectTabs};
use super::projects::{subtree, task_progress};
use super::view::{self, Chrome};
use super::{OrPage, PageError, PageResult, render};
use crate::AppState;
use crate::i18n::{self, Msg, tf};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use chrono::Utc;
use keel_app::store::{Page, TaskFilter};
use keel_app::work::ProjectPatch;
use keel_app::{AppError, access};
use keel_domain::work::{Project, StatusCategory, Task, WorkflowStatus};
use keel_domain::{KeyResultId, ProjectId, TaskId};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// The highest WIP limit the form accepts.
const WIP_MAX: u32 = 9999;
/// Archived cards shown per page when asked for (`?archived=1&apage=`).
pub const ARCHIVED_PER_PAGE: usize = 100;
/// Cards shown per column of a lane unless everything is asked for
/// (`?all=1`); the Done column shows the most recently changed first.
pub const CARDS_PER_CELL: usize = 100;

/// What the address asks to see: `?lanes=assignee|kr` and `?archived=1`.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BoardQuery {
    lanes: String,
    archived: String,
    apage: String,
    all: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lanes {
    None,
    Assignee,
    Kr,
}

impl Lanes {
    fn parse(s: &str) -> Lanes {
        match s.trim() {
            "assignee" => Lanes::Assignee,
            "kr" => Lanes::Kr,
            _ => Lanes::None,
        }
    }
    fn as_str(self) -> &'static str {
        match self {
            Lanes::None => "",
            Lanes::Assignee => "assignee",
            Lanes::Kr => "kr",
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Options {
    lanes: Lanes,
    archived: bool,
    /// The page of archived cards (from 1).
    apage: usize,
    /// Every card of every column, not only the first CARDS_PER_CELL.
    all: bool,
}

impl Options {
    fn parse(lanes: &str, archived: &str) -> Options {
        Options {
            lanes: Lanes::parse(lanes),
            archived: matches!(archived.trim(), "1" | "true" | "on"),
            apage: 1,
            all: false,
        }
    }

    /// The board's address with these options.
    fn href(self, project: i64) -> String {
        let mut query = Vec::new();
        if self.lanes != Lanes::None {
            query.push(format!("lanes={}", self.lanes.as_str()));
        }
        if self.archived {
            query.push("archived=1".to_string());
            if self.apage > 1 {
                query.push(format!("apage={}", self.apage));
            }
        }
        if self.all {
            query.push("all=1".to_string());
        }
        let query = if query.is_empty() { String::new() } else { format!("?{}", query.join("&")) };
        format!("/projects/{project}/board{query}")
    }
}

/// A swimlane switch.
pub struct Tab {
    value: &'static str,
    href: String,
    label: &'static str,
    on: bool,
}

/// Pages of archived cards.
pub struct ArchivedPager {
    text: String,
    prev: Option<String>,
    next: Option<String>,
}

pub struct Column {
    index: usize,
    name: String,
    label: String,
    class: &'static str,
    /// The limit as the page carries it; empty for none.
    wip: String,
    over: bool,
    count_text: String,
    aria: String,
    /// Tasks of the column counted but not shown as cards (over CARDS_PER_CELL),
    /// so the script's recount after a move stays true.
    hidden: usize,
}

pub struct StatusOption {
    name: String,
    label: String,
    selected: bool,
}

pub struct ParentLink {
    id: i64,
    key: String,
}

pub struct Card {
    id: i64,
    dom_id: String,
    key: String,
    title: String,
    version: i64,
    status: String,
    category: &'static str,
    project_id: i64,
    parent: Option<ParentLink>,
    /// The task's own status when its column has another name.
    status_note: Option<String>,
    assignee: String,
    due: Option<String>,
    /// "3 d overdue" in the viewer's zone; hidden while the task is done.
    overdue: Option<String>,
    finished: bool,
    blocked: bool,
    blocked_reason: Option<String>,
    labels: Vec<String>,
    /// What the progress line shows now ("100%" when done), if anything.
    progress: Option<String>,
    /// The assignee's own figure, shown again if the task leaves done.
    own_progress: String,
    archived: bool,
    movable: bool,
    statuses: Vec<StatusOption>,
    next: String,
}

pub struct Cell {
    col: usize,
    status: String,
    label: String,
    cards: Vec<Card>,
    /// Cards of this cell left out (over CARDS_PER_CELL).
    hidden: usize,
    /// "还有 12 张卡片……" with the address that shows them all.
    more: Option<(String, String)>,
}

pub struct Lane {
    id: String,
    title: Option<String>,
    /// "5 个任务" / "Tasks: 5".
    count: String,
    cells: Vec<Cell>,
}

pub struct WipField {
    id: String,
    label: String,
    value: String,
    invalid: bool,
}

/// The WIP limit form, for those who may change the project.
pub struct WipForm {
    version: i64,
    fields: Vec<WipField>,
    error: Option<String>,
    conflict: bool,
}

/// Why the board is shown again after the WIP form instead of redirecting.
pub enum WipProblem {
    Nothing,
    /// A limit that is not a whole number of at least 1 (`index`), or the
    /// application's refusal; with what was typed.
    Invalid {
        index: Option<usize>,
        text: String,
        typed: Vec<String>,
    },
    Conflict,
}

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage {
    c: Chrome,
    project_tabs: ProjectTabs,
    id: i64,
    key: String,
    name: String,
    script: String,
    lanes: &'static str,
    archived: bool,
    self_href: String,
    tabs: Vec<Tab>,
    archived_href: String,
    archived_label: &'static str,
    archived_pager: Option<ArchivedPager>,
    movable_any: bool,
    workflows: String,
    columns: Vec<Column>,
    rows: Vec<Lane>,
    wip: Option<WipForm>,
}

pub async fn board(
    State(state): State<AppState>,
    page: PageActor,
    Path(id): Path<i64>,
    Query(q): Query<BoardQuery>,
) -> PageResult {
    let opts = Options {
        apage: q.apage.trim().parse().unwrap_or(1).max(1),
        all: matches!(q.all.trim(), "1" | "true" | "on"),
        ..Options::parse(&q.lanes, &q.archived)
    };
    board_page(&state, &page, ProjectId(id), opts, WipProblem::Nothing).await
}

/// The column a task stands in: its status's name, else its category, else the first.
fn column_of(workflow: &[WorkflowStatus], t: &Task) -> usize {
    workflow
        .iter()
        .position(|s| s.name.eq_ignore_ascii_case(&t.status))
        .or_else(|| workflow.iter().position(|s| s.category == t.category))
        .unwrap_or(0)
}

/// Key results a task supports: its own, then its project's and every
/// visible project's above it, each once.
fn task_krs(t: &Task, projects: &HashMap<ProjectId, &Project>) -> Vec<KeyResultId> {
    let mut out: Vec<KeyResultId> = Vec::new();
    let mut add = |ids: &[KeyResultId]| {
        for id in ids {
            if !out.contains(id) {
                out.push(*id);
            }
        }
    };
    add(&t.key_result_ids);
    let mut seen = HashSet::new();
    let mut at = Some(t.project_id);
    while let Some(pid) = at {
        let Some(p) = projects.get(&pid).filter(|_| seen.insert(pid)) else { break };
        add(&p.key_result_ids);
        at = p.parent_id;
    }
    out
}

/// A typed WIP limit: blank is none, else a whole number from 1 to [`WIP_MAX`].
fn parse_wip(raw: &str) -> Result<Option<u32>, ()> {
    match forms::parse_number(raw) {
        Ok(None) => Ok(None),
        Ok(Some(n)) if n.fract() == 0.0 && (1.0..=WIP_MAX as f64).contains(&n) => Ok(Some(n as u32)),
        _ => Err(()),
    }
}

async fn board_page(
    state: &AppState,
    page: &PageActor,
    id: ProjectId,
    opts: Options,
    problem: WipProblem,
) -> PageResult {
    let (lang, app, actor) = (page.lang, &state.app, &page.actor);
    let status = match problem {
        WipProblem::Nothing => StatusCode::OK,
        WipProblem::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        WipProblem::Conflict => StatusCode::CONFLICT,
    };
    // A project the viewer may not see is not found, like its page.
    let project = app.get_project(actor, id).await.or_page(lang)?;
    let all = app.list_projects(actor, Page::ALL).await.or_page(lang)?;
    let ids = subtree(&all, project.id);
    let mut projects: HashMap<ProjectId, &Project> = all.iter().map(|p| (p.id, p)).collect();
    projects.insert(project.id, &project);
    let filter = TaskFilter {
        project_ids: Some(ids.clone()),
        include_archived: opts.archived,
        without_descriptions: true,
        ..Default::default()
    };
    let (tasks, _) = app.list_tasks(actor, filter, Page::ALL).await.or_page(lang)?;
    // Parents' keys from every task read, cancelled ones included.
    let mut keys: HashMap<TaskId, String> = tasks.iter().map(|t| (t.id, t.key.clone())).collect();
    let (mut tasks, mut archived): (Vec<Task>, Vec<Task>) =
        tasks.into_iter().filter(|t| !t.cancelled).partition(|t| !t.archived);
    // Archived cards only when asked for, a page at a time (by project, then number).
    let archived_pages = archived.len().div_ceil(ARCHIVED_PER_PAGE).max(1);
    let opts = Options { apage: opts.apage.min(archived_pages), ..opts };
    let archived_pager = if opts.archived {
        archived.sort_by_key(|t| (t.project_id, t.number));
        tasks.extend(archived.drain(..).skip((opts.apage - 1) * ARCHIVED_PER_PAGE).take(ARCHIVED_PER_PAGE));
        (archived_pages > 1).then(|| ArchivedPager {
            text: tf(lang, Msg::ListArchivedPage, &[&opts.apage, &archived_pages]),
            prev: (opts.apage > 1).then(|| Options { apage: opts.apage - 1, ..opts }.href(id.0)),
            next: (opts.apage < archived_pages).then(|| Options { apage: opts.apage + 1, ..opts }.href(id.0)),
        })
    } else {
        None
    };
    let names = Names::load(app, actor).await.or_page(lang)?;
    let today = keel_app::clock::today_in(page.zone(), Utc::now());
    let workflow = &project.workflow;

    // A parent not read (archived while the archive is hidden) is looked up.
    let missing: BTreeSet<TaskId> =
        tasks.iter().filter_map(|t| t.parent_id).filter(|p| !keys.contains_key(p)).collect();
    for parent in missing {
        if let Ok(p) = app.get_task(actor, parent).await {
            keys.insert(parent, p.key);
        }
    }

    // The columns and their counts (archived cards count for nothing).
    let column: Vec<usize> = tasks.iter().map(|t| column_of(workflow, t)).collect();
    let mut columns: Vec<Column> = workflow
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let count = tasks.iter().zip(&column).filter(|(t, c)| **c == i && !t.archived).count();
            let over = s.wip_limit.is_some_and(|w| count > w as usize);
            let (count_text, aria) = match s.wip_limit {
                None => (count.to_string(), tf(lang, Msg::ColumnCount, &[&count])),
                Some(w) => {
                    let msg = if over { Msg::ColumnOverWip } else { Msg::ColumnWip };
                    (format!("{count}/{w}"), tf(lang, msg, &[&count, &w]))
                }
            };
            Column {
                index: i,
                name: s.name.clone(),
                label: view::workflow_status(lang, &s.name),
                class: view::category_class(s.category),
                wip: s.wip_limit.map(|w| w.to_string()).unwrap_or_default(),
                over,
                count_text,
                aria,
                hidden: 0,
            }
        })
        .collect();

    // Lanes: (id, title, the tasks in it by index).
    let mut lanes: Vec<(String, Option<String>, Vec<usize>)> = Vec::new();
    match opts.lanes {
        Lanes::None => lanes.push(("all".into(), None, (0..tasks.len()).collect())),
        Lanes::Assignee => {
            let mut by: BTreeMap<(String, i64), Vec<usize>> = BTreeMap::new();
            let mut nobody = Vec::new();
            for (i, t) in tasks.iter().enumerate() {
                match t.assignee_id {
                    Some(a) => by.entry((names.of(Some(a)), a.0)).or_default().push(i),
                    None => nobody.push(i),
                }
            }
            for ((name, uid), members) in by {
                lanes.push((format!("user-{uid}"), Some(name), members));
            }
            if !nobody.is_empty() {
                lanes.push(("unassigned".into(), Some(page.t(Msg::Unassigned).into()), nobody));
            }
        }
        Lanes::Kr => {
            let supports: Vec<Vec<KeyResultId>> = tasks.iter().map(|t| task_krs(t, &projects)).collect();
            let mut wanted: Vec<KeyResultId> = supports.iter().flatten().copied().collect();
            wanted.sort();
            wanted.dedup();
            // Only key results the viewer can see have a title; others are not named.
            let titles = kr_titles(app, actor, &wanted).await;
            let mut by: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
            let mut none = Vec::new();
            for (i, krs) in supports.iter().enumerate() {
                let named: Vec<&KeyResultId> = krs.iter().filter(|k| titles.contains_key(k)).collect();
                if named.is_empty() {
                    none.push(i);
                }
                for k in named {
                    by.entry(k.0).or_default().push(i);
                }
            }
            for (kr, members) in by {
                lanes.push((format!("kr-{kr}"), titles.get(&KeyResultId(kr)).cloned(), members));
            }
            if !none.is_empty() {
                lanes.push(("nokr".into(), Some(page.t(Msg::NoKr).into()), none));
            }
        }
    }
    if lanes.is_empty() {
        // No task at all: the columns still show, empty.
        lanes.push(("all".into(), None, Vec::new()));
    }

    let base = opts.href(project.id.0);
    let mut movable_any = false;
    let mut rows = Vec::with_capacity(lanes.len());
    for (lane_id, title, members) in lanes {
        let mut cells: Vec<Cell> = columns
            .iter()
            .map(|col| Cell {
                col: col.index,
                status: col.name.clone(),
                label: match &title {
                    Some(t) => tf(lang, Msg::CellLabel, &[&col.label, t]),
                    None => col.label.clone(),
                },
                cards: Vec::new(),
                hidden: 0,
                more: None,
            })
            .collect();
        // Done cards newest first (the ones people look back at); others in task order.
        let mut members = members;
        members.sort_by_key(|&i| {
            let t = &tasks[i];
            if t.category == StatusCategory::Done { (1, -t.updated_at.timestamp_millis(), i) } else { (0, 0, i) }
        });
        // Archived cards are paged on their own and do not use up the cap.
        let mut open_shown = vec![0usize; cells.len()];
        for &i in &members {
            let t = &tasks[i];
            if !t.archived {
                if !opts.all && open_shown[column[i]] >= CARDS_PER_CELL {
                    cells[column[i]].hidden += 1;
                    continue;
                }
                open_shown[column[i]] += 1;
            }
            let own = projects.get(&t.project_id).copied().unwrap_or(&project);
            let movable = !t.archived && access::can_edit_task(actor, own, t);
            movable_any |= movable;
            let col = column[i];
            let finished = t.category == StatusCategory::Done;
            let dom_id = format!("card-{lane_id}-{}", t.id.0);
            let shown = task_progress(t);
            cells[col].cards.push(Card {
                id: t.id.0,
                key: t.key.clone(),
                title: t.title.clone(),
                version: t.version,
                status: t.status.clone(),
                category: view::category_class(t.category),
                project_id: t.project_id.0,
                parent: t.parent_id.and_then(|p| keys.get(&p).map(|key| ParentLink { id: p.0, key: key.clone() })),
                status_note: (!workflow[col].name.eq_ignore_ascii_case(&t.status))
                    .then(|| view::workflow_status(lang, &t.status)),
                assignee: t.assignee_id.map(|a| names.of(Some(a))).unwrap_or_else(|| page.t(Msg::Unassigned).into()),
                due: t.due_date.map(view::date),
                // Overdue once the due day has ended where the viewer is.
                overdue: t
                    .due_date
                    .filter(|due| today > *due)
                    .map(|due| tf(lang, Msg::OverdueDays, &[&(today - due).num_days()])),
                finished,
                blocked: t.blocked,
                blocked_reason: t.blocked_reason.clone().filter(|_| t.blocked),
                labels: t.labels.clone(),
                progress: (shown != "—").then_some(shown),
                own_progress: t.progress.map(view::pct).unwrap_or_default(),
                archived: t.archived,
                movable,
                statuses: own
                    .workflow
                    .iter()
                    .map(|s| StatusOption {
                        name: s.name.clone(),
                        label: view::workflow_status(lang, &s.name),
                        selected: s.name == t.status,
                    })
                    .collect(),
                next: format!("{base}#{dom_id}"),
                dom_id,
            });
        }
        for cell in cells.iter_mut().filter(|c| c.hidden > 0) {
            let href = format!("{}#lane-{lane_id}", Options { all: true, ..opts }.href(project.id.0));
            cell.more = Some((tf(lang, Msg::BoardMoreCards, &[&cell.hidden]), href));
        }
        rows.push(Lane { id: lane_id, title, count: tf(lang, Msg::ColumnCount, &[&members.len()]), cells });
    }

    // What each column counts but does not show.
    for col in columns.iter_mut() {
        let counted: HashSet<i64> =
            tasks.iter().zip(&column).filter(|(t, c)| **c == col.index && !t.archived).map(|(t, _)| t.id.0).collect();
        let shown: HashSet<i64> =
            rows.iter().flat_map(|lane| lane.cells[col.index].cards.iter().map(|c| c.id)).collect();
        col.hidden = counted.difference(&shown).count();
    }

    // Each project's statuses, so the script offers only the columns a card may go to.
    let workflows: serde_json::Map<String, serde_json::Value> = ids
        .iter()
        .filter_map(|pid| projects.get(pid))
        .map(|p| {
            let statuses: Vec<[&str; 2]> = p.workflow.iter().map(|s| [s.name.as_str(), s.category.as_str()]).collect();
            (p.id.0.to_string(), serde_json::json!(statuses))
        })
        .collect();

    let wip = if access::can_edit_project(actor, &project) {
        let (error, conflict, bad, typed) = match problem {
            WipProblem::Nothing => (None, false, None, None),
            WipProblem::Invalid { index, text, typed } => (Some(text), false, index, Some(typed)),
            WipProblem::Conflict => (Some(page.t(Msg::ErrConflict).to_string()), true, None, None),
        };
        let fields = workflow
            .iter()
            .enumerate()
            .map(|(i, s)| WipField {
                id: format!("wip-{i}"),
                label: tf(lang, Msg::WipLimitOf, &[&view::workflow_status(lang, &s.name)]),
                value: typed
                    .as_ref()
                    .and_then(|typed| typed.get(i).cloned())
                    .unwrap_or_else(|| s.wip_limit.map(|w| w.to_string()).unwrap_or_default()),
                invalid: bad == Some(i),
            })
            .collect();
        Some(WipForm { version: project.version, fields, error, conflict })
    } else {
        None
    };

    let tab = |lanes: Lanes, label: Msg| Tab {
        value: lanes.as_str(),
        href: Options { lanes, apage: 1, ..opts }.href(project.id.0),
        label: page.t(label),
        on: opts.lanes == lanes,
    };
    let mut c = page.chrome(format!("{} · {}", project.key, page.t(Msg::Board)));
    // Shown again after a refused POST: "back" is the board, not the form's target.
    c.here = base.clone();
    let out = BoardPage {
        c,
        project_tabs: ProjectTabs::new(lang, project.id.0, ProjectTab::Board),
        id: project.id.0,
        key: project.key.clone(),
        name: project.name.clone(),
        script: format!("/assets/board.js?v={:016x}", super::assets::BOARD_JS_HASH),
        lanes: opts.lanes.as_str(),
        archived: opts.archived,
        self_href: base,
        tabs: vec![
            tab(Lanes::None, Msg::LanesNone),
            tab(Lanes::Assignee, Msg::LanesAssignee),
            tab(Lanes::Kr, Msg::LanesKr),
        ],
        archived_href: Options { archived: !opts.archived, apage: 1, ..opts }.href(project.id.0),
        archived_pager,
        archived_label: page.t(if opts.archived { Msg::HideArchived } else { Msg::ShowArchived }),
        movable_any,
        workflows: serde_json::Value::Object(workflows).to_string(),
        columns,
        rows,
        wip,
    };
    Ok(render(status, &out))
}

/// The WIP limit form: `wip-{i}` for the i-th status of the workflow, with
/// the project's version; the board's options ride along for the way back.
pub async fn set_wip(
    State(state): State<AppState>,
    page: PageActor,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("");
    page.check_csrf(field("csrf"))?;
    let (lang, id) = (page.lang, ProjectId(id));
    let opts = Options::parse(field("lanes"), field("archived"));
    let project = state.app.get_project(&page.actor, id).await.or_page(lang)?;
    if !access::can_edit_project(&page.actor, &project) {
        return Err(PageError::app(lang, AppError::forbidden("you may not change this project")));
    }
    let typed: Vec<String> = (0..project.workflow.len()).map(|i| field(&format!("wip-{i}")).to_string()).collect();
    let mut workflow = project.workflow.clone();
    for (i, raw) in typed.iter().enumerate() {
        match parse_wip(raw) {
            Ok(limit) => workflow[i].wip_limit = limit,
            Err(()) => {
                let label = tf(lang, Msg::WipLimitOf, &[&view::workflow_status(lang, &workflow[i].name)]);
                let text = tf(lang, Msg::FieldProblem, &[&label, &i18n::t(lang, Msg::WhyWip)]);
                let problem = WipProblem::Invalid { index: Some(i), text, typed };
                return board_page(&state, &page, id, opts, problem).await;
            }
        }
    }
    // A missing or garbled version can only be stale.
    let version = field("version").trim().parse().unwrap_or(0);
    let patch = ProjectPatch { workflow: Some(workflow), version, ..Default::default() };
    match state.app.update_project(&page.actor, id, patch).await {
        Ok(_) => Ok(Redirect::to(&opts.href(id.0)).into_response()),
        Err(AppError::Conflict { .. }) => board_page(&state, &page, id, opts, WipProblem::Conflict).await,
        Err(AppError::Invalid { message, .. }) => {
            let text = FieldError::from_app(lang, "", None, &message).text;
            board_page(&state, &page, id, opts, WipProblem::Invalid { index: None, text, typed }).await
        }
        Err(e) => Err(PageError::app(lang, e)),
    }
}
