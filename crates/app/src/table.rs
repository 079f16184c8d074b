//! The table view of a project: custom fields (created, renamed, reordered,
//! deleted by those who may change the project; read by everyone who sees
//! it), a task's value of a field (set by those who may change the task,
//! with the task's version), saved views (personal ones seen and changed by
//! their owner alone; shared ones changed by those who may change the
//! project), and the table itself: the project's and its sub-projects' live
//! tasks as rows, built-in and custom columns, filtered, sorted, grouped and
//! paged on the server as `keel_domain::table` evaluates a view.
//!
//! A project's table also shows the fields of the projects above it: a field
//! describes every task of the project it belongs to and of its
//! sub-projects, and only such a task takes a value of it.

use crate::access::{self, require};
use crate::auth::Actor;
use crate::okr::{check_version, conflict, visible_key_result};
use crate::record::record;
use crate::store::{KrScope, Page, Tx};
use crate::work::{visible_project, visible_task};
use crate::{App, AppError, AppResult, StoreError};
use chrono::Utc;
use keel_domain::table::*;
use keel_domain::text;
use keel_domain::work::{Project, StatusCategory, Task};
use keel_domain::*;
use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};
use std::collections::{HashMap, HashSet};

/// Rows per page of the table.
pub const ROWS_PER_PAGE: usize = 100;
/// Custom fields per project, at most.
pub const FIELDS_MAX: usize = 100;

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FieldInput {
    pub name: String,
    pub kind: FieldKind,
    /// The choices of a select field, in order.
    #[serde(default)]
    pub options: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FieldPatch {
    pub name: Option<String>,
    /// A select field's new options; values naming a removed option are cleared.
    pub options: Option<Vec<String>>,
    /// Its new place among the project's fields, from 1.
    pub position: Option<i64>,
    pub version: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FieldValueInput {
    /// Text, a number, an option, an array of options, "YYYY-MM-DD", a user
    /// id, true, or an http(s) URL, as the field's kind wants; null clears.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub value: Json,
    /// The task's version the change is based on.
    pub version: i64,
}

/// A value as it arrives: JSON from the API, or a form's inputs.
#[derive(Debug, Clone)]
pub enum RawValue {
    Json(Json),
    Inputs(Vec<String>),
}

/// A task's value of a field after it was set.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldValueSet {
    pub task_id: TaskId,
    pub field_id: FieldId,
    /// Null when cleared.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub value: Json,
    /// The task's new version.
    pub version: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ViewInput {
    pub name: String,
    pub spec: ViewSpec,
    /// Shared with everyone who can see the project; else only yours.
    #[serde(default)]
    pub shared: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ViewPatch {
    pub name: Option<String>,
    pub spec: Option<ViewSpec>,
    pub version: i64,
}

/// Words for built-in values in the reader's language, so a filter typed in
/// it matches ("进行中" as well as "In progress").
#[derive(Debug, Clone, Default)]
pub struct CellLabels {
    /// Status name (lower case) → label.
    pub statuses: HashMap<String, String>,
    /// Priority (`high`) → label.
    pub priorities: HashMap<String, String>,
}

/// A task as a row of the table.
#[derive(Debug, Clone)]
pub struct TableRow {
    pub task: Task,
    pub values: HashMap<FieldId, FieldValue>,
    pub can_edit: bool,
    /// Index into `TableData::groups`.
    pub group: usize,
}

/// A group of the whole view (not only of a page).
#[derive(Debug, Clone)]
pub struct TableGroup {
    pub key: Cell,
    pub count: usize,
    /// Index of its first row among all rows of the view.
    pub start: usize,
}

/// Which part of the view to read.
#[derive(Debug, Clone, Copy)]
pub enum Rows {
    /// A page of [`ROWS_PER_PAGE`], from 1 (past the end: the last).
    Page(usize),
    /// Every row (exports).
    All,
}

/// A view of a project's table, evaluated.
#[derive(Debug, Clone)]
pub struct TableData {
    pub project: Project,
    /// Every custom field of the table, in column order: the project's own,
    /// then those of the projects above it.
    pub fields: Vec<CustomField>,
    /// The spec as evaluated, and what of the asked one was left out.
    pub spec: ViewSpec,
    pub problems: Vec<SpecProblem>,
    /// The columns shown, in order.
    pub columns: Vec<Column>,
    pub rows: Vec<TableRow>,
    pub groups: Vec<TableGroup>,
    /// Rows in the whole view.
    pub total: usize,
    pub page: usize,
    pub pages: usize,
    /// Position of the first row of `rows` in the whole view.
    pub offset: usize,
    pub people: HashMap<UserId, String>,
    pub key_results: HashMap<KeyResultId, String>,
    /// Keys of parent tasks.
    pub parents: HashMap<TaskId, String>,
    /// Projects of the rows (the project and its sub-projects).
    pub projects: HashMap<ProjectId, Project>,
    /// May add, rename, reorder and delete this project's fields, and share views.
    pub can_edit_project: bool,
}

impl TableData {
    pub fn field(&self, id: FieldId) -> Option<&CustomField> {
        self.fields.iter().find(|f| f.id == id)
    }

    /// The kind of a column of this table, if it has it.
    pub fn kind_of(&self, column: &Column) -> Option<ValueKind> {
        kind_of(&self.fields, column)
    }
}

fn kind_of(fields: &[CustomField], column: &Column) -> Option<ValueKind> {
    match column {
        Column::Builtin(b) => Some(b.value_kind()),
        Column::Field(id) => fields.iter().find(|f| f.id == *id).map(|f| f.kind.value_kind()),
    }
}

/// The project and those above it, nearest first.
async fn ancestry(tx: &mut dyn Tx, project: &Project) -> AppResult<Vec<Project>> {
    let mut chain = vec![project.clone()];
    let mut next = project.parent_id;
    while let Some(id) = next {
        if chain.iter().any(|p| p.id == id) || chain.len() > 64 {
            break;
        }
        let Some(p) = tx.get_project(id).await? else { break };
        next = p.parent_id;
        chain.push(p);
    }
    Ok(chain)
}

/// The fields a project's table shows: its own, then its ancestors'.
async fn fields_for(tx: &mut dyn Tx, project: &Project) -> AppResult<Vec<CustomField>> {
    let chain = ancestry(tx, project).await?;
    let ids: Vec<ProjectId> = chain.iter().map(|p| p.id).collect();
    let mut fields = tx.list_custom_fields(&ids).await?;
    fields.sort_by_key(|f| (ids.iter().position(|p| *p == f.project_id), f.position, f.id));
    Ok(fields)
}

/// The project's sub-projects (and theirs) among `all`, the project first.
fn subtree(all: &[Project], root: ProjectId) -> Vec<ProjectId> {
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

/// A field the actor may see, with its project.
async fn visible_field(tx: &mut dyn Tx, actor: &Actor, id: FieldId) -> AppResult<(Project, CustomField)> {
    let field = tx.get_custom_field(id).await?.ok_or(AppError::NotFound("field"))?;
    let project = visible_project(tx, actor, field.project_id).await.map_err(|_| AppError::NotFound("field"))?;
    Ok((project, field))
}

/// A view the actor may see: shared ones of visible projects, and their own.
async fn visible_view(tx: &mut dyn Tx, actor: &Actor, id: ViewId) -> AppResult<(Project, SavedView)> {
    let view = tx.get_saved_view(id).await?.ok_or(AppError::NotFound("view"))?;
    if view.owner_id.is_some() && !actor.is(view.owner_id) {
        return Err(AppError::NotFound("view"));
    }
    let project = visible_project(tx, actor, view.project_id).await.map_err(|_| AppError::NotFound("view"))?;
    Ok((project, view))
}

fn check_unique_name(fields: &[CustomField], name: &str, except: Option<FieldId>) -> AppResult<()> {
    let lower = name.to_lowercase();
    if fields.iter().any(|f| Some(f.id) != except && f.name.to_lowercase() == lower) {
        return Err(AppError::invalid("name", format!("the project already has a field named {name:?}")));
    }
    Ok(())
}

/// Refuses a spec naming columns the table does not have or filters it cannot read.
fn check_spec(fields: &[CustomField], spec: &ViewSpec) -> AppResult<ViewSpec> {
    let (kept, problems) = spec.normalize(&|c| kind_of(fields, c));
    if let Some(p) = problems.first() {
        return Err(AppError::invalid("spec", format!("{}: {}", p.column, p.message)));
    }
    Ok(kept)
}

/// What the change record keeps of a task's value of a field.
fn value_record(task: &Task, field: &CustomField, value: &Json, version: i64) -> Json {
    json!({
        "task_id": task.id.0,
        "project_id": task.project_id.0,
        "field_id": field.id.0,
        "field": field.name,
        "value": value,
        "version": version,
    })
}

impl App {
    /// The custom fields of a project's table (its own, then inherited ones).
    pub async fn list_fields(&self, actor: &Actor, project: ProjectId) -> AppResult<Vec<CustomField>> {
        let mut tx = self.store.read().await?;
        let project = visible_project(&mut *tx, actor, project).await?;
        fields_for(&mut *tx, &project).await
    }

    pub async fn get_field(&self, actor: &Actor, id: FieldId) -> AppResult<CustomField> {
        let mut tx = self.store.read().await?;
        Ok(visible_field(&mut *tx, actor, id).await?.1)
    }

    pub async fn create_field(&self, actor: &Actor, project: ProjectId, input: FieldInput) -> AppResult<CustomField> {
        let mut tx = self.store.write().await?;
        let project = visible_project(&mut *tx, actor, project).await?;
        require(access::can_edit_project(actor, &project), "only those who may change the project add fields")?;
        let name = check_field_name(&input.name)?;
        let options = check_options(input.kind, &input.options)?;
        let own = tx.list_custom_fields(&[project.id]).await?;
        check_unique_name(&own, &name, None)?;
        if own.len() >= FIELDS_MAX {
            return Err(AppError::invalid("name", format!("a project has at most {FIELDS_MAX} fields")));
        }
        let mut field = CustomField {
            id: FieldId(0),
            project_id: project.id,
            name,
            kind: input.kind,
            options,
            position: own.iter().map(|f| f.position).max().unwrap_or(0) + 1,
            source: None,
            external_id: None,
            version: 1,
        };
        field.id = tx.insert_custom_field(&field).await?;
        record(&mut *tx, actor, "custom_field", field.id.0, "create", None, Some(&field)).await?;
        tx.commit().await?;
        Ok(field)
    }

    pub async fn update_field(&self, actor: &Actor, id: FieldId, patch: FieldPatch) -> AppResult<CustomField> {
        let mut tx = self.store.write().await?;
        let (project, before) = visible_field(&mut *tx, actor, id).await?;
        require(access::can_edit_project(actor, &project), "only those who may change the project change fields")?;
        check_version(before.version, patch.version, &before)?;
        let own = tx.list_custom_fields(&[project.id]).await?;
        let mut field = before.clone();
        if let Some(name) = patch.name {
            field.name = check_field_name(&name)?;
            check_unique_name(&own, &field.name, Some(id))?;
        }
        if let Some(options) = patch.options {
            if !field.kind.has_options() {
                return Err(AppError::invalid("options", "only select fields have options"));
            }
            field.options = check_options(field.kind, &options)?;
        }
        // Values naming an option that is gone, or spelled differently now, are rewritten or cleared.
        let mut rewritten = Vec::new();
        if field.options != before.options {
            for (task, _, stored) in tx.list_field_values(&[id]).await? {
                let now = field.value_from_stored(&stored).map(|v| v.to_json().to_string());
                if now.as_deref() != Some(stored.as_str()) {
                    rewritten.push((task, now));
                }
            }
        }
        for (task, value) in &rewritten {
            tx.set_field_value(*task, id, value.as_deref()).await?;
        }
        if let Some(position) = patch.position {
            // Move it among the project's fields and number them 1, 2, 3 … again.
            let mut order: Vec<CustomField> = own.into_iter().filter(|f| f.id != id).collect();
            let at = (position.max(1) as usize - 1).min(order.len());
            order.insert(at, field.clone());
            for (i, f) in order.iter().enumerate() {
                let place = i as i64 + 1;
                if f.id == id {
                    field.position = place;
                } else if f.position != place {
                    let moved = CustomField { position: place, ..f.clone() };
                    tx.update_custom_field(&moved).await?;
                }
            }
        }
        field.version = match tx.update_custom_field(&field).await {
            Ok(v) => v,
            Err(StoreError::Stale) => return Err(conflict(&tx.get_custom_field(id).await?)),
            Err(e) => return Err(e.into()),
        };
        record(&mut *tx, actor, "custom_field", id.0, "update", Some(&before), Some(&field)).await?;
        tx.commit().await?;
        Ok(field)
    }

    pub async fn delete_field(&self, actor: &Actor, id: FieldId, version: i64) -> AppResult<()> {
        let mut tx = self.store.write().await?;
        let (project, field) = visible_field(&mut *tx, actor, id).await?;
        require(access::can_edit_project(actor, &project), "only those who may change the project delete fields")?;
        check_version(field.version, version, &field)?;
        tx.delete_custom_field(id, version).await?;
        record(&mut *tx, actor, "custom_field", id.0, "delete", Some(&field), None).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets (or clears) a task's value of a field, based on the task's
    /// `version`; a stale one is refused with the task as it is now.
    pub async fn set_field_value(
        &self,
        actor: &Actor,
        task_id: TaskId,
        field_id: FieldId,
        raw: RawValue,
        version: i64,
    ) -> AppResult<FieldValueSet> {
        let mut tx = self.store.write().await?;
        let (project, task) = visible_task(&mut *tx, actor, task_id).await?;
        require(access::can_edit_task(actor, &project, &task), "you may not change this task")?;
        let field = tx.get_custom_field(field_id).await?.ok_or(AppError::NotFound("field"))?;
        let chain = ancestry(&mut *tx, &project).await?;
        if !chain.iter().any(|p| p.id == field.project_id) {
            return Err(AppError::invalid("field_id", "the field belongs to no project of this task"));
        }
        check_version(task.version, version, &task)?;
        let value = match &raw {
            RawValue::Json(v) => field.value_from_json(v)?,
            RawValue::Inputs(inputs) => {
                let refs: Vec<&str> = inputs.iter().map(String::as_str).collect();
                field.value_from_inputs(&refs)?
            }
        };
        if let Some(FieldValue::Person(user)) = &value {
            tx.get_user(*user).await?.ok_or_else(|| AppError::invalid("value", "no such person"))?;
        }
        let before = tx
            .list_field_values(&[field_id])
            .await?
            .into_iter()
            .find(|(t, _, _)| *t == task_id)
            .and_then(|(_, _, stored)| serde_json::from_str::<Json>(&stored).ok())
            .unwrap_or(Json::Null);
        let after = value.as_ref().map(FieldValue::to_json).unwrap_or(Json::Null);
        tx.set_field_value(task_id, field_id, value.as_ref().map(|v| v.to_json().to_string()).as_deref()).await?;
        let new_version = match tx.touch_task(task_id, version, Utc::now()).await {
            Ok(v) => v,
            Err(StoreError::Stale) => return Err(conflict(&tx.get_task(task_id).await?)),
            Err(e) => return Err(e.into()),
        };
        record(
            &mut *tx,
            actor,
            "task",
            task_id.0,
            "set_field",
            Some(&value_record(&task, &field, &before, version)),
            Some(&value_record(&task, &field, &after, new_version)),
        )
        .await?;
        tx.commit().await?;
        Ok(FieldValueSet { task_id, field_id, value: after, version: new_version })
    }

    /// The views the actor may pick on a project's table: the shared ones and
    /// their own — never someone else's personal views.
    pub async fn list_views(&self, actor: &Actor, project: ProjectId) -> AppResult<Vec<SavedView>> {
        let mut tx = self.store.read().await?;
        let project = visible_project(&mut *tx, actor, project).await?;
        Ok(tx.list_saved_views(project.id, actor.id()).await?)
    }

    pub async fn get_view(&self, actor: &Actor, id: ViewId) -> AppResult<SavedView> {
        let mut tx = self.store.read().await?;
        Ok(visible_view(&mut *tx, actor, id).await?.1)
    }

    pub async fn create_view(&self, actor: &Actor, project: ProjectId, input: ViewInput) -> AppResult<SavedView> {
        let mut tx = self.store.write().await?;
        let project = visible_project(&mut *tx, actor, project).await?;
        let name = text::required("name", &input.name, VIEW_NAME_MAX)?;
        let owner_id = if input.shared {
            require(access::can_edit_project(actor, &project), "only those who may change the project share views")?;
            None
        } else {
            Some(actor.id().ok_or_else(|| AppError::invalid("shared", "a personal view needs a person"))?)
        };
        let spec = check_spec(&fields_for(&mut *tx, &project).await?, &input.spec)?;
        let mut view = SavedView {
            id: ViewId(0),
            project_id: project.id,
            owner_id,
            name,
            spec,
            version: 1,
            created_by: actor.id(),
            created_at: Utc::now(),
        };
        view.id = tx.insert_saved_view(&view).await?;
        record(&mut *tx, actor, "saved_view", view.id.0, "create", None, Some(&view)).await?;
        tx.commit().await?;
        Ok(view)
    }

    pub async fn update_view(&self, actor: &Actor, id: ViewId, patch: ViewPatch) -> AppResult<SavedView> {
        let mut tx = self.store.write().await?;
        let (project, before) = visible_view(&mut *tx, actor, id).await?;
        if before.owner_id.is_none() {
            require(
                access::can_edit_project(actor, &project),
                "only those who may change the project change shared views",
            )?;
        }
        check_version(before.version, patch.version, &before)?;
        let mut view = before.clone();
        if let Some(name) = patch.name {
            view.name = text::required("name", &name, VIEW_NAME_MAX)?;
        }
        if let Some(spec) = patch.spec {
            view.spec = check_spec(&fields_for(&mut *tx, &project).await?, &spec)?;
        }
        view.version = match tx.update_saved_view(&view).await {
            Ok(v) => v,
            Err(StoreError::Stale) => return Err(conflict(&tx.get_saved_view(id).await?)),
            Err(e) => return Err(e.into()),
        };
        record(&mut *tx, actor, "saved_view", id.0, "update", Some(&before), Some(&view)).await?;
        tx.commit().await?;
        Ok(view)
    }

    pub async fn delete_view(&self, actor: &Actor, id: ViewId, version: i64) -> AppResult<()> {
        let mut tx = self.store.write().await?;
        let (project, view) = visible_view(&mut *tx, actor, id).await?;
        if view.owner_id.is_none() {
            require(
                access::can_edit_project(actor, &project),
                "only those who may change the project delete shared views",
            )?;
        }
        check_version(view.version, version, &view)?;
        tx.delete_saved_view(id, version).await?;
        record(&mut *tx, actor, "saved_view", id.0, "delete", Some(&view), None).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A project's table as `spec` shows it: rows of the project and its
    /// sub-projects the actor may see (archived ones left out), filtered,
    /// sorted, grouped, and cut to a page (or every row, for an export).
    pub async fn table(
        &self,
        actor: &Actor,
        project: ProjectId,
        spec: &ViewSpec,
        rows: Rows,
        labels: &CellLabels,
    ) -> AppResult<TableData> {
        let mut tx = self.store.read().await?;
        let project = visible_project(&mut *tx, actor, project).await?;
        let fields = fields_for(&mut *tx, &project).await?;
        let (spec, problems) = spec.normalize(&|c| kind_of(&fields, c));
        let field_columns: Vec<Column> = fields.iter().map(CustomField::column).collect();
        let columns = spec.shown_columns(&field_columns);

        let all_projects = tx.list_projects(actor.viewer(), Page::ALL).await?;
        let ids = subtree(&all_projects, project.id);
        let mut projects: HashMap<ProjectId, Project> =
            all_projects.into_iter().filter(|p| ids.contains(&p.id)).map(|p| (p.id, p)).collect();
        projects.insert(project.id, project.clone());
        let mut tasks = self.project_tasks(&mut *tx, actor, &ids, false).await?.as_ref().clone();
        // Parents' keys: the rows themselves, and the few archived parents read one by one.
        let mut parents: HashMap<TaskId, String> = tasks.iter().map(|t| (t.id, t.key.clone())).collect();
        let missing: HashSet<TaskId> =
            tasks.iter().filter_map(|t| t.parent_id).filter(|p| !parents.contains_key(p)).collect();
        for id in missing {
            if let Some(parent) = tx.get_task(id).await? {
                parents.insert(id, parent.key);
            }
        }

        // Key results: only those the actor may see are named, or counted.
        let mut kr_ids: Vec<KeyResultId> = tasks.iter().flat_map(|t| t.key_result_ids.iter().copied()).collect();
        kr_ids.sort();
        kr_ids.dedup();
        let mut seen_krs: HashSet<KeyResultId> = HashSet::new();
        for id in &kr_ids {
            if actor.is_admin() || visible_key_result(&mut *tx, actor, *id).await.is_ok() {
                seen_krs.insert(*id);
            }
        }
        let key_results: HashMap<KeyResultId, String> = tx
            .list_key_results(KrScope::KeyResults(&kr_ids))
            .await?
            .into_iter()
            .filter(|k| seen_krs.contains(&k.id))
            .map(|k| (k.id, k.title))
            .collect();
        for t in &mut tasks {
            t.key_result_ids.retain(|k| key_results.contains_key(k));
        }

        let field_ids: Vec<FieldId> = fields.iter().map(|f| f.id).collect();
        let mut values: HashMap<TaskId, HashMap<FieldId, FieldValue>> = HashMap::new();
        for (task, field_id, stored) in tx.list_field_values(&field_ids).await? {
            if let Some(v) = fields.iter().find(|f| f.id == field_id).and_then(|f| f.value_from_stored(&stored)) {
                values.entry(task).or_default().insert(field_id, v);
            }
        }
        let mut users = tx.list_users(Page::ALL).await?;
        users.sort_by(|a, b| natural_cmp(&a.display_name, &b.display_name).then(a.id.cmp(&b.id)));
        let person_rank: HashMap<UserId, i64> = users.iter().enumerate().map(|(i, u)| (u.id, i as i64)).collect();
        let people: HashMap<UserId, String> = users.into_iter().map(|u| (u.id, u.display_name)).collect();
        drop(tx);

        let zone = crate::clock::zone(actor.time_zone());
        let cells = CellReader {
            fields: &fields,
            people: &people,
            person_rank: &person_rank,
            key_results: &key_results,
            parents: &parents,
            projects: &projects,
            labels,
            zone,
        };
        let empty = HashMap::new();
        let evaluated =
            spec.evaluate(tasks.len(), &|i, c| cells.cell(&tasks[i], values.get(&tasks[i].id).unwrap_or(&empty), c));

        let total = evaluated.rows.len();
        let pages = total.div_ceil(ROWS_PER_PAGE).max(1);
        let (page, range) = match rows {
            Rows::All => (1, 0..total),
            Rows::Page(n) => {
                let page = n.clamp(1, pages);
                let start = (page - 1) * ROWS_PER_PAGE;
                (page, start..(start + ROWS_PER_PAGE).min(total))
            }
        };
        let groups: Vec<TableGroup> =
            evaluated.groups.iter().map(|g| TableGroup { key: g.key.clone(), count: g.len, start: g.start }).collect();
        let group_of = |pos: usize| groups.iter().rposition(|g| g.start <= pos).unwrap_or(0);
        let mut slots: Vec<Option<Task>> = tasks.into_iter().map(Some).collect();
        let offset = range.start;
        let mut out = Vec::with_capacity(range.len());
        for pos in range {
            let Some(task) = slots[evaluated.rows[pos]].take() else { continue };
            let own = projects.get(&task.project_id).unwrap_or(&project);
            out.push(TableRow {
                can_edit: access::can_edit_task(actor, own, &task),
                values: values.remove(&task.id).unwrap_or_default(),
                group: group_of(pos),
                task,
            });
        }
        Ok(TableData {
            can_edit_project: access::can_edit_project(actor, &project),
            project,
            fields,
            spec,
            problems,
            columns,
            rows: out,
            groups,
            total,
            page,
            pages,
            offset,
            people,
            key_results,
            parents,
            projects,
        })
    }
}

/// Turns a task and its values into the cells filters and sorting read.
struct CellReader<'a> {
    fields: &'a [CustomField],
    people: &'a HashMap<UserId, String>,
    person_rank: &'a HashMap<UserId, i64>,
    key_results: &'a HashMap<KeyResultId, String>,
    parents: &'a HashMap<TaskId, String>,
    projects: &'a HashMap<ProjectId, Project>,
    labels: &'a CellLabels,
    zone: chrono_tz::Tz,
}

impl CellReader<'_> {
    fn person(&self, id: UserId) -> Cell {
        Cell::Choice {
            pick: Pick {
                value: id.0.to_string(),
                label: self.people.get(&id).cloned().unwrap_or_else(|| format!("#{}", id.0)),
            },
            rank: self.person_rank.get(&id).copied().unwrap_or(i64::MAX),
        }
    }

    fn stamp(&self, at: chrono::DateTime<Utc>) -> Cell {
        Cell::Stamp { day: at.with_timezone(&self.zone).date_naive(), at: at.timestamp_micros() }
    }

    fn cell(&self, t: &Task, values: &HashMap<FieldId, FieldValue>, column: &Column) -> Cell {
        let opt_text = |s: Option<&String>| s.map(|s| Cell::Text(s.clone())).unwrap_or(Cell::Empty);
        match column {
            Column::Builtin(b) => match b {
                Builtin::Key => Cell::Text(t.key.clone()),
                Builtin::Title => Cell::Text(t.title.clone()),
                Builtin::Status => {
                    let rank = self
                        .projects
                        .get(&t.project_id)
                        .and_then(|p| p.workflow.iter().position(|s| s.name.eq_ignore_ascii_case(&t.status)))
                        .map(|i| i as i64)
                        .unwrap_or(100 + t.category as i64);
                    let label = self.labels.statuses.get(&t.status.to_lowercase()).cloned().unwrap_or(t.status.clone());
                    Cell::Choice { pick: Pick { value: t.status.clone(), label }, rank }
                }
                Builtin::Assignee => t.assignee_id.map(|a| self.person(a)).unwrap_or(Cell::Empty),
                Builtin::Priority => {
                    let label =
                        self.labels.priorities.get(t.priority.as_str()).cloned().unwrap_or(t.priority.as_str().into());
                    Cell::Choice { pick: Pick { value: t.priority.as_str().into(), label }, rank: t.priority as i64 }
                }
                Builtin::Start => t.start_date.map(Cell::Date).unwrap_or(Cell::Empty),
                Builtin::Due => t.due_date.map(Cell::Date).unwrap_or(Cell::Empty),
                Builtin::Estimate => t.estimate.map(Cell::Number).unwrap_or(Cell::Empty),
                Builtin::Progress => progress_percent(t).map(Cell::Number).unwrap_or(Cell::Empty),
                Builtin::Labels => Cell::Many(t.labels.iter().map(|l| Pick::same(l.clone())).collect()),
                Builtin::Krs => Cell::Many(
                    t.key_result_ids
                        .iter()
                        .filter_map(|k| {
                            self.key_results.get(k).map(|title| Pick { value: k.0.to_string(), label: title.clone() })
                        })
                        .collect(),
                ),
                Builtin::Parent => opt_text(t.parent_id.and_then(|p| self.parents.get(&p))),
                Builtin::Created => self.stamp(t.created_at),
                Builtin::Updated => self.stamp(t.updated_at),
            },
            Column::Field(id) => {
                let Some(field) = self.fields.iter().find(|f| f.id == *id) else { return Cell::Empty };
                let rank_of = |o: &str| field.options.iter().position(|x| x == o).map(|i| i as i64).unwrap_or(i64::MAX);
                match values.get(id) {
                    None if field.kind == FieldKind::Checkbox => Cell::Check(false),
                    None => Cell::Empty,
                    Some(FieldValue::Text(s)) | Some(FieldValue::Url(s)) => Cell::Text(s.clone()),
                    Some(FieldValue::Number(n)) => Cell::Number(*n),
                    Some(FieldValue::Choice(o)) => Cell::Choice { pick: Pick::same(o.clone()), rank: rank_of(o) },
                    Some(FieldValue::Choices(list)) => Cell::Many(list.iter().map(|o| Pick::same(o.clone())).collect()),
                    Some(FieldValue::Date(d)) => Cell::Date(*d),
                    Some(FieldValue::Person(u)) => self.person(*u),
                    Some(FieldValue::Checkbox(b)) => Cell::Check(*b),
                }
            }
        }
    }
}

/// A task's progress in percent as the table shows it: done is 100.
pub fn progress_percent(t: &Task) -> Option<f64> {
    if t.category == StatusCategory::Done { Some(100.0) } else { t.progress.map(|p| p * 100.0) }
}
