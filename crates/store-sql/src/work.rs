//! Projects, milestones, tasks with their links, comments, worklogs, and the
//! compact view of all work that the progress roll-up reads.

use crate::conn::placeholders;
use crate::conn::{fetch_map, insert_id};
use crate::okr::{viewer_args, visible};
use crate::users::first_int;
use crate::{Conn, Row, Value, args};
use keel_app::StoreError;
use keel_app::store::{KrLinks, Page, R, TaskFilter, TaskState, Viewer};
use keel_domain::progress::{WorkProject, WorkTask};
use keel_domain::work::*;
use keel_domain::*;
use std::collections::HashMap;

fn unknown(what: &str, value: &str) -> StoreError {
    StoreError::Other(format!("unknown {what} {value:?} in the database"))
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".into())
}

const PROJECT_COLS: &str = "p.id, p.key, p.name, p.description, p.parent_id, p.owner_id, p.unit_id, p.status, \
    p.start_date, p.target_date, p.private, p.workflow, p.source, p.archived, p.version, p.created_at";

fn project_from(row: &Row) -> R<Project> {
    let mut c = row.cursor();
    Ok(Project {
        id: ProjectId(c.int()?),
        key: c.text()?,
        name: c.text()?,
        description: c.text()?,
        parent_id: c.opt_int()?.map(ProjectId),
        owner_id: c.opt_int()?.map(UserId),
        unit_id: c.opt_int()?.map(UnitId),
        status: {
            let s = c.text()?;
            ProjectStatus::parse(&s).ok_or_else(|| unknown("project status", &s))?
        },
        start_date: c.opt_date()?,
        target_date: c.opt_date()?,
        private: c.bool()?,
        workflow: c.json()?,
        source: c.opt_text()?,
        archived: c.bool()?,
        version: c.int()?,
        created_at: c.time()?,
        key_result_ids: Vec::new(),
    })
}

async fn with_project_krs(c: &mut dyn Conn, mut projects: Vec<Project>) -> R<Vec<Project>> {
    if projects.is_empty() {
        return Ok(projects);
    }
    let sql = format!(
        "SELECT project_id, key_result_id FROM project_key_results WHERE project_id IN ({}) ORDER BY key_result_id",
        placeholders(1, projects.len())
    );
    let rows = c.fetch(&sql, projects.iter().map(|p| Value::from(p.id.0)).collect()).await?;
    let mut by_project: HashMap<i64, Vec<KeyResultId>> = HashMap::new();
    for row in rows {
        let mut cur = row.cursor();
        let p = cur.int()?;
        by_project.entry(p).or_default().push(KeyResultId(cur.int()?));
    }
    for p in &mut projects {
        p.key_result_ids = by_project.remove(&p.id.0).unwrap_or_default();
    }
    Ok(projects)
}

async fn save_project_krs(c: &mut dyn Conn, project: ProjectId, krs: &[KeyResultId]) -> R<()> {
    c.execute("DELETE FROM project_key_results WHERE project_id = $1", args![project.0]).await?;
    for kr in krs {
        c.execute(
            "INSERT INTO project_key_results (project_id, key_result_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            args![project.0, kr.0],
        )
        .await?;
    }
    Ok(())
}

pub async fn insert_project(c: &mut dyn Conn, p: &Project, external_id: Option<&str>) -> R<ProjectId> {
    let id = ProjectId(
        insert_id(
            c,
            "INSERT INTO projects (key, name, description, parent_id, owner_id, unit_id, status, \
             start_date, target_date, \
             private, workflow, source, external_id, archived, next_number, version, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1, 1, $15) RETURNING id",
            args![
                p.key.as_str(),
                p.name.as_str(),
                p.description.as_str(),
                p.parent_id.map(|x| x.0),
                p.owner_id.map(|x| x.0),
                p.unit_id.map(|x| x.0),
                p.status.as_str(),
                p.start_date,
                p.target_date,
                p.private,
                to_json(&p.workflow),
                p.source.as_deref(),
                external_id,
                p.archived,
                p.created_at
            ],
        )
        .await?,
    );
    save_project_krs(c, id, &p.key_result_ids).await?;
    Ok(id)
}

