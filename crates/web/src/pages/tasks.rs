//! The task page: fields, the Markdown description and comments (rendered
//! safe), sub-tasks, the history of changes, and the forms that change the
//! status and add a comment.

use super::auth::{PageActor, safe_next};
use super::lookup::{Names, kr_titles};
use super::projects::{KrLink, task_progress};
use super::task_edit::{LogShown, TaskEdit, TaskProblem};
use super::view::{self, Chrome};
use super::{OrPage, PageError, PageResult, render};
use crate::AppState;
use crate::i18n::{self, Msg, tf};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use keel_app::store::Change;
use keel_app::work::{CommentInput, TaskPatch};
use keel_app::{AppError, access};
use keel_domain::TaskId;
use keel_domain::org::Lang;
use serde::Deserialize;

pub struct TaskLink {
    id: i64,
    key: String,
    title: String,
    status: String,
    status_class: &'static str,
    progress: String,
}

pub struct StatusOption {
    name: String,
    label: String,
    selected: bool,
}

pub struct CommentRow {
    author: String,
    at: String,
    body: String,
}

pub struct WorklogRow {
    day: String,
    who: String,
    hours: String,
    note: String,
}

pub struct ChangeRow {
    at: String,
    who: String,
    action: String,
}

#[derive(Template)]
#[template(path = "task.html")]
struct TaskPage {
    c: Chrome,
    id: i64,
    key: String,
    title: String,
    project_id: i64,
    project: String,
    status: String,
    status_class: &'static str,
    version: i64,
    statuses: Vec<StatusOption>,
    assignee: String,
    reporter: String,
    priority: &'static str,
    start: String,
    due: String,
    overdue: Option<String>,
    estimate: String,
    logged: String,
    progress: String,
    labels: Vec<String>,
    blocked_reason: Option<String>,
    cancelled: bool,
    archived: bool,
    description: Option<String>,
    parent: Option<TaskLink>,
    depends_on: Vec<TaskLink>,
    krs: Vec<KrLink>,
    sub_tasks: Vec<TaskLink>,
    comments: Vec<CommentRow>,
    history: Vec<ChangeRow>,
    /// The edit form, for those who may change the task.
    edit: Option<TaskEdit>,
    /// Hours logged on the task, newest day first.
    worklogs: Vec<WorklogRow>,
    /// The log-work form, for those who may write.
    log: Option<LogShown>,
}

fn link(lang: Lang, t: &keel_domain::work::Task) -> TaskLink {
    TaskLink {
        id: t.id.0,
        key: t.key.clone(),
        title: t.title.clone(),
        status: view::workflow_status(lang, &t.status),
        status_class: view::category_class(t.category),
        progress: task_progress(t),
    }
}

/// A task field's name in the history, in the reader's language.
fn field_name(lang: Lang, field: &str) -> String {
    let msg = match field {
        "title" => Msg::FieldTitle,
        "description" => Msg::FieldDescription,
        "status" => Msg::FieldStatus,
        "blocked" | "blocked_reason" => Msg::FieldBlocked,
        "priority" => Msg::FieldPriority,
        "assignee_id" => Msg::FieldAssignee,
        "start_date" => Msg::FieldStartDate,
        "due_date" => Msg::FieldDueDate,
        "estimate" => Msg::FieldEstimate,
        "progress" => Msg::FieldProgress,
        "labels" => Msg::FieldLabels,
        "parent_id" => Msg::FieldParent,
        "key_result_ids" => Msg::FieldKeyResults,
        "depends_on" => Msg::FieldDependencies,
        "cancelled" => Msg::FieldCancelled,
        "archived" => Msg::FieldArchived,
        other => return other.to_string(),
    };
    i18n::t(lang, msg).to_string()
}

