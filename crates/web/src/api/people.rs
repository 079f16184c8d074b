//! One's own settings (/me/settings) and comments on key results.

use super::{Listing, PageParams};
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiActor, ApiJson, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use keel_app::people::{MySettings, SettingsInput};
use keel_app::work::CommentInput;
use keel_domain::KeyResultId;
use keel_domain::okr::KrComment;

/// The caller's language, time zone and notification preferences.
#[utoipa::path(get, path = "/api/v1/me/settings", tag = "org", responses((status = 200, body = MySettings), (status = 401, body = ErrorBody)))]
pub async fn my_settings(State(s): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<MySettings>> {
    Ok(Json(s.app.my_settings(&actor).await?))
}

/// Replaces the caller's settings; both versions as last read (409 when stale).
#[utoipa::path(put, path = "/api/v1/me/settings", tag = "org", request_body = SettingsInput, responses((status = 200, body = MySettings), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_my_settings(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<SettingsInput>,
) -> ApiResult<Json<MySettings>> {
    Ok(Json(s.app.update_my_settings(&actor, input).await?))
}

/// A key result's comments, oldest first. Bodies are Markdown as written.
#[utoipa::path(get, path = "/api/v1/key-results/{id}/comments", tag = "okr", params(("id" = i64, Path), PageParams), responses((status = 200, body = Listing<KrComment>), (status = 404, body = ErrorBody)))]
pub async fn list_kr_comments(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Listing<KrComment>>> {
    let page = p.page()?;
    let (items, total) = s.app.list_kr_comments(&actor, KeyResultId(id), page).await?;
    Ok(Json(Listing::new(items, page, Some(total))))
}

#[utoipa::path(post, path = "/api/v1/key-results/{id}/comments", tag = "okr", params(("id" = i64, Path)), request_body = CommentInput, responses((status = 201, body = KrComment), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_kr_comment(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<CommentInput>,
) -> ApiResult<(StatusCode, Json<KrComment>)> {
    Ok((StatusCode::CREATED, Json(s.app.add_kr_comment(&actor, KeyResultId(id), &input.body).await?)))
}
