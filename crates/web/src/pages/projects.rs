//! The project pages: every visible project as a tree with progress, health
//! and the key results it supports; one project with its health reasons in
//! words, its sub-projects and its tasks (sub-tasks folded under parents).

use super::auth::PageActor;
use super::forms::FieldError;
use super::lookup::{Names, kr_titles};
use super::project_links::{KrLinks, LinkProblem};
use super::project_tabs::{ProjectTab, ProjectTabs};
use super::view::{self, Bar, Chrome};
use super::work_forms::{NewProject, NewSub, NewTask, ProjectForm, WorkFailed, project_forms};
use super::{OrPage, PageResult, render};
use crate::AppState;
use crate::i18n::{Msg, tf};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::Utc;
use keel_app::store::{Page, TaskFilter};
use keel_domain::health::HealthReason;
use keel_domain::org::Lang;
use keel_domain::work::{Project, StatusCategory, Task};
use keel_domain::{KeyResultId, ProjectId, TaskId};
use std::collections::HashMap;

pub struct KrLink {
    pub id: i64,
    pub title: String,
}

pub struct ProjectRow {
    id: i64,
    key: String,
    name: String,
    depth: usize,
    status: &'static str,
    health_class: &'static str,
    health: &'static str,
    pct: String,
    bar: Bar,
    krs: Vec<KrLink>,
}

#[derive(Template)]
#[template(path = "projects.html")]
struct ProjectsPage {
    c: Chrome,
    projects: Vec<ProjectRow>,
    /// The new-project form, for those who may write.
    new: Option<NewProject>,
    /// Admins may bring work in from other tools.
    can_import: bool,
}

/// Projects in tree order: each root followed by its sub-projects, with depth.
/// A project whose parent is hidden from the viewer shows as a root.
fn tree_order(projects: &[Project]) -> Vec<(&Project, usize)> {
    let visible: std::collections::HashSet<ProjectId> = projects.iter().map(|p| p.id).collect();
    let mut children: HashMap<ProjectId, Vec<&Project>> = HashMap::new();
    let mut stack: Vec<(&Project, usize)> = Vec::new();
    for p in projects.iter().rev() {
        match p.parent_id.filter(|parent| visible.contains(parent)) {
            Some(parent) => children.entry(parent).or_default().push(p),
            None => stack.push((p, 0)),
        }
    }
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    while let Some((p, depth)) = stack.pop() {
        if !seen.insert(p.id) {
            continue;
        }
        out.push((p, depth));
        if let Some(kids) = children.get(&p.id) {
            stack.extend(kids.iter().map(|k| (*k, depth + 1)));
        }
    }
    out
}

fn kr_links(ids: &[KeyResultId], titles: &HashMap<KeyResultId, String>) -> Vec<KrLink> {
    ids.iter().filter_map(|id| titles.get(id).map(|t| KrLink { id: id.0, title: t.clone() })).collect()
}

pub async fn list(State(state): State<AppState>, page: PageActor) -> PageResult {
    list_page(&state, &page, None).await
}

/// The project list; after a refused new-project form, that form filled in
/// again and status 422.
pub async fn list_page(state: &AppState, page: &PageActor, failed: Option<(ProjectForm, FieldError)>) -> PageResult {
    let (lang, app) = (page.lang, &state.app);
    let status = if failed.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let views = app.project_views(&page.actor).await.or_page(lang)?;
    let projects: Vec<Project> = views.iter().map(|v| v.project.clone()).collect();
    let all_krs: Vec<KeyResultId> = projects.iter().flat_map(|p| p.key_result_ids.iter().copied()).collect();
    let titles = kr_titles(app, &page.actor, &all_krs).await;
    let mut rows = Vec::new();
    for (p, depth) in tree_order(&projects) {
        let Some(v) = views.iter().find(|v| v.project.id == p.id) else { continue };
        let (health, health_class) = view::health(v.health.health);
        rows.push(ProjectRow {
            id: p.id.0,
            key: p.key.clone(),
            name: p.name.clone(),
            depth: depth.min(4),
            status: page.t(view::project_status(p.status)),
            health_class,
            health: page.t(health),
            pct: view::pct(v.progress),
            bar: Bar::new(v.progress, health_class),
            krs: kr_links(&p.key_result_ids, &titles),
        });
    }
    let new = NewProject::load(app, page, &projects, failed).await.or_page(lang)?;
    let mut c = page.chrome(page.t(Msg::ProjectsTitle));
    c.here = "/projects".into();
    Ok(render(status, &ProjectsPage { c, projects: rows, new, can_import: page.actor.is_admin() }))
}

