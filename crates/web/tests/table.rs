//! The table view, driven in-process through the real router over fresh
//! databases (both backends where it is cheap): custom fields and their
//! values, who may change what, stale edits, saved views, the page's
//! filters, sorting, grouping and paging, and exports read back with the csv
//! and calamine crates. Every expected row is worked out here from the items
//! this file creates, never copied from an answer.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use keel_app::work::{ProjectInput, TaskInput};
use keel_app::{Actor, App, Settings};
use keel_domain::org::Role;
use keel_domain::work::Priority;
use keel_domain::{ProjectId, TaskId};
use keel_testkit::{BACKENDS, Backend, TestDb, fresh};
use serde_json::{Value, json};
use std::collections::HashMap;
use tower::ServiceExt;

const PASSWORD: &str = "password-1234";

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    bytes: Vec<u8>,
}

impl Reply {
    fn text(&self) -> String {
        String::from_utf8(self.bytes.clone()).expect("utf-8 body")
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or_else(|_| panic!("not JSON: {}", self.text()))
    }
    fn location(&self) -> String {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
    }
    fn cookie_value(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(|line| line[name.len() + 1..].split(';').next().unwrap_or("").to_string())
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

fn query(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}

/// A person who can call the API (token) and open pages (session).
#[derive(Clone)]
struct Person {
    id: i64,
    token: String,
    cookie: String,
    csrf: String,
}

struct Site {
    app: App,
    router: Router,
    _db: TestDb,
}

impl Site {
    async fn new(backend: Backend) -> Site {
        let db = fresh(backend).await;
        let app = App::new(db.store.clone(), Settings::default());
        let router = keel_web::router(app.clone(), Default::default());
        Site { app, router, _db: db }
    }

    async fn send(&self, req: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(req).await.expect("router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.expect("body").to_bytes().to_vec();
        Reply { status, headers, bytes }
    }

    async fn person(&self, login: &str, name: &str, role: Role) -> Person {
        let user = self.app.add_login_user(login, name, PASSWORD, role).await.unwrap();
        let token = self.app.create_token(login, "tests").await.unwrap();
        let page = self.send(Request::get("/login").body(Body::empty()).unwrap()).await;
        let csrf_cookie = page.cookie_value("keel_csrf").expect("csrf cookie");
        let body = query(&[("csrf", &csrf_cookie), ("login", login), ("password", PASSWORD), ("next", "")]);
        let req = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("keel_csrf={csrf_cookie}"))
            .body(Body::from(body))
            .unwrap();
        let done = self.send(req).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "log in {login}");
        let cookie = format!("keel_session={}", done.cookie_value("keel_session").expect("session cookie"));
        let home =
            self.send(Request::get("/projects").header(header::COOKIE, &cookie).body(Body::empty()).unwrap()).await;
        let text = home.text();
        let marker = r#"name="csrf" value=""#;
        let start = text.find(marker).expect("a form with the CSRF token") + marker.len();
        let csrf = text[start..].split('"').next().unwrap().to_string();
        Person { id: user.id.0, token, cookie, csrf }
    }

    async fn api(&self, who: &Person, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut req =
            Request::builder().method(method).uri(path).header("authorization", format!("Bearer {}", who.token));
        let req = match body {
            Some(b) => {
                req = req.header("content-type", "application/json");
                req.body(Body::from(b.to_string())).unwrap()
            }
            None => req.body(Body::empty()).unwrap(),
        };
        let reply = self.send(req).await;
        let value = if reply.bytes.is_empty() { Value::Null } else { reply.json() };
        (reply.status, value)
    }

    async fn page(&self, who: &Person, path: &str) -> Reply {
        let req = Request::get(path)
            .header(header::COOKIE, &who.cookie)
            .header(header::ACCEPT_LANGUAGE, "zh-CN")
            .body(Body::empty())
            .unwrap();
        self.send(req).await
    }

    async fn form(&self, who: &Person, path: &str, pairs: &[(&str, &str)], json: bool) -> Reply {
        let mut all: Vec<(&str, &str)> = vec![("csrf", &who.csrf)];
        all.extend_from_slice(pairs);
        let mut req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT_LANGUAGE, "zh-CN")
            .header(header::COOKIE, &who.cookie);
        if json {
            req = req.header(header::ACCEPT, "application/json");
        }
        self.send(req.body(Body::from(query(&all))).unwrap()).await
    }
}

/// Text as the templates escape it (numeric references).
fn escape(s: &str) -> String {
    s.replace('&', "&#38;").replace('<', "&#60;").replace('>', "&#62;").replace('"', "&#34;").replace('\'', "&#39;")
}

