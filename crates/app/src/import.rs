//! Writes an import batch into Keel in one transaction: people, projects
//! with their workflow, tasks with sub-tasks and comments. Items are matched
//! by the source's own ids, so importing the same file again updates what
//! is there instead of duplicating it. A dry run does everything and then
//! rolls back, so its summary is exactly what a real run would do.

use crate::access::require_admin;
use crate::auth::Actor;
use crate::record::record;
use crate::store::Tx;
use crate::{App, AppError, AppResult};
use chrono::Utc;
use keel_domain::org::{Role, User};
use keel_domain::work::*;
use keel_domain::*;
use keel_import::{Category, ImportBatch, ImportProject, ImportTask, Notice};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    pub people: usize,
    pub projects: usize,
    pub tasks: usize,
    pub comments: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportedProject {
    pub id: ProjectId,
    pub key: String,
    pub name: String,
    pub created: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportSummary {
    pub file: String,
    pub source: String,
    pub dry_run: bool,
    pub created: Counts,
    pub updated: Counts,
    /// Items found again with nothing changed.
    pub unchanged: Counts,
    pub skipped: Vec<Notice>,
    pub warnings: Vec<Notice>,
    pub projects: Vec<ImportedProject>,
}

fn category(c: Category) -> StatusCategory {
    match c {
        Category::Todo => StatusCategory::Todo,
        Category::Doing => StatusCategory::Doing,
        Category::Done => StatusCategory::Done,
    }
}

/// A project key from the hint that no other project uses yet.
async fn free_key(tx: &mut dyn Tx, hint: &str) -> AppResult<String> {
    let base: String = hint.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_uppercase();
    let base = match check_project_key(&base) {
        Ok(key) => key.chars().take(8).collect::<String>(),
        Err(_) => "IMP".to_string(),
    };
    for n in 0..10_000 {
        let candidate = if n == 0 { base.clone() } else { format!("{base}{}", n + 1) };
        if tx.find_project_by_key(&candidate).await?.is_none() {
            return Ok(candidate);
        }
    }
    Err(AppError::Internal("no free project key".into()))
}

/// The project's workflow with every imported status present, existing order kept.
fn merged_workflow(existing: &[WorkflowStatus], imported: &ImportProject) -> Vec<WorkflowStatus> {
    let mut workflow = existing.to_vec();
    for status in &imported.statuses {
        if !workflow.iter().any(|s| s.name == status.name) {
            workflow.push(WorkflowStatus {
                name: status.name.clone(),
                category: category(status.category),
                wip_limit: None,
            });
        }
    }
    for task in &imported.tasks {
        if !workflow.iter().any(|s| s.name == task.status) {
            workflow.push(WorkflowStatus {
                name: task.status.clone(),
                category: category(task.category),
                wip_limit: None,
            });
        }
    }
    if workflow.is_empty() {
        workflow = default_workflow();
    }
    workflow
}

struct Run<'a> {
    /// Change records not yet written: an import writes them in batches.
    changes: Vec<crate::store::Change>,
    /// External ids already in Keel from this source (tasks, comments): only
    /// these are looked up; every other row is new.
    known_tasks: std::collections::HashSet<String>,
    known_comments: std::collections::HashSet<String>,
    /// The source's own key of the project being written (CGQ, DIRECTMEMORY),
    /// which its issues' keys carry even when Keel's key had to be shorter.
    source_key: String,
    tx: &'a mut dyn Tx,
    actor: &'a Actor,
    source: &'static str,
    summary: ImportSummary,
    people: HashMap<String, UserId>,
}

/// Change records are written once this many wait.
const CHANGES_PER_WRITE: usize = 400;

