//! The pages of a Keel router on a fresh SQLite file holding the demo
//! organisation, driven in-process as a browser would: log in through the
//! form, keep the session cookie, send forms with the CSRF token.

#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use chrono::{NaiveDate, Utc};
use http_body_util::BodyExt;
use keel_app::store::Page;
use keel_app::{Actor, App};
use keel_domain::UserId;
use keel_testkit::{Backend, TestDb};
use tower::ServiceExt;

/// The demo people live here; "today" on their pages is this zone's.
pub const ZONE: &str = "Asia/Shanghai";

pub fn today() -> NaiveDate {
    keel_app::clock::today_in(ZONE, Utc::now())
}

pub struct Site {
    pub app: App,
    pub router: Router,
    pub admin_login: String,
    pub password: String,
    pub db: TestDb,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
    pub fn cookie_value(&self, name: &str) -> Option<String> {
        let line = self
            .headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))?;
        Some(line[name.len() + 1..].split(';').next().unwrap_or("").to_string())
    }
    /// The value of the first field with this name.
    pub fn field(&self, name: &str) -> Option<String> {
        let marker = format!(r#"name="{name}" value=""#);
        let start = self.body.find(&marker)? + marker.len();
        Some(self.body[start..].split('"').next()?.to_string())
    }
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A form body as a browser sends it.
pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}

pub async fn site() -> Site {
    let db = keel_testkit::fresh(Backend::Sqlite).await;
    let app = App::new(db.store.clone(), Default::default());
    let demo = app.load_demo(today()).await.expect("demo loads");
    let router = keel_web::router(app.clone(), Default::default());
    Site { app, router, admin_login: demo.login, password: demo.password, db }
}

impl Site {
    pub async fn send(&self, req: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(req).await.expect("router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        Reply { status, headers, body: String::from_utf8(bytes.to_vec()).expect("utf-8 body") }
    }

    pub async fn get(&self, uri: &str, cookie: &str) -> Reply {
        self.send(Request::get(uri).header(header::COOKIE, cookie).body(Body::empty()).unwrap()).await
    }

    pub async fn post(&self, uri: &str, cookie: &str, body: String) -> Reply {
        let req = Request::post(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, cookie);
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    /// Logs in through the login form; the session cookie and the CSRF token
    /// its forms carry. Every demo person has the same password.
    pub async fn log_in_as(&self, login: &str) -> (String, String) {
        let page = self.send(Request::get("/login").body(Body::empty()).unwrap()).await;
        let token = page.cookie_value("keel_csrf").expect("csrf cookie");
        let body = form(&[("csrf", &token), ("login", login), ("password", &self.password), ("next", "")]);
        let req = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("keel_csrf={token}"));
        let done = self.send(req.body(Body::from(body)).unwrap()).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{login} logs in");
        let cookie = format!("keel_session={}", done.cookie_value("keel_session").expect("session cookie"));
        let okrs = self.get("/okrs", &cookie).await;
        assert_eq!(okrs.status, StatusCode::OK);
        (cookie, okrs.field("csrf").expect("csrf field on a logged-in page"))
    }

    pub async fn admin(&self) -> (String, String) {
        self.log_in_as(&self.admin_login.clone()).await
    }

    pub async fn user(&self, login: &str) -> UserId {
        let users = self.app.list_users(&Actor::system(), Page::ALL).await.unwrap();
        users.iter().find(|u| u.login.as_deref() == Some(login)).unwrap_or_else(|| panic!("no user {login}")).id
    }
}