pub struct TaskRow {
    id: i64,
    key: String,
    title: String,
    depth: usize,
    status: String,
    status_class: &'static str,
    assignee: String,
    due: String,
    overdue: Option<String>,
    blocked: bool,
    progress: String,
    cancelled: bool,
}

pub struct SubProject {
    id: i64,
    key: String,
    name: String,
}

#[derive(Template)]
#[template(path = "project.html")]
struct ProjectPage {
    c: Chrome,
    project_tabs: ProjectTabs,
    id: i64,
    /// The form binding key results, for those who may change the project.
    links: Option<KrLinks>,
    key: String,
    name: String,
    description: String,
    owner: String,
    start: String,
    target: String,
    status: &'static str,
    health_class: &'static str,
    health: &'static str,
    reasons: Vec<String>,
    pct: String,
    bar: Bar,
    open: usize,
    done: usize,
    overdue: usize,
    blocked: usize,
    krs: Vec<KrLink>,
    subs: Vec<SubProject>,
    tasks: Vec<TaskRow>,
    /// The new-task form, for those who may write.
    new_task: Option<NewTask>,
    /// The new sub-project form, for those who may change the project.
    new_sub: Option<NewSub>,
}

/// Tasks with each sub-task right under its parent, and its depth.
fn fold_tasks(tasks: &[Task]) -> Vec<(&Task, usize)> {
    let present: std::collections::HashSet<TaskId> = tasks.iter().map(|t| t.id).collect();
    let mut children: HashMap<TaskId, Vec<&Task>> = HashMap::new();
    let mut stack = Vec::new();
    for t in tasks.iter().rev() {
        match t.parent_id.filter(|p| present.contains(p)) {
            Some(parent) => children.entry(parent).or_default().push(t),
            None => stack.push((t, 0)),
        }
    }
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
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

/// A project and every visible project below it, the project first.
pub fn subtree(all: &[Project], root: ProjectId) -> Vec<ProjectId> {
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let parent = out[i];
        let kids: Vec<ProjectId> =
            all.iter().filter(|p| p.parent_id == Some(parent) && !out.contains(&p.id)).map(|p| p.id).collect();
        out.extend(kids);
        i += 1;
    }
    out
}

/// A task's progress as shown: done is 100 %, else what the assignee set.
pub fn task_progress(t: &Task) -> String {
    if t.category == StatusCategory::Done {
        "100%".into()
    } else {
        t.progress.map(view::pct).unwrap_or_else(|| "—".into())
    }
}

pub async fn detail(State(state): State<AppState>, page: PageActor, Path(id): Path<i64>) -> PageResult {
    detail_page(&state, &page, ProjectId(id), LinkProblem::Nothing).await
}

/// The project page; after a refused link form, its problem (422, or 409
/// when someone else changed the project first).
pub async fn detail_page(state: &AppState, page: &PageActor, id: ProjectId, problem: LinkProblem) -> PageResult {
    detail_page_with(state, page, id, problem, WorkFailed::Nothing).await
}

