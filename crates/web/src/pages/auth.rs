//! Who is looking at a page and in which language; the pages that start and
//! end a session (login, logout) and the language switch.
//!
//! Logged-in forms carry the session's CSRF token. Before a session exists,
//! login and setup use a double-submit token: a random value set both as an
//! HttpOnly SameSite=Strict cookie and as a hidden field; another site can
//! make a browser send the cookie but cannot read it to fill in the field.

use super::view::Chrome;
use super::{OrPage, PageError, PageResult, render};
use crate::AppState;
use crate::extract::{LANG_COOKIE, SESSION_COOKIE, cookie};
use crate::i18n::{self, Msg};
use askama::Template;
use axum::Form;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use keel_app::auth::{SESSION_DAYS, new_secret};
use keel_app::org::UserPatch;
use keel_app::{Actor, AppError};
use keel_domain::org::Lang;
use serde::Deserialize;

pub const LOGIN_CSRF_COOKIE: &str = "keel_csrf";
const LANG_COOKIE_DAYS: i64 = 365;

/// A logged-in person looking at a page. Without a live session the request
/// is sent to the login page (303), and comes back here afterwards.
pub struct PageActor {
    pub actor: Actor,
    pub csrf: String,
    pub lang: Lang,
    token: String,
    here: String,
    /// The latest recorded change when the request came in: the page shows
    /// everything up to it, and its live updates start after it.
    seen: i64,
}

impl PageActor {
    pub fn check_csrf(&self, sent: &str) -> Result<(), PageError> {
        if same(&self.csrf, sent) { Ok(()) } else { Err(PageError::csrf(self.lang)) }
    }

    pub fn chrome(&self, title: impl Into<String>) -> Chrome {
        Chrome {
            lang: self.lang,
            title: title.into(),
            user: self.actor.user.as_ref().map(|u| u.display_name.clone()),
            csrf: self.csrf.clone(),
            here: self.here.clone(),
            watch: super::view::watch_for(&self.here),
            seen: self.seen,
        }
    }

    pub fn t(&self, key: Msg) -> &'static str {
        i18n::t(self.lang, key)
    }

    pub fn zone(&self) -> &str {
        self.actor.time_zone()
    }
}

impl FromRequestParts<AppState> for PageActor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let here = here(parts);
        let to_login = || {
            // Only a page that can be fetched again is worth returning to.
            let target =
                if parts.method == Method::GET { format!("/login?next={}", encode(&here)) } else { "/login".into() };
            let mut response = Redirect::to(&target).into_response();
            if cookie(parts, SESSION_COOKIE).is_some() {
                set_cookie(&mut response, &format!("{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"));
            }
            response
        };
        let Some(token) = cookie(parts, SESSION_COOKIE) else { return Err(to_login()) };
        match state.app.session(token).await {
            Ok((actor, csrf)) => {
                let lang = actor.lang().unwrap_or_else(|| guest_lang(parts));
                // Read before anything the page shows, so no later change is missed.
                let seen = if parts.method == Method::GET {
                    state.app.latest_change_id().await.map_err(|e| PageError::app(lang, e).into_response())?
                } else {
                    0
                };
                Ok(PageActor { actor, csrf, lang, token: token.to_string(), here, seen })
            }
            Err(AppError::Unauthorized) => Err(to_login()),
            Err(e) => Err(PageError::app(guest_lang(parts), e).into_response()),
        }
    }
}

/// Someone who may not be logged in: the login, setup and language pages.
pub struct Guest {
    pub(super) lang: Lang,
    here: String,
    csrf_cookie: Option<String>,
    session: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Guest {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Guest {
            lang: guest_lang(parts),
            here: here(parts),
            csrf_cookie: cookie(parts, LOGIN_CSRF_COOKIE).map(str::to_string),
            session: cookie(parts, SESSION_COOKIE).map(str::to_string),
        })
    }
}

impl Guest {
    fn chrome(&self, title: Msg, csrf: &str) -> Chrome {
        Chrome {
            lang: self.lang,
            title: i18n::t(self.lang, title).into(),
            user: None,
            csrf: csrf.into(),
            here: self.here.clone(),
            watch: String::new(),
            seen: 0,
        }
    }

    /// The setup page keeps its one-time link across a language switch.
    pub(super) fn setup_chrome(&self, csrf: &str, token: &str) -> Chrome {
        Chrome { here: format!("/setup?token={}", encode(token)), ..self.chrome(Msg::SetupTitle, csrf) }
    }

    /// The double-submit token: the one already set, else a new one.
    pub(super) fn token(&self) -> String {
        self.csrf_cookie
            .clone()
            .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
            .unwrap_or_else(|| new_secret(""))
    }

    pub(super) fn check_csrf(&self, sent: &str) -> Result<(), PageError> {
        match &self.csrf_cookie {
            Some(expected) if same(expected, sent) => Ok(()),
            _ => Err(PageError::csrf(self.lang)),
        }
    }
}

