//! Work use cases: projects (a tree bound to key results), tasks with
//! sub-tasks and finish-to-start dependencies, comments and worklogs.

use crate::access::{self, require, require_writer};
use crate::auth::Actor;
use crate::okr::{check_version, save, visible_key_result};
use crate::patch::{self, nullable};
use crate::recent::TasksKey;
use crate::record::record;
use crate::store::{Page, TaskFilter, Tx};
use crate::{App, AppError, AppResult};
use chrono::{NaiveDate, Utc};
use keel_domain::deps::{creates_parent_cycle, find_dependency_cycle};
use keel_domain::health::{self, HealthInput, HealthReport};
use keel_domain::progress::WorkProgress;
use keel_domain::rollup::WorkIndex;
use keel_domain::schedule::{blocking_predecessor, blocking_successor, own_days};
use keel_domain::text::{self, BODY_MAX, NAME_MAX, TITLE_MAX};
use keel_domain::work::*;
use keel_domain::*;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::Arc;

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProjectInput {
    /// 2–10 letters or digits, e.g. RET; task keys become RET-1, RET-2 …
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub parent_id: Option<ProjectId>,
    #[serde(default)]
    pub owner_id: Option<UserId>,
    #[serde(default)]
    pub unit_id: Option<UnitId>,
    #[serde(default)]
    pub status: Option<ProjectStatus>,
    #[serde(default)]
    pub start_date: Option<NaiveDate>,
    #[serde(default)]
    pub target_date: Option<NaiveDate>,
    #[serde(default)]
    pub private: bool,
    /// Defaults to To do / In progress / In review / Done.
    #[serde(default)]
    pub workflow: Option<Vec<WorkflowStatus>>,
    /// Key results this project supports.
    #[serde(default)]
    pub key_result_ids: Vec<KeyResultId>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProjectPatch {
    pub name: Option<String>,
    pub description: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub parent_id: Option<Option<ProjectId>>,
    #[serde(default, deserialize_with = "nullable")]
    pub owner_id: Option<Option<UserId>>,
    #[serde(default, deserialize_with = "nullable")]
    pub unit_id: Option<Option<UnitId>>,
    pub status: Option<ProjectStatus>,
    #[serde(default, deserialize_with = "nullable")]
    pub start_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "nullable")]
    pub target_date: Option<Option<NaiveDate>>,
    pub private: Option<bool>,
    pub workflow: Option<Vec<WorkflowStatus>>,
    pub key_result_ids: Option<Vec<KeyResultId>>,
    pub archived: Option<bool>,
    pub version: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TaskInput {
    pub project_id: ProjectId,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// One of the project's statuses; defaults to the first.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub priority: Option<Priority>,
    #[serde(default)]
    pub assignee_id: Option<UserId>,
    #[serde(default)]
    pub start_date: Option<NaiveDate>,
    #[serde(default)]
    pub due_date: Option<NaiveDate>,
    #[serde(default)]
    pub estimate: Option<f64>,
    /// Fraction done (0.5 = 50 %), for long tasks; done means 1.
    #[serde(default)]
    pub progress: Option<f64>,
    #[serde(default)]
    pub parent_id: Option<TaskId>,
    #[serde(default)]
    pub labels: Vec<String>,
    #[serde(default)]
    pub key_result_ids: Vec<KeyResultId>,
    #[serde(default)]
    pub depends_on: Vec<TaskId>,
    #[serde(default)]
    pub blocked: bool,
    #[serde(default)]
    pub blocked_reason: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TaskPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub status: Option<String>,
    pub blocked: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    pub blocked_reason: Option<Option<String>>,
    pub priority: Option<Priority>,
    #[serde(default, deserialize_with = "nullable")]
    pub assignee_id: Option<Option<UserId>>,
    #[serde(default, deserialize_with = "nullable")]
    pub start_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "nullable")]
    pub due_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "nullable")]
    pub estimate: Option<Option<f64>>,
    /// Fraction done (0.5 = 50 %).
    #[serde(default, deserialize_with = "nullable")]
    pub progress: Option<Option<f64>>,
    #[serde(default, deserialize_with = "nullable")]
    pub parent_id: Option<Option<TaskId>>,
    pub labels: Option<Vec<String>>,
    pub key_result_ids: Option<Vec<KeyResultId>>,
    pub depends_on: Option<Vec<TaskId>>,
    pub cancelled: Option<bool>,
    pub archived: Option<bool>,
    pub version: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CommentInput {
    /// Markdown.
    pub body: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WorklogInput {
    pub day: NaiveDate,
    pub hours: f64,
    #[serde(default)]
    pub note: String,
}

/// A project with the numbers its page shows.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectView {
    #[serde(flatten)]
    pub project: Project,
    /// Share of estimate done over the project and its sub-projects.
    pub progress: f64,
    pub health: HealthReport,
    pub open_tasks: usize,
    pub done_tasks: usize,
    pub overdue_tasks: usize,
    pub blocked_tasks: usize,
}

