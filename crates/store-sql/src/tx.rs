//! [`SqlTx`]: the shared SQL behind Keel's storage traits, over any backend's [`Conn`].

use crate::{Conn, args, misc, okr, people, table, users, work};
use async_trait::async_trait;
use keel_app::StoreError;
use keel_app::store::*;
use keel_domain::notify::NotificationPrefs;
use keel_domain::okr::*;
use keel_domain::org::*;
use keel_domain::progress::{WorkProject, WorkTask};
use keel_domain::table::{CustomField, SavedView};
use keel_domain::work::*;
use keel_domain::*;

pub struct SqlTx {
    conn: Box<dyn Conn>,
}

impl SqlTx {
    pub fn new(conn: Box<dyn Conn>) -> Self {
        SqlTx { conn }
    }
}

/// After a versioned UPDATE changed nothing: tells a stale version from a missing row.
pub(crate) async fn check_versioned(c: &mut dyn Conn, changed: u64, table: &str, id: i64) -> R<()> {
    if changed > 0 {
        return Ok(());
    }
    let rows = c.fetch(&format!("SELECT id FROM {table} WHERE id = $1"), args![id]).await?;
    Err(if rows.is_empty() { StoreError::NotFound } else { StoreError::Stale })
}

#[async_trait]
impl Tx for SqlTx {
    async fn commit(self: Box<Self>) -> R<()> {
        self.conn.commit().await
    }

    async fn get_setting(&mut self, key: &str) -> R<Option<String>> {
        users::get_setting(self.conn.as_mut(), key).await
    }
    async fn put_setting(&mut self, key: &str, value: &str) -> R<()> {
        users::put_setting(self.conn.as_mut(), key, value).await
    }
    async fn delete_setting(&mut self, key: &str) -> R<()> {
        users::delete_setting(self.conn.as_mut(), key).await
    }
    async fn insert_user(&mut self, user: &User, source: Option<(&str, &str)>) -> R<UserId> {
        users::insert_user(self.conn.as_mut(), user, source).await
    }
    async fn get_user(&mut self, id: UserId) -> R<Option<User>> {
        users::get_user(self.conn.as_mut(), id).await
    }
    async fn find_user_by_login(&mut self, login: &str) -> R<Option<(User, Option<String>)>> {
        users::find_user_by_login(self.conn.as_mut(), login).await
    }
    async fn find_user_by_source(&mut self, source: &str, external_id: &str) -> R<Option<User>> {
        users::find_user_by_source(self.conn.as_mut(), source, external_id).await
    }
    async fn list_users(&mut self, page: Page) -> R<Vec<User>> {
        users::list_users(self.conn.as_mut(), page).await
    }
    async fn count_users(&mut self) -> R<i64> {
        users::count_users(self.conn.as_mut()).await
    }
    async fn update_user(&mut self, user: &User) -> R<i64> {
        users::update_user(self.conn.as_mut(), user).await
    }
    async fn set_password(&mut self, id: UserId, hash: &str) -> R<()> {
        users::set_password(self.conn.as_mut(), id, hash).await
    }
    async fn insert_session(&mut self, session: &Session) -> R<()> {
        users::insert_session(self.conn.as_mut(), session).await
    }
    async fn get_session(&mut self, token_hash: &str) -> R<Option<Session>> {
        users::get_session(self.conn.as_mut(), token_hash).await
    }
    async fn delete_session(&mut self, token_hash: &str) -> R<()> {
        users::delete_session(self.conn.as_mut(), token_hash).await
    }

