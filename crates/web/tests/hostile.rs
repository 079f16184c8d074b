//! Hostile titles and bodies on every page that shows titles. Objectives,
//! key results, projects, milestones, tasks, sub-tasks, comments and labels
//! are each given text that would run script, link to `javascript:` or leave
//! markup open if a page printed it raw, and a title of 255 four-byte
//! characters. Every page must show the text escaped (and the long title
//! whole), and the JSON lists must hand it back exactly.

mod views_common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{Duration, NaiveDate, Utc};
use keel_app::Actor;
use keel_app::work::{CommentInput, TaskPatch};
use keel_domain::org::{Lang, Role};
use keel_domain::work::ProjectMilestone;
use keel_domain::{MilestoneId, TaskId};
use keel_testkit::Backend;
use serde_json::{Value, json};
use views_common::{Person, Site, attrs, escaped};

const IMG: &str = "<img src=x onerror=alert(1)>";
const SCRIPT: &str = "<script>alert(1)</script>";
const LINK: &str = "[x](javascript:alert(1))";
const UNCLOSED: &str = "<b>bold";

fn long() -> String {
    "𝒜".repeat(255)
}

/// The hostile texts; the last is the long one.
fn hostile() -> Vec<String> {
    vec![IMG.into(), SCRIPT.into(), LINK.into(), UNCLOSED.into(), long()]
}

