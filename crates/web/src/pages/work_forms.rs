//! Forms that create work: a new task on a project's page, a new sub-project
//! there (for those who may change the project), and a new project on
//! /projects. Typed text becomes the application's input here; the
//! application decides who may do what and what is valid. A refused form
//! comes back with 422, what was typed, and the field at fault named as the
//! form labels it.

use super::auth::PageActor;
use super::forms::{self, Choice, ChoiceGroup, FieldError};
use super::lookup::kr_titles;
use super::project_links::LinkProblem;
use super::projects::{detail_page_with, list_page};
use super::view;
use super::{PageError, PageResult};
use crate::AppState;
use crate::i18n::{self, Msg, tf};
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use keel_app::store::Page;
use keel_app::work::{ProjectInput, TaskInput};
use keel_app::{Actor, App, AppError, AppResult, access};
use keel_domain::org::Lang;
use keel_domain::work::{Priority, Project, Task};
use keel_domain::{KeyResultId, ProjectId, TaskId, UnitId, UserId};

/// A form's fields as sent, in order: a select with `multiple` sends its
/// name once per chosen option, which a plain struct cannot hold.
pub struct Pairs(pub Vec<(String, String)>);

impl Pairs {
    /// The first value of a field, or empty.
    pub fn one(&self, name: &str) -> String {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
    }
    /// Every value of a field.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).filter(|v| !v.is_empty()).collect()
    }
    /// A checkbox: sent ("on") when ticked, absent otherwise.
    pub fn ticked(&self, name: &str) -> bool {
        self.0.iter().any(|(k, v)| k == name && !v.is_empty())
    }
}