/// The project page, with a refused link form (422 or 409) or a refused
/// form that creates work (422) shown again.
pub async fn detail_page_with(
    state: &AppState,
    page: &PageActor,
    id: ProjectId,
    problem: LinkProblem,
    failed: WorkFailed,
) -> PageResult {
    let (lang, app) = (page.lang, &state.app);
    let status = match (&problem, &failed) {
        (LinkProblem::Conflict, _) => StatusCode::CONFLICT,
        (LinkProblem::Invalid(_), _) | (_, WorkFailed::Task(..) | WorkFailed::Sub(..)) => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        (LinkProblem::Nothing, WorkFailed::Nothing) => StatusCode::OK,
    };
    let v = app.project_view(&page.actor, id).await.or_page(lang)?;
    let all = app.list_projects(&page.actor, Page::ALL).await.or_page(lang)?;
    // The project and everything below it, for the task list.
    let filter =
        TaskFilter { project_ids: Some(subtree(&all, v.project.id)), without_descriptions: true, ..Default::default() };
    let (tasks, _) = app.list_tasks(&page.actor, filter, Page::ALL).await.or_page(lang)?;
    let names = Names::load(app, &page.actor).await.or_page(lang)?;
    let titles = kr_titles(app, &page.actor, &v.project.key_result_ids).await;
    let today = keel_app::clock::today_in(page.zone(), Utc::now());
    let reasons = health_reasons(lang, &v.health);
    let rows = fold_tasks(&tasks)
        .into_iter()
        .map(|(t, depth)| {
            let finished = t.category == StatusCategory::Done || t.cancelled;
            // Overdue once the due day has ended where the viewer is.
            let overdue = t
                .due_date
                .filter(|due| !finished && today > *due)
                .map(|due| tf(lang, Msg::OverdueDays, &[&(today - due).num_days()]));
            TaskRow {
                id: t.id.0,
                key: t.key.clone(),
                title: t.title.clone(),
                depth: depth.min(3),
                status: view::workflow_status(lang, &t.status),
                status_class: view::category_class(t.category),
                assignee: t.assignee_id.map(|a| names.of(Some(a))).unwrap_or_else(|| page.t(Msg::Unassigned).into()),
                due: view::opt_date(t.due_date),
                overdue,
                blocked: t.blocked,
                progress: task_progress(t),
                cancelled: t.cancelled,
            }
        })
        .collect();
    let p = &v.project;
    let (health, health_class) = view::health(v.health.health);
    let links = KrLinks::load(app, page, p, problem).await.or_page(lang)?;
    let (new_task, new_sub) = project_forms(app, page, p, &tasks, failed).await.or_page(lang)?;
    let mut c = page.chrome(format!("{} · {}", p.key, p.name));
    // Shown again after a refused POST: "back" is this page, not the form's target.
    c.here = format!("/projects/{}", p.id.0);
    let out = ProjectPage {
        c,
        project_tabs: ProjectTabs::new(lang, p.id.0, ProjectTab::Overview),
        id: p.id.0,
        links,
        key: p.key.clone(),
        name: p.name.clone(),
        description: view::markdown(&p.description),
        owner: names.of(p.owner_id),
        start: view::opt_date(p.start_date),
        target: view::opt_date(p.target_date),
        status: page.t(view::project_status(p.status)),
        health_class,
        health: page.t(health),
        reasons,
        pct: view::pct(v.progress),
        bar: Bar::new(v.progress, health_class),
        open: v.open_tasks,
        done: v.done_tasks,
        overdue: v.overdue_tasks,
        blocked: v.blocked_tasks,
        krs: kr_links(&p.key_result_ids, &titles),
        subs: all
            .iter()
            .filter(|s| s.parent_id == Some(p.id))
            .map(|s| SubProject { id: s.id.0, key: s.key.clone(), name: s.name.clone() })
            .collect(),
        tasks: rows,
        new_task,
        new_sub,
    };
    Ok(render(status, &out))
}

/// Every reason behind a project's health, in the reader's language.
pub(super) fn health_reasons(lang: Lang, health: &keel_domain::health::HealthReport) -> Vec<String> {
    health
        .reasons
        .iter()
        .map(|r| match r {
            HealthReason::Behind { expected, actual } => {
                tf(lang, Msg::ReasonBehind, &[&view::pct(*expected), &view::pct(*actual)])
            }
            HealthReason::PastTarget { days } => tf(lang, Msg::ReasonPastTarget, &[days]),
            HealthReason::Overdue { count } => tf(lang, Msg::ReasonOverdue, &[count]),
            HealthReason::Blocked { count } => tf(lang, Msg::ReasonBlocked, &[count]),
        })
        .collect()
}
