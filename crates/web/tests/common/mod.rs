//! A Keel router on a fresh real database, called in-process, with people
//! of each role and their API tokens.

#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use keel_app::{Actor, App, Settings};
use keel_domain::org::Role;
use keel_testkit::{Backend, TestDb, fresh};
use serde_json::Value;
use tower::ServiceExt;

pub struct Harness {
    pub db: TestDb,
    pub app: App,
    pub router: axum::Router,
    pub admin: String,
}

impl Harness {
    pub async fn new(backend: Backend) -> Harness {
        let db = fresh(backend).await;
        let app = App::new(db.store.clone(), Settings::default());
        app.add_login_user("admin", "管理员", "correct horse battery", Role::Admin).await.unwrap();
        let admin = app.create_token("admin", "tests").await.unwrap();
        let router = keel_web::router(app.clone(), Default::default());
        Harness { db, app, router, admin }
    }

    /// Adds a person with a role and units; returns (user id, token).
    pub async fn person(&self, login: &str, role: Role, units: Vec<i64>) -> (i64, String) {
        let user = self.app.add_login_user(login, login, "password-1234", role).await.unwrap();
        if !units.is_empty() {
            let patch = keel_app::org::UserPatch {
                units: Some(units.into_iter().map(keel_domain::UnitId).collect()),
                version: user.version,
                ..Default::default()
            };
            self.app.update_user(&Actor::system(), user.id, patch).await.unwrap();
        }
        (user.id.0, self.app.create_token(login, "tests").await.unwrap())
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let request = match body {
            Some(json) => request.header("content-type", "application/json").body(Body::from(json.to_string())),
            None => request.body(Body::empty()),
        }
        .unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        (status, value)
    }

    pub async fn get(&self, path: &str) -> Value {
        let (status, body) = self.call(Method::GET, path, Some(&self.admin), None).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body
    }

    /// POST as admin, expecting 201.
    pub async fn post(&self, path: &str, body: Value) -> Value {
        let (status, out) = self.call(Method::POST, path, Some(&self.admin), Some(body.clone())).await;
        assert_eq!(status, StatusCode::CREATED, "POST {path} {body}: {out}");
        out
    }

    pub async fn patch(&self, path: &str, body: Value) -> Value {
        let (status, out) = self.call(Method::PATCH, path, Some(&self.admin), Some(body.clone())).await;
        assert_eq!(status, StatusCode::OK, "PATCH {path} {body}: {out}");
        out
    }
}

pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

pub fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}