    async fn delete_sessions_of(&mut self, user_id: UserId) -> R<()> {
        users::delete_sessions_of(self.conn.as_mut(), user_id).await
    }
    async fn insert_token(&mut self, user_id: UserId, name: &str, token_hash: &str) -> R<TokenId> {
        users::insert_token(self.conn.as_mut(), user_id, name, token_hash).await
    }
    async fn find_token(&mut self, token_hash: &str) -> R<Option<ApiToken>> {
        users::find_token(self.conn.as_mut(), token_hash).await
    }
    async fn list_tokens(&mut self, user_id: UserId) -> R<Vec<ApiToken>> {
        users::list_tokens(self.conn.as_mut(), user_id).await
    }
    async fn insert_unit(&mut self, unit: &Unit) -> R<UnitId> {
        users::insert_unit(self.conn.as_mut(), unit).await
    }
    async fn get_unit(&mut self, id: UnitId) -> R<Option<Unit>> {
        users::get_unit(self.conn.as_mut(), id).await
    }
    async fn list_units(&mut self) -> R<Vec<Unit>> {
        users::list_units(self.conn.as_mut()).await
    }
    async fn update_unit(&mut self, unit: &Unit) -> R<i64> {
        users::update_unit(self.conn.as_mut(), unit).await
    }
    async fn insert_cycle(&mut self, cycle: &Cycle) -> R<CycleId> {
        okr::insert_cycle(self.conn.as_mut(), cycle).await
    }
    async fn get_cycle(&mut self, id: CycleId) -> R<Option<Cycle>> {
        okr::get_cycle(self.conn.as_mut(), id).await
    }
    async fn list_cycles(&mut self) -> R<Vec<Cycle>> {
        okr::list_cycles(self.conn.as_mut()).await
    }
    async fn update_cycle(&mut self, cycle: &Cycle) -> R<i64> {
        okr::update_cycle(self.conn.as_mut(), cycle).await
    }
    async fn insert_objective(&mut self, objective: &Objective) -> R<ObjectiveId> {
        okr::insert_objective(self.conn.as_mut(), objective).await
    }
    async fn get_objective(&mut self, id: ObjectiveId) -> R<Option<Objective>> {
        okr::get_objective(self.conn.as_mut(), id).await
    }
    async fn list_objectives(
        &mut self,
        cycle_id: Option<CycleId>,
        viewer: Option<Viewer>,
        page: Page,
    ) -> R<Vec<Objective>> {
        okr::list_objectives(self.conn.as_mut(), cycle_id, viewer, page).await
    }
    async fn update_objective(&mut self, objective: &Objective) -> R<i64> {
        okr::update_objective(self.conn.as_mut(), objective).await
    }
    async fn insert_key_result(&mut self, kr: &KeyResult) -> R<KeyResultId> {
        okr::insert_key_result(self.conn.as_mut(), kr).await
    }
    async fn get_key_result(&mut self, id: KeyResultId) -> R<Option<KeyResult>> {
        okr::get_key_result(self.conn.as_mut(), id).await
    }
    async fn list_key_results(&mut self, scope: KrScope<'_>) -> R<Vec<KeyResult>> {
        okr::list_key_results(self.conn.as_mut(), scope).await
    }
    async fn update_key_result(&mut self, kr: &KeyResult) -> R<i64> {
        okr::update_key_result(self.conn.as_mut(), kr).await
    }
    async fn insert_kr_item(&mut self, item: &KrItem) -> R<KrItemId> {
        okr::insert_kr_item(self.conn.as_mut(), item).await
    }
    async fn list_kr_items(&mut self, scope: KrScope<'_>) -> R<Vec<KrItem>> {
        okr::list_kr_items(self.conn.as_mut(), scope).await
    }
    async fn update_kr_item(&mut self, item: &KrItem) -> R<()> {
        okr::update_kr_item(self.conn.as_mut(), item).await
    }
    async fn insert_check_in(&mut self, check_in: &CheckIn) -> R<CheckInId> {
        okr::insert_check_in(self.conn.as_mut(), check_in).await
    }
    async fn list_check_ins(&mut self, scope: KrScope<'_>) -> R<Vec<CheckIn>> {
        okr::list_check_ins(self.conn.as_mut(), scope).await
    }
    async fn insert_project(&mut self, project: &Project, external_id: Option<&str>) -> R<ProjectId> {
        work::insert_project(self.conn.as_mut(), project, external_id).await
    }
    async fn get_project(&mut self, id: ProjectId) -> R<Option<Project>> {
        work::get_project(self.conn.as_mut(), id).await
    }
    async fn find_project_by_key(&mut self, key: &str) -> R<Option<Project>> {
        work::find_project_by_key(self.conn.as_mut(), key).await
    }
    async fn find_project_by_source(&mut self, source: &str, external_id: &str) -> R<Option<Project>> {
        work::find_project_by_source(self.conn.as_mut(), source, external_id).await
    }
    async fn list_projects(&mut self, viewer: Option<Viewer>, page: Page) -> R<Vec<Project>> {
        work::list_projects(self.conn.as_mut(), viewer, page).await
    }
    async fn update_project(&mut self, project: &Project) -> R<i64> {
        work::update_project(self.conn.as_mut(), project).await
    }
    async fn next_task_number(&mut self, project_id: ProjectId) -> R<i64> {
        work::next_task_number(self.conn.as_mut(), project_id).await
    }

