//! Sixteen writers at once over real HTTP against one SQLite file: none may
//! fail, none may be lost (Redmine on SQLite loses 14–28 % here).

mod common;

use common::Harness;
use serde_json::json;
use std::collections::HashSet;

const WRITERS: usize = 16;
const EACH: usize = 25;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_concurrent_writers_lose_nothing() {
    let h = Harness::new(keel_testkit::Backend::Sqlite).await;
    let project = h.post("/api/v1/projects", json!({ "key": "CON", "name": "并发" })).await["id"].as_i64().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = h.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    let client = reqwest::Client::new();
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let (client, base, token) = (client.clone(), base.clone(), h.admin.clone());
        writers.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            for i in 0..EACH {
                let body =
                    json!({ "project_id": project, "title": format!("writer {w} task {i} 🎯"), "estimate": 1.5 });
                let response =
                    client.post(format!("{base}/api/v1/tasks")).bearer_auth(&token).json(&body).send().await.unwrap();
                let status = response.status().as_u16();
                let created: serde_json::Value = response.json().await.unwrap();
                // Every created task is then edited once, so updates race too.
                let patch = json!({ "status": "In progress", "version": created["version"] });
                let edited = client
                    .patch(format!("{base}/api/v1/tasks/{}", created["id"]))
                    .bearer_auth(&token)
                    .json(&patch)
                    .send()
                    .await
                    .unwrap();
                statuses.push((status, edited.status().as_u16()));
            }
            statuses
        }));
    }
    let mut all = Vec::new();
    for writer in writers {
        all.extend(writer.await.unwrap());
    }
    assert_eq!(all.len(), WRITERS * EACH);
    assert!(
        all.iter().all(|(create, edit)| *create == 201 && *edit == 200),
        "failures: {:?}",
        all.iter().filter(|s| **s != (201, 200)).collect::<Vec<_>>()
    );

    let listing = h.get(&format!("/api/v1/tasks?project_id={project}&limit=500")).await;
    let items = listing["items"].as_array().unwrap();
    assert_eq!(listing["total"], (WRITERS * EACH) as i64);
    let titles: HashSet<&str> = items.iter().map(|t| t["title"].as_str().unwrap()).collect();
    assert_eq!(titles.len(), WRITERS * EACH, "every write is there once");
    let numbers: HashSet<i64> = items.iter().map(|t| t["number"].as_i64().unwrap()).collect();
    assert_eq!(numbers, (1..=(WRITERS * EACH) as i64).collect(), "task numbers are unique and gapless");
    assert!(items.iter().all(|t| t["status"] == "In progress" && t["version"] == 2));
}