/// A task with everything its page shows.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskDetail {
    #[serde(flatten)]
    pub task: Task,
    pub overdue_days: i64,
    pub sub_tasks: Vec<Task>,
    pub comments: Vec<Comment>,
    pub worklogs: Vec<Worklog>,
}

pub(crate) async fn visible_project(tx: &mut dyn Tx, actor: &Actor, id: ProjectId) -> AppResult<Project> {
    let project = tx.get_project(id).await?.ok_or(AppError::NotFound("project"))?;
    if !access::can_see_project(actor, &project) {
        return Err(AppError::NotFound("project"));
    }
    Ok(project)
}

pub(crate) async fn visible_task(tx: &mut dyn Tx, actor: &Actor, id: TaskId) -> AppResult<(Project, Task)> {
    let task = tx.get_task(id).await?.ok_or(AppError::NotFound("task"))?;
    let project = visible_project(tx, actor, task.project_id).await.map_err(|_| AppError::NotFound("task"))?;
    Ok((project, task))
}

/// Keeps only the key results the actor may see, so hidden links never show.
pub(crate) async fn visible_krs(tx: &mut dyn Tx, actor: &Actor, ids: &[KeyResultId]) -> AppResult<Vec<KeyResultId>> {
    if actor.is_admin() {
        return Ok(ids.to_vec());
    }
    let mut out = Vec::new();
    for id in ids {
        if visible_key_result(tx, actor, *id).await.is_ok() {
            out.push(*id);
        }
    }
    Ok(out)
}

/// Task lists shorter than this are not kept between requests.
const KEPT_FROM: usize = 1000;

/// Up to this many changes since a kept task list are applied to it; more,
/// and the list is read again in full.
const PATCHED_UP_TO: usize = 100;

/// Changes that leave every task row and what a viewer may see as they were.
const UNRELATED_TO_TASKS: [&str; 7] =
    ["comment", "check_in", "kr_comment", "kr_item", "saved_view", "api_token", "custom_field"];

/// A kept whole-project list brought from change `since` to the key's:
/// tasks named by task changes are re-read (and dropped, moved or added as
/// they now are), or None when another kind of change happened (a project,
/// a key result, a person's units: what the viewer may see could differ)
/// or too many did.
async fn patch_tasks(
    tx: &mut dyn Tx,
    actor: &Actor,
    key: &TasksKey,
    since: i64,
    kept: &[Task],
) -> AppResult<Option<Vec<Task>>> {
    let changes = tx.list_changes_after(since, PATCHED_UP_TO as i64 + 1).await?;
    if changes.len() > PATCHED_UP_TO {
        return Ok(None);
    }
    let mut changed: HashSet<TaskId> = HashSet::new();
    // On PostgreSQL later commits may show in this read; they are re-read too, harmlessly.
    for change in &changes {
        match change.entity.as_str() {
            "task" => {
                changed.insert(TaskId(change.entity_id));
            }
            entity if UNRELATED_TO_TASKS.contains(&entity) => {}
            _ => return Ok(None),
        }
    }
    let mut fresh = Vec::new();
    let mut seen_projects: HashSet<ProjectId> = HashSet::new();
    for id in &changed {
        let Some(mut task) = tx.get_task(*id).await? else { continue };
        if key.projects.binary_search(&task.project_id).is_err() || (task.archived && !key.include_archived) {
            continue;
        }
        // The full read only returns tasks of projects the viewer sees.
        if !seen_projects.contains(&task.project_id) {
            if visible_project(tx, actor, task.project_id).await.is_err() {
                continue;
            }
            seen_projects.insert(task.project_id);
        }
        task.description = String::new();
        fresh.push(task);
    }
    let mut tasks: Vec<Task> = kept.iter().filter(|t| !changed.contains(&t.id)).cloned().collect();
    for task in hide_unseen_krs(tx, actor, fresh).await? {
        // Kept in the store's order: by project, then number.
        let at = tasks.partition_point(|t| (t.project_id, t.number) < (task.project_id, task.number));
        tasks.insert(at, task);
    }
    Ok(Some(tasks))
}

/// Whether a listing asks for whole projects as boards and charts do: every
/// task, no description, no narrower filter.
fn is_whole_projects(filter: &TaskFilter, page: Page) -> bool {
    page.offset == 0
        && page.limit == Page::ALL.limit
        && filter.without_descriptions
        && filter.assignee_id.is_none()
        && filter.parent_id.is_none()
}