    async fn claim_task_number(&mut self, project_id: ProjectId, number: i64) -> R<bool> {
        work::claim_task_number(self.conn.as_mut(), project_id, number).await
    }
    async fn insert_milestone(&mut self, milestone: &ProjectMilestone) -> R<MilestoneId> {
        work::insert_milestone(self.conn.as_mut(), milestone).await
    }
    async fn list_milestones(&mut self, project_id: ProjectId) -> R<Vec<ProjectMilestone>> {
        work::list_milestones(self.conn.as_mut(), project_id).await
    }
    async fn insert_task(&mut self, task: &Task) -> R<TaskId> {
        work::insert_task(self.conn.as_mut(), task).await
    }
    async fn get_task(&mut self, id: TaskId) -> R<Option<Task>> {
        work::get_task(self.conn.as_mut(), id).await
    }
    async fn find_task_by_source(&mut self, source: &str, external_id: &str) -> R<Option<Task>> {
        work::find_task_by_source(self.conn.as_mut(), source, external_id).await
    }
    async fn list_tasks(&mut self, filter: &TaskFilter, viewer: Option<Viewer>, page: Page) -> R<Vec<Task>> {
        work::list_tasks(self.conn.as_mut(), filter, viewer, page).await
    }
    async fn count_tasks(&mut self, filter: &TaskFilter, viewer: Option<Viewer>) -> R<i64> {
        work::count_tasks(self.conn.as_mut(), filter, viewer).await
    }
    async fn update_task(&mut self, task: &Task) -> R<i64> {
        work::update_task(self.conn.as_mut(), task).await
    }
    async fn list_dependencies(&mut self, project_id: ProjectId) -> R<Vec<(TaskId, TaskId)>> {
        work::list_dependencies(self.conn.as_mut(), project_id).await
    }
    async fn insert_comment(&mut self, comment: &Comment, source: Option<(&str, &str)>) -> R<CommentId> {
        work::insert_comment(self.conn.as_mut(), comment, source).await
    }
    async fn source_ids(
        &mut self,
        source: &str,
    ) -> R<(std::collections::HashSet<String>, std::collections::HashSet<String>)> {
        let mut out: (std::collections::HashSet<String>, std::collections::HashSet<String>) = Default::default();
        for (table, set) in [("tasks", &mut out.0), ("comments", &mut out.1)] {
            let sql = format!("SELECT external_id FROM {table} WHERE source = $1 AND external_id IS NOT NULL");
            for row in self.conn.fetch(&sql, args![source]).await? {
                set.insert(row.cursor().text()?);
            }
        }
        Ok(out)
    }

