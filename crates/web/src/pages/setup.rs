//! First start: while no one can log in, the one-time setup link opens a
//! form that creates the first administrator and logs them in. It is
//! protected by the same double-submit token as the login form.

use super::auth::{Guest, csrf_cookie, session_cookie, set_cookie};
use super::view::Chrome;
use super::{OrPage, PageError, PageResult, render};
use crate::AppState;
use crate::i18n::{self, Msg};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use keel_app::AppError;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    c: Chrome,
    token: String,
    login: String,
    display_name: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct SetupQuery {
    #[serde(default)]
    token: String,
}

pub async fn setup_page(State(state): State<AppState>, guest: Guest, Query(q): Query<SetupQuery>) -> PageResult {
    if !state.app.setup_pending().await.or_page(guest.lang)? {
        return Err(PageError::new(guest.lang, StatusCode::NOT_FOUND, Msg::SetupUnavailable));
    }
    let csrf = guest.token();
    let page = SetupPage {
        c: guest.setup_chrome(&csrf, &q.token),
        token: q.token,
        login: String::new(),
        display_name: String::new(),
        error: None,
    };
    let mut response = render(StatusCode::OK, &page);
    set_cookie(&mut response, &csrf_cookie(&state, &csrf));
    Ok(response)
}

#[derive(Deserialize)]
pub struct SetupForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
}

pub async fn setup_submit(State(state): State<AppState>, guest: Guest, Form(form): Form<SetupForm>) -> PageResult {
    guest.check_csrf(&form.csrf)?;
    let lang = guest.lang;
    if !state.app.setup_pending().await.or_page(lang)? {
        return Err(PageError::new(lang, StatusCode::NOT_FOUND, Msg::SetupUnavailable));
    }
    // App::complete_setup spends the one-time link before it validates the
    // new user, so a too-short password would burn it: check everything first.
    let problem = if form.login.trim().is_empty() {
        Some(i18n::tf(lang, Msg::FieldInvalid, &[&i18n::t(lang, Msg::LoginName)]))
    } else if form.display_name.trim().is_empty() {
        Some(i18n::tf(lang, Msg::FieldInvalid, &[&i18n::t(lang, Msg::DisplayName)]))
    } else if keel_app::auth::check_password_rules(&form.password).is_err() {
        Some(i18n::t(lang, Msg::PasswordTooShort).to_string())
    } else {
        None
    };
    if let Some(error) = problem {
        let page = SetupPage {
            c: guest.setup_chrome(&form.csrf, &form.token),
            token: form.token,
            login: form.login,
            display_name: form.display_name,
            error: Some(error),
        };
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    match state.app.complete_setup(&form.token, &form.login, &form.display_name, &form.password).await {
        Ok(_) => {}
        Err(AppError::Forbidden(_)) => return Err(PageError::new(lang, StatusCode::FORBIDDEN, Msg::SetupLinkInvalid)),
        Err(e) => return Err(PageError::app(lang, e)),
    }
    let session = state.app.login(&form.login, &form.password).await.or_page(lang)?;
    let mut response = Redirect::to("/okrs").into_response();
    set_cookie(&mut response, &session_cookie(&state, &session.token));
    Ok(response)
}