/// Drops from tasks the KR links the actor may not see, asking about each
/// linked key result once (a board's thousands of tasks share a few dozen).
async fn hide_unseen_krs(tx: &mut dyn Tx, actor: &Actor, mut tasks: Vec<Task>) -> AppResult<Vec<Task>> {
    if actor.is_admin() {
        return Ok(tasks);
    }
    let mut linked: Vec<KeyResultId> = tasks.iter().flat_map(|t| t.key_result_ids.iter().copied()).collect();
    linked.sort();
    linked.dedup();
    let seen: HashSet<KeyResultId> = visible_krs(tx, actor, &linked).await?.into_iter().collect();
    for t in &mut tasks {
        t.key_result_ids.retain(|k| seen.contains(k));
    }
    Ok(tasks)
}

/// The new link list: what the actor sent (each must be visible) plus the
/// links they cannot see, which they must not be able to remove either.
async fn merge_kr_links(
    tx: &mut dyn Tx,
    actor: &Actor,
    existing: &[KeyResultId],
    sent: &[KeyResultId],
) -> AppResult<Vec<KeyResultId>> {
    let mut out = Vec::new();
    for id in sent {
        visible_key_result(tx, actor, *id)
            .await
            .map_err(|_| AppError::invalid("key_result_ids", format!("no key result with id {id}")))?;
        if !out.contains(id) {
            out.push(*id);
        }
    }
    let seen = visible_krs(tx, actor, existing).await?;
    let hidden: Vec<KeyResultId> =
        existing.iter().filter(|id| !seen.contains(id) && !out.contains(id)).copied().collect();
    out.extend(hidden);
    Ok(out)
}

fn check_workflow(workflow: &[WorkflowStatus]) -> AppResult<()> {
    if workflow.is_empty() {
        return Err(AppError::invalid("workflow", "needs at least one status"));
    }
    let mut names = HashSet::new();
    for status in workflow {
        text::required("workflow", &status.name, 100)?;
        if !names.insert(status.name.trim().to_lowercase()) {
            return Err(AppError::invalid("workflow", format!("status {:?} appears twice", status.name)));
        }
    }
    Ok(())
}

fn check_hours(field: &str, v: Option<f64>) -> AppResult<()> {
    if v.is_some_and(|h| !h.is_finite() || h < 0.0) {
        return Err(AppError::invalid(field, "must be a number of at least 0"));
    }
    Ok(())
}

fn check_task_fields(t: &Task) -> AppResult<()> {
    check_hours("estimate", t.estimate)?;
    if t.progress.is_some_and(|p| !(0.0..=1.0).contains(&p)) {
        return Err(AppError::invalid("progress", "must be a fraction between 0 and 1 (0.5 is 50 %)"));
    }
    if let (Some(start), Some(due)) = (t.start_date, t.due_date)
        && due < start
    {
        return Err(AppError::invalid("due_date", "must not be before start_date"));
    }
    text::limit("description", &t.description, BODY_MAX)?;
    for label in &t.labels {
        text::required("labels", label, 100)?;
    }
    if t.blocked && t.blocked_reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
        return Err(AppError::invalid("blocked_reason", "say what blocks the task"));
    }
    Ok(())
}

/// Status must be one of the project's; the category comes from the workflow.
fn resolve_status(project: &Project, name: Option<&str>) -> AppResult<(String, StatusCategory)> {
    let status = match name {
        None => project.workflow.first(),
        Some(name) => project.workflow.iter().find(|s| s.name.eq_ignore_ascii_case(name.trim())),
    };
    status.map(|s| (s.name.clone(), s.category)).ok_or_else(|| {
        let names: Vec<&str> = project.workflow.iter().map(|s| s.name.as_str()).collect();
        AppError::invalid("status", format!("must be one of: {}", names.join(", ")))
    })
}