async fn one_project(c: &mut dyn Conn, rows: Vec<Row>) -> R<Option<Project>> {
    match rows.first() {
        None => Ok(None),
        Some(row) => Ok(with_project_krs(c, vec![project_from(row)?]).await?.pop()),
    }
}

pub async fn get_project(c: &mut dyn Conn, id: ProjectId) -> R<Option<Project>> {
    let rows = c.fetch(&format!("SELECT {PROJECT_COLS} FROM projects p WHERE p.id = $1"), args![id.0]).await?;
    one_project(c, rows).await
}

pub async fn find_project_by_key(c: &mut dyn Conn, key: &str) -> R<Option<Project>> {
    let rows = c.fetch(&format!("SELECT {PROJECT_COLS} FROM projects p WHERE p.key = $1"), args![key]).await?;
    one_project(c, rows).await
}

pub async fn find_project_by_source(c: &mut dyn Conn, source: &str, external_id: &str) -> R<Option<Project>> {
    let rows = c
        .fetch(
            &format!("SELECT {PROJECT_COLS} FROM projects p WHERE p.source = $1 AND p.external_id = $2"),
            args![source, external_id],
        )
        .await?;
    one_project(c, rows).await
}

pub async fn list_projects(c: &mut dyn Conn, viewer: Option<Viewer>, page: Page) -> R<Vec<Project>> {
    let (admin, user) = viewer_args(viewer);
    let sql =
        format!("SELECT {PROJECT_COLS} FROM projects p WHERE {} ORDER BY p.id LIMIT $3 OFFSET $4", visible("p", 1, 2));
    let rows = c.fetch(&sql, vec![admin, user, page.limit.into(), page.offset.into()]).await?;
    let projects = rows.iter().map(project_from).collect::<R<Vec<_>>>()?;
    with_project_krs(c, projects).await
}

pub async fn update_project(c: &mut dyn Conn, p: &Project) -> R<i64> {
    let changed = c
        .execute(
            "UPDATE projects SET key = $1, name = $2, description = $3, parent_id = $4, owner_id = $5, unit_id = $6, \
             status = $7, start_date = $8, target_date = $9, private = $10, workflow = $11, archived = $12, \
             version = version + 1 WHERE id = $13 AND version = $14",
            args![
                p.key.as_str(),
                p.name.as_str(),
                p.description.as_str(),
                p.parent_id.map(|x| x.0),
                p.owner_id.map(|x| x.0),
                p.unit_id.map(|x| x.0),
                p.status.as_str(),
                p.start_date,
                p.target_date,
                p.private,
                to_json(&p.workflow),
                p.archived,
                p.id.0,
                p.version
            ],
        )
        .await?;
    crate::tx::check_versioned(c, changed, "projects", p.id.0).await?;
    save_project_krs(c, p.id, &p.key_result_ids).await?;
    Ok(p.version + 1)
}

pub async fn next_task_number(c: &mut dyn Conn, project: ProjectId) -> R<i64> {
    let rows = c
        .fetch(
            "UPDATE projects SET next_number = next_number + 1 WHERE id = $1 RETURNING next_number - 1",
            args![project.0],
        )
        .await?;
    first_int(&rows)
}

pub async fn claim_task_number(c: &mut dyn Conn, project: ProjectId, number: i64) -> R<bool> {
    if number < 1 {
        return Ok(false);
    }
    // One statement: the project row changes only when the number is free.
    let changed = c
        .execute(
            "UPDATE projects SET next_number = CASE WHEN next_number > $2 THEN next_number ELSE $2 + 1 END \
             WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM tasks WHERE project_id = $1 AND number = $2)",
            args![project.0, number],
        )
        .await?;
    Ok(changed == 1)
}

