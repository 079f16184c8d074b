//! The storage traits the use cases need. Each backend implements them; one
//! contract test suite holds every backend to the same behaviour.
//!
//! All work happens inside a [`Tx`]: reads in a read transaction, every
//! change in a write transaction that is committed whole or not at all.
//! Inserts take a domain value and ignore its `id` and `version`.

use crate::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use keel_domain::notify::NotificationPrefs;
use keel_domain::okr::{CheckIn, Cycle, KeyResult, KrComment, KrItem, Objective};
use keel_domain::org::{Unit, User};
use keel_domain::progress::{WorkProject, WorkTask};
use keel_domain::table::{CustomField, SavedView};
use keel_domain::work::{Comment, Project, ProjectMilestone, Task, Worklog};
use keel_domain::*;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

pub type R<T> = Result<T, StoreError>;

#[async_trait]
pub trait Store: Send + Sync {
    /// A transaction for reading; dropped without commit it rolls back.
    async fn read(&self) -> R<Box<dyn Tx>>;
    /// A transaction for writing. Backends serialise writers as they must
    /// (SQLite: one writer, BEGIN IMMEDIATE).
    async fn write(&self) -> R<Box<dyn Tx>>;
    /// "sqlite" or "postgres".
    fn backend(&self) -> &'static str;
}

/// Whose eyes a list is for: private items are filtered in the query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    pub user_id: UserId,
    pub admin: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub limit: i64,
    pub offset: i64,
}

impl Page {
    pub const ALL: Page = Page { limit: i64::MAX, offset: 0 };
}

/// Which key results a query reads: all of one cycle (one join, however many
/// there are) or an explicit few.
#[derive(Debug, Clone, Copy)]
pub enum KrScope<'a> {
    Cycle(CycleId),
    Objectives(&'a [ObjectiveId]),
    KeyResults(&'a [KeyResultId]),
}

#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub project_ids: Option<Vec<ProjectId>>,
    pub assignee_id: Option<UserId>,
    pub parent_id: Option<TaskId>,
    pub include_archived: bool,
    /// Leave descriptions empty: boards, charts and lists never show them,
    /// and on a big project they are most of the bytes read.
    pub without_descriptions: bool,
}

#[derive(Debug, Clone)]
pub struct Session {
    pub token_hash: String,
    pub user_id: UserId,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApiToken {
    pub id: TokenId,
    pub user_id: UserId,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

/// One entry of the change record: who changed what, when, before → after.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    pub id: ChangeId,
    pub at: DateTime<Utc>,
    pub actor_id: Option<UserId>,
    pub entity: String,
    pub entity_id: i64,
    pub action: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub before: Option<serde_json::Value>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub after: Option<serde_json::Value>,
}

/// What project health needs of each task, without the rest of the row.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskState {
    pub project_id: ProjectId,
    pub category: keel_domain::work::StatusCategory,
    pub cancelled: bool,
    pub blocked: bool,
    pub due_date: Option<chrono::NaiveDate>,
}

/// One search result: what it is, its id, its title and where it lives.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchHit {
    /// objective, key_result, project or task.
    pub kind: String,
    pub id: i64,
    pub title: String,
    /// A task's key (RET-42), a project's key, or the KR's objective title.
    pub context: String,
}

/// Links from projects and tasks to key results, for the work roll-up.
#[derive(Debug, Clone, Default)]
pub struct KrLinks {
    pub project_links: Vec<(ProjectId, KeyResultId)>,
    pub task_links: Vec<(TaskId, KeyResultId)>,
}

/// The tasks behind a key result (linked directly or through its projects),
/// counted for one viewer. Cancelled tasks count nowhere.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KrWorkCounts {
    pub done: i64,
    /// Not done and not cancelled.
    pub open: i64,
    /// Open with a due date before the viewer's today.
    pub overdue: i64,
}

#[async_trait]
pub trait Tx: Send {
    async fn commit(self: Box<Self>) -> R<()>;

    // Settings: small named values (first-start setup token, instance id).
    async fn get_setting(&mut self, key: &str) -> R<Option<String>>;
    async fn put_setting(&mut self, key: &str, value: &str) -> R<()>;
    async fn delete_setting(&mut self, key: &str) -> R<()>;

