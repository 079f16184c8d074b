//! /projects, /tasks, and a task's comments, worklogs and history.

use super::{Listing, PageParams};
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiActor, ApiJson, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use keel_app::store::{Change, TaskFilter};
use keel_app::work::*;
use keel_domain::work::{Comment, Project, Task, Worklog};
use keel_domain::*;
use serde::Deserialize;

#[utoipa::path(get, path = "/api/v1/projects", tag = "work", params(PageParams), responses((status = 200, body = Listing<Project>)))]
pub async fn list_projects(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Listing<Project>>> {
    let page = p.page()?;
    // Read whole and cut: projects number in the thousands at most, and the total is exact.
    Ok(Json(Listing::slice(s.app.list_projects(&actor, keel_app::store::Page::ALL).await?, page)))
}

#[utoipa::path(post, path = "/api/v1/projects", tag = "work", request_body = ProjectInput, responses((status = 201, body = Project), (status = 422, body = ErrorBody)))]
pub async fn create_project(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<ProjectInput>,
) -> ApiResult<(StatusCode, Json<Project>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_project(&actor, input).await?)))
}

/// A project with its progress (share of estimate done over it and its sub-projects) and health.
#[utoipa::path(get, path = "/api/v1/projects/{id}", tag = "work", params(("id" = i64, Path)), responses((status = 200, body = ProjectView), (status = 404, body = ErrorBody)))]
pub async fn get_project(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ProjectView>> {
    Ok(Json(s.app.project_view(&actor, ProjectId(id)).await?))
}

/// Change fields; `key_result_ids` sets the key results the project supports.
#[utoipa::path(patch, path = "/api/v1/projects/{id}", tag = "work", params(("id" = i64, Path)), request_body = ProjectPatch, responses((status = 200, body = Project), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_project(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(patch): ApiJson<ProjectPatch>,
) -> ApiResult<Json<Project>> {
    Ok(Json(s.app.update_project(&actor, ProjectId(id), patch).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct TaskQuery {
    pub project_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub parent_id: Option<i64>,
    /// Include archived (closed in the source tool) tasks.
    pub include_archived: Option<bool>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/tasks", tag = "work", params(TaskQuery), responses((status = 200, body = Listing<Task>)))]
pub async fn list_tasks(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<TaskQuery>,
) -> ApiResult<Json<Listing<Task>>> {
    let page = PageParams { limit: q.limit, offset: q.offset }.page()?;
    let filter = TaskFilter {
        project_ids: q.project_id.map(|p| vec![ProjectId(p)]),
        assignee_id: q.assignee_id.map(UserId),
        parent_id: q.parent_id.map(TaskId),
        include_archived: q.include_archived.unwrap_or(false),
        without_descriptions: false,
    };
    let (items, total) = s.app.list_tasks(&actor, filter, page).await?;
    Ok(Json(Listing::new(items, page, Some(total))))
}

#[utoipa::path(post, path = "/api/v1/tasks", tag = "work", request_body = TaskInput, responses((status = 201, body = Task), (status = 422, body = ErrorBody)))]
pub async fn create_task(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<TaskInput>,
) -> ApiResult<(StatusCode, Json<Task>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_task(&actor, input).await?)))
}

#[utoipa::path(get, path = "/api/v1/tasks/{id}", tag = "work", params(("id" = i64, Path)), responses((status = 200, body = TaskDetail), (status = 404, body = ErrorBody)))]
pub async fn get_task(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<TaskDetail>> {
    Ok(Json(s.app.task_detail(&actor, TaskId(id)).await?))
}

#[utoipa::path(patch, path = "/api/v1/tasks/{id}", tag = "work", params(("id" = i64, Path)), request_body = TaskPatch, responses((status = 200, body = Task), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_task(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(patch): ApiJson<TaskPatch>,
) -> ApiResult<Json<Task>> {
    Ok(Json(s.app.update_task(&actor, TaskId(id), patch).await?))
}

#[utoipa::path(get, path = "/api/v1/tasks/{id}/comments", tag = "work", params(("id" = i64, Path), PageParams), responses((status = 200, body = Listing<Comment>), (status = 404, body = ErrorBody)))]
pub async fn list_comments(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Listing<Comment>>> {
    Ok(Json(Listing::slice(s.app.task_detail(&actor, TaskId(id)).await?.comments, p.page()?)))
}

#[utoipa::path(post, path = "/api/v1/tasks/{id}/comments", tag = "work", params(("id" = i64, Path)), request_body = CommentInput, responses((status = 201, body = Comment), (status = 422, body = ErrorBody)))]
pub async fn add_comment(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<CommentInput>,
) -> ApiResult<(StatusCode, Json<Comment>)> {
    Ok((StatusCode::CREATED, Json(s.app.add_comment(&actor, TaskId(id), input).await?)))
}

#[utoipa::path(post, path = "/api/v1/tasks/{id}/worklogs", tag = "work", params(("id" = i64, Path)), request_body = WorklogInput, responses((status = 201, body = Worklog), (status = 422, body = ErrorBody)))]
pub async fn add_worklog(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<WorklogInput>,
) -> ApiResult<(StatusCode, Json<Worklog>)> {
    Ok((StatusCode::CREATED, Json(s.app.log_work(&actor, TaskId(id), input).await?)))
}

/// Every recorded change of the task: who, when, before → after.
#[utoipa::path(get, path = "/api/v1/tasks/{id}/history", tag = "work", params(("id" = i64, Path), PageParams), responses((status = 200, body = Listing<Change>), (status = 404, body = ErrorBody)))]
pub async fn task_history(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Listing<Change>>> {
    Ok(Json(Listing::slice(s.app.history(&actor, "task", id).await?, p.page()?)))
}