pub async fn insert_milestone(c: &mut dyn Conn, m: &ProjectMilestone) -> R<MilestoneId> {
    Ok(MilestoneId(
        insert_id(
            c,
            "INSERT INTO project_milestones (project_id, title, due_date, done) VALUES ($1, $2, $3, $4) RETURNING id",
            args![m.project_id.0, m.title.as_str(), m.due_date, m.done],
        )
        .await?,
    ))
}

pub async fn list_milestones(c: &mut dyn Conn, project: ProjectId) -> R<Vec<ProjectMilestone>> {
    fetch_map(
        c,
        "SELECT id, project_id, title, due_date, done FROM project_milestones \
             WHERE project_id = $1 ORDER BY due_date, id",
        args![project.0],
        |r| {
            let mut c = r.cursor();
            Ok(ProjectMilestone {
                id: MilestoneId(c.int()?),
                project_id: ProjectId(c.int()?),
                title: c.text()?,
                due_date: c.opt_date()?,
                done: c.bool()?,
            })
        },
    )
    .await
}

pub(crate) const TASK_COLS: &str = "t.id, t.project_id, t.number, p.key, t.title, t.description, t.status, t.category, t.blocked, \
    t.blocked_reason, t.priority, t.assignee_id, t.reporter_id, t.start_date, t.due_date, t.estimate, t.progress, \
    t.parent_id, t.labels, t.cancelled, t.archived, t.source, t.external_id, t.created_at, t.updated_at, t.version";

pub(crate) fn task_from(row: &Row) -> R<Task> {
    let mut c = row.cursor();
    let id = TaskId(c.int()?);
    let project_id = ProjectId(c.int()?);
    let number = c.int()?;
    let project_key = c.text()?;
    Ok(Task {
        id,
        project_id,
        number,
        key: format!("{project_key}-{number}"),
        title: c.text()?,
        description: c.text()?,
        status: c.text()?,
        category: {
            let s = c.text()?;
            StatusCategory::parse(&s).ok_or_else(|| unknown("status category", &s))?
        },
        blocked: c.bool()?,
        blocked_reason: c.opt_text()?,
        priority: {
            let s = c.text()?;
            Priority::parse(&s).ok_or_else(|| unknown("priority", &s))?
        },
        assignee_id: c.opt_int()?.map(UserId),
        reporter_id: c.opt_int()?.map(UserId),
        start_date: c.opt_date()?,
        due_date: c.opt_date()?,
        estimate: c.opt_float()?,
        progress: c.opt_float()?,
        parent_id: c.opt_int()?.map(TaskId),
        labels: c.json()?,
        cancelled: c.bool()?,
        archived: c.bool()?,
        source: c.opt_text()?,
        external_id: c.opt_text()?,
        created_at: c.time()?,
        updated_at: c.time()?,
        version: c.int()?,
        key_result_ids: Vec::new(),
        depends_on: Vec::new(),
    })
}

/// Fills KR links and dependencies of tasks, two queries per batch of ids.
pub(crate) async fn with_task_links(c: &mut dyn Conn, tasks: Vec<Task>) -> R<Vec<Task>> {
    // Small batches: SQLite looks up each `$n` of a statement by a linear
    // scan, so one statement of n placeholders costs n² (10,000 ids took
    // 200 ms); PostgreSQL takes at most 65,535 parameters anyway.
    const BATCH: usize = 500;
    let mut links = Links::default();
    for batch in tasks.chunks(BATCH) {
        let ids: Vec<Value> = batch.iter().map(|t| Value::from(t.id.0)).collect();
        let list = placeholders(1, ids.len());
        links.read(c, &format!("task_id IN ({list})"), "", ids).await?;
    }
    Ok(links.attach(tasks))
}

/// Fills KR links and dependencies of the tasks a filter chose, reading the
/// links through the same condition instead of a list of ids: a 12,000-task
/// board then costs two plain joins. Links of tasks not in `tasks` (beyond a
/// page) are read and dropped.
async fn with_filtered_task_links(c: &mut dyn Conn, tasks: Vec<Task>, cond: &str, values: Vec<Value>) -> R<Vec<Task>> {
    let mut links = Links::default();
    let join = "JOIN tasks t ON t.id = l.task_id JOIN projects p ON p.id = t.project_id";
    links.read(c, cond, join, values).await?;
    Ok(links.attach(tasks))
}