    // People.
    async fn insert_user(&mut self, user: &User, source: Option<(&str, &str)>) -> R<UserId>;
    async fn get_user(&mut self, id: UserId) -> R<Option<User>>;
    /// The user and their password hash.
    async fn find_user_by_login(&mut self, login: &str) -> R<Option<(User, Option<String>)>>;
    async fn find_user_by_source(&mut self, source: &str, external_id: &str) -> R<Option<User>>;
    async fn list_users(&mut self, page: Page) -> R<Vec<User>>;
    async fn count_users(&mut self) -> R<i64>;
    /// Saves every field and the unit memberships; fails with `Stale` when
    /// `user.version` is not the stored one. Returns the new version.
    async fn update_user(&mut self, user: &User) -> R<i64>;
    async fn set_password(&mut self, id: UserId, hash: &str) -> R<()>;

    async fn insert_session(&mut self, session: &Session) -> R<()>;
    async fn get_session(&mut self, token_hash: &str) -> R<Option<Session>>;
    async fn delete_session(&mut self, token_hash: &str) -> R<()>;
    /// Ends every session of a person (password changed, login revoked).
    async fn delete_sessions_of(&mut self, user_id: UserId) -> R<()>;
    async fn insert_token(&mut self, user_id: UserId, name: &str, token_hash: &str) -> R<TokenId>;
    async fn find_token(&mut self, token_hash: &str) -> R<Option<ApiToken>>;
    async fn list_tokens(&mut self, user_id: UserId) -> R<Vec<ApiToken>>;

    // Units.
    async fn insert_unit(&mut self, unit: &Unit) -> R<UnitId>;
    async fn get_unit(&mut self, id: UnitId) -> R<Option<Unit>>;
    async fn list_units(&mut self) -> R<Vec<Unit>>;
    async fn update_unit(&mut self, unit: &Unit) -> R<i64>;

    // Cycles.
    async fn insert_cycle(&mut self, cycle: &Cycle) -> R<CycleId>;
    async fn get_cycle(&mut self, id: CycleId) -> R<Option<Cycle>>;
    async fn list_cycles(&mut self) -> R<Vec<Cycle>>;
    async fn update_cycle(&mut self, cycle: &Cycle) -> R<i64>;

    // Objectives and key results.
    async fn insert_objective(&mut self, objective: &Objective) -> R<ObjectiveId>;
    async fn get_objective(&mut self, id: ObjectiveId) -> R<Option<Objective>>;
    async fn list_objectives(
        &mut self,
        cycle_id: Option<CycleId>,
        viewer: Option<Viewer>,
        page: Page,
    ) -> R<Vec<Objective>>;
    async fn update_objective(&mut self, objective: &Objective) -> R<i64>;