/// A text cut to a field's limit in characters (never inside a character).
fn cut(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

struct Made {
    cycle: i64,
    objectives: Vec<i64>,
    krs: Vec<i64>,
    projects: Vec<i64>,
    tasks: Vec<TaskId>,
    subs: Vec<TaskId>,
}

async fn make(site: &Site, ada: &Person) -> Made {
    let today = keel_app::clock::today_in("Asia/Shanghai", Utc::now());
    let day = |n: i64| (today + Duration::days(n)).to_string();
    let system = Actor::system();
    let cycle: keel_app::okr::CycleInput =
        serde_json::from_value(json!({"name": "Now", "start_date": day(-30), "end_date": day(60), "state": "active"}))
            .unwrap();
    let cycle = site.app.create_cycle(&system, cycle).await.unwrap();
    let mut made =
        Made { cycle: cycle.id.0, objectives: vec![], krs: vec![], projects: vec![], tasks: vec![], subs: vec![] };
    for (i, h) in hostile().iter().enumerate() {
        let o: keel_app::okr::ObjectiveInput = serde_json::from_value(json!({
            "cycle_id": cycle.id.0, "title": h, "description": h, "level": "company", "owner_id": ada.id.0
        }))
        .unwrap();
        let o = site.app.create_objective(&system, o).await.unwrap();
        let kr: keel_app::okr::KeyResultInput = serde_json::from_value(json!({
            "objective_id": o.id.0, "title": h, "kind": "metric", "owner_id": ada.id.0,
            "start_value": 0.0, "target_value": 10.0, "due_date": day(30)
        }))
        .unwrap();
        let kr = site.app.create_key_result(&system, kr).await.unwrap();
        // A project's name holds at most 200 characters.
        let p = site
            .project(json!({
                "key": format!("HX{i}"), "name": cut(h, 200), "description": h,
                "owner_id": ada.id.0, "key_result_ids": [kr.id.0]
            }))
            .await;
        let mut tx = site.db.store.write().await.unwrap();
        let date = NaiveDate::parse_from_str(&day(0), "%Y-%m-%d").unwrap();
        tx.insert_milestone(&ProjectMilestone {
            id: MilestoneId(0),
            project_id: p.id,
            title: h.clone(),
            due_date: Some(date),
            done: false,
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();
        // A label holds at most 100 characters.
        let task = site
            .task(
                p.id,
                json!({
                    "title": h, "description": h, "labels": [cut(h, 100)], "assignee_id": ada.id.0,
                    "start_date": day(-2), "due_date": day(0), "key_result_ids": [kr.id.0]
                }),
            )
            .await;
        let sub = site
            .task(p.id, json!({"title": h, "parent_id": task.id.0, "assignee_id": ada.id.0, "due_date": day(0)}))
            .await;
        let old = site.task(p.id, json!({"title": h, "labels": [cut(h, 100)]})).await;
        let patch = TaskPatch { archived: Some(true), version: old.version, ..Default::default() };
        site.app.update_task(&system, old.id, patch).await.unwrap();
        site.app.add_comment(&system, task.id, CommentInput { body: h.clone() }).await.unwrap();
        made.objectives.push(o.id.0);
        made.krs.push(kr.id.0);
        made.projects.push(p.id.0);
        made.tasks.push(task.id);
        made.subs.push(sub.id);
    }
    made
}

/// Nothing from the input may come out as markup.
fn assert_inert(uri: &str, body: &str) {
    assert!(!body.contains("<img"), "{uri}: raw <img");
    // The only scripts are the site's own modules.
    for (i, _) in body.match_indices("<script") {
        assert!(body[i..].starts_with(r#"<script type="module" src="/assets/"#), "{uri}: raw <script at {i}");
    }
    for name in ["href", "src", "action", "formaction"] {
        for value in attrs(body, name) {
            let v: String = value.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase();
            assert!(!v.starts_with("javascript:"), "{uri}: {name}={value}");
        }
    }
    assert!(!body.to_ascii_lowercase().contains("javascript:alert(1)\""), "{uri}");
    // Markdown may show the <b> it was given, but closed at once: never left open.
    for (i, _) in body.match_indices("<b>bold") {
        assert!(body[i..].starts_with("<b>bold</b>"), "{uri}: the unclosed <b> came through");
    }
    assert_eq!(body.matches("<b>").count(), body.matches("</b>").count(), "{uri}: unbalanced <b>");
    assert!(!body.contains("onerror=alert(1)>"), "{uri}");
}

/// Every hostile text shows, escaped; the long one whole.
fn assert_shown(uri: &str, body: &str, texts: &[String]) {
    for h in texts {
        assert!(body.contains(&escaped(h)), "{uri}: {h:?} is not shown escaped and whole");
    }
}

async fn sweep(backend: Backend) {
    let site = Site::new(backend).await;
    let ada = site.person("ada", Role::Admin, Lang::En, "Asia/Shanghai").await;
    let made = make(&site, &ada).await;
    let all = hostile();
    let names: Vec<String> = all.iter().map(|h| cut(h, 200)).collect();
    let labels: Vec<String> = all.iter().map(|h| cut(h, 100)).collect();

    // (address, texts it must show).
    let mut pages: Vec<(String, Vec<String>)> = vec![
        ("/".into(), all.clone()),
        ("/okrs".into(), all.clone()),
        ("/projects".into(), names.clone()),
        ("/calendar".into(), all.clone()),
    ];
    for (i, h) in all.iter().enumerate() {
        let p = made.projects[i];
        let one = vec![h.clone()];
        pages.push((format!("/key-results/{}", made.krs[i]), vec![h.clone(), names[i].clone()]));
        pages.push((format!("/projects/{p}"), vec![h.clone(), names[i].clone()]));
        pages.push((format!("/projects/{p}/list"), one.clone()));
        pages.push((format!("/projects/{p}/list?archived=1"), one.clone()));
        pages.push((format!("/projects/{p}/board"), vec![h.clone(), labels[i].clone()]));
        pages.push((format!("/projects/{p}/board?archived=1"), vec![h.clone(), labels[i].clone()]));
        pages.push((format!("/projects/{p}/gantt"), one.clone()));
        pages.push((format!("/projects/{p}/calendar"), one.clone()));
        pages.push((format!("/tasks/{}", made.tasks[i].0), vec![h.clone(), labels[i].clone()]));
        pages.push((format!("/tasks/{}", made.subs[i].0), one.clone()));
    }
    for (uri, texts) in &pages {
        let r = site.get(uri, &ada.cookie).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.body);
        assert_inert(uri, &r.body);
        assert_shown(uri, &r.body, texts);
    }

    // Search marks what matched; without the marks the titles read whole.
    for (q, expect) in [("alert", vec![IMG, SCRIPT, LINK]), ("bold", vec![UNCLOSED])] {
        let uri = format!("/search?q={q}");
        let body = site.page(&uri, &ada).await;
        assert_inert(&uri, &body);
        let plain = body.replace("<mark>", "").replace("</mark>", "");
        assert_shown(&uri, &plain, &expect.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    }
    let long = long();
    let uri = format!("/search?q={}", views_common::encode("𝒜𝒜𝒜"));
    let body = site.page(&uri, &ada).await;
    assert_shown(&uri, &body.replace("<mark>", "").replace("</mark>", ""), std::slice::from_ref(&long));
    // The query itself is hostile too: shown back as text.
    for q in [IMG, SCRIPT, UNCLOSED] {
        let uri = format!("/search?q={}", views_common::encode(q));
        let body = site.page(&uri, &ada).await;
        assert_inert(&uri, &body);
        assert!(body.replace("<mark>", "").replace("</mark>", "").contains(&escaped(q)), "{uri}");
    }

    // The JSON lists give every text back exactly, as JSON.
    let token = site.app.create_token("ada", "tests").await.unwrap();
    let api = |uri: String| {
        let token = token.clone();
        let site = &site;
        async move {
            let req = Request::get(&uri).header(header::AUTHORIZATION, format!("Bearer {token}"));
            let r = site.send(req.body(Body::empty()).unwrap()).await;
            assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.body);
            let kind = r.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
            assert!(kind.starts_with("application/json"), "{uri}: {kind}");
            serde_json::from_str::<Value>(&r.body).unwrap()
        }
    };
    let titles = |v: &Value, field: &str| -> Vec<String> {
        let items = v.get("items").unwrap_or(v).as_array().expect("a list").clone();
        items.iter().filter_map(|i| i[field].as_str().map(String::from)).collect()
    };
    let objectives = api(format!("/api/v1/objectives?cycle_id={}", made.cycle)).await;
    let krs = api(format!("/api/v1/key-results?cycle_id={}", made.cycle)).await;
    let projects = api("/api/v1/projects".into()).await;
    for h in &all {
        assert!(titles(&objectives, "title").contains(h), "objectives: {h}");
        assert!(titles(&krs, "title").contains(h), "key results: {h}");
    }
    for n in &names {
        assert!(titles(&projects, "name").contains(n), "projects: {n}");
    }
    for (i, h) in all.iter().enumerate() {
        let p = made.projects[i];
        let tasks = api(format!("/api/v1/tasks?project_id={p}&include_archived=true")).await;
        assert_eq!(titles(&tasks, "title"), vec![h.clone(); 3], "tasks of {p}");
        let items = tasks["items"].as_array().unwrap();
        assert!(items.iter().any(|t| t["labels"] == json!([labels[i]])));
        let comments = api(format!("/api/v1/tasks/{}/comments", made.tasks[i].0)).await;
        assert_eq!(titles(&comments, "body"), vec![h.clone()]);
    }
    let hits = api(format!("/api/v1/search?q={}", views_common::encode("𝒜𝒜"))).await;
    assert!(titles(&hits, "title").contains(&long));
    let listed: Vec<i64> = objectives["items"].as_array().unwrap().iter().filter_map(|o| o["id"].as_i64()).collect();
    assert_eq!(listed, made.objectives);
}

#[tokio::test]
async fn hostile_titles_are_inert_and_whole_on_every_page_sqlite() {
    sweep(Backend::Sqlite).await;
}

#[tokio::test]
async fn hostile_titles_are_inert_and_whole_on_every_page_postgres() {
    sweep(Backend::Postgres).await;
}