/// Parent and dependencies must stay inside the project and never loop.
async fn check_task_graph(tx: &mut dyn Tx, t: &Task) -> AppResult<()> {
    if let Some(parent) = t.parent_id {
        let parent_task = tx.get_task(parent).await?.ok_or_else(|| AppError::invalid("parent_id", "no such task"))?;
        if parent_task.project_id != t.project_id {
            return Err(AppError::invalid("parent_id", "a sub-task lives in its parent's project"));
        }
        let tasks = tx
            .list_tasks(
                &TaskFilter { project_ids: Some(vec![t.project_id]), include_archived: true, ..Default::default() },
                None,
                Page::ALL,
            )
            .await?;
        let parent_of = |id: i64| tasks.iter().find(|x| x.id.0 == id).and_then(|x| x.parent_id.map(|p| p.0));
        if t.id.0 != 0 && creates_parent_cycle(t.id.0, parent.0, parent_of) {
            return Err(AppError::invalid("parent_id", "a task cannot be its own ancestor"));
        }
    }
    if t.depends_on.is_empty() {
        return Ok(());
    }
    let mut edges: Vec<(i64, i64)> = tx
        .list_dependencies(t.project_id)
        .await?
        .into_iter()
        .filter(|(task, _)| *task != t.id)
        .map(|(a, b)| (a.0, b.0))
        .collect();
    for dep in &t.depends_on {
        let other = tx
            .get_task(*dep)
            .await?
            .ok_or_else(|| AppError::invalid("depends_on", format!("no task with id {dep}")))?;
        if other.project_id != t.project_id {
            return Err(AppError::invalid("depends_on", "dependencies stay inside one project"));
        }
        if let Some(cycle) = find_dependency_cycle(&edges, (t.id.0, dep.0)) {
            let mut names = Vec::new();
            for id in cycle {
                let key = if id == t.id.0 {
                    t.key.clone()
                } else {
                    tx.get_task(TaskId(id)).await?.map(|x| x.key).unwrap_or_default()
                };
                names.push(if key.is_empty() { format!("#{id}") } else { key });
            }
            return Err(AppError::invalid(
                "depends_on",
                format!("this dependency would make a cycle: {}", names.join(" → ")),
            ));
        }
        edges.push((t.id.0, dep.0));
    }
    Ok(())
}

/// Finish-to-start on the calendar, checked when a task's dates change: it
/// may not start on or before the last day of a task it depends on, nor
/// finish on or after the first day of a task depending on it (each side
/// only when that end moved). Days as `schedule::own_days` reads them; a
/// cancelled or undated neighbour does not count. The message names it,
/// unless it sits in a project the actor may not see.
async fn check_finish_to_start(tx: &mut dyn Tx, actor: &Actor, before: &Task, t: &Task) -> AppResult<()> {
    let Some((start, finish)) = own_days(t.start_date, t.due_date).filter(|_| !t.cancelled) else { return Ok(()) };
    let old = own_days(before.start_date, before.due_date);
    let day = |task: &Task| own_days(task.start_date, task.due_date).filter(|_| !task.cancelled);
    if old.is_none_or(|(s, _)| s != start) {
        let mut preds = Vec::new();
        for dep in &t.depends_on {
            if let Some(p) = tx.get_task(*dep).await? {
                preds.extend(day(&p).map(|(_, last)| (p, last)));
            }
        }
        let blocking = blocking_predecessor(start, preds.iter().map(|(p, last)| (p.id.0, *last)));
        if let Some((p, last)) = blocking.and_then(|(id, _)| preds.iter().find(|(p, _)| p.id.0 == id)) {
            let name = match tx.get_project(p.project_id).await? {
                Some(project) if access::can_see_project(actor, &project) => p.key.clone(),
                _ => "(a task in a private project)".to_string(),
            };
            return Err(AppError::invalid(
                "start_date",
                format!(
                    "{} cannot start before its predecessor {} is finished (due {last}); start on {} or later",
                    t.key,
                    name,
                    *last + chrono::Duration::days(1)
                ),
            ));
        }
    }
    if old.is_none_or(|(_, f)| f != finish) {
        let mut succs = Vec::new();
        for (task, _) in tx.list_dependencies(t.project_id).await?.into_iter().filter(|(_, dep)| *dep == t.id) {
            if let Some(s) = tx.get_task(task).await? {
                succs.extend(day(&s).map(|(first, _)| (s, first)));
            }
        }
        let blocking = blocking_successor(finish, succs.iter().map(|(s, first)| (s.id.0, *first)));
        if let Some((s, first)) = blocking.and_then(|(id, _)| succs.iter().find(|(s, _)| s.id.0 == id)) {
            return Err(AppError::invalid(
                "due_date",
                format!("{} must finish before {}, which depends on it, starts ({first})", t.key, s.key),
            ));
        }
    }
    Ok(())
}

impl App {
    pub async fn list_projects(&self, actor: &Actor, page: Page) -> AppResult<Vec<Project>> {
        let mut tx = self.store.read().await?;
        let mut projects = tx.list_projects(actor.viewer(), page).await?;
        for p in &mut projects {
            p.key_result_ids = visible_krs(&mut *tx, actor, &p.key_result_ids).await?;
        }
        Ok(projects)
    }

    pub async fn get_project(&self, actor: &Actor, id: ProjectId) -> AppResult<Project> {
        let mut tx = self.store.read().await?;
        let mut p = visible_project(&mut *tx, actor, id).await?;
        p.key_result_ids = visible_krs(&mut *tx, actor, &p.key_result_ids).await?;
        Ok(p)
    }