    async fn insert_key_result(&mut self, kr: &KeyResult) -> R<KeyResultId>;
    async fn get_key_result(&mut self, id: KeyResultId) -> R<Option<KeyResult>>;
    async fn list_key_results(&mut self, scope: KrScope<'_>) -> R<Vec<KeyResult>>;
    async fn update_key_result(&mut self, kr: &KeyResult) -> R<i64>;

    async fn insert_kr_item(&mut self, item: &KrItem) -> R<KrItemId>;
    async fn list_kr_items(&mut self, scope: KrScope<'_>) -> R<Vec<KrItem>>;
    async fn update_kr_item(&mut self, item: &KrItem) -> R<()>;

    async fn insert_check_in(&mut self, check_in: &CheckIn) -> R<CheckInId>;
    /// Oldest first.
    async fn list_check_ins(&mut self, scope: KrScope<'_>) -> R<Vec<CheckIn>>;

    // Projects.
    async fn insert_project(&mut self, project: &Project, external_id: Option<&str>) -> R<ProjectId>;
    async fn get_project(&mut self, id: ProjectId) -> R<Option<Project>>;
    async fn find_project_by_key(&mut self, key: &str) -> R<Option<Project>>;
    async fn find_project_by_source(&mut self, source: &str, external_id: &str) -> R<Option<Project>>;
    async fn list_projects(&mut self, viewer: Option<Viewer>, page: Page) -> R<Vec<Project>>;
    async fn update_project(&mut self, project: &Project) -> R<i64>;
    /// Hands out the next task number of a project (RET-1, RET-2 …).
    async fn next_task_number(&mut self, project_id: ProjectId) -> R<i64>;
    /// Takes a given task number (an imported RET-42 keeps 42) if no task of
    /// the project has it; later numbers then continue after it.
    async fn claim_task_number(&mut self, project_id: ProjectId, number: i64) -> R<bool>;
    async fn insert_milestone(&mut self, milestone: &ProjectMilestone) -> R<MilestoneId>;
    async fn list_milestones(&mut self, project_id: ProjectId) -> R<Vec<ProjectMilestone>>;

    // Tasks.
    async fn insert_task(&mut self, task: &Task) -> R<TaskId>;
    async fn get_task(&mut self, id: TaskId) -> R<Option<Task>>;
    async fn find_task_by_source(&mut self, source: &str, external_id: &str) -> R<Option<Task>>;
    /// The external ids of every task and every comment already imported from
    /// `source`: an import looks up only those, not each of 100,000 new rows.
    async fn source_ids(&mut self, source: &str) -> R<(HashSet<String>, HashSet<String>)>;
    async fn list_tasks(&mut self, filter: &TaskFilter, viewer: Option<Viewer>, page: Page) -> R<Vec<Task>>;
    async fn count_tasks(&mut self, filter: &TaskFilter, viewer: Option<Viewer>) -> R<i64>;
    /// Saves every field, the KR links and the dependencies.
    async fn update_task(&mut self, task: &Task) -> R<i64>;
    /// All finish-to-start edges (task, depends_on) among the tasks of a project.
    async fn list_dependencies(&mut self, project_id: ProjectId) -> R<Vec<(TaskId, TaskId)>>;

    async fn insert_comment(&mut self, comment: &Comment, source: Option<(&str, &str)>) -> R<CommentId>;
    async fn find_comment_by_source(&mut self, source: &str, external_id: &str) -> R<Option<Comment>>;
    async fn update_comment(&mut self, comment: &Comment) -> R<()>;
    async fn list_comments(&mut self, task_id: TaskId) -> R<Vec<Comment>>;

    async fn insert_worklog(&mut self, worklog: &Worklog) -> R<WorklogId>;
    async fn list_worklogs(&mut self, task_id: TaskId) -> R<Vec<Worklog>>;

    // Custom fields, their values, and saved table views.
    async fn insert_custom_field(&mut self, field: &CustomField) -> R<FieldId>;
    async fn get_custom_field(&mut self, id: FieldId) -> R<Option<CustomField>>;
    async fn find_custom_field_by_source(&mut self, source: &str, external_id: &str) -> R<Option<CustomField>>;
    /// The fields of these projects, by project, then position.
    async fn list_custom_fields(&mut self, projects: &[ProjectId]) -> R<Vec<CustomField>>;
    /// Saves name, options and position; `Stale` when `field.version` is not the stored one.
    async fn update_custom_field(&mut self, field: &CustomField) -> R<i64>;
    /// Removes a field with every value of it; `Stale` on a version mismatch.
    async fn delete_custom_field(&mut self, id: FieldId, version: i64) -> R<()>;
    /// Sets (Some, JSON text) or clears (None) one task's value of one field.
    async fn set_field_value(&mut self, task: TaskId, field: FieldId, value: Option<&str>) -> R<()>;
    /// Every stored value of these fields: (task, field, JSON text).
    async fn list_field_values(&mut self, fields: &[FieldId]) -> R<Vec<(TaskId, FieldId, String)>>;
    /// Counts a change kept outside the task's row (a field value) as a change
    /// of the task: new version and `updated_at`; `Stale` on a version mismatch.
    async fn touch_task(&mut self, id: TaskId, version: i64, at: DateTime<Utc>) -> R<i64>;
    async fn insert_saved_view(&mut self, view: &SavedView) -> R<ViewId>;
    async fn get_saved_view(&mut self, id: ViewId) -> R<Option<SavedView>>;
    /// The project's shared views and the personal ones of `owner` — never
    /// anyone else's. Shared first, then in the order they were saved.
    async fn list_saved_views(&mut self, project: ProjectId, owner: Option<UserId>) -> R<Vec<SavedView>>;
    /// Saves name and spec; `Stale` on a version mismatch.
    async fn update_saved_view(&mut self, view: &SavedView) -> R<i64>;
    async fn delete_saved_view(&mut self, id: ViewId, version: i64) -> R<()>;

    // The work roll-up's view of everything a viewer may see.
    async fn work_graph(&mut self, viewer: Option<Viewer>) -> R<(Vec<WorkProject>, Vec<WorkTask>)>;
    async fn kr_links(&mut self, viewer: Option<Viewer>) -> R<KrLinks>;
    /// Every visible task's health-relevant state (archived ones left out).
    async fn task_states(&mut self, viewer: Option<Viewer>) -> R<Vec<TaskState>>;

    /// Titles (and task keys, project names and keys) containing `text`,
    /// case-insensitively, among what the viewer may see; `limit` per kind.
    async fn search(&mut self, text: &str, viewer: Option<Viewer>, limit: i64) -> R<Vec<SearchHit>>;

    // The change record.
    async fn insert_change(&mut self, change: &Change) -> R<ChangeId>;
    /// Several changes at once, in order (their ids are not needed).
    async fn insert_changes(&mut self, changes: &[Change]) -> R<()>;
    async fn list_changes(&mut self, entity: &str, entity_id: i64) -> R<Vec<Change>>;
    /// The id of the newest change (0 when there is none).
    async fn latest_change_id(&mut self) -> R<i64>;
    /// Changes recorded after `after_id`, oldest first, at most `limit`.
    async fn list_changes_after(&mut self, after_id: i64, limit: i64) -> R<Vec<Change>>;

    /// The newest schema migration applied.
    async fn schema_version(&mut self) -> R<i64>;
    /// Every exported table, whole, in load order (see `crate::backup`).
    async fn export_tables(&mut self) -> R<Vec<ExportedTable>>;
    /// Loads exported tables into a database that holds none of their rows.
    async fn import_tables(&mut self, tables: &[ExportedTable]) -> R<()>;

    // People, settings and key-result comments (issue 3).
    async fn insert_kr_comment(&mut self, comment: &KrComment, source: Option<(&str, &str)>) -> R<KrCommentId>;
    /// A key result's comments, oldest first.
    async fn list_kr_comments(&mut self, kr_id: KeyResultId, page: Page) -> R<Vec<KrComment>>;
    async fn count_kr_comments(&mut self, kr_id: KeyResultId) -> R<i64>;
    /// A person's stored notification preferences and their version.
    async fn get_notification_prefs(&mut self, user_id: UserId) -> R<Option<(NotificationPrefs, i64)>>;
    /// Stores a person's preferences if the stored version is `version` (0:
    /// none stored yet) and returns the new version; `Stale` otherwise.
    async fn put_notification_prefs(&mut self, user_id: UserId, prefs: &NotificationPrefs, version: i64) -> R<i64>;
    /// People whose name, login or email contains `text` (any case), by name then id.
    async fn search_users(&mut self, text: &str, page: Page) -> R<Vec<User>>;
    async fn count_search_users(&mut self, text: &str) -> R<i64>;
    /// Live tasks linked to a key result directly or through a linked project,
    /// those the viewer may see; `open_only` leaves out done and cancelled ones.
    /// Ordered by due date (undated last), then key.
    async fn kr_work_tasks(
        &mut self,
        kr_id: KeyResultId,
        viewer: Option<Viewer>,
        open_only: bool,
        page: Page,
    ) -> R<Vec<keel_domain::work::Task>>;
    /// Done / open / overdue counts of the same tasks; overdue against `today`.
    async fn kr_work_counts(
        &mut self,
        kr_id: KeyResultId,
        viewer: Option<Viewer>,
        today: chrono::NaiveDate,
    ) -> R<KrWorkCounts>;
}

/// One table of a full export: its columns and every row's values in that order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportedTable {
    pub name: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<serde_json::Value>>,
}