/// KR links and dependencies by task id, as read.
#[derive(Default)]
struct Links {
    krs: HashMap<i64, Vec<KeyResultId>>,
    deps: HashMap<i64, Vec<TaskId>>,
}

impl Links {
    /// Reads the links of the tasks `cond` chooses (`l` is the link table,
    /// `join` may bring in `t` and `p`).
    async fn read(&mut self, c: &mut dyn Conn, cond: &str, join: &str, values: Vec<Value>) -> R<()> {
        let sql = format!(
            "SELECT l.task_id, l.key_result_id FROM task_key_results l {join} WHERE {cond} ORDER BY l.key_result_id"
        );
        for row in c.fetch(&sql, values.clone()).await? {
            let mut cur = row.cursor();
            let t = cur.int()?;
            self.krs.entry(t).or_default().push(KeyResultId(cur.int()?));
        }
        let sql = format!(
            "SELECT l.task_id, l.depends_on_id FROM task_dependencies l {join} WHERE {cond} ORDER BY l.depends_on_id"
        );
        for row in c.fetch(&sql, values).await? {
            let mut cur = row.cursor();
            let t = cur.int()?;
            self.deps.entry(t).or_default().push(TaskId(cur.int()?));
        }
        Ok(())
    }

    fn attach(mut self, mut tasks: Vec<Task>) -> Vec<Task> {
        for t in &mut tasks {
            t.key_result_ids = self.krs.remove(&t.id.0).unwrap_or_default();
            t.depends_on = self.deps.remove(&t.id.0).unwrap_or_default();
        }
        tasks
    }
}

/// Replaces a task's KR links and dependencies; a new task (`fresh`) has
/// none to remove, which saves two statements per imported task.
async fn save_task_links(c: &mut dyn Conn, t: &Task, fresh: bool) -> R<()> {
    if !fresh {
        c.execute("DELETE FROM task_key_results WHERE task_id = $1", args![t.id.0]).await?;
        c.execute("DELETE FROM task_dependencies WHERE task_id = $1", args![t.id.0]).await?;
    }
    for kr in &t.key_result_ids {
        c.execute(
            "INSERT INTO task_key_results (task_id, key_result_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            args![t.id.0, kr.0],
        )
        .await?;
    }
    for dep in &t.depends_on {
        c.execute(
            "INSERT INTO task_dependencies (task_id, depends_on_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            args![t.id.0, dep.0],
        )
        .await?;
    }
    Ok(())
}

fn task_values(t: &Task) -> Vec<Value> {
    args![
        t.title.as_str(),
        t.description.as_str(),
        t.status.as_str(),
        t.category.as_str(),
        t.blocked,
        t.blocked_reason.as_deref(),
        t.priority.as_str(),
        t.assignee_id.map(|x| x.0),
        t.reporter_id.map(|x| x.0),
        t.start_date,
        t.due_date,
        t.estimate,
        t.progress,
        t.parent_id.map(|x| x.0),
        to_json(&t.labels),
        t.cancelled,
        t.archived,
        t.updated_at
    ]
}

pub async fn insert_task(c: &mut dyn Conn, t: &Task) -> R<TaskId> {
    let mut values = task_values(t);
    values.extend(args![t.project_id.0, t.number, t.source.as_deref(), t.external_id.as_deref(), t.created_at]);
    let id = TaskId(
        insert_id(
            c,
            "INSERT INTO tasks (title, description, status, category, blocked, blocked_reason, \
             priority, assignee_id, \
             reporter_id, start_date, due_date, estimate, progress, parent_id, labels, cancelled, \
             archived, updated_at, \
             project_id, number, source, external_id, created_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
             $18, $19, $20, $21, $22, $23, 1) \
             RETURNING id",
            values,
        )
        .await?,
    );
    save_task_links(c, &Task { id, ..t.clone() }, true).await?;
    Ok(id)
}

