//! Server-rendered pages: log in, the OKR tree with the forms that plan a
//! cycle, key results, projects bound to them, and tasks, in Chinese or
//! English. Handlers are short: who is asking, call the application, fill a
//! template. Every form that changes something carries
//! a CSRF token, and pages contain no inline script or style (see the CSP).

mod assets;
mod auth;
mod board;
mod calendar;
mod coach;
mod forms;
mod gantt;
mod home;
mod import;
mod kr_chart;
mod kr_edit;
mod kr_more;
mod list;
mod lookup;
mod objective;
mod okr_export;
mod okrs;
mod people;
mod plan_submit;
mod planning;
mod project_links;
mod project_tabs;
mod projects;
mod search;
mod settings;
mod setup;
mod sheet;
mod table;
mod task_edit;
mod tasks;
pub(crate) mod view;
mod work_forms;

pub use auth::{LOGIN_CSRF_COOKIE, PageActor};

use crate::AppState;
use crate::i18n::{self, Msg};
use askama::Template;
use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use keel_app::AppError;
use keel_domain::org::Lang;
use view::Chrome;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/search", get(search::search))
        .route("/login", get(auth::login_page).post(auth::login_submit))
        .route("/logout", post(auth::logout))
        .route("/setup", get(setup::setup_page).post(setup::setup_submit))
        .route("/lang", post(auth::set_lang))
        .route("/okrs", get(okrs::overview))
        .route(
            "/import",
            get(import::form).post(import::upload).layer(axum::extract::DefaultBodyLimit::max(import::UPLOAD_MAX)),
        )
        .route("/import/{token}", get(import::preview).post(import::confirm))
        .route("/okrs/export.csv", get(okr_export::csv))
        .route("/okrs/export.xlsx", get(okr_export::xlsx))
        .route("/cycles", post(plan_submit::create_cycle))
        .route("/objectives", post(plan_submit::create_objective))
        .route("/objectives/{id}/key-results", post(plan_submit::create_key_result))
        .route("/objectives/{id}", get(objective::show))
        .route("/objectives/{id}/edit", post(objective::edit))
        .route("/key-results/{id}", get(okrs::key_result))
        .route("/key-results/{id}/edit", post(kr_edit::edit))
        .route("/key-results/{id}/check-in", post(okrs::check_in))
        .route("/key-results/{id}/items/{item}", post(okrs::toggle_item))
        .route("/projects", get(projects::list).post(work_forms::create_project))
        .route("/projects/{id}", get(projects::detail))
        .route("/projects/{id}/tasks", post(work_forms::create_task))
        .route("/projects/{id}/sub-projects", post(work_forms::create_sub_project))
        .route("/projects/{id}/key-results", post(project_links::link))
        .route("/projects/{id}/board", get(board::board))
        .route("/projects/{id}/board/wip", post(board::set_wip))
        .route("/projects/{id}/gantt", get(gantt::gantt))
        .route("/projects/{id}/table", get(table::table))
        .route("/projects/{id}/table.csv", get(table::export_csv))
        .route("/projects/{id}/table.xlsx", get(table::export_xlsx))
        .route("/projects/{id}/table/cell", post(table::set_cell))
        .route("/projects/{id}/fields", post(table::create_field))
        .route("/projects/{id}/fields/{field}", post(table::edit_field))
        .route("/projects/{id}/views", post(table::save_view))
        .route("/projects/{id}/views/{view}/delete", post(table::delete_view))
        .route("/tasks/{id}/dates", post(gantt::set_dates))
        .route("/tasks/{id}", get(tasks::detail))
        .route("/tasks/{id}/status", post(tasks::set_status))
        .route("/tasks/{id}/comments", post(tasks::comment))
        .route("/tasks/{id}/edit", post(task_edit::edit))
        .route("/tasks/{id}/worklogs", post(task_edit::log_work))
        // Project views: list, calendars
        .route("/projects/{id}/list", get(list::list))
        .route("/projects/{id}/calendar", get(calendar::project_calendar))
        .route("/calendar", get(calendar::my_calendar))
        // People and units, settings, comments on key results (issue 3).
        .route("/people", get(people::people))
        .route("/people/{id}", get(people::person))
        .route("/people/{id}/role", post(people::set_role))
        .route("/units", post(people::create_unit))
        .route("/units/{id}", get(people::unit))
        .route("/units/{id}/edit", post(people::edit_unit))
        .route("/units/{id}/members", post(people::members))
        .route("/settings", get(settings::show).post(settings::save))
        .route("/key-results/{id}/comments", post(kr_more::comment))
        .route("/assets/keel.css", get(assets::css))
        .route("/assets/board.js", get(assets::board_js))
        .route("/assets/live.js", get(assets::live_js))
        .route("/assets/gantt.js", get(assets::gantt_js))
        .route("/assets/keys.js", get(assets::keys_js))
        .route("/assets/table.js", get(assets::table_js))
        .layer(axum::middleware::from_fn(unreadable_address))
}

