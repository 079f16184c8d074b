//! The Gantt chart, driven in-process through the real router over a fresh
//! SQLite file holding the demo organisation, plus a small project built here
//! whose schedule is worked out by hand. Bar positions are computed here from
//! the dates and the zoom's pixels per day, never copied from a page.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use chrono::{Datelike, Duration, NaiveDate, Utc};
use http_body_util::BodyExt;
use keel_app::work::{ProjectInput, TaskInput, TaskPatch};
use keel_app::{Actor, App, AppError};
use keel_domain::work::{ProjectMilestone, Task};
use keel_domain::{MilestoneId, ProjectId, TaskId};
use keel_testkit::{Backend, TestDb};
use std::collections::BTreeSet;
use tower::ServiceExt;

struct Site {
    app: App,
    router: Router,
    login: String,
    password: String,
    db: TestDb,
}

async fn site() -> Site {
    let db = keel_testkit::fresh(Backend::Sqlite).await;
    let app = App::new(db.store.clone(), Default::default());
    let demo = app.load_demo(today()).await.expect("demo loads");
    let router = keel_web::router(app.clone(), Default::default());
    Site { app, router, login: demo.login, password: demo.password, db }
}

/// The demo people live in Shanghai: "today" is theirs.
fn today() -> NaiveDate {
    keel_app::clock::today_in("Asia/Shanghai", Utc::now())
}