impl Run<'_> {
    fn note<T: serde::Serialize>(
        &mut self,
        entity: &str,
        id: i64,
        action: &str,
        before: Option<&T>,
        after: Option<&T>,
    ) {
        self.changes.push(crate::record::change(self.actor, entity, id, action, before, after));
    }

    /// Writes the waiting change records (all of them with `all`, else once enough wait).
    async fn write_changes(&mut self, all: bool) -> AppResult<()> {
        if !self.changes.is_empty() && (all || self.changes.len() >= CHANGES_PER_WRITE) {
            self.tx.insert_changes(&self.changes).await?;
            self.changes.clear();
        }
        Ok(())
    }

    async fn person(&mut self, external_id: &str, display_name: &str, email: Option<&str>) -> AppResult<UserId> {
        if let Some(id) = self.people.get(external_id) {
            return Ok(*id);
        }
        let name: String = keel_domain::text::required("display_name", display_name, keel_domain::text::NAME_MAX)
            .unwrap_or_else(|_| external_id.chars().take(keel_domain::text::NAME_MAX).collect());
        let id = match self.tx.find_user_by_source(self.source, external_id).await? {
            Some(existing) => {
                self.summary.unchanged.people += 1;
                existing.id
            }
            None => {
                // Imported people appear on tasks and comments but cannot log in.
                let user = User {
                    id: UserId(0),
                    login: None,
                    display_name: name,
                    email: email.map(str::to_string),
                    role: Role::Member,
                    lang: None,
                    time_zone: "UTC".into(),
                    can_login: false,
                    units: vec![],
                    version: 1,
                };
                let id = self.tx.insert_user(&user, Some((self.source, external_id))).await?;
                self.note("user", id.0, "import", None, Some(&User { id, ..user }));
                self.summary.created.people += 1;
                id
            }
        };
        self.people.insert(external_id.to_string(), id);
        Ok(id)
    }

    fn person_ref(&self, external_id: &Option<String>) -> Option<UserId> {
        external_id.as_ref().and_then(|e| self.people.get(e).copied())
    }

    async fn project(&mut self, imported: &ImportProject) -> AppResult<Project> {
        let name = keel_domain::text::required("name", &imported.name, keel_domain::text::NAME_MAX)
            .unwrap_or_else(|_| imported.external_id.clone());
        match self.tx.find_project_by_source(self.source, &imported.external_id).await? {
            Some(before) => {
                let mut project = before.clone();
                project.name = name;
                project.description = imported.description.clone();
                project.workflow = merged_workflow(&before.workflow, imported);
                project.archived = imported.archived;
                if project == before {
                    self.summary.unchanged.projects += 1;
                } else {
                    project.version = self.tx.update_project(&project).await?;
                    self.note("project", project.id.0, "import", Some(&before), Some(&project));
                    self.summary.updated.projects += 1;
                }
                self.summary.projects.push(ImportedProject {
                    id: project.id,
                    key: project.key.clone(),
                    name: project.name.clone(),
                    created: false,
                });
                Ok(project)
            }
            None => {
                let mut project = Project {
                    id: ProjectId(0),
                    key: free_key(self.tx, &imported.key_hint).await?,
                    name,
                    description: imported.description.clone(),
                    parent_id: None,
                    owner_id: self.actor.id(),
                    unit_id: None,
                    status: if imported.archived { ProjectStatus::Done } else { ProjectStatus::Active },
                    start_date: None,
                    target_date: None,
                    private: false,
                    workflow: merged_workflow(&[], imported),
                    key_result_ids: vec![],
                    source: Some(self.source.to_string()),
                    archived: imported.archived,
                    version: 1,
                    created_at: Utc::now(),
                };
                project.id = self.tx.insert_project(&project, Some(&imported.external_id)).await?;
                self.note("project", project.id.0, "import", None, Some(&project));
                self.summary.created.projects += 1;
                self.summary.projects.push(ImportedProject {
                    id: project.id,
                    key: project.key.clone(),
                    name: project.name.clone(),
                    created: true,
                });
                Ok(project)
            }
        }
    }

    /// Fields an import owns; Keel-side links (KRs, dependencies) are kept.
    fn apply_fields(&self, task: &mut Task, imported: &ImportTask, parent: Option<TaskId>) {
        task.title = keel_domain::text::required("title", &imported.title, keel_domain::text::TITLE_MAX)
            .unwrap_or_else(|_| imported.external_key.clone().unwrap_or_else(|| imported.external_id.clone()));
        task.description = imported.description.clone();
        task.status = imported.status.clone();
        task.category = category(imported.category);
        task.labels = imported.labels.clone();
        task.assignee_id = self.person_ref(&imported.assignee);
        task.reporter_id = self.person_ref(&imported.reporter);
        task.priority = imported.priority.as_deref().and_then(Priority::parse).unwrap_or(Priority::Medium);
        task.start_date = imported.start_date;
        task.due_date = imported.due_date;
        task.estimate = imported.estimate_hours;
        task.parent_id = parent;
        task.archived = imported.archived;
        task.cancelled = imported.cancelled;
        // Only a source that says how far a task is owns its progress.
        if imported.progress.is_some() {
            task.progress = imported.progress;
        }
    }

    async fn task(&mut self, project: &Project, imported: &ImportTask, parent: Option<TaskId>) -> AppResult<TaskId> {
        self.write_changes(false).await?;
        let created_at = imported.created_at.unwrap_or_else(Utc::now);
        let updated_at = imported.updated_at.unwrap_or(created_at);
        let known = if self.known_tasks.contains(&imported.external_id) {
            self.tx.find_task_by_source(self.source, &imported.external_id).await?
        } else {
            None
        };
        match known {
            Some(before) => {
                let mut task = before.clone();
                self.apply_fields(&mut task, imported, parent);
                if task == before {
                    self.summary.unchanged.tasks += 1;
                } else {
                    task.updated_at = Utc::now();
                    task.version = self.tx.update_task(&task).await?;
                    self.note("task", task.id.0, "import", Some(&before), Some(&task));
                    self.summary.updated.tasks += 1;
                }
                Ok(task.id)
            }
            None => {
                let number = match self.source_number(project, imported).await? {
                    Some(number) => number,
                    None => self.tx.next_task_number(project.id).await?,
                };
                let mut task = Task {
                    id: TaskId(0),
                    project_id: project.id,
                    number,
                    key: format!("{}-{number}", project.key),
                    title: String::new(),
                    description: String::new(),
                    status: String::new(),
                    category: StatusCategory::Todo,
                    blocked: false,
                    blocked_reason: None,
                    priority: Priority::Medium,
                    assignee_id: None,
                    reporter_id: None,
                    start_date: None,
                    due_date: None,
                    estimate: None,
                    progress: None,
                    parent_id: None,
                    labels: vec![],
                    key_result_ids: vec![],
                    depends_on: vec![],
                    cancelled: false,
                    archived: false,
                    source: Some(self.source.to_string()),
                    external_id: Some(imported.external_id.clone()),
                    created_at,
                    updated_at,
                    version: 1,
                };
                self.apply_fields(&mut task, imported, parent);
                task.id = self.tx.insert_task(&task).await?;
                self.note("task", task.id.0, "import", None, Some(&task));
                self.summary.created.tasks += 1;
                Ok(task.id)
            }
        }
    }

    /// A Jira key such as CGQ-12 keeps its number when the project has the
    /// same key and the number is free, so people find their issues again.
    async fn source_number(&mut self, project: &Project, imported: &ImportTask) -> AppResult<Option<i64>> {
        match key_number(project, &self.source_key, imported) {
            Some(n) if self.tx.claim_task_number(project.id, n).await? => Ok(Some(n)),
            _ => Ok(None),
        }
    }

    /// The file's finish-to-start links, added to those the tasks have in
    /// Keel; a link to a task not in the project, or one that would close a
    /// loop, is left out with a warning.
    async fn dependencies(
        &mut self,
        keel_project: &Project,
        project: &ImportProject,
        written: &HashMap<&str, TaskId>,
    ) -> AppResult<()> {
        if project.tasks.iter().all(|t| t.depends_on.is_empty()) {
            return Ok(());
        }
        // Every link the project has, so a loop through Keel's own links is caught too.
        let mut edges: Vec<(i64, i64)> =
            self.tx.list_dependencies(keel_project.id).await?.into_iter().map(|(a, b)| (a.0, b.0)).collect();
        for task in project.tasks.iter().filter(|t| !t.depends_on.is_empty()) {
            let Some(&id) = written.get(task.external_id.as_str()) else { continue };
            let Some(mut stored) = self.tx.get_task(id).await? else { continue };
            let before = stored.clone();
            for other in &task.depends_on {
                let refused = |message: String| Notice {
                    record: Some(task.external_key.clone().unwrap_or_else(|| task.external_id.clone())),
                    field: Some("depends_on".into()),
                    message,
                };
                let Some(&on) = written.get(other.as_str()) else {
                    self.summary
                        .warnings
                        .push(refused(format!("it waits for {other}, which is not in this project; left out")));
                    continue;
                };
                if stored.depends_on.contains(&on) {
                    continue;
                }
                if let Some(cycle) = keel_domain::deps::find_dependency_cycle(&edges, (id.0, on.0)) {
                    let names: Vec<String> = cycle.iter().map(|t| format!("#{t}")).collect();
                    self.summary.warnings.push(refused(format!(
                        "waiting for {other} would close a loop ({}); left out",
                        names.join(" → ")
                    )));
                    continue;
                }
                edges.push((id.0, on.0));
                stored.depends_on.push(on);
            }
            if stored != before {
                stored.version = self.tx.update_task(&stored).await?;
                self.note("task", stored.id.0, "import", Some(&before), Some(&stored));
            }
        }
        Ok(())
    }

    async fn comments(&mut self, task_id: TaskId, imported: &ImportTask) -> AppResult<()> {
        for c in &imported.comments {
            let author_id = self.person_ref(&c.author);
            let external = format!("{}:{}", imported.external_id, c.external_id);
            let known = if self.known_comments.contains(&external) {
                self.tx.find_comment_by_source(self.source, &external).await?
            } else {
                None
            };
            match known {
                Some(before) => {
                    let comment =
                        Comment { author_id, body: c.body.clone(), created_at: c.created_at, ..before.clone() };
                    if comment == before {
                        self.summary.unchanged.comments += 1;
                    } else {
                        self.tx.update_comment(&comment).await?;
                        self.summary.updated.comments += 1;
                    }
                }
                None => {
                    let comment = Comment {
                        id: CommentId(0),
                        task_id,
                        author_id,
                        body: c.body.clone(),
                        created_at: c.created_at,
                    };
                    self.tx.insert_comment(&comment, Some((self.source, &external))).await?;
                    self.summary.created.comments += 1;
                }
            }
        }
        Ok(())
    }
}

