//! Live updates over real HTTP: a stream following a task hears its change;
//! one following the task's project hears it too; someone who may not see a
//! private project hears nothing about it.

mod common;

use common::Harness;
use keel_domain::org::Role;
use serde_json::json;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// Opens `GET /events?watch=…` and returns a reader positioned after the headers.
async fn follow(base: &str, token: &str, watch: &str) -> BufReader<tokio::net::TcpStream> {
    let address = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let request = format!(
        "GET /events?watch={watch} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut reader = BufReader::new(stream);
    let mut status = String::new();
    reader.read_line(&mut status).await.unwrap();
    assert!(status.contains("200"), "{status}");
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).await.unwrap();
        if line == "\r\n" {
            return reader;
        }
    }
}

/// The next `data:` line of a `change` event, or None after `wait`.
async fn next_change(reader: &mut BufReader<tokio::net::TcpStream>, wait: Duration) -> Option<String> {
    tokio::time::timeout(wait, async {
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).await.unwrap() == 0 {
                return None;
            }
            if let Some(data) = line.trim().strip_prefix("data:")
                && (data.contains("change_id") || data.contains("lagged"))
            {
                return Some(data.trim().to_string());
            }
        }
    })
    .await
    .ok()
    .flatten()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_hear_about_changes_they_may_see() {
    let h = Harness::new(keel_testkit::Backend::Sqlite).await;
    let saas = h.post("/api/v1/units", json!({ "name": "SaaS" })).await["id"].as_i64().unwrap();
    let (_, outsider) = h.person("outsider", Role::Member, vec![]).await;
    let open = h.post("/api/v1/projects", json!({ "key": "LIVE", "name": "实时" })).await["id"].as_i64().unwrap();
    let secret = h
        .post("/api/v1/projects", json!({ "key": "HUSH", "name": "秘密", "unit_id": saas, "private": true }))
        .await["id"]
        .as_i64()
        .unwrap();
    let task = h.post("/api/v1/tasks", json!({ "project_id": open, "title": "看板任务" })).await;
    let hidden = h.post("/api/v1/tasks", json!({ "project_id": secret, "title": "秘密任务" })).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = h.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    let mut on_task = follow(&base, &h.admin, &format!("task:{}", task["id"])).await;
    let mut on_project = follow(&base, &h.admin, &format!("project:{open}")).await;
    let mut snooping = follow(&base, &outsider, &format!("task:{},project:{secret}", hidden["id"])).await;
    // Let the poller start from the current end of the record.
    tokio::time::sleep(Duration::from_millis(700)).await;

    // Someone else (here the system) changes both tasks.
    let sys = keel_app::Actor::system();
    let done = |version: &serde_json::Value| keel_app::work::TaskPatch {
        status: Some("Done".into()),
        version: version.as_i64().unwrap(),
        ..Default::default()
    };
    h.app.update_task(&sys, keel_domain::TaskId(task["id"].as_i64().unwrap()), done(&task["version"])).await.unwrap();
    h.app
        .update_task(&sys, keel_domain::TaskId(hidden["id"].as_i64().unwrap()), done(&hidden["version"]))
        .await
        .unwrap();

    let heard = next_change(&mut on_task, Duration::from_secs(5)).await.expect("the task's page hears its change");
    assert!(heard.contains(&format!("\"topic\":\"task:{}\"", task["id"])), "{heard}");
    let heard = next_change(&mut on_project, Duration::from_secs(5)).await.expect("the project page hears its task");
    assert!(heard.contains(&format!("\"topic\":\"project:{open}\"")), "{heard}");
    assert_eq!(next_change(&mut snooping, Duration::from_millis(1500)).await, None, "nothing about a private project");

    // A person's own change is already on their page: it is not sent back to them.
    let version = task["version"].as_i64().unwrap() + 1;
    h.patch(&format!("/api/v1/tasks/{}", task["id"]), json!({ "title": "自己改的", "version": version })).await;
    assert_eq!(next_change(&mut on_task, Duration::from_millis(1500)).await, None, "no echo of one's own change");

    let (code, body) = h.call(axum::http::Method::GET, "/events?watch=secrets:1", Some(&h.admin), None).await;
    assert_eq!((code.as_u16(), body["error"]["field"].as_str()), (422, Some("watch")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_hears_what_changed_after_it_was_drawn_and_only_that() {
    let h = Harness::new(keel_testkit::Backend::Sqlite).await;
    let project = h.post("/api/v1/projects", json!({ "key": "SEEN", "name": "已看" })).await["id"].as_i64().unwrap();
    let task = h.post("/api/v1/tasks", json!({ "project_id": project, "title": "任务" })).await;
    let id = keel_domain::TaskId(task["id"].as_i64().unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = h.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    // An earlier page starts the poller at the current end of the record.
    let _earlier = follow(&base, &h.admin, &format!("project:{project}")).await;
    tokio::time::sleep(Duration::from_millis(700)).await;

    let sys = keel_app::Actor::system();
    let mut version = task["version"].as_i64().unwrap();
    let mut rename = |title: &str| {
        version += 1;
        keel_app::work::TaskPatch { title: Some(title.into()), version: version - 1, ..Default::default() }
    };
    // Someone else's change, then the page is drawn (it shows that change)
    // and opens its stream before the poller has passed the change on.
    h.app.update_task(&sys, id, rename("一")).await.unwrap();
    let drawn_at = h.app.latest_change_id().await.unwrap();
    let mut page = follow(&base, &h.admin, &format!("task:{}&after={drawn_at}", id.0)).await;
    assert_eq!(next_change(&mut page, Duration::from_millis(1500)).await, None, "a change the page shows is not news");

    // A change between drawing a page and its stream opening is not lost.
    let drawn_at = h.app.latest_change_id().await.unwrap();
    h.app.update_task(&sys, id, rename("二")).await.unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await; // the poller has passed it on by now
    let mut late = follow(&base, &h.admin, &format!("task:{}&after={drawn_at}", id.0)).await;
    let heard = next_change(&mut late, Duration::from_secs(3)).await.expect("the late page hears the change");
    assert!(heard.contains(&format!("\"change_id\":{}", drawn_at + 1)), "{heard}");
    // Once only: the poller's copy of the same change is not sent again.
    assert_eq!(next_change(&mut late, Duration::from_millis(1500)).await, None);
}