/// "修改了：状态、进度": the fields that differ between before and after.
/// Values are not shown: the description's raw Markdown must never reach
/// the page unsanitised, and names say enough for a timeline.
fn describe(lang: Lang, change: &Change) -> String {
    let action = match change.action.as_str() {
        "create" => Msg::ActionCreate,
        "update" => Msg::ActionUpdate,
        "delete" => Msg::ActionDelete,
        "import" => Msg::ActionImport,
        _ => return change.action.clone(),
    };
    let (Some(before), Some(after)) =
        (change.before.as_ref().and_then(|b| b.as_object()), change.after.as_ref().and_then(|a| a.as_object()))
    else {
        return i18n::t(lang, action).to_string();
    };
    // Bookkeeping fields and the category (derived from the status) add nothing.
    let skip = ["version", "updated_at", "created_at", "category", "number", "key"];
    let mut fields: Vec<String> = Vec::new();
    for (name, value) in after {
        if !skip.contains(&name.as_str()) && before.get(name) != Some(value) {
            let label = field_name(lang, name);
            if !fields.contains(&label) {
                fields.push(label);
            }
        }
    }
    if fields.is_empty() {
        return i18n::t(lang, action).to_string();
    }
    let sep = if lang == Lang::Zh { "、" } else { ", " };
    tf(lang, Msg::ChangedFields, &[&fields.join(sep)])
}

pub async fn detail(State(state): State<AppState>, page: PageActor, Path(id): Path<i64>) -> PageResult {
    detail_page(&state, &page, TaskId(id), TaskProblem::Nothing).await
}