    pub async fn create_project(&self, actor: &Actor, input: ProjectInput) -> AppResult<Project> {
        require_writer(actor)?;
        let key = check_project_key(&input.key)?;
        let workflow = input.workflow.unwrap_or_else(default_workflow);
        check_workflow(&workflow)?;
        text::limit("description", &input.description, BODY_MAX)?;
        let mut tx = self.store.write().await?;
        if tx.find_project_by_key(&key).await?.is_some() {
            return Err(AppError::invalid("key", format!("{key} is taken by another project")));
        }
        let mut private = input.private;
        if let Some(parent) = input.parent_id {
            let parent = visible_project(&mut *tx, actor, parent)
                .await
                .map_err(|_| AppError::invalid("parent_id", "no such project"))?;
            require(access::can_edit_project(actor, &parent), "you may not add sub-projects here")?;
            // A sub-project of a private project is private too.
            private |= parent.private;
        }
        let owner_id = input.owner_id.or(actor.id());
        if let Some(owner) = owner_id {
            tx.get_user(owner).await?.ok_or_else(|| AppError::invalid("owner_id", "no such person"))?;
        }
        if let Some(unit) = input.unit_id {
            tx.get_unit(unit).await?.ok_or_else(|| AppError::invalid("unit_id", "no such unit"))?;
        }
        let key_result_ids = merge_kr_links(&mut *tx, actor, &[], &input.key_result_ids).await?;
        if let (Some(start), Some(target)) = (input.start_date, input.target_date)
            && target < start
        {
            return Err(AppError::invalid("target_date", "must not be before start_date"));
        }
        let mut project = Project {
            id: ProjectId(0),
            key,
            name: text::required("name", &input.name, NAME_MAX)?,
            description: input.description,
            parent_id: input.parent_id,
            owner_id,
            unit_id: input.unit_id,
            status: input.status.unwrap_or(ProjectStatus::Active),
            start_date: input.start_date,
            target_date: input.target_date,
            private,
            workflow,
            key_result_ids,
            source: None,
            archived: false,
            version: 1,
            created_at: Utc::now(),
        };
        project.id = tx.insert_project(&project, None).await?;
        record(&mut *tx, actor, "project", project.id.0, "create", None, Some(&project)).await?;
        tx.commit().await?;
        Ok(project)
    }

    pub async fn update_project(&self, actor: &Actor, id: ProjectId, patch: ProjectPatch) -> AppResult<Project> {
        let mut tx = self.store.write().await?;
        let before = visible_project(&mut *tx, actor, id).await?;
        require(access::can_edit_project(actor, &before), "you may not change this project")?;
        check_version(before.version, patch.version, &before)?;
        let mut p = before.clone();
        if let Some(name) = patch.name {
            p.name = text::required("name", &name, NAME_MAX)?;
        }
        if let Some(description) = patch.description {
            text::limit("description", &description, BODY_MAX)?;
            p.description = description;
        }
        patch::apply(&mut p.parent_id, patch.parent_id);
        patch::apply(&mut p.owner_id, patch.owner_id);
        patch::apply(&mut p.unit_id, patch.unit_id);
        patch::set(&mut p.status, patch.status);
        patch::apply(&mut p.start_date, patch.start_date);
        patch::apply(&mut p.target_date, patch.target_date);
        patch::set(&mut p.private, patch.private);
        patch::set(&mut p.archived, patch.archived);
        if let Some(workflow) = patch.workflow {
            check_workflow(&workflow)?;
            p.workflow = workflow;
        }
        if let Some(sent) = patch.key_result_ids {
            p.key_result_ids = merge_kr_links(&mut *tx, actor, &before.key_result_ids, &sent).await?;
        }
        if let Some(parent) = p.parent_id {
            visible_project(&mut *tx, actor, parent)
                .await
                .map_err(|_| AppError::invalid("parent_id", "no such project"))?;
            let projects = tx.list_projects(None, Page::ALL).await?;
            let parent_of = |x: i64| projects.iter().find(|q| q.id.0 == x).and_then(|q| q.parent_id.map(|r| r.0));
            if creates_parent_cycle(id.0, parent.0, parent_of) {
                return Err(AppError::invalid("parent_id", "a project cannot sit inside itself"));
            }
        }
        p.version = save!(tx, update_project, get_project, p);
        record(&mut *tx, actor, "project", id.0, "update", Some(&before), Some(&p)).await?;
        let shown = visible_krs(&mut *tx, actor, &p.key_result_ids).await?;
        tx.commit().await?;
        Ok(Project { key_result_ids: shown, ..p })
    }