fn unescape(s: &str) -> String {
    s.replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

/// Ids of the rows a table page shows, in order.
fn row_ids(html: &str) -> Vec<i64> {
    html.split(r#"<tr id="row-"#).skip(1).map(|rest| rest.split('"').next().unwrap().parse().unwrap()).collect()
}

/// Group headings of a table page, as shown.
fn group_heads(html: &str) -> Vec<String> {
    html.split(r#"<tr class="group-head"><th colspan=""#)
        .skip(1)
        .map(|rest| {
            let text = rest.split_once('>').unwrap().1;
            text.split("</th>").next().unwrap().to_string()
        })
        .collect()
}

const HOSTILE: [&str; 4] =
    ["<img src=x onerror=alert(1)>", "<script>alert(1)</script>", "[x](javascript:alert(1))", "<b>未闭合"];

fn wide_title() -> String {
    "𝒜".repeat(255)
}

/// The project this file works on: owned by `pm`, with eight custom fields
/// and eight tasks whose values are listed in `Fixture::tasks`.
struct Fixture {
    project: i64,
    tasks: Vec<i64>,
    titles: Vec<String>,
    fields: HashMap<&'static str, i64>,
}

async fn fixture(site: &Site, admin: &Person, pm: &Person, wang: &Person) -> Fixture {
    let sys = Actor::system();
    let project = site
        .app
        .create_project(
            &sys,
            ProjectInput {
                key: "TBL".into(),
                name: "表格视图验收".into(),
                description: String::new(),
                parent_id: None,
                owner_id: Some(keel_domain::UserId(pm.id)),
                unit_id: None,
                status: None,
                start_date: None,
                target_date: None,
                private: false,
                workflow: None,
                key_result_ids: vec![],
            },
        )
        .await
        .unwrap();
    let pid = project.id.0;
    let mut fields = HashMap::new();
    for (name, kind, options) in [
        ("points", "number", vec![]),
        ("platform", "multi_select", vec!["iOS", "Android", "Web"]),
        ("risk", "single_select", vec!["高", "中", "低"]),
        ("reviewer", "person", vec![]),
        ("launch", "date", vec![]),
        ("reviewed", "checkbox", vec![]),
        ("doc", "url", vec![]),
        ("note", "text", vec![]),
    ] {
        let (code, f) = site
            .api(
                pm,
                Method::POST,
                &format!("/api/v1/projects/{pid}/fields"),
                Some(json!({"name": name, "kind": kind, "options": options})),
            )
            .await;
        assert_eq!(code, StatusCode::CREATED, "{f}");
        fields.insert(name, f["id"].as_i64().unwrap());
    }
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let wide = wide_title();
    // title, status, due, estimate, assignee
    type Row<'a> = (&'a str, &'a str, Option<&'a str>, Option<f64>, Option<i64>);
    let rows: Vec<Row> = vec![
        ("登录页改版", "To do", Some("2026-03-10"), Some(3.0), Some(wang.id)),
        ("推送频控", "In progress", Some("2026-03-05"), Some(8.0), Some(pm.id)),
        ("=HYPERLINK(\"http://evil.example\",\"点我\")", "Done", None, Some(1.0), None),
        (HOSTILE[0], "To do", Some("2026-03-01"), None, None),
        (HOSTILE[1], "In review", Some("2026-03-20"), None, None),
        (HOSTILE[2], "Done", None, None, None),
        (HOSTILE[3], "To do", None, None, None),
        (&wide, "To do", None, None, None),
    ];
    let mut tasks = Vec::new();
    let mut titles = Vec::new();
    for (title, status, due, estimate, assignee) in rows {
        let t = site
            .app
            .create_task(
                &sys,
                TaskInput {
                    project_id: project.id,
                    title: title.into(),
                    description: String::new(),
                    status: Some(status.into()),
                    priority: Some(Priority::Medium),
                    assignee_id: assignee.map(keel_domain::UserId),
                    start_date: None,
                    due_date: due.map(day),
                    estimate,
                    progress: None,
                    parent_id: None,
                    labels: vec![],
                    key_result_ids: vec![],
                    depends_on: vec![],
                    blocked: false,
                    blocked_reason: None,
                },
            )
            .await
            .unwrap();
        tasks.push(t.id.0);
        titles.push(t.title);
    }
    let f = &fields;
    let values: Vec<(usize, &str, Value)> = vec![
        (0, "points", json!(5)),
        (0, "platform", json!(["Web", "iOS"])),
        (0, "risk", json!("高")),
        (0, "launch", json!("2026-04-01")),
        (0, "reviewed", json!(true)),
        (0, "doc", json!("https://docs.example/login?a=1&b=2")),
        (0, "reviewer", json!(pm.id)),
        (1, "points", json!(8)),
        (1, "platform", json!(["Android"])),
        (1, "risk", json!("中")),
        (2, "points", json!(2)),
        (2, "risk", json!("低")),
        (2, "note", json!("-5 +3")),
        (3, "points", json!(2)),
        (3, "platform", json!(["Web"])),
        (3, "risk", json!("高")),
        (4, "risk", json!("中")),
        (5, "points", json!(13)),
        (5, "risk", json!("低")),
        (7, "points", json!(1)),
    ];
    for (i, field, value) in values {
        let task = site.app.get_task(&sys, TaskId(tasks[i])).await.unwrap();
        let (code, out) = site
            .api(
                admin,
                Method::PUT,
                &format!("/api/v1/tasks/{}/fields/{}", tasks[i], f[field]),
                Some(json!({"value": value, "version": task.version})),
            )
            .await;
        assert_eq!(code, StatusCode::OK, "{field} of task {i}: {out}");
    }
    Fixture { project: pid, tasks, titles, fields }
}

async fn people(site: &Site) -> (Person, Person, Person, Person) {
    let admin = site.person("admin", "管理员", Role::Admin).await;
    let pm = site.person("pm", "项目经理", Role::Member).await;
    let wang = site.person("wang", "王强", Role::Member).await;
    let viewer = site.person("zhao", "赵敏", Role::Viewer).await;
    (admin, pm, wang, viewer)
}

#[tokio::test]
async fn fields_values_permissions_and_stale_versions_on_both_backends() {
    for backend in BACKENDS {
        let site = Site::new(backend).await;
        let (admin, pm, wang, viewer) = people(&site).await;
        let fx = fixture(&site, &admin, &pm, &wang).await;
        let pid = fx.project;
        let f = |name: &str| fx.fields[name];

        // Everyone who sees the project reads its fields; only its writers add them.
        let (code, list) = site.api(&viewer, Method::GET, &format!("/api/v1/projects/{pid}/fields"), None).await;
        assert_eq!(code, StatusCode::OK, "{backend:?}");
        let names: Vec<&str> = list.as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["points", "platform", "risk", "reviewer", "launch", "reviewed", "doc", "note"]);
        for who in [&wang, &viewer] {
            let (code, _) = site
                .api(
                    who,
                    Method::POST,
                    &format!("/api/v1/projects/{pid}/fields"),
                    Some(json!({"name": "x", "kind": "text"})),
                )
                .await;
            assert_eq!(code, StatusCode::FORBIDDEN, "{backend:?}");
        }
        let (code, twice) = site
            .api(
                &pm,
                Method::POST,
                &format!("/api/v1/projects/{pid}/fields"),
                Some(json!({"name": "Points", "kind": "text"})),
            )
            .await;
        assert_eq!((code, twice["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("name")));
        let (code, _) = site
            .api(
                &pm,
                Method::POST,
                &format!("/api/v1/projects/{pid}/fields"),
                Some(json!({"name": "选", "kind": "single_select"})),
            )
            .await;
        assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "a select field needs options");

        // Values are checked against the field's kind.
        let task = fx.tasks[6];
        let version = site.app.get_task(&Actor::system(), TaskId(task)).await.unwrap().version;
        for (field, value) in [
            ("points", json!("abc")),
            ("points", json!("1,5")),
            ("risk", json!("极高")),
            ("platform", json!(["Windows"])),
            ("launch", json!("2026-02-30")),
            ("reviewer", json!(999_999)),
            ("doc", json!("javascript:alert(1)")),
            ("doc", json!("data:text/html,<script>alert(1)</script>")),
            ("reviewed", json!("maybe")),
        ] {
            let (code, out) = site
                .api(
                    &admin,
                    Method::PUT,
                    &format!("/api/v1/tasks/{task}/fields/{}", f(field)),
                    Some(json!({"value": value, "version": version})),
                )
                .await;
            assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?} {field} {value}: {out}");
            assert_eq!(out["error"]["field"], "value", "{out}");
        }
        // A value set with the task's version moves the task to a new version; the old one is stale.
        let path = format!("/api/v1/tasks/{task}/fields/{}", f("note"));
        let (code, set) =
            site.api(&admin, Method::PUT, &path, Some(json!({"value": "第一版", "version": version}))).await;
        assert_eq!(code, StatusCode::OK, "{set}");
        assert_eq!(set["version"], json!(version + 1));
        assert_eq!(set["value"], json!("第一版"));
        let (code, stale) =
            site.api(&admin, Method::PUT, &path, Some(json!({"value": "覆盖", "version": version}))).await;
        assert_eq!(code, StatusCode::CONFLICT, "{backend:?}: {stale}");
        assert_eq!(stale["error"]["current"]["version"], json!(version + 1));
        let history = site.app.history(&Actor::system(), "task", task).await.unwrap();
        let last = history.last().unwrap();
        assert_eq!((last.action.as_str(), &last.after.as_ref().unwrap()["value"]), ("set_field", &json!("第一版")));
        assert_eq!(last.before.as_ref().unwrap()["value"], Value::Null);

        // A viewer, and a member who neither owns the project nor holds the task, cannot edit.
        let version = version + 1;
        for who in [&viewer, &wang] {
            let (code, _) = site.api(who, Method::PUT, &path, Some(json!({"value": "x", "version": version}))).await;
            assert_eq!(code, StatusCode::FORBIDDEN, "{backend:?}");
        }
        // …but wang may edit the task assigned to him.
        let mine = fx.tasks[0];
        let v = site.app.get_task(&Actor::system(), TaskId(mine)).await.unwrap().version;
        let (code, _) = site
            .api(
                &wang,
                Method::PUT,
                &format!("/api/v1/tasks/{mine}/fields/{}", f("points")),
                Some(json!({"value": 6, "version": v})),
            )
            .await;
        assert_eq!(code, StatusCode::OK, "{backend:?}");

        // A private project's table, fields and values do not exist for outsiders.
        let secret = site
            .app
            .create_project(
                &Actor::system(),
                ProjectInput {
                    key: "SEC".into(),
                    name: "保密项目".into(),
                    description: String::new(),
                    parent_id: None,
                    owner_id: Some(keel_domain::UserId(admin.id)),
                    unit_id: None,
                    status: None,
                    start_date: None,
                    target_date: None,
                    private: true,
                    workflow: None,
                    key_result_ids: vec![],
                },
            )
            .await
            .unwrap();
        let sid = secret.id.0;
        let (_, sf) = site
            .api(
                &admin,
                Method::POST,
                &format!("/api/v1/projects/{sid}/fields"),
                Some(json!({"name": "机密", "kind": "text"})),
            )
            .await;
        for path in [
            format!("/api/v1/projects/{sid}/table"),
            format!("/api/v1/projects/{sid}/fields"),
            format!("/api/v1/projects/{sid}/views"),
        ] {
            let (code, _) = site.api(&wang, Method::GET, &path, None).await;
            assert_eq!(code, StatusCode::NOT_FOUND, "{backend:?} {path}");
        }
        let (code, _) = site
            .api(
                &wang,
                Method::PATCH,
                &format!("/api/v1/projects/{sid}/fields/{}", sf["id"]),
                Some(json!({"name": "x", "version": 1})),
            )
            .await;
        assert_eq!(code, StatusCode::NOT_FOUND);
        assert_eq!(site.page(&wang, &format!("/projects/{sid}/table")).await.status, StatusCode::NOT_FOUND);
        assert_eq!(site.page(&wang, &format!("/projects/{sid}/table.csv")).await.status, StatusCode::NOT_FOUND);
        assert_eq!(site.page(&admin, &format!("/projects/{sid}/table")).await.status, StatusCode::OK);

        // Rename, move and change options; stale versions are refused.
        let risk = f("risk");
        let (code, renamed) = site
            .api(
                &pm,
                Method::PATCH,
                &format!("/api/v1/projects/{pid}/fields/{risk}"),
                Some(json!({"name": "风险等级", "position": 1, "version": 1})),
            )
            .await;
        assert_eq!(code, StatusCode::OK, "{renamed}");
        assert_eq!((renamed["name"].as_str(), renamed["position"].as_i64()), (Some("风险等级"), Some(1)));
        let (_, list) = site.api(&pm, Method::GET, &format!("/api/v1/projects/{pid}/fields"), None).await;
        let names: Vec<&str> = list.as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["风险等级", "points", "platform", "reviewer", "launch", "reviewed", "doc", "note"]);
        let (code, _) = site
            .api(
                &pm,
                Method::PATCH,
                &format!("/api/v1/projects/{pid}/fields/{risk}"),
                Some(json!({"name": "又改", "version": 1})),
            )
            .await;
        assert_eq!(code, StatusCode::CONFLICT);
        // Dropping the option 低 clears the values that named it (tasks 3 and 6).
        let (code, _) = site
            .api(
                &pm,
                Method::PATCH,
                &format!("/api/v1/projects/{pid}/fields/{risk}"),
                Some(json!({"options": ["高", "中"], "version": 2})),
            )
            .await;
        assert_eq!(code, StatusCode::OK);
        let (_, table) =
            site.api(&pm, Method::GET, &format!("/api/v1/projects/{pid}/table?cols=key,f{risk}&s0=key"), None).await;
        let risks: Vec<Value> =
            table["rows"].as_array().unwrap().iter().map(|r| r["cells"][format!("f{risk}")].clone()).collect();
        assert_eq!(
            risks,
            vec![
                json!("高"),
                json!("中"),
                Value::Null,
                json!("高"),
                json!("中"),
                Value::Null,
                Value::Null,
                Value::Null
            ],
            "{backend:?}"
        );
        // Deleting a field takes its values with it.
        let (code, _) = site
            .api(&pm, Method::DELETE, &format!("/api/v1/projects/{pid}/fields/{}?version=1", f("note")), None)
            .await;
        assert_eq!(code, StatusCode::NO_CONTENT);
        let (_, table) = site.api(&pm, Method::GET, &format!("/api/v1/projects/{pid}/table"), None).await;
        let cols: Vec<&str> = table["columns"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
        assert!(!cols.contains(&format!("f{}", f("note")).as_str()), "{cols:?}");
        assert!(cols.contains(&format!("f{}", f("points")).as_str()), "{cols:?}");
    }
}

#[tokio::test]
async fn saved_views_personal_ones_stay_with_their_owner_on_both_backends() {
    for backend in BACKENDS {
        let site = Site::new(backend).await;
        let (admin, pm, wang, viewer) = people(&site).await;
        let fx = fixture(&site, &admin, &pm, &wang).await;
        let pid = fx.project;
        let points = fx.fields["points"];
        let spec = json!({"columns": ["key", "title", format!("f{points}")], "filters": [{"column": format!("f{points}"), "op": "gt", "values": ["4"]}], "sort": [{"column": format!("f{points}"), "desc": true}]});
        let views = format!("/api/v1/projects/{pid}/views");
        let (code, mine) = site.api(&pm, Method::POST, &views, Some(json!({"name": "我的大任务", "spec": spec}))).await;
        assert_eq!(code, StatusCode::CREATED, "{mine}");
        let (code, shared) = site
            .api(&pm, Method::POST, &views, Some(json!({"name": "全员：大任务", "spec": spec, "shared": true})))
            .await;
        assert_eq!(code, StatusCode::CREATED, "{shared}");
        let (code, his) = site.api(&wang, Method::POST, &views, Some(json!({"name": "王的视图", "spec": {}}))).await;
        assert_eq!(code, StatusCode::CREATED, "{backend:?}: anyone who sees the project keeps views of their own");
        let (code, _) =
            site.api(&wang, Method::POST, &views, Some(json!({"name": "想共享", "spec": {}, "shared": true}))).await;
        assert_eq!(code, StatusCode::FORBIDDEN, "sharing needs the right to change the project");
        let (code, bad) =
            site.api(&pm, Method::POST, &views, Some(json!({"name": "坏的", "spec": {"columns": ["f999999"]}}))).await;
        assert_eq!((code, bad["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("spec")));

        let names = |v: &Value| {
            v.as_array().unwrap().iter().map(|x| x["name"].as_str().unwrap().to_string()).collect::<Vec<_>>()
        };
        let (_, seen) = site.api(&wang, Method::GET, &views, None).await;
        assert_eq!(names(&seen), ["全员：大任务", "王的视图"], "{backend:?}: never someone else's personal view");
        let (_, seen) = site.api(&pm, Method::GET, &views, None).await;
        assert_eq!(names(&seen), ["全员：大任务", "我的大任务"]);
        let (_, seen) = site.api(&admin, Method::GET, &views, None).await;
        assert_eq!(names(&seen), ["全员：大任务"], "not even an admin sees personal views");
        let (_, seen) = site.api(&viewer, Method::GET, &views, None).await;
        assert_eq!(names(&seen), ["全员：大任务"]);

        // Someone else's personal view does not exist for them; a shared one is read-only to non-writers.
        let (code, _) =
            site.api(&wang, Method::GET, &format!("/api/v1/projects/{pid}/table?view={}", mine["id"]), None).await;
        assert_eq!(code, StatusCode::NOT_FOUND);
        let (code, _) = site
            .api(&wang, Method::PATCH, &format!("{views}/{}", mine["id"]), Some(json!({"name": "偷看", "version": 1})))
            .await;
        assert_eq!(code, StatusCode::NOT_FOUND);
        let (code, _) = site
            .api(
                &wang,
                Method::PATCH,
                &format!("{views}/{}", shared["id"]),
                Some(json!({"name": "改名", "version": 1})),
            )
            .await;
        assert_eq!(code, StatusCode::FORBIDDEN);
        assert_eq!(
            site.page(&wang, &format!("/projects/{pid}/table?view={}", mine["id"])).await.status,
            StatusCode::NOT_FOUND
        );
        let page = site.page(&wang, &format!("/projects/{pid}/table")).await.text();
        assert!(!page.contains("我的大任务"), "the page lists no one else's personal view");
        assert!(page.contains("全员：大任务") && page.contains("王的视图"));

        // A saved view shows its rows: points > 4, most first — tasks 6 (13), 2 (8), 1 (5).
        let (code, table) =
            site.api(&wang, Method::GET, &format!("/api/v1/projects/{pid}/table?view={}", shared["id"]), None).await;
        assert_eq!(code, StatusCode::OK);
        let ids: Vec<i64> = table["rows"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect();
        assert_eq!(ids, vec![fx.tasks[5], fx.tasks[1], fx.tasks[0]], "{backend:?}");
        let html = site.page(&wang, &format!("/projects/{pid}/table?view={}", shared["id"])).await.text();
        assert_eq!(row_ids(&html), ids);

        let (code, _) = site.api(&pm, Method::DELETE, &format!("{views}/{}?version=2", mine["id"]), None).await;
        assert_eq!(code, StatusCode::CONFLICT);
        let (code, _) = site.api(&pm, Method::DELETE, &format!("{views}/{}?version=1", mine["id"]), None).await;
        assert_eq!(code, StatusCode::NO_CONTENT);
        let (_, seen) = site.api(&pm, Method::GET, &views, None).await;
        assert_eq!(names(&seen), ["全员：大任务"]);
        let _ = his;
    }
}

#[tokio::test]
async fn the_page_filters_sorts_and_groups_as_worked_out_by_hand() {
    let site = Site::new(Backend::Sqlite).await;
    let (admin, pm, wang, _) = people(&site).await;
    let fx = fixture(&site, &admin, &pm, &wang).await;
    let pid = fx.project;
    let t = |i: usize| fx.tasks[i - 1];
    let f = |n: &str| format!("f{}", fx.fields[n]);

    // points > 4, most first: 6 (13), 2 (8), 1 (5).
    let q = query(&[("f0", &f("points")), ("o0", "gt"), ("v0", "4"), ("s0", &f("points")), ("d0", "desc")]);
    let page = site.page(&pm, &format!("/projects/{pid}/table?{q}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(row_ids(&page.text()), vec![t(6), t(2), t(1)]);
    assert!(page.text().contains("共 3 行"));

    // Grouped by risk (options 高, 中, 低, then none), due date first inside a group:
    // 高: 4 (3-01), 1 (3-10); 中: 2 (3-05), 5 (3-20); 低: 3, 6 (no due: kept in order); none: 7, 8.
    let q = query(&[("g", &f("risk")), ("s0", "due")]);
    let page = site.page(&pm, &format!("/projects/{pid}/table?{q}")).await.text();
    assert_eq!(row_ids(&page), vec![t(4), t(1), t(2), t(5), t(3), t(6), t(7), t(8)]);
    assert_eq!(group_heads(&page), ["risk：高，2 项", "risk：中，2 项", "risk：低，2 项", "risk：（空），2 项"]);

    // Either done or on the web: 1 (Web), 3 (Done), 4 (Web), 6 (Done).
    let q = query(&[
        ("join", "or"),
        ("f0", "status"),
        ("o0", "is"),
        ("v0", "Done"),
        ("f1", &f("platform")),
        ("o1", "contains"),
        ("v1", "web"),
    ]);
    assert_eq!(
        row_ids(&site.page(&pm, &format!("/projects/{pid}/table?{q}")).await.text()),
        vec![t(1), t(3), t(4), t(6)]
    );
    // Both: none.
    let q = query(&[
        ("f0", "status"),
        ("o0", "is"),
        ("v0", "Done"),
        ("f1", &f("platform")),
        ("o1", "contains"),
        ("v1", "web"),
    ]);
    let page = site.page(&pm, &format!("/projects/{pid}/table?{q}")).await.text();
    assert!(row_ids(&page).is_empty() && page.contains("没有符合此视图的任务"));

    // Title contains "script": the script tag (5) and the javascript: link text (6).
    let q = query(&[("f0", "title"), ("o0", "contains"), ("v0", "script")]);
    assert_eq!(row_ids(&site.page(&pm, &format!("/projects/{pid}/table?{q}")).await.text()), vec![t(5), t(6)]);
    // A status named in Chinese matches too (进行中 is In progress): task 2.
    let q = query(&[("f0", "status"), ("o0", "any_of"), ("v0", "进行中")]);
    assert_eq!(row_ids(&site.page(&pm, &format!("/projects/{pid}/table?{q}")).await.text()), vec![t(2)]);
    // The reviewer (a person field) by name: task 1.
    let q = query(&[("f0", &f("reviewer")), ("o0", "is"), ("v0", "项目经理")]);
    assert_eq!(row_ids(&site.page(&pm, &format!("/projects/{pid}/table?{q}")).await.text()), vec![t(1)]);
    // Due between 3-01 and 3-09: 4 (3-01), 2 (3-05); empty checkbox means unticked: all but 1.
    let q = query(&[("f0", "due"), ("o0", "between"), ("v0", "2026-03-09"), ("v0", "2026-03-01"), ("s0", "due")]);
    assert_eq!(row_ids(&site.page(&pm, &format!("/projects/{pid}/table?{q}")).await.text()), vec![t(4), t(2)]);
    let q = query(&[("f0", &f("reviewed")), ("o0", "is"), ("v0", "false")]);
    assert_eq!(
        row_ids(&site.page(&pm, &format!("/projects/{pid}/table?{q}")).await.text()),
        (2..=8).map(t).collect::<Vec<_>>()
    );

    // An operator a column does not take is left out, and said so.
    let q = query(&[("f0", "title"), ("o0", "gt"), ("v0", "1")]);
    let page = site.page(&pm, &format!("/projects/{pid}/table?{q}")).await.text();
    assert_eq!(row_ids(&page).len(), 8);
    assert!(page.contains(r#"id="table-ignored""#) && page.contains("以下条件无法使用，已忽略：标题"), "{page}");

    // Columns in the order asked for, and only those.
    let q = query(&[("col", &f("points")), ("col", "title"), ("col", "key")]);
    let page = site.page(&pm, &format!("/projects/{pid}/table?{q}")).await.text();
    let heads: Vec<&str> =
        page.split(r#"<th scope="col" data-col=""#).skip(1).map(|r| r.split('"').next().unwrap()).collect();
    assert_eq!(heads, [f("points").as_str(), "title", "key"]);
}

#[tokio::test]
async fn a_hundred_rows_a_page_and_groups_say_their_whole_count() {
    let site = Site::new(Backend::Sqlite).await;
    let (_, pm, _, _) = people(&site).await;
    let sys = Actor::system();
    let project = site
        .app
        .create_project(
            &sys,
            ProjectInput {
                key: "BIG".into(),
                name: "大表".into(),
                description: String::new(),
                parent_id: None,
                owner_id: Some(keel_domain::UserId(pm.id)),
                unit_id: None,
                status: None,
                start_date: None,
                target_date: None,
                private: false,
                workflow: None,
                key_result_ids: vec![],
            },
        )
        .await
        .unwrap();
    let mut ids = Vec::new();
    for i in 1..=130 {
        let t = site
            .app
            .create_task(
                &sys,
                TaskInput {
                    project_id: project.id,
                    title: format!("任务 {i}"),
                    description: String::new(),
                    // 1..=70 to do, 71..=130 done.
                    status: Some(if i <= 70 { "To do" } else { "Done" }.into()),
                    priority: None,
                    assignee_id: None,
                    start_date: None,
                    due_date: None,
                    estimate: Some(i as f64),
                    progress: None,
                    parent_id: None,
                    labels: vec![],
                    key_result_ids: vec![],
                    depends_on: vec![],
                    blocked: false,
                    blocked_reason: None,
                },
            )
            .await
            .unwrap();
        ids.push(t.id.0);
    }
    let pid = project.id.0;
    let first = site.page(&pm, &format!("/projects/{pid}/table")).await.text();
    assert_eq!(row_ids(&first), ids[..100].to_vec());
    assert!(first.contains("第 1 页，共 2 页") && first.contains("共 130 行"));
    let second = site.page(&pm, &format!("/projects/{pid}/table?page=2")).await.text();
    assert_eq!(row_ids(&second), ids[100..].to_vec());
    // Grouped by status (workflow order: To do, then Done), estimate descending: To do 70…1,
    // then Done 130…71. Page 2 starts inside Done, whose heading repeats with its whole count.
    let q = query(&[("g", "status"), ("s0", "estimate"), ("d0", "desc")]);
    let page1 = site.page(&pm, &format!("/projects/{pid}/table?{q}")).await.text();
    let expected: Vec<i64> = ids[..70].iter().rev().chain(ids[70..].iter().rev()).copied().collect();
    assert_eq!(row_ids(&page1), expected[..100].to_vec());
    assert_eq!(group_heads(&page1), ["状态：待办，70 项", "状态：已完成，60 项"]);
    let page2 = site.page(&pm, &format!("/projects/{pid}/table?{q}&page=2")).await.text();
    assert_eq!(row_ids(&page2), expected[100..].to_vec());
    assert_eq!(group_heads(&page2), ["状态：已完成，60 项 （续）"]);
    // The API pages the same way.
    let (code, api) = site.api(&pm, Method::GET, &format!("/api/v1/projects/{pid}/table?{q}&page=2"), None).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!((api["total"].as_u64(), api["page"].as_u64(), api["pages"].as_u64()), (Some(130), Some(2), Some(2)));
    assert_eq!(api["rows"].as_array().unwrap().len(), 30);
    assert_eq!(
        api["groups"],
        json!([{"value": "To do", "label": "To do", "count": 70}, {"value": "Done", "label": "Done", "count": 60}])
    );
}

fn parse_csv(bytes: &[u8]) -> Vec<Vec<String>> {
    assert_eq!(&bytes[..3], "\u{feff}".as_bytes(), "UTF-8 with a byte-order mark");
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(&bytes[3..]);
    reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect()
}

fn parse_xlsx(bytes: &[u8]) -> Vec<Vec<calamine::Data>> {
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("an XLSX");
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).expect("the sheet");
    range.rows().map(|r| r.to_vec()).collect()
}

#[tokio::test]
async fn exports_hold_exactly_the_rows_and_columns_of_the_view() {
    use calamine::{Data, DataType};
    let site = Site::new(Backend::Sqlite).await;
    let (admin, pm, wang, _) = people(&site).await;
    let fx = fixture(&site, &admin, &pm, &wang).await;
    let pid = fx.project;
    let f = |n: &str| format!("f{}", fx.fields[n]);
    // Key, title, points, launch, due; risk 高 or 中 or none… i.e. not 低; grouped by risk; points descending.
    let q = query(&[
        ("col", "key"),
        ("col", "title"),
        ("col", &f("points")),
        ("col", &f("launch")),
        ("col", "due"),
        ("col", &f("reviewed")),
        ("f0", &f("risk")),
        ("o0", "is_not"),
        ("v0", "低"),
        ("g", &f("risk")),
        ("s0", &f("points")),
        ("d0", "desc"),
    ]);
    let page = site.page(&pm, &format!("/projects/{pid}/table?{q}")).await.text();
    // 高: 1 (5), 4 (2); 中: 2 (8), 5 (none); empty: 8 (1), 7 (none).
    let order = [1, 4, 2, 5, 8, 7];
    let t = |i: usize| fx.tasks[i - 1];
    assert_eq!(row_ids(&page), order.iter().map(|&i| t(i)).collect::<Vec<_>>());
    // The page links the exports of this very view.
    let csv_href = format!("/projects/{pid}/table.csv?");
    let start = page.find(&csv_href).expect("a CSV link");
    let link = unescape(page[start..].split('"').next().unwrap());
    let csv_reply = site.page(&pm, &link).await;
    assert_eq!(csv_reply.status, StatusCode::OK);
    assert!(csv_reply.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/csv"));
    assert!(csv_reply.headers[header::CONTENT_DISPOSITION].to_str().unwrap().contains("TBL-table.csv"));
    let rows = parse_csv(&csv_reply.bytes);
    assert_eq!(rows[0], ["分组：risk", "编号", "标题", "points", "launch", "截止日期", "reviewed"]);
    let key = |i: usize| format!("TBL-{i}");
    let title = |i: usize| fx.titles[i - 1].clone();
    let expected: Vec<Vec<String>> = vec![
        vec!["高".into(), key(1), title(1), "5".into(), "2026-04-01".into(), "2026-03-10".into(), "✓".into()],
        vec!["高".into(), key(4), title(4), "2".into(), "".into(), "2026-03-01".into(), "".into()],
        vec!["中".into(), key(2), title(2), "8".into(), "".into(), "2026-03-05".into(), "".into()],
        vec!["中".into(), key(5), title(5), "".into(), "".into(), "2026-03-20".into(), "".into()],
        vec!["（空）".into(), key(8), wide_title(), "1".into(), "".into(), "".into(), "".into()],
        vec!["（空）".into(), key(7), title(7), "".into(), "".into(), "".into(), "".into()],
    ];
    assert_eq!(rows[1..].to_vec(), expected, "CSV rows are the view's rows");

    let xlsx_reply = site.page(&pm, &link.replace("table.csv", "table.xlsx")).await;
    assert_eq!(xlsx_reply.status, StatusCode::OK);
    let sheet = parse_xlsx(&xlsx_reply.bytes);
    assert_eq!(sheet.len(), 7);
    let header: Vec<String> = sheet[0].iter().map(|c| c.to_string()).collect();
    assert_eq!(header, rows[0]);
    for (r, want) in sheet[1..].iter().zip(&expected) {
        assert_eq!(r[0], Data::String(want[0].clone()));
        assert_eq!(r[1], Data::String(want[1].clone()));
        assert_eq!(r[2], Data::String(want[2].clone()), "titles are text, never formulas");
        match want[3].as_str() {
            "" => assert_eq!(r[3], Data::Empty),
            n => assert_eq!(r[3], Data::Float(n.parse().unwrap()), "numbers are numbers"),
        }
        for c in [4, 5] {
            match want[c].as_str() {
                "" => assert_eq!(r[c], Data::Empty),
                d => {
                    assert!(matches!(r[c], Data::DateTime(_)), "dates are dates: {:?}", r[c]);
                    assert_eq!(r[c].as_date().map(|d| d.to_string()), Some(d.to_string()));
                }
            }
        }
        assert_eq!(r[6], if want[6].is_empty() { Data::Empty } else { Data::Bool(true) });
    }

    // Every row of the view, not one page: 130 rows would need two pages; here every task, ungrouped.
    let all = parse_csv(&site.page(&pm, &format!("/projects/{pid}/table.csv")).await.bytes);
    assert_eq!(all.len(), 1 + 8);
    // Formula-looking cells start with an apostrophe; the XLSX keeps the text as typed.
    let formula = all.iter().find(|r| r[0] == "TBL-3").unwrap();
    assert_eq!(formula[1], format!("'{}", fx.titles[2]));
    let note = format!("f{}", fx.fields["note"]);
    let with_note = parse_csv(&site.page(&pm, &format!("/projects/{pid}/table.csv?cols=key,{note}")).await.bytes);
    assert_eq!(with_note.iter().find(|r| r[0] == "TBL-3").unwrap()[1], "'-5 +3");
    let sheet = parse_xlsx(&site.page(&pm, &format!("/projects/{pid}/table.xlsx?cols=key,title")).await.bytes);
    assert_eq!(sheet[3][1], Data::String(fx.titles[2].clone()));
    for (i, hostile) in HOSTILE.iter().enumerate() {
        assert_eq!(sheet[4 + i][1], Data::String(hostile.to_string()));
        assert_eq!(all[4 + i][1], *hostile, "kept as text in the CSV");
    }
    assert_eq!(sheet[8][1], Data::String(wide_title()));
}

#[tokio::test]
async fn hostile_titles_are_shown_as_text_and_never_run() {
    let site = Site::new(Backend::Sqlite).await;
    let (admin, pm, wang, _) = people(&site).await;
    let fx = fixture(&site, &admin, &pm, &wang).await;
    let page = site.page(&pm, &format!("/projects/{}/table", fx.project)).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    for raw in ["<img src=x onerror=alert(1)>", "<script>alert(1)</script>", "<b>未闭合"] {
        assert!(!html.contains(raw), "{raw} is in the page as markup");
    }
    assert!(html.contains(&escape("<img src=x onerror=alert(1)>")), "shown as text");
    assert!(html.contains(&escape("<script>alert(1)</script>")));
    assert!(html.contains(&escape("<b>未闭合")));
    assert!(html.contains("[x](javascript:alert(1))"), "Markdown in a title is not rendered");
    assert!(!html.contains(r#"href="javascript:"#));
    assert!(html.contains(&wide_title()), "a title of 255 four-byte characters is shown whole");
    // Only http(s) addresses become links; the one stored is shown escaped and opens apart.
    let link = format!(
        r#"href="{}" rel="noopener noreferrer nofollow" target="_blank""#,
        escape("https://docs.example/login?a=1&b=2")
    );
    assert!(html.contains(&link), "{html}");
    // Nothing inline: the page's only scripts are modules from /assets.
    assert_eq!(html.matches("<script").count(), html.matches(r#"<script type="module" src="/assets/"#).count());
    assert!(page.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().contains("script-src 'self'"));
}

#[tokio::test]
async fn cells_are_edited_by_those_who_may_and_a_stale_edit_is_never_saved() {
    let site = Site::new(Backend::Sqlite).await;
    let (admin, pm, wang, viewer) = people(&site).await;
    let fx = fixture(&site, &admin, &pm, &wang).await;
    let pid = fx.project;
    let cell = format!("/projects/{pid}/table/cell");
    let points = format!("f{}", fx.fields["points"]);
    let task = fx.tasks[1];
    let version = || async { site.app.get_task(&Actor::system(), TaskId(task)).await.unwrap().version };

    // A viewer sees no editors, and is refused.
    let html = site.page(&viewer, &format!("/projects/{pid}/table")).await.text();
    assert!(!html.contains("data-editor=") && !html.contains("cell-edit"), "nothing editable for a viewer");
    let v = version().await.to_string();
    let refused = site
        .form(&viewer, &cell, &[("task", &task.to_string()), ("col", &points), ("version", &v), ("value", "3")], true)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text());
    assert_eq!(refused.json()["error"]["code"], "forbidden");

    // Without script: the Edit link opens a form in the cell; saving returns to the same view.
    let view = query(&[("s0", "key"), ("d0", "desc")]);
    let html = site.page(&pm, &format!("/projects/{pid}/table?{view}")).await.text();
    let edit = format!("edit={task}%3A{points}");
    assert!(html.contains(&edit), "an edit link per editable cell");
    let opened = site.page(&pm, &format!("/projects/{pid}/table?{view}&{edit}")).await.text();
    assert!(
        opened.contains(r#"id="cell-form""#) && opened.contains(r#"name="value" value="8""#),
        "the form holds the value"
    );
    let saved = site
        .form(
            &pm,
            &cell,
            &[("task", &task.to_string()), ("col", &points), ("version", &v), ("value", "２１"), ("back", &view)],
            false,
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(saved.location(), format!("/projects/{pid}/table?s0=key&d0=desc#row-{task}"));
    let (_, t) = site
        .api(&pm, Method::GET, &format!("/api/v1/projects/{pid}/table?cols=key,{points}&f0=key&o0=is&v0=TBL-2"), None)
        .await;
    assert_eq!(t["rows"][0]["cells"][&points], json!(21.0), "full-width digits read as 21");

    // The same version again is stale: nothing saved, the page says so.
    let stale = site
        .form(&pm, &cell, &[("task", &task.to_string()), ("col", &points), ("version", &v), ("value", "99")], false)
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.text().contains("TBL-2 刚被其他人修改，你的更改没有保存"), "{}", stale.text());
    let json_stale = site
        .form(&pm, &cell, &[("task", &task.to_string()), ("col", "title"), ("version", &v), ("value", "覆盖")], true)
        .await;
    assert_eq!(json_stale.status, StatusCode::CONFLICT);
    assert_eq!(json_stale.json()["error"]["code"], "conflict");
    let now = site.app.get_task(&Actor::system(), TaskId(task)).await.unwrap();
    assert_eq!(now.title, "推送频控", "never silently overwritten");

    // With script: JSON back with the cell as shown and the new version.
    let v = now.version.to_string();
    let ok = site
        .form(&pm, &cell, &[("task", &task.to_string()), ("col", "status"), ("version", &v), ("value", "Done")], true)
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    let body = ok.json();
    assert_eq!((body["text"].as_str(), body["version"].as_i64()), (Some("已完成"), Some(now.version + 1)));
    let platform = format!("f{}", fx.fields["platform"]);
    let v = (now.version + 1).to_string();
    let ok = site
        .form(
            &pm,
            &cell,
            &[("task", &task.to_string()), ("col", &platform), ("version", &v), ("value", "Web"), ("value", "iOS")],
            true,
        )
        .await;
    assert_eq!(ok.json()["text"], "iOS, Web", "options in the field's order");
    assert_eq!(ok.json()["value"], "iOS\nWeb");
    // A refused value keeps its form open with what was typed and why.
    let v = (now.version + 2).to_string();
    let doc = format!("f{}", fx.fields["doc"]);
    let bad = site
        .form(
            &pm,
            &cell,
            &[("task", &task.to_string()), ("col", &doc), ("version", &v), ("value", "javascript:alert(1)")],
            false,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = bad.text();
    assert!(text.contains(r#"id="cell-error""#) && text.contains(r#"value="javascript:alert(1)""#), "{text}");
    assert!(text.contains("未能保存：请填写以 http:// 或 https:// 开头的网址。"), "the reason, in Chinese");
    assert!(!text.contains(r#"href="javascript:"#));
    // wang may edit his own task's cells but not pm's.
    let own = fx.tasks[0];
    let v1 = site.app.get_task(&Actor::system(), TaskId(own)).await.unwrap().version.to_string();
    let ok = site
        .form(
            &wang,
            &cell,
            &[("task", &own.to_string()), ("col", "due"), ("version", &v1), ("value", "2026-03-12")],
            true,
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    let html = site.page(&wang, &format!("/projects/{pid}/table")).await.text();
    let row = |id: i64| {
        html.split(&format!(r#"<tr id="row-{id}""#)).nth(1).unwrap().split("</tr>").next().unwrap().to_string()
    };
    assert!(row(own).contains("data-editor="), "his row is editable");
    assert!(!row(task).contains("data-editor="), "someone else's is not");
}

#[tokio::test]
async fn views_and_fields_are_managed_from_the_page() {
    let site = Site::new(Backend::Sqlite).await;
    let (admin, pm, wang, _) = people(&site).await;
    let fx = fixture(&site, &admin, &pm, &wang).await;
    let pid = fx.project;
    let points = format!("f{}", fx.fields["points"]);

    // Save the current view as personal, then as shared.
    let spec = json!({"filters": [{"column": points, "op": "gt", "values": ["4"]}]}).to_string();
    let saved =
        site.form(&wang, &format!("/projects/{pid}/views"), &[("name", "王的筛选"), ("spec", &spec)], false).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let at = saved.location();
    assert!(at.starts_with(&format!("/projects/{pid}/table?view=")), "{at}");
    let html = site.page(&wang, &at).await.text();
    assert_eq!(row_ids(&html), vec![fx.tasks[0], fx.tasks[1], fx.tasks[5]]);
    assert!(html.contains(r#"aria-current="page">王的筛选</a>"#));
    let shared = site
        .form(&wang, &format!("/projects/{pid}/views"), &[("name", "共享"), ("spec", &spec), ("shared", "1")], false)
        .await;
    assert_eq!(shared.status, StatusCode::FORBIDDEN);
    assert!(!site.page(&pm, &format!("/projects/{pid}/table")).await.text().contains("王的筛选"));

    // Add a field, rename it, move it up, delete it.
    let html = site.page(&pm, &format!("/projects/{pid}/table")).await.text();
    assert!(html.contains(r#"id="add-field""#));
    assert!(!site.page(&wang, &format!("/projects/{pid}/table")).await.text().contains(r#"id="add-field""#));
    let added = site
        .form(
            &pm,
            &format!("/projects/{pid}/fields"),
            &[("name", "模块"), ("kind", "single_select"), ("options", "前端\n后端\n\n前端")],
            false,
        )
        .await;
    assert_eq!(added.status, StatusCode::UNPROCESSABLE_ENTITY, "前端 twice");
    assert!(added.text().contains(r#"id="add-field-error""#));
    assert!(added.text().contains("单选和多选字段至少需要一个选项，且选项不能重复。"));
    let added = site
        .form(
            &pm,
            &format!("/projects/{pid}/fields"),
            &[("name", "模块"), ("kind", "single_select"), ("options", "前端\n后端")],
            false,
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    let fields = site.app.list_fields(&Actor::system(), ProjectId(pid)).await.unwrap();
    let module = fields.iter().find(|f| f.name == "模块").unwrap().clone();
    assert_eq!((module.options.clone(), module.position), (vec!["前端".to_string(), "后端".to_string()], 9));
    let path = format!("/projects/{pid}/fields/{}", module.id.0);
    let moved = site.form(&pm, &path, &[("version", "1"), ("action", "up")], false).await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER);
    let fields = site.app.list_fields(&Actor::system(), ProjectId(pid)).await.unwrap();
    let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["points", "platform", "risk", "reviewer", "launch", "reviewed", "doc", "模块", "note"]);
    let renamed = site
        .form(
            &pm,
            &path,
            &[("version", "2"), ("action", "save"), ("name", "所属模块"), ("options", "前端\n后端\n测试")],
            false,
        )
        .await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER);
    let f = site.app.get_field(&Actor::system(), module.id).await.unwrap();
    assert_eq!((f.name.as_str(), f.options.len()), ("所属模块", 3));
    let stale = site.form(&pm, &path, &[("version", "2"), ("action", "delete")], false).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let gone = site.form(&pm, &path, &[("version", "3"), ("action", "delete")], false).await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
    assert!(site.app.get_field(&Actor::system(), module.id).await.is_err());
    // Someone who may not change the project cannot change its fields.
    let refused = site.form(&wang, &format!("/projects/{pid}/fields"), &[("name", "x"), ("kind", "text")], false).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // The project page links its table next to the board and the Gantt chart.
    let project = site.page(&pm, &format!("/projects/{pid}")).await.text();
    assert!(project.contains(&format!(r#"id="tab-table" href="/projects/{pid}/table""#)));
}
