//! The JSON API under /api/v1. Every route is registered through
//! `utoipa-axum`, so the OpenAPI document at /api/v1/openapi.json is built
//! from the very handlers that serve the requests.

mod okr;
mod org;
mod people;
mod table;
mod work;

use crate::AppState;
use crate::error::ErrorBody;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(title = "Keel API", description = "OKRs bound to the work that delivers them. Progress is a fraction: 0.5 means 50 %. Every change carries the version it is based on; a stale version gets 409 with the current state."),
    modifiers(&Security),
    security(("token" = []), ("session" = [])),
    components(schemas(ErrorBody)),
    tags(
        (name = "okr", description = "Cycles, objectives, key results, check-ins"),
        (name = "org", description = "Units and people"),
        (name = "work", description = "Projects, tasks, comments, worklogs"),
        (name = "table", description = "A project's table: custom fields and their values, saved views, rows of a view"),
    )
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A token from `keel token create`"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "keel_session",
                "Browser session; changes also need the X-CSRF-Token header",
            ))),
        );
    }
}

/// `?limit=&offset=`; at most 500 a page.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::IntoParams)]
pub struct PageParams {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

pub const MAX_PAGE: i64 = 500;

impl PageParams {
    pub fn page(self) -> Result<keel_app::store::Page, crate::error::ApiError> {
        let limit = self.limit.unwrap_or(50);
        let offset = self.offset.unwrap_or(0);
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(crate::error::ApiError::invalid("limit", format!("must be between 1 and {MAX_PAGE}")));
        }
        if offset < 0 {
            return Err(crate::error::ApiError::invalid("offset", "must not be negative"));
        }
        Ok(keel_app::store::Page { limit, offset })
    }
}

/// A page of a list: the items, and where the next page starts (if any).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Listing<T> {
    pub items: Vec<T>,
    pub limit: i64,
    pub offset: i64,
    /// Total number of items visible to the caller, where known.
    pub total: Option<i64>,
    pub next_offset: Option<i64>,
}

impl<T> Listing<T> {
    /// A page cut from a complete list (small collections read whole).
    pub fn slice(all: Vec<T>, page: keel_app::store::Page) -> Self {
        let total = all.len() as i64;
        let items = all.into_iter().skip(page.offset as usize).take(page.limit as usize).collect();
        Listing::new(items, page, Some(total))
    }

    pub fn new(items: Vec<T>, page: keel_app::store::Page, total: Option<i64>) -> Self {
        let full = items.len() as i64 == page.limit;
        let next_offset = match total {
            Some(total) => (page.offset + page.limit < total).then_some(page.offset + page.limit),
            None => full.then_some(page.offset + page.limit),
        };
        Listing { items, limit: page.limit, offset: page.offset, total, next_offset }
    }
}

pub fn router() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, openapi) = OpenApiRouter::<AppState>::with_openapi(ApiDoc::openapi())
        .routes(routes!(okr::list_cycles, okr::create_cycle))
        .routes(routes!(okr::get_cycle, okr::update_cycle))
        .routes(routes!(okr::cycle_tree))
        .routes(routes!(okr::list_objectives, okr::create_objective))
        .routes(routes!(okr::get_objective, okr::update_objective))
        .routes(routes!(okr::list_key_results, okr::create_key_result))
        .routes(routes!(okr::get_key_result, okr::update_key_result))
        .routes(routes!(okr::list_check_ins, okr::create_check_in))
        .routes(routes!(okr::add_item))
        .routes(routes!(okr::update_item))
        .routes(routes!(org::list_units, org::create_unit))
        .routes(routes!(org::get_unit, org::update_unit))
        .routes(routes!(org::list_users, org::create_user))
        .routes(routes!(org::get_user, org::update_user))
        .routes(routes!(org::me))
        .routes(routes!(org::me_home))
        .routes(routes!(org::search))
        .routes(routes!(work::list_projects, work::create_project))
        .routes(routes!(work::get_project, work::update_project))
        .routes(routes!(work::list_tasks, work::create_task))
        .routes(routes!(work::get_task, work::update_task))
        .routes(routes!(work::list_comments, work::add_comment))
        .routes(routes!(work::add_worklog))
        .routes(routes!(work::task_history))
        // People, settings and key-result comments (issue 3).
        .routes(routes!(people::my_settings, people::put_my_settings))
        .routes(routes!(people::list_kr_comments, people::add_kr_comment))
        .routes(routes!(table::list_fields, table::create_field))
        .routes(routes!(table::update_field, table::delete_field))
        .routes(routes!(table::set_field_value))
        .routes(routes!(table::list_views, table::create_view))
        .routes(routes!(table::update_view, table::delete_view))
        .routes(routes!(table::table))
        .split_for_parts();
    (router, openapi)
}

/// The OpenAPI document, served as JSON.
pub async fn openapi_json(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> Json<utoipa::openapi::OpenApi> {
    Json((*state.openapi).clone())
}