    async fn find_comment_by_source(&mut self, source: &str, external_id: &str) -> R<Option<Comment>> {
        work::find_comment_by_source(self.conn.as_mut(), source, external_id).await
    }
    async fn update_comment(&mut self, comment: &Comment) -> R<()> {
        work::update_comment(self.conn.as_mut(), comment).await
    }
    async fn list_comments(&mut self, task_id: TaskId) -> R<Vec<Comment>> {
        work::list_comments(self.conn.as_mut(), task_id).await
    }
    async fn insert_worklog(&mut self, worklog: &Worklog) -> R<WorklogId> {
        work::insert_worklog(self.conn.as_mut(), worklog).await
    }
    async fn list_worklogs(&mut self, task_id: TaskId) -> R<Vec<Worklog>> {
        work::list_worklogs(self.conn.as_mut(), task_id).await
    }
    async fn insert_custom_field(&mut self, field: &CustomField) -> R<FieldId> {
        table::insert_custom_field(self.conn.as_mut(), field).await
    }
    async fn get_custom_field(&mut self, id: FieldId) -> R<Option<CustomField>> {
        table::get_custom_field(self.conn.as_mut(), id).await
    }
    async fn find_custom_field_by_source(&mut self, source: &str, external_id: &str) -> R<Option<CustomField>> {
        table::find_custom_field_by_source(self.conn.as_mut(), source, external_id).await
    }
    async fn list_custom_fields(&mut self, projects: &[ProjectId]) -> R<Vec<CustomField>> {
        table::list_custom_fields(self.conn.as_mut(), projects).await
    }
    async fn update_custom_field(&mut self, field: &CustomField) -> R<i64> {
        table::update_custom_field(self.conn.as_mut(), field).await
    }
    async fn delete_custom_field(&mut self, id: FieldId, version: i64) -> R<()> {
        table::delete_custom_field(self.conn.as_mut(), id, version).await
    }
    async fn set_field_value(&mut self, task: TaskId, field: FieldId, value: Option<&str>) -> R<()> {
        table::set_field_value(self.conn.as_mut(), task, field, value).await
    }
    async fn list_field_values(&mut self, fields: &[FieldId]) -> R<Vec<(TaskId, FieldId, String)>> {
        table::list_field_values(self.conn.as_mut(), fields).await
    }
    async fn touch_task(&mut self, id: TaskId, version: i64, at: chrono::DateTime<chrono::Utc>) -> R<i64> {
        table::touch_task(self.conn.as_mut(), id, version, at).await
    }
    async fn insert_saved_view(&mut self, view: &SavedView) -> R<ViewId> {
        table::insert_saved_view(self.conn.as_mut(), view).await
    }
    async fn get_saved_view(&mut self, id: ViewId) -> R<Option<SavedView>> {
        table::get_saved_view(self.conn.as_mut(), id).await
    }
    async fn list_saved_views(&mut self, project: ProjectId, owner: Option<UserId>) -> R<Vec<SavedView>> {
        table::list_saved_views(self.conn.as_mut(), project, owner).await
    }
    async fn update_saved_view(&mut self, view: &SavedView) -> R<i64> {
        table::update_saved_view(self.conn.as_mut(), view).await
    }
    async fn delete_saved_view(&mut self, id: ViewId, version: i64) -> R<()> {
        table::delete_saved_view(self.conn.as_mut(), id, version).await
    }
    async fn work_graph(&mut self, viewer: Option<Viewer>) -> R<(Vec<WorkProject>, Vec<WorkTask>)> {
        work::work_graph(self.conn.as_mut(), viewer).await
    }
    async fn kr_links(&mut self, viewer: Option<Viewer>) -> R<KrLinks> {
        work::kr_links(self.conn.as_mut(), viewer).await
    }

    async fn task_states(&mut self, viewer: Option<Viewer>) -> R<Vec<TaskState>> {
        work::task_states(self.conn.as_mut(), viewer).await
    }
    async fn insert_changes(&mut self, changes: &[Change]) -> R<()> {
        misc::insert_changes(self.conn.as_mut(), changes).await
    }

