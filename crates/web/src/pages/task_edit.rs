//! Changing a task in the browser: the edit form on its page (title,
//! description, assignee, priority, dates, estimate, progress, labels, the
//! blocked flag and its reason, key results, dependencies and parent) and
//! the form that logs hours on it.
//!
//! The edit form carries the version it was filled from, so a change made
//! meanwhile by someone else is a 409, never silently overwritten. Progress
//! is typed in percent and stored as a fraction. A dependency that would
//! close a loop is refused by the application, and the page names the loop.

use super::auth::PageActor;
use super::forms::{self, Choice, ChoiceGroup, FieldError};
use super::tasks::detail_page;
use super::view;
use super::work_forms::{Pairs, app_field_error, ids, kr_groups, people, priorities, split_labels};
use super::{PageError, PageResult};
use crate::AppState;
use crate::i18n::{self, Msg};
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use chrono::Utc;
use keel_app::store::{Page, TaskFilter};
use keel_app::work::{TaskPatch, WorklogInput};
use keel_app::{App, AppError, AppResult};
use keel_domain::org::Lang;
use keel_domain::work::{Priority, Task};
use keel_domain::{KeyResultId, TaskId, UserId};

/// The edit form's fields, as typed.
#[derive(Default)]
pub struct TaskEditForm {
    pub version: String,
    pub title: String,
    pub description: String,
    pub assignee: String,
    pub priority: String,
    pub start: String,
    pub due: String,
    pub estimate: String,
    /// Percent (40 for 0.4).
    pub progress: String,
    /// Comma-separated.
    pub labels: String,
    pub blocked: bool,
    pub blocked_reason: String,
    pub krs: Vec<String>,
    pub deps: Vec<String>,
    pub parent: String,
}

/// A stored fraction as the percent the form shows: 0.4 → "40".
fn percent(p: f64) -> String {
    view::num(p * 100.0)
}

impl TaskEditForm {
    pub fn of(t: &Task) -> TaskEditForm {
        TaskEditForm {
            version: t.version.to_string(),
            title: t.title.clone(),
            description: t.description.clone(),
            assignee: t.assignee_id.map(|a| a.0.to_string()).unwrap_or_default(),
            priority: t.priority.as_str().into(),
            start: t.start_date.map(view::date).unwrap_or_default(),
            due: t.due_date.map(view::date).unwrap_or_default(),
            // Every digit, so saving an unchanged form never rounds the estimate.
            estimate: t.estimate.map(|e| e.to_string()).unwrap_or_default(),
            progress: t.progress.map(percent).unwrap_or_default(),
            labels: t.labels.join(", "),
            blocked: t.blocked,
            blocked_reason: t.blocked_reason.clone().unwrap_or_default(),
            krs: t.key_result_ids.iter().map(|k| k.0.to_string()).collect(),
            deps: t.depends_on.iter().map(|d| d.0.to_string()).collect(),
            parent: t.parent_id.map(|p| p.0.to_string()).unwrap_or_default(),
        }
    }

    fn from(p: &Pairs) -> TaskEditForm {
        TaskEditForm {
            version: p.one("version"),
            title: p.one("title"),
            description: p.one("description"),
            assignee: p.one("assignee"),
            priority: p.one("priority"),
            start: p.one("start"),
            due: p.one("due"),
            estimate: p.one("estimate"),
            progress: p.one("progress"),
            labels: p.one("labels"),
            blocked: p.ticked("blocked"),
            blocked_reason: p.one("blocked_reason"),
            krs: p.all("krs"),
            deps: p.all("deps"),
            parent: p.one("parent"),
        }
    }

    /// Whether an option of a multiple select was picked. (Templates pass arguments by reference.)
    pub fn has_kr(&self, id: &str) -> bool {
        self.krs.iter().any(|k| k == id)
    }
    pub fn has_dep(&self, id: &str) -> bool {
        self.deps.iter().any(|d| d == id)
    }

