//! Keel's pages in a real headless Chromium, driven through chromedriver the
//! way a person uses them: typing into the forms, clicking, reading what is
//! shown. Each test serves the real router over a fresh SQLite file holding
//! the demo organisation and opens its own Chromium (with a fresh profile).
//! Expected numbers are worked out here from the inputs.
//!
//! Chromium and chromedriver come from Debian's `chromium` and
//! `chromium-driver` packages (`scripts/test` installs them with
//! `fonts-noto-cjk`); `KEEL_CHROMIUM` and `KEEL_CHROMEDRIVER` point
//! elsewhere. Without them these tests fail; they never skip.
//!
//! Every screen visited is saved as a PNG under `target/browser-screenshots/`.

use chrono::{Datelike, Utc};
use fantoccini::elements::Element;
use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use keel_app::store::Page;
use keel_app::work::{ProjectInput, TaskInput};
use keel_app::{Actor, App};
use keel_testkit::{Backend, TempDir, TestDb};
use serde_json::{Value as Json, json};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const DESKTOP: (u32, u32) = (1280, 900);
const PHONE: (u32, u32) = (390, 844);
/// How long a page may take to answer a click or a navigation.
const PATIENCE: Duration = Duration::from_secs(15);

// ---------------------------------------------------------------------------
// Chromium and chromedriver.

fn tool(var: &str, default: &str, what: &str) -> PathBuf {
    let path = PathBuf::from(std::env::var(var).unwrap_or_else(|_| default.to_string()));
    if !path.is_file() {
        panic!(
            "{what} is needed for the browser tests and was not found at {} (set {var} to use another). \
             Run scripts/test, which installs Debian's chromium, chromium-driver and fonts-noto-cjk, \
             or install them yourself: apt-get install chromium chromium-driver fonts-noto-cjk",
            path.display()
        );
    }
    path
}

fn chromium() -> PathBuf {
    tool("KEEL_CHROMIUM", "/usr/bin/chromium", "Chromium")
}

fn chromedriver() -> PathBuf {
    tool("KEEL_CHROMEDRIVER", "/usr/bin/chromedriver", "chromedriver")
}

/// A chromedriver process in a process group of its own, so that dropping it
/// ends the driver and every Chromium process it started, even when a test
/// panics before closing its session.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start() -> Driver {
        use std::os::unix::process::CommandExt;
        let binary = chromedriver();
        let port = free_port();
        let child = Command::new(&binary)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .arg("--log-level=SEVERE")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("could not start {}: {e}. Run scripts/test, which installs it.", binary.display())
            });
        let mut driver = Driver { child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            if let Ok(Some(status)) = driver.child.try_wait() {
                panic!("chromedriver ({}) exited at start: {status}", binary.display());
            }
            assert!(Instant::now() < deadline, "chromedriver did not listen on port {port} within 10 s");
            std::thread::sleep(Duration::from_millis(20));
        }
        driver
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The group's id is the driver's pid: ends the driver and the
        // browsers it launched, and nothing else.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).stderr(Stdio::null()).status();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind a free port").local_addr().unwrap().port()
}

fn screenshot_dir() -> PathBuf {
    // crates/browser-tests → the workspace root.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).expect("workspace root");
    let dir = root.join("target").join("browser-screenshots");
    std::fs::create_dir_all(&dir).expect("create target/browser-screenshots");
    dir
}

/// One Chromium window driven through WebDriver.
struct Browser {
    client: Client,
    base: String,
    size: (u32, u32),
    /// Prefix of this window's screenshots ("desktop", "phone").
    label: &'static str,
    // Dropped in this order: the driver (and its browsers), then the profile.
    _driver: Driver,
    _profile: TempDir,
}

impl Browser {
    async fn open(base: &str, size: (u32, u32), label: &'static str) -> Browser {
        let binary = chromium();
        let driver = Driver::start();
        let profile = TempDir::new("chromium-profile");
        let args = vec![
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-dev-shm-usage".into(),
            "--hide-scrollbars".into(),
            "--lang=zh-CN".into(),
            format!("--window-size={},{}", size.0, size.1),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let mut caps = Capabilities::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": binary.display().to_string(),
                "args": args,
                // A browser set to Chinese: the pages follow Accept-Language
                // until the person picks a language.
                "prefs": { "intl.accept_languages": "zh-CN,zh" },
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&driver.url())
            .await
            .unwrap_or_else(|e| panic!("Chromium ({}) did not start a WebDriver session: {e}", binary.display()));
        client.set_window_size(size.0, size.1).await.expect("window size");
        let browser = Browser { client, base: base.to_string(), size, label, _driver: driver, _profile: profile };
        let inner = browser.js("return [window.innerWidth, window.innerHeight]").await;
        assert_eq!(inner[0].as_u64(), Some(size.0 as u64), "the page is {inner} wide, not the window's {}", size.0);
        browser
    }

    async fn close(self) {
        let Browser { client, _driver, _profile, .. } = self;
        let _ = client.close().await;
    }

