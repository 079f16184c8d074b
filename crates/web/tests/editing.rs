//! The key result's history chart, the OKR coach's warnings, and the forms
//! that create and change work (tasks, projects, sub-projects, worklogs),
//! driven in-process through the real router over a fresh SQLite file
//! holding the demo organisation. Expected numbers and pixels are worked out
//! here from the inputs, never copied from a rendered page; what the forms
//! did is checked through the application.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use chrono::{DateTime, Duration, NaiveDate, SubsecRound, Utc};
use http_body_util::BodyExt;
use keel_app::clock;
use keel_app::okr::{CheckInInput, CycleInput, KeyResultInput, KrItemInput, ObjectiveInput};
use keel_app::store::Page;
use keel_app::work::{TaskInput, TaskPatch};
use keel_app::{Actor, App};
use keel_domain::okr::{CycleState, KrKind, ObjectiveLevel};
use keel_domain::work::{Priority, Project, Task};
use keel_domain::{KeyResultId, TaskId, UserId};
use keel_testkit::{Backend, TestDb};
use tower::ServiceExt;

/// The demo people live here; their pages show dates in this zone.
const ZONE: &str = "Asia/Shanghai";

struct Site {
    app: App,
    router: Router,
    password: String,
    _db: TestDb,
}

async fn site() -> Site {
    let db = keel_testkit::fresh(Backend::Sqlite).await;
    let app = App::new(db.store.clone(), Default::default());
    let today = clock::today_in(ZONE, Utc::now());
    let demo = app.load_demo(today).await.expect("demo loads");
    let router = keel_web::router(app.clone(), Default::default());
    Site { app, router, password: demo.password, _db: db }
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
        let line = self
            .headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))?;
        Some(line[name.len() + 1..].split(';').next().unwrap_or("").to_string())
    }
    /// The value of the first field with this name.
    fn field(&self, name: &str) -> Option<String> {
        let marker = format!(r#"name="{name}" value=""#);
        let start = self.body.find(&marker)? + marker.len();
        Some(self.body[start..].split('"').next()?.to_string())
    }
    /// The value of an attribute of the first element carrying `marker`.
    fn attr_after(&self, marker: &str, attr: &str) -> Option<String> {
        let at = self.body.find(marker)?;
        let tag_end = self.body[at..].find('>')? + at;
        let tag = &self.body[at..tag_end];
        let key = format!(r#" {attr}=""#);
        let start = tag.find(&key)? + key.len();
        Some(tag[start..].split('"').next()?.to_string())
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

/// A form body; a name given twice is sent twice, as a multiple select does.
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

    async fn post(&self, uri: &str, cookie: &str, body: String) -> Reply {
        let req = Request::post(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, cookie);
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    /// Logs in through the pages; returns the session cookie and the CSRF
    /// token its forms carry. The demo gives everyone the same password.
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
        assert_eq!(okrs.status, StatusCode::OK);
        (cookie, okrs.field("csrf").expect("csrf field on a logged-in page"))
    }

    async fn user(&self, login: &str) -> UserId {
        let users = self.app.list_users(&Actor::system(), Page::ALL).await.unwrap();
        users.iter().find(|u| u.login.as_deref() == Some(login)).unwrap_or_else(|| panic!("no user {login}")).id
    }

    async fn project(&self, key: &str) -> Project {
        let projects = self.app.list_projects(&Actor::system(), Page::ALL).await.unwrap();
        projects.into_iter().find(|p| p.key == key).unwrap_or_else(|| panic!("no project {key}"))
    }

    async fn task(&self, id: TaskId) -> Task {
        self.app.get_task(&Actor::system(), id).await.unwrap()
    }

    async fn new_task(&self, project: &str, title: &str) -> Task {
        let input = TaskInput {
            project_id: self.project(project).await.id,
            title: title.into(),
            description: String::new(),
            status: None,
            priority: None,
            assignee_id: None,
            start_date: None,
            due_date: None,
            estimate: None,
            progress: None,
            parent_id: None,
            labels: vec![],
            key_result_ids: vec![],
            depends_on: vec![],
            blocked: false,
            blocked_reason: None,
        };
        self.app.create_task(&Actor::system(), input).await.expect("create task")
    }

    /// Switches a logged-in person's language through the page's switch.
    async fn switch_lang(&self, cookie: &str, csrf: &str, lang: &str) {
        let r = self.post("/lang", cookie, form(&[("csrf", csrf), ("lang", lang), ("next", "/okrs")])).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
}

/// The points of an SVG path "M64.0,216.0 L624.0,20.0".
fn points(d: &str) -> Vec<(f64, f64)> {
    d.split_whitespace()
        .map(|step| {
            let (x, y) = step[1..].split_once(',').expect("x,y");
            (x.parse().unwrap(), y.parse().unwrap())
        })
        .collect()
}

fn assert_near(shown: &[(f64, f64)], want: &[(f64, f64)], what: &str) {
    assert_eq!(shown.len(), want.len(), "{what}: {shown:?} vs {want:?}");
    for (s, w) in shown.iter().zip(want) {
        // Coordinates are printed to one decimal.
        assert!((s.0 - w.0).abs() <= 0.051 && (s.1 - w.1).abs() <= 0.051, "{what}: {shown:?}, expected {want:?}");
    }
}

/// Least squares through (time, value), read at `end` (PRODUCT.md §2's forecast).
fn least_squares_at(points: &[(DateTime<Utc>, f64)], end: DateTime<Utc>) -> f64 {
    let origin = points[0].0;
    let days = |at: DateTime<Utc>| (at - origin).num_milliseconds() as f64 / 86_400_000.0;
    let n = points.len() as f64;
    let mx = points.iter().map(|p| days(p.0)).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (days(p.0) - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (days(p.0) - mx) * (p.1 - my)).sum();
    my + sxy / sxx * (days(end) - mx)
}

#[tokio::test]
async fn the_key_result_chart_draws_check_ins_the_expected_line_and_the_forecast() {
    let site = site().await;
    let sys = Actor::system();
    let admin = site.user("zhangwei").await;
    let today = clock::today_in(ZONE, Utc::now());
    let (start, end) = (today - Duration::days(60), today + Duration::days(30));
    let cycle = site
        .app
        .create_cycle(
            &sys,
            CycleInput {
                name: "图表周期".into(),
                start_date: start,
                end_date: end,
                state: Some(CycleState::Active),
                parent_id: None,
            },
        )
        .await
        .unwrap();
    let objective = site
        .app
        .create_objective(
            &sys,
            ObjectiveInput {
                cycle_id: cycle.id,
                title: "让图表说清楚进展".into(),
                description: String::new(),
                level: ObjectiveLevel::Company,
                unit_id: None,
                owner_id: Some(admin),
                parent_objective_id: None,
                parent_key_result_id: None,
                private: false,
            },
        )
        .await
        .unwrap();
    let kr = site
        .app
        .create_key_result(
            &sys,
            KeyResultInput {
                objective_id: objective.id,
                title: "访谈用户数从 0 提升到 100".into(),
                kind: KrKind::Metric,
                owner_id: Some(admin),
                weight: None,
                start_value: Some(0.0),
                target_value: Some(100.0),
                unit_label: Some("人".into()),
                direction: None,
                due_date: Some(end),
                items: vec![],
            },
        )
        .await
        .unwrap();
    let now = Utc::now().trunc_subsecs(0);
    for (days_ago, value) in [(50, 10.0), (30, 30.0), (10, 45.0)] {
        let input = CheckInInput {
            value: Some(value),
            confidence: Some(7),
            note: String::new(),
            at: Some(now - Duration::days(days_ago)),
        };
        site.app.check_in(&sys, kr.id, input).await.unwrap();
    }
    let mut history = site.app.list_check_ins(&sys, kr.id).await.unwrap();
    history.sort_by_key(|c| c.at);
    let actual: Vec<(DateTime<Utc>, f64)> = history.iter().map(|c| (c.at, c.value.unwrap())).collect();

    let (cookie, _) = site.log_in_as("zhangwei").await;
    let page = site.get(&format!("/key-results/{}", kr.id.0), &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    let attr = |marker: &str, name: &str| -> String {
        page.attr_after(marker, name).unwrap_or_else(|| panic!("no {name} on {marker} in {}", page.body))
    };
    // The plot area, as the page draws it.
    let num = |marker: &str, name: &str| -> f64 { attr(marker, name).parse().unwrap() };
    let (left, top, width, height) = (
        num(r#"<rect class="plot""#, "x"),
        num(r#"<rect class="plot""#, "y"),
        num(r#"<rect class="plot""#, "width"),
        num(r#"<rect class="plot""#, "height"),
    );
    // Time runs from the first instant of the cycle's first day to the end of
    // its last, in the viewer's zone; values over 0..100 (every value drawn is
    // inside: start 0, target 100, check-ins 10–45, a forecast under 100).
    let from = clock::end_of_day(start - Duration::days(1), ZONE);
    let to = clock::end_of_day(end, ZONE);
    let x = |at: DateTime<Utc>| {
        left + (at - from).num_milliseconds() as f64 / (to - from).num_milliseconds() as f64 * width
    };
    let y = |v: f64| top + (100.0 - v) / 100.0 * height;
    let forecast = least_squares_at(&actual, to);
    assert!(forecast > 45.0 && forecast < 100.0, "{forecast}");
    // The forecast the viewer gets: read at the end of the cycle's last day where they are.
    let viewer = Actor::user(site.app.get_user(&sys, admin).await.unwrap());
    let view = site.app.key_result_view(&viewer, kr.id).await.unwrap().1;
    let app_forecast = view.forecast.and_then(|f| f.value_at_end).unwrap();
    assert!((app_forecast - forecast).abs() < 1e-6, "the page draws the app's forecast: {app_forecast} vs {forecast}");

    let want_actual: Vec<(f64, f64)> = actual.iter().map(|(at, v)| (x(*at), y(*v))).collect();
    assert_near(&points(&attr(r#"<path class="actual""#, "d")), &want_actual, "actual");
    assert_near(&points(&attr(r#"<path class="expected""#, "d")), &[(x(from), y(0.0)), (x(to), y(100.0))], "expected");
    let last = actual.last().unwrap();
    assert_near(
        &points(&attr(r#"<path class="forecast""#, "d")),
        &[(x(last.0), y(last.1)), (x(to), y(forecast))],
        "forecast",
    );
    // The expected line spans the plot's full width, corner to corner.
    assert_near(&[(x(from), y(0.0)), (x(to), y(100.0))], &[(left, top + height), (left + width, top)], "corners");
    assert_eq!(page.body.matches(r#"<circle class="dot""#).count(), 3, "a dot per check-in");

    // Labelled for people who cannot see it, with the table as the data behind it.
    assert!(page.body.contains(r#"role="img" aria-labelledby="chart-title chart-desc""#));
    assert!(page.body.contains(r#"<title id="chart-title">访谈用户数从 0 提升到 100 的历史趋势</title>"#));
    let first_day = clock::today_in(ZONE, actual[0].0);
    let last_day = clock::today_in(ZONE, last.0);
    let desc = format!("共 3 次进展记录：首次 10人（{first_day}），最近 45人（{last_day}）。");
    assert!(page.body.contains(&desc), "{desc} not in the description");
    assert!(page.body.contains(&format!("期望从周期开始时的 0人（{start}）到周期结束时的 100人（{end}）。")));
    assert!(page.body.contains("具体数据") || page.body.contains("进展记录”表格"));
    // Axes: values with the unit, dates in the viewer's zone.
    for label in ["0人", "25人", "50人", "75人", "100人", "数值（人）", "日期（Asia/Shanghai 时区）"] {
        assert!(page.body.contains(&format!(">{label}</text>")), "no axis label {label}");
    }
    assert!(page.body.contains(&format!(">{start}</text>")) && page.body.contains(&format!(">{end}</text>")));
    // Today is marked where it falls.
    let today_x: f64 = attr(r#"<line class="today""#, "x1").parse().unwrap();
    assert!((today_x - x(Utc::now())).abs() < 0.2, "today at {today_x}");
    // The check-ins table stays as the data fallback.
    assert!(page.body.contains(r#"<table class="check-ins cards">"#));

    // A computed kind is drawn in percent, from 0 to 100 % over the cycle.
    let mut work_kr = None;
    for c in site.app.list_cycles(&sys).await.unwrap() {
        let tree = site.app.okr_tree(&sys, c.id).await.unwrap();
        let found = tree.objectives.iter().flat_map(|o| &o.key_results).find(|k| k.key_result.kind == KrKind::Work);
        work_kr = work_kr.or(found.map(|k| k.key_result.id));
    }
    let page = site.get(&format!("/key-results/{}", work_kr.expect("the demo's work KR").0), &cookie).await;
    assert!(page.body.contains(">进度（%）</text>") && page.body.contains(">100%</text>"));
    assert!(page.body.contains(r#"<path class="expected""#));

    // Beside it, the work behind the number and the linked projects with their health and progress.
    let work_kr = work_kr.unwrap();
    let (_, view) = site.app.key_result_view(&viewer, work_kr).await.unwrap();
    let w = view.work.expect("a work KR has its work summary");
    let share = (w.done_weight / w.total_weight * 100.0).round() as i64;
    let behind = page.body.find("数字背后的工作").expect("the work behind the number");
    assert!(page.body[behind..].contains(&format!(r#"<span class="pct">{share}%</span>"#)));
    // Weights as a person writes them: at most two decimals.
    let two = |v: f64| format!("{:.2}", v).trim_end_matches('0').trim_end_matches('.').to_string();
    let numbers =
        format!("已完成权重 {} / 总权重 {}，计入 {} 个任务", two(w.done_weight), two(w.total_weight), w.counted_tasks);
    assert!(page.body.contains(&numbers), "{numbers} not in {}", &page.body[behind..behind + 1500]);
    for project in &w.project_ids {
        let v = site.app.project_view(&viewer, *project).await.unwrap();
        let at = page.body.find(&format!(r#"<a href="/projects/{}">"#, project.0)).expect("the linked project");
        let item = &page.body[at..at + page.body[at..].find("</li>").unwrap()];
        let percent = (v.progress * 100.0).round() as i64;
        assert!(item.contains(&format!(r#"<span class="pct">{percent}%</span>"#)), "{item}");
        assert!(item.contains("健康度："), "{item}");
    }
}

/// The part of the OKR page that shows one key result (up to the next one).
fn kr_section(body: &str, id: KeyResultId) -> &str {
    let start = body.find(&format!(r#"id="kr-{}""#, id.0)).expect("key result on the page");
    let rest = &body[start..];
    let end = rest[1..].find(r#"<li class="kr""#).map(|e| e + 1).unwrap_or(rest.len());
    &rest[..end]
}

/// The part of the OKR page that shows one objective, up to its key results.
fn objective_head(body: &str, id: i64) -> &str {
    let start = body.find(&format!(r#"id="obj-{id}""#)).expect("objective on the page");
    let rest = &body[start..];
    &rest[..rest.find(r#"class="krs""#).unwrap_or(rest.len())]
}

#[tokio::test]
async fn the_coach_flags_an_activity_without_a_number_or_due_date_in_both_languages() {
    let site = site().await;
    let sys = Actor::system();
    let admin = site.user("zhangwei").await;
    let cycle = site.app.current_cycle(&sys).await.unwrap().expect("the demo quarter");
    let objective = site
        .app
        .create_objective(
            &sys,
            ObjectiveInput {
                cycle_id: cycle.id,
                title: "更懂我们的用户".into(),
                description: String::new(),
                level: ObjectiveLevel::Company,
                unit_id: None,
                owner_id: Some(admin),
                parent_objective_id: None,
                parent_key_result_id: None,
                private: false,
            },
        )
        .await
        .unwrap();
    let kr = site
        .app
        .create_key_result(
            &sys,
            KeyResultInput {
                objective_id: objective.id,
                title: "完成用户调研".into(),
                kind: KrKind::Milestone,
                owner_id: Some(admin),
                weight: None,
                start_value: None,
                target_value: None,
                unit_label: None,
                direction: None,
                due_date: None,
                items: vec![KrItemInput { title: "问卷定稿".into(), weight: None, done: false }],
            },
        )
        .await
        .unwrap();
    // The application's own verdict, which the pages put in words.
    let view = site.app.key_result_view(&sys, kr.id).await.unwrap();
    use keel_domain::coach::Warning;
    assert_eq!(view.1.warnings, vec![Warning::NoNumber, Warning::NoDueDate, Warning::Activity { word: "完成".into() }]);
    assert_eq!(view.0.warnings, vec![Warning::TooFewKeyResults { count: 1 }]);

    let (cookie, csrf) = site.log_in_as("zhangwei").await;
    let okrs = format!("/okrs?cycle={}", cycle.id.0);
    let page = site.get(&okrs, &cookie).await;
    let section = kr_section(&page.body, kr.id);
    assert!(section.contains(r#"<ul class="coach" aria-label="OKR 教练提示">"#), "{section}");
    for text in [
        "<strong>没有可衡量的数字</strong>：写明起点和目标值，如“NPS 从 30 提升到 45”。",
        "<strong>没有截止日期</strong>：设定截止日期，通常是周期的最后一天。",
        "<strong>写成了一项活动（“完成”），而不是结果</strong>：把“完成调研”写成可衡量的结果，如“调研覆盖 50 位客户”。",
    ] {
        assert!(section.contains(text), "{text} not in {section}");
    }
    let head = objective_head(&page.body, objective.id.0);
    assert!(head.contains("<strong>关键结果太少：1 个（至少 2 个）</strong>：每个目标设 2–5 个关键结果"), "{head}");
    // A work key result is measured by its tasks: no "nothing to measure".
    let tree = site.app.okr_tree(&sys, cycle.id).await.unwrap();
    let work = tree.objectives.iter().flat_map(|o| &o.key_results).find(|k| k.key_result.kind == KrKind::Work).unwrap();
    assert!(!work.warnings.contains(&Warning::NoNumber), "{:?}", work.warnings);
    // A good key result of the demo gets no warning.
    let good = site.app.okr_tree(&sys, cycle.id).await.unwrap();
    let good =
        good.objectives.iter().flat_map(|o| &o.key_results).find(|k| k.key_result.title == "留存率提升至45%").unwrap();
    assert!(good.warnings.is_empty());
    assert!(!kr_section(&page.body, good.key_result.id).contains("class=\"coach\""));

    // Beside the key result on its own page too.
    let kr_page = site.get(&format!("/key-results/{}", kr.id.0), &cookie).await;
    assert!(kr_page.body.contains("<strong>没有截止日期</strong>"));
    assert!(kr_page.body.contains("<strong>写成了一项活动（“完成”），而不是结果</strong>"));

    // In English.
    site.switch_lang(&cookie, &csrf, "en").await;
    let page = site.get(&okrs, &cookie).await;
    let section = kr_section(&page.body, kr.id);
    assert!(section.contains(r#"<ul class="coach" aria-label="OKR coach">"#), "{section}");
    for text in [
        "<strong>Nothing to measure</strong>: Give it a start and a target",
        "<strong>No due date</strong>: Set a due date, usually the last day of the cycle.",
        "<strong>Written as an activity (“完成”), not an outcome</strong>: Write the result the work should bring",
    ] {
        assert!(section.contains(text), "{text} not in {section}");
    }
    let head = objective_head(&page.body, objective.id.0);
    assert!(head.contains("<strong>Too few key results: 1 (at least 2)</strong>: Give each objective 2–5 key results"));
    let kr_page = site.get(&format!("/key-results/{}", kr.id.0), &cookie).await;
    assert!(kr_page.body.contains("<strong>No due date</strong>"));
}

#[tokio::test]
async fn tasks_projects_and_sub_projects_are_created_through_the_forms() {
    let site = site().await;
    let (cookie, csrf) = site.log_in_as("zhangwei").await;
    let push = site.project("PUSH").await;
    let lina = site.user("lina").await;
    let parent = site
        .app
        .list_tasks(&Actor::system(), Default::default(), Page::ALL)
        .await
        .unwrap()
        .0
        .into_iter()
        .find(|t| t.title == "推送效果看板")
        .unwrap();

    let uri = format!("/projects/{}", push.id.0);
    let page = site.get(&uri, &cookie).await;
    assert!(page.body.contains(&format!(r#"action="/projects/{}/tasks""#, push.id.0)));
    assert!(page.body.contains(&format!(r#"<option value="{}">{} 推送效果看板</option>"#, parent.id.0, parent.key)));
    let new_task = |estimate: &str| {
        form(&[
            ("csrf", &csrf),
            ("title", "推送文案审校"),
            ("description", "**重要**：上线前审校"),
            ("status", "In progress"),
            ("assignee", &lina.0.to_string()),
            ("priority", "high"),
            ("due", "2031-05-20"),
            ("estimate", estimate),
            ("parent", &parent.id.0.to_string()),
            ("labels", "文案, 审校，推送"),
        ])
    };
    // A decimal comma is refused with the field named; what was typed comes back.
    let r = site.post(&format!("{uri}/tasks"), &cookie, new_task("1,5")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("“估时（小时）”有误：小数请用小数点"), "{}", r.body);
    assert!(r.body.contains(r#"name="title" value="推送文案审校""#));
    assert!(r.body.contains(r#"name="labels" value="文案, 审校，推送""#));
    assert!(r.body.contains(r#"<details class="form card" id="new-task" open>"#));
    assert!(r.body.contains(r#"id="nt-estimate" name="estimate" value="1,5" inputmode="decimal" aria-invalid="true""#));

    // Full-width digits from a Chinese keyboard are fine.
    let r = site.post(&format!("{uri}/tasks"), &cookie, new_task("１２")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id: i64 = r.location().strip_prefix("/tasks/").unwrap().parse().unwrap();
    let t = site.task(TaskId(id)).await;
    assert_eq!((t.title.as_str(), t.description.as_str()), ("推送文案审校", "**重要**：上线前审校"));
    assert_eq!((t.project_id, t.status.as_str(), t.assignee_id), (push.id, "In progress", Some(lina)));
    assert_eq!((t.priority, t.estimate, t.parent_id), (Priority::High, Some(12.0), Some(parent.id)));
    assert_eq!(t.due_date, NaiveDate::from_ymd_opt(2031, 5, 20));
    assert_eq!(t.labels, ["文案", "审校", "推送"]);
    assert_eq!(t.reporter_id, Some(site.user("zhangwei").await));
    assert!(t.key.starts_with("PUSH-"));

    // A new project on /projects, supporting two key results, private.
    let page = site.get("/projects", &cookie).await;
    assert!(page.body.contains(r#"<form method="post" action="/projects" class="stack">"#));
    let sys = Actor::system();
    let cycle = site.app.current_cycle(&sys).await.unwrap().unwrap();
    let tree = site.app.okr_tree(&sys, cycle.id).await.unwrap();
    let krs: Vec<KeyResultId> =
        tree.objectives.iter().flat_map(|o| &o.key_results).map(|k| k.key_result.id).take(2).collect();
    let units = site.app.list_units(&sys).await.unwrap();
    let saas = units.iter().find(|u| u.name == "SaaS事业部").unwrap().id;
    let (kr1, kr2) = (krs[0].0.to_string(), krs[1].0.to_string());
    let new_project = |key: &str| {
        form(&[
            ("csrf", &csrf),
            ("key", key),
            ("name", "运维平台"),
            ("description", ""),
            ("parent", ""),
            ("owner", &lina.0.to_string()),
            ("unit", &saas.0.to_string()),
            ("start", "2031-01-01"),
            ("target", "2031-03-31"),
            ("private", "on"),
            ("krs", &kr1),
            ("krs", &kr2),
        ])
    };
    let r = site.post("/projects", &cookie, new_project("ops")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let ops = site.project("OPS").await;
    assert_eq!(r.location(), format!("/projects/{}", ops.id.0));
    assert_eq!((ops.name.as_str(), ops.owner_id, ops.unit_id, ops.private), ("运维平台", Some(lina), Some(saas), true));
    assert_eq!(
        (ops.start_date, ops.target_date),
        (NaiveDate::from_ymd_opt(2031, 1, 1), NaiveDate::from_ymd_opt(2031, 3, 31))
    );
    assert_eq!(ops.key_result_ids, krs);
    assert_eq!(ops.parent_id, None);
    // The same key again: refused, naming the key, the name typed kept.
    let r = site.post("/projects", &cookie, new_project("OPS")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("“编号”有误：编号 OPS 已被其他项目使用。"), "{}", r.body);
    assert!(r.body.contains(r#"name="name" value="运维平台""#));
    assert!(r.body.contains(&format!(r#"<option value="{kr2}" selected>"#)), "picked key results stay picked");
    let r = site.post("/projects", &cookie, new_project("1x")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("编号须为 2–10 个字母或数字，以字母开头"));

    // A sub-project from the parent's page.
    let ret = site.project("RET").await;
    let page = site.get(&format!("/projects/{}", ret.id.0), &cookie).await;
    assert!(page.body.contains(&format!(r#"action="/projects/{}/sub-projects""#, ret.id.0)));
    let body =
        form(&[("csrf", &csrf), ("key", "RETX"), ("name", "留存实验"), ("owner", &lina.0.to_string()), ("unit", "")]);
    let r = site.post(&format!("/projects/{}/sub-projects", ret.id.0), &cookie, body).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let sub = site.project("RETX").await;
    assert_eq!((sub.parent_id, sub.name.as_str(), sub.owner_id), (Some(ret.id), "留存实验", Some(lina)));
    let page = site.get(&format!("/projects/{}", ret.id.0), &cookie).await;
    assert!(
        page.body.contains(&format!(r#"<a href="/projects/{}"><span class="key">RETX</span> 留存实验</a>"#, sub.id.0))
    );

    // A viewer sees no forms, and posting one anyway is refused.
    let (viewer, viewer_csrf) = site.log_in_as("zhoujie").await;
    let page = site.get(&uri, &viewer).await;
    assert!(!page.body.contains("new-task") && !page.body.contains("sub-projects\""));
    assert!(!site.get("/projects", &viewer).await.body.contains(r#"id="new-project""#));
    let body = form(&[("csrf", &viewer_csrf), ("title", "不该出现")]);
    assert_eq!(site.post(&format!("{uri}/tasks"), &viewer, body).await.status, StatusCode::FORBIDDEN);
    // And a form without the session's token is refused before anything else.
    let r = site.post(&format!("{uri}/tasks"), &cookie, form(&[("title", "无令牌")])).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let (all, _) = site.app.list_tasks(&sys, Default::default(), Page::ALL).await.unwrap();
    assert!(!all.iter().any(|t| t.title == "不该出现" || t.title == "无令牌"));
}

#[tokio::test]
async fn a_task_is_edited_a_dependency_cycle_is_refused_by_name_and_stale_versions_are_409() {
    let site = site().await;
    let sys = Actor::system();
    let a = site.new_task("PUSH", "任务甲").await;
    let b = site.new_task("PUSH", "任务乙").await;
    // 甲 waits for 乙.
    let patch = TaskPatch { depends_on: Some(vec![b.id]), version: a.version, ..Default::default() };
    site.app.update_task(&sys, a.id, patch).await.unwrap();
    let liuyang = site.user("liuyang").await;
    let cycle = site.app.current_cycle(&sys).await.unwrap().unwrap();
    let tree = site.app.okr_tree(&sys, cycle.id).await.unwrap();
    let kr =
        tree.objectives.iter().flat_map(|o| &o.key_results).find(|k| k.key_result.title == "留存率提升至45%").unwrap();
    let kr_id = kr.key_result.id.0.to_string();

    let (cookie, csrf) = site.log_in_as("zhangwei").await;
    let uri = format!("/tasks/{}", b.id.0);
    let page = site.get(&uri, &cookie).await;
    assert!(page.body.contains(&format!(r#"action="/tasks/{}/edit""#, b.id.0)));
    assert!(
        page.body.contains(&format!(r#"<option value="{}">{} 任务甲</option>"#, a.id.0, a.key)),
        "other tasks are offered"
    );
    assert!(
        !page.body.contains(&format!(r#"<option value="{}">{} 任务乙</option>"#, b.id.0, b.key)),
        "not the task itself"
    );
    let version = page.field("version").unwrap();
    assert_eq!(version, b.version.to_string());
    let (a_id, liuyang_id) = (a.id.0.to_string(), liuyang.0.to_string());
    let edit = |version: &str, progress: &str, deps: &[&str]| {
        let mut pairs = vec![
            ("csrf", csrf.as_str()),
            ("version", version),
            ("title", "任务乙（改）"),
            ("description", "接口 *联调*"),
            ("assignee", liuyang_id.as_str()),
            ("priority", "highest"),
            ("start", "2030-01-10"),
            ("due", "2030-01-20"),
            ("estimate", "8"),
            ("progress", progress),
            ("labels", "后端, 推送"),
            ("blocked", "on"),
            ("blocked_reason", "等待接口"),
            ("krs", kr_id.as_str()),
            ("parent", ""),
        ];
        pairs.extend(deps.iter().map(|d| ("deps", *d)));
        form(&pairs)
    };

    // Progress is typed in percent; over 100 is refused with the field named.
    let r = site.post(&format!("{uri}/edit"), &cookie, edit(&version, "150", &[])).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("“进度（%）”有误：进度必须在 0 到 100 之间。"), "{}", r.body);
    assert!(r.body.contains(r#"name="title" value="任务乙（改）""#));

    let r = site.post(&format!("{uri}/edit"), &cookie, edit(&version, "40", &[])).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, uri.as_str()), "{}", r.body);
    let t = site.task(b.id).await;
    assert_eq!((t.title.as_str(), t.description.as_str()), ("任务乙（改）", "接口 *联调*"));
    assert_eq!((t.assignee_id, t.priority), (Some(liuyang), Priority::Highest));
    assert_eq!(
        (t.start_date, t.due_date),
        (NaiveDate::from_ymd_opt(2030, 1, 10), NaiveDate::from_ymd_opt(2030, 1, 20))
    );
    assert_eq!((t.estimate, t.progress), (Some(8.0), Some(0.4)));
    assert_eq!(t.labels, ["后端", "推送"]);
    assert_eq!((t.blocked, t.blocked_reason.as_deref()), (true, Some("等待接口")));
    assert_eq!(t.key_result_ids, [kr.key_result.id]);
    assert!(t.depends_on.is_empty());
    let page = site.get(&uri, &cookie).await;
    assert!(page.body.contains(r#"name="progress" value="40""#), "shown in percent again");
    assert!(page.body.contains(&format!(r#"<option value="{kr_id}" selected>留存率提升至45%</option>"#)));
    assert!(page.body.contains("<strong>受阻原因：</strong>等待接口"));

    // 乙 waiting for 甲 would close the loop 乙 → 甲 → 乙: refused, the loop named, what was typed kept.
    let current = page.field("version").unwrap();
    let r = site.post(&format!("{uri}/edit"), &cookie, edit(&current, "40", &[&a_id])).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let cycle_text = format!("{} → {} → {}", b.key, a.key, b.key);
    assert!(
        r.body.contains(&format!("“前置任务（同一项目）”有误：这样会形成循环依赖：{cycle_text}")),
        "{cycle_text} not named in {}",
        r.body
    );
    assert!(r.body.contains(&format!(r#"<option value="{a_id}" selected>"#)));
    assert!(r.body.contains(
        r#"id="te-deps" name="deps" multiple size="5" aria-describedby="te-multi-hint te-error" aria-invalid="true""#
    ));
    assert!(site.task(b.id).await.depends_on.is_empty(), "nothing changed");
    // The same in English.
    site.switch_lang(&cookie, &csrf, "en").await;
    let r = site.post(&format!("{uri}/edit"), &cookie, edit(&current, "40", &[&a_id])).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains(&format!("Depends on (same project): This would make a dependency cycle: {cycle_text}")));

    // The version the first form carried is stale now: 409, said plainly, nothing overwritten,
    // and what was typed is kept with the current version, so saving again is a choice.
    let r = site.post(&format!("{uri}/edit"), &cookie, edit(&version, "90", &[])).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("Someone else changed this task just now. What you typed is kept below"));
    assert!(r.body.contains(r#"id="te-conflict""#));
    assert!(r.body.contains(&format!(r#"name="version" value="{current}""#)), "the current version");
    assert!(r.body.contains(r#"name="progress" value="90""#), "what was typed: {}", r.body);
    assert_eq!(site.task(b.id).await.progress, Some(0.4));
    let again = site.post(&format!("{uri}/edit"), &cookie, edit(&current, "90", &[])).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(site.task(b.id).await.progress, Some(0.9));

    // Someone who may not change the task gets no form, and a post is refused.
    let (viewer, viewer_csrf) = site.log_in_as("zhoujie").await;
    assert!(!site.get(&uri, &viewer).await.body.contains("/edit\""));
    let body = form(&[("csrf", &viewer_csrf), ("version", &current), ("title", "x"), ("priority", "low")]);
    assert_eq!(site.post(&format!("{uri}/edit"), &viewer, body).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn work_is_logged_on_the_task_page() {
    let site = site().await;
    let task = site.new_task("PUSH", "登记工时的任务").await;
    let (cookie, csrf) = site.log_in_as("zhangwei").await;
    let uri = format!("/tasks/{}", task.id.0);
    let page = site.get(&uri, &cookie).await;
    let today = clock::today_in(ZONE, Utc::now()).to_string();
    assert!(
        page.body.contains(&format!(r#"id="wl-day" name="day" type="date" value="{today}""#)),
        "today where the person is"
    );
    assert!(page.body.contains("暂无工时记录。"));
    let log = |hours: &str, note: &str| form(&[("csrf", &csrf), ("day", &today), ("hours", hours), ("note", note)]);

    let r = site.post(&format!("{uri}/worklogs"), &cookie, log("25", "太多了")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("“工时（小时）”有误：工时须大于 0，且不超过 24 小时。"), "{}", r.body);
    assert!(r.body.contains(r#"name="note" value="太多了""#));
    let r = site.post(&format!("{uri}/worklogs"), &cookie, log("两小时", "")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("“工时（小时）”有误：请输入一个数字。"));

    let r = site.post(&format!("{uri}/worklogs"), &cookie, log("2", "联调推送接口")).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, format!("{uri}#worklogs").as_str()));
    let r = site.post(&format!("{uri}/worklogs"), &cookie, log("1.5", "")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let detail = site.app.task_detail(&Actor::system(), task.id).await.unwrap();
    let hours: Vec<f64> = detail.worklogs.iter().map(|w| w.hours).collect();
    assert_eq!(hours.iter().sum::<f64>(), 3.5);
    let me = site.user("zhangwei").await;
    assert!(detail.worklogs.iter().all(|w| w.user_id == me && w.day.to_string() == today));
    let page = site.get(&uri, &cookie).await;
    assert!(
        page.body.contains("联调推送接口")
            && page.body.contains(">2 小时</td>")
            && page.body.contains(">1.5 小时</td>")
    );
    assert!(page.body.contains("<dd>3.5 小时</dd>"), "hours logged add up");

    let (viewer, viewer_csrf) = site.log_in_as("zhoujie").await;
    assert!(!site.get(&uri, &viewer).await.body.contains(r#"id="log-work""#));
    let body = form(&[("csrf", &viewer_csrf), ("day", &today), ("hours", "1")]);
    assert_eq!(site.post(&format!("{uri}/worklogs"), &viewer, body).await.status, StatusCode::FORBIDDEN);
}
