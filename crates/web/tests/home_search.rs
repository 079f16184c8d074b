//! The home page, the search page, the header's search box and the
//! shortcut help on every page, driven in-process through the real router
//! over a fresh SQLite file holding the demo organisation. What a page must
//! show is worked out here from the app's lists and the dates of the test,
//! never copied from a rendered page.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use chrono::{Datelike, Duration, NaiveDate, Utc};
use http_body_util::BodyExt;
use keel_app::okr::{CheckInInput, KeyResultInput, ObjectiveInput};
use keel_app::store::{Page, TaskFilter};
use keel_app::work::{ProjectInput, TaskInput};
use keel_app::{Actor, App};
use keel_domain::okr::{KrKind, ObjectiveLevel};
use keel_domain::org::User;
use keel_domain::status::KrStatus;
use keel_domain::work::StatusCategory;
use keel_domain::{CycleId, KeyResultId, ObjectiveId, ProjectId, UnitId, UserId};
use keel_testkit::{Backend, TestDb};
use tower::ServiceExt;

struct Site {
    app: App,
    router: Router,
    password: String,
    _db: TestDb,
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
    fn header(&self, name: header::HeaderName) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
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
    fn field(&self, name: &str) -> Option<String> {
        let marker = format!(r#"name="{name}" value=""#);
        let start = self.body.find(&marker)? + marker.len();
        Some(self.body[start..].split('"').next()?.to_string())
    }
    /// The element with this id up to the end of its section.
    fn section(&self, id: &str) -> &str {
        let start = self.body.find(&format!(r#"id="{id}""#)).unwrap_or_else(|| panic!("no #{id} in {}", self.body));
        let rest = &self.body[start..];
        &rest[..rest.find("</section>").unwrap_or(rest.len())]
    }
    /// The body with the search page's `<mark>` tags taken out, so a title
    /// reads whole again (a `<mark>` typed into a title would be escaped).
    fn unmarked(&self) -> String {
        self.body.replace("<mark>", "").replace("</mark>", "")
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

/// What askama makes of a text in HTML.
fn escaped(s: &str) -> String {
    s.replace('&', "&#38;").replace('<', "&#60;").replace('>', "&#62;").replace('"', "&#34;").replace('\'', "&#39;")
}

/// The demo people live in Shanghai; the demo is dated where they are.
fn today() -> NaiveDate {
    keel_app::clock::today_in("Asia/Shanghai", Utc::now())
}

/// Sunday of this week (weeks run Monday to Sunday).
fn week_end(day: NaiveDate) -> NaiveDate {
    day + Duration::days(6 - i64::from(day.weekday().num_days_from_monday()))
}

async fn site() -> Site {
    let db = keel_testkit::fresh(Backend::Sqlite).await;
    let app = App::new(db.store.clone(), Default::default());
    let demo = app.load_demo(today()).await.expect("demo loads");
    let router = keel_web::router(app.clone(), Default::default());
    Site { app, router, password: demo.password, _db: db }
}

impl Site {
    async fn send(&self, req: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(req).await.expect("router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        Reply { status, headers, body: String::from_utf8(bytes.to_vec()).expect("utf-8 body") }
    }

    async fn get(&self, uri: &str, cookie: Option<&str>) -> Reply {
        let mut req = Request::get(uri);
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    async fn post(&self, uri: &str, cookie: Option<&str>, body: String) -> Reply {
        let mut req = Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    /// Logs in through the login page (the demo gives everyone one password);
    /// returns the session cookie.
    async fn log_in_as(&self, login: &str) -> String {
        let page = self.get("/login", None).await;
        let token = page.cookie_value("keel_csrf").expect("csrf cookie");
        let body = form(&[("csrf", &token), ("login", login), ("password", &self.password), ("next", "/")]);
        let done = self.post("/login", Some(&format!("keel_csrf={token}")), body).await;
        assert_eq!((done.status, done.location()), (StatusCode::SEE_OTHER, "/"));
        format!("keel_session={}", done.cookie_value("keel_session").expect("session cookie"))
    }

    async fn user(&self, login: &str) -> User {
        let users = self.app.list_users(&Actor::system(), Page::ALL).await.unwrap();
        users.into_iter().find(|u| u.login.as_deref() == Some(login)).unwrap_or_else(|| panic!("no user {login}"))
    }

    async fn unit(&self, name: &str) -> UnitId {
        self.app.list_units(&Actor::system()).await.unwrap().into_iter().find(|u| u.name == name).unwrap().id
    }

    async fn project(&self, key: &str) -> ProjectId {
        let projects = self.app.list_projects(&Actor::system(), Page::ALL).await.unwrap();
        projects.into_iter().find(|p| p.key == key).unwrap_or_else(|| panic!("no project {key}")).id
    }

    async fn current_cycle(&self) -> CycleId {
        self.app.current_cycle(&Actor::system()).await.unwrap().expect("the demo's quarter is running").id
    }

    async fn task(&self, project: ProjectId, title: &str, assignee: Option<UserId>, due: Option<NaiveDate>) -> i64 {
        self.task_in(project, title, assignee, due, None).await
    }

    async fn task_in(
        &self,
        project: ProjectId,
        title: &str,
        assignee: Option<UserId>,
        due: Option<NaiveDate>,
        status: Option<&str>,
    ) -> i64 {
        let input = TaskInput {
            project_id: project,
            title: title.into(),
            description: String::new(),
            status: status.map(str::to_string),
            priority: None,
            assignee_id: assignee,
            start_date: None,
            due_date: due,
            estimate: None,
            progress: None,
            parent_id: None,
            labels: vec![],
            key_result_ids: vec![],
            depends_on: vec![],
            blocked: false,
            blocked_reason: None,
        };
        self.app.create_task(&Actor::system(), input).await.expect("create task").id.0
    }

    async fn objective(&self, title: &str, unit: Option<UnitId>, owner: UserId, private: bool) -> ObjectiveId {
        let input = ObjectiveInput {
            cycle_id: self.current_cycle().await,
            title: title.into(),
            description: String::new(),
            level: if unit.is_some() { ObjectiveLevel::Unit } else { ObjectiveLevel::Individual },
            unit_id: unit,
            owner_id: Some(owner),
            parent_objective_id: None,
            parent_key_result_id: None,
            private,
        };
        self.app.create_objective(&Actor::system(), input).await.expect("create objective").id
    }

    /// A metric key result from `start` to `target`.
    async fn metric(&self, objective: ObjectiveId, title: &str, owner: UserId, start: f64, target: f64) -> KeyResultId {
        let input = KeyResultInput {
            objective_id: objective,
            title: title.into(),
            kind: KrKind::Metric,
            owner_id: Some(owner),
            weight: None,
            start_value: Some(start),
            target_value: Some(target),
            unit_label: None,
            direction: None,
            due_date: None,
            items: vec![],
        };
        self.app.create_key_result(&Actor::system(), input).await.expect("create key result").id
    }

    /// A check-in by the key result's owner, now.
    async fn check_in(&self, owner: &User, kr: KeyResultId, value: f64) {
        let input = CheckInInput { value: Some(value), confidence: Some(5), note: String::new(), at: None };
        self.app.check_in(&Actor::user(owner.clone()), kr, input).await.expect("check in");
    }

    async fn private_project(&self, key: &str, name: &str, unit: UnitId, owner: UserId) -> ProjectId {
        let input = ProjectInput {
            key: key.into(),
            name: name.into(),
            description: String::new(),
            parent_id: None,
            owner_id: Some(owner),
            unit_id: Some(unit),
            status: None,
            start_date: None,
            target_date: None,
            private: true,
            workflow: None,
            key_result_ids: vec![],
        };
        self.app.create_project(&Actor::system(), input).await.expect("create project").id
    }
}

/// A metric's progress in whole percent as the product brief defines it.
fn metric_percent(start: f64, target: f64, current: f64) -> i64 {
    ((current - start) / (target - start) * 100.0).round() as i64
}

#[tokio::test]
async fn home_is_the_start_page_and_every_page_has_search_and_shortcut_help() {
    let site = site().await;
    // A visitor is sent to log in, and comes back home afterwards.
    let visitor = site.get("/", None).await;
    assert_eq!((visitor.status, visitor.location()), (StatusCode::SEE_OTHER, "/login?next=/"));
    assert_eq!(site.get("/search?q=x", None).await.status, StatusCode::SEE_OTHER);
    let cookie = site.log_in_as("lina").await;

    let home = site.get("/", Some(&cookie)).await;
    assert_eq!(home.status, StatusCode::OK);
    assert_eq!(home.header(header::CACHE_CONTROL), "no-store");
    assert!(home.body.contains("<title>首页 · Keel</title>"), "{}", home.body);
    assert!(home.body.contains("<h1>你好，李娜</h1>"));
    let today = today();
    assert!(
        home.body.contains(&format!("今天是 {today}（按你的时区），本周到 {} 为止。", week_end(today))),
        "the week is Monday to Sunday around {today}"
    );
    assert!(home.body.contains(r#"<a href="/" aria-current="page">首页</a>"#), "home is in the nav, marked current");

    let ret = site.project("RET").await;
    for uri in
        ["/".to_string(), "/okrs".into(), "/projects".into(), format!("/projects/{}", ret.0), "/search?q=推送".into()]
    {
        let page = site.get(&uri, Some(&cookie)).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}");
        let b = &page.body;
        assert!(b.contains(r#"<form class="site-search" method="get" action="/search" role="search">"#), "{uri}");
        assert!(b.contains(r#"<input type="search" id="site-search" name="q""#), "{uri}");
        assert!(b.contains(r#"<label class="sr" for="site-search">搜索目标、关键结果、项目和任务</label>"#), "{uri}");
        assert!(b.contains(r#"<a href="/">首页</a>"#) || uri == "/", "{uri}: the nav leads home");
        // The help dialog is in the page, closed, in the reader's language.
        assert!(b.contains(r#"<dialog id="shortcuts" class="shortcuts" aria-labelledby="shortcuts-title">"#), "{uri}");
        assert!(b.contains("<h2 id=\"shortcuts-title\">键盘快捷键</h2>") && b.contains("跳到搜索框"), "{uri}");
        assert!(!b.contains("<dialog id=\"shortcuts\" class=\"shortcuts\" open"), "{uri}: closed until asked for");
        assert!(b.contains(r#"<script type="module" src="/assets/keys.js?v="#), "{uri}");
    }

    // The script is served as the pages name it, cached for a year.
    let src = home.body.split(r#"src="/assets/keys.js?v="#).nth(1).unwrap().split('"').next().unwrap().to_string();
    assert_eq!(src.len(), 16, "a 64-bit hash in hex: {src}");
    let js = site.get(&format!("/assets/keys.js?v={src}"), None).await;
    assert_eq!(js.status, StatusCode::OK);
    assert_eq!(js.header(header::CONTENT_TYPE), "text/javascript; charset=utf-8");
    assert!(js.header(header::CACHE_CONTROL).contains("immutable"));
    assert!(js.body.contains("isComposing") && js.body.contains("keyCode === 229"), "the IME guard is in it");

    // The login page: the IME guard too, but no search box, nav or shortcut help.
    let login = site.get("/login", None).await;
    assert!(login.body.contains(r#"<script type="module" src="/assets/keys.js?v="#));
    assert!(!login.body.contains("site-search") && !login.body.contains(r#"id="shortcuts""#));

    // In English after switching.
    let csrf = home.field("csrf").unwrap();
    site.post("/lang", Some(&cookie), form(&[("lang", "en"), ("next", "/"), ("csrf", &csrf)])).await;
    let en = site.get("/", Some(&cookie)).await;
    assert!(en.body.contains("<h1>Hello, 李娜</h1>"));
    for text in ["My key results", "Waiting for my check-in", "My overdue tasks", "Due this week", "Keyboard shortcuts"]
    {
        assert!(en.body.contains(text), "{text}");
    }
    assert!(en.body.contains(r#"<a href="/" aria-current="page">Home</a>"#));
    assert!(en.body.contains(r#"placeholder="Search…""#));
}

#[tokio::test]
async fn home_lists_my_key_results_tasks_due_check_ins_and_risks_in_my_units() {
    let site = site().await;
    let sys = Actor::system();
    let lina = site.user("lina").await;
    let wangqiang = site.user("wangqiang").await;
    let (growth, saas) = (site.unit("增长部").await, site.unit("SaaS事业部").await);
    assert_eq!(lina.units, vec![growth]);

    // Work for lina around this week, worked out from today's date here.
    let today = today();
    let sunday = week_end(today);
    let comm = site.project("COMM").await;
    let me = Some(lina.id);
    let yesterday = site.task(comm, "昨天就该完成的任务", me, Some(today - Duration::days(1))).await;
    let long_ago = site.task(comm, "十天前就该完成的任务", me, Some(today - Duration::days(10))).await;
    let due_today = site.task(comm, "今天到期的任务", me, Some(today)).await;
    let due_sunday = site.task(comm, "周日到期的任务", me, Some(sunday)).await;
    let next_monday = site.task(comm, "下周一到期的任务", me, Some(sunday + Duration::days(1))).await;
    let done_today = site.task_in(comm, "今天到期但已完成", me, Some(today), Some("Done")).await;
    let not_mine = site.task(comm, "别人今天到期的任务", Some(wangqiang.id), Some(today)).await;
    let undated = site.task(comm, "没有截止日期的任务", me, None).await;

    // Key results: one of lina's with no check-in (waiting), one checked in
    // just now (not waiting), one off track in her unit owned by someone
    // else, and one off track in a unit she is not in.
    let mine_o = site.objective("李娜的个人目标", None, lina.id, false).await;
    let fresh = site.metric(mine_o, "新渠道注册数从0到200", lina.id, 0.0, 200.0).await;
    let checked = site.metric(mine_o, "社区日发帖数从0到200", lina.id, 0.0, 200.0).await;
    site.check_in(&lina, checked, 50.0).await;
    let growth_o = site.objective("增长部的补充目标", Some(growth), wangqiang.id, false).await;
    let behind = site.metric(growth_o, "渠道转化率从0提升到100", wangqiang.id, 0.0, 100.0).await;
    site.check_in(&wangqiang, behind, -20.0).await;
    let saas_o = site.objective("SaaS的补充目标", Some(saas), wangqiang.id, false).await;
    let elsewhere = site.metric(saas_o, "别的部门落后的关键结果", wangqiang.id, 0.0, 100.0).await;
    site.check_in(&wangqiang, elsewhere, -20.0).await;

    let cookie = site.log_in_as("lina").await;
    let home = site.get("/", Some(&cookie)).await;
    assert_eq!(home.status, StatusCode::OK);

    // Tasks: every open one of lina's, by due date, from the task list.
    let filter = TaskFilter { assignee_id: me, ..Default::default() };
    let (tasks, _) = site.app.list_tasks(&sys, filter, Page::ALL).await.unwrap();
    let open: Vec<_> = tasks.iter().filter(|t| t.category != StatusCategory::Done && !t.cancelled).collect();
    let mut overdue: Vec<_> = open.iter().filter(|t| t.due_date.is_some_and(|d| d < today)).collect();
    let mut week: Vec<_> = open.iter().filter(|t| t.due_date.is_some_and(|d| d >= today && d <= sunday)).collect();
    overdue.sort_by_key(|t| t.due_date);
    week.sort_by_key(|t| t.due_date);
    let overdue_ids: Vec<i64> = overdue.iter().map(|t| t.id.0).collect();
    let week_ids: Vec<i64> = week.iter().map(|t| t.id.0).collect();
    assert_eq!(overdue_ids, vec![long_ago, yesterday], "worked out from the dates");
    assert!(week_ids.contains(&due_today) && week_ids.contains(&due_sunday));
    for absent in [next_monday, done_today, not_mine, undated] {
        assert!(!week_ids.contains(&absent) && !overdue_ids.contains(&absent));
    }
    let shown = |section: &str| -> Vec<i64> {
        section.split(r#"data-task=""#).skip(1).map(|s| s.split('"').next().unwrap().parse().unwrap()).collect()
    };
    assert_eq!(shown(home.section("home-overdue")), overdue_ids, "overdue, oldest first");
    assert_eq!(shown(home.section("home-week")), week_ids, "due this week, soonest first");
    let overdue_section = home.section("home-overdue");
    assert!(overdue_section.contains("逾期 10 天") && overdue_section.contains("逾期 1 天"));
    for t in &overdue {
        assert!(
            overdue_section.contains(&format!(r#"<a href="/tasks/{}"><span class="key">{}</span>"#, t.id.0, t.key))
        );
    }
    let week_section = home.section("home-week");
    assert!(week_section.contains("今天到期"));
    assert!(week_section.contains(&format!("截止日期：{sunday}")));
    assert!(week_section.contains("今天到期的任务") && !week_section.contains("下周一到期的任务"));

    // Lina's key results this quarter, from the tree: the demo's and the new ones.
    let cycle = site.current_cycle().await;
    let tree = site.app.okr_tree(&sys, cycle).await.unwrap();
    let all: Vec<_> = tree.objectives.iter().flat_map(|o| &o.key_results).collect();
    let mine: Vec<_> = all.iter().filter(|k| k.key_result.owner_id == lina.id).collect();
    assert!(mine.len() >= 5, "three of the demo's and two new");
    let kr_ids = |section: &str| -> Vec<i64> {
        section
            .split(r#"href="/key-results/"#)
            .skip(1)
            .map(|s| s.split(['"', '#']).next().unwrap().parse().unwrap())
            .collect()
    };
    let mut expected: Vec<i64> = mine.iter().map(|k| k.key_result.id.0).collect();
    let mut got = kr_ids(home.section("home-mine"));
    expected.sort();
    got.sort();
    assert_eq!(got, expected);
    let mine_section = home.section("home-mine");
    // 50 of 0 → 200 is 25 %, drawn as a bar a quarter full, with its objective named.
    let p = metric_percent(0.0, 200.0, 50.0);
    let row = mine_section.split(&format!(r#"data-kr="{}""#, checked.0)).nth(1).unwrap().split("</li>").next().unwrap();
    assert!(row.contains(&format!(r#"<span class="pct">{p}%</span>"#)), "{row}");
    assert!(row.contains(&format!(r#"<rect class="fill" width="{p}" height="6"/>"#)), "{row}");
    assert!(row.contains("目标：李娜的个人目标"), "{row}");
    // Every demo KR of lina's is a metric with check-ins: its percent from its numbers.
    for k in mine.iter().filter(|k| k.key_result.current_value.is_some()) {
        let kr = &k.key_result;
        let p = metric_percent(kr.start_value.unwrap(), kr.target_value.unwrap(), kr.current_value.unwrap());
        let row =
            mine_section.split(&format!(r#"data-kr="{}""#, kr.id.0)).nth(1).unwrap().split("</li>").next().unwrap();
        assert!(row.contains(&format!(r#"<span class="pct">{p}%</span>"#)), "{}: {row}", kr.title);
    }

    // Waiting for a check-in: hers that take values, not done, with none in the last 7 days.
    let now = Utc::now();
    let mut waiting = Vec::new();
    for k in &mine {
        let history = site.app.list_check_ins(&sys, k.key_result.id).await.unwrap();
        let last = history.iter().map(|c| c.at).max();
        let stale = last.is_none_or(|at| now - at >= Duration::days(7));
        if stale && k.status != KrStatus::Done {
            waiting.push(k.key_result.id.0);
        }
    }
    assert!(waiting.contains(&fresh.0) && !waiting.contains(&checked.0));
    let mut got = kr_ids(home.section("home-waiting"));
    got.dedup();
    got.sort();
    waiting.sort();
    assert_eq!(got, waiting);
    let waiting_section = home.section("home-waiting");
    assert!(waiting_section.contains(&format!(r#"href="/key-results/{}#check-in">更新进展</a>"#, fresh.0)));
    assert!(waiting_section.contains("还没有更新过进展"));

    // At risk in her units: the growth unit's KRs at risk or off track, not SaaS's.
    let growth_objectives: Vec<ObjectiveId> =
        tree.objectives.iter().filter(|o| o.objective.unit_id == Some(growth)).map(|o| o.objective.id).collect();
    let mut at_risk: Vec<i64> = all
        .iter()
        .filter(|k| growth_objectives.contains(&k.key_result.objective_id))
        .filter(|k| matches!(k.status, KrStatus::AtRisk | KrStatus::OffTrack))
        .map(|k| k.key_result.id.0)
        .collect();
    assert!(at_risk.contains(&behind.0), "−20 of 0 → 100 is off track on any day");
    let mut got = kr_ids(home.section("home-at-risk"));
    got.sort();
    at_risk.sort();
    assert_eq!(got, at_risk);
    assert!(!got.contains(&elsewhere.0));
    let row = home.section("home-at-risk").split(&format!(r#"data-kr="{}""#, behind.0)).nth(1).unwrap();
    let row = row.split("</li>").next().unwrap();
    assert!(row.contains(r#"<span class="badge off_track">落后</span>"#), "{row}");
    assert!(row.contains("负责人：王强") && row.contains(r#"<span class="pct">-20%</span>"#), "{row}");
    assert!(row.contains(r#"<rect class="fill" width="0" height="6"/>"#), "a negative progress draws no bar: {row}");
}

#[tokio::test]
async fn home_has_friendly_empty_states() {
    let site = site().await;
    // 周杰 is a viewer: no tasks, no key results of his own; SaaS's KRs may or may not be at risk.
    let cookie = site.log_in_as("zhoujie").await;
    let home = site.get("/", Some(&cookie)).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.section("home-overdue").contains("没有逾期的任务。"));
    assert!(home.section("home-week").contains("本周没有到期的任务。"));
    assert!(home.section("home-mine").contains("你在当前周期没有负责的关键结果。"));
    assert!(home.section("home-waiting").contains("没有等待你更新进展的关键结果。"));
}

#[tokio::test]
async fn search_groups_what_the_person_may_see_with_links() {
    let site = site().await;
    let sys = Actor::system();
    let cookie = site.log_in_as("zhangwei").await;
    let q = "推送";
    let page = site.get(&format!("/search?q={}", encode(q)), Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&format!("<title>{q} · 搜索 · Keel</title>")));
    assert!(page.body.contains(&format!(r#"id="search-q" name="q" value="{q}""#)), "the box keeps the query");

    // What matches, from the app's lists.
    let has = |s: &str| s.to_lowercase().contains(q);
    let objectives: Vec<_> = site
        .app
        .list_objectives(&sys, None, Page::ALL)
        .await
        .unwrap()
        .into_iter()
        .filter(|o| has(&o.title) || has(&o.description))
        .collect();
    let mut krs = Vec::new();
    for cycle in site.app.list_cycles(&sys).await.unwrap() {
        let tree = site.app.okr_tree(&sys, cycle.id).await.unwrap();
        for o in &tree.objectives {
            for k in o.key_results.iter().filter(|k| has(&k.key_result.title)) {
                krs.push((k.key_result.id.0, k.key_result.title.clone(), o.objective.title.clone()));
            }
        }
    }
    let projects: Vec<_> = site
        .app
        .list_projects(&sys, Page::ALL)
        .await
        .unwrap()
        .into_iter()
        .filter(|p| has(&p.name) || has(&p.key))
        .collect();
    let filter = TaskFilter { include_archived: true, ..Default::default() };
    let (tasks, _) = site.app.list_tasks(&sys, filter, Page::ALL).await.unwrap();
    let tasks: Vec<_> = tasks.into_iter().filter(|t| has(&t.title) || has(&t.key)).collect();
    assert!(!objectives.is_empty() && !krs.is_empty() && !projects.is_empty() && !tasks.is_empty());
    let total = objectives.len() + krs.len() + projects.len() + tasks.len();
    assert!(page.body.contains(&format!("“{q}”的搜索结果：{total} 条")), "{}", page.body);

    let body = page.unmarked();
    let group = |kind: &str| -> String {
        let start = body.find(&format!(r#"id="results-{kind}""#)).unwrap_or_else(|| panic!("no {kind} group"));
        body[start..start + body[start..].find("</section>").unwrap()].to_string()
    };
    // Groups in a fixed order: objectives, key results, projects, tasks.
    let order: Vec<usize> = ["objective", "key_result", "project", "task"]
        .iter()
        .map(|k| body.find(&format!("results-{k}")).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");

    let g = group("objective");
    assert!(g.contains("<h2 id=\"results-objective-title\">目标 "));
    assert_eq!(g.matches("<li>").count(), objectives.len());
    for o in &objectives {
        assert!(g.contains(&format!(r#"<a href="/okrs?cycle={}#obj-{}">"#, o.cycle_id.0, o.id.0)), "{g}");
        assert!(g.contains(&o.title));
    }
    let g = group("key_result");
    assert_eq!(g.matches("<li>").count(), krs.len());
    for (id, title, objective) in &krs {
        assert!(
            g.contains(&format!(r#"<a href="/key-results/{id}"><span class="hit-title">{title}</span></a>"#)),
            "{g}"
        );
        assert!(g.contains(&format!("目标：{objective}")));
    }
    let g = group("project");
    assert_eq!(g.matches("<li>").count(), projects.len());
    for p in &projects {
        assert!(
            g.contains(&format!(
                r#"<a href="/projects/{}"><span class="key">{}</span> <span class="hit-title">{}</span>"#,
                p.id.0, p.key, p.name
            )),
            "{g}"
        );
    }
    let g = group("task");
    assert_eq!(g.matches("<li>").count(), tasks.len());
    for t in &tasks {
        assert!(
            g.contains(&format!(
                r#"<a href="/tasks/{}"><span class="key">{}</span> <span class="hit-title">{}</span>"#,
                t.id.0, t.key, t.title
            )),
            "{g}"
        );
    }
    // The matching part is marked.
    assert!(page.body.contains(&format!("<mark>{q}</mark>")));

    // A task key finds its task.
    let t = &tasks[0];
    let by_key = site.get(&format!("/search?q={}", encode(&t.key.to_lowercase())), Some(&cookie)).await;
    assert!(by_key.unmarked().contains(&format!(r#"<a href="/tasks/{}">"#, t.id.0)));

    // Nothing typed, nothing found, too much typed.
    let empty = site.get("/search?q=+", Some(&cookie)).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.body.contains("输入关键词或任务编号"));
    let none = site.get(&format!("/search?q={}", encode("没有这种东西")), Some(&cookie)).await;
    assert_eq!(none.status, StatusCode::OK);
    assert!(none.body.contains("没有找到与“没有这种东西”匹配的内容。") && !none.body.contains("results-"));
    let long = "长".repeat(keel_app::search::MAX_CHARS + 1);
    let refused = site.get(&format!("/search?q={}", encode(&long)), Some(&cookie)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains(&format!("搜索内容太长，最多 {} 个字符。", keel_app::search::MAX_CHARS)));
    assert!(refused.body.contains(r#"aria-invalid="true""#));
}

#[tokio::test]
async fn search_never_shows_or_counts_private_items_to_outsiders() {
    let site = site().await;
    let saas = site.unit("SaaS事业部").await;
    let yangfan = site.user("yangfan").await;
    let zhoujie = site.user("zhoujie").await;
    let lina = site.user("lina").await;
    assert!(zhoujie.units.contains(&saas) && !lina.units.contains(&saas));

    // Private to SaaS: a project with a task, an objective with a key result.
    let secret = site.private_project("SEC", "机密迁移项目", saas, yangfan.id).await;
    let secret_task = site.task(secret, "机密数据迁移任务", None, None).await;
    let secret_o = site.objective("机密的年度目标", Some(saas), yangfan.id, true).await;
    let secret_kr = site.metric(secret_o, "机密指标提升到100", yangfan.id, 0.0, 100.0).await;
    // And one public item with the same word, in another unit.
    let public_task = site.task(site.project("COMM").await, "非机密的公开任务", None, None).await;

    let q = encode("机密");
    let hidden = [
        format!("/projects/{}", secret.0),
        format!("/tasks/{secret_task}"),
        format!("#obj-{}", secret_o.0),
        format!("/key-results/{}", secret_kr.0),
    ];
    let titles = ["机密迁移项目", "机密数据迁移任务", "机密的年度目标", "机密指标提升到100", "SEC"];

    // An outsider sees the public task only, and a count of one.
    let outsider = site.log_in_as("lina").await;
    let page = site.get(&format!("/search?q={q}"), Some(&outsider)).await;
    assert_eq!(page.status, StatusCode::OK);
    let body = page.unmarked();
    assert!(body.contains(&format!(r#"href="/tasks/{public_task}""#)));
    assert!(body.contains("“机密”的搜索结果：1 条"), "{body}");
    for h in &hidden {
        assert!(!body.contains(h.as_str()), "{h} leaked to an outsider");
    }
    for t in titles {
        assert!(!body.contains(t), "{t} leaked to an outsider");
    }
    assert!(!body.contains("results-project") && !body.contains("results-objective"));

    // A member of the unit (a viewer, even) and the owner see all five.
    for login in ["zhoujie", "yangfan", "zhangwei"] {
        let cookie = site.log_in_as(login).await;
        let page = site.get(&format!("/search?q={q}"), Some(&cookie)).await;
        let body = page.unmarked();
        assert!(body.contains("“机密”的搜索结果：5 条"), "{login}: {body}");
        for h in &hidden {
            assert!(body.contains(h.as_str()), "{login} should find {h}");
        }
        for t in titles {
            assert!(body.contains(t), "{login} should see {t}");
        }
    }
}

#[tokio::test]
async fn hostile_titles_are_shown_escaped_on_home_and_search() {
    let site = site().await;
    let lina = site.user("lina").await;
    let comm = site.project("COMM").await;
    let today = today();
    let hostile = [
        "XSS测试<img src=x onerror=alert(1)>",
        "XSS测试<b>未闭合的粗体",
        "XSS测试[点我](javascript:alert(1)) <script>alert(1)</script>",
    ];
    // 255 characters of four UTF-8 bytes each.
    let long: String = "𠮷".repeat(255);
    let mut ids = Vec::new();
    for title in hostile.iter().copied().chain([long.as_str()]) {
        ids.push(site.task(comm, title, Some(lina.id), Some(today)).await);
    }
    let o = site.objective("XSS测试<b>目标</b><img src=x onerror=alert(2)>", None, lina.id, false).await;
    let kr_title = "XSS测试<img src=x onerror=alert(3)>关键结果";
    site.metric(o, kr_title, lina.id, 0.0, 10.0).await;

    let cookie = site.log_in_as("lina").await;
    let raw = ["<img src=x", "<b>未闭合", "<b>目标", "<script>alert"];
    let home = site.get("/", Some(&cookie)).await;
    for r in raw {
        assert!(!home.body.contains(r), "{r} unescaped on the home page");
    }
    let week = home.section("home-week");
    for title in hostile.iter().copied().chain([long.as_str()]) {
        assert!(week.contains(&format!(r#"<span class="task-title">{}</span>"#, escaped(title))), "{title}");
    }
    let mine = home.section("home-mine");
    assert!(mine.contains(&escaped(kr_title)));
    assert!(mine.contains(&escaped("目标：XSS测试<b>目标</b><img src=x onerror=alert(2)>")));

    // Search: the titles, the query and the window's title, all escaped.
    let page = site.get(&format!("/search?q={}", encode("XSS测试")), Some(&cookie)).await;
    let body = page.unmarked();
    for r in raw {
        assert!(!body.contains(r), "{r} unescaped on the search page");
    }
    for title in hostile.iter().chain([&kr_title]) {
        assert!(body.contains(&escaped(title)), "{title} is shown as written");
    }
    assert!(body.contains(&escaped("XSS测试<b>目标</b><img src=x onerror=alert(2)>")));
    let page = site.get(&format!("/search?q={}", encode("𠮷𠮷")), Some(&cookie)).await;
    assert!(page.unmarked().contains(&format!(r#"<span class="hit-title">{long}</span>"#)), "the long title whole");
    let query = "<script>alert(1)</script>";
    let page = site.get(&format!("/search?q={}", encode(query)), Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains(query));
    assert!(page.body.contains(&format!("<title>{} · 搜索 · Keel</title>", escaped(query))));
    assert!(page.body.contains(&format!(r#"value="{}""#, escaped(query))));
    assert!(page.unmarked().contains(&escaped(hostile[2])), "the task with a script in its title is found");
}