async fn one_task(c: &mut dyn Conn, rows: Vec<Row>) -> R<Option<Task>> {
    match rows.first() {
        None => Ok(None),
        Some(row) => Ok(with_task_links(c, vec![task_from(row)?]).await?.pop()),
    }
}

pub async fn get_task(c: &mut dyn Conn, id: TaskId) -> R<Option<Task>> {
    let rows = c
        .fetch(
            &format!("SELECT {TASK_COLS} FROM tasks t JOIN projects p ON p.id = t.project_id WHERE t.id = $1"),
            args![id.0],
        )
        .await?;
    one_task(c, rows).await
}

pub async fn find_task_by_source(c: &mut dyn Conn, source: &str, external_id: &str) -> R<Option<Task>> {
    let rows = c
        .fetch(
            &format!(
                "SELECT {TASK_COLS} FROM tasks t JOIN projects p ON p.id = t.project_id \
                 WHERE t.source = $1 AND t.external_id = $2"
            ),
            args![source, external_id],
        )
        .await?;
    one_task(c, rows).await
}

/// WHERE clause and arguments of a task filter; parameters start at $1.
fn task_where(filter: &TaskFilter, viewer: Option<Viewer>) -> (String, Vec<Value>) {
    let (admin, user) = viewer_args(viewer);
    let mut values = vec![admin, user];
    let mut clauses = vec![visible("p", 1, 2)];
    if let Some(projects) = &filter.project_ids {
        if projects.is_empty() {
            clauses.push("1 = 0".into());
        } else {
            clauses.push(format!("t.project_id IN ({})", placeholders(values.len() + 1, projects.len())));
            values.extend(projects.iter().map(|p| Value::from(p.0)));
        }
    }
    if let Some(assignee) = filter.assignee_id {
        values.push(assignee.0.into());
        clauses.push(format!("t.assignee_id = ${}", values.len()));
    }
    if let Some(parent) = filter.parent_id {
        values.push(parent.0.into());
        clauses.push(format!("t.parent_id = ${}", values.len()));
    }
    if !filter.include_archived {
        clauses.push("t.archived = FALSE".into());
    }
    (clauses.join(" AND "), values)
}