/// axum answers an address it cannot read (`/tasks/abc`, `/okrs?unit=abc`)
/// with a plain-text 400 in English; a page answers with its own error page
/// in the reader's language.
async fn unreadable_address(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let (parts, body) = request.into_parts();
    let lang = auth::guest_lang(&parts);
    let response = next.run(axum::extract::Request::from_parts(parts, body)).await;
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if response.status() == StatusCode::BAD_REQUEST && plain {
        return PageError::new(lang, StatusCode::BAD_REQUEST, Msg::ErrBadAddress).into_response();
    }
    response
}

/// Renders a template as an HTML response. Pages hold CSRF tokens and
/// private data, so no cache keeps them (nor shows them after logout).
fn render<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(body) => {
            let mut response = (status, Html(body)).into_response();
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(e) => {
            tracing::error!(error.message = %e, "rendering a page");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

type PageResult = Result<Response, PageError>;

/// A failed page request, shown as a page in the viewer's language (or, for
/// a lost session, a trip to the login page).
#[derive(Debug)]
pub struct PageError {
    lang: Lang,
    status: StatusCode,
    msg: Msg,
    /// The application's own words (English), shown to English readers.
    detail: Option<String>,
}

impl PageError {
    fn new(lang: Lang, status: StatusCode, msg: Msg) -> PageError {
        PageError { lang, status, msg, detail: None }
    }

    fn csrf(lang: Lang) -> PageError {
        PageError::new(lang, StatusCode::FORBIDDEN, Msg::ErrCsrf)
    }

    fn app(lang: Lang, e: AppError) -> PageError {
        let (status, msg, detail) = match e {
            AppError::Unauthorized => (StatusCode::UNAUTHORIZED, Msg::LoginTitle, None),
            AppError::Forbidden(why) => (StatusCode::FORBIDDEN, Msg::ErrForbidden, Some(why)),
            AppError::NotFound(_) => (StatusCode::NOT_FOUND, Msg::ErrNotFound, None),
            AppError::Invalid { field, message } => {
                (StatusCode::UNPROCESSABLE_ENTITY, Msg::ErrInvalid, Some(format!("{field}: {message}")))
            }
            AppError::Conflict { .. } => (StatusCode::CONFLICT, Msg::ErrConflict, None),
            AppError::Internal(msg) => {
                tracing::error!(error.message = %msg, "internal error on a page");
                (StatusCode::INTERNAL_SERVER_ERROR, Msg::ErrInternal, None)
            }
        };
        PageError { lang, status, msg, detail }
    }
}

/// `.or_page(lang)?` turns an application error into a page error.
trait OrPage<T> {
    fn or_page(self, lang: Lang) -> Result<T, PageError>;
}

impl<T> OrPage<T> for Result<T, AppError> {
    fn or_page(self, lang: Lang) -> Result<T, PageError> {
        self.map_err(|e| PageError::app(lang, e))
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    c: Chrome,
    message: &'static str,
    detail: Option<String>,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if self.status == StatusCode::UNAUTHORIZED {
            return Redirect::to("/login").into_response();
        }
        let page = ErrorPage {
            c: Chrome {
                lang: self.lang,
                title: i18n::t(self.lang, Msg::ErrorTitle).into(),
                user: None,
                csrf: String::new(),
                here: "/okrs".into(),
                watch: String::new(),
                seen: 0,
            },
            message: i18n::t(self.lang, self.msg),
            detail: self.detail.filter(|_| self.lang == Lang::En),
        };
        render(self.status, &page)
    }
}

impl PageError {
    /// The same refusal for a script that asked for JSON (the board's drag
    /// and drop): its status and `{"error": {"code", "message"}}`, the
    /// message in the reader's language.
    fn into_json(self) -> Response {
        let (code, msg) = match self.status {
            StatusCode::UNAUTHORIZED => ("unauthorized", Msg::MoveSession),
            StatusCode::FORBIDDEN => ("forbidden", self.msg),
            StatusCode::NOT_FOUND => ("not_found", self.msg),
            StatusCode::CONFLICT => ("conflict", self.msg),
            StatusCode::UNPROCESSABLE_ENTITY => ("invalid", self.msg),
            _ => ("internal", self.msg),
        };
        let mut message = i18n::t(self.lang, msg).to_string();
        if let Some(detail) = self.detail.filter(|_| self.lang == Lang::En) {
            message = format!("{message} ({detail})");
        }
        let body = serde_json::json!({ "error": { "code": code, "message": message } });
        let mut response = (self.status, axum::Json(body)).into_response();
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}

/// The page for an address nothing answers, in the language the browser asks for.
pub async fn not_found(headers: axum::http::HeaderMap) -> Response {
    let lang = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Lang::from_accept_language)
        .unwrap_or_default();
    PageError::new(lang, StatusCode::NOT_FOUND, Msg::ErrNotFound).into_response()
}