    /// A project with progress, health and task counts, over its sub-projects too.
    pub async fn project_view(&self, actor: &Actor, id: ProjectId) -> AppResult<ProjectView> {
        let mut tx = self.store.read().await?;
        let project = visible_project(&mut *tx, actor, id).await?;
        Ok(project_views(&mut *tx, actor, vec![project]).await?.remove(0))
    }

    /// Every visible project with its numbers, from one read of the work.
    pub async fn project_views(&self, actor: &Actor) -> AppResult<Vec<ProjectView>> {
        let mut tx = self.store.read().await?;
        let projects = tx.list_projects(actor.viewer(), Page::ALL).await?;
        project_views(&mut *tx, actor, projects).await
    }

    /// A project's milestones (for its Gantt chart).
    pub async fn list_milestones(&self, actor: &Actor, project: ProjectId) -> AppResult<Vec<ProjectMilestone>> {
        let mut tx = self.store.read().await?;
        visible_project(&mut *tx, actor, project).await?;
        Ok(tx.list_milestones(project).await?)
    }

    pub async fn list_tasks(&self, actor: &Actor, filter: TaskFilter, page: Page) -> AppResult<(Vec<Task>, i64)> {
        let mut tx = self.store.read().await?;
        // Whole projects for a board, chart or list: the shared snapshot.
        if let (Some(projects), true) = (&filter.project_ids, is_whole_projects(&filter, page)) {
            let tasks = self.project_tasks(&mut *tx, actor, projects, filter.include_archived).await?;
            let total = tasks.len() as i64;
            return Ok((tasks.as_ref().clone(), total));
        }
        let tasks = tx.list_tasks(&filter, actor.viewer(), page).await?;
        // A first page that is not full holds them all: no need to count.
        let total = if page.offset == 0 && (tasks.len() as i64) < page.limit {
            tasks.len() as i64
        } else {
            tx.count_tasks(&filter, actor.viewer()).await?
        };
        Ok((hide_unseen_krs(&mut *tx, actor, tasks).await?, total))
    }

    /// Every task (descriptions left empty) of the projects the actor sees,
    /// KR links they may not see removed; big lists are kept between
    /// requests until the next recorded change (see `recent`).
    pub(crate) async fn project_tasks(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        projects: &[ProjectId],
        include_archived: bool,
    ) -> AppResult<Arc<Vec<Task>>> {
        let mut projects = projects.to_vec();
        projects.sort();
        projects.dedup();
        let key = TasksKey {
            projects,
            include_archived,
            viewer: actor.viewer(),
            latest_change: tx.latest_change_id().await?,
        };
        if let Some(tasks) = self.tasks.get(&key) {
            return Ok(tasks);
        }
        // A few task edits since a kept list: re-read those tasks only.
        if let Some((earlier, made, kept)) = self.tasks.earlier_of_view(&key)
            && let Some(tasks) = patch_tasks(tx, actor, &key, earlier.latest_change, &kept).await?
        {
            let tasks = Arc::new(tasks);
            self.tasks.put_made(key, tasks.clone(), made);
            return Ok(tasks);
        }
        let filter = TaskFilter {
            project_ids: Some(key.projects.clone()),
            include_archived,
            without_descriptions: true,
            ..Default::default()
        };
        let tasks = tx.list_tasks(&filter, actor.viewer(), Page::ALL).await?;
        let tasks = Arc::new(hide_unseen_krs(tx, actor, tasks).await?);
        // Small lists are read again: quick, and they would push out big ones.
        if tasks.len() >= KEPT_FROM {
            self.tasks.put(key, tasks.clone());
        }
        Ok(tasks)
    }

    pub async fn get_task(&self, actor: &Actor, id: TaskId) -> AppResult<Task> {
        let mut tx = self.store.read().await?;
        let (_, mut t) = visible_task(&mut *tx, actor, id).await?;
        t.key_result_ids = visible_krs(&mut *tx, actor, &t.key_result_ids).await?;
        Ok(t)
    }

    pub async fn task_detail(&self, actor: &Actor, id: TaskId) -> AppResult<TaskDetail> {
        let mut tx = self.store.read().await?;
        let (_, mut task) = visible_task(&mut *tx, actor, id).await?;
        task.key_result_ids = visible_krs(&mut *tx, actor, &task.key_result_ids).await?;
        let today = crate::clock::today_in(actor.time_zone(), Utc::now());
        let done = task.category == StatusCategory::Done || task.cancelled;
        let overdue_days = match task.due_date {
            Some(due) if !done => health::days_overdue(due, today),
            _ => 0,
        };
        let sub_tasks = tx
            .list_tasks(
                &TaskFilter { parent_id: Some(id), include_archived: true, ..Default::default() },
                actor.viewer(),
                Page::ALL,
            )
            .await?;
        Ok(TaskDetail {
            overdue_days,
            sub_tasks,
            comments: tx.list_comments(id).await?,
            worklogs: tx.list_worklogs(id).await?,
            task,
        })
    }

