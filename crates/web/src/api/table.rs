//! A project's table: its custom fields, a task's value of a field, saved
//! views, and the table's rows for a view.

use crate::AppState;
use crate::cells;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiActor, ApiJson, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use keel_app::table::*;
use keel_domain::org::Lang;
use keel_domain::table::{Column, CustomField, SavedView, ViewSpec};
use keel_domain::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `?version=` of a delete.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct VersionQuery {
    /// The version the deletion is based on.
    pub version: i64,
}

/// The fields of the project's table: its own, then those of the projects above it.
#[utoipa::path(get, path = "/api/v1/projects/{id}/fields", tag = "table", params(("id" = i64, Path)), responses((status = 200, body = Vec<CustomField>), (status = 404, body = ErrorBody)))]
pub async fn list_fields(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<CustomField>>> {
    Ok(Json(s.app.list_fields(&actor, ProjectId(id)).await?))
}

/// Adds a field (project owner, unit members and admins).
#[utoipa::path(post, path = "/api/v1/projects/{id}/fields", tag = "table", params(("id" = i64, Path)), request_body = FieldInput, responses((status = 201, body = CustomField), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_field(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<FieldInput>,
) -> ApiResult<(StatusCode, Json<CustomField>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_field(&actor, ProjectId(id), input).await?)))
}

/// A field of this project, or 404.
async fn own_field(s: &AppState, actor: &keel_app::Actor, project: i64, field: i64) -> ApiResult<CustomField> {
    let f = s.app.get_field(actor, FieldId(field)).await?;
    if f.project_id != ProjectId(project) {
        return Err(ApiError(keel_app::AppError::NotFound("field")));
    }
    Ok(f)
}

/// Renames a field, changes a select field's options, or moves it (`position`, from 1).
#[utoipa::path(patch, path = "/api/v1/projects/{id}/fields/{field_id}", tag = "table", params(("id" = i64, Path), ("field_id" = i64, Path)), request_body = FieldPatch, responses((status = 200, body = CustomField), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_field(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath((id, field)): ApiPath<(i64, i64)>,
    ApiJson(patch): ApiJson<FieldPatch>,
) -> ApiResult<Json<CustomField>> {
    own_field(&s, &actor, id, field).await?;
    Ok(Json(s.app.update_field(&actor, FieldId(field), patch).await?))
}

/// Deletes a field with all its values.
#[utoipa::path(delete, path = "/api/v1/projects/{id}/fields/{field_id}", tag = "table", params(("id" = i64, Path), ("field_id" = i64, Path), VersionQuery), responses((status = 204), (status = 409, body = ErrorBody)))]
pub async fn delete_field(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath((id, field)): ApiPath<(i64, i64)>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> ApiResult<StatusCode> {
    own_field(&s, &actor, id, field).await?;
    s.app.delete_field(&actor, FieldId(field), q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sets a task's value of a field (null clears it), based on the task's version.
#[utoipa::path(put, path = "/api/v1/tasks/{id}/fields/{field_id}", tag = "table", params(("id" = i64, Path), ("field_id" = i64, Path)), request_body = FieldValueInput, responses((status = 200, body = FieldValueSet), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_field_value(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath((id, field)): ApiPath<(i64, i64)>,
    ApiJson(input): ApiJson<FieldValueInput>,
) -> ApiResult<Json<FieldValueSet>> {
    let set =
        s.app.set_field_value(&actor, TaskId(id), FieldId(field), RawValue::Json(input.value), input.version).await?;
    Ok(Json(set))
}

/// The views you may pick: the shared ones and your own.
#[utoipa::path(get, path = "/api/v1/projects/{id}/views", tag = "table", params(("id" = i64, Path)), responses((status = 200, body = Vec<SavedView>), (status = 404, body = ErrorBody)))]
pub async fn list_views(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<SavedView>>> {
    Ok(Json(s.app.list_views(&actor, ProjectId(id)).await?))
}

/// Saves a view: personal (yours alone), or shared (needs the right to change the project).
#[utoipa::path(post, path = "/api/v1/projects/{id}/views", tag = "table", params(("id" = i64, Path)), request_body = ViewInput, responses((status = 201, body = SavedView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_view(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ViewInput>,
) -> ApiResult<(StatusCode, Json<SavedView>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_view(&actor, ProjectId(id), input).await?)))
}

async fn own_view(s: &AppState, actor: &keel_app::Actor, project: i64, view: i64) -> ApiResult<SavedView> {
    let v = s.app.get_view(actor, ViewId(view)).await?;
    if v.project_id != ProjectId(project) {
        return Err(ApiError(keel_app::AppError::NotFound("view")));
    }
    Ok(v)
}

