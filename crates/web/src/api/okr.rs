//! /cycles, /objectives, /key-results and their check-ins and checklist items.

use super::{Listing, PageParams};
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiActor, ApiJson, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use keel_app::AppError;
use keel_app::compute::{KeyResultView, ObjectiveView, OkrTree};
use keel_app::okr::*;
use keel_domain::okr::*;
use keel_domain::*;
use serde::Deserialize;

#[utoipa::path(get, path = "/api/v1/cycles", tag = "okr", params(PageParams), responses((status = 200, body = Listing<Cycle>)))]
pub async fn list_cycles(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Listing<Cycle>>> {
    Ok(Json(Listing::slice(s.app.list_cycles(&actor).await?, p.page()?)))
}

#[utoipa::path(post, path = "/api/v1/cycles", tag = "okr", request_body = CycleInput,
    responses((status = 201, body = Cycle), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create_cycle(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<CycleInput>,
) -> ApiResult<(StatusCode, Json<Cycle>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_cycle(&actor, input).await?)))
}

#[utoipa::path(get, path = "/api/v1/cycles/{id}", tag = "okr", params(("id" = i64, Path)), responses((status = 200, body = Cycle), (status = 404, body = ErrorBody)))]
pub async fn get_cycle(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Cycle>> {
    Ok(Json(s.app.get_cycle(&actor, CycleId(id)).await?))
}

#[utoipa::path(patch, path = "/api/v1/cycles/{id}", tag = "okr", params(("id" = i64, Path)), request_body = CyclePatch,
    responses((status = 200, body = Cycle), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_cycle(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(patch): ApiJson<CyclePatch>,
) -> ApiResult<Json<Cycle>> {
    Ok(Json(s.app.update_cycle(&actor, CycleId(id), patch).await?))
}

/// The cycle's whole visible OKR tree with progress, status and forecast.
#[utoipa::path(get, path = "/api/v1/cycles/{id}/tree", tag = "okr", params(("id" = i64, Path)), responses((status = 200, body = OkrTree), (status = 404, body = ErrorBody)))]
pub async fn cycle_tree(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<OkrTree>> {
    Ok(Json(s.app.okr_tree(&actor, CycleId(id)).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ObjectiveQuery {
    pub cycle_id: Option<i64>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/objectives", tag = "okr", params(ObjectiveQuery), responses((status = 200, body = Listing<Objective>)))]
pub async fn list_objectives(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<ObjectiveQuery>,
) -> ApiResult<Json<Listing<Objective>>> {
    let page = PageParams { limit: q.limit, offset: q.offset }.page()?;
    // Read whole and cut, so the total is exact (a cycle holds thousands at most).
    let all = s.app.list_objectives(&actor, q.cycle_id.map(CycleId), keel_app::store::Page::ALL).await?;
    Ok(Json(Listing::slice(all, page)))
}

#[utoipa::path(post, path = "/api/v1/objectives", tag = "okr", request_body = ObjectiveInput,
    responses((status = 201, body = Objective), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create_objective(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<ObjectiveInput>,
) -> ApiResult<(StatusCode, Json<Objective>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_objective(&actor, input).await?)))
}

#[utoipa::path(get, path = "/api/v1/objectives/{id}", tag = "okr", params(("id" = i64, Path)), responses((status = 200, body = ObjectiveView), (status = 404, body = ErrorBody)))]
pub async fn get_objective(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ObjectiveView>> {
    Ok(Json(s.app.objective_view(&actor, ObjectiveId(id)).await?))
}

#[utoipa::path(patch, path = "/api/v1/objectives/{id}", tag = "okr", params(("id" = i64, Path)), request_body = ObjectivePatch,
    responses((status = 200, body = Objective), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_objective(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(patch): ApiJson<ObjectivePatch>,
) -> ApiResult<Json<Objective>> {
    Ok(Json(s.app.update_objective(&actor, ObjectiveId(id), patch).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct KeyResultQuery {
    /// The KRs of one objective …
    pub objective_id: Option<i64>,
    /// … or of a whole cycle.
    pub cycle_id: Option<i64>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// Key results with their computed progress, status and forecast.
#[utoipa::path(get, path = "/api/v1/key-results", tag = "okr", params(KeyResultQuery), responses((status = 200, body = Listing<KeyResultView>), (status = 422, body = ErrorBody)))]
pub async fn list_key_results(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<KeyResultQuery>,
) -> ApiResult<Json<Listing<KeyResultView>>> {
    let page = PageParams { limit: q.limit, offset: q.offset }.page()?;
    let views = match (q.objective_id, q.cycle_id) {
        (Some(objective), _) => s.app.objective_view(&actor, ObjectiveId(objective)).await?.key_results,
        (None, Some(cycle)) => {
            s.app.okr_tree(&actor, CycleId(cycle)).await?.objectives.into_iter().flat_map(|o| o.key_results).collect()
        }
        (None, None) => return Err(AppError::invalid("objective_id", "give objective_id or cycle_id").into()),
    };
    Ok(Json(Listing::slice(views, page)))
}

#[utoipa::path(post, path = "/api/v1/key-results", tag = "okr", request_body = KeyResultInput,
    responses((status = 201, body = KeyResult), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create_key_result(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<KeyResultInput>,
) -> ApiResult<(StatusCode, Json<KeyResult>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_key_result(&actor, input).await?)))
}

#[utoipa::path(get, path = "/api/v1/key-results/{id}", tag = "okr", params(("id" = i64, Path)), responses((status = 200, body = KeyResultView), (status = 404, body = ErrorBody)))]
pub async fn get_key_result(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<KeyResultView>> {
    Ok(Json(s.app.key_result_view(&actor, KeyResultId(id)).await?.1))
}

#[utoipa::path(patch, path = "/api/v1/key-results/{id}", tag = "okr", params(("id" = i64, Path)), request_body = KeyResultPatch,
    responses((status = 200, body = KeyResult), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_key_result(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(patch): ApiJson<KeyResultPatch>,
) -> ApiResult<Json<KeyResult>> {
    Ok(Json(s.app.update_key_result(&actor, KeyResultId(id), patch).await?))
}

#[utoipa::path(get, path = "/api/v1/key-results/{id}/check-ins", tag = "okr", params(("id" = i64, Path), PageParams), responses((status = 200, body = Listing<CheckIn>), (status = 404, body = ErrorBody)))]
pub async fn list_check_ins(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Listing<CheckIn>>> {
    Ok(Json(Listing::slice(s.app.list_check_ins(&actor, KeyResultId(id)).await?, p.page()?)))
}

#[utoipa::path(post, path = "/api/v1/key-results/{id}/check-ins", tag = "okr", params(("id" = i64, Path)), request_body = CheckInInput,
    responses((status = 201, body = CheckIn), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create_check_in(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<CheckInInput>,
) -> ApiResult<(StatusCode, Json<CheckIn>)> {
    Ok((StatusCode::CREATED, Json(s.app.check_in(&actor, KeyResultId(id), input).await?)))
}

#[utoipa::path(post, path = "/api/v1/key-results/{id}/items", tag = "okr", params(("id" = i64, Path)), request_body = KrItemInput,
    responses((status = 201, body = KrItem), (status = 422, body = ErrorBody)))]
pub async fn add_item(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<KrItemInput>,
) -> ApiResult<(StatusCode, Json<KrItem>)> {
    Ok((StatusCode::CREATED, Json(s.app.add_kr_item(&actor, KeyResultId(id), input).await?)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemPatch {
    pub done: bool,
}

#[utoipa::path(patch, path = "/api/v1/key-results/{id}/items/{item_id}", tag = "okr", params(("id" = i64, Path), ("item_id" = i64, Path)), request_body = ItemPatch,
    responses((status = 200, body = KrItem), (status = 404, body = ErrorBody)))]
pub async fn update_item(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath((id, item)): ApiPath<(i64, i64)>,
    ApiJson(patch): ApiJson<ItemPatch>,
) -> ApiResult<Json<KrItem>> {
    Ok(Json(s.app.set_kr_item_done(&actor, KeyResultId(id), KrItemId(item), patch.done).await?))
}