fn day(n: i64) -> NaiveDate {
    today() + Duration::days(n)
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Reply {
    fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
    fn cookie_value(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(|line| line[name.len() + 1..].split(';').next().unwrap_or("").to_string())
    }
    fn field(&self, name: &str) -> Option<String> {
        let marker = format!(r#"name="{name}" value=""#);
        let start = self.body.find(&marker)? + marker.len();
        Some(self.body[start..].split('"').next()?.to_string())
    }
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.body))
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

fn form(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}

impl Site {
    async fn send(&self, req: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(req).await.expect("router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        Reply { status, headers, body: String::from_utf8(bytes.to_vec()).expect("utf-8 body") }
    }

    async fn get(&self, uri: &str, cookie: &str) -> Reply {
        self.send(Request::get(uri).header(header::COOKIE, cookie).body(Body::empty()).unwrap()).await
    }

    async fn post(&self, uri: &str, cookie: &str, body: String, json: bool) -> Reply {
        let mut req = Request::post(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, cookie);
        if json {
            req = req.header(header::ACCEPT, "application/json");
        }
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    /// Logs in through the pages; returns the session cookie and the CSRF token.
    async fn log_in_as(&self, login: &str) -> (String, String) {
        let page = self.send(Request::get("/login").body(Body::empty()).unwrap()).await;
        let token = page.cookie_value("keel_csrf").expect("csrf cookie");
        let body = form(&[("csrf", &token), ("login", login), ("password", &self.password), ("next", "")]);
        let req = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("keel_csrf={token}"));
        let done = self.send(req.body(Body::from(body)).unwrap()).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        let cookie = format!("keel_session={}", done.cookie_value("keel_session").expect("session cookie"));
        let okrs = self.get("/okrs", &cookie).await;
        (cookie, okrs.field("csrf").expect("csrf field on a logged-in page"))
    }

    async fn admin(&self) -> (String, String) {
        self.log_in_as(&self.login.clone()).await
    }

    async fn task(&self, id: TaskId) -> Task {
        self.app.get_task(&Actor::system(), id).await.unwrap()
    }
}

fn input(project: ProjectId, title: &str, start: Option<i64>, due: Option<i64>, deps: &[&Task]) -> TaskInput {
    TaskInput {
        project_id: project,
        title: title.into(),
        description: String::new(),
        status: None,
        priority: None,
        assignee_id: None,
        start_date: start.map(day),
        due_date: due.map(day),
        estimate: None,
        progress: None,
        parent_id: None,
        labels: vec![],
        key_result_ids: vec![],
        depends_on: deps.iter().map(|t| t.id).collect(),
        blocked: false,
        blocked_reason: None,
    }
}

/// A small project, with its schedule worked out by hand (days from today):
///
/// ```text
///   A  0..2  (3 d)               ─┬─► B 3..7 (5 d, 40 %) ─┬─► D 8..9 (2 d)
///                                 └─► C 3..4 (2 d)       ─┘
///   E  1..3  (3 d), alone;  F 0..1, a sub-task of A;  H −5..−2, open (overdue)
///   G  no dates;  milestone M on day 9
/// ```
/// The project ends on day 9. Backward from it: D and B and A have no slack;
/// C may slip 3 days (D starts on day 8), E 6, F 8, H 11. Critical path:
/// A → B → D, 10 days; critical dependencies B←A and D←B.
struct Small {
    project: ProjectId,
    a: Task,
    b: Task,
    c: Task,
    d: Task,
    e: Task,
    f: Task,
    g: Task,
    h: Task,
}

async fn small(site: &Site) -> Small {
    let sys = Actor::system();
    let project = site
        .app
        .create_project(
            &sys,
            ProjectInput {
                key: "GNT".into(),
                name: "甘特测试".into(),
                description: String::new(),
                parent_id: None,
                owner_id: None,
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
        .unwrap()
        .id;
    let new = |i: TaskInput| {
        let app = site.app.clone();
        async move { app.create_task(&Actor::system(), i).await.unwrap() }
    };
    let a = new(input(project, "需求分析", Some(0), Some(2), &[])).await;
    let b = new(TaskInput { progress: Some(0.4), ..input(project, "开发", Some(3), Some(7), &[&a]) }).await;
    let c = new(input(project, "设计", Some(3), Some(4), &[&a])).await;
    let d = new(input(project, "上线", Some(8), Some(9), &[&b, &c])).await;
    let e = new(input(project, "文档", Some(1), Some(3), &[])).await;
    let f = new(TaskInput { parent_id: Some(a.id), ..input(project, "访谈用户", Some(0), Some(1), &[]) }).await;
    let g = new(input(project, "以后再说", None, None, &[])).await;
    let h = new(input(project, "遗留问题", Some(-5), Some(-2), &[])).await;
    let mut tx = site.db.store.write().await.unwrap();
    tx.insert_milestone(&ProjectMilestone {
        id: MilestoneId(0),
        project_id: project,
        title: "发布 <b>v1".into(),
        due_date: Some(day(9)),
        done: false,
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    Small { project, a, b, c, d, e, f, g, h }
}

/// An attribute's value in a piece of markup (the first one).
fn attr<'a>(s: &'a str, name: &str) -> &'a str {
    let marker = format!(r#" {name}=""#);
    let start = s.find(&marker).unwrap_or_else(|| panic!("no {name} in {}", &s[..s.len().min(300)])) + marker.len();
    s[start..].split('"').next().unwrap()
}

fn num(s: &str, name: &str) -> i64 {
    attr(s, name).parse().unwrap_or_else(|_| panic!("{name} is not a number: {}", attr(s, name)))
}

/// The chart's <svg> start tag.
fn svg(body: &str) -> &str {
    let at = body.find(r#"<svg class="gantt-chart""#).expect("a chart");
    &body[at..at + body[at..].find('>').unwrap()]
}

/// The markup of a task's bar group.
fn bar(body: &str, id: TaskId) -> &str {
    let marker = format!(r#"id="bar-{}""#, id.0);
    let at = body.find(&marker).unwrap_or_else(|| panic!("no bar for task {}", id.0));
    let start = body[..at].rfind("<g ").unwrap();
    let end = at + body[at..].find("</g>").unwrap();
    &body[start..end]
}

fn classes(piece: &str) -> BTreeSet<&str> {
    attr(piece, "class").split_whitespace().collect()
}

/// Every dependency arrow as (from, to, critical).
fn arrows(body: &str) -> Vec<(i64, i64, bool)> {
    body.split(r#"<path class="gantt-dep"#)
        .skip(1)
        .map(|rest| &rest[..rest.find("/>").unwrap()])
        // The legend's sample arrow joins nothing.
        .filter(|tag| tag.contains("data-from"))
        .map(|tag| (num(tag, "data-from"), num(tag, "data-to"), tag.starts_with(" critical")))
        .collect()
}

/// The markup of a row of labels.
fn row<'a>(body: &'a str, dom_id: &str) -> &'a str {
    let at = body.find(&format!(r#"id="{dom_id}""#)).unwrap_or_else(|| panic!("no row {dom_id}"));
    let start = body[..at].rfind("<li ").unwrap();
    &body[start..at + body[at..].find("</li>").unwrap()]
}

/// The classes of every bar in the chart.
fn bar_classes(body: &str) -> Vec<BTreeSet<&str>> {
    body.match_indices(r#" id="bar-"#).map(|(at, _)| classes(&body[body[..at].rfind("<g ").unwrap()..at])).collect()
}

/// Text as the templates escape it.
fn escaped(s: &str) -> String {
    s.replace('&', "&#38;").replace('<', "&#60;").replace('>', "&#62;").replace('"', "&#34;").replace('\'', "&#39;")
}

/// Monday on or before `d`.
fn monday(d: NaiveDate) -> NaiveDate {
    d - Duration::days(d.weekday().num_days_from_monday() as i64)
}

#[tokio::test]
async fn bars_arrows_and_the_critical_path_of_a_small_project() {
    let site = site().await;
    let p = small(&site).await;
    let (cookie, _) = site.admin().await;
    // Days from today: (task, first day, last day).
    let dated = [(&p.a, 0, 2), (&p.b, 3, 7), (&p.c, 3, 4), (&p.d, 8, 9), (&p.e, 1, 3), (&p.f, 0, 1), (&p.h, -5, -2)];
    // The earliest date shown is H's start; today is within a month of it.
    let first = day(-5);
    let last = day(9);
    for (zoom, px, axis_start) in [
        ("day", 32, first - Duration::days(2)),
        ("week", 12, monday(first - Duration::days(1))),
        ("month", 4, first.with_day(1).unwrap()),
    ] {
        let page = site.get(&format!("/projects/{}/gantt?zoom={zoom}", p.project.0), &cookie).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let chart = svg(&page.body);
        assert_eq!(num(chart, "data-px"), px);
        assert_eq!(attr(chart, "data-axis-start"), ymd(axis_start), "{zoom}");
        assert!(attr(chart, "data-axis-end") >= ymd(last).as_str());
        for (task, from, to) in dated {
            let g = bar(&page.body, task.id);
            let rect = &g[g.find(r#"class="gantt-bar""#).unwrap()..];
            let x = (day(from) - axis_start).num_days() * px;
            let width = (to - from + 1) * px;
            assert_eq!((num(rect, "x"), num(rect, "width")), (x, width), "{} at {zoom}", task.key);
        }
        // B is 40 % done: its fill covers 40 % of its width.
        let b = bar(&page.body, p.b.id);
        let fill = &b[b.find(r#"class="gantt-fill""#).unwrap()..];
        assert_eq!(num(fill, "width"), (5.0 * px as f64 * 0.4).round() as i64);
        // Today, in the viewer's zone, in the middle of its day.
        let marker = &page.body[page.body.find(r#"id="gantt-today""#).expect("today is marked")..];
        assert_eq!(attr(marker, "data-date"), ymd(today()));
        assert_eq!(num(marker, "x1"), (today() - axis_start).num_days() * px + px / 2);
        // The milestone's diamond sits in the middle of day 9.
        let m = &page.body[page.body.find(r#"class="gantt-milestone""#).expect("a milestone")..];
        let path = attr(m, "d");
        let cx = (day(9) - axis_start).num_days() * px + px / 2;
        assert!(path.starts_with(&format!("M{cx},")), "{path} at {zoom}");
    }

    let page = site.get(&format!("/projects/{}/gantt?zoom=day", p.project.0), &cookie).await;
    // One arrow per dependency, from the predecessor to the successor.
    let mut seen = arrows(&page.body);
    seen.sort();
    let mut expected = vec![
        (p.a.id.0, p.b.id.0, true),
        (p.a.id.0, p.c.id.0, false),
        (p.b.id.0, p.d.id.0, true),
        (p.c.id.0, p.d.id.0, false),
    ];
    expected.sort();
    assert_eq!(seen, expected);
    // The arrow from B leaves just before B's end (6 px) and reaches D's start.
    let tag = &page.body[page.body.find(&format!(r#"data-from="{}" data-to="{}""#, p.b.id.0, p.d.id.0)).unwrap()..];
    let axis_start = day(-7);
    let (b_end, d_start) = ((day(8) - axis_start).num_days() * 32, (day(8) - axis_start).num_days() * 32);
    let d = attr(tag, "d");
    assert!(d.starts_with(&format!("M{},", b_end - 6)) && d.ends_with(&format!("H{d_start}")), "{d}");

    // Critical: exactly A, B and D.
    let critical: BTreeSet<i64> = dated
        .iter()
        .filter(|(t, _, _)| classes(bar(&page.body, t.id)).contains("critical"))
        .map(|(t, _, _)| t.id.0)
        .collect();
    assert_eq!(critical, BTreeSet::from([p.a.id.0, p.b.id.0, p.d.id.0]));
    assert!(page.body.contains(&format!("{} → {} → {}", p.a.key, p.b.key, p.d.key)), "the path is named");
    assert!(page.body.contains("共 10 天"), "and its length");
    assert!(page.body.contains(r#"class="legend-critical""#), "the legend explains the highlight");
    // Overdue: only H (open, due before today).
    let overdue: Vec<i64> = dated
        .iter()
        .filter(|(t, _, _)| classes(bar(&page.body, t.id)).contains("overdue"))
        .map(|(t, _, _)| t.id.0)
        .collect();
    assert_eq!(overdue, vec![p.h.id.0]);
    // F is indented under A; G has no dates and is listed apart.
    assert!(classes(row(&page.body, &format!("row-{}", p.f.id.0))).contains("gantt-depth-1"));
    assert!(classes(row(&page.body, &format!("row-{}", p.a.id.0))).contains("gantt-depth-0"));
    assert!(
        page.body.find(&format!(r#"id="row-{}""#, p.a.id.0)) < page.body.find(&format!(r#"id="row-{}""#, p.f.id.0))
    );
    assert!(!page.body.contains(&format!(r#"id="bar-{}""#, p.g.id.0)));
    let undated = &page.body[page.body.find(r#"id="gantt-undated""#).expect("undated tasks are listed")..];
    assert!(undated.contains(&p.g.title));
    // The milestone's title is escaped.
    assert!(page.body.contains(&escaped("发布 <b>v1")) && !page.body.contains("发布 <b>v1"));
    // Linked from the project page and the board.
    let href = format!(r#"href="/projects/{}/gantt""#, p.project.0);
    assert!(site.get(&format!("/projects/{}", p.project.0), &cookie).await.body.contains(&href));
    assert!(site.get(&format!("/projects/{}/board", p.project.0), &cookie).await.body.contains(&href));
}

#[tokio::test]
async fn a_date_change_through_the_form_moves_the_task() {
    let site = site().await;
    let p = small(&site).await;
    let (cookie, csrf) = site.admin().await;
    let page = site.get(&format!("/projects/{}/gantt?zoom=week", p.project.0), &cookie).await;
    assert!(page.body.contains(&format!(r#"action="/tasks/{}/dates""#, p.e.id.0)), "a form per task");
    // E moves two days later.
    let body = form(&[
        ("csrf", &csrf),
        ("version", &p.e.version.to_string()),
        ("start_date", &ymd(day(3))),
        ("due_date", &ymd(day(5))),
        ("view", &p.project.0.to_string()),
        ("zoom", "week"),
        ("page", "1"),
    ]);
    let moved = site.post(&format!("/tasks/{}/dates", p.e.id.0), &cookie, body, false).await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    assert_eq!(moved.location(), format!("/projects/{}/gantt?zoom=week#row-{}", p.project.0, p.e.id.0));
    let e = site.task(p.e.id).await;
    assert_eq!((e.start_date, e.due_date, e.version), (Some(day(3)), Some(day(5)), p.e.version + 1));
    let page = site.get(&format!("/projects/{}/gantt?zoom=week", p.project.0), &cookie).await;
    let axis_start = monday(day(-6));
    let g = bar(&page.body, p.e.id);
    assert_eq!(num(g, "x"), (day(3) - axis_start).num_days() * 12);
    assert_eq!(attr(g, "data-start"), ymd(day(3)));

    // The script's way: JSON back, with the new version.
    let body =
        form(&[("csrf", &csrf), ("version", &e.version.to_string()), ("start_date", ""), ("due_date", &ymd(day(6)))]);
    let moved = site.post(&format!("/tasks/{}/dates", p.e.id.0), &cookie, body, true).await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    let json = moved.json();
    assert_eq!(json["version"], e.version + 1);
    assert_eq!(json["start_date"], serde_json::Value::Null);
    assert_eq!(json["due_date"], ymd(day(6)));
    assert!(json["message"].as_str().unwrap().contains(&p.e.key));

    // The same version again is stale: 409, nothing changes.
    let body =
        form(&[("csrf", &csrf), ("version", &e.version.to_string()), ("start_date", ""), ("due_date", &ymd(day(7)))]);
    let stale = site.post(&format!("/tasks/{}/dates", p.e.id.0), &cookie, body, true).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(stale.json()["error"]["code"], "conflict");
    assert_eq!(site.task(p.e.id).await.due_date, Some(day(6)));

    // A garbled date and a due date before the start are refused in words.
    let body = form(&[("csrf", &csrf), ("version", "9"), ("start_date", "next week"), ("due_date", "")]);
    let bad = site.post(&format!("/tasks/{}/dates", p.e.id.0), &cookie, body, true).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.json()["error"]["message"].as_str().unwrap().contains("年-月-日"));
    let v = site.task(p.e.id).await.version.to_string();
    let body = form(&[("csrf", &csrf), ("version", &v), ("start_date", &ymd(day(5))), ("due_date", &ymd(day(4)))]);
    let bad = site.post(&format!("/tasks/{}/dates", p.e.id.0), &cookie, body, true).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Without the CSRF token nothing happens.
    let body = form(&[("csrf", "nope"), ("version", &v), ("start_date", ""), ("due_date", &ymd(day(1)))]);
    let forged = site.post(&format!("/tasks/{}/dates", p.e.id.0), &cookie, body, false).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(site.task(p.e.id).await.due_date, Some(day(6)));
}

#[tokio::test]
async fn a_move_before_a_predecessor_finishes_is_refused_naming_it() {
    let site = site().await;
    let p = small(&site).await;
    let (cookie, csrf) = site.admin().await;
    let dates = |task: &Task, start: NaiveDate, due: NaiveDate| {
        form(&[
            ("csrf", &csrf),
            ("version", &task.version.to_string()),
            ("start_date", &ymd(start)),
            ("due_date", &ymd(due)),
            ("view", &p.project.0.to_string()),
            ("zoom", "day"),
        ])
    };
    // D depends on B (due day 7): starting D on day 7 (B's last day) is too soon.
    let refused = site.post(&format!("/tasks/{}/dates", p.d.id.0), &cookie, dates(&p.d, day(7), day(9)), false).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let alert = &refused.body[refused.body.find(r#"id="gantt-error""#).expect("the reason is shown")..];
    let alert = &alert[..alert.find("</p>").unwrap()];
    assert!(alert.contains(&p.b.key) && alert.contains("前置任务"), "{alert}");
    assert!(alert.contains(&ymd(day(8))), "and says when it can start: {alert}");
    assert!(refused.body.contains(&format!(r#"id="start-{}" name="start_date" value="{}""#, p.d.id.0, ymd(day(7)))));
    // The script gets the same reason as JSON.
    let refused = site.post(&format!("/tasks/{}/dates", p.d.id.0), &cookie, dates(&p.d, day(6), day(9)), true).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let json = refused.json();
    assert_eq!(json["error"]["code"], "invalid");
    assert!(json["error"]["message"].as_str().unwrap().contains(&p.b.key), "{json}");
    assert_eq!(site.task(p.d.id).await.start_date, Some(day(8)), "nothing moved");
    // The day after is fine.
    let ok = site.post(&format!("/tasks/{}/dates", p.d.id.0), &cookie, dates(&p.d, day(8), day(10)), true).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);

    // Finishing A on day 3 runs into B and C, which start that day: B is named (earliest, then first made).
    let refused = site.post(&format!("/tasks/{}/dates", p.a.id.0), &cookie, dates(&p.a, day(0), day(3)), true).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = refused.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(message.contains(&p.b.key) && !message.contains(&p.c.key), "{message}");

    // In English too, through the language switch.
    let switched =
        site.post("/lang", &cookie, form(&[("csrf", &csrf), ("lang", "en"), ("next", "/okrs")]), false).await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER);
    let d = site.task(p.d.id).await;
    let refused = site.post(&format!("/tasks/{}/dates", p.d.id.0), &cookie, dates(&d, day(2), day(9)), true).await;
    let message = refused.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(message.contains(&format!("cannot start before its predecessor {}", p.b.key)), "{message}");
}

#[tokio::test]
async fn the_app_keeps_finish_to_start_when_dates_change() {
    let site = site().await;
    let p = small(&site).await;
    let sys = Actor::system();
    let patch = |task: &Task, start: Option<NaiveDate>, due: Option<NaiveDate>| TaskPatch {
        start_date: Some(start),
        due_date: Some(due),
        version: task.version,
        ..Default::default()
    };
    // C starting on A's due day, or before: refused, naming A.
    for start in [day(2), day(1)] {
        match site.app.update_task(&sys, p.c.id, patch(&p.c, Some(start), Some(day(4)))).await {
            Err(AppError::Invalid { field, message }) => {
                assert_eq!(field, "start_date");
                assert!(message.contains(&p.a.key), "{message}");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
    // Without a start date C is a one-day task on its due date: day 2 is too soon, day 3 is fine.
    assert!(site.app.update_task(&sys, p.c.id, patch(&p.c, None, Some(day(2)))).await.is_err());
    let c = site.app.update_task(&sys, p.c.id, patch(&p.c, None, Some(day(3)))).await.unwrap();
    // A cannot run past its successors' start.
    match site.app.update_task(&sys, p.a.id, patch(&p.a, Some(day(0)), Some(day(5)))).await {
        Err(AppError::Invalid { field, message }) => {
            assert_eq!(field, "due_date");
            assert!(message.contains(&p.b.key), "{message}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // Other changes leave dates alone and are not checked; a cancelled predecessor does not hold anyone back.
    let renamed = TaskPatch { title: Some("设计（改）".into()), version: c.version, ..Default::default() };
    let c = site.app.update_task(&sys, p.c.id, renamed).await.unwrap();
    let a = site.task(p.a.id).await;
    site.app
        .update_task(&sys, p.a.id, TaskPatch { cancelled: Some(true), version: a.version, ..Default::default() })
        .await
        .unwrap();
    site.app.update_task(&sys, p.c.id, patch(&c, Some(day(0)), Some(day(1)))).await.unwrap();
    // Cycles stay refused with the cycle named.
    let a = site.task(p.a.id).await;
    match site
        .app
        .update_task(
            &sys,
            p.a.id,
            TaskPatch { depends_on: Some(vec![p.d.id]), version: a.version, ..Default::default() },
        )
        .await
    {
        Err(AppError::Invalid { field, message }) => {
            assert_eq!(field, "depends_on");
            assert!(message.contains(&format!("{} → {}", p.a.key, p.d.key)), "{message}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_cycle_in_stored_dependencies_is_named_and_moves_in_it_are_refused() {
    let site = site().await;
    let p = small(&site).await;
    // An older import left A depending on D (D → B → A → D); write it past the app's checks.
    let mut a = site.task(p.a.id).await;
    a.depends_on = vec![p.d.id];
    let mut tx = site.db.store.write().await.unwrap();
    tx.update_task(&a).await.unwrap();
    tx.commit().await.unwrap();
    let (cookie, csrf) = site.admin().await;
    let page = site.get(&format!("/projects/{}/gantt", p.project.0), &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    let note = &page.body[page.body.find(r#"id="gantt-cycle""#).expect("the cycle is named")..];
    assert!(note.contains(&p.a.key) && note.contains(&p.d.key), "{}", &note[..300]);
    assert!(bar_classes(&page.body).iter().all(|c| !c.contains("critical")), "no critical path over a cycle");
    assert_eq!(bar_classes(&page.body).len(), 7);
    assert_eq!(arrows(&page.body).len(), 5, "every dependency is still drawn");
    let a = site.task(p.a.id).await;
    let body = form(&[
        ("csrf", &csrf),
        ("version", &a.version.to_string()),
        ("start_date", &ymd(day(0))),
        ("due_date", &ymd(day(1))),
    ]);
    let refused = site.post(&format!("/tasks/{}/dates", p.a.id.0), &cookie, body, true).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = refused.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(message.contains("循环") && message.contains(&p.a.key) && message.contains(&p.d.key), "{message}");
}

#[tokio::test]
async fn hostile_titles_are_shown_as_text_and_viewers_cannot_move_bars() {
    let site = site().await;
    let p = small(&site).await;
    let sys = Actor::system();
    let long: String = "𝌆".repeat(255);
    for title in
        ["<img src=x onerror=alert(1)>", "<script>alert(1)</script>", "\"><svg onload=alert(1)>", "<b>unclosed", &long]
    {
        site.app.create_task(&sys, input(p.project, title, Some(1), Some(2), &[])).await.unwrap();
    }
    let (cookie, _) = site.admin().await;
    let page = site.get(&format!("/projects/{}/gantt", p.project.0), &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    for raw in ["<img src=x", "<script>alert", "<svg onload", "<b>unclosed"] {
        assert!(!page.body.contains(raw), "{raw} reached the page unescaped");
    }
    // Shown as text: in the labels, the bars' tooltips and the date forms.
    for title in ["<img src=x onerror=alert(1)>", "<script>alert(1)</script>", "\"><svg onload=alert(1)>"] {
        assert!(page.body.matches(&escaped(title)).count() >= 3, "{title} is not shown as text");
    }
    assert!(page.body.contains(&long), "a title of 255 four-byte characters is shown whole");

    // The demo's viewer sees the chart but nothing to drag and no forms.
    let (viewer, viewer_csrf) = site.log_in_as("zhoujie").await;
    let page = site.get(&format!("/projects/{}/gantt", p.project.0), &viewer).await;
    assert_eq!(page.status, StatusCode::OK);
    let bars = bar_classes(&page.body);
    assert_eq!(bars.len(), 12);
    assert!(bars.iter().all(|c| !c.contains("movable")));
    assert!(!page.body.contains("gantt-dates-form"));
    let body = form(&[
        ("csrf", &viewer_csrf),
        ("version", &p.e.version.to_string()),
        ("start_date", ""),
        ("due_date", &ymd(day(9))),
    ]);
    let refused = site.post(&format!("/tasks/{}/dates", p.e.id.0), &viewer, body, true).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.json()["error"]["code"], "forbidden");
    // An unknown project is not found.
    assert_eq!(site.get("/projects/999999/gantt", &cookie).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_demo_project_tree_shows_its_sub_projects_and_the_axis_follows_the_zoom() {
    let site = site().await;
    let (cookie, _) = site.admin().await;
    let projects = site.app.list_projects(&Actor::system(), keel_app::store::Page::ALL).await.unwrap();
    let ret = projects.iter().find(|x| x.key == "RET").unwrap();
    // Without ?zoom the span picks it: the demo's tasks run from 54 days ago to 25 days ahead.
    let page = site.get(&format!("/projects/{}/gantt", ret.id.0), &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(attr(svg(&page.body), "data-zoom"), "week");
    for key in ["PUSH", "COMM", "ONB"] {
        let sub = projects.iter().find(|x| x.key == key).unwrap();
        assert!(page.body.contains(&format!(r#"id="row-project-{}""#, sub.id.0)), "{key} has a heading row");
    }
    // Every open demo task of the tree has a bar (all are dated).
    let filter = keel_app::store::TaskFilter {
        project_ids: Some(projects.iter().filter(|x| x.parent_id == Some(ret.id)).map(|x| x.id).collect()),
        ..Default::default()
    };
    let (tasks, _) = site.app.list_tasks(&Actor::system(), filter, keel_app::store::Page::ALL).await.unwrap();
    assert_eq!(bar_classes(&page.body).len(), tasks.len());
    // Columns and labels per zoom: days are numbered, weeks start on Mondays, months are named.
    let day_page = site.get(&format!("/projects/{}/gantt?zoom=day", ret.id.0), &cookie).await;
    let month_page = site.get(&format!("/projects/{}/gantt?zoom=month", ret.id.0), &cookie).await;
    let width = |body: &str| num(svg(body), "width");
    assert!(width(&day_page.body) > width(&page.body) && width(&page.body) > width(&month_page.body));
    assert!(month_page.body.contains(&format!(">{}月<", today().month())));
    let week_start = NaiveDate::parse_from_str(attr(svg(&page.body), "data-axis-start"), "%Y-%m-%d").unwrap();
    assert_eq!(week_start.weekday(), chrono::Weekday::Mon);
    assert!(page.body.contains(r#"class="on" aria-current="page">按周<"#));
}

#[tokio::test]
async fn a_long_chart_is_paged_on_the_server() {
    let site = site().await;
    let p = small(&site).await;
    // 7 dated tasks (the undated one is listed apart) and a milestone already; 200 more make 208 rows.
    let mut last = None;
    for i in 0..200 {
        let deps: Vec<&Task> = last.iter().collect();
        let t = site
            .app
            .create_task(&Actor::system(), input(p.project, &format!("第{i}项"), Some(i), Some(i), &deps))
            .await;
        last = Some(t.unwrap());
    }
    let last = last.unwrap();
    let (cookie, _) = site.admin().await;
    let first = site.get(&format!("/projects/{}/gantt?zoom=month", p.project.0), &cookie).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(bar_classes(&first.body).len(), 199, "200 rows: the milestone and 199 tasks");
    assert!(first.body.contains("第 1 页，共 2 页"));
    assert!(
        first.body.contains(&format!(r#"href="/projects/{}/gantt?zoom=month&#38;page=2" rel="next""#, p.project.0))
    );
    let second = site.get(&format!("/projects/{}/gantt?zoom=month&page=2", p.project.0), &cookie).await;
    assert_eq!(bar_classes(&second.body).len(), 8, "208 rows less the first page's 200");
    assert!(second.body.contains(&format!(r#"id="bar-{}""#, last.id.0)));
    // The chain of 200 one-day tasks runs 200 days: the critical path is computed over every page.
    assert!(second.body.contains("共 200 天"), "the critical path covers both pages");
    // Arrows join only bars on the same page: 199 links in the chain plus the small project's 4, less the one across.
    assert_eq!(arrows(&first.body).len() + arrows(&second.body).len(), 199 + 4 - 1);
}