    /// Runs a script in the page and returns its value.
    async fn js(&self, script: &str) -> Json {
        self.client.execute(script, vec![]).await.unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("current url");
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        }
    }

    /// Opens an address by typing it, as it were, into the address bar.
    async fn visit(&self, path: &str) {
        self.client.goto(&format!("{}{path}", self.base)).await.unwrap_or_else(|e| panic!("open {path}: {e}"));
        self.loaded().await;
    }

    async fn loaded(&self) {
        let deadline = Instant::now() + PATIENCE;
        while self.js("return document.readyState").await != "complete" {
            assert!(Instant::now() < deadline, "page did not finish loading");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn find(&self, css: &str) -> Element {
        match self.client.wait().at_most(PATIENCE).for_element(Locator::Css(css)).await {
            Ok(e) => e,
            Err(e) => panic!("no {css} on {}: {e}", self.path().await),
        }
    }

    /// Waits until an element matching `css` is in the page.
    async fn wait_for(&self, css: &str) {
        let start = Instant::now();
        let script = format!("return document.querySelector({}) !== null", json!(css));
        while self.js(&script).await != json!(true) {
            assert!(start.elapsed() < PATIENCE, "{css} never appeared on {}", self.path().await);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn find_xpath(&self, xpath: &str) -> Element {
        match self.client.wait().at_most(PATIENCE).for_element(Locator::XPath(xpath)).await {
            Ok(e) => e,
            Err(e) => panic!("no {xpath} on {}: {e}", self.path().await),
        }
    }

    /// The text of every element matching a selector, as the page shows it.
    async fn texts(&self, css: &str) -> Vec<String> {
        let found = self.client.find_all(Locator::Css(css)).await.expect("find_all");
        let mut out = Vec::new();
        for e in found {
            out.push(e.text().await.expect("text").trim().to_string());
        }
        out
    }

    async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("text").trim().to_string()
    }

    /// Clicks something that leads to another page and waits for that page.
    async fn click_through(&self, element: Element) {
        self.js("window.__keelOldPage = true").await;
        element.click().await.expect("click");
        let deadline = Instant::now() + PATIENCE;
        loop {
            // A script may fail while the old page unloads; ask again.
            let fresh = self
                .client
                .execute("return window.__keelOldPage === undefined && document.readyState === 'complete'", vec![])
                .await;
            if let Ok(Json::Bool(true)) = fresh {
                return;
            }
            assert!(Instant::now() < deadline, "no new page after the click (still on {})", self.path().await);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn click_css(&self, css: &str) {
        let e = self.find(css).await;
        self.click_through(e).await;
    }

    /// Follows a link by its visible text inside the part of the page an XPath names.
    async fn follow(&self, scope_xpath: &str, text: &str) {
        let e = self.find_xpath(&format!("{scope_xpath}//a[normalize-space(.)={}]", xpath_literal(text))).await;
        self.click_through(e).await;
    }

    /// Types into a field as a person does (after clearing it).
    async fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        e.clear().await.expect("clear");
        e.send_keys(text).await.unwrap_or_else(|err| panic!("type into {css}: {err}"));
        let typed = e.prop("value").await.expect("value").unwrap_or_default();
        assert_eq!(typed, text, "{css} holds what was typed");
    }

    /// Opens a `<details>` form by clicking its summary.
    async fn open_details(&self, id: &str) {
        self.find(&format!("#{id} > summary")).await.click().await.expect("open the form");
        let open = self.js(&format!("return document.getElementById('{id}').open")).await;
        assert_eq!(open, Json::Bool(true), "#{id} opened");
    }

    /// Saves the whole page (not only what fits the window) as a PNG.
    async fn shot(&self, name: &str) {
        let height = self.js("return document.documentElement.scrollHeight").await.as_u64().unwrap_or(0) as u32;
        let tall = height.clamp(self.size.1, 6000);
        if tall != self.size.1 {
            self.client.set_window_size(self.size.0, tall).await.expect("grow the window");
        }
        self.js("window.scrollTo(0, 0)").await;
        let png = self.client.screenshot().await.expect("screenshot");
        if tall != self.size.1 {
            self.client.set_window_size(self.size.0, self.size.1).await.expect("restore the window");
        }
        let path = screenshot_dir().join(format!("{}-{name}.png", self.label));
        std::fs::write(&path, png).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }

    /// The page is no wider than the window; names what sticks out if not.
    async fn assert_no_horizontal_overflow(&self) {
        let report = self
            .js(r#"
                const width = window.innerWidth;
                const wide = [...document.querySelectorAll('body *')]
                    .filter(e => e.getBoundingClientRect().right > width + 0.5)
                    .slice(0, 8)
                    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
                        (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '') +
                        ' right=' + Math.round(e.getBoundingClientRect().right));
                return { scroll: document.documentElement.scrollWidth, width, wide };
            "#)
            .await;
        let scroll = report["scroll"].as_u64().unwrap();
        let width = report["width"].as_u64().unwrap();
        assert!(
            scroll <= width,
            "{} is {scroll}px wide in a {width}px window; sticking out: {}",
            self.path().await,
            report["wide"]
        );
    }

    /// Nothing a title or a description smuggled in can run or link out.
    async fn assert_nothing_runs(&self) {
        let found = self
            .js(r#"
                const withHandler = [...document.querySelectorAll('*')]
                    .filter(e => [...e.attributes].some(a => a.name.toLowerCase().startsWith('on')));
                return {
                    img_onerror: document.querySelectorAll('img[onerror]').length,
                    handlers: withHandler.map(e => e.outerHTML.slice(0, 120)),
                    javascript_links: document.querySelectorAll('a[href^="javascript:" i]').length,
                    // Keel's own scripts come from /assets/; nothing else may.
                    scripts: document.querySelectorAll('script:not([src^="/assets/"]), iframe, object, embed').length,
                    // An unclosed <b> that escaped its text would wrap the page after it.
                    inside_bold: [...document.querySelectorAll('b *, strong *')]
                        .filter(e => !e.closest('.markdown')).map(e => e.outerHTML.slice(0, 120)),
                    xss: window.__xss === undefined ? null : String(window.__xss),
                };
            "#)
            .await;
        let page = self.path().await;
        assert_eq!(found["img_onerror"], 0, "an img with onerror on {page}: {found}");
        assert_eq!(found["handlers"], json!([]), "event handler attributes on {page}: {found}");
        assert_eq!(found["javascript_links"], 0, "a javascript: link on {page}: {found}");
        assert_eq!(found["scripts"], 0, "a script, frame or object on {page}: {found}");
        assert_eq!(found["inside_bold"], json!([]), "an unclosed <b> leaked out of its text on {page}: {found}");
        assert_eq!(found["xss"], Json::Null, "a payload ran on {page}: {found}");
        assert!(self.client.get_alert_text().await.is_err(), "an alert is open on {page}");
    }

    async fn lang(&self) -> String {
        self.js("return document.documentElement.lang").await.as_str().unwrap_or("").to_string()
    }
}

/// An XPath string literal for any text (XPath 1.0 has no escapes).
fn xpath_literal(s: &str) -> String {
    if !s.contains('\'') {
        format!("'{s}'")
    } else if !s.contains('"') {
        format!("\"{s}\"")
    } else {
        let parts: Vec<String> = s.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

// ---------------------------------------------------------------------------
// Keel, served for real.

struct Site {
    app: App,
    base: String,
    login: String,
    password: String,
    _db: TestDb,
}

async fn site() -> Site {
    let db = keel_testkit::fresh(Backend::Sqlite).await;
    let app = App::new(db.store.clone(), Default::default());
    let demo = app.load_demo(today()).await.expect("demo loads");
    let router = keel_web::router(app.clone(), Default::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.expect("serve") });
    Site { app, base, login: demo.login, password: demo.password, _db: db }
}

/// The demo people live in Shanghai; the demo is dated where they are.
fn today() -> chrono::NaiveDate {
    keel_app::clock::today_in("Asia/Shanghai", Utc::now())
}

/// The demo's current quarter, named as the demo names it.
fn quarter_name() -> String {
    let d = today();
    format!("{}-Q{}", d.year(), d.month0() / 3 + 1)
}

impl Site {
    /// Logs in through the login page and lands on the OKR overview.
    async fn log_in(&self, b: &Browser) {
        b.visit("/okrs").await;
        assert!(b.path().await.starts_with("/login"), "a visitor is sent to the login page, not {}", b.path().await);
        b.type_into("#login", &self.login).await;
        b.type_into("#password", &self.password).await;
        b.click_css("form[action='/login'] button[type=submit]").await;
        assert_eq!(b.path().await, "/okrs", "after logging in the person is back where they were going");
    }

    async fn project_id(&self, key: &str) -> i64 {
        let projects = self.app.list_projects(&Actor::system(), Page::ALL).await.unwrap();
        projects.iter().find(|p| p.key == key).unwrap_or_else(|| panic!("no project {key}")).id.0
    }

    async fn create_task(&self, project_key: &str, title: &str, description: &str) -> i64 {
        let input = TaskInput {
            project_id: keel_domain::ids::ProjectId(self.project_id(project_key).await),
            title: title.into(),
            description: description.into(),
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
        self.app.create_task(&Actor::system(), input).await.expect("create task").id.0
    }
}

fn id_from(attr: &str, prefix: &str) -> i64 {
    attr.strip_prefix(prefix).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("{attr} is not {prefix}N"))
}

/// Progress of a metric key result in whole percent, as the product brief
/// defines it: (current − start) / (target − start), rounded.
fn metric_percent(start: f64, target: f64, current: f64) -> i64 {
    ((current - start) / (target - start) * 100.0).round() as i64
}

// ---------------------------------------------------------------------------
// The flows.

/// Log in, plan an objective with two key results, bind a project to one,
/// check in on it and see its progress, move a task along.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_plans_links_checks_in_and_moves_a_task() {
    let site = site().await;
    let b = Browser::open(&site.base, DESKTOP, "desktop").await;

    // a. Log in; the company objective of the demo is on the OKR page.
    b.visit("/login").await;
    assert_eq!(b.text("h1").await, "登录 Keel");
    b.shot("login").await;
    site.log_in(&b).await;
    let objectives = b.texts(".tree .objective h2").await;
    assert!(objectives.iter().any(|t| t == "提升用户留存率"), "the demo objective is shown: {objectives:?}");
    assert_eq!(b.text("nav.nav a[href='/okrs']").await, "目标与关键结果");

    // The current quarter, chosen on its tab.
    let quarter = quarter_name();
    b.follow("//nav[contains(@class,'tabs')]", &quarter).await;
    assert_eq!(b.text("nav.tabs a[aria-current=page]").await, quarter);
    b.shot("okrs").await;

    // b. A new objective with two metric key results, typed in Chinese.
    let objective = "提升客户满意度";
    let krs = [("NPS 从 30 提升到 45", 30.0, 45.0), ("客服响应时间降至 2 小时", 8.0, 2.0)];
    b.open_details("new-objective").await;
    b.type_into("#no-title", objective).await;
    b.type_into("#no-description", "本季度让客户更满意：提升 NPS，缩短客服响应时间。").await;
    b.click_css("#new-objective button[type=submit]").await;
    let li = b
        .find_xpath(&format!(
            "//li[contains(@class,'objective')][.//h2[normalize-space(.)={}]]",
            xpath_literal(objective)
        ))
        .await;
    let oid = id_from(&li.attr("id").await.unwrap().unwrap(), "obj-");
    assert!(b.path().await.starts_with("/okrs?cycle="), "back on the tree: {}", b.path().await);
    assert_eq!(b.texts(&format!("#obj-{oid} .muted")).await.first().map(String::as_str), Some("还没有关键结果。"));
    for (title, start, target) in krs {
        b.open_details(&format!("new-kr-{oid}")).await;
        b.type_into(&format!("#nk{oid}-title"), title).await;
        b.find(&format!("#nk{oid}-kind")).await.select_by_value("metric").await.expect("choose metric");
        b.type_into(&format!("#nk{oid}-start"), &start.to_string()).await;
        b.type_into(&format!("#nk{oid}-target"), &target.to_string()).await;
        b.click_css(&format!("#new-kr-{oid} button[type=submit]")).await;
        assert!(b.text(&format!("#obj-{oid} h2")).await == objective);
    }
    assert_eq!(b.texts(&format!("#obj-{oid} .kr a.title")).await, krs.map(|k| k.0.to_string()).to_vec());
    // No check-in yet: both stand at their start, 0 %.
    let zero = format!("{}%", metric_percent(30.0, 45.0, 30.0));
    assert_eq!(b.texts(&format!("#obj-{oid} .kr .pct")).await, vec![zero.clone(), zero]);
    assert_eq!(b.texts(&format!("#obj-{oid} .kr .kind")).await, vec!["指标", "指标"]);
    let nps_id = {
        let link =
            b.find_xpath(&format!("//li[@id='obj-{oid}']//a[normalize-space(.)={}]", xpath_literal(krs[0].0))).await;
        id_from(&link.attr("href").await.unwrap().unwrap(), "/key-results/")
    };
    b.shot("okrs-new-objective").await;

    // c. Bind the project 用户活跃度优化专项 to the NPS key result from its page.
    b.follow("//nav[contains(@class,'nav')]", "项目").await;
    assert_eq!(b.text("h1").await, "项目");
    b.shot("projects").await;
    let project = "用户活跃度优化专项";
    b.follow("//ul[contains(@class,'tree')]", &format!("RET {project}")).await;
    assert_eq!(b.text("h1").await, format!("RET {project}"));
    let select = b.find("#link-kr").await;
    select.select_by_label(krs[0].0).await.expect("choose the NPS key result");
    assert_eq!(select.prop("value").await.unwrap().as_deref(), Some(nps_id.to_string().as_str()));
    b.click_css("form.link-kr button[name=action][value=link]").await;
    let supported = b.texts("#supports ul.plain li a").await;
    assert!(supported.iter().any(|t| t == krs[0].0), "the project now supports the NPS key result: {supported:?}");
    let choices = b.texts("#link-kr option").await;
    assert!(!choices.iter().any(|t| t == krs[0].0), "a linked key result is no longer offered: {choices:?}");
    assert!(choices.iter().any(|t| t == krs[1].0), "the other one still is: {choices:?}");
    b.shot("project-linked").await;

    // d. Check in 36 on the NPS key result (30 → 45): 40 %.
    b.follow("//section[@id='supports']", krs[0].0).await;
    assert_eq!(b.path().await, format!("/key-results/{nps_id}"));
    assert_eq!(b.text("h1").await, krs[0].0);
    let linked = b.texts(".card ul.plain li a").await;
    assert!(linked.iter().any(|t| t.ends_with(project)), "the key result names its project: {linked:?}");
    b.type_into("#value", "36").await;
    b.type_into("#note", "本周回访了 40 位客户").await;
    b.click_css("#check-in button[type=submit]").await;
    let expected = metric_percent(30.0, 45.0, 36.0);
    assert_eq!(expected, 40);
    assert_eq!(b.text(".progress.big .pct").await, format!("{expected}%"));
    let fill = b.find(".progress.big svg rect.fill").await.attr("width").await.unwrap();
    assert_eq!(fill, Some(expected.to_string()), "the bar is filled to {expected}");
    let first_row = b.texts(".check-ins tbody tr:first-child td").await;
    assert!(first_row.iter().any(|c| c.contains("36")), "the check-in is listed: {first_row:?}");
    assert!(first_row.iter().any(|c| c.contains("本周回访了 40 位客户")), "with its note: {first_row:?}");
    b.shot("key-result-checked-in").await;
    // And on the tree, through the breadcrumb.
    b.click_css(".crumbs a").await;
    assert_eq!(b.text(&format!("#kr-{nps_id} .pct")).await, format!("{expected}%"));
    let bar = b.find(&format!("#kr-{nps_id} svg rect.fill")).await.attr("width").await.unwrap();
    assert_eq!(bar, Some(expected.to_string()));

    // e. Move a task of 推送策略优化 from 待办 to 进行中 on its page.
    let push = site.project_id("PUSH").await;
    b.follow("//nav[contains(@class,'nav')]", "项目").await;
    b.follow("//ul[contains(@class,'tree')]", "PUSH 推送策略优化").await;
    assert_eq!(b.path().await, format!("/projects/{push}"));
    let task = "推送效果看板";
    b.follow("//table[contains(@class,'tasks')]//td[contains(@class,'title')]", task).await;
    assert!(b.text("h1").await.ends_with(task));
    assert_eq!(b.text(".head .badge").await, "待办");
    b.shot("task").await;
    b.find("#status").await.select_by_label("进行中").await.expect("choose 进行中");
    b.click_css("form[action$='/status'] button[type=submit]").await;
    assert_eq!(b.text(".head .badge").await, "进行中", "the new status is shown");
    let chosen = b.js("const s = document.getElementById('status'); return s.options[s.selectedIndex].text").await;
    assert_eq!(chosen, "进行中");
    b.shot("task-status-changed").await;
    b.click_css(".crumbs a").await;
    let row = b
        .find_xpath(&format!("//table[contains(@class,'tasks')]//tr[.//a[normalize-space(.)={}]]", xpath_literal(task)))
        .await;
    let status = row.find(Locator::Css(".badge")).await.unwrap().text().await.unwrap();
    assert_eq!(status, "进行中", "the project's task list shows it too");

    b.close().await;
}

/// The 中文/English switch on every page: each page in English, then back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_language_switch_works_on_every_page() {
    let site = site().await;
    let b = Browser::open(&site.base, DESKTOP, "desktop").await;

    async fn switch(b: &Browser, lang: &str) {
        let page = |p: String| p.split('?').next().unwrap_or_default().to_string();
        let before = page(b.path().await);
        b.click_css(&format!("form.lang button[name=lang][value='{lang}']")).await;
        assert_eq!(page(b.path().await), before, "the switch stays on the page");
        assert_eq!(b.lang().await, lang);
        let pressed = b.find(&format!("form.lang button[value='{lang}']")).await.attr("aria-pressed").await.unwrap();
        assert_eq!(pressed.as_deref(), Some("true"));
    }

    // Logged out, on the login page.
    b.visit("/login").await;
    assert_eq!((b.lang().await, b.text("h1").await), ("zh-CN".to_string(), "登录 Keel".to_string()));
    switch(&b, "en").await;
    assert_eq!(b.text("h1").await, "Log in to Keel");
    assert_eq!(b.text("label[for=password]").await, "Password");
    b.shot("login-en").await;
    switch(&b, "zh-CN").await;
    assert_eq!(b.text("h1").await, "登录 Keel");
    site.log_in(&b).await;

    let ret = site.project_id("RET").await;
    let sys = Actor::system();
    let (tasks, _) = site.app.list_tasks(&sys, Default::default(), Page::ALL).await.unwrap();
    let task = tasks.iter().find(|t| t.title == "推送频控与免打扰时段开发").expect("demo task").id.0;
    let cycle = site.app.current_cycle(&sys).await.unwrap().expect("current cycle");
    let tree = site.app.okr_tree(&sys, cycle.id).await.unwrap();
    let kr = tree.objectives.iter().flat_map(|o| &o.key_results).next().expect("a key result").key_result.id.0;

    // (page, a selector, its Chinese text, its English text)
    let pages: [(String, &str, &str, &str, &str); 5] = [
        ("/okrs".into(), "okrs", "h1", "目标与关键结果", "Objectives and key results"),
        ("/projects".into(), "projects", "h1", "项目", "Projects"),
        (format!("/projects/{ret}"), "project", "#supports h2", "支撑的关键结果", "Supports key results"),
        (format!("/key-results/{kr}"), "key-result", "#check-in h2", "更新进展", "Check in"),
        (format!("/tasks/{task}"), "task", "#comments h2", "评论", "Comments"),
    ];
    for (path, name, css, zh, en) in pages {
        b.visit(&path).await;
        assert_eq!(b.lang().await, "zh-CN", "{path}");
        assert_eq!(b.text(css).await, zh, "{path} in Chinese");
        assert_eq!(b.texts("nav.nav a").await, ["首页", "目标与关键结果", "项目", "日历", "人员", "设置"], "{path}");
        switch(&b, "en").await;
        assert_eq!(b.text(css).await, en, "{path} in English");
        assert_eq!(
            b.texts("nav.nav a").await,
            ["Home", "OKRs", "Projects", "Calendar", "People", "Settings"],
            "{path}"
        );
        assert_eq!(b.text("form[action='/logout'] button").await, "Log out");
        b.shot(&format!("{name}-en")).await;
        switch(&b, "zh-CN").await;
        assert_eq!(b.text(css).await, zh, "{path} back in Chinese");
        assert_eq!(b.text("form[action='/logout'] button").await, "退出登录");
    }

    b.close().await;
}

/// Titles and descriptions are shown as written and nothing in them runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_titles_and_descriptions_are_shown_not_run() {
    let site = site().await;
    // Payloads that would set window.__xss if they ran (and one alert, which
    // would also stop every WebDriver command after it).
    let img = "<img src=x onerror=alert(1)>";
    let img_xss = "<img src=x onerror=\"window.__xss=1\"><b>未闭合的粗体";
    let description = "说明 <img src=x onerror=window.__xss=2> 与 [点我](javascript:window.__xss=3) 及 \
                       [x](javascript:alert(1)) 还有 <a href=\"JaVaScRiPt:window.__xss=4\">链接</a>\n\n\
                       <b>未闭合的粗体 <script>window.__xss=5</script>\n\n\
                       <svg onload=window.__xss=6></svg> <iframe src=\"javascript:window.__xss=7\"></iframe>\n";
    // 255 characters of four UTF-8 bytes each (U+20BB7, which the CJK fonts draw).
    let long: String = "𠮷".repeat(255);
    assert_eq!((long.chars().count(), long.len()), (255, 1020));
    let plain = site.create_task("PUSH", img, description).await;
    let unclosed = site.create_task("PUSH", img_xss, "**粗体** 与 <b>未闭合").await;
    let long_id = site.create_task("PUSH", &long, "").await;
    let hostile_project = site
        .app
        .create_project(
            &Actor::system(),
            ProjectInput {
                key: "XSS".into(),
                name: "<script>window.__xss=8</script><b>项目".into(),
                description: description.into(),
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
        .expect("create project")
        .id
        .0;

    let b = Browser::open(&site.base, DESKTOP, "desktop").await;
    site.log_in(&b).await;

    // The project page lists the titles literally.
    let push = site.project_id("PUSH").await;
    b.visit(&format!("/projects/{push}")).await;
    b.assert_nothing_runs().await;
    let titles = b.js("return [...document.querySelectorAll('table.tasks td.title a')].map(a => a.textContent)").await;
    let titles: Vec<String> = serde_json::from_value(titles).unwrap();
    for t in [img, img_xss, long.as_str()] {
        assert!(titles.iter().any(|x| x == t), "{t:?} is listed as written: {titles:?}");
    }
    b.assert_no_horizontal_overflow().await;
    b.shot("project-hostile-titles").await;

    // Each task's page.
    for (id, title, name) in
        [(plain, img, "img"), (unclosed, img_xss, "unclosed-b"), (long_id, long.as_str(), "long-title")]
    {
        b.visit(&format!("/tasks/{id}")).await;
        b.assert_nothing_runs().await;
        let shown = format!("{} {title}", task_key(&site, id).await);
        let h1 = b.js("return document.querySelector('h1').textContent").await;
        assert_eq!(h1.as_str().map(str::trim), Some(shown.as_str()), "the heading shows the title as written");
        let doc_title = b.js("return document.title").await;
        assert_eq!(doc_title, format!("{shown} · Keel"), "so does the window's title");
        b.assert_no_horizontal_overflow().await;
        b.shot(&format!("task-hostile-{name}")).await;
    }
    // The description's harmless parts are kept.
    b.visit(&format!("/tasks/{plain}")).await;
    let links = b.texts(".markdown a").await;
    assert!(links.iter().all(|t| ["点我", "x", "链接"].contains(&t.as_str())), "{links:?}");
    let desc = b.text(".markdown").await;
    assert!(desc.contains("说明") && desc.contains("未闭合的粗体"), "{desc}");

    // A hostile comment typed into the form.
    b.type_into("#body", "评论 <img src=x onerror=window.__xss=9> [点](javascript:window.__xss=10) <b>未闭合").await;
    b.click_css("#comments button[type=submit]").await;
    b.assert_nothing_runs().await;
    assert!(b.text("#comments .comment .markdown").await.starts_with("评论"));

    // A project whose name and description are hostile.
    b.visit(&format!("/projects/{hostile_project}")).await;
    b.assert_nothing_runs().await;
    assert_eq!(b.text("h1").await, "XSS <script>window.__xss=8</script><b>项目");
    b.visit("/projects").await;
    b.assert_nothing_runs().await;
    b.shot("projects-hostile").await;

    b.close().await;
}

async fn task_key(site: &Site, id: i64) -> String {
    site.app.get_task(&Actor::system(), keel_domain::ids::TaskId(id)).await.unwrap().key
}

/// At phone width (390 × 844) nothing is wider than the screen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_width_pages_fit_the_screen() {
    let site = site().await;
    let b = Browser::open(&site.base, PHONE, "phone").await;
    b.visit("/login").await;
    b.assert_no_horizontal_overflow().await;
    b.shot("login").await;
    site.log_in(&b).await;

    b.follow("//nav[contains(@class,'tabs')]", &quarter_name()).await;
    let objectives = b.texts(".tree .objective h2").await;
    assert!(objectives.iter().any(|t| t == "提升用户留存率"), "{objectives:?}");
    b.assert_no_horizontal_overflow().await;
    b.shot("okrs").await;

    b.follow("//nav[contains(@class,'nav')]", "项目").await;
    b.assert_no_horizontal_overflow().await;
    b.shot("projects").await;
    b.follow("//ul[contains(@class,'tree')]", "RET 用户活跃度优化专项").await;
    b.assert_no_horizontal_overflow().await;
    b.shot("project").await;
    b.follow("//ul[contains(@class,'plain')]", "PUSH 推送策略优化").await;
    b.assert_no_horizontal_overflow().await;
    b.shot("project-tasks").await;

    b.follow("//table[contains(@class,'tasks')]", "个性化推送文案A/B测试").await;
    b.assert_no_horizontal_overflow().await;
    b.shot("task").await;

    b.visit(&format!("/projects/{}", site.project_id("RET").await)).await;
    let first_kr = b.find("#supports ul.plain li a").await;
    b.click_through(first_kr).await;
    assert!(b.path().await.starts_with("/key-results/"));
    b.assert_no_horizontal_overflow().await;
    b.shot("key-result").await;

    b.close().await;
}

/// Σ estimate × done / Σ estimate over the leaf tasks of a project tree (an
/// unestimated task weighs 1, a done one counts whole, others by their
/// progress, cancelled ones not at all), worked out here from the tasks.
async fn work_percent(site: &Site, root: &str) -> i64 {
    let projects = site.app.list_projects(&Actor::system(), Page::ALL).await.unwrap();
    let root = projects.iter().find(|p| p.key == root).unwrap().id;
    let tree: Vec<_> = projects.iter().filter(|p| p.id == root || p.parent_id == Some(root)).map(|p| p.id).collect();
    let filter = keel_app::store::TaskFilter { project_ids: Some(tree), include_archived: true, ..Default::default() };
    let tasks = site.app.list_tasks(&Actor::system(), filter, Page::ALL).await.unwrap().0;
    let parents: std::collections::HashSet<_> = tasks.iter().filter_map(|t| t.parent_id).collect();
    let (mut done, mut total) = (0.0, 0.0);
    for t in tasks.iter().filter(|t| !t.cancelled && !parents.contains(&t.id)) {
        let weight = t.estimate.unwrap_or(1.0);
        let share = if t.category == keel_domain::work::StatusCategory::Done { 1.0 } else { t.progress.unwrap_or(0.0) };
        done += weight * share;
        total += weight;
    }
    (done / total * 100.0).round() as i64
}

/// Drag a card to Done on the board and the key result it serves moves; a
/// task page that someone else changes updates by itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dragging_a_card_to_done_moves_the_key_result_and_pages_update_live() {
    let site = site().await;
    let b = Browser::open(&site.base, DESKTOP, "desktop").await;
    site.log_in(&b).await;

    // The demo's work KR is measured by RET and its sub-projects.
    let ret = site.project_id("RET").await;
    let before = work_percent(&site, "RET").await;
    b.visit(&format!("/projects/{ret}")).await;
    let kr_link = b.find_xpath("//section[@id='supports']//a[contains(., '用户活跃度优化专项按计划交付')]").await;
    let kr_path = kr_link.attr("href").await.unwrap().expect("a link to the key result");
    b.visit(&kr_path).await;
    assert_eq!(b.text(".progress.big .pct").await, format!("{before}%"));

    b.visit(&format!("/projects/{ret}/board")).await;
    b.wait_for("body.board-ready").await;
    b.shot("board").await;
    let tasks = site.app.list_tasks(&Actor::system(), Default::default(), Page::ALL).await.unwrap().0;
    let card = tasks.iter().find(|t| t.title == "推送效果看板").expect("a demo task in To do");
    assert_eq!(card.status, "To do");
    let dragged = b
        .js(&format!(
            r#"const card = document.querySelector('li.board-card[data-task-id="{}"]');
               const cell = card.closest('section').querySelector('ul.board-cell[data-status="Done"]');
               const dt = new DataTransfer();
               card.dispatchEvent(new DragEvent('dragstart', {{ bubbles: true, dataTransfer: dt }}));
               cell.dispatchEvent(new DragEvent('dragenter', {{ bubbles: true, cancelable: true, dataTransfer: dt }}));
               cell.dispatchEvent(new DragEvent('dragover', {{ bubbles: true, cancelable: true, dataTransfer: dt }}));
               cell.dispatchEvent(new DragEvent('drop', {{ bubbles: true, cancelable: true, dataTransfer: dt }}));
               card.dispatchEvent(new DragEvent('dragend', {{ bubbles: true, dataTransfer: dt }}));
               return true;"#,
            card.id.0
        ))
        .await;
    assert_eq!(dragged, json!(true));
    let start = Instant::now();
    loop {
        let now = site.app.get_task(&Actor::system(), card.id).await.unwrap();
        if now.category == keel_domain::work::StatusCategory::Done {
            break;
        }
        assert!(start.elapsed() < PATIENCE, "the dropped card's task is still {}", now.status);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    b.shot("board-after-drag").await;
    let after = work_percent(&site, "RET").await;
    assert!(after > before, "8 more hours done must move the KR: {before}% → {after}%");
    b.visit(&kr_path).await;
    assert_eq!(b.text(".progress.big .pct").await, format!("{after}%"));

    // Live: someone else renames a task while its page is open.
    let other = tasks.iter().find(|t| t.title == "积分商城上线").expect("another demo task");
    b.visit(&format!("/tasks/{}", other.id.0)).await;
    assert_eq!(b.js("return document.body.dataset.watch").await, json!(format!("task:{}", other.id.0)));
    tokio::time::sleep(Duration::from_millis(800)).await; // the stream is open and the feed is polling
    let patch = keel_app::work::TaskPatch {
        title: Some("积分商城上线（已改名）".into()),
        version: other.version,
        ..Default::default()
    };
    site.app.update_task(&Actor::system(), other.id, patch).await.unwrap();
    let start = Instant::now();
    loop {
        let heading = b.js("return document.querySelector('h1') ? document.querySelector('h1').textContent : ''").await;
        if heading.as_str().is_some_and(|h| h.contains("已改名")) {
            break;
        }
        assert!(start.elapsed() < PATIENCE, "the page did not update: {heading}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    b.shot("task-live-update").await;
    b.close().await;
}

// ---------------------------------------------------------------------------
// Home, search and the keyboard.

/// Presses one key (with the modifiers given, held around it) on whatever has the focus.
async fn press(b: &Browser, modifiers: &[char], key: char) {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    let mut keys = KeyActions::new("keyboard".into());
    for &m in modifiers {
        keys = keys.then(KeyAction::Down { value: m });
    }
    keys = keys.then(KeyAction::Down { value: key }).then(KeyAction::Up { value: key });
    for &m in modifiers.iter().rev() {
        keys = keys.then(KeyAction::Up { value: m });
    }
    b.client.perform_actions(keys).await.unwrap_or_else(|e| panic!("press {key:?}: {e}"));
}

/// Waits for the page that replaces the one marked with `window.__keelOldPage`.
async fn until_new_page(b: &Browser) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let fresh = b
            .client
            .execute("return window.__keelOldPage === undefined && document.readyState === 'complete'", vec![])
            .await;
        if let Ok(Json::Bool(true)) = fresh {
            return;
        }
        assert!(Instant::now() < deadline, "no new page (still on {})", b.path().await);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

const CTRL: char = '\u{E009}';
const ENTER: &str = "\u{E007}";

/// Home is the start page; `/` goes to the search box and Enter searches;
/// `?` opens the shortcut help; `c` opens the page's create form; an Enter
/// that confirms an input method's candidate submits nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn home_search_and_keyboard_shortcuts() {
    let site = site().await;
    let b = Browser::open(&site.base, DESKTOP, "desktop").await;
    site.log_in(&b).await;
    b.follow("//nav[contains(@class,'nav')]", "首页").await;
    assert_eq!(b.path().await, "/");
    assert_eq!(b.text("h1").await, "你好，张伟");
    assert_eq!(b.text("nav.nav a[aria-current=page]").await, "首页");
    b.wait_for("body.keys-ready").await;
    b.assert_nothing_runs().await;
    b.shot("home").await;

    // `/` focuses the header's search box; a query and Enter show the results.
    press(&b, &[], '/').await;
    assert_eq!(b.js("return document.activeElement.id").await, "site-search");
    let q = "推送";
    let box_ = b.client.active_element().await.expect("the focused search box");
    box_.send_keys(q).await.expect("type the query");
    assert_eq!(box_.prop("value").await.unwrap().as_deref(), Some(q), "the `/` itself was not typed in");
    b.js("window.__keelOldPage = true").await;
    box_.send_keys(ENTER).await.expect("press Enter");
    until_new_page(&b).await;
    assert_eq!(b.js("return location.pathname").await, "/search");
    assert_eq!(b.js("return new URLSearchParams(location.search).get('q')").await, q);
    assert_eq!(b.text("h1").await, "搜索");
    // The tasks and projects found, worked out from the lists.
    let sys = Actor::system();
    let filter = keel_app::store::TaskFilter { include_archived: true, ..Default::default() };
    let tasks = site.app.list_tasks(&sys, filter, Page::ALL).await.unwrap().0;
    let mut expected: Vec<String> = tasks.iter().filter(|t| t.title.contains(q)).map(|t| t.title.clone()).collect();
    let mut shown = b.texts("#results-task .hit-title").await;
    expected.sort();
    shown.sort();
    assert!(!expected.is_empty());
    assert_eq!(shown, expected);
    let projects = site.app.list_projects(&sys, Page::ALL).await.unwrap();
    let push = projects.iter().find(|p| p.name.contains(q)).expect("a project about 推送");
    assert_eq!(b.texts("#results-project a").await, vec![format!("{} {}", push.key, push.name)]);
    assert_eq!(b.texts("#results-task mark").await.first().map(String::as_str), Some(q), "the match is marked");
    b.shot("search").await;

    // `?` opens the help, in Chinese; its button closes it. Typed into a field, `?` is just a character.
    assert_eq!(b.js("return document.getElementById('shortcuts').open").await, false);
    press(&b, &[], '?').await;
    assert_eq!(b.js("return document.getElementById('shortcuts').open").await, true);
    assert_eq!(b.text("#shortcuts h2").await, "键盘快捷键");
    assert_eq!(b.texts("#shortcuts dt kbd").await, ["/", "c", "?", "Esc"]);
    b.shot("shortcut-help").await;
    b.find("#shortcuts form[method=dialog] button").await.click().await.expect("close the help");
    assert_eq!(b.js("return document.getElementById('shortcuts').open").await, false);
    assert_eq!(b.path().await.split('?').next(), Some("/search"), "closing the help goes nowhere");
    b.find("#search-q").await.click().await.expect("into the search field");
    press(&b, &[], '?').await;
    assert_eq!(b.js("return document.getElementById('shortcuts').open").await, false);
    assert_eq!(b.find("#search-q").await.prop("value").await.unwrap().as_deref(), Some("推送?"));

    // `c` on the OKR page opens the new objective's form, ready to type in; Ctrl+C does not.
    b.visit("/okrs").await;
    b.wait_for("body.keys-ready").await;
    press(&b, &[CTRL], 'c').await;
    assert_eq!(b.js("return document.getElementById('new-objective').open").await, false, "Ctrl+C copies, no more");
    press(&b, &[], 'c').await;
    assert_eq!(b.js("return document.getElementById('new-objective').open").await, true);
    assert_eq!(b.js("return document.activeElement.id").await, "no-title");
    b.shot("okrs-create-shortcut").await;
    // On a project, `c` opens the new task's form.
    b.visit(&format!("/projects/{}", site.project_id("RET").await)).await;
    b.wait_for("body.keys-ready").await;
    press(&b, &[], 'c').await;
    assert_eq!(b.js("return document.getElementById('new-task').open").await, true);
    assert_eq!(b.js("return document.getElementById('new-task').contains(document.activeElement)").await, true);

    // An input method's Enter (isComposing, or keyCode 229 as Safari sends
    // it) neither submits the form nor reaches a page script that would.
    b.visit("/").await;
    b.wait_for("body.keys-ready").await;
    let outcome = b
        .js(r#"
            const input = document.getElementById('site-search');
            input.focus();
            input.value = '推送';
            window.__submittedByScript = 0;
            // A page script that submits its form on Enter: what the guard must stop.
            input.addEventListener('keydown', (e) => {
                if (e.key === 'Enter') { window.__submittedByScript += 1; input.form.requestSubmit(); }
            });
            window.__keelOldPage = true;
            const composing = new KeyboardEvent('keydown', { key: 'Enter', code: 'Enter', isComposing: true, bubbles: true, cancelable: true });
            const safari = new KeyboardEvent('keydown', { key: 'Enter', code: 'Enter', bubbles: true, cancelable: true });
            Object.defineProperty(safari, 'keyCode', { get: () => 229 });
            const composingPassed = input.dispatchEvent(composing);
            const safariPassed = input.dispatchEvent(safari);
            return { composingPassed, safariPassed, isComposing: composing.isComposing, keyCode: safari.keyCode };
        "#)
        .await;
    assert_eq!(
        outcome,
        json!({ "composingPassed": false, "safariPassed": false, "isComposing": true, "keyCode": 229 })
    );
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(b.js("return window.__submittedByScript").await, 0, "no script saw the composing Enter");
    assert_eq!(b.js("return window.__keelOldPage === true && location.pathname === '/'").await, true, "still home");
    b.shot("home-ime-enter").await;
    // The same Enter without composition goes through: the script submits the search.
    b.js(r#"document.getElementById('site-search').dispatchEvent(
            new KeyboardEvent('keydown', { key: 'Enter', code: 'Enter', bubbles: true, cancelable: true }));"#)
        .await;
    until_new_page(&b).await;
    assert_eq!(b.js("return new URLSearchParams(location.search).get('q')").await, "推送");
    b.close().await;

    // At phone width the header, home and search fit the screen.
    let phone = Browser::open(&site.base, PHONE, "phone").await;
    site.log_in(&phone).await;
    phone.visit("/").await;
    phone.assert_no_horizontal_overflow().await;
    phone.shot("home").await;
    phone.type_into("#site-search", "推送").await;
    phone.click_css("form.site-search button[type=submit]").await;
    assert_eq!(phone.js("return location.pathname").await, "/search");
    phone.assert_no_horizontal_overflow().await;
    phone.shot("search").await;
    phone.close().await;
}

/// A task created from the project page's form in Chinese, its due date
/// changed and two hours logged on it, all seen on its page; and the key
/// result's history chart with its actual, expected and forecast lines.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_is_created_edited_and_worked_on_and_the_key_result_chart_is_drawn() {
    let site = site().await;
    let sys = Actor::system();
    let b = Browser::open(&site.base, DESKTOP, "desktop").await;
    site.log_in(&b).await;

    // a. The new-task form on 推送策略优化's page, typed in Chinese.
    let push = site.project_id("PUSH").await;
    b.visit(&format!("/projects/{push}")).await;
    let title = "推送文案合规审校";
    b.open_details("new-task").await;
    b.type_into("#nt-title", title).await;
    b.type_into("#nt-description", "上线前由法务审校全部推送文案。").await;
    b.find("#nt-priority").await.select_by_label("高").await.expect("choose 高");
    b.type_into("#nt-estimate", "6").await;
    b.type_into("#nt-labels", "文案，合规").await;
    b.shot("project-new-task").await;
    b.click_css("#new-task button[type=submit]").await;
    let id = id_from(&b.path().await, "/tasks/");
    assert!(b.text("h1").await.ends_with(title), "on the new task's page");
    let task = site.app.get_task(&sys, keel_domain::ids::TaskId(id)).await.unwrap();
    assert_eq!((task.project_id.0, task.estimate), (push, Some(6.0)));
    assert_eq!(task.priority, keel_domain::work::Priority::High);
    assert_eq!(task.labels, ["文案", "合规"]);
    assert_eq!(b.texts(".facts .label").await, ["文案", "合规"]);

    // b. Its due date, changed in the edit form.
    let due = (today() + chrono::Duration::days(10)).format("%Y-%m-%d").to_string();
    /// What the task's facts say beside a label.
    async fn fact(b: &Browser, label: &str) -> String {
        let xpath = format!(
            "//dl[contains(@class,'facts')]/dt[normalize-space(.)={}]/following-sibling::dd[1]",
            xpath_literal(label)
        );
        b.find_xpath(&xpath).await.text().await.expect("text").trim().to_string()
    }
    assert_eq!(fact(&b, "截止日期").await, "—", "no due date yet");
    b.open_details("edit-task").await;
    // A date input takes its value as the browser's date picker would set it.
    let set = b
        .js(&format!(
            "const e = document.getElementById('te-due'); e.value = '{due}';
             e.dispatchEvent(new Event('input', {{ bubbles: true }}));
             e.dispatchEvent(new Event('change', {{ bubbles: true }}));
             return e.value"
        ))
        .await;
    assert_eq!(set, json!(due));
    b.shot("task-edit-form").await;
    b.click_css("#edit-task button[type=submit]").await;
    assert_eq!(fact(&b, "截止日期").await, due, "the new due date is shown");
    let task = site.app.get_task(&sys, keel_domain::ids::TaskId(id)).await.unwrap();
    assert_eq!(task.due_date.map(|d| d.format("%Y-%m-%d").to_string()), Some(due.clone()));
    assert_eq!(task.title, title, "the rest is kept");

    // c. Two hours logged today.
    assert_eq!(b.text("#worklogs .muted").await, "暂无工时记录。");
    let day = b.find("#wl-day").await.prop("value").await.unwrap().unwrap_or_default();
    assert_eq!(day, today().format("%Y-%m-%d").to_string(), "the form offers today, where the person is");
    b.type_into("#wl-hours", "2").await;
    b.type_into("#wl-note", "审校第一批文案").await;
    b.click_css("#log-work button[type=submit]").await;
    let row = b.texts("#worklogs tbody tr:first-child td").await;
    assert_eq!(row, [day.clone(), "张伟".to_string(), "2 小时".to_string(), "审校第一批文案".to_string()]);
    assert_eq!(fact(&b, "已登记工时").await, "2 小时");
    let detail = site.app.task_detail(&sys, keel_domain::ids::TaskId(id)).await.unwrap();
    assert_eq!(detail.worklogs.iter().map(|w| w.hours).sum::<f64>(), 2.0);
    b.shot("task-edited-and-worked").await;

    // d. The history chart of 留存率提升至45%: a dot per check-in, the lines, labelled.
    let cycle = site.app.current_cycle(&sys).await.unwrap().expect("the demo quarter");
    let tree = site.app.okr_tree(&sys, cycle.id).await.unwrap();
    let kr =
        tree.objectives.iter().flat_map(|o| &o.key_results).find(|k| k.key_result.title == "留存率提升至45%").unwrap();
    let check_ins = site.app.list_check_ins(&sys, kr.key_result.id).await.unwrap();
    b.visit(&format!("/key-results/{}", kr.key_result.id.0)).await;
    let chart = b
        .js("const s = document.querySelector('svg.kr-chart'); const r = s.getBoundingClientRect();
             return { width: r.width, height: r.height,
                      dots: s.querySelectorAll('circle.dot').length,
                      actual: !!s.querySelector('path.actual'), expected: !!s.querySelector('path.expected'),
                      forecast: !!s.querySelector('path.forecast'), title: s.querySelector('title').textContent }")
        .await;
    assert_eq!(chart["dots"], json!(check_ins.len()), "{chart}");
    assert_eq!(chart["expected"], json!(true), "{chart}");
    assert_eq!(chart["actual"], json!(check_ins.len() > 1), "{chart}");
    assert_eq!(chart["forecast"], json!(kr.forecast.is_some()), "{chart}");
    assert_eq!(chart["title"], json!("留存率提升至45% 的历史趋势"));
    assert!(chart["width"].as_f64().unwrap() > 400.0, "the chart fills its card: {chart}");
    assert_eq!(b.texts("figure.chart figcaption span").await, ["实际值", "期望进度", "预测至期末"]);
    b.shot("key-result-chart").await;
    b.close().await;
}

/// Drags a bar on a task's pointer events as a mouse would (`mode`
/// "move" grabs the bar, "resize" its right end) by `days` whole days at
/// the chart's zoom.
async fn drag_bar(b: &Browser, task: i64, mode: &str, days: i64) {
    let dragged = b
        .js(&format!(
            r#"const g = document.getElementById('bar-{task}');
               const target = g.querySelector('{part}');
               const r = target.getBoundingClientRect();
               const px = Number(document.getElementById('gantt').dataset.px);
               const x = r.left + r.width / 2, y = r.top + r.height / 2;
               const at = (cx, buttons) => ({{ bubbles: true, cancelable: true, composed: true, clientX: cx, clientY: y,
                   pointerId: 1, pointerType: 'mouse', isPrimary: true, button: 0, buttons }});
               target.dispatchEvent(new PointerEvent('pointerdown', at(x, 1)));
               target.dispatchEvent(new PointerEvent('pointermove', at(x + {days} * px / 2, 1)));
               target.dispatchEvent(new PointerEvent('pointermove', at(x + {days} * px, 1)));
               target.dispatchEvent(new PointerEvent('pointerup', at(x + {days} * px, 0)));
               return true;"#,
            part = if mode == "resize" { ".gantt-handle" } else { ".gantt-bar" },
        ))
        .await;
    assert_eq!(dragged, json!(true));
}

/// Open the Gantt chart of a demo project at each zoom, move a bar by
/// dragging it, stretch one by its end, see a move before a predecessor's
/// finish refused and the bar snap back, and change a due date with the
/// row's form; at 1280 px and at phone width the page keeps its width.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gantt_chart_moves_and_resizes_tasks_and_refuses_a_start_before_a_predecessor() {
    use chrono::Duration as Days;
    let site = site().await;
    let sys = Actor::system();
    let push = site.project_id("PUSH").await;
    let filter = keel_app::store::TaskFilter {
        project_ids: Some(vec![keel_domain::ids::ProjectId(push)]),
        ..Default::default()
    };
    let tasks = site.app.list_tasks(&sys, filter, Page::ALL).await.unwrap().0;
    let find =
        |title: &str| tasks.iter().find(|t| t.title == title).unwrap_or_else(|| panic!("no task {title}")).clone();
    // The dashboard waits for rate limiting to be built (due 4 days ago; it starts 6 days from now).
    let before = find("推送频控与免打扰时段开发");
    let board = find("推送效果看板");
    let patch =
        keel_app::work::TaskPatch { depends_on: Some(vec![before.id]), version: board.version, ..Default::default() };
    let board = site.app.update_task(&sys, board.id, patch).await.unwrap();
    let (start, due) = (board.start_date.unwrap(), board.due_date.unwrap());

    let b = Browser::open(&site.base, DESKTOP, "desktop").await;
    site.log_in(&b).await;
    b.visit(&format!("/projects/{push}")).await;
    b.click_css("#tab-gantt").await;
    assert!(b.path().await.starts_with(&format!("/projects/{push}/gantt")));
    for zoom in ["day", "week", "month"] {
        b.visit(&format!("/projects/{push}/gantt?zoom={zoom}")).await;
        b.wait_for("body.gantt-ready").await;
        assert_eq!(b.js("return document.getElementById('gantt').dataset.zoom").await, json!(zoom));
        let bars = b.js("return document.querySelectorAll('g.gantt-task').length - document.querySelectorAll('.gantt-legend g.gantt-task').length").await;
        assert_eq!(bars, json!(tasks.len()), "a bar per task at {zoom}");
        let arrow = format!("path.gantt-dep[data-from='{}'][data-to='{}']", before.id.0, board.id.0);
        b.wait_for(&arrow).await;
        b.assert_no_horizontal_overflow().await;
        b.assert_nothing_runs().await;
        b.shot(&format!("gantt-{zoom}")).await;
    }

    // Drag the bar three days later at day zoom: both dates move.
    b.visit(&format!("/projects/{push}/gantt?zoom=day")).await;
    b.wait_for("body.gantt-ready").await;
    drag_bar(&b, board.id.0, "move", 3).await;
    let deadline = Instant::now() + PATIENCE;
    loop {
        let now = site.app.get_task(&sys, board.id).await.unwrap();
        if now.start_date == Some(start + Days::days(3)) && now.due_date == Some(due + Days::days(3)) {
            break;
        }
        assert!(Instant::now() < deadline, "the dragged task still runs {:?} – {:?}", now.start_date, now.due_date);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let moved = (start + Days::days(3)).format("%Y-%m-%d").to_string();
    b.wait_for(&format!("#bar-{}[data-start='{moved}']", board.id.0)).await;
    b.shot("gantt-after-drag").await;

    // Stretch it by its right end two days: only the due date moves.
    drag_bar(&b, board.id.0, "resize", 2).await;
    let deadline = Instant::now() + PATIENCE;
    loop {
        let now = site.app.get_task(&sys, board.id).await.unwrap();
        if now.due_date == Some(due + Days::days(5)) {
            assert_eq!(now.start_date, Some(start + Days::days(3)));
            break;
        }
        assert!(Instant::now() < deadline, "the stretched task is still due {:?}", now.due_date);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let stretched = (due + Days::days(5)).format("%Y-%m-%d").to_string();
    b.wait_for(&format!("#bar-{}[data-due='{stretched}']", board.id.0)).await;

    // Dragging it to start before its predecessor is due is refused, naming it; the bar snaps back.
    let x_before =
        b.js(&format!("return document.querySelector('#bar-{} .gantt-bar').getAttribute('x')", board.id.0)).await;
    let back = (start + Days::days(3) - before.due_date.unwrap()).num_days();
    drag_bar(&b, board.id.0, "move", -back).await;
    b.wait_for("#gantt-message.error").await;
    let said = b.text("#gantt-message").await;
    assert!(said.contains(&before.key), "the refusal names the predecessor: {said}");
    let x_after =
        b.js(&format!("return document.querySelector('#bar-{} .gantt-bar').getAttribute('x')", board.id.0)).await;
    assert_eq!(x_after, x_before, "the bar is back where it was");
    assert_eq!(site.app.get_task(&sys, board.id).await.unwrap().start_date, Some(start + Days::days(3)));
    b.shot("gantt-refused").await;

    // The row's form: a new due date for another task, saved without leaving the page.
    let other = find("个性化推送文案A/B测试");
    let new_due = other.due_date.unwrap() + Days::days(4);
    b.open_details("gantt-dates").await;
    let set = b
        .js(&format!(
            "const i = document.getElementById('due-{}'); i.value = '{}'; return i.value",
            other.id.0,
            new_due.format("%Y-%m-%d")
        ))
        .await;
    assert_eq!(set, json!(new_due.format("%Y-%m-%d").to_string()));
    b.find(&format!("#dates-{} button[type=submit]", other.id.0)).await.click().await.expect("save");
    let deadline = Instant::now() + PATIENCE;
    while site.app.get_task(&sys, other.id).await.unwrap().due_date != Some(new_due) {
        assert!(Instant::now() < deadline, "the form's date was not saved");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    b.wait_for(&format!("#bar-{}[data-due='{}']", other.id.0, new_due.format("%Y-%m-%d"))).await;
    assert!(b.text("#gantt-message").await.contains(&other.key));
    assert_eq!(b.path().await, format!("/projects/{push}/gantt?zoom=day"), "no page load");
    b.shot("gantt-form-saved").await;
    b.close().await;

    // At phone width the chart scrolls inside its box and the page keeps its width.
    let phone = Browser::open(&site.base, PHONE, "phone").await;
    site.log_in(&phone).await;
    let ret = site.project_id("RET").await;
    phone.visit(&format!("/projects/{ret}/gantt")).await;
    phone.wait_for("body.gantt-ready").await;
    phone.assert_no_horizontal_overflow().await;
    let scrolls =
        phone.js("const s = document.getElementById('gantt-scroll'); return s.scrollWidth > s.clientWidth").await;
    assert_eq!(scrolls, json!(true), "the chart is wider than the phone and scrolls inside");
    phone.shot("gantt").await;
    phone.close().await;
}

/// The project's list view folds sub-tasks under their parent (unfolded by a
/// click, no script needed) and the calendar shows the month around today
/// and steps to the next; both fit a phone's width.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_view_unfolds_sub_tasks_and_the_calendar_steps_a_month() {
    let site = site().await;
    let sys = Actor::system();
    let push = site.project_id("PUSH").await;
    let parent = site.create_task("PUSH", "列表视图的父任务", "").await;
    let today = today();
    let sub = |title: &str, status: &str| TaskInput {
        project_id: keel_domain::ids::ProjectId(push),
        title: title.into(),
        description: String::new(),
        status: Some(status.into()),
        priority: None,
        assignee_id: None,
        start_date: None,
        due_date: Some(today),
        estimate: None,
        progress: None,
        parent_id: Some(keel_domain::ids::TaskId(parent)),
        labels: vec![],
        key_result_ids: vec![],
        depends_on: vec![],
        blocked: false,
        blocked_reason: None,
    };
    let first = site.app.create_task(&sys, sub("子任务甲", "Done")).await.unwrap();
    let second = site.app.create_task(&sys, sub("子任务乙", "To do")).await.unwrap();

    let b = Browser::open(&site.base, DESKTOP, "desktop").await;
    site.log_in(&b).await;
    b.visit(&format!("/projects/{push}")).await;
    b.click_css("#tab-list").await;
    assert_eq!(b.path().await, format!("/projects/{push}/list"));
    assert_eq!(b.js("return document.querySelector('#tab-list').getAttribute('aria-current')").await, json!("page"));
    // Folded: the sub-tasks are in the page but not shown.
    let shown = |id: i64| format!("return document.getElementById('list-task-{id}').checkVisibility()");
    assert_eq!(b.js(&shown(first.id.0)).await, json!(false), "folded at first");
    // Two below the parent, one of them done.
    assert_eq!(b.text(&format!("#subs-{parent} > summary")).await, "子任务 2 个，已完成 1 个");
    b.find(&format!("#subs-{parent} > summary")).await.click().await.expect("unfold");
    assert_eq!(b.js(&format!("return document.getElementById('subs-{parent}').open")).await, json!(true));
    assert_eq!(b.js(&shown(first.id.0)).await, json!(true), "unfolded");
    assert_eq!(b.js(&shown(second.id.0)).await, json!(true));
    let keys = b.texts(&format!("#subs-{parent} .tl-key")).await;
    assert_eq!(keys, vec![first.key.clone(), second.key.clone()]);
    b.assert_no_horizontal_overflow().await;
    b.assert_nothing_runs().await;
    b.shot("list").await;

    // The calendar: today marked where the demo people are, the sub-tasks on it.
    b.click_css("#tab-calendar").await;
    assert_eq!(b.path().await, format!("/projects/{push}/calendar"));
    let ymd = today.format("%Y-%m-%d").to_string();
    assert_eq!(b.js("return document.querySelector('td.cal-day.today').dataset.date").await, json!(ymd));
    let day_text = b.text(&format!("#day-{ymd}")).await;
    assert!(day_text.contains("今天"), "{day_text}");
    let on_day = b.js(&format!("return document.getElementById('day-{ymd}').dataset.count")).await;
    assert!(on_day.as_str().unwrap().parse::<usize>().unwrap() >= 2, "both sub-tasks are due today: {on_day}");
    assert!(b.text(&format!("#agenda-{ymd}")).await.contains(&second.key));
    // Monday first, in Chinese.
    assert_eq!(b.texts("#cal-grid thead th").await[..2], ["周一".to_string(), "周二".to_string()]);
    b.assert_no_horizontal_overflow().await;
    b.shot("calendar").await;
    let next = if today.month() == 12 {
        format!("{}-01", today.year() + 1)
    } else {
        format!("{}-{:02}", today.year(), today.month() + 1)
    };
    b.click_css("#cal-next").await;
    assert_eq!(b.path().await, format!("/projects/{push}/calendar?month={next}"));
    assert_eq!(b.js("return document.getElementById('cal-month').dataset.month").await, json!(next));
    assert_eq!(b.js("return document.querySelectorAll('td.cal-day.today').length").await, json!(0));
    let first_cell = b.js("return document.querySelector('td.cal-day').dataset.date").await;
    let first_day = chrono::NaiveDate::parse_from_str(first_cell.as_str().unwrap(), "%Y-%m-%d").unwrap();
    assert_eq!(first_day.weekday(), chrono::Weekday::Mon, "weeks start on Monday");
    b.shot("calendar-next").await;
    b.close().await;

    // At phone width nothing sticks out, folded or not.
    let phone = Browser::open(&site.base, PHONE, "phone").await;
    site.log_in(&phone).await;
    phone.visit(&format!("/projects/{push}/list")).await;
    phone.assert_no_horizontal_overflow().await;
    phone.find(&format!("#subs-{parent} > summary")).await.click().await.expect("unfold");
    phone.assert_no_horizontal_overflow().await;
    phone.shot("list").await;
    phone.visit(&format!("/projects/{push}/calendar")).await;
    phone.assert_no_horizontal_overflow().await;
    assert!(phone.text(&format!("#agenda-{ymd}")).await.contains(&first.key), "the agenda lists the day");
    phone.shot("calendar").await;
    phone.visit("/calendar").await;
    phone.assert_no_horizontal_overflow().await;
    phone.shot("my-calendar").await;
    phone.close().await;
}

/// People and settings (issue 3): open People, open a unit, change the
/// language and time zone in Settings and see them remembered, comment on a
/// key result (its Markdown shown, nothing in it run).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_units_settings_and_a_key_result_comment() {
    let site = site().await;
    let b = Browser::open(&site.base, DESKTOP, "desktop").await;
    site.log_in(&b).await;
    let sys = Actor::system();

    // People: every unit in the tree, the demo's people listed.
    b.follow("//nav[contains(@class,'nav')]", "人员").await;
    assert_eq!(b.path().await, "/people");
    let units = site.app.list_units(&sys).await.unwrap();
    assert_eq!(b.texts(".org-tree > li > a").await.len(), units.len());
    let people = site.app.list_users(&sys, Page::ALL).await.unwrap();
    let shown = b.texts("table.people tbody tr").await.len();
    assert_eq!(shown, people.len().min(50));
    b.assert_no_horizontal_overflow().await;
    b.shot("people").await;

    // A unit: its name, its members as the store has them.
    let unit = units.iter().find(|u| u.parent_id.is_some()).expect("a department");
    b.follow("//ul[contains(@class,'org-tree')]", &unit.name).await;
    assert_eq!(b.path().await, format!("/units/{}", unit.id.0));
    assert_eq!(b.text("main h1").await, unit.name);
    let members = people.iter().filter(|p| p.units.contains(&unit.id)).count();
    assert_eq!(b.texts("#members ul.members > li").await.len(), members);
    b.assert_no_horizontal_overflow().await;
    b.shot("unit").await;

    // Settings: English and New York, saved and shown again after a reload.
    b.follow("//nav[contains(@class,'nav')]", "设置").await;
    assert_eq!(b.path().await, "/settings");
    b.find("#set-lang").await.select_by_value("en").await.expect("choose English");
    b.find("#set-zone").await.select_by_value("America/New_York").await.expect("choose a zone");
    b.click_css("#settings-save").await;
    assert_eq!(b.path().await, "/settings?saved=1");
    assert_eq!(b.lang().await, "en");
    b.visit("/okrs").await;
    assert_eq!(b.lang().await, "en", "the language is remembered on other pages");
    b.visit("/settings").await;
    assert_eq!(b.js("return document.getElementById('set-zone').value").await, "America/New_York");
    assert_eq!(b.js("return document.getElementById('set-lang').value").await, "en");
    let me = site.app.list_users(&sys, Page::ALL).await.unwrap();
    let me = me.iter().find(|u| u.login.as_deref() == Some(site.login.as_str())).unwrap();
    assert_eq!((me.time_zone.as_str(), me.lang.map(|l| l.as_str())), ("America/New_York", Some("en")));
    b.assert_no_horizontal_overflow().await;
    b.shot("settings").await;

    // A comment on a key result: Markdown shown, the payload inert.
    let cycle = site.app.current_cycle(&sys).await.unwrap().expect("a current cycle");
    let tree = site.app.okr_tree(&sys, cycle.id).await.unwrap();
    let kr = &tree.objectives[0].key_results[0].key_result;
    b.visit(&format!("/key-results/{}", kr.id.0)).await;
    b.type_into("#kr-comment", "**on track** <img src=x onerror=\"window.__xss=1\">").await;
    b.click_css("form[action$='/comments'] button[type=submit]").await;
    assert_eq!(b.path().await, format!("/key-results/{}", kr.id.0));
    assert_eq!(b.text("#comments .comment .markdown strong").await, "on track");
    b.assert_nothing_runs().await;
    b.shot("key-result-comment").await;
    b.close().await;

    // The same pages fit a phone.
    let phone = Browser::open(&site.base, PHONE, "phone").await;
    site.log_in(&phone).await;
    for path in [
        "/people".to_string(),
        format!("/units/{}", unit.id.0),
        "/settings".into(),
        format!("/key-results/{}", kr.id.0),
    ] {
        phone.visit(&path).await;
        phone.assert_no_horizontal_overflow().await;
    }
    phone.visit("/people").await;
    phone.shot("people").await;
    phone.close().await;
}

/// Open a demo project's table from its page, add a custom select field with
/// the page's form, filter the table by it and see only the matching rows,
/// edit a cell in place, save the view, and export it: the CSV fetched with
/// the browser's own session holds exactly the rows the page shows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_table_filters_edits_in_place_saves_a_view_and_exports_what_it_shows() {
    use keel_app::table::RawValue;
    let site = site().await;
    let sys = Actor::system();
    let push = site.project_id("PUSH").await;
    let filter = keel_app::store::TaskFilter {
        project_ids: Some(vec![keel_domain::ids::ProjectId(push)]),
        ..Default::default()
    };
    let tasks = site.app.list_tasks(&sys, filter, Page::ALL).await.unwrap().0;
    assert!(tasks.len() >= 3, "the demo project has tasks");

    let b = Browser::open(&site.base, DESKTOP, "desktop").await;
    site.log_in(&b).await;
    b.visit(&format!("/projects/{push}")).await;
    b.click_css("#tab-table").await;
    assert_eq!(b.path().await, format!("/projects/{push}/table"));
    b.wait_for("body.table-ready").await;
    let shown = b.js("return document.querySelectorAll('#table tbody tr[id^=row-]').length").await;
    assert_eq!(shown, json!(tasks.len()), "every live task of the project is a row");

    // A custom field, added with the page's form.
    b.open_details("table-fields").await;
    b.type_into("#new-field-name", "平台").await;
    b.find("#new-field-kind").await.select_by_value("single_select").await.expect("choose single select");
    let typed = b
        .js("const t = document.getElementById('new-field-options'); t.value = 'iOS\\nAndroid\\nWeb'; return t.value")
        .await;
    assert_eq!(typed, json!("iOS\nAndroid\nWeb"));
    b.click_css("#add-field button[type=submit]").await;
    let field = site
        .app
        .list_fields(&sys, keel_domain::ids::ProjectId(push))
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.name == "平台")
        .expect("the field was added");
    let col = format!("f{}", field.id.0);
    b.wait_for(&format!("#table th[data-col='{col}']")).await;

    // Values for some tasks: every other one on iOS, the rest on Web.
    let mut ios = Vec::new();
    for (i, t) in tasks.iter().enumerate() {
        let option = if i % 2 == 0 { "iOS" } else { "Web" };
        let raw = RawValue::Inputs(vec![option.to_string()]);
        site.app.set_field_value(&sys, t.id, field.id, raw, t.version).await.expect("set a value");
        if option == "iOS" {
            ios.push(t.id.0);
        }
    }

    // Filter by it with the view form: only the iOS rows remain.
    b.visit(&format!("/projects/{push}/table")).await;
    b.wait_for("body.table-ready").await;
    let set = b
        .js(&format!(
            "const row = document.getElementById('filter-0');
             const c = row.querySelector('.filter-column'); c.value = '{col}'; c.dispatchEvent(new Event('change', {{ bubbles: true }}));
             const o = row.querySelector('.filter-op'); o.value = 'is'; o.dispatchEvent(new Event('change', {{ bubbles: true }}));
             return [c.value, o.value, [...o.options].filter(x => !x.hidden).map(x => x.value)]"
        ))
        .await;
    assert_eq!(
        set,
        json!([col, "is", ["is", "is_not", "empty", "not_empty", "any_of"]]),
        "only the operators a select takes"
    );
    b.type_into("#filter-0 .filter-value", "iOS").await;
    b.click_css("#table-apply").await;
    assert!(b.path().await.contains(&format!("f0={col}")), "the view is in the address: {}", b.path().await);
    let rows: Vec<i64> = b
        .js("return [...document.querySelectorAll('#table tbody tr[id^=row-]')].map(tr => Number(tr.dataset.taskId))")
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    assert_eq!(rows, ios, "only the rows whose 平台 is iOS, in task order");
    b.assert_nothing_runs().await;

    // Edit a cell in place: the first row's estimate, without leaving the page.
    let first = ios[0];
    let cell = format!("#row-{first} td[data-col='estimate']");
    b.find(&cell).await.click().await.expect("click the cell");
    b.wait_for(&format!("{cell} form.cell-editor input[name=value]")).await;
    b.shot("table-editing").await;
    b.type_into(&format!("{cell} form.cell-editor input[name=value]"), "6.5").await;
    b.find(&format!("{cell} form.cell-editor button[type=submit]")).await.click().await.expect("save");
    let deadline = Instant::now() + PATIENCE;
    while site.app.get_task(&sys, keel_domain::ids::TaskId(first)).await.unwrap().estimate != Some(6.5) {
        assert!(Instant::now() < deadline, "the edited estimate was not saved");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    b.wait_for(&format!("{cell}:not(.editing)")).await;
    assert_eq!(b.text(&format!("{cell} .cell-text")).await, "6.5");
    assert!(b.text("#table-message").await.contains("已保存"), "the page says it is saved");
    assert!(b.path().await.contains(&format!("f0={col}")), "no page load");

    // Save the view for oneself; it is then the current one.
    b.type_into("#view-name", "iOS 任务").await;
    b.click_css("#save-view button[type=submit]").await;
    assert!(b.path().await.contains("view="), "{}", b.path().await);
    assert_eq!(b.text("#table-views a[aria-current=page]").await, "iOS 任务");
    let views = site.app.list_views(&sys, keel_domain::ids::ProjectId(push)).await.unwrap();
    assert!(views.is_empty(), "a personal view is not shared: {views:?}");

    // What the page shows, cell by cell…
    let page_rows: Vec<Vec<String>> = serde_json::from_value(
        b.js("return [...document.querySelectorAll('#table tbody tr[id^=row-]')].map(tr =>
                [...tr.children].map(td => (td.querySelector('.cell-text') || td).textContent.trim()))")
            .await,
    )
    .unwrap();
    let page_head: Vec<String> = serde_json::from_value(
        b.js("return [...document.querySelectorAll('#table thead th')].map(th => th.querySelector('a.sort').textContent.trim())")
            .await,
    )
    .unwrap();
    assert_eq!(page_rows.len(), ios.len());
    // …is what the CSV export holds, fetched with the browser's session.
    let href = b.find("#export-csv").await.attr("href").await.unwrap().expect("an export link");
    let session = b.client.get_named_cookie("keel_session").await.expect("the session cookie");
    let csv_bytes = reqwest::Client::new()
        .get(format!("{}{href}", site.base))
        .header("cookie", format!("keel_session={}", session.value()))
        .send()
        .await
        .expect("fetch the export")
        .bytes()
        .await
        .expect("the CSV");
    assert!(csv_bytes.starts_with("\u{feff}".as_bytes()), "UTF-8 with a byte-order mark");
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(&csv_bytes[3..]);
    let records: Vec<Vec<String>> =
        reader.records().map(|r| r.unwrap().iter().map(|c| c.trim().to_string()).collect()).collect();
    assert_eq!(records[0], page_head, "the same columns in the same order");
    assert_eq!(records[1..].to_vec(), page_rows, "the same rows with the same text");
    b.assert_no_horizontal_overflow().await;
    b.shot("table").await;
    b.close().await;

    // At phone width the grid scrolls inside its box and the page keeps its width.
    let phone = Browser::open(&site.base, PHONE, "phone").await;
    site.log_in(&phone).await;
    phone.visit(&format!("/projects/{push}/table")).await;
    phone.wait_for("body.table-ready").await;
    phone.assert_no_horizontal_overflow().await;
    let scrolls =
        phone.js("const s = document.getElementById('table-scroll'); return s.scrollWidth > s.clientWidth").await;
    assert_eq!(scrolls, json!(true), "the table is wider than the phone and scrolls inside");
    phone.shot("table").await;
    phone.close().await;
}