    pub async fn create_task(&self, actor: &Actor, input: TaskInput) -> AppResult<Task> {
        require_writer(actor)?;
        let mut tx = self.store.write().await?;
        let project = visible_project(&mut *tx, actor, input.project_id)
            .await
            .map_err(|_| AppError::invalid("project_id", "no such project"))?;
        let (status, category) = resolve_status(&project, input.status.as_deref())?;
        if let Some(assignee) = input.assignee_id {
            tx.get_user(assignee).await?.ok_or_else(|| AppError::invalid("assignee_id", "no such person"))?;
        }
        let key_result_ids = merge_kr_links(&mut *tx, actor, &[], &input.key_result_ids).await?;
        let now = Utc::now();
        let mut task = Task {
            id: TaskId(0),
            project_id: project.id,
            number: 0,
            key: String::new(),
            title: text::required("title", &input.title, TITLE_MAX)?,
            description: input.description,
            status,
            category,
            blocked: input.blocked,
            blocked_reason: input.blocked_reason.filter(|r| !r.trim().is_empty()),
            priority: input.priority.unwrap_or(Priority::Medium),
            assignee_id: input.assignee_id,
            reporter_id: actor.id(),
            start_date: input.start_date,
            due_date: input.due_date,
            estimate: input.estimate,
            progress: input.progress,
            parent_id: input.parent_id,
            labels: dedup(input.labels),
            key_result_ids,
            depends_on: input.depends_on,
            cancelled: false,
            archived: false,
            source: None,
            external_id: None,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        check_task_fields(&task)?;
        check_task_graph(&mut *tx, &task).await?;
        task.number = tx.next_task_number(project.id).await?;
        task.key = format!("{}-{}", project.key, task.number);
        task.id = tx.insert_task(&task).await?;
        record(&mut *tx, actor, "task", task.id.0, "create", None, Some(&task)).await?;
        tx.commit().await?;
        Ok(task)
    }

    pub async fn update_task(&self, actor: &Actor, id: TaskId, patch: TaskPatch) -> AppResult<Task> {
        let mut tx = self.store.write().await?;
        let (project, before) = visible_task(&mut *tx, actor, id).await?;
        require(access::can_edit_task(actor, &project, &before), "you may not change this task")?;
        check_version(before.version, patch.version, &before)?;
        let mut t = before.clone();
        if let Some(title) = patch.title {
            t.title = text::required("title", &title, TITLE_MAX)?;
        }
        patch::set(&mut t.description, patch.description);
        if let Some(status) = patch.status {
            (t.status, t.category) = resolve_status(&project, Some(&status))?;
        }
        patch::set(&mut t.blocked, patch.blocked);
        patch::apply(&mut t.blocked_reason, patch.blocked_reason);
        if !t.blocked {
            t.blocked_reason = None;
        }
        patch::set(&mut t.priority, patch.priority);
        patch::apply(&mut t.assignee_id, patch.assignee_id);
        patch::apply(&mut t.start_date, patch.start_date);
        patch::apply(&mut t.due_date, patch.due_date);
        patch::apply(&mut t.estimate, patch.estimate);
        patch::apply(&mut t.progress, patch.progress);
        patch::apply(&mut t.parent_id, patch.parent_id);
        if let Some(labels) = patch.labels {
            t.labels = dedup(labels);
        }
        patch::set(&mut t.depends_on, patch.depends_on);
        patch::set(&mut t.cancelled, patch.cancelled);
        patch::set(&mut t.archived, patch.archived);
        if let Some(sent) = patch.key_result_ids {
            t.key_result_ids = merge_kr_links(&mut *tx, actor, &before.key_result_ids, &sent).await?;
        }
        if let Some(assignee) = t.assignee_id.filter(|a| Some(*a) != before.assignee_id) {
            tx.get_user(assignee).await?.ok_or_else(|| AppError::invalid("assignee_id", "no such person"))?;
        }
        check_task_fields(&t)?;
        check_task_graph(&mut *tx, &t).await?;
        check_finish_to_start(&mut *tx, actor, &before, &t).await?;
        t.updated_at = Utc::now();
        t.version = save!(tx, update_task, get_task, t);
        record(&mut *tx, actor, "task", id.0, "update", Some(&before), Some(&t)).await?;
        tx.commit().await?;
        Ok(t)
    }

    pub async fn add_comment(&self, actor: &Actor, task_id: TaskId, input: CommentInput) -> AppResult<Comment> {
        require_writer(actor)?;
        let body = text::required("body", &input.body, BODY_MAX)?;
        let mut tx = self.store.write().await?;
        visible_task(&mut *tx, actor, task_id).await?;
        let mut comment = Comment { id: CommentId(0), task_id, author_id: actor.id(), body, created_at: Utc::now() };
        comment.id = tx.insert_comment(&comment, None).await?;
        record(&mut *tx, actor, "comment", comment.id.0, "create", None, Some(&comment)).await?;
        tx.commit().await?;
        Ok(comment)
    }

    pub async fn log_work(&self, actor: &Actor, task_id: TaskId, input: WorklogInput) -> AppResult<Worklog> {
        require_writer(actor)?;
        let user_id = actor.id().ok_or_else(|| AppError::invalid("user", "work is logged by a person"))?;
        if !input.hours.is_finite() || input.hours <= 0.0 || input.hours > 24.0 {
            return Err(AppError::invalid("hours", "must be more than 0 and at most 24"));
        }
        text::limit("note", &input.note, BODY_MAX)?;
        let mut tx = self.store.write().await?;
        visible_task(&mut *tx, actor, task_id).await?;
        let mut worklog =
            Worklog { id: WorklogId(0), task_id, user_id, day: input.day, hours: input.hours, note: input.note };
        worklog.id = tx.insert_worklog(&worklog).await?;
        record(&mut *tx, actor, "worklog", worklog.id.0, "create", None, Some(&worklog)).await?;
        tx.commit().await?;
        Ok(worklog)
    }

    pub async fn history(&self, actor: &Actor, entity: &str, id: i64) -> AppResult<Vec<crate::store::Change>> {
        let mut tx = self.store.read().await?;
        match entity {
            "task" => {
                visible_task(&mut *tx, actor, TaskId(id)).await?;
            }
            "project" => {
                visible_project(&mut *tx, actor, ProjectId(id)).await?;
            }
            "objective" => {
                crate::okr::visible_objective(&mut *tx, actor, ObjectiveId(id)).await?;
            }
            "key_result" => {
                visible_key_result(&mut *tx, actor, KeyResultId(id)).await?;
            }
            _ => crate::access::require_admin(actor)?,
        }
        Ok(tx.list_changes(entity, id).await?)
    }
}

fn dedup(labels: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for label in labels {
        let label = label.trim().to_string();
        if !label.is_empty() && !out.contains(&label) {
            out.push(label);
        }
    }
    out
}

/// Progress, health and counts of `projects`, each over its sub-projects too.
async fn project_views(tx: &mut dyn Tx, actor: &Actor, projects: Vec<Project>) -> AppResult<Vec<ProjectView>> {
    let (graph_projects, work_tasks) = tx.work_graph(actor.viewer()).await?;
    let index = WorkIndex::new(&graph_projects, &work_tasks);
    let mut states: std::collections::HashMap<ProjectId, Vec<crate::store::TaskState>> = Default::default();
    for state in tx.task_states(actor.viewer()).await? {
        states.entry(state.project_id).or_default().push(state);
    }
    let today = crate::clock::today_in(actor.time_zone(), Utc::now());
    let mut views = Vec::with_capacity(projects.len());
    for mut project in projects {
        project.key_result_ids = visible_krs(tx, actor, &project.key_result_ids).await?;
        let tasks: Vec<&crate::store::TaskState> =
            index.project_subtree(project.id.0).into_iter().flat_map(|p| states.get(&ProjectId(p))).flatten().collect();
        let open: Vec<_> = tasks.iter().filter(|t| t.category != StatusCategory::Done && !t.cancelled).collect();
        let overdue = open.iter().filter(|t| t.due_date.is_some_and(|d| health::is_overdue(d, today, false))).count();
        let blocked = open.iter().filter(|t| t.blocked).count();
        let progress: WorkProgress = index.project_progress(project.id.0);
        let health = health::project_health(&HealthInput {
            start_date: project.start_date,
            target_date: project.target_date,
            today,
            done_share: progress.progress,
            open_tasks: open.len(),
            overdue_tasks: overdue,
            blocked_tasks: blocked,
            finished: matches!(project.status, ProjectStatus::Done | ProjectStatus::Cancelled),
        });
        views.push(ProjectView {
            open_tasks: open.len(),
            done_tasks: tasks.iter().filter(|t| t.category == StatusCategory::Done).count(),
            overdue_tasks: overdue,
            blocked_tasks: blocked,
            progress: progress.progress,
            health,
            project,
        });
    }
    Ok(views)
}