    /// The patch the form asks for; `task` as stored, to keep a progress
    /// the form shows rounded from being rounded on save.
    fn patch(&self, lang: Lang, task: &Task) -> Result<TaskPatch, FieldError> {
        let version = self.version.trim().parse().unwrap_or(0);
        let priority = Priority::parse(&self.priority).ok_or_else(|| forms::choose(lang, "priority", Msg::Priority))?;
        let progress = match forms::number(lang, "progress", Msg::ProgressPercent, &self.progress)? {
            None => None,
            Some(p) if !(0.0..=100.0).contains(&p) => {
                let reason = i18n::t(lang, Msg::WhyProgressRange);
                return Err(FieldError::new(lang, "progress", Some(Msg::ProgressPercent), reason));
            }
            Some(_) if task.progress.is_some_and(|stored| percent(stored) == self.progress.trim()) => task.progress,
            Some(p) => Some(p / 100.0),
        };
        let reason = Some(self.blocked_reason.trim().to_string()).filter(|r| !r.is_empty());
        Ok(TaskPatch {
            title: Some(self.title.clone()),
            description: Some(self.description.clone()),
            assignee_id: Some(forms::id(lang, "assignee", Msg::Assignee, &self.assignee)?.map(UserId)),
            priority: Some(priority),
            start_date: Some(forms::date(lang, "start", Msg::StartDate, &self.start)?),
            due_date: Some(forms::date(lang, "due", Msg::DueDate, &self.due)?),
            estimate: Some(forms::number(lang, "estimate", Msg::EstimateHours, &self.estimate)?),
            progress: Some(progress),
            labels: Some(split_labels(&self.labels)),
            blocked: Some(self.blocked),
            blocked_reason: Some(reason),
            key_result_ids: Some(
                ids(lang, "krs", Msg::SupportsPick, &self.krs)?.into_iter().map(KeyResultId).collect(),
            ),
            depends_on: Some(ids(lang, "deps", Msg::DependsPick, &self.deps)?.into_iter().map(TaskId).collect()),
            parent_id: Some(forms::id(lang, "parent", Msg::ParentTask, &self.parent)?.map(TaskId)),
            version,
            ..Default::default()
        })
    }
}

/// The application's task fields, as the form names and labels them.
const EDIT_FIELDS: &[(&str, &str, Msg)] = &[
    ("title", "title", Msg::Title),
    ("description", "description", Msg::DescriptionMarkdown),
    ("assignee_id", "assignee", Msg::Assignee),
    ("priority", "priority", Msg::Priority),
    ("start_date", "start", Msg::StartDate),
    ("due_date", "due", Msg::DueDate),
    ("estimate", "estimate", Msg::EstimateHours),
    ("progress", "progress", Msg::ProgressPercent),
    ("labels", "labels", Msg::LabelsHint),
    ("blocked", "blocked_reason", Msg::BlockedReason),
    ("blocked_reason", "blocked_reason", Msg::BlockedReason),
    ("key_result_ids", "krs", Msg::SupportsPick),
    ("depends_on", "deps", Msg::DependsPick),
    ("parent_id", "parent", Msg::ParentTask),
];

/// The log-work form's fields, as typed.
#[derive(Default)]
pub struct WorklogForm {
    pub day: String,
    pub hours: String,
    pub note: String,
}

/// Why the task page is shown again instead of redirecting.
#[derive(Default)]
pub enum TaskProblem {
    #[default]
    Nothing,
    /// The edit form was refused (422); what was typed comes back.
    Edit(Box<TaskEditForm>, FieldError),
    /// Someone else changed the task first (409): what was typed comes back,
    /// carrying the current version, so saving again is a deliberate choice.
    Conflict(Box<TaskEditForm>),
    /// The log-work form was refused (422).
    Log(WorklogForm, FieldError),
}

/// The edit form as the task page shows it.
pub struct TaskEdit {
    pub f: TaskEditForm,
    pub error: Option<FieldError>,
    pub conflict: bool,
    pub people: Vec<Choice>,
    pub priorities: Vec<Choice>,
    pub cycle: Option<String>,
    pub kr_groups: Vec<ChoiceGroup>,
    /// Other tasks of the project: possible dependencies and parents.
    pub tasks: Vec<Choice>,
}

impl TaskEdit {
    pub fn invalid(&self, field: &str) -> bool {
        self.error.as_ref().is_some_and(|e| e.field == field)
    }

    pub async fn load(app: &App, page: &PageActor, task: &Task, problem: &mut TaskProblem) -> AppResult<TaskEdit> {
        let actor = &page.actor;
        let (f, error, conflict) = match std::mem::take(problem) {
            TaskProblem::Edit(f, e) => (*f, Some(e), false),
            TaskProblem::Conflict(typed) => {
                let mut f = *typed;
                f.version = task.version.to_string();
                (f, None, true)
            }
            other => {
                *problem = other;
                (TaskEditForm::of(task), None, false)
            }
        };
        let (cycle, kr_groups) = kr_groups(app, page, &task.key_result_ids).await?;
        let filter = TaskFilter { project_ids: Some(vec![task.project_id]), ..Default::default() };
        let (siblings, _) = app.list_tasks(actor, filter, Page::ALL).await?;
        let mut tasks: Vec<Choice> = siblings
            .iter()
            .filter(|t| t.id != task.id)
            .map(|t| Choice::new(t.id.0, format!("{} {}", t.key, t.title)))
            .collect();
        // A dependency or parent that is archived now is still offered, so it stays chosen.
        for id in task.depends_on.iter().chain(task.parent_id.as_ref()) {
            if !siblings.iter().any(|t| t.id == *id)
                && let Ok(t) = app.get_task(actor, *id).await
            {
                tasks.push(Choice::new(t.id.0, format!("{} {}", t.key, t.title)));
            }
        }
        Ok(TaskEdit {
            f,
            error,
            conflict,
            people: people(app, actor).await?,
            priorities: priorities(page),
            cycle,
            kr_groups,
            tasks,
        })
    }
}

