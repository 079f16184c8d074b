//! The server-rendered pages, driven in-process through the real router over
//! a fresh SQLite file holding the demo organisation. Expected numbers are
//! worked out here from the inputs, never copied from a rendered page.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use chrono::Utc;
use http_body_util::BodyExt;
use keel_app::compute::KeyResultView;
use keel_app::store::Page;
use keel_app::work::TaskInput;
use keel_app::{Actor, App};
use keel_domain::work::StatusCategory;
use keel_testkit::{Backend, TestDb};
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
    /// The full Set-Cookie line for a cookie name.
    fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(str::to_string)
    }
    fn cookie_value(&self, name: &str) -> Option<String> {
        let line = self.set_cookie(name)?;
        Some(line[name.len() + 1..].split(';').next().unwrap_or("").to_string())
    }
    /// The value of the first hidden field with this name.
    fn field(&self, name: &str) -> Option<String> {
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

    async fn get(&self, uri: &str, cookie: Option<&str>, accept_language: Option<&str>) -> Reply {
        let mut req = Request::get(uri);
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        if let Some(l) = accept_language {
            req = req.header(header::ACCEPT_LANGUAGE, l);
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

    /// Logs in through the pages; returns the session cookie and the CSRF
    /// token its forms carry.
    async fn log_in(&self) -> (String, String) {
        self.log_in_as(&self.login).await
    }

    /// The demo gives everyone the same password.
    async fn log_in_as(&self, login: &str) -> (String, String) {
        let page = self.get("/login", None, None).await;
        let token = page.cookie_value("keel_csrf").expect("csrf cookie");
        let body = form(&[("csrf", &token), ("login", login), ("password", &self.password), ("next", "")]);
        let done = self.post("/login", Some(&format!("keel_csrf={token}")), body).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        let cookie = format!("keel_session={}", done.cookie_value("keel_session").expect("session cookie"));
        let okrs = self.get("/okrs", Some(&cookie), None).await;
        assert_eq!(okrs.status, StatusCode::OK);
        (cookie, okrs.field("csrf").expect("csrf field on a logged-in page"))
    }

    async fn kr(&self, title: &str) -> KeyResultView {
        let sys = Actor::system();
        for cycle in self.app.list_cycles(&sys).await.unwrap() {
            let tree = self.app.okr_tree(&sys, cycle.id).await.unwrap();
            if let Some(kr) = tree.objectives.iter().flat_map(|o| &o.key_results).find(|k| k.key_result.title == title)
            {
                return kr.clone();
            }
        }
        panic!("no key result {title}");
    }
}

/// The part of a page that shows one key result on the OKR tree.
fn kr_section(body: &str, id: i64) -> &str {
    let start = body.find(&format!(r#"id="kr-{id}""#)).expect("key result on the page");
    let rest = &body[start..];
    &rest[..rest.find("</li>").unwrap_or(rest.len())]
}

#[tokio::test]
async fn login_sets_a_session_and_checks_the_form_token() {
    let site = site().await;
    let page = site.get("/login", None, Some("en")).await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf_line = page.set_cookie("keel_csrf").expect("csrf cookie");
    assert!(csrf_line.contains("HttpOnly") && csrf_line.contains("SameSite=Strict"), "{csrf_line}");
    let token = page.cookie_value("keel_csrf").unwrap();
    assert_eq!(page.field("csrf").as_deref(), Some(token.as_str()), "the hidden field repeats the cookie");
    let jar = format!("keel_csrf={token}");

    let good = |csrf: &str, password: &str| form(&[("csrf", csrf), ("login", &site.login), ("password", password)]);
    // No token, and a token that is not the cookie's: refused before the password is even looked at.
    let missing = site.post("/login", Some(&jar), form(&[("login", &site.login), ("password", &site.password)])).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    let wrong = site.post("/login", Some(&jar), good(&"0".repeat(64), &site.password)).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let no_cookie = site.post("/login", None, good(&token, &site.password)).await;
    assert_eq!(no_cookie.status, StatusCode::FORBIDDEN);
    assert!(missing.set_cookie("keel_session").is_none() && wrong.set_cookie("keel_session").is_none());

    // A wrong password is told in the reader's language, with 401.
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, &jar)
        .header(header::ACCEPT_LANGUAGE, "en");
    let bad_password = site.send(req.body(Body::from(good(&token, "not-the-password"))).unwrap()).await;
    assert_eq!(bad_password.status, StatusCode::UNAUTHORIZED);
    assert!(bad_password.body.contains("Wrong login or password."));
    assert!(bad_password.set_cookie("keel_session").is_none());

    let ok = site.post("/login", Some(&jar), good(&token, &site.password)).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.location(), "/okrs");
    let session = ok.set_cookie("keel_session").expect("session cookie");
    for part in ["HttpOnly", "SameSite=Lax", "Path=/", &format!("Max-Age={}", 14 * 24 * 3600)] {
        assert!(session.contains(part), "{session} lacks {part}");
    }
    assert!(!session.contains("Secure"), "no Secure flag unless configured");
    let cookie = format!("keel_session={}", ok.cookie_value("keel_session").unwrap());
    let okrs = site.get("/okrs", Some(&cookie), None).await;
    assert_eq!(okrs.status, StatusCode::OK);

    // Logging out needs the session's token, ends the session and clears the cookie.
    let csrf = okrs.field("csrf").unwrap();
    assert_eq!(site.post("/logout", Some(&cookie), form(&[("csrf", "nope")])).await.status, StatusCode::FORBIDDEN);
    let out = site.post("/logout", Some(&cookie), form(&[("csrf", &csrf)])).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.location(), "/login");
    assert!(out.set_cookie("keel_session").unwrap().contains("Max-Age=0"));
    let after = site.get("/okrs", Some(&cookie), None).await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    assert!(after.location().starts_with("/login"));
}

#[tokio::test]
async fn pages_need_a_session() {
    let site = site().await;
    let root = site.get("/", None, None).await;
    assert_eq!((root.status, root.location()), (StatusCode::SEE_OTHER, "/login?next=/"), "home needs a session");
    for uri in ["/okrs", "/projects", "/key-results/1", "/tasks/1", "/projects/1"] {
        let r = site.get(uri, None, None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{uri}");
        assert!(r.location().starts_with("/login"), "{uri} → {}", r.location());
    }
    // After logging in, the person lands where they were going.
    let r = site.get("/okrs?cycle=1", Some("keel_session=forged"), None).await;
    assert_eq!(r.location(), "/login?next=/okrs%3Fcycle%3D1");
    let page = site.get("/login?next=/projects", None, None).await;
    let token = page.cookie_value("keel_csrf").unwrap();
    let body = form(&[("csrf", &token), ("login", &site.login), ("password", &site.password), ("next", "/projects")]);
    let ok = site.post("/login", Some(&format!("keel_csrf={token}")), body).await;
    assert_eq!(ok.location(), "/projects");
    let body =
        form(&[("csrf", &token), ("login", &site.login), ("password", &site.password), ("next", "//evil.example/")]);
    let ok = site.post("/login", Some(&format!("keel_csrf={token}")), body).await;
    assert_eq!(ok.location(), "/okrs", "an off-site next is ignored");
}

#[tokio::test]
async fn okr_tree_shows_objectives_and_key_results_with_their_progress() {
    let site = site().await;
    let (cookie, _) = site.log_in().await;
    let page = site.get("/okrs", Some(&cookie), None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(r#"<html lang="zh-CN">"#), "the demo admin reads Chinese");
    assert!(page.body.contains("提升用户留存率"));
    assert!(page.body.contains("留存率提升至45%"));

    let kr = site.kr("留存率提升至45%").await;
    let k = &kr.key_result;
    let (s, t, c) = (k.start_value.unwrap(), k.target_value.unwrap(), k.current_value.unwrap());
    let percent = ((c - s) / (t - s) * 100.0).round() as i64;
    let section = kr_section(&page.body, k.id.0);
    assert!(section.contains(&format!(r#"<span class="pct">{percent}%</span>"#)), "{percent}% not in {section}");
    assert!(section.contains(&format!("/key-results/{}", k.id.0)));
    // Confidence of the last check-in, straight from the check-in the app kept.
    let confidence = kr.last_check_in.as_ref().and_then(|c| c.confidence).unwrap();
    assert!(section.contains(&format!("信心 {confidence}/10")), "{section}");
    assert!(page.body.contains("按时间进度，今天"));

    // The aligned unit objective sits one step in from the company objective.
    let growth = page.body.find("推送与社区驱动用户活跃").unwrap();
    let li = page.body[..growth].rfind("<li class=\"objective").unwrap();
    assert!(page.body[li..growth].contains("depth-1"));
}

#[tokio::test]
async fn language_follows_user_then_cookie_then_browser() {
    let site = site().await;
    let en = site.get("/login", None, Some("en-GB,en;q=0.9")).await;
    assert!(en.body.contains(r#"<html lang="en">"#));
    assert!(en.body.contains("Log in to Keel") && en.body.contains("Password"));
    let zh = site.get("/login", None, Some("zh-CN,zh;q=0.9")).await;
    assert!(zh.body.contains(r#"<html lang="zh-CN">"#));
    assert!(zh.body.contains("登录 Keel") && zh.body.contains("密码"));
    let cookie_wins = site.get("/login", Some("keel_lang=zh-CN"), Some("en")).await;
    assert!(cookie_wins.body.contains("登录 Keel"));
    let fallback = site.get("/login", None, Some("de, fr")).await;
    assert!(fallback.body.contains("Log in to Keel"));

    // Logged in: the saved language beats the browser's.
    let (cookie, csrf) = site.log_in().await;
    let page = site.get("/okrs", Some(&cookie), Some("en")).await;
    assert!(page.body.contains("目标与关键结果") && page.body.contains("负责人"));

    // Switching needs the session's token, saves the choice and goes back.
    let refused = site.post("/lang", Some(&cookie), form(&[("lang", "en"), ("next", "/okrs"), ("csrf", "x")])).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let switched =
        site.post("/lang", Some(&cookie), form(&[("lang", "en"), ("next", "/projects"), ("csrf", &csrf)])).await;
    assert_eq!((switched.status, switched.location()), (StatusCode::SEE_OTHER, "/projects"));
    assert_eq!(switched.cookie_value("keel_lang").as_deref(), Some("en"));
    let sys = Actor::system();
    let users = site.app.list_users(&sys, Page::ALL).await.unwrap();
    let admin = users.iter().find(|u| u.login.as_deref() == Some(site.login.as_str())).unwrap();
    assert_eq!(admin.lang, Some(keel_domain::org::Lang::En), "the choice is saved to the person");
    let page = site.get("/okrs", Some(&cookie), Some("zh-CN")).await;
    assert!(page.body.contains(r#"<html lang="en">"#));
    assert!(page.body.contains("Objectives and key results") && page.body.contains("Owner"));
    assert!(!page.body.contains("负责人"));

    // A guest switches with the cookie alone; an off-site target is ignored.
    let guest = site.post("/lang", None, form(&[("lang", "zh-CN"), ("next", "//evil.example")])).await;
    assert_eq!((guest.status, guest.location()), (StatusCode::SEE_OTHER, "/okrs"));
    assert_eq!(guest.cookie_value("keel_lang").as_deref(), Some("zh-CN"));
}

#[tokio::test]
async fn markdown_is_rendered_without_running_anything() {
    let site = site().await;
    let sys = Actor::system();
    let projects = site.app.list_projects(&sys, Page::ALL).await.unwrap();
    let push = projects.iter().find(|p| p.key == "PUSH").unwrap();
    let evil = "Hello <img src=x onerror=alert(1)> and [x](javascript:alert(1))\n\n```\n<b>bold</b>\n```\n";
    let task = site
        .app
        .create_task(
            &sys,
            TaskInput {
                project_id: push.id,
                title: "安全测试".into(),
                description: evil.into(),
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
            },
        )
        .await
        .unwrap();
    let (cookie, csrf) = site.log_in().await;
    let uri = format!("/tasks/{}", task.id.0);
    let posted = site.post(&format!("{uri}/comments"), Some(&cookie), form(&[("csrf", &csrf), ("body", evil)])).await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER);
    let page = site.get(&uri, Some(&cookie), None).await;
    assert_eq!(page.status, StatusCode::OK);
    // The edit form holds the Markdown as typed, escaped text inside a textarea;
    // everything else on the page is what the Markdown renders to.
    let escaped = evil.replace('&', "&#38;").replace('<', "&#60;").replace('>', "&#62;");
    assert!(page.body.contains(&format!(">{escaped}</textarea>")), "the source is editable, as text");
    let mut shown = page.body.clone();
    while let Some(start) = shown.find("<textarea") {
        let end = shown[start..].find("</textarea>").map(|e| start + e + "</textarea>".len()).unwrap_or(shown.len());
        shown.replace_range(start..end, "");
    }
    assert!(shown.contains("Hello"));
    assert!(!shown.contains("onerror"), "an event handler survived");
    assert!(!shown.contains("javascript:"), "a javascript: link survived");
    // Once in the description and once in the comment, shown literally.
    assert_eq!(shown.matches("&lt;b&gt;bold&lt;/b&gt;").count(), 2);
    assert!(!page.body.contains("<b>bold</b>"));
}

#[tokio::test]
async fn forms_without_the_session_token_are_refused() {
    let site = site().await;
    let sys = Actor::system();
    let (tasks, _) = site.app.list_tasks(&sys, Default::default(), Page::ALL).await.unwrap();
    let task = &tasks[0];
    let before = site.app.task_detail(&sys, task.id).await.unwrap().comments.len();
    let (cookie, _) = site.log_in().await;
    let uri = format!("/tasks/{}/comments", task.id.0);
    let r = site.post(&uri, Some(&cookie), form(&[("body", "无令牌的评论")])).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = site.post(&uri, Some(&cookie), form(&[("body", "错误令牌"), ("csrf", "0123")])).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(site.app.task_detail(&sys, task.id).await.unwrap().comments.len(), before);
}

#[tokio::test]
async fn check_in_form_records_a_check_in() {
    let site = site().await;
    let kr = site.kr("留存率提升至45%").await;
    let id = kr.key_result.id;
    let sys = Actor::system();
    let before = site.app.list_check_ins(&sys, id).await.unwrap().len();
    let (cookie, csrf) = site.log_in().await;
    let uri = format!("/key-results/{}/check-in", id.0);

    let bad = site.post(&uri, Some(&cookie), form(&[("csrf", &csrf), ("value", "abc"), ("confidence", "7")])).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("请输入一个数字"));
    let no_token = site.post(&uri, Some(&cookie), form(&[("value", "43"), ("confidence", "7")])).await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN);
    assert_eq!(site.app.list_check_ins(&sys, id).await.unwrap().len(), before);

    let ok = site
        .post(
            &uri,
            Some(&cookie),
            form(&[("csrf", &csrf), ("value", "43.5"), ("confidence", "8"), ("note", "活动拉新见效")]),
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.location(), format!("/key-results/{}", id.0));
    let check_ins = site.app.list_check_ins(&sys, id).await.unwrap();
    assert_eq!(check_ins.len(), before + 1);
    let latest = check_ins.iter().max_by_key(|c| (c.at, c.id)).unwrap();
    assert_eq!((latest.value, latest.confidence, latest.note.as_str()), (Some(43.5), Some(8), "活动拉新见效"));
    let now = site.kr("留存率提升至45%").await;
    assert_eq!(now.key_result.current_value, Some(43.5));

    // The KR page shows the new state: (43.5 − s)/(t − s).
    let (s, t) = (now.key_result.start_value.unwrap(), now.key_result.target_value.unwrap());
    let percent = ((43.5 - s) / (t - s) * 100.0).round() as i64;
    let page = site.get(&format!("/key-results/{}", id.0), Some(&cookie), None).await;
    assert!(page.body.contains(&format!(r#"<span class="pct">{percent}%</span>"#)));
    assert!(page.body.contains("活动拉新见效"));
    assert!(page.body.contains("(当前值 − 起始值) / (目标值 − 起始值)"));
}

#[tokio::test]
async fn numbers_take_thousands_separators_and_full_width_digits_but_no_decimal_comma() {
    let site = site().await;
    let sys = Actor::system();
    let title = "留存率提升至45%";
    let id = site.kr(title).await.key_result.id.0;
    // lina owns this key result: she may check in and edit it.
    let (cookie, csrf) = site.log_in_as("lina").await;
    let uri = format!("/key-results/{id}");
    let check_in =
        |value: &str, note: &str| form(&[("csrf", &csrf), ("value", value), ("confidence", "6"), ("note", note)]);
    let latest = || async {
        let all = site.app.list_check_ins(&sys, keel_domain::KeyResultId(id)).await.unwrap();
        let last = all.iter().max_by_key(|c| (c.at, c.id)).unwrap();
        (all.len(), last.value, last.note.clone())
    };

    // "1,000" is a thousand, not 1.0.
    let r = site.post(&format!("{uri}/check-in"), Some(&cookie), check_in("1,000", "千位分隔")).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, uri.as_str()));
    let (count, value, note) = latest().await;
    assert_eq!((value, note.as_str()), (Some(1000.0), "千位分隔"));
    // So is what a Chinese keyboard types in full width, and a million with two separators.
    for (typed, want) in [("１０００", 1000.0), ("９９．９", 99.9), ("1,000,000", 1_000_000.0), ("45%", 45.0)] {
        let r = site.post(&format!("{uri}/check-in"), Some(&cookie), check_in(typed, typed)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{typed}");
        assert_eq!(latest().await.1, Some(want), "{typed}");
    }
    let count = count + 4;

    // "1,5" is refused, not guessed: 422, why in Chinese, and the form as typed.
    let r = site.post(&format!("{uri}/check-in"), Some(&cookie), check_in("1,5", "逗号小数")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("“数值”有误：小数请用小数点（如 1.5）；逗号只能用作千位分隔符"), "{}", r.body);
    assert!(r.body.contains(r#"name="value" value="1,5""#), "the value as typed");
    assert!(r.body.contains(r#"aria-invalid="true" aria-describedby="ci-error""#));
    assert!(r.body.contains(r#"name="confidence" value="6""#));
    assert!(r.body.contains(">逗号小数</textarea>"), "the note as typed");
    let r = site.post(&format!("{uri}/check-in"), Some(&cookie), check_in("1,0000", "")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(latest().await.0, count, "nothing was recorded");

    // Key result edit form: the same parser for start and target.
    let version = site.get(&uri, Some(&cookie), None).await.field("version").unwrap();
    let edit = |start: &str, target: &str| {
        form(&[
            ("csrf", &csrf),
            ("version", &version),
            ("title", title),
            ("start", start),
            ("target", target),
            ("due", ""),
            ("status", ""),
            ("reason", ""),
        ])
    };
    let r = site.post(&format!("{uri}/edit"), Some(&cookie), edit("38", "1,0000")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("“目标值”有误：小数请用小数点"), "{}", r.body);
    assert!(r.body.contains(r#"name="target" value="1,0000""#));
    let r = site.post(&format!("{uri}/edit"), Some(&cookie), edit("1,000", "１，２００")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let k = site.kr(title).await.key_result;
    assert_eq!((k.start_value, k.target_value), (Some(1000.0), Some(1200.0)));

    // New key result form (an admin's, on the company objective): start, target and weight.
    let (admin, admin_csrf) = site.log_in().await;
    let retention = site.objective_id("提升用户留存率").await;
    let new_kr = format!("/objectives/{retention}/key-results");
    let typed = [("title", "年收入"), ("start", "1,000,000"), ("target", "2,500,000.5"), ("weight", "２")];
    let r = site.post(&new_kr, Some(&admin), kr_form(&admin_csrf, &typed)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let k = site.kr("年收入").await.key_result;
    assert_eq!((k.start_value, k.target_value, k.weight), (Some(1_000_000.0), Some(2_500_000.5), 2.0));
    let typed = [("title", "逗号小数"), ("start", "0"), ("target", "1,5")];
    let r = site.post(&new_kr, Some(&admin), kr_form(&admin_csrf, &typed)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("“目标值”有误：小数请用小数点"), "{}", r.body);
    let typed = [("title", "里程碑"), ("kind", "milestone"), ("items", "方案 | 1,000\n上线 | 1,5")];
    let r = site.post(&new_kr, Some(&admin), kr_form(&admin_csrf, &typed)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("第 2 行“|”后的权重不是数字。小数请用小数点"), "{}", r.body);

    // An English reader is told in English.
    let switched = site.post("/lang", Some(&cookie), form(&[("lang", "en"), ("next", "/okrs"), ("csrf", &csrf)])).await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER);
    let r = site.post(&format!("{uri}/check-in"), Some(&cookie), check_in("1,5", "")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("Value: Use a point for decimals (e.g. 1.5); a comma may only separate groups of three digits"),
        "{}",
        r.body
    );
    assert!(r.body.contains(r#"name="value" value="1,5""#));
    assert_eq!(latest().await.0, count, "nothing was recorded");
}

#[tokio::test]
async fn key_result_pages_explain_their_rule_and_tick_milestones() {
    let site = site().await;
    let (cookie, csrf) = site.log_in().await;
    let work = site.kr("用户活跃度优化专项按计划交付").await;
    let page = site.get(&format!("/key-results/{}", work.key_result.id.0), Some(&cookie), None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Σ 估时×进度 / Σ 估时，按关联任务计"));
    let counted = work.work.as_ref().unwrap().counted_tasks;
    assert!(page.body.contains(&format!("计入 {counted} 个任务")));
    assert!(page.body.contains("用户活跃度优化专项"), "the linked project is listed");

    let milestones = site.kr("三个子项目按里程碑上线").await;
    let open = milestones.items.iter().find(|i| !i.done).unwrap();
    let uri = format!("/key-results/{}/items/{}", milestones.key_result.id.0, open.id.0);
    let r = site.post(&uri, Some(&cookie), form(&[("csrf", &csrf), ("done", "true")])).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let after = site.kr("三个子项目按里程碑上线").await;
    assert!(after.items.iter().all(|i| i.done));
    assert_eq!(after.progress, 1.0);
}

#[tokio::test]
async fn projects_show_health_tasks_and_overdue_days_in_the_viewers_zone() {
    let site = site().await;
    let (cookie, csrf) = site.log_in().await;
    let list = site.get("/projects", Some(&cookie), None).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("用户活跃度优化专项") && list.body.contains("推送策略优化"));
    assert!(list.body.contains("留存率提升至45%"), "the KR the project supports");

    let sys = Actor::system();
    let projects = site.app.list_projects(&sys, Page::ALL).await.unwrap();
    let ret = projects.iter().find(|p| p.key == "RET").unwrap();
    let page = site.get(&format!("/projects/{}", ret.id.0), Some(&cookie), None).await;
    assert_eq!(page.status, StatusCode::OK);
    // Tasks of the sub-projects are listed on the parent.
    let (tasks, _) = site.app.list_tasks(&sys, Default::default(), Page::ALL).await.unwrap();
    let late = tasks.iter().find(|t| t.title == "推送频控与免打扰时段开发").unwrap();
    assert!(page.body.contains(&late.key));
    let today = keel_app::clock::today_in("Asia/Shanghai", Utc::now());
    let days = (today - late.due_date.unwrap()).num_days();
    let row_start = page.body.find(&late.title).unwrap();
    let row = &page.body[row_start..row_start + page.body[row_start..].find("</tr>").unwrap()];
    assert!(row.contains(&format!("逾期 {days} 天")), "{row}");
    let blocked = tasks.iter().find(|t| t.blocked).unwrap();
    let row_start = page.body.find(&blocked.title).unwrap();
    assert!(page.body[row_start..].split("</tr>").next().unwrap().contains("受阻"));

    // The status form moves a task, and a stale version is a conflict.
    let uri = format!("/tasks/{}/status", late.id.0);
    let ok = site
        .post(&uri, Some(&cookie), form(&[("csrf", &csrf), ("status", "Done"), ("version", &late.version.to_string())]))
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(site.app.get_task(&sys, late.id).await.unwrap().category, StatusCategory::Done);
    let stale = site
        .post(
            &uri,
            Some(&cookie),
            form(&[("csrf", &csrf), ("status", "To do"), ("version", &late.version.to_string())]),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let task_page = site.get(&format!("/tasks/{}", late.id.0), Some(&cookie), None).await;
    assert!(task_page.body.contains("修改了：状态"), "the history names the change");
}

#[tokio::test]
async fn first_start_setup_creates_the_admin_and_logs_in() {
    let db = keel_testkit::fresh(Backend::Sqlite).await;
    let app = App::new(db.store.clone(), Default::default());
    let token = app.setup_token_if_needed().await.unwrap().expect("fresh instance");
    let site = Site {
        router: keel_web::router(app.clone(), Default::default()),
        app,
        login: String::new(),
        password: String::new(),
        _db: db,
    };
    let page = site.get(&format!("/setup?token={token}"), None, Some("en")).await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = page.cookie_value("keel_csrf").unwrap();
    let jar = format!("keel_csrf={csrf}");
    let fields = |password: &str| {
        form(&[
            ("csrf", &csrf),
            ("token", &token),
            ("login", "admin"),
            ("display_name", "管理员"),
            ("password", password),
        ])
    };
    assert_eq!(site.post("/setup", None, fields("long enough pw")).await.status, StatusCode::FORBIDDEN);
    // A short password is refused without spending the one-time link.
    assert_eq!(site.post("/setup", Some(&jar), fields("short")).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(site.app.setup_pending().await.unwrap());
    let done = site.post("/setup", Some(&jar), fields("long enough pw")).await;
    assert_eq!((done.status, done.location()), (StatusCode::SEE_OTHER, "/okrs"));
    assert!(!site.app.setup_pending().await.unwrap());
    let cookie = format!("keel_session={}", done.cookie_value("keel_session").unwrap());
    let okrs = site.get("/okrs", Some(&cookie), Some("en")).await;
    assert_eq!(okrs.status, StatusCode::OK);
    assert!(okrs.body.contains("There is no OKR cycle yet"));
    assert_eq!(site.get("/setup", None, None).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn stylesheet_is_served_with_a_long_cache() {
    let site = site().await;
    let css = site.get("/assets/keel.css", None, None).await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.headers.get(header::CONTENT_TYPE).unwrap(), "text/css; charset=utf-8");
    assert!(css.headers.get(header::CACHE_CONTROL).unwrap().to_str().unwrap().contains("max-age=31536000"));
    assert!(css.body.contains("prefers-color-scheme: dark"));
    // Pages link it by content hash and carry no inline style or script.
    let login = site.get("/login", None, None).await;
    assert!(login.body.contains(r#"href="/assets/keel.css?v="#));
    assert!(!login.body.contains("style="));
    // Its one script is our own module (the input-method guard), never inline.
    let scripts: Vec<&str> = login.body.split("<script").skip(1).collect();
    assert_eq!(scripts.len(), 1);
    assert!(scripts[0].starts_with(r#" type="module" src="/assets/keys.js?v="#), "{scripts:?}");
}

#[tokio::test]
async fn the_app_decides_who_may_change_what_and_errors_are_pages() {
    let site = site().await;
    // zhoujie is a viewer in the demo: reads everything, changes nothing.
    let (cookie, csrf) = site.log_in_as("zhoujie").await;
    let milestones = site.kr("三个子项目按里程碑上线").await;
    let kr_page = site.get(&format!("/key-results/{}", milestones.key_result.id.0), Some(&cookie), None).await;
    assert_eq!(kr_page.status, StatusCode::OK);
    assert!(!kr_page.body.contains("/check-in\""), "no check-in form for a viewer");
    let open = milestones.items.iter().find(|i| !i.done).unwrap();
    let uri = format!("/key-results/{}/items/{}", milestones.key_result.id.0, open.id.0);
    let refused = site.post(&uri, Some(&cookie), form(&[("csrf", &csrf), ("done", "true")])).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("你没有权限执行此操作"));
    assert!(!site.kr("三个子项目按里程碑上线").await.items.iter().find(|i| i.id == open.id).unwrap().done);

    let missing = site.get("/tasks/987654", Some(&cookie), None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.contains(r#"<html lang="zh-CN">"#) && missing.body.contains("找不到该页面或条目"));
}

// ---- Planning a cycle through the pages: cycles, objectives, key results, links, edits.

/// The number after `marker` in a redirect such as "/okrs?cycle=7#kr-12".
fn id_after(location: &str, marker: &str) -> i64 {
    let start = location.find(marker).unwrap_or_else(|| panic!("{marker} not in {location}")) + marker.len();
    location[start..].chars().take_while(char::is_ascii_digit).collect::<String>().parse().unwrap()
}

/// The key-result form as a browser sends it: every field, the defaults
/// left as the page shows them, then what the person typed.
fn kr_form(csrf: &str, typed: &[(&str, &str)]) -> String {
    let mut fields: Vec<(&str, &str)> = vec![
        ("csrf", csrf),
        ("title", ""),
        ("kind", "metric"),
        ("owner", ""),
        ("weight", ""),
        ("due", ""),
        ("start", ""),
        ("target", ""),
        ("direction", "at_least"),
        ("line", ""),
        ("unit_label", ""),
        ("items", ""),
    ];
    for (k, v) in typed {
        match fields.iter_mut().find(|(name, _)| name == k) {
            Some(field) => field.1 = v,
            None => fields.push((k, v)),
        }
    }
    form(&fields)
}

impl Site {
    async fn user_id(&self, login: &str) -> i64 {
        let users = self.app.list_users(&Actor::system(), Page::ALL).await.unwrap();
        users.iter().find(|u| u.login.as_deref() == Some(login)).unwrap().id.0
    }
    async fn unit_id(&self, name: &str) -> i64 {
        self.app.list_units(&Actor::system()).await.unwrap().iter().find(|u| u.name == name).unwrap().id.0
    }
    async fn objective_id(&self, title: &str) -> i64 {
        let all = self.app.list_objectives(&Actor::system(), None, Page::ALL).await.unwrap();
        all.iter().find(|o| o.title == title).unwrap_or_else(|| panic!("no objective {title}")).id.0
    }
}

#[tokio::test]
async fn planning_forms_create_a_cycle_objectives_and_key_results_of_every_kind() {
    use keel_domain::okr::{CycleState, KrKind, ObjectiveLevel, ThresholdDirection};
    let site = site().await;
    let sys = Actor::system();
    let (cookie, csrf) = site.log_in().await;
    let page = site.get("/okrs", Some(&cookie), None).await;
    assert!(page.body.contains(r#"action="/cycles""#), "an admin gets the cycle form");

    // A cycle around today, inside the demo year.
    let today = keel_app::clock::today_in("Asia/Shanghai", Utc::now());
    let (start, end) = (today - chrono::Duration::days(10), today + chrono::Duration::days(20));
    let cycles = site.app.list_cycles(&sys).await.unwrap();
    let year = cycles.iter().find(|c| c.parent_id.is_none()).unwrap();
    let (start_s, end_s, year_s) = (start.to_string(), end.to_string(), year.id.0.to_string());
    let r = site
        .post(
            "/cycles",
            Some(&cookie),
            form(&[
                ("csrf", &csrf),
                ("name", "2031 冲刺周期"),
                ("start", &start_s),
                ("end", &end_s),
                ("state", "active"),
                ("parent", &year_s),
                ("from", ""),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let cycle_id = id_after(r.location(), "cycle=");
    let cycle = site.app.get_cycle(&sys, keel_domain::CycleId(cycle_id)).await.unwrap();
    assert_eq!(
        (cycle.name.as_str(), cycle.start_date, cycle.end_date, cycle.state, cycle.parent_id),
        ("2031 冲刺周期", start, end, CycleState::Active, Some(year.id))
    );

    // A company objective, described in Chinese over two lines.
    let me = site.user_id(&site.login).await.to_string();
    let lina = site.user_id("lina").await.to_string();
    let company_unit = site.unit_id("启航科技").await.to_string();
    let growth_unit = site.unit_id("增长部").await.to_string();
    let cycle_s = cycle_id.to_string();
    let objective = |title: &'static str, level: &'static str, unit: String, owner: String, align: String| {
        let mut fields = vec![
            ("csrf".to_string(), csrf.clone()),
            ("cycle".into(), cycle_s.clone()),
            ("title".into(), title.to_string()),
            ("description".into(), format!("{title}：为什么重要\n第二行说明")),
            ("level".into(), level.to_string()),
            ("unit".into(), unit),
            ("owner".into(), owner),
            ("align".into(), align),
        ];
        if level == "individual" {
            fields.push(("private".into(), "on".into()));
        }
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        form(&pairs)
    };
    let r = site
        .post(
            "/objectives",
            Some(&cookie),
            objective("客户满意度全面提升", "company", company_unit.clone(), me.clone(), String::new()),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(r.location().starts_with(&format!("/okrs?cycle={cycle_id}#obj-")));
    let company = id_after(r.location(), "#obj-");

    // One key result of every kind under it.
    let uri = format!("/objectives/{company}/key-results");
    let due = end.to_string();
    let mut kr_ids = Vec::new();
    for typed in [
        vec![
            ("title", "NPS 从20提升到80"),
            ("owner", lina.as_str()),
            ("weight", "2"),
            ("start", "20"),
            ("target", "80"),
            ("unit_label", "分"),
            ("due", due.as_str()),
        ],
        vec![
            ("title", "客服首次响应不超过2小时"),
            ("kind", "threshold"),
            ("line", "2"),
            ("direction", "at_most"),
            ("unit_label", "小时"),
            // Typed into the metric fieldset by mistake: a threshold ignores it.
            ("start", "9"),
        ],
        vec![
            ("title", "满意度调研三步走"),
            ("kind", "milestone"),
            ("items", "问卷设计 | 1\n\n全量投放｜2\n结果复盘\n"),
        ],
        vec![("title", "客服系统改版按期交付"), ("kind", "work")],
        vec![("title", "各部门满意度目标达成"), ("kind", "children")],
    ] {
        let r = site.post(&uri, Some(&cookie), kr_form(&csrf, &typed)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{:?}: {}", typed, r.body);
        kr_ids.push(id_after(r.location(), "#kr-"));
    }
    let children_kr = kr_ids[4];

    // A unit objective aligned to the company's children KR; an individual one aligned to the unit's.
    let r = site
        .post(
            "/objectives",
            Some(&cookie),
            objective("增长部客户满意度提升", "unit", growth_unit.clone(), lina.clone(), format!("k:{children_kr}")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let unit_o = id_after(r.location(), "#obj-");
    let r = site
        .post(
            "/objectives",
            Some(&cookie),
            objective("完成二十场客户访谈", "individual", String::new(), me.clone(), format!("o:{unit_o}")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let individual = id_after(r.location(), "#obj-");

    // Everything is in the application as typed.
    let tree = site.app.okr_tree(&sys, cycle.id).await.unwrap();
    let o = |id: i64| tree.objectives.iter().find(|o| o.objective.id.0 == id).unwrap();
    let (c, u, i) = (&o(company).objective, &o(unit_o).objective, &o(individual).objective);
    assert_eq!(
        (c.level, c.unit_id.map(|x| x.0), c.owner_id.0),
        (ObjectiveLevel::Company, Some(company_unit.parse().unwrap()), me.parse().unwrap())
    );
    assert_eq!(c.description, "客户满意度全面提升：为什么重要\n第二行说明");
    assert_eq!(
        (u.level, u.unit_id.map(|x| x.0), u.owner_id.0),
        (ObjectiveLevel::Unit, Some(growth_unit.parse().unwrap()), lina.parse().unwrap())
    );
    assert_eq!((u.parent_key_result_id.map(|k| k.0), u.parent_objective_id), (Some(children_kr), None));
    assert_eq!(
        (i.level, i.parent_objective_id.map(|p| p.0), i.private),
        (ObjectiveLevel::Individual, Some(unit_o), true)
    );
    let kr = |id: i64| tree.key_result(keel_domain::KeyResultId(id)).unwrap();
    let metric = &kr(kr_ids[0]).key_result;
    assert_eq!((metric.kind, metric.start_value, metric.target_value), (KrKind::Metric, Some(20.0), Some(80.0)));
    assert_eq!(
        (metric.unit_label.as_deref(), metric.weight, metric.owner_id.0),
        (Some("分"), 2.0, lina.parse().unwrap())
    );
    assert_eq!(metric.due_date, Some(end));
    let threshold = &kr(kr_ids[1]).key_result;
    assert_eq!(
        (threshold.kind, threshold.start_value, threshold.target_value, threshold.direction),
        (KrKind::Threshold, None, Some(2.0), Some(ThresholdDirection::AtMost))
    );
    assert_eq!(
        (threshold.unit_label.as_deref(), threshold.weight, threshold.owner_id.0),
        (Some("小时"), 1.0, me.parse().unwrap())
    );
    let items: Vec<(&str, f64)> = kr(kr_ids[2]).items.iter().map(|i| (i.title.as_str(), i.weight)).collect();
    assert_eq!(items, [("问卷设计", 1.0), ("全量投放", 2.0), ("结果复盘", 1.0)]);
    assert_eq!(kr(kr_ids[3]).key_result.kind, KrKind::Work);
    assert!(kr(kr_ids[3]).work.is_some(), "a work KR reports the work behind it");
    assert_eq!(kr(kr_ids[4]).key_result.kind, KrKind::Children);
    assert_eq!(kr(children_kr).child_objective_ids.iter().map(|o| o.0).collect::<Vec<_>>(), [unit_o]);
    assert_eq!(o(unit_o).child_ids.iter().map(|o| o.0).collect::<Vec<_>>(), [individual]);

    // A check-in on the metric; the tree shows (c − s)/(t − s) worked out here.
    let r = site
        .post(&format!("/key-results/{}/check-in", kr_ids[0]), Some(&cookie), form(&[("csrf", &csrf), ("value", "35")]))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let percent = ((35.0 - 20.0) / (80.0 - 20.0) * 100.0_f64).round() as i64;
    let page = site.get(&format!("/okrs?cycle={cycle_id}"), Some(&cookie), None).await;
    assert_eq!(page.status, StatusCode::OK);
    let section = kr_section(&page.body, kr_ids[0]);
    assert!(section.contains(&format!(r#"<span class="pct">{percent}%</span>"#)), "{percent}% not in {section}");
    let now = site.kr("NPS 从20提升到80").await;
    assert!(section.contains(&format!("badge {}", now.status.as_str())), "the status the app computed: {section}");
    assert!(section.contains("当前 35分"), "{section}");
    // Chinese typed in comes back as typed, and the alignment shows as depth.
    for text in ["客户满意度全面提升", "第二行说明", "满意度调研三步走", "完成二十场客户访谈"]
    {
        assert!(page.body.contains(text), "{text} missing");
    }
    for (id, depth) in [(company, 0), (unit_o, 1), (individual, 2)] {
        assert!(page.body.contains(&format!(r#"depth-{depth}" id="obj-{id}""#)), "objective {id} at depth {depth}");
    }
    assert!(page.body.contains(&format!(r#"<option value="k:{children_kr}">"#)), "KRs are offered as parents");
}

#[tokio::test]
async fn refused_forms_come_back_with_the_field_named_and_what_was_typed() {
    let site = site().await;
    let (cookie, csrf) = site.log_in().await;
    let retention = site.objective_id("提升用户留存率").await;
    let uri = format!("/objectives/{retention}/key-results");
    let typed = [("title", "渠道满意度保持稳定"), ("start", "50"), ("target", "50"), ("unit_label", "分")];
    let r = site.post(&uri, Some(&cookie), kr_form(&csrf, &typed)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("“目标值”有误：目标值与起始值相同，无法衡量进度"), "the field and why, in Chinese");
    assert!(r.body.contains(&format!(r#"id="new-kr-{retention}" open"#)), "that objective's form is open");
    assert!(r.body.contains(r#"name="title" value="渠道满意度保持稳定""#), "the title as typed");
    assert!(r.body.contains(r#"name="target" value="50" inputmode="decimal" aria-invalid="true""#));
    assert!(r.body.contains(r#"name="unit_label" value="分""#));
    assert!(r.body.contains("提升用户留存率"), "the rest of the page is there");
    let all = site.app.list_objectives(&Actor::system(), None, Page::ALL).await.unwrap();
    assert!(all.iter().any(|o| o.id.0 == retention));
    let tree_has = |title: &'static str| {
        let site = &site;
        async move {
            let sys = Actor::system();
            let mut found = false;
            for c in site.app.list_cycles(&sys).await.unwrap() {
                let tree = site.app.okr_tree(&sys, c.id).await.unwrap();
                found |= tree.objectives.iter().flat_map(|o| &o.key_results).any(|k| k.key_result.title == title);
            }
            found
        }
    };
    assert!(!tree_has("渠道满意度保持稳定").await, "nothing was saved");

    // Numbers and checklist weights are checked before the app sees them.
    let r =
        site.post(&uri, Some(&cookie), kr_form(&csrf, &[("title", "留存"), ("start", "abc"), ("target", "5")])).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("“起始值”有误：请输入一个数字。"));
    let typed = [("title", "里程碑"), ("kind", "milestone"), ("items", "方案 | 1\n上线 | 很多")];
    let r = site.post(&uri, Some(&cookie), kr_form(&csrf, &typed)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("第 2 行“|”后的权重不是数字"), "{}", r.body);
    assert!(r.body.contains("方案 | 1\n上线 | 很多</textarea>"), "the checklist as typed");

    // A cycle that ends before it starts; an English reader gets English.
    let switched = site.post("/lang", Some(&cookie), form(&[("lang", "en"), ("next", "/okrs"), ("csrf", &csrf)])).await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER);
    let fields = [
        ("csrf", csrf.as_str()),
        ("name", "倒序周期"),
        ("start", "2031-06-30"),
        ("end", "2031-04-01"),
        ("state", "planning"),
        ("parent", ""),
        ("from", ""),
    ];
    let r = site.post("/cycles", Some(&cookie), form(&fields)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("End date: The end date must not be before the start date."), "{}", r.body);
    assert!(r.body.contains(r#"name="name" value="倒序周期""#));
    assert!(!site.app.list_cycles(&Actor::system()).await.unwrap().iter().any(|c| c.name == "倒序周期"));

    // No session token, no change.
    let r = site.post(&uri, Some(&cookie), kr_form("", &[("title", "无令牌"), ("start", "1"), ("target", "2")])).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!tree_has("无令牌").await);
}

#[tokio::test]
async fn members_plan_at_their_level_and_may_not_create_company_objectives() {
    let site = site().await;
    let (cookie, csrf) = site.log_in_as("lina").await;
    let page = site.get("/okrs", Some(&cookie), None).await;
    assert!(page.body.contains(r#"action="/objectives""#));
    assert!(!page.body.contains(r#"action="/cycles""#), "only admins create cycles");
    assert!(!page.body.contains(r#"<option value="company""#), "the company level is not offered");

    let cycle = site.app.current_cycle(&Actor::system()).await.unwrap().unwrap().id.0.to_string();
    let fields = |level: &'static str, title: &'static str, align: String| {
        form(&[
            ("csrf", &csrf),
            ("cycle", &cycle),
            ("title", title),
            ("description", ""),
            ("level", level),
            ("unit", ""),
            ("owner", ""),
            ("align", &align),
        ])
    };
    let r = site.post("/objectives", Some(&cookie), fields("company", "成员越权的公司目标", String::new())).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("你没有权限执行此操作"));
    let all = site.app.list_objectives(&Actor::system(), None, Page::ALL).await.unwrap();
    assert!(!all.iter().any(|o| o.title == "成员越权的公司目标"));

    // Her own objective, aligned to her unit's, is hers to create.
    let growth = site.objective_id("推送与社区驱动用户活跃").await;
    let r =
        site.post("/objectives", Some(&cookie), fields("individual", "李娜的个人目标", format!("o:{growth}"))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let created = site
        .app
        .get_objective(&Actor::system(), keel_domain::ObjectiveId(id_after(r.location(), "#obj-")))
        .await
        .unwrap();
    assert_eq!(
        (created.owner_id.0, created.parent_objective_id.map(|p| p.0)),
        (site.user_id("lina").await, Some(growth))
    );

    // A viewer gets no planning forms at all.
    let (viewer, _) = site.log_in_as("zhoujie").await;
    let page = site.get("/okrs", Some(&viewer), None).await;
    assert!(!page.body.contains(r#"action="/objectives"#), "no objective or key-result form for a viewer");
}

#[tokio::test]
async fn project_page_links_and_unlinks_key_results_and_refuses_stale_versions() {
    let site = site().await;
    let sys = Actor::system();
    let (cookie, csrf) = site.log_in().await;
    let projects = site.app.list_projects(&sys, Page::ALL).await.unwrap();
    let adm = projects.iter().find(|p| p.key == "ADM").unwrap();
    let work_title = "用户活跃度优化专项按计划交付";
    let work = site.kr(work_title).await;
    assert!(!work.work.as_ref().unwrap().project_ids.contains(&adm.id));

    let uri = format!("/projects/{}", adm.id.0);
    let page = site.get(&uri, Some(&cookie), None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&format!(r#"<option value="{}">{work_title}</option>"#, work.key_result.id.0)));
    let version = page.field("version").expect("the form carries the version");
    assert_eq!(version, adm.version.to_string());
    let link = |version: &str, action: &str| {
        form(&[("csrf", &csrf), ("version", version), ("kr", &work.key_result.id.0.to_string()), ("action", action)])
    };
    let r = site.post(&format!("{uri}/key-results"), Some(&cookie), link(&version, "link")).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, format!("{uri}#supports").as_str()));
    let after = site.kr(work_title).await;
    assert!(after.work.as_ref().unwrap().project_ids.contains(&adm.id), "the KR's work now counts the project");
    let page = site.get(&uri, Some(&cookie), None).await;
    assert!(page.body.contains(&format!(r#"<a href="/key-results/{}">{work_title}</a>"#, work.key_result.id.0)));

    // The old version is stale now: 409, said plainly, nothing changed.
    let stale = site.post(&format!("{uri}/key-results"), Some(&cookie), link(&version, "unlink")).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("该条目刚被他人修改，请刷新页面后重试。"));
    assert!(stale.body.contains("重新加载页面"));
    assert!(site.kr(work_title).await.work.unwrap().project_ids.contains(&adm.id));

    // With the version the page shows now, unlinking works and keeps the other links.
    let current = site.get(&uri, Some(&cookie), None).await.field("version").unwrap();
    let r = site.post(&format!("{uri}/key-results"), Some(&cookie), link(&current, "unlink")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(!site.kr(work_title).await.work.unwrap().project_ids.contains(&adm.id));
    let now = site.app.get_project(&sys, adm.id).await.unwrap();
    assert_eq!(now.key_result_ids, adm.key_result_ids);
}

#[tokio::test]
async fn the_owner_edits_a_key_result_and_overrides_its_status_with_a_reason() {
    use keel_domain::status::KrStatus;
    let site = site().await;
    let title = "留存率提升至45%";
    let kr = site.kr(title).await;
    let id = kr.key_result.id.0;
    // lina owns this KR on the company's objective.
    let (cookie, csrf) = site.log_in_as("lina").await;
    let uri = format!("/key-results/{id}");
    let page = site.get(&uri, Some(&cookie), None).await;
    assert!(page.body.contains(&format!(r#"action="/key-results/{id}/edit""#)));
    let version = page.field("version").unwrap();
    let edit = |version: &str, title: &str, status: &str, reason: &str| {
        form(&[
            ("csrf", &csrf),
            ("version", version),
            ("title", title),
            ("start", "38"),
            ("target", "46"),
            ("due", "2031-03-31"),
            ("status", status),
            ("reason", reason),
        ])
    };
    // Overriding without a reason is refused with the field named, keeping what was typed.
    let r = site.post(&format!("{uri}/edit"), Some(&cookie), edit(&version, "留存率提升至46%", "at_risk", "")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("“手动设定状态的原因”有误：手动设定状态时请说明原因。"), "{}", r.body);
    assert!(r.body.contains(r#"name="title" value="留存率提升至46%""#));

    let r = site
        .post(&format!("{uri}/edit"), Some(&cookie), edit(&version, "留存率提升至46%", "at_risk", "渠道投放延期"))
        .await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, uri.as_str()));
    let now = site.kr("留存率提升至46%").await;
    let k = &now.key_result;
    assert_eq!(
        (k.start_value, k.target_value, k.due_date.map(|d| d.to_string())),
        (Some(38.0), Some(46.0), Some("2031-03-31".into()))
    );
    assert_eq!((k.status_override, k.override_reason.as_deref()), (Some(KrStatus::AtRisk), Some("渠道投放延期")));
    assert_eq!(now.status, KrStatus::AtRisk);
    let page = site.get(&uri, Some(&cookie), None).await;
    assert!(page.body.contains("状态由负责人手动设定，原因：渠道投放延期"));

    // The form's old version is stale: 409, and the page shows the key result as it is now.
    let stale = site.post(&format!("{uri}/edit"), Some(&cookie), edit(&version, "被覆盖的标题", "", "")).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("该条目刚被他人修改"));
    assert!(stale.body.contains(r#"name="title" value="留存率提升至46%""#));
    assert_eq!(site.kr("留存率提升至46%").await.key_result.version, k.version);

    // Someone who may not change it gets no form.
    let (viewer, _) = site.log_in_as("zhoujie").await;
    assert!(!site.get(&uri, Some(&viewer), None).await.body.contains("/edit\""));
}

#[tokio::test]
async fn an_unreadable_address_gets_the_error_page_in_the_readers_language() {
    let site = site().await;
    let (cookie, _) = site.log_in().await;
    for (path, lang, says) in [
        ("/tasks/abc", "zh-CN", "这个地址无法识别"),
        ("/okrs?unit=abc", "en", "This address cannot be read"),
        ("/projects/1x/board", "zh-CN", "这个地址无法识别"),
    ] {
        let page = site.get(path, Some(&cookie), Some(lang)).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{path}");
        assert!(page.body.contains("<!doctype html") || page.body.contains("<!DOCTYPE html"), "{path}: {}", page.body);
        assert!(page.body.contains(says), "{path}: {}", page.body);
        assert!(!page.body.contains("Cannot parse"), "{path}: axum's own words leak");
    }
}

#[tokio::test]
async fn a_threshold_forecast_says_whether_the_line_holds() {
    let site = site().await;
    let sys = Actor::system();
    fn input<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> T {
        serde_json::from_value(v).unwrap()
    }
    let now = Utc::now();
    let cycle = site.app.list_cycles(&sys).await.unwrap().into_iter().find(|c| c.end_date > now.date_naive()).unwrap();
    let objective = site
        .app
        .create_objective(
            &sys,
            input(serde_json::json!({"cycle_id": cycle.id, "title": "稳定 stable", "level": "company", "owner_id": 1})),
        )
        .await
        .unwrap();
    let mut krs = Vec::new();
    // Uptime at or above 99.9 %: one sliding towards the line, one steady above it.
    for (title, values) in [("可用性 falling", [99.99, 99.96, 99.93]), ("可用性 steady", [99.95, 99.95, 99.95])] {
        let kr = site
            .app
            .create_key_result(
                &sys,
                input(serde_json::json!({"objective_id": objective.id, "title": title, "kind": "threshold",
                    "direction": "at_least", "target_value": 99.9, "unit_label": "%", "owner_id": 1})),
            )
            .await
            .unwrap();
        for (days_ago, value) in [20, 10, 0].into_iter().zip(values) {
            let at = now - chrono::Duration::days(days_ago);
            site.app
                .check_in(&sys, kr.id, input(serde_json::json!({"value": value, "confidence": 7, "at": at})))
                .await
                .unwrap();
        }
        krs.push(kr.id);
    }
    let (cookie, _) = site.log_in().await;
    let falling = site.get(&format!("/key-results/{}", krs[0].0), Some(&cookie), None).await;
    // The trend's value at the cycle's end, worked out by hand: 0.03 lower every 10 days.
    let days_left = (cycle.end_date - now.date_naive()).num_days() as f64;
    assert!(99.93 - 0.003 * days_left < 99.9, "the cycle ends late enough for the line to be crossed");
    assert!(falling.body.contains("（将越过底线）"), "{}", falling.body);
    assert!(!falling.body.contains("达不到 70%"));
    let steady = site.get(&format!("/key-results/{}", krs[1].0), Some(&cookie), None).await;
    assert!(steady.body.contains("99.95%（守得住底线）"), "{}", steady.body);
}