pub async fn list_tasks(c: &mut dyn Conn, filter: &TaskFilter, viewer: Option<Viewer>, page: Page) -> R<Vec<Task>> {
    let (cond, mut values) = task_where(filter, viewer);
    let n = values.len();
    values.push(page.limit.into());
    values.push(page.offset.into());
    let cols = if filter.without_descriptions { TASK_COLS.replace("t.description", "''") } else { TASK_COLS.into() };
    let sql = format!(
        "SELECT {cols} FROM tasks t JOIN projects p ON p.id = t.project_id WHERE {cond} \
         ORDER BY t.project_id, t.number LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    );
    let rows = c.fetch(&sql, values.clone()).await?;
    let tasks = rows.iter().map(task_from).collect::<R<Vec<_>>>()?;
    if tasks.len() <= LINKS_BY_ID_MAX {
        with_task_links(c, tasks).await
    } else {
        values.truncate(n);
        with_filtered_task_links(c, tasks, &cond, values).await
    }
}

/// Up to this many listed tasks their links are read by id; more, through the filter.
const LINKS_BY_ID_MAX: usize = 500;

pub async fn count_tasks(c: &mut dyn Conn, filter: &TaskFilter, viewer: Option<Viewer>) -> R<i64> {
    let (cond, values) = task_where(filter, viewer);
    let sql = format!("SELECT COUNT(*) FROM tasks t JOIN projects p ON p.id = t.project_id WHERE {cond}");
    first_int(&c.fetch(&sql, values).await?)
}

pub async fn update_task(c: &mut dyn Conn, t: &Task) -> R<i64> {
    let mut values = task_values(t);
    values.extend(args![t.project_id.0, t.number, t.id.0, t.version]);
    let changed = c
        .execute(
            "UPDATE tasks SET title = $1, description = $2, status = $3, category = $4, blocked = \
             $5, blocked_reason = $6, \
             priority = $7, assignee_id = $8, reporter_id = $9, start_date = $10, due_date = $11, estimate = $12, \
             progress = $13, parent_id = $14, labels = $15, cancelled = $16, archived = $17, updated_at = $18, \
             project_id = $19, number = $20, version = version + 1 WHERE id = $21 AND version = $22",
            values,
        )
        .await?;
    crate::tx::check_versioned(c, changed, "tasks", t.id.0).await?;
    save_task_links(c, t, false).await?;
    Ok(t.version + 1)
}

pub async fn list_dependencies(c: &mut dyn Conn, project: ProjectId) -> R<Vec<(TaskId, TaskId)>> {
    fetch_map(
        c,
        "SELECT d.task_id, d.depends_on_id FROM task_dependencies d JOIN tasks t ON t.id = d.task_id \
             WHERE t.project_id = $1 ORDER BY d.task_id, d.depends_on_id",
        args![project.0],
        |r| {
            let mut c = r.cursor();
            Ok((TaskId(c.int()?), TaskId(c.int()?)))
        },
    )
    .await
}

fn comment_from(row: &Row) -> R<Comment> {
    let mut c = row.cursor();
    Ok(Comment {
        id: CommentId(c.int()?),
        task_id: TaskId(c.int()?),
        author_id: c.opt_int()?.map(UserId),
        body: c.text()?,
        created_at: c.time()?,
    })
}

pub async fn insert_comment(c: &mut dyn Conn, m: &Comment, source: Option<(&str, &str)>) -> R<CommentId> {
    Ok(CommentId(
        insert_id(
            c,
            "INSERT INTO comments (task_id, author_id, body, created_at, source, external_id) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            args![
                m.task_id.0,
                m.author_id.map(|a| a.0),
                m.body.as_str(),
                m.created_at,
                source.map(|s| s.0),
                source.map(|s| s.1)
            ],
        )
        .await?,
    ))
}

pub async fn find_comment_by_source(c: &mut dyn Conn, source: &str, external_id: &str) -> R<Option<Comment>> {
    let rows = c
        .fetch(
            "SELECT id, task_id, author_id, body, created_at FROM comments WHERE source = $1 AND external_id = $2",
            args![source, external_id],
        )
        .await?;
    rows.first().map(comment_from).transpose()
}

pub async fn update_comment(c: &mut dyn Conn, m: &Comment) -> R<()> {
    c.execute(
        "UPDATE comments SET author_id = $1, body = $2, created_at = $3 WHERE id = $4",
        args![m.author_id.map(|a| a.0), m.body.as_str(), m.created_at, m.id.0],
    )
    .await?;
    Ok(())
}

pub async fn list_comments(c: &mut dyn Conn, task: TaskId) -> R<Vec<Comment>> {
    fetch_map(
        c,
        "SELECT id, task_id, author_id, body, created_at FROM comments WHERE task_id = $1 ORDER BY created_at, id",
        args![task.0],
        comment_from,
    )
    .await
}

pub async fn insert_worklog(c: &mut dyn Conn, w: &Worklog) -> R<WorklogId> {
    Ok(WorklogId(
        insert_id(
            c,
            "INSERT INTO worklogs (task_id, user_id, day, hours, note) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            args![w.task_id.0, w.user_id.0, w.day, w.hours, w.note.as_str()],
        )
        .await?,
    ))
}

pub async fn list_worklogs(c: &mut dyn Conn, task: TaskId) -> R<Vec<Worklog>> {
    fetch_map(
        c,
        "SELECT id, task_id, user_id, day, hours, note FROM worklogs WHERE task_id = $1 ORDER BY day, id",
        args![task.0],
        |r| {
            let mut c = r.cursor();
            Ok(Worklog {
                id: WorklogId(c.int()?),
                task_id: TaskId(c.int()?),
                user_id: UserId(c.int()?),
                day: c.date()?,
                hours: c.float()?,
                note: c.text()?,
            })
        },
    )
    .await
}