    async fn latest_change_id(&mut self) -> R<i64> {
        misc::latest_change_id(self.conn.as_mut()).await
    }

    async fn schema_version(&mut self) -> R<i64> {
        crate::users::first_int(
            &self.conn.fetch("SELECT COALESCE(MAX(version), 0) FROM keel_migrations", vec![]).await?,
        )
    }

    async fn export_tables(&mut self) -> R<Vec<ExportedTable>> {
        // One snapshot for every table while others write (SQLite's read
        // transaction is one already). Must be the transaction's first statement.
        if self.conn.is_postgres() {
            self.conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", vec![]).await?;
        }
        let mut out = Vec::new();
        for t in crate::export::TABLES {
            out.push(ExportedTable {
                name: t.name.to_string(),
                columns: t.columns.iter().map(|(n, _)| n.to_string()).collect(),
                rows: crate::export::dump(self.conn.as_mut(), t).await?,
            });
        }
        Ok(out)
    }

    async fn import_tables(&mut self, tables: &[ExportedTable]) -> R<()> {
        crate::export::load_all(self.conn.as_mut(), tables).await
    }

    async fn list_changes_after(&mut self, after_id: i64, limit: i64) -> R<Vec<Change>> {
        misc::list_changes_after(self.conn.as_mut(), after_id, limit).await
    }

    async fn search(&mut self, text: &str, viewer: Option<Viewer>, limit: i64) -> R<Vec<SearchHit>> {
        misc::search(self.conn.as_mut(), text, viewer, limit).await
    }

    async fn insert_change(&mut self, change: &Change) -> R<ChangeId> {
        misc::insert_change(self.conn.as_mut(), change).await
    }
    async fn list_changes(&mut self, entity: &str, entity_id: i64) -> R<Vec<Change>> {
        misc::list_changes(self.conn.as_mut(), entity, entity_id).await
    }

    // People, settings and key-result comments (issue 3).
    async fn insert_kr_comment(&mut self, comment: &KrComment, source: Option<(&str, &str)>) -> R<KrCommentId> {
        people::insert_kr_comment(self.conn.as_mut(), comment, source).await
    }
    async fn list_kr_comments(&mut self, kr_id: KeyResultId, page: Page) -> R<Vec<KrComment>> {
        people::list_kr_comments(self.conn.as_mut(), kr_id, page).await
    }
    async fn count_kr_comments(&mut self, kr_id: KeyResultId) -> R<i64> {
        people::count_kr_comments(self.conn.as_mut(), kr_id).await
    }
    async fn get_notification_prefs(&mut self, user_id: UserId) -> R<Option<(NotificationPrefs, i64)>> {
        people::get_notification_prefs(self.conn.as_mut(), user_id).await
    }
    async fn put_notification_prefs(&mut self, user_id: UserId, prefs: &NotificationPrefs, version: i64) -> R<i64> {
        people::put_notification_prefs(self.conn.as_mut(), user_id, prefs, version).await
    }
    async fn search_users(&mut self, text: &str, page: Page) -> R<Vec<User>> {
        people::search_users(self.conn.as_mut(), text, page).await
    }
    async fn count_search_users(&mut self, text: &str) -> R<i64> {
        people::count_search_users(self.conn.as_mut(), text).await
    }
    async fn kr_work_tasks(
        &mut self,
        kr_id: KeyResultId,
        viewer: Option<Viewer>,
        open_only: bool,
        page: Page,
    ) -> R<Vec<Task>> {
        people::kr_work_tasks(self.conn.as_mut(), kr_id, viewer, open_only, page).await
    }
    async fn kr_work_counts(
        &mut self,
        kr_id: KeyResultId,
        viewer: Option<Viewer>,
        today: chrono::NaiveDate,
    ) -> R<KrWorkCounts> {
        people::kr_work_counts(self.conn.as_mut(), kr_id, viewer, today).await
    }
}