impl App {
    /// Imports a parsed batch. Admins only: imports create people and projects.
    pub async fn import(&self, actor: &Actor, batch: &ImportBatch, dry_run: bool) -> AppResult<ImportSummary> {
        require_admin(actor)?;
        let mut tx = self.store.write().await?;
        let source = batch.source.as_str();
        let (known_tasks, known_comments) = tx.source_ids(source).await?;
        let mut run = Run {
            changes: Vec::new(),
            known_tasks,
            known_comments,
            source_key: String::new(),
            tx: &mut *tx,
            actor,
            source,
            people: HashMap::new(),
            summary: ImportSummary {
                file: batch.file_name.clone(),
                source: source.to_string(),
                dry_run,
                created: Counts::default(),
                updated: Counts::default(),
                unchanged: Counts::default(),
                skipped: batch.skipped.clone(),
                warnings: batch.warnings.clone(),
                projects: vec![],
            },
        };
        for person in &batch.people {
            run.person(&person.external_id, &person.display_name, person.email.as_deref()).await?;
        }
        for imported in &batch.projects {
            // Assignees or authors the people list missed still become people.
            for task in &imported.tasks {
                for who in [&task.assignee, &task.reporter]
                    .into_iter()
                    .flatten()
                    .chain(task.comments.iter().filter_map(|c| c.author.as_ref()))
                {
                    run.person(who, who, None).await?;
                }
            }
            let project = run.project(imported).await?;
            // The numbers the file's keys keep are set aside before any task is
            // written, so a task given a new number (a reused key) never takes
            // one that a later row keeps.
            run.source_key = imported.external_id.clone();
            if let Some(highest) = imported.tasks.iter().filter_map(|t| key_number(&project, &run.source_key, t)).max()
            {
                run.tx.claim_task_number(project.id, highest).await?;
            }
            // Parents before children: tasks whose parent is not yet written wait a round.
            let mut written: HashMap<&str, TaskId> = HashMap::new();
            let in_file: std::collections::HashSet<&str> =
                imported.tasks.iter().map(|t| t.external_id.as_str()).collect();
            let mut pending: Vec<&ImportTask> = imported.tasks.iter().collect();
            while !pending.is_empty() {
                let before = pending.len();
                let mut next = Vec::new();
                for task in pending {
                    let parent = match &task.parent_external_id {
                        None => None,
                        Some(p) => match written.get(p.as_str()) {
                            Some(id) => Some(*id),
                            None if in_file.contains(p.as_str()) => {
                                next.push(task);
                                continue;
                            }
                            None => {
                                run.summary.warnings.push(Notice {
                                    record: Some(task.external_key.clone().unwrap_or_else(|| task.external_id.clone())),
                                    field: Some("parent".into()),
                                    message: format!("parent {p} is not in this project; imported without parent"),
                                });
                                None
                            }
                        },
                    };
                    let id = run.task(&project, task, parent).await?;
                    run.comments(id, task).await?;
                    written.insert(&task.external_id, id);
                }
                if next.len() == before {
                    // A parent loop in the file: import the rest without parents.
                    for task in &next {
                        run.summary.warnings.push(Notice {
                            record: Some(task.external_id.clone()),
                            field: Some("parent".into()),
                            message: "parent chain loops; imported without parent".into(),
                        });
                        let id = run.task(&project, task, None).await?;
                        run.comments(id, task).await?;
                        written.insert(&task.external_id, id);
                    }
                    break;
                }
                pending = next;
            }
            run.dependencies(&project, imported, &written).await?;
        }
        run.write_changes(true).await?;
        let summary = run.summary;
        if !dry_run {
            record(&mut *tx, actor, "import", 0, "import", None, Some(&summary)).await?;
            tx.commit().await?;
        }
        Ok(summary)
    }
}

/// The number a source key carries for this project: CGQ-12 in project CGQ,
/// or a GitHub issue's #12.
fn key_number(project: &Project, source_key: &str, imported: &ImportTask) -> Option<i64> {
    let key = imported.external_key.as_deref()?;
    let digits = match key.strip_prefix('#') {
        Some(n) => n,
        None => {
            let (prefix, n) = key.rsplit_once('-')?;
            let ours = prefix == project.key || prefix.eq_ignore_ascii_case(source_key);
            if !ours {
                return None;
            }
            n
        }
    };
    digits.parse::<i64>().ok().filter(|n| *n > 0)
}