pub async fn work_graph(c: &mut dyn Conn, viewer: Option<Viewer>) -> R<(Vec<WorkProject>, Vec<WorkTask>)> {
    let (admin, user) = viewer_args(viewer);
    let rows = c
        .fetch(
            &format!("SELECT p.id, p.parent_id FROM projects p WHERE {}", visible("p", 1, 2)),
            vec![admin.clone(), user.clone()],
        )
        .await?;
    let projects = rows
        .iter()
        .map(|r| {
            let mut c = r.cursor();
            Ok(WorkProject { id: c.int()?, parent_id: c.opt_int()? })
        })
        .collect::<R<Vec<_>>>()?;
    let rows = c
        .fetch(
            &format!(
                "SELECT t.id, t.project_id, t.parent_id, t.estimate, t.progress, t.category, t.cancelled \
                 FROM tasks t JOIN projects p ON p.id = t.project_id WHERE {}",
                visible("p", 1, 2)
            ),
            vec![admin, user],
        )
        .await?;
    let tasks = rows
        .iter()
        .map(|r| {
            let mut c = r.cursor();
            Ok(WorkTask {
                id: c.int()?,
                project_id: c.int()?,
                parent_id: c.opt_int()?,
                estimate: c.opt_float()?,
                progress: c.opt_float()?,
                category: {
                    let s = c.text()?;
                    StatusCategory::parse(&s).ok_or_else(|| unknown("status category", &s))?
                },
                cancelled: c.bool()?,
            })
        })
        .collect::<R<Vec<_>>>()?;
    Ok((projects, tasks))
}

pub async fn kr_links(c: &mut dyn Conn, viewer: Option<Viewer>) -> R<KrLinks> {
    let (admin, user) = viewer_args(viewer);
    let rows = c
        .fetch(
            &format!(
                "SELECT l.project_id, l.key_result_id FROM project_key_results l JOIN projects p ON \
                 p.id = l.project_id WHERE {}",
                visible("p", 1, 2)
            ),
            vec![admin.clone(), user.clone()],
        )
        .await?;
    let project_links = rows
        .iter()
        .map(|r| {
            let mut c = r.cursor();
            Ok((ProjectId(c.int()?), KeyResultId(c.int()?)))
        })
        .collect::<R<Vec<_>>>()?;
    let rows = c
        .fetch(
            &format!(
                "SELECT l.task_id, l.key_result_id FROM task_key_results l JOIN tasks t ON t.id = l.task_id \
                 JOIN projects p ON p.id = t.project_id WHERE {}",
                visible("p", 1, 2)
            ),
            vec![admin, user],
        )
        .await?;
    let task_links = rows
        .iter()
        .map(|r| {
            let mut c = r.cursor();
            Ok((TaskId(c.int()?), KeyResultId(c.int()?)))
        })
        .collect::<R<Vec<_>>>()?;
    Ok(KrLinks { project_links, task_links })
}

pub async fn task_states(c: &mut dyn Conn, viewer: Option<Viewer>) -> R<Vec<TaskState>> {
    let (admin, user) = viewer_args(viewer);
    let sql = format!(
        "SELECT t.project_id, t.category, t.cancelled, t.blocked, t.due_date FROM tasks t \
         JOIN projects p ON p.id = t.project_id WHERE t.archived = FALSE AND {}",
        visible("p", 1, 2)
    );
    fetch_map(c, &sql, vec![admin, user], |r| {
        let mut c = r.cursor();
        Ok(TaskState {
            project_id: ProjectId(c.int()?),
            category: {
                let s = c.text()?;
                StatusCategory::parse(&s).ok_or_else(|| unknown("status category", &s))?
            },
            cancelled: c.bool()?,
            blocked: c.bool()?,
            due_date: c.opt_date()?,
        })
    })
    .await
}
