//! `keel serve` as a user starts it: default data folder, printed URL and
//! login, the demo organisation, and an API token made with the CLI.

use keel_testkit::TempDir;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    lines: Vec<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `keel serve` in `dir` and reads its stdout until it printed `lines` lines.
fn serve(dir: &std::path::Path, args: &[&str], lines: usize) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_keel"))
        .arg("serve")
        .args(["--bind", "127.0.0.1:0"])
        .args(args)
        .current_dir(dir)
        .env_remove("KEEL_DATABASE_URL")
        .env_remove("KEEL_DATA_DIR")
        .env("KEEL_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start keel serve");
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut out = Vec::new();
    let start = Instant::now();
    while out.len() < lines && start.elapsed() < Duration::from_secs(60) {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            break;
        }
        out.push(line.trim_end().to_string());
    }
    // Keep reading whatever else it prints, as a terminal would.
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    Server { child, lines: out }
}

fn url_in(line: &str) -> String {
    line.split_whitespace().find(|w| w.starts_with("http://")).expect("a URL").to_string()
}

#[tokio::test]
async fn first_start_creates_the_database_and_offers_a_setup_link() {
    let dir = TempDir::new("serve");
    let server = serve(dir.path(), &[], 2);
    assert!(server.lines[0].contains("SQLite"), "{:?}", server.lines);
    assert!(dir.path().join("keel-data/keel.db").exists(), "the default data folder is ./keel-data");
    let base = url_in(&server.lines[0]);
    assert!(server.lines[1].contains("/setup?token="), "{:?}", server.lines);
    let health = reqwest::get(format!("{base}/healthz")).await.unwrap();
    assert_eq!(health.status(), 200);
    let api = reqwest::get(format!("{base}/api/v1/cycles")).await.unwrap();
    assert_eq!(api.status(), 401);
    let doc: serde_json::Value =
        reqwest::get(format!("{base}/api/v1/openapi.json")).await.unwrap().json().await.unwrap();
    assert!(doc["paths"]["/api/v1/tasks"].is_object());
}

#[tokio::test]
async fn demo_serves_the_product_brief_example() {
    let dir = TempDir::new("demo");
    let server = serve(dir.path(), &["--demo"], 2);
    let base = url_in(&server.lines[0]);
    assert!(server.lines[1].contains("zhangwei") && server.lines[1].contains("password"), "{:?}", server.lines);
    let token = Command::new(env!("CARGO_BIN_EXE_keel"))
        .args(["token", "create", "zhangwei"])
        .current_dir(dir.path())
        .env("KEEL_LOG", "warn")
        .output()
        .unwrap();
    assert!(token.status.success(), "{}", String::from_utf8_lossy(&token.stderr));
    let token = String::from_utf8(token.stdout).unwrap().trim().to_string();
    let client = reqwest::Client::new();
    let get = |path: &str| client.get(format!("{base}{path}")).bearer_auth(&token).send();
    let cycles: serde_json::Value = get("/api/v1/cycles").await.unwrap().json().await.unwrap();
    // The quarter containing today, as the brief asks.
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let quarter = cycles["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"].as_str().unwrap().contains("-Q"))
        .expect("a quarter");
    assert!(quarter["start_date"].as_str().unwrap() <= today.to_string().as_str());
    assert!(quarter["end_date"].as_str().unwrap() >= today.to_string().as_str());
    let tree: serde_json::Value =
        get(&format!("/api/v1/cycles/{}/tree", quarter["id"])).await.unwrap().json().await.unwrap();
    let objectives = tree["objectives"].as_array().unwrap();
    let retention = objectives.iter().find(|o| o["title"] == "提升用户留存率").expect("company objective");
    let kr1 =
        retention["key_results"].as_array().unwrap().iter().find(|k| k["title"] == "留存率提升至45%").expect("KR1");
    assert_eq!(
        (kr1["kind"].as_str(), kr1["start_value"].as_f64(), kr1["target_value"].as_f64()),
        (Some("metric"), Some(38.0), Some(45.0))
    );
    let current = kr1["current_value"].as_f64().unwrap();
    assert!(((kr1["progress"].as_f64().unwrap()) - (current - 38.0) / 7.0).abs() < 1e-9);
    assert!(kr1["check_in_count"].as_u64().unwrap() >= 2, "check-ins spread over past weeks");
    assert!(
        objectives
            .iter()
            .any(|o| o["title"] == "打造更易用的后台管理系统" && o["key_results"].as_array().unwrap().len() == 3)
    );
    let projects: serde_json::Value = get("/api/v1/projects?limit=100").await.unwrap().json().await.unwrap();
    let projects = projects["items"].as_array().unwrap();
    let main = projects.iter().find(|p| p["name"] == "用户活跃度优化专项").expect("the project");
    assert!(main["key_result_ids"].as_array().unwrap().contains(&kr1["id"]), "bound to KR1");
    let subs: Vec<&str> =
        projects.iter().filter(|p| p["parent_id"] == main["id"]).map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(subs, vec!["推送策略优化", "社区激励机制建设", "新手引导流程重构"]);
    let view: serde_json::Value = get(&format!("/api/v1/projects/{}", main["id"])).await.unwrap().json().await.unwrap();
    assert!(
        view["overdue_tasks"].as_u64().unwrap() > 0
            && view["blocked_tasks"].as_u64().unwrap() == 1
            && view["done_tasks"].as_u64().unwrap() > 0
    );
    let units: serde_json::Value = get("/api/v1/units").await.unwrap().json().await.unwrap();
    for region in ["Shenzhen", "Chengdu", "Hangzhou"] {
        assert!(units["items"].as_array().unwrap().iter().any(|u| u["region"] == region), "{region}");
    }
}