/// The log-work form as the task page shows it.
pub struct LogShown {
    pub f: WorklogForm,
    pub error: Option<FieldError>,
}

impl LogShown {
    pub fn new(page: &PageActor, problem: TaskProblem) -> LogShown {
        match problem {
            TaskProblem::Log(f, e) => LogShown { f, error: Some(e) },
            _ => {
                let today = keel_app::clock::today_in(page.zone(), Utc::now());
                LogShown { f: WorklogForm { day: view::date(today), ..Default::default() }, error: None }
            }
        }
    }
    pub fn invalid(&self, field: &str) -> bool {
        self.error.as_ref().is_some_and(|e| e.field == field)
    }
}

pub async fn edit(
    State(state): State<AppState>,
    page: PageActor,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let pairs = Pairs(pairs);
    page.check_csrf(&pairs.one("csrf"))?;
    let (lang, id) = (page.lang, TaskId(id));
    let task = state.app.get_task(&page.actor, id).await.map_err(|e| PageError::app(lang, e))?;
    let form = TaskEditForm::from(&pairs);
    let patch = match form.patch(lang, &task) {
        Ok(patch) => patch,
        Err(e) => return detail_page(&state, &page, id, TaskProblem::Edit(Box::new(form), e)).await,
    };
    match state.app.update_task(&page.actor, id, patch).await {
        Ok(_) => Ok(Redirect::to(&format!("/tasks/{}", id.0)).into_response()),
        Err(AppError::Conflict { .. }) => detail_page(&state, &page, id, TaskProblem::Conflict(Box::new(form))).await,
        Err(AppError::Invalid { field, message }) => {
            let (input, label) = EDIT_FIELDS
                .iter()
                .find(|(f, _, _)| *f == field)
                .map(|(_, input, label)| (*input, Some(*label)))
                .unwrap_or(("", None));
            let e = app_field_error(lang, input, label, &message);
            detail_page(&state, &page, id, TaskProblem::Edit(Box::new(form), e)).await
        }
        Err(e) => Err(PageError::app(lang, e)),
    }
}

pub async fn log_work(
    State(state): State<AppState>,
    page: PageActor,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let pairs = Pairs(pairs);
    page.check_csrf(&pairs.one("csrf"))?;
    let (lang, id) = (page.lang, TaskId(id));
    let form = WorklogForm { day: pairs.one("day"), hours: pairs.one("hours"), note: pairs.one("note") };
    let required = |field, label| FieldError::new(lang, field, Some(label), i18n::t(lang, Msg::WhyRequired));
    let parsed = forms::date(lang, "day", Msg::WorkDay, &form.day)
        .and_then(|d| d.ok_or_else(|| required("day", Msg::WorkDay)))
        .and_then(|day| {
            let hours = forms::number(lang, "hours", Msg::HoursLabel, &form.hours)?
                .ok_or_else(|| required("hours", Msg::HoursLabel))?;
            Ok((day, hours))
        });
    let (day, hours) = match parsed {
        Ok(v) => v,
        Err(e) => return detail_page(&state, &page, id, TaskProblem::Log(form, e)).await,
    };
    let input = WorklogInput { day, hours, note: form.note.clone() };
    match state.app.log_work(&page.actor, id, input).await {
        Ok(_) => Ok(Redirect::to(&format!("/tasks/{}#worklogs", id.0)).into_response()),
        Err(AppError::Invalid { field, message }) if field == "hours" || field == "note" => {
            let (input, label) = if field == "hours" { ("hours", Msg::HoursLabel) } else { ("note", Msg::Note) };
            let e = app_field_error(lang, input, Some(label), &message);
            detail_page(&state, &page, id, TaskProblem::Log(form, e)).await
        }
        Err(e) => Err(PageError::app(lang, e)),
    }
}
