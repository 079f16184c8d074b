//! /units, /users and /me.

use super::{Listing, PageParams};
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiActor, ApiJson, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use keel_app::AppError;
use keel_app::org::*;
use keel_domain::org::{Unit, User};
use keel_domain::*;

#[utoipa::path(get, path = "/api/v1/units", tag = "org", params(PageParams), responses((status = 200, body = Listing<Unit>)))]
pub async fn list_units(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Listing<Unit>>> {
    Ok(Json(Listing::slice(s.app.list_units(&actor).await?, p.page()?)))
}

#[utoipa::path(post, path = "/api/v1/units", tag = "org", request_body = UnitInput, responses((status = 201, body = Unit), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_unit(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<UnitInput>,
) -> ApiResult<(StatusCode, Json<Unit>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_unit(&actor, input).await?)))
}

#[utoipa::path(get, path = "/api/v1/units/{id}", tag = "org", params(("id" = i64, Path)), responses((status = 200, body = Unit), (status = 404, body = ErrorBody)))]
pub async fn get_unit(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Unit>> {
    Ok(Json(s.app.get_unit(&actor, UnitId(id)).await?))
}

#[utoipa::path(patch, path = "/api/v1/units/{id}", tag = "org", params(("id" = i64, Path)), request_body = UnitPatch, responses((status = 200, body = Unit), (status = 409, body = ErrorBody)))]
pub async fn update_unit(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(patch): ApiJson<UnitPatch>,
) -> ApiResult<Json<Unit>> {
    Ok(Json(s.app.update_unit(&actor, UnitId(id), patch).await?))
}

#[utoipa::path(get, path = "/api/v1/users", tag = "org", params(PageParams), responses((status = 200, body = Listing<User>)))]
pub async fn list_users(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Listing<User>>> {
    let page = p.page()?;
    // Read whole and cut: people number in the thousands at most, and the total is exact.
    Ok(Json(Listing::slice(s.app.list_users(&actor, keel_app::store::Page::ALL).await?, page)))
}

#[utoipa::path(post, path = "/api/v1/users", tag = "org", request_body = UserInput, responses((status = 201, body = User), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_user(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<UserInput>,
) -> ApiResult<(StatusCode, Json<User>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_user(&actor, input).await?)))
}

#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "org", params(("id" = i64, Path)), responses((status = 200, body = User), (status = 404, body = ErrorBody)))]
pub async fn get_user(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<User>> {
    Ok(Json(s.app.get_user(&actor, UserId(id)).await?))
}

#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "org", params(("id" = i64, Path)), request_body = UserPatch, responses((status = 200, body = User), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update_user(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(patch): ApiJson<UserPatch>,
) -> ApiResult<Json<User>> {
    Ok(Json(s.app.update_user(&actor, UserId(id), patch).await?))
}

/// The caller's home: their KRs, tasks due this week or overdue, at-risk KRs
/// of their units, and KRs waiting for their check-in.
#[utoipa::path(get, path = "/api/v1/me/home", tag = "org", responses((status = 200, body = keel_app::home::Home), (status = 401, body = ErrorBody)))]
pub async fn me_home(State(s): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<keel_app::home::Home>> {
    Ok(Json(s.app.home(&actor).await?))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct SearchQuery {
    /// Text to find in titles, names and task keys (case-insensitive).
    pub q: String,
}

/// Everything the caller may see whose title contains the text, up to 20 of each kind.
#[utoipa::path(get, path = "/api/v1/search", tag = "org", params(SearchQuery), responses((status = 200, body = Vec<keel_app::store::SearchHit>), (status = 422, body = ErrorBody)))]
pub async fn search(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> ApiResult<Json<Vec<keel_app::store::SearchHit>>> {
    Ok(Json(s.app.search(&actor, &q.q).await?))
}

/// The person the request acts for.
#[utoipa::path(get, path = "/api/v1/me", tag = "org", responses((status = 200, body = User), (status = 401, body = ErrorBody)))]
pub async fn me(ApiActor(actor): ApiActor) -> ApiResult<Json<User>> {
    actor.user.map(Json).ok_or(AppError::Unauthorized.into())
}