/// Language without a saved preference: the cookie, else the browser's, else English.
pub(super) fn guest_lang(parts: &Parts) -> Lang {
    cookie(parts, LANG_COOKIE)
        .and_then(Lang::parse)
        .or_else(|| {
            parts
                .headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or(Lang::En)
}

fn here(parts: &Parts) -> String {
    parts.uri.path_and_query().map(|pq| pq.as_str().to_string()).unwrap_or_else(|| "/".into())
}

/// Compares secrets in time independent of where they differ.
fn same(expected: &str, sent: &str) -> bool {
    !expected.is_empty()
        && expected.len() == sent.len()
        && expected.bytes().zip(sent.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

/// A redirect target from a form or query: only a path on this site.
/// "//host" and "/\host" would leave it, so they fall back to the OKRs.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.chars().any(|c| c.is_control()) =>
        {
            n.to_string()
        }
        _ => "/okrs".into(),
    }
}

/// Percent-encodes a path for a query parameter.
pub(super) fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub(super) fn set_cookie(response: &mut Response, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
}

pub(super) fn secure(state: &AppState) -> &'static str {
    if state.secure_cookies { "; Secure" } else { "" }
}

pub(super) fn csrf_cookie(state: &AppState, token: &str) -> String {
    format!("{LOGIN_CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{}", secure(state))
}

pub(super) fn session_cookie(state: &AppState, token: &str) -> String {
    let max_age = SESSION_DAYS * 24 * 3600;
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}", secure(state))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Chrome,
    login: String,
    next: String,
    error: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn login_page(State(state): State<AppState>, guest: Guest, Query(q): Query<NextQuery>) -> Response {
    let next = safe_next(q.next.as_deref());
    // Someone already logged in goes straight on.
    if let Some(token) = &guest.session
        && state.app.session(token).await.is_ok()
    {
        return Redirect::to(&next).into_response();
    }
    let token = guest.token();
    let page = LoginPage { c: guest.chrome(Msg::LoginTitle, &token), login: String::new(), next, error: None };
    let mut response = render(StatusCode::OK, &page);
    set_cookie(&mut response, &csrf_cookie(&state, &token));
    response
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn login_submit(State(state): State<AppState>, guest: Guest, Form(form): Form<LoginForm>) -> PageResult {
    guest.check_csrf(&form.csrf)?;
    let next = safe_next(Some(&form.next));
    match state.app.login(&form.login, &form.password).await {
        Ok(session) => {
            let mut response = Redirect::to(&next).into_response();
            set_cookie(&mut response, &session_cookie(&state, &session.token));
            Ok(response)
        }
        Err(AppError::Unauthorized) => {
            let page = LoginPage {
                c: guest.chrome(Msg::LoginTitle, &form.csrf),
                login: form.login,
                next,
                error: Some(i18n::t(guest.lang, Msg::LoginFailed)),
            };
            Ok(render(StatusCode::UNAUTHORIZED, &page))
        }
        Err(e) => Err(PageError::app(guest.lang, e)),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub async fn logout(State(state): State<AppState>, page: PageActor, Form(form): Form<CsrfForm>) -> PageResult {
    page.check_csrf(&form.csrf)?;
    state.app.logout(&page.token).await.or_page(page.lang)?;
    let mut response = Redirect::to("/login").into_response();
    set_cookie(
        &mut response,
        &format!("{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{}", secure(&state)),
    );
    Ok(response)
}

#[derive(Deserialize)]
pub struct LangForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    lang: String,
    #[serde(default)]
    next: String,
}

/// Switches the language: a cookie for everyone, and the saved preference
/// of a logged-in person (whose form must then carry the session's token).
pub async fn set_lang(State(state): State<AppState>, guest: Guest, Form(form): Form<LangForm>) -> PageResult {
    let next = safe_next(Some(&form.next));
    let Some(lang) = Lang::parse(&form.lang) else { return Ok(Redirect::to(&next).into_response()) };
    if let Some(token) = &guest.session
        && let Ok((actor, csrf)) = state.app.session(token).await
    {
        if !same(&csrf, &form.csrf) {
            return Err(PageError::csrf(actor.lang().unwrap_or(guest.lang)));
        }
        if let Some(user) = &actor.user {
            let patch = UserPatch { lang: Some(Some(lang)), version: user.version, ..Default::default() };
            state.app.update_user(&actor, user.id, patch).await.or_page(lang)?;
        }
    }
    let mut response = Redirect::to(&next).into_response();
    remember_lang(&state, &mut response, lang);
    Ok(response)
}

/// The language cookie, for a year (also set when settings are saved).
pub(super) fn remember_lang(state: &AppState, response: &mut Response, lang: Lang) {
    let max_age = LANG_COOKIE_DAYS * 24 * 3600;
    set_cookie(
        response,
        &format!("{LANG_COOKIE}={}; Path=/; Max-Age={max_age}; SameSite=Lax{}", lang.as_str(), secure(state)),
    );
}

/// Drops the language cookie, so the browser's Accept-Language decides again.
pub(super) fn forget_lang(state: &AppState, response: &mut Response) {
    set_cookie(response, &format!("{LANG_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax{}", secure(state)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/tasks/4?x=1")), "/tasks/4?x=1");
        assert_eq!(safe_next(Some("//evil.example/")), "/okrs");
        assert_eq!(safe_next(Some("/\\evil.example/")), "/okrs");
        assert_eq!(safe_next(Some("https://evil.example/")), "/okrs");
        assert_eq!(safe_next(Some("/ok\r\nSet-Cookie: x=1")), "/okrs");
        assert_eq!(safe_next(None), "/okrs");
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "ab"));
        assert!(!same("", ""));
    }

    #[test]
    fn next_is_encoded_for_the_query() {
        assert_eq!(encode("/okrs?cycle=2&x=中"), "/okrs%3Fcycle%3D2%26x%3D%E4%B8%AD");
    }
}
