//! A Keel router on a fresh real database, driven in-process through the
//! pages like a browser: people log in through the login form and keep the
//! session cookie. Shared by the list, calendar, hostile-title and big-board
//! tests.

#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use keel_app::org::UserPatch;
use keel_app::work::{ProjectInput, TaskInput};
use keel_app::{Actor, App};
use keel_domain::org::{Lang, Role};
use keel_domain::work::{Project, Task};
use keel_domain::{ProjectId, UserId};
use keel_testkit::{Backend, TestDb};
use serde_json::{Value, json};
use tower::ServiceExt;

pub const PASSWORD: &str = "password-1234";

pub struct Site {
    pub app: App,
    pub router: Router,
    pub db: TestDb,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn cookie_value(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(|line| line[name.len() + 1..].split(';').next().unwrap_or("").to_string())
    }
}

pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}

/// A person who logged in through the pages.
pub struct Person {
    pub id: UserId,
    pub cookie: String,
}

impl Site {
    pub async fn new(backend: Backend) -> Site {
        let db = keel_testkit::fresh(backend).await;
        let app = App::new(db.store.clone(), Default::default());
        let router = keel_web::router(app.clone(), Default::default());
        Site { app, router, db }
    }

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

    /// A page that must answer 200; its body.
    pub async fn page(&self, uri: &str, who: &Person) -> String {
        let r = self.get(uri, &who.cookie).await;
        assert_eq!(r.status, StatusCode::OK, "GET {uri}: {}", r.body);
        r.body
    }

    /// Adds a person with a role, language and time zone, and logs them in.
    pub async fn person(&self, login: &str, role: Role, lang: Lang, zone: &str) -> Person {
        let user = self.app.add_login_user(login, login, PASSWORD, role).await.unwrap();
        let patch = UserPatch {
            lang: Some(Some(lang)),
            time_zone: Some(zone.into()),
            version: user.version,
            ..Default::default()
        };
        self.app.update_user(&Actor::system(), user.id, patch).await.unwrap();
        let page = self.send(Request::get("/login").body(Body::empty()).unwrap()).await;
        let token = page.cookie_value("keel_csrf").expect("csrf cookie");
        let body = form(&[("csrf", &token), ("login", login), ("password", PASSWORD), ("next", "")]);
        let req = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("keel_csrf={token}"));
        let done = self.send(req.body(Body::from(body)).unwrap()).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "login of {login}");
        let cookie = format!("keel_session={}", done.cookie_value("keel_session").expect("session cookie"));
        Person { id: user.id, cookie }
    }

    /// A project from JSON fields (key and name at least), created by the system.
    pub async fn project(&self, fields: Value) -> Project {
        let input: ProjectInput = serde_json::from_value(fields).expect("project fields");
        self.app.create_project(&Actor::system(), input).await.unwrap()
    }

    /// A task of a project from JSON fields (title at least).
    pub async fn task(&self, project: ProjectId, mut fields: Value) -> Task {
        fields["project_id"] = json!(project.0);
        let input: TaskInput = serde_json::from_value(fields).expect("task fields");
        self.app.create_task(&Actor::system(), input).await.unwrap()
    }
}

/// Text as the templates escape it.
pub fn escaped(s: &str) -> String {
    s.replace('&', "&#38;").replace('<', "&#60;").replace('>', "&#62;").replace('"', "&#34;").replace('\'', "&#39;")
}

/// The piece of `body` from the element with this id to the end of the
/// element that holds it (found by counting `<tag` and `</tag>`).
pub fn element<'a>(body: &'a str, id: &str) -> &'a str {
    let marker = format!(r#"id="{id}""#);
    let at = body.find(&marker).unwrap_or_else(|| panic!("no element #{id}"));
    let start = body[..at].rfind('<').expect("an opening tag");
    let tag: String = body[start + 1..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
    let (open, close) = (format!("<{tag}"), format!("</{tag}>"));
    let mut depth = 0usize;
    let mut i = start;
    loop {
        let next_open = body[i..].find(&open).map(|k| k + i);
        let next_close = body[i..].find(&close).map(|k| k + i).expect("a closing tag");
        match next_open {
            Some(o) if o < next_close => {
                depth += 1;
                i = o + open.len();
            }
            _ => {
                depth -= 1;
                i = next_close + close.len();
                if depth == 0 {
                    return &body[start..i];
                }
            }
        }
    }
}

/// Every value of `attr="…"` in a piece of markup, in order.
pub fn attrs<'a>(s: &'a str, attr: &str) -> Vec<&'a str> {
    let marker = format!(r#" {attr}=""#);
    s.match_indices(&marker).map(|(i, _)| s[i + marker.len()..].split('"').next().unwrap_or("")).collect()
}
