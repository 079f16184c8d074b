//! The kanban board, driven in-process through the real router over a fresh
//! SQLite file holding the demo organisation. What the board should show is
//! worked out here from the application (`App::list_tasks`, the projects'
//! key results), never copied from a rendered page.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use chrono::Utc;
use http_body_util::BodyExt;
use keel_app::store::{Page, TaskFilter};
use keel_app::work::{ProjectInput, TaskInput, TaskPatch};
use keel_app::{Actor, App};
use keel_domain::work::{Project, Task, WorkflowStatus};
use keel_domain::{KeyResultId, ProjectId, TaskId};
use keel_testkit::{Backend, TestDb};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use tower::ServiceExt;

struct Site {
    app: App,
    router: Router,
    login: String,
    password: String,
    _db: TestDb,
}

async fn site() -> Site {
    let db = keel_testkit::fresh(Backend::Sqlite).await;
    let app = App::new(db.store.clone(), Default::default());
    // The demo people live in Shanghai; date the demo where they are.
    let today = keel_app::clock::today_in("Asia/Shanghai", Utc::now());
    let demo = app.load_demo(today).await.expect("demo loads");
    let router = keel_web::router(app.clone(), Default::default());
    Site { app, router, login: demo.login, password: demo.password, _db: db }
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
    /// The value of the first field with this name.
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

    async fn get(&self, uri: &str, cookie: Option<&str>) -> Reply {
        let mut req = Request::get(uri);
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    async fn post(&self, uri: &str, cookie: &str, body: String) -> Reply {
        let req = Request::post(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, cookie);
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    /// The same form POST as the board's script sends it.
    async fn post_json(&self, uri: &str, cookie: &str, body: String) -> Reply {
        let req = Request::post(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .header(header::COOKIE, cookie);
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    /// Logs in through the pages (the demo gives everyone the same
    /// password); returns the session cookie and the CSRF token of its forms.
    async fn log_in_as(&self, login: &str) -> (String, String) {
        let page = self.get("/login", None).await;
        let token = page.cookie_value("keel_csrf").expect("csrf cookie");
        let body = form(&[("csrf", &token), ("login", login), ("password", &self.password), ("next", "")]);
        let req = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("keel_csrf={token}"));
        let done = self.send(req.body(Body::from(body)).unwrap()).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        let cookie = format!("keel_session={}", done.cookie_value("keel_session").expect("session cookie"));
        let okrs = self.get("/okrs", Some(&cookie)).await;
        assert_eq!(okrs.status, StatusCode::OK);
        (cookie, okrs.field("csrf").expect("csrf field on a logged-in page"))
    }

    async fn admin(&self) -> (String, String) {
        self.log_in_as(&self.login.clone()).await
    }

    async fn projects(&self) -> Vec<Project> {
        self.app.list_projects(&Actor::system(), Page::ALL).await.unwrap()
    }

    async fn project(&self, key: &str) -> Project {
        self.projects().await.into_iter().find(|p| p.key == key).unwrap_or_else(|| panic!("no project {key}"))
    }

    async fn user_id(&self, login: &str) -> keel_domain::UserId {
        let users = self.app.list_users(&Actor::system(), Page::ALL).await.unwrap();
        users.iter().find(|u| u.login.as_deref() == Some(login)).unwrap().id
    }

    async fn kr_id(&self, title: &str) -> KeyResultId {
        let sys = Actor::system();
        for cycle in self.app.list_cycles(&sys).await.unwrap() {
            let tree = self.app.okr_tree(&sys, cycle.id).await.unwrap();
            if let Some(kr) = tree.objectives.iter().flat_map(|o| &o.key_results).find(|k| k.key_result.title == title)
            {
                return kr.key_result.id;
            }
        }
        panic!("no key result {title}");
    }

    /// Tasks of a project and its sub-projects, as the application lists them.
    async fn tasks_under(&self, root: ProjectId, archived: bool) -> Vec<Task> {
        let all = self.projects().await;
        let mut ids = vec![root];
        let mut i = 0;
        while i < ids.len() {
            let parent = ids[i];
            ids.extend(all.iter().filter(|p| p.parent_id == Some(parent)).map(|p| p.id));
            i += 1;
        }
        let filter = TaskFilter { project_ids: Some(ids), include_archived: archived, ..Default::default() };
        self.app.list_tasks(&Actor::system(), filter, Page::ALL).await.unwrap().0
    }

    async fn new_task(&self, input: TaskInput) -> Task {
        self.app.create_task(&Actor::system(), input).await.unwrap()
    }

    async fn patch_task(&self, id: TaskId, patch: impl FnOnce(&mut TaskPatch)) -> Task {
        let current = self.app.get_task(&Actor::system(), id).await.unwrap();
        let mut p = TaskPatch { version: current.version, ..Default::default() };
        patch(&mut p);
        self.app.update_task(&Actor::system(), id, p).await.unwrap()
    }
}

fn task_input(project: ProjectId, title: &str) -> TaskInput {
    TaskInput {
        project_id: project,
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
    }
}

/// One cell of the board: its lane, its column and status, and the ids of its cards in order.
#[derive(Debug)]
struct CellSeen {
    lane: String,
    col: usize,
    status: String,
    tasks: Vec<i64>,
}

fn attr<'a>(s: &'a str, name: &str) -> &'a str {
    let marker = format!(r#"{name}=""#);
    let start = s.find(&marker).unwrap_or_else(|| panic!("no {name} in {}", &s[..s.len().min(200)])) + marker.len();
    s[start..].split('"').next().unwrap()
}

/// Every task id in a piece of the page, in order.
fn task_ids(s: &str) -> Vec<i64> {
    s.split(r#"data-task-id=""#).skip(1).map(|rest| rest.split('"').next().unwrap().parse().unwrap()).collect()
}

fn cells(body: &str) -> Vec<CellSeen> {
    let mut out = Vec::new();
    for lane in body.split(r#"<section class="board-lane" id="lane-"#).skip(1) {
        let lane_id = lane.split('"').next().unwrap().to_string();
        let lane = lane.split("</section>").next().unwrap();
        for cell in lane.split(r#"<ul class="board-cell" "#).skip(1) {
            let cell = cell.split("</ul>").next().unwrap();
            out.push(CellSeen {
                lane: lane_id.clone(),
                col: attr(cell, "data-col").parse().unwrap(),
                status: attr(cell, "data-status").to_string(),
                tasks: task_ids(cell),
            });
        }
    }
    out
}

/// The markup of one card (the first with this id in the page).
fn card(body: &str, task: i64) -> &str {
    let marker = format!(r#"data-task-id="{task}""#);
    let at = body.find(&marker).unwrap_or_else(|| panic!("no card for task {task}"));
    let start = body[..at].rfind("<li ").unwrap();
    let end = at + body[at..].find("</li>").unwrap();
    &body[start..end]
}

/// The header of column `i`.
fn column_head(body: &str, i: usize) -> &str {
    let marker = format!(r#"id="col-{i}""#);
    let at = body.find(&marker).unwrap_or_else(|| panic!("no column {i}"));
    let start = body[..at].rfind("<div ").unwrap();
    let end = at + body[at..].find("</div>").unwrap();
    &body[start..end]
}

/// Groups tasks by status into sorted id sets.
fn by_status(tasks: &[&Task]) -> BTreeMap<String, BTreeSet<i64>> {
    let mut out: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
    for t in tasks {
        out.entry(t.status.clone()).or_default().insert(t.id.0);
    }
    out
}

fn seen_by_status(cells: &[CellSeen]) -> BTreeMap<String, BTreeSet<i64>> {
    let mut out: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
    for c in cells {
        let ids = out.entry(c.status.clone()).or_default();
        for id in &c.tasks {
            assert!(ids.insert(*id) || c.lane != "all", "task {id} twice in {}", c.status);
        }
    }
    out.retain(|_, ids| !ids.is_empty());
    out
}

#[tokio::test]
async fn the_board_shows_open_tasks_of_the_project_and_its_sub_projects_by_status() {
    let site = site().await;
    let (cookie, csrf) = site.admin().await;
    let ret = site.project("RET").await;
    let push = site.project("PUSH").await;
    let adm = site.project("ADM").await;

    // Beyond the demo: a sub-task, an archived task, a cancelled one, and a hostile title.
    let under = site.tasks_under(ret.id, false).await;
    let parent = under.iter().find(|t| t.project_id == push.id && t.status == "In progress").unwrap().clone();
    let sub = site.new_task(TaskInput { parent_id: Some(parent.id), ..task_input(push.id, "子任务：文案") }).await;
    let archived = site.new_task(task_input(push.id, "已归档的旧任务")).await;
    site.patch_task(archived.id, |p| p.archived = Some(true)).await;
    let cancelled = site.new_task(task_input(push.id, "已取消的任务")).await;
    site.patch_task(cancelled.id, |p| p.cancelled = Some(true)).await;
    let hostile = "<img src=x onerror=alert(1)>";
    let evil = site.new_task(TaskInput { labels: vec!["<b>x</b>".into()], ..task_input(push.id, hostile) }).await;

    let uri = format!("/projects/{}/board", ret.id.0);
    let page = site.get(&uri, Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);

    // Columns: the project's workflow, in order.
    let heads: Vec<String> =
        (0..ret.workflow.len()).map(|i| attr(column_head(&page.body, i), "data-status").to_string()).collect();
    let names: Vec<String> = ret.workflow.iter().map(|s| s.name.clone()).collect();
    assert_eq!(heads, names);
    assert!(!page.body.contains(&format!(r#"id="col-{}""#, ret.workflow.len())));

    // Exactly the open, non-archived tasks of RET and its sub-projects, grouped by status.
    let all = site.tasks_under(ret.id, true).await;
    let open: Vec<&Task> = all.iter().filter(|t| !t.archived && !t.cancelled).collect();
    let seen = cells(&page.body);
    assert!(seen.iter().all(|c| c.lane == "all"), "no swimlanes by default");
    assert_eq!(seen.len(), ret.workflow.len());
    assert_eq!(seen_by_status(&seen), by_status(&open));
    for c in &seen {
        assert_eq!(c.status, ret.workflow[c.col].name);
    }
    let shown: Vec<i64> = seen.iter().flat_map(|c| c.tasks.clone()).collect();
    assert!(!shown.contains(&archived.id.0) && !shown.contains(&cancelled.id.0));
    assert!(!page.body.contains("已归档的旧任务"), "archived tasks are not even loaded");
    let (adm_tasks, _) = site
        .app
        .list_tasks(&Actor::system(), TaskFilter { project_ids: Some(vec![adm.id]), ..Default::default() }, Page::ALL)
        .await
        .unwrap();
    assert!(adm_tasks.iter().all(|t| !shown.contains(&t.id.0)), "another project's tasks stay off");

    // Column counts: the number of cards, no limits yet.
    for (i, s) in ret.workflow.iter().enumerate() {
        let n = open.iter().filter(|t| t.status == s.name).count();
        let head = column_head(&page.body, i);
        assert!(head.contains(&format!(r#"aria-label="{n} 个任务">{n}</span>"#)), "{head}");
        assert!(!head.contains("over-wip"));
    }

    // A card: key, title, assignee, due date with overdue days in the viewer's zone, blocked, progress.
    let today = keel_app::clock::today_in("Asia/Shanghai", Utc::now());
    let late = open.iter().find(|t| t.title == "推送频控与免打扰时段开发").unwrap();
    let late_card = card(&page.body, late.id.0);
    let days = (today - late.due_date.unwrap()).num_days();
    assert!(late_card.contains(&late.key) && late_card.contains(&late.title));
    assert!(late_card.contains("刘洋"), "assignee: {late_card}");
    assert!(late_card.contains(&late.due_date.unwrap().to_string()));
    assert!(late_card.contains(&format!(r#"<span class="overdue">逾期 {days} 天</span>"#)), "{late_card}");
    assert!(late_card.contains(r#"<dd class="card-progress">40%</dd>"#), "{late_card}");
    let blocked = open.iter().find(|t| t.blocked).unwrap();
    let blocked_card = card(&page.body, blocked.id.0);
    assert!(blocked_card.contains("board-card cat-doing blocked") && blocked_card.contains(">受阻</span>"));
    // A done task past its due date is not overdue.
    let done = open.iter().find(|t| t.status == "Done" && t.due_date.is_some_and(|d| d < today)).unwrap();
    assert!(card(&page.body, done.id.0).contains(r#"<span class="overdue" hidden>"#));
    assert!(card(&page.body, done.id.0).contains(r#"<dd class="card-progress">100%</dd>"#));

    // A sub-task has its own card naming its parent.
    let sub_card = card(&page.body, sub.id.0);
    assert!(sub_card.contains(&format!(r#"data-parent-key="{}""#, parent.key)), "{sub_card}");
    assert!(sub_card.contains(&format!("{} 的子任务", parent.key)));

    // Hostile text is escaped, and the page has no inline script or style.
    let evil_card = card(&page.body, evil.id.0);
    assert!(evil_card.contains("&#60;img src=x onerror=alert(1)&#62;"), "{evil_card}");
    assert!(evil_card.contains("&#60;b&#62;x&#60;/b&#62;"));
    assert!(!page.body.contains("<img src=x") && !page.body.contains("<b>x</b>"));
    assert!(!page.body.contains("style="));
    // Only our own modules: the board's, the live-update script and the keyboard's.
    let scripts: Vec<&str> = page.body.split("<script").skip(1).collect();
    assert_eq!(scripts.len(), 3);
    assert!(scripts.iter().any(|s| s.starts_with(r#" type="module" src="/assets/keys.js?v="#)));
    assert!(scripts.iter().all(|s| s.starts_with(r#" type="module" src="/assets/"#)), "{scripts:?}");
    assert!(scripts.iter().any(|s| s.starts_with(r#" type="module" src="/assets/board.js?v="#)));
    assert!(scripts.iter().any(|s| s.starts_with(r#" type="module" src="/assets/live.js?v="#)));
    assert!(page.body.contains(&format!(r#"data-watch="project:{}""#, ret.id.0)), "the board follows its project");

    // Archived tasks on demand: shown marked, read-only, not counted.
    assert!(page.body.contains(&format!(r#"id="board-archived" href="{uri}?archived=1""#)));
    let with = site.get(&format!("{uri}?archived=1"), Some(&cookie)).await;
    assert_eq!(with.status, StatusCode::OK);
    let seen = cells(&with.body);
    let expected: Vec<&Task> = all.iter().filter(|t| !t.cancelled).collect();
    assert_eq!(seen_by_status(&seen), by_status(&expected));
    let archived_card = card(&with.body, archived.id.0);
    assert!(archived_card.contains("archived") && archived_card.contains(">已归档</span>"));
    assert!(!archived_card.contains("draggable=\"true\"") && !archived_card.contains("move-form"));
    let todo = open.iter().filter(|t| t.status == "To do").count();
    assert!(column_head(&with.body, 0).contains(&format!(">{todo}</span>")), "archived cards are not counted");
    assert!(with.body.contains(&format!(r#"id="board-archived" href="{uri}""#)), "a link hides them again");

    // The project page links its board; the script is served as JavaScript.
    let project_page = site.get(&format!("/projects/{}", ret.id.0), Some(&cookie)).await;
    assert!(project_page.body.contains(&format!(r#"href="/projects/{}/board""#, ret.id.0)));
    let js = site.get("/assets/board.js", None).await;
    assert_eq!(js.status, StatusCode::OK);
    assert_eq!(js.headers.get(header::CONTENT_TYPE).unwrap(), "text/javascript; charset=utf-8");
    assert!(js.headers.get(header::CACHE_CONTROL).unwrap().to_str().unwrap().contains("immutable"));
    assert!(js.body.contains("dragstart") && js.body.contains("application/json"));

    // In English too.
    let switched = site.post("/lang", &cookie, form(&[("csrf", &csrf), ("lang", "en"), ("next", &uri)])).await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER);
    let en = site.get(&uri, Some(&cookie)).await;
    assert!(en.body.contains(r#"<html lang="en">"#), "{}", &en.body[..200]);
    assert!(en.body.contains("Board") && en.body.contains("WIP limits") && en.body.contains("Show archived tasks"));
    assert!(card(&en.body, late.id.0).contains(&format!("{days} d overdue")));
    assert!(card(&en.body, sub.id.0).contains(&format!("Sub-task of {}", parent.key)));
}

#[tokio::test]
async fn a_private_project_has_no_board_for_those_who_may_not_see_it() {
    let site = site().await;
    let owner = site.user_id("zhaolei").await;
    let input = ProjectInput {
        key: "SECRET".into(),
        name: "保密项目".into(),
        description: String::new(),
        parent_id: None,
        owner_id: Some(owner),
        unit_id: None,
        status: None,
        start_date: None,
        target_date: None,
        private: true,
        workflow: None,
        key_result_ids: vec![],
    };
    let secret = site.app.create_project(&Actor::system(), input).await.unwrap();
    site.new_task(task_input(secret.id, "保密任务")).await;
    let uri = format!("/projects/{}/board", secret.id.0);
    let (lina, _) = site.log_in_as("lina").await;
    let hidden = site.get(&uri, Some(&lina)).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert!(!hidden.body.contains("保密"));
    let (zhaolei, _) = site.log_in_as("zhaolei").await;
    let mine = site.get(&uri, Some(&zhaolei)).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.body.contains("保密任务"));
    // No session: to the login page, and back here afterwards.
    let anonymous = site.get(&uri, None).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert!(anonymous.location().starts_with("/login?next="));
}

#[tokio::test]
async fn wip_limits_are_set_on_the_board_and_mark_columns_over_them() {
    let site = site().await;
    let (cookie, csrf) = site.admin().await;
    let ret = site.project("RET").await;
    let uri = format!("/projects/{}/board", ret.id.0);
    let open: Vec<Task> = site.tasks_under(ret.id, false).await.into_iter().filter(|t| !t.cancelled).collect();
    let count = |status: &str| open.iter().filter(|t| t.status == status).count();
    let doing = count("In progress");
    assert!(doing >= 2, "the demo has work in progress");

    let page = site.get(&uri, Some(&cookie)).await;
    assert!(page.body.contains(r#"<form method="post" action="/projects/"#) && page.body.contains(r#"id="wip-form""#));
    let version = page.field("version").unwrap();
    assert_eq!(version, ret.version.to_string());
    assert!(page.body.contains(r#"id="wip-1" name="wip-1" value="""#));

    // In progress limited below its count, Done above it (full-width digits as a Chinese keyboard types them).
    let limit = doing - 1;
    let body = form(&[
        ("csrf", &csrf),
        ("version", &version),
        ("lanes", "assignee"),
        ("archived", ""),
        ("wip-0", ""),
        ("wip-1", &limit.to_string()),
        ("wip-2", " "),
        ("wip-3", "９９"),
    ]);
    let saved = site.post(&format!("{uri}/wip"), &cookie, body).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location(), format!("{uri}?lanes=assignee"));
    let now = site.project("RET").await;
    let limits: Vec<Option<u32>> = now.workflow.iter().map(|s| s.wip_limit).collect();
    assert_eq!(limits, vec![None, Some(limit as u32), None, Some(99)]);
    assert_eq!(
        now.workflow.iter().map(|s| &s.name).collect::<Vec<_>>(),
        ret.workflow.iter().map(|s| &s.name).collect::<Vec<_>>()
    );

    let page = site.get(&uri, Some(&cookie)).await;
    let head = column_head(&page.body, 1);
    assert!(head.contains("over-wip"), "{head}");
    assert!(head.contains(&format!(r#"data-wip="{limit}""#)));
    assert!(
        head.contains(&format!(r#"aria-label="{doing} 个任务，超过上限 {limit} 个">{doing}/{limit}</span>"#)),
        "{head}"
    );
    let done_head = column_head(&page.body, 3);
    let done = count("Done");
    assert!(!done_head.contains("over-wip"));
    assert!(done_head.contains(&format!(r#"aria-label="{done} 个任务，上限 99 个">{done}/99</span>"#)), "{done_head}");
    assert!(!column_head(&page.body, 0).contains("over-wip"));
    assert!(page.body.contains(&format!(r#"id="wip-1" name="wip-1" value="{limit}""#)));

    // Not a whole number of at least 1: 422, the field named and marked, what was typed kept, nothing saved.
    let current = page.field("version").unwrap();
    for bad in ["abc", "0", "1.5", "-2"] {
        let body = form(&[("csrf", &csrf), ("version", &current), ("wip-0", bad), ("wip-1", "")]);
        let refused = site.post(&format!("{uri}/wip"), &cookie, body).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(refused.body.contains("“待办列的上限”有误：请填写不小于 1 的整数"), "{bad}: {}", refused.body);
        assert!(refused.body.contains(&format!(r#"id="wip-0" name="wip-0" value="{bad}""#)));
        assert!(refused.body.contains(r#"aria-describedby="wip-error wip-hint" aria-invalid="true""#));
        assert!(refused.body.contains(r#"id="board-wip" open"#));
    }
    assert_eq!(site.project("RET").await.version, now.version);

    // A stale version: 409, said plainly, nothing changed.
    let body = form(&[("csrf", &csrf), ("version", &version), ("wip-0", "5")]);
    let stale = site.post(&format!("{uri}/wip"), &cookie, body).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("该条目刚被他人修改，请刷新页面后重试。") && stale.body.contains("重新加载页面"));
    assert_eq!(site.project("RET").await.workflow[0].wip_limit, None);

    // Clearing a limit.
    let body = form(&[("csrf", &csrf), ("version", &current), ("wip-1", ""), ("wip-3", "99")]);
    assert_eq!(site.post(&format!("{uri}/wip"), &cookie, body).await.status, StatusCode::SEE_OTHER);
    assert_eq!(site.project("RET").await.workflow[1].wip_limit, None);
    assert!(!column_head(&site.get(&uri, Some(&cookie)).await.body, 1).contains("over-wip"));

    // A viewer sees no form and may not post one; a wrong token is refused too.
    let (viewer, viewer_csrf) = site.log_in_as("zhoujie").await;
    let seen = site.get(&uri, Some(&viewer)).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(!seen.body.contains("wip-form"));
    let v = site.project("RET").await.version.to_string();
    let body = form(&[("csrf", &viewer_csrf), ("version", &v), ("wip-0", "1")]);
    let refused = site.post(&format!("{uri}/wip"), &viewer, body).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("你没有权限执行此操作"));
    let forged =
        site.post(&format!("{uri}/wip"), &cookie, form(&[("csrf", "nope"), ("version", &v), ("wip-0", "1")])).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(site.project("RET").await.workflow[0].wip_limit, None);

    // Workflows stored before limits existed still read, and no limit is not written out.
    let old: Vec<WorkflowStatus> = serde_json::from_str(r#"[{"name":"To do","category":"todo"}]"#).unwrap();
    assert_eq!(old[0].wip_limit, None);
    assert_eq!(serde_json::to_string(&old).unwrap(), r#"[{"name":"To do","category":"todo"}]"#);
    let limited = WorkflowStatus { wip_limit: Some(3), ..old[0].clone() };
    assert!(serde_json::to_string(&limited).unwrap().contains(r#""wip_limit":3"#));
}

#[tokio::test]
async fn cards_move_with_the_fallback_form_or_the_script_and_refusals_are_explained() {
    let site = site().await;
    let sys = Actor::system();
    let (cookie, csrf) = site.admin().await;
    let ret = site.project("RET").await;
    let uri = format!("/projects/{}/board", ret.id.0);
    let open = site.tasks_under(ret.id, false).await;
    let task = open.iter().find(|t| t.status == "To do").unwrap().clone();

    // The card's form carries the token, version and the way back to the board.
    let page = site.get(&format!("{uri}?lanes=assignee"), Some(&cookie)).await;
    let lane = format!("user-{}", task.assignee_id.unwrap().0);
    let this = card(&page.body, task.id.0);
    assert!(this.contains(&format!(r#"id="card-{lane}-{}""#, task.id.0)), "{this}");
    assert!(this.contains(r#"draggable="true""#));
    assert!(this.contains(&format!(r#"action="/tasks/{}/status" class="move-form""#, task.id.0)));
    assert!(this.contains(&format!(r#"name="version" value="{}""#, task.version)));
    let next = format!("{uri}?lanes=assignee#card-{lane}-{}", task.id.0);
    assert!(this.contains(&format!(r#"name="next" value="{next}""#)), "{this}");
    assert!(this.contains(r#"<option value="To do" selected>待办</option>"#));

    // Moving: back to the board, the status changed.
    let move_form = |status: &str, version: i64, next: &str| {
        form(&[("csrf", &csrf), ("status", status), ("version", &version.to_string()), ("next", next)])
    };
    let status_uri = format!("/tasks/{}/status", task.id.0);
    let moved = site.post(&status_uri, &cookie, move_form("In progress", task.version, &next)).await;
    assert_eq!((moved.status, moved.location()), (StatusCode::SEE_OTHER, next.as_str()));
    let after = site.app.get_task(&sys, task.id).await.unwrap();
    assert_eq!(after.status, "In progress");
    let board = site.get(&uri, Some(&cookie)).await;
    let in_progress = cells(&board.body).into_iter().find(|c| c.status == "In progress").unwrap();
    assert!(in_progress.tasks.contains(&task.id.0));

    // The old version is stale: a 409 page, nothing changed.
    let stale = site.post(&status_uri, &cookie, move_form("Done", task.version, &next)).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("该条目刚被他人修改，请刷新页面后重试。"));
    assert_eq!(site.app.get_task(&sys, task.id).await.unwrap().status, "In progress");

    // A `next` off the site goes to the task's page instead.
    let off = site.post(&status_uri, &cookie, move_form("In review", after.version, "//evil.example/")).await;
    assert_eq!((off.status, off.location()), (StatusCode::SEE_OTHER, format!("/tasks/{}", task.id.0).as_str()));
    let after = site.app.get_task(&sys, task.id).await.unwrap();
    assert_eq!(after.status, "In review");

    // The script's request: the same form, answered in JSON.
    let ok = site.post_json(&status_uri, &cookie, move_form("done", after.version, "")).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let reply = ok.json();
    assert_eq!(reply["status"], "Done", "the workflow's own spelling");
    assert_eq!(reply["label"], "已完成");
    assert_eq!(reply["category"], "done");
    assert_eq!(reply["version"], after.version + 1);
    assert_eq!(site.app.get_task(&sys, task.id).await.unwrap().version, after.version + 1);
    let stale = site.post_json(&status_uri, &cookie, move_form("To do", after.version, "")).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(stale.json()["error"]["code"], "conflict");
    assert_eq!(stale.json()["error"]["message"], "该条目刚被他人修改，请刷新页面后重试。");
    let unknown = site.post_json(&status_uri, &cookie, move_form("Nowhere", after.version + 1, "")).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.json()["error"]["message"], "该任务所属项目的流程中没有这个状态。");
    let forged =
        site.post_json(&status_uri, &cookie, form(&[("csrf", "x"), ("status", "To do"), ("version", "1")])).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(forged.json()["error"]["message"], "表单已过期或并非来自 Keel，请刷新页面后重试。");
    assert_eq!(site.app.get_task(&sys, task.id).await.unwrap().status, "Done");

    // A viewer sees the board with nothing to move, and moving is forbidden.
    let (viewer, viewer_csrf) = site.log_in_as("zhoujie").await;
    let seen = site.get(&uri, Some(&viewer)).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert_eq!(seen_by_status(&cells(&seen.body)), seen_by_status(&cells(&board_now(&site, &uri, &cookie).await)));
    assert!(!seen.body.contains(r#"draggable="true""#) && !seen.body.contains("move-form\""));
    assert!(!seen.body.contains(r#"id="board-hint""#));
    let current = site.app.get_task(&sys, task.id).await.unwrap();
    let body =
        form(&[("csrf", &viewer_csrf), ("status", "To do"), ("version", &current.version.to_string()), ("next", &uri)]);
    let refused = site.post(&status_uri, &viewer, body.clone()).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("你没有权限执行此操作"));
    let refused = site.post_json(&status_uri, &viewer, body).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.json()["error"]["code"], "forbidden");
    assert_eq!(refused.json()["error"]["message"], "你没有权限执行此操作。");
    assert_eq!(site.app.get_task(&sys, task.id).await.unwrap().status, "Done");

    // A member moves what they may change and sees no form on the rest.
    let (member, _) = site.log_in_as("liuyang").await;
    let adm = site.project("ADM").await;
    let theirs = site.get(&format!("/projects/{}/board", adm.id.0), Some(&member)).await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(!theirs.body.contains("move-form\""), "ADM is another unit's project with none of liuyang's tasks");
    let mine = site.get(&uri, Some(&member)).await;
    assert!(mine.body.contains("move-form\""));
}

async fn board_now(site: &Site, uri: &str, cookie: &str) -> String {
    site.get(uri, Some(cookie)).await.body
}

#[tokio::test]
async fn swimlanes_group_cards_by_assignee_and_by_key_result() {
    let site = site().await;
    let (cookie, _) = site.admin().await;
    let ret = site.project("RET").await;
    let comm = site.project("COMM").await;
    let projects = site.projects().await;
    let uri = format!("/projects/{}/board", ret.id.0);

    // An unassigned task, and one supporting a key result of its own.
    let nobody = site.new_task(task_input(comm.id, "无人认领的任务")).await;
    let kr2 = site.kr_id("新用户7日留存率从20%提升至28%").await;
    let own = site.new_task(TaskInput { key_result_ids: vec![kr2], ..task_input(comm.id, "自带关键结果的任务") }).await;
    let open: Vec<Task> = site.tasks_under(ret.id, false).await.into_iter().filter(|t| !t.cancelled).collect();

    // By assignee: one lane per person, the unassigned last.
    let page = site.get(&format!("{uri}?lanes=assignee"), Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(r#"data-lanes="assignee" class="on" aria-current="page""#));
    let mut expected: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
    for t in &open {
        let lane = t.assignee_id.map(|a| format!("user-{}", a.0)).unwrap_or_else(|| "unassigned".into());
        expected.entry(lane).or_default().insert(t.id.0);
    }
    let seen = cells(&page.body);
    let mut lanes: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
    for c in &seen {
        lanes.entry(c.lane.clone()).or_default().extend(c.tasks.iter().copied());
        let t = open.iter().find(|t| c.tasks.contains(&t.id.0));
        if let Some(t) = t {
            assert_eq!(ret.workflow[c.col].name, t.status);
        }
    }
    assert_eq!(lanes, expected);
    assert!(expected["unassigned"].contains(&nobody.id.0));
    let order: Vec<&str> = page
        .body
        .split(r#"<section class="board-lane" id="lane-"#)
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .collect();
    assert_eq!(order.last(), Some(&"unassigned"));
    assert!(page.body.contains(r#"<h3 class="lane-title"><span>未分配</span>"#));
    // Every cell is labelled with its column and lane.
    assert!(page.body.contains(r#"aria-label="待办（泳道：未分配）""#));

    // By key result: a task's own links plus those of its project and the projects above it.
    let page = site.get(&format!("{uri}?lanes=kr"), Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    let by_id: HashMap<ProjectId, &Project> = projects.iter().map(|p| (p.id, p)).collect();
    let mut expected: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
    for t in &open {
        let mut krs: BTreeSet<i64> = t.key_result_ids.iter().map(|k| k.0).collect();
        let mut at = Some(t.project_id);
        while let Some(p) = at.and_then(|id| by_id.get(&id)) {
            krs.extend(p.key_result_ids.iter().map(|k| k.0));
            at = p.parent_id;
        }
        if krs.is_empty() {
            expected.entry("nokr".into()).or_default().insert(t.id.0);
        }
        for k in krs {
            expected.entry(format!("kr-{k}")).or_default().insert(t.id.0);
        }
    }
    let mut lanes: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
    for c in cells(&page.body) {
        lanes.entry(c.lane.clone()).or_default().extend(c.tasks.iter().copied());
    }
    assert_eq!(lanes, expected);
    assert!(expected[&format!("kr-{}", kr2.0)] == BTreeSet::from([own.id.0]), "only the task linking it");
    assert!(page.body.contains(r#"<span>新用户7日留存率从20%提升至28%</span>"#));
    assert!(page.body.contains(r#"<span>留存率提升至45%</span>"#));
    // A task in several lanes is still counted once in its column.
    for (i, s) in ret.workflow.iter().enumerate() {
        let n = open.iter().filter(|t| t.status == s.name).count();
        assert!(column_head(&page.body, i).contains(&format!(r#"aria-label="{n} 个任务">{n}</span>"#)));
    }
    // Its copies have distinct ids, one per lane.
    assert!(page.body.contains(&format!(r#"id="card-kr-{}-{}""#, kr2.0, own.id.0)));
    let kr1 = ret.key_result_ids[0].0;
    assert!(page.body.contains(&format!(r#"id="card-kr-{kr1}-{}""#, own.id.0)));

    // A project supporting nothing puts its tasks in "No key result", except one linking a KR itself.
    let lab = site
        .app
        .create_project(
            &Actor::system(),
            ProjectInput {
                key: "LAB".into(),
                name: "实验".into(),
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
        .unwrap();
    let plain = site.new_task(task_input(lab.id, "普通任务")).await;
    let linked = site.new_task(TaskInput { key_result_ids: vec![kr2], ..task_input(lab.id, "关联任务") }).await;
    let page = site.get(&format!("/projects/{}/board?lanes=kr", lab.id.0), Some(&cookie)).await;
    let mut lanes: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for c in cells(&page.body) {
        lanes.entry(c.lane).or_default().extend(c.tasks);
    }
    assert_eq!(
        lanes,
        BTreeMap::from([(format!("kr-{}", kr2.0), vec![linked.id.0]), ("nokr".into(), vec![plain.id.0])])
    );
    assert!(page.body.contains(r#"<span>未关联关键结果</span>"#));
}

#[tokio::test]
async fn a_sub_project_with_its_own_workflow_lands_in_matching_columns() {
    let site = site().await;
    let (cookie, csrf) = site.admin().await;
    let ret = site.project("RET").await;
    let status = |name: &str, category| WorkflowStatus { name: name.into(), category, wip_limit: None };
    use keel_domain::work::StatusCategory::*;
    let ops = site
        .app
        .create_project(
            &Actor::system(),
            ProjectInput {
                key: "OPS".into(),
                name: "运维".into(),
                description: String::new(),
                parent_id: Some(ret.id),
                owner_id: None,
                unit_id: None,
                status: None,
                start_date: None,
                target_date: None,
                private: false,
                workflow: Some(vec![status("Backlog", Todo), status("IN PROGRESS", Doing), status("Shipped", Done)]),
                key_result_ids: vec![],
            },
        )
        .await
        .unwrap();
    let backlog = site.new_task(task_input(ops.id, "排队中")).await;
    let busy = site.new_task(TaskInput { status: Some("IN PROGRESS".into()), ..task_input(ops.id, "处理中") }).await;
    let page = site.get(&format!("/projects/{}/board", ret.id.0), Some(&cookie)).await;
    let seen = cells(&page.body);
    let column_of = |id: i64| seen.iter().find(|c| c.tasks.contains(&id)).unwrap().status.clone();
    assert_eq!(column_of(backlog.id.0), "To do", "by category");
    assert_eq!(column_of(busy.id.0), "In progress", "by name, ignoring case");
    let backlog_card = card(&page.body, backlog.id.0);
    assert!(
        backlog_card.contains(r#"<p class="card-status">状态：<span class="card-status-label">Backlog</span></p>"#),
        "{backlog_card}"
    );
    assert!(card(&page.body, busy.id.0).contains(r#"<p class="card-status" hidden>"#));
    // Its card offers its own statuses, and the script learns each project's.
    assert!(backlog_card.contains(r#"<option value="Shipped">Shipped</option>"#));
    assert!(
        page.body.contains(&format!("&#34;{}&#34;:[[&#34;Backlog&#34;,&#34;todo&#34;]", ops.id.0)),
        "workflows JSON"
    );
    // Moving to a status only the board's project has is refused with words.
    let reply = site
        .post_json(
            &format!("/tasks/{}/status", backlog.id.0),
            &cookie,
            form(&[("csrf", &csrf), ("status", "In review"), ("version", &backlog.version.to_string())]),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.json()["error"]["code"], "invalid");
}