/// The task page; after a refused form, that form's problem (422, or 409
/// when someone else changed the task first).
pub async fn detail_page(state: &AppState, page: &PageActor, id: TaskId, mut problem: TaskProblem) -> PageResult {
    let (lang, app) = (page.lang, &state.app);
    let status = match problem {
        TaskProblem::Nothing => StatusCode::OK,
        TaskProblem::Conflict(_) => StatusCode::CONFLICT,
        TaskProblem::Edit(..) | TaskProblem::Log(..) => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let d = app.task_detail(&page.actor, id).await.or_page(lang)?;
    let id = id.0;
    let t = &d.task;
    let project = app.get_project(&page.actor, t.project_id).await.or_page(lang)?;
    let names = Names::load(app, &page.actor).await.or_page(lang)?;
    let history = app.history(&page.actor, "task", id).await.or_page(lang)?;
    let mut krs = t.key_result_ids.clone();
    krs.extend(project.key_result_ids.iter().filter(|k| !t.key_result_ids.contains(k)));
    let titles = kr_titles(app, &page.actor, &krs).await;
    let parent = match t.parent_id {
        Some(p) => app.get_task(&page.actor, p).await.ok().map(|p| link(lang, &p)),
        None => None,
    };
    let mut depends_on = Vec::new();
    for dep in &t.depends_on {
        if let Ok(dep) = app.get_task(&page.actor, *dep).await {
            depends_on.push(link(lang, &dep));
        }
    }
    let logged: f64 = d.worklogs.iter().map(|w| w.hours).sum();
    let edit = if access::can_edit_task(&page.actor, &project, t) {
        Some(TaskEdit::load(app, page, t, &mut problem).await.or_page(lang)?)
    } else {
        None
    };
    let log = page.actor.may_write().then(|| LogShown::new(page, problem));
    let mut worklogs: Vec<_> = d.worklogs.iter().collect();
    worklogs.sort_by_key(|w| std::cmp::Reverse((w.day, w.id)));
    let mut c = page.chrome(format!("{} {}", t.key, t.title));
    // Shown again after a refused POST: "back" is this page, not the form's target.
    c.here = format!("/tasks/{id}");
    let out = TaskPage {
        c,
        id,
        key: t.key.clone(),
        title: t.title.clone(),
        project_id: project.id.0,
        project: format!("{} · {}", project.key, project.name),
        status: view::workflow_status(lang, &t.status),
        status_class: view::category_class(t.category),
        version: t.version,
        statuses: project
            .workflow
            .iter()
            .map(|s| StatusOption {
                name: s.name.clone(),
                label: view::workflow_status(lang, &s.name),
                selected: s.name == t.status,
            })
            .collect(),
        assignee: t.assignee_id.map(|a| names.of(Some(a))).unwrap_or_else(|| page.t(Msg::Unassigned).into()),
        reporter: names.of(t.reporter_id),
        priority: page.t(view::priority(t.priority)),
        start: view::opt_date(t.start_date),
        due: view::opt_date(t.due_date),
        overdue: (d.overdue_days > 0).then(|| tf(lang, Msg::OverdueDays, &[&d.overdue_days])),
        estimate: t.estimate.map(|h| tf(lang, Msg::Hours, &[&view::num(h)])).unwrap_or_else(|| "—".into()),
        logged: tf(lang, Msg::Hours, &[&view::num(logged)]),
        progress: task_progress(t),
        labels: t.labels.clone(),
        blocked_reason: t.blocked.then(|| t.blocked_reason.clone().unwrap_or_default()),
        cancelled: t.cancelled,
        archived: t.archived,
        description: (!t.description.trim().is_empty()).then(|| view::markdown(&t.description)),
        parent,
        depends_on,
        krs: krs.iter().filter_map(|k| titles.get(k).map(|title| KrLink { id: k.0, title: title.clone() })).collect(),
        sub_tasks: d.sub_tasks.iter().map(|s| link(lang, s)).collect(),
        comments: d
            .comments
            .iter()
            .map(|c| CommentRow {
                author: c.author_id.map(|a| names.of(Some(a))).unwrap_or_else(|| page.t(Msg::SystemActor).into()),
                at: view::datetime(c.created_at, page.zone()),
                body: view::markdown(&c.body),
            })
            .collect(),
        history: history
            .iter()
            .rev()
            .map(|ch| ChangeRow {
                at: view::datetime(ch.at, page.zone()),
                who: ch.actor_id.map(|a| names.of(Some(a))).unwrap_or_else(|| page.t(Msg::SystemActor).into()),
                action: describe(lang, ch),
            })
            .collect(),
        edit,
        worklogs: worklogs
            .into_iter()
            .map(|w| WorklogRow {
                day: view::date(w.day),
                who: names.of(Some(w.user_id)),
                hours: tf(lang, Msg::Hours, &[&view::num(w.hours)]),
                note: w.note.clone(),
            })
            .collect(),
        log,
    };
    Ok(render(status, &out))
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    version: i64,
    /// Where to go afterwards (the board sends its own address); only a
    /// path on this site, else the task's page.
    #[serde(default)]
    next: String,
}

/// Moves a task to another status of its project's workflow. A form is
/// answered with a redirect (to `next` when given) or an error page; the
/// board's script asks for JSON (`Accept: application/json`) and gets the
/// task's new status and version, or `{"error": {"code", "message"}}` with
/// the message in the reader's language.
pub async fn set_status(
    State(state): State<AppState>,
    page: PageActor,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Form(form): Form<StatusForm>,
) -> Response {
    let json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("application/json"));
    let moved = async {
        page.check_csrf(&form.csrf)?;
        let patch = TaskPatch { status: Some(form.status.clone()), version: form.version, ..Default::default() };
        state.app.update_task(&page.actor, TaskId(id), patch).await.map_err(|e| match e {
            AppError::Invalid { field, message } if field == "status" => PageError {
                lang: page.lang,
                status: StatusCode::UNPROCESSABLE_ENTITY,
                msg: Msg::NoSuchStatus,
                detail: Some(format!("{field}: {message}")),
            },
            e => PageError::app(page.lang, e),
        })
    }
    .await;
    match moved {
        Ok(task) if json => {
            let body = serde_json::json!({
                "id": task.id.0,
                "status": task.status,
                "label": view::workflow_status(page.lang, &task.status),
                "category": task.category.as_str(),
                "version": task.version,
            });
            let mut response = axum::Json(body).into_response();
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        // A `next` that would leave the site falls back to the task's page.
        Ok(_) if form.next.is_ascii() && !form.next.is_empty() && safe_next(Some(&form.next)) == form.next => {
            Redirect::to(&form.next).into_response()
        }
        Ok(_) => Redirect::to(&format!("/tasks/{id}")).into_response(),
        Err(e) if json => e.into_json(),
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body: String,
}

pub async fn comment(
    State(state): State<AppState>,
    page: PageActor,
    Path(id): Path<i64>,
    Form(form): Form<CommentForm>,
) -> PageResult {
    page.check_csrf(&form.csrf)?;
    state.app.add_comment(&page.actor, TaskId(id), CommentInput { body: form.body }).await.or_page(page.lang)?;
    Ok(Redirect::to(&format!("/tasks/{id}#comments")).into_response())
}