/// Labels typed with commas between them (the full-width "，" and "、" of a
/// Chinese keyboard too), trimmed, blanks dropped.
pub fn split_labels(text: &str) -> Vec<String> {
    text.split([',', '，', '、']).map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

/// Ids picked in a multiple select; anything not a number is refused.
pub fn ids(lang: Lang, field: &'static str, label: Msg, raw: &[String]) -> Result<Vec<i64>, FieldError> {
    raw.iter().map(|v| v.trim().parse().map_err(|_| forms::choose(lang, field, label))).collect()
}

/// Priorities from lowest to highest, as a select offers them.
pub fn priorities(page: &PageActor) -> Vec<Choice> {
    [Priority::Lowest, Priority::Low, Priority::Medium, Priority::High, Priority::Highest]
        .into_iter()
        .map(|p| Choice::new(p.as_str(), page.t(view::priority(p))))
        .collect()
}

pub async fn people(app: &App, actor: &Actor) -> AppResult<Vec<Choice>> {
    Ok(app.list_users(actor, Page::ALL).await?.into_iter().map(|u| Choice::new(u.id.0, u.display_name)).collect())
}

/// Key results to pick from: the visible ones of the current cycle under
/// their objectives, and those in `keep` (already linked) from other cycles,
/// so that saving a form never drops a link by not offering it. Also the
/// current cycle's name.
pub async fn kr_groups(
    app: &App,
    page: &PageActor,
    keep: &[KeyResultId],
) -> AppResult<(Option<String>, Vec<ChoiceGroup>)> {
    let actor = &page.actor;
    let (mut cycle, mut groups, mut offered) = (None, Vec::new(), Vec::new());
    if let Some(current) = app.current_cycle(actor).await? {
        let tree = app.okr_tree(actor, current.id).await?;
        cycle = Some(current.name);
        for o in &tree.objectives {
            let choices: Vec<Choice> =
                o.key_results.iter().map(|k| Choice::new(k.key_result.id.0, k.key_result.title.clone())).collect();
            offered.extend(o.key_results.iter().map(|k| k.key_result.id));
            if !choices.is_empty() {
                groups.push(ChoiceGroup { label: o.objective.title.clone(), choices });
            }
        }
    }
    let others: Vec<KeyResultId> = keep.iter().filter(|k| !offered.contains(k)).copied().collect();
    if !others.is_empty() {
        let titles = kr_titles(app, actor, &others).await;
        let choices: Vec<Choice> =
            others.iter().filter_map(|k| titles.get(k).map(|t| Choice::new(k.0, t.clone()))).collect();
        if !choices.is_empty() {
            groups.push(ChoiceGroup { label: page.t(Msg::OtherCycles).to_string(), choices });
        }
    }
    Ok((cycle, groups))
}

/// The input an application field belongs to, by the form's names and labels.
fn named(map: &[(&str, &'static str, Msg)], app_field: &str) -> (&'static str, Option<Msg>) {
    map.iter().find(|(f, _, _)| *f == app_field).map(|(_, input, label)| (*input, Some(*label))).unwrap_or(("", None))
}

/// The reasons behind the work use cases' validation messages that the
/// shared list does not know; the cycle of a dependency keeps its names.
pub fn work_reason(lang: Lang, message: &str) -> Option<String> {
    if let Some((_, path)) = message.split_once("would make a cycle: ") {
        return Some(tf(lang, Msg::WhyDependencyCycle, &[&path]));
    }
    if let Some(key) = message.strip_suffix(" is taken by another project") {
        return Some(tf(lang, Msg::WhyKeyTaken, &[&key]));
    }
    const KNOWN: &[(&str, Msg)] = &[
        ("own ancestor", Msg::WhyParentLoop),
        ("inside itself", Msg::WhyParentLoop),
        ("inside one project", Msg::WhySameProject),
        ("parent's project", Msg::WhySameProject),
        ("say what blocks", Msg::WhyBlockedReason),
        ("fraction between 0 and 1", Msg::WhyProgressRange),
        ("more than 0 and at most 24", Msg::WhyHours),
        ("2–10 letters or digits", Msg::WhyProjectKey),
        ("add sub-projects here", Msg::ErrForbidden),
    ];
    KNOWN.iter().find(|(words, _)| message.contains(words)).map(|(_, m)| i18n::t(lang, *m).to_string())
}

/// An application's refusal of one input, in the reader's language.
pub fn app_field_error(lang: Lang, input: &'static str, label: Option<Msg>, message: &str) -> FieldError {
    match work_reason(lang, message) {
        Some(reason) => FieldError::new(lang, input, label, &reason),
        None => FieldError::from_app(lang, input, label, message),
    }
}

fn required(lang: Lang, field: &'static str, label: Msg) -> FieldError {
    FieldError::new(lang, field, Some(label), i18n::t(lang, Msg::WhyRequired))
}

// ---------------------------------------------------------------------------
// A new task, on the project's page.

#[derive(Default)]
pub struct NewTaskForm {
    pub title: String,
    pub description: String,
    pub status: String,
    pub assignee: String,
    pub priority: String,
    pub due: String,
    pub estimate: String,
    pub parent: String,
    pub labels: String,
}

impl NewTaskForm {
    fn from(p: &Pairs) -> NewTaskForm {
        NewTaskForm {
            title: p.one("title"),
            description: p.one("description"),
            status: p.one("status"),
            assignee: p.one("assignee"),
            priority: p.one("priority"),
            due: p.one("due"),
            estimate: p.one("estimate"),
            parent: p.one("parent"),
            labels: p.one("labels"),
        }
    }

    fn input(&self, lang: Lang, project: ProjectId) -> Result<TaskInput, FieldError> {
        let priority = match self.priority.trim() {
            "" => None,
            p => Some(Priority::parse(p).ok_or_else(|| forms::choose(lang, "priority", Msg::Priority))?),
        };
        Ok(TaskInput {
            project_id: project,
            title: self.title.clone(),
            description: self.description.clone(),
            status: Some(self.status.clone()).filter(|s| !s.trim().is_empty()),
            priority,
            assignee_id: forms::id(lang, "assignee", Msg::Assignee, &self.assignee)?.map(UserId),
            start_date: None,
            due_date: forms::date(lang, "due", Msg::DueDate, &self.due)?,
            estimate: forms::number(lang, "estimate", Msg::EstimateHours, &self.estimate)?,
            progress: None,
            parent_id: forms::id(lang, "parent", Msg::ParentTask, &self.parent)?.map(TaskId),
            labels: split_labels(&self.labels),
            key_result_ids: vec![],
            depends_on: vec![],
            blocked: false,
            blocked_reason: None,
        })
    }
}

const TASK_FIELDS: &[(&str, &str, Msg)] = &[
    ("title", "title", Msg::Title),
    ("description", "description", Msg::Description),
    ("status", "status", Msg::Status),
    ("assignee_id", "assignee", Msg::Assignee),
    ("priority", "priority", Msg::Priority),
    ("due_date", "due", Msg::DueDate),
    ("estimate", "estimate", Msg::EstimateHours),
    ("parent_id", "parent", Msg::ParentTask),
    ("labels", "labels", Msg::LabelsHint),
];

/// The new-task form as the project page shows it.
pub struct NewTask {
    pub f: NewTaskForm,
    pub error: Option<FieldError>,
    pub statuses: Vec<Choice>,
    pub people: Vec<Choice>,
    pub priorities: Vec<Choice>,
    /// Tasks of this project a new one may sit under.
    pub parents: Vec<Choice>,
}

impl NewTask {
    pub fn invalid(&self, field: &str) -> bool {
        self.error.as_ref().is_some_and(|e| e.field == field)
    }
}

/// The new sub-project form as the project page shows it.
pub struct NewSub {
    pub f: ProjectForm,
    pub error: Option<FieldError>,
    pub people: Vec<Choice>,
    pub units: Vec<Choice>,
}

impl NewSub {
    pub fn invalid(&self, field: &str) -> bool {
        self.error.as_ref().is_some_and(|e| e.field == field)
    }
}

/// Which of the project page's forms was refused.
#[derive(Default)]
pub enum WorkFailed {
    #[default]
    Nothing,
    Task(NewTaskForm, FieldError),
    Sub(ProjectForm, FieldError),
}

/// The project page's forms that create work: a new task for anyone who may
/// write, a new sub-project for those who may change the project.
pub async fn project_forms(
    app: &App,
    page: &PageActor,
    project: &Project,
    tasks: &[Task],
    failed: WorkFailed,
) -> AppResult<(Option<NewTask>, Option<NewSub>)> {
    let actor = &page.actor;
    if !actor.may_write() {
        return Ok((None, None));
    }
    let me = actor.id().map(|id| id.0.to_string()).unwrap_or_default();
    let people = people(app, actor).await?;
    let (task_form, task_error, sub_form, sub_error) = match failed {
        WorkFailed::Nothing => (None, None, None, None),
        WorkFailed::Task(f, e) => (Some(f), Some(e), None, None),
        WorkFailed::Sub(f, e) => (None, None, Some(f), Some(e)),
    };
    let new_task = NewTask {
        f: task_form.unwrap_or_else(|| NewTaskForm {
            status: project.workflow.first().map(|s| s.name.clone()).unwrap_or_default(),
            priority: Priority::Medium.as_str().into(),
            assignee: me.clone(),
            ..Default::default()
        }),
        error: task_error,
        statuses: project
            .workflow
            .iter()
            .map(|s| Choice::new(&s.name, view::workflow_status(page.lang, &s.name)))
            .collect(),
        people: copy(&people),
        priorities: priorities(page),
        parents: tasks
            .iter()
            .filter(|t| t.project_id == project.id && !t.archived)
            .map(|t| Choice::new(t.id.0, format!("{} {}", t.key, t.title)))
            .collect(),
    };
    let new_sub = if access::can_edit_project(actor, project) {
        let units = app.list_units(actor).await?.into_iter().map(|u| Choice::new(u.id.0, u.name)).collect();
        Some(NewSub {
            f: sub_form.unwrap_or_else(|| ProjectForm {
                owner: me,
                unit: project.unit_id.map(|u| u.0.to_string()).unwrap_or_default(),
                ..Default::default()
            }),
            error: sub_error,
            people,
            units,
        })
    } else {
        None
    };
    Ok((Some(new_task), new_sub))
}

/// The same options for a second select.
pub fn copy(choices: &[Choice]) -> Vec<Choice> {
    choices.iter().map(|c| Choice::new(&c.value, c.label.clone())).collect()
}

pub async fn create_task(
    State(state): State<AppState>,
    page: PageActor,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let pairs = Pairs(pairs);
    page.check_csrf(&pairs.one("csrf"))?;
    let (lang, id) = (page.lang, ProjectId(id));
    let form = NewTaskForm::from(&pairs);
    let refused = |form, e| WorkFailed::Task(form, e);
    let input = match form.input(lang, id) {
        Ok(input) => input,
        Err(e) => return detail_page_with(&state, &page, id, LinkProblem::Nothing, refused(form, e)).await,
    };
    match state.app.create_task(&page.actor, input).await {
        Ok(task) => Ok(Redirect::to(&format!("/tasks/{}", task.id.0)).into_response()),
        Err(AppError::Invalid { field, message }) if field != "project_id" => {
            let (input, label) = named(TASK_FIELDS, &field);
            let e = app_field_error(lang, input, label, &message);
            detail_page_with(&state, &page, id, LinkProblem::Nothing, refused(form, e)).await
        }
        Err(AppError::Invalid { .. }) => Err(PageError::app(lang, AppError::NotFound("project"))),
        Err(e) => Err(PageError::app(lang, e)),
    }
}

// ---------------------------------------------------------------------------
// A new project (on /projects) or sub-project (on the project's page).

#[derive(Default)]
pub struct ProjectForm {
    pub key: String,
    pub name: String,
    pub description: String,
    pub parent: String,
    pub owner: String,
    pub unit: String,
    pub start: String,
    pub target: String,
    /// A checkbox: "on" when ticked.
    pub private: bool,
    /// Key results the project supports.
    pub krs: Vec<String>,
}

impl ProjectForm {
    fn from(p: &Pairs) -> ProjectForm {
        ProjectForm {
            key: p.one("key"),
            name: p.one("name"),
            description: p.one("description"),
            parent: p.one("parent"),
            owner: p.one("owner"),
            unit: p.one("unit"),
            start: p.one("start"),
            target: p.one("target"),
            private: p.ticked("private"),
            krs: p.all("krs"),
        }
    }

    /// Whether a key result is among those picked. (Templates pass arguments by reference.)
    pub fn has_kr(&self, id: &str) -> bool {
        self.krs.iter().any(|k| k == id)
    }

    fn input(&self, lang: Lang, parent: Option<ProjectId>) -> Result<ProjectInput, FieldError> {
        if self.key.trim().is_empty() {
            return Err(required(lang, "key", Msg::Key));
        }
        let parent = match parent {
            Some(p) => Some(p),
            None => forms::id(lang, "parent", Msg::ParentProject, &self.parent)?.map(ProjectId),
        };
        Ok(ProjectInput {
            key: self.key.trim().to_string(),
            name: self.name.clone(),
            description: self.description.clone(),
            parent_id: parent,
            owner_id: forms::id(lang, "owner", Msg::Owner, &self.owner)?.map(UserId),
            unit_id: forms::id(lang, "unit", Msg::UnitLabelOfObjective, &self.unit)?.map(UnitId),
            status: None,
            start_date: forms::date(lang, "start", Msg::StartDate, &self.start)?,
            target_date: forms::date(lang, "target", Msg::TargetDate, &self.target)?,
            private: self.private,
            workflow: None,
            key_result_ids: ids(lang, "krs", Msg::SupportsPick, &self.krs)?.into_iter().map(KeyResultId).collect(),
        })
    }
}

const PROJECT_FIELDS: &[(&str, &str, Msg)] = &[
    ("key", "key", Msg::Key),
    ("name", "name", Msg::Name),
    ("description", "description", Msg::Description),
    ("parent_id", "parent", Msg::ParentProject),
    ("owner_id", "owner", Msg::Owner),
    ("unit_id", "unit", Msg::UnitLabelOfObjective),
    ("start_date", "start", Msg::StartDate),
    ("target_date", "target", Msg::TargetDate),
    ("key_result_ids", "krs", Msg::SupportsPick),
];

/// The new-project form as /projects shows it.
pub struct NewProject {
    pub f: ProjectForm,
    pub error: Option<FieldError>,
    pub people: Vec<Choice>,
    pub units: Vec<Choice>,
    /// Projects the viewer may add a sub-project to.
    pub parents: Vec<Choice>,
    pub cycle: Option<String>,
    pub kr_groups: Vec<ChoiceGroup>,
}

impl NewProject {
    pub fn invalid(&self, field: &str) -> bool {
        self.error.as_ref().is_some_and(|e| e.field == field)
    }

    /// The form for anyone who may write; None for viewers.
    pub async fn load(
        app: &App,
        page: &PageActor,
        projects: &[Project],
        failed: Option<(ProjectForm, FieldError)>,
    ) -> AppResult<Option<NewProject>> {
        let actor = &page.actor;
        if !actor.may_write() {
            return Ok(None);
        }
        let (cycle, kr_groups) = kr_groups(app, page, &[]).await?;
        let (f, error) = match failed {
            Some((f, e)) => (f, Some(e)),
            None => (
                ProjectForm { owner: actor.id().map(|id| id.0.to_string()).unwrap_or_default(), ..Default::default() },
                None,
            ),
        };
        Ok(Some(NewProject {
            f,
            error,
            people: people(app, actor).await?,
            units: app.list_units(actor).await?.into_iter().map(|u| Choice::new(u.id.0, u.name)).collect(),
            parents: projects
                .iter()
                .filter(|p| access::can_edit_project(actor, p))
                .map(|p| Choice::new(p.id.0, format!("{} {}", p.key, p.name)))
                .collect(),
            cycle,
            kr_groups,
        }))
    }
}

pub async fn create_project(
    State(state): State<AppState>,
    page: PageActor,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let pairs = Pairs(pairs);
    page.check_csrf(&pairs.one("csrf"))?;
    let lang = page.lang;
    let form = ProjectForm::from(&pairs);
    let input = match form.input(lang, None) {
        Ok(input) => input,
        Err(e) => return list_page(&state, &page, Some((form, e))).await,
    };
    match state.app.create_project(&page.actor, input).await {
        Ok(p) => Ok(Redirect::to(&format!("/projects/{}", p.id.0)).into_response()),
        Err(AppError::Invalid { field, message }) => {
            let (input, label) = named(PROJECT_FIELDS, &field);
            let e = app_field_error(lang, input, label, &message);
            list_page(&state, &page, Some((form, e))).await
        }
        // A parent the viewer may not extend is named like any other refusal.
        Err(AppError::Forbidden(message)) if message.contains("sub-projects") => {
            let e = FieldError::new(lang, "parent", Some(Msg::ParentProject), page.t(Msg::ErrForbidden));
            list_page(&state, &page, Some((form, e))).await
        }
        Err(e) => Err(PageError::app(lang, e)),
    }
}

pub async fn create_sub_project(
    State(state): State<AppState>,
    page: PageActor,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let pairs = Pairs(pairs);
    page.check_csrf(&pairs.one("csrf"))?;
    let (lang, id) = (page.lang, ProjectId(id));
    let form = ProjectForm::from(&pairs);
    let refused = |form, e| WorkFailed::Sub(form, e);
    let input = match form.input(lang, Some(id)) {
        Ok(input) => input,
        Err(e) => return detail_page_with(&state, &page, id, LinkProblem::Nothing, refused(form, e)).await,
    };
    match state.app.create_project(&page.actor, input).await {
        Ok(p) => Ok(Redirect::to(&format!("/projects/{}", p.id.0)).into_response()),
        Err(AppError::Invalid { field, message }) if field != "parent_id" => {
            let (input, label) = named(PROJECT_FIELDS, &field);
            let e = app_field_error(lang, input, label, &message);
            detail_page_with(&state, &page, id, LinkProblem::Nothing, refused(form, e)).await
        }
        // The parent is this page's project: gone or hidden is a 404.
        Err(AppError::Invalid { .. }) => Err(PageError::app(lang, AppError::NotFound("project"))),
        Err(e) => Err(PageError::app(lang, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_split_on_any_comma() {
        assert_eq!(split_labels("前端, 推送，A/B、 ,"), ["前端", "推送", "A/B"]);
        assert!(split_labels("  ").is_empty());
    }

    #[test]
    fn repeated_fields_are_all_kept() {
        let p = Pairs(vec![("krs".into(), "3".into()), ("x".into(), "1".into()), ("krs".into(), "5".into())]);
        assert_eq!(p.all("krs"), ["3", "5"]);
        assert_eq!(p.one("x"), "1");
        assert_eq!(p.one("y"), "");
        assert!(!p.ticked("private"));
        assert!(ids(Lang::En, "krs", Msg::SupportsPick, &["1".into(), "x".into()]).is_err());
    }

    #[test]
    fn a_dependency_cycle_is_named_in_both_languages() {
        let msg = "this dependency would make a cycle: RET-1 → RET-2 → RET-1";
        assert_eq!(work_reason(Lang::Zh, msg).unwrap(), "这样会形成循环依赖：RET-1 → RET-2 → RET-1");
        assert_eq!(work_reason(Lang::En, msg).unwrap(), "This would make a dependency cycle: RET-1 → RET-2 → RET-1");
        assert!(work_reason(Lang::Zh, "RET is taken by another project").unwrap().contains("RET"));
        assert!(work_reason(Lang::En, "something else").is_none());
    }
}