#[utoipa::path(patch, path = "/api/v1/projects/{id}/views/{view_id}", tag = "table", params(("id" = i64, Path), ("view_id" = i64, Path)), request_body = ViewPatch, responses((status = 200, body = SavedView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update_view(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath((id, view)): ApiPath<(i64, i64)>,
    ApiJson(patch): ApiJson<ViewPatch>,
) -> ApiResult<Json<SavedView>> {
    own_view(&s, &actor, id, view).await?;
    Ok(Json(s.app.update_view(&actor, ViewId(view), patch).await?))
}

#[utoipa::path(delete, path = "/api/v1/projects/{id}/views/{view_id}", tag = "table", params(("id" = i64, Path), ("view_id" = i64, Path), VersionQuery), responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete_view(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath((id, view)): ApiPath<(i64, i64)>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> ApiResult<StatusCode> {
    own_view(&s, &actor, id, view).await?;
    s.app.delete_view(&actor, ViewId(view), q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TableColumn {
    /// `key`, `title`, … or `f<field id>` for a custom field.
    pub id: String,
    pub label: String,
    /// text, number, single_select … for custom fields; null for built-in ones.
    pub kind: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TableRowJson {
    pub id: i64,
    pub key: String,
    pub project_id: i64,
    /// The task's version, to send with a change.
    pub version: i64,
    /// Index into `groups`.
    pub group: usize,
    /// The value of each shown column, by column id.
    #[schema(value_type = Object)]
    pub cells: serde_json::Map<String, Value>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TableGroupJson {
    /// The grouping column's value (null: empty), and as shown.
    #[schema(value_type = Object)]
    pub value: Value,
    pub label: String,
    pub count: usize,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TableProblem {
    pub column: String,
    pub message: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TableJson {
    /// The view as evaluated.
    pub spec: ViewSpec,
    /// Parts of the asked view that were left out, and why.
    pub ignored: Vec<TableProblem>,
    pub columns: Vec<TableColumn>,
    pub rows: Vec<TableRowJson>,
    pub groups: Vec<TableGroupJson>,
    /// Rows in the whole view.
    pub total: usize,
    pub page: usize,
    pub pages: usize,
    pub per_page: usize,
}

/// The rows of a view of the project's table, 100 a page: the project's and
/// its sub-projects' live tasks. The view comes from the query string
/// (`cols=key,title,f3`, filters `f0=status&o0=is&v0=Done`, `join=or`,
/// sort `s0=due&d0=desc` up to `s2`, grouping `g=assignee`), else from a
/// saved view (`view=ID`), else the default view. Progress filters are in
/// percent; progress values are fractions.
#[utoipa::path(get, path = "/api/v1/projects/{id}/table", tag = "table", params(("id" = i64, Path), ("page" = Option<usize>, Query), ("view" = Option<i64>, Query)), responses((status = 200, body = TableJson), (status = 404, body = ErrorBody)))]
pub async fn table(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<Vec<(String, String)>>,
) -> ApiResult<Json<TableJson>> {
    let get = |k: &str| query.iter().find(|(key, _)| key == k).map(|(_, v)| v.trim());
    let spec = if ViewSpec::in_query(&query) {
        ViewSpec::from_query(&query)
    } else if let Some(view) = get("view").filter(|v| !v.is_empty()) {
        let view_id = view.parse::<i64>().map_err(|_| ApiError::invalid("view", "must be a view id"))?;
        own_view(&s, &actor, id, view_id).await?.spec
    } else {
        ViewSpec::default()
    };
    let page = match get("page").filter(|p| !p.is_empty()) {
        Some(p) => p.parse::<usize>().map_err(|_| ApiError::invalid("page", "must be a page number from 1"))?,
        None => 1,
    };
    let lang = Lang::En;
    let data = s.app.table(&actor, ProjectId(id), &spec, Rows::Page(page.max(1)), &CellLabels::default()).await?;
    let columns = data
        .columns
        .iter()
        .map(|c| TableColumn {
            id: c.key(),
            label: cells::column_label(lang, &data, c),
            kind: match c {
                Column::Field(f) => data.field(*f).map(|f| f.kind.as_str().to_string()),
                Column::Builtin(_) => None,
            },
        })
        .collect();
    let rows = data
        .rows
        .iter()
        .map(|r| TableRowJson {
            id: r.task.id.0,
            key: r.task.key.clone(),
            project_id: r.task.project_id.0,
            version: r.task.version,
            group: r.group,
            cells: data.columns.iter().map(|c| (c.key(), cells::cell_json(&data, r, c))).collect(),
        })
        .collect();
    let groups = data
        .groups
        .iter()
        .map(|g| TableGroupJson {
            value: cells::group_json(g),
            label: cells::group_value(lang, &data, g),
            count: g.count,
        })
        .collect();
    Ok(Json(TableJson {
        ignored: data
            .problems
            .iter()
            .map(|p| TableProblem { column: p.column.clone(), message: p.message.clone() })
            .collect(),
        spec: data.spec.clone(),
        columns,
        rows,
        groups,
        total: data.total,
        page: data.page,
        pages: data.pages,
        per_page: ROWS_PER_PAGE,
    }))
}
