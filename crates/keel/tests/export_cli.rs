//! `keel export` and `keel import keel-json` as a user runs them: an
//! instance with a row in every table (the demo, a real Trello board, and
//! what the demo lacks added through the use cases) exported, restored on
//! PostgreSQL and on SQLite and exported again — the same bytes each time —
//! and restores that must be refused, leaving nothing behind.

mod cli;

use cli::{app_on, keel};
use keel_app::store::Page;
use keel_app::{Actor, App};
use keel_domain::ids::*;
use keel_domain::work::ProjectMilestone;
use keel_testkit::{TempDir, create_pg_database};
use serde_json::{Value, json};
use std::path::Path;
use std::process::Output;

fn ok(out: Output) -> String {
    assert!(out.status.success(), "keel failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn input<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).unwrap()
}

/// Adds a row to every table the demo and the Trello import leave empty.
async fn fill_the_rest(app: &App) {
    let sys = Actor::system();
    app.create_token("zhangwei", "备份测试 backup test").await.unwrap();
    let me = app.token_actor(&app.create_token("lina", "t").await.unwrap()).await.unwrap();
    let settings = app.my_settings(&me).await.unwrap();
    app.update_my_settings(
        &me,
        input(json!({"lang": "en", "time_zone": "Europe/Berlin", "notifications": settings.notifications,
                     "version": settings.version, "notifications_version": settings.notifications_version})),
    )
    .await
    .unwrap();
    let projects = app.list_projects(&sys, Page::ALL).await.unwrap();
    let project = projects[0].id;
    let cycle = app.list_cycles(&sys).await.unwrap()[0].id;
    let kr = app.okr_tree(&sys, cycle).await.unwrap().objectives[0].key_results[0].key_result.id;
    app.add_kr_comment(&sys, kr, "数字对得上吗? \"quoted\", with commas\nand a second line").await.unwrap();
    let first = app
        .create_task(&sys, input(json!({"project_id": project, "title": "备份 backup", "key_result_ids": [kr]})))
        .await
        .unwrap();
    let second = app
        .create_task(
            &sys,
            input(json!({"project_id": project, "title": "恢复 restore", "depends_on": [first.id],
                                        "parent_id": first.id})),
        )
        .await
        .unwrap();
    app.add_comment(&sys, second.id, input(json!({"body": "先备份 back up first"}))).await.unwrap();
    let field = app
        .create_field(
            &sys,
            project,
            input(json!({"name": "平台", "kind": "single_select", "options": ["iOS", "安卓"]})),
        )
        .await
        .unwrap();
    app.set_field_value(&sys, second.id, field.id, keel_app::table::RawValue::Json(json!("安卓")), second.version)
        .await
        .unwrap();
    app.create_view(&sys, project, input(json!({"name": "安卓视图", "spec": {}, "shared": true}))).await.unwrap();
    let mut tx = app.store.write().await.unwrap();
    let milestone = ProjectMilestone {
        id: MilestoneId(0),
        project_id: project,
        title: "上线 launch".into(),
        due_date: chrono::NaiveDate::from_ymd_opt(2026, 12, 31),
        done: false,
    };
    tx.insert_milestone(&milestone).await.unwrap();
    tx.commit().await.unwrap();
}

fn tables(document: &str) -> Vec<(String, usize)> {
    let v: Value = serde_json::from_str(document).unwrap();
    v["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap().to_string(), t["rows"].as_array().unwrap().len()))
        .collect()
}

fn export(url: &str, to: &Path) -> String {
    ok(keel(url, &["export", "--output", to.to_str().unwrap()]));
    std::fs::read_to_string(to).unwrap()
}

#[tokio::test]
async fn an_export_restores_on_either_backend_byte_for_byte() {
    let dir = TempDir::new("export");
    let source = format!("sqlite://{}", dir.path().join("source.db").display());
    ok(keel(&source, &["demo"]));
    let board = keel_testkit::real_data("trello/kanban-2016-small-board.json");
    ok(keel(&source, &["import", "trello", board.to_str().unwrap()]));
    fill_the_rest(&app_on(&source).await).await;

    let first = export(&source, &dir.path().join("first.json"));
    // Every table Keel keeps (sessions aside) has rows to carry.
    for (table, rows) in tables(&first) {
        assert!(rows > 0, "table {table} is empty in the export, so the round trip would not test it");
    }
    // The same document on standard output.
    assert_eq!(ok(keel(&source, &["export"])), first);

    // SQLite → PostgreSQL → export: identical; and back to SQLite: identical.
    let pg = create_pg_database().await;
    let out = ok(keel(&pg.url, &["import", "keel-json", dir.path().join("first.json").to_str().unwrap(), "--json"]));
    let summary: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(summary["tables"].as_array().unwrap().len(), tables(&first).len());
    let from_pg = export(&pg.url, &dir.path().join("pg.json"));
    assert!(from_pg == first, "the PostgreSQL export differs from the first");
    let back = format!("sqlite://{}", dir.path().join("back.db").display());
    ok(keel(&back, &["import", "keel-json", dir.path().join("pg.json").to_str().unwrap()]));
    assert!(export(&back, &dir.path().join("back.json")) == first, "the SQLite export differs from the first");

    // The restored instances go on: people log in with their passwords'
    // hashes, new rows get new ids (PostgreSQL's sequences moved on).
    for url in [&pg.url, &back] {
        let app = app_on(url).await;
        let project = app.list_projects(&Actor::system(), Page::ALL).await.unwrap()[0].id;
        let task =
            app.create_task(&Actor::system(), input(json!({"project_id": project, "title": "之后 after"}))).await;
        task.unwrap_or_else(|e| panic!("{url}: a new task after a restore: {e}"));
    }
}

#[tokio::test]
async fn refused_restores_write_nothing() {
    let dir = TempDir::new("export");
    let source = format!("sqlite://{}", dir.path().join("source.db").display());
    ok(keel(&source, &["demo"]));
    let file = dir.path().join("export.json");
    let document = export(&source, &file);

    // Into an instance that already holds data: refused, the instance unchanged.
    let before = export(&source, &dir.path().join("before.json"));
    let out = keel(&source, &["import", "keel-json", file.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("already holds data") && err.contains("nothing was restored"), "{err}");
    assert!(export(&source, &dir.path().join("after.json")) == before);

    // Damaged copies into an empty instance: each refused with where, and the instance stays empty.
    let target = format!("sqlite://{}", dir.path().join("target.db").display());
    let cut = dir.path().join("cut.json");
    std::fs::write(&cut, &document[..document.len() * 2 / 3]).unwrap();
    let wrong_column = dir.path().join("column.json");
    std::fs::write(&wrong_column, document.replacen("\"display_name\"", "\"nickname\"", 1)).unwrap();
    let bad_value = dir.path().join("value.json");
    // A task row pointing at a project that is not in the file.
    let v: Value = serde_json::from_str(&document).unwrap();
    let mut broken = v.clone();
    let tasks = broken["tables"].as_array_mut().unwrap().iter_mut().find(|t| t["name"] == "tasks").unwrap();
    let project_at = tasks["columns"].as_array().unwrap().iter().position(|c| c == "project_id").unwrap();
    tasks["rows"][0][project_at] = json!(999_999);
    std::fs::write(&bad_value, broken.to_string()).unwrap();
    for (file, says) in [(&cut, "line"), (&wrong_column, "nickname"), (&bad_value, "nothing was restored")] {
        let out = keel(&target, &["import", "keel-json", file.to_str().unwrap()]);
        assert!(!out.status.success(), "{}", file.display());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says) && err.contains("nothing was restored"), "{}: {err}", file.display());
        let empty: Vec<(String, usize)> = tables(&export(&target, &dir.path().join("empty.json")));
        assert!(empty.iter().all(|(_, n)| *n == 0), "{}: {empty:?}", file.display());
    }
    // A dry run checks everything and writes nothing; the real one then works.
    ok(keel(&target, &["import", "keel-json", file.to_str().unwrap(), "--dry-run"]));
    assert!(tables(&export(&target, &dir.path().join("dry.json"))).iter().all(|(_, n)| *n == 0));
    ok(keel(&target, &["import", "keel-json", file.to_str().unwrap()]));
    assert!(export(&target, &dir.path().join("done.json")) == document);
}

#[tokio::test]
async fn a_backup_taken_while_someone_writes_restores_on_either_backend() {
    let dir = TempDir::new("backup");
    let source = format!("sqlite://{}", dir.path().join("source.db").display());
    ok(keel(&source, &["demo"]));
    let before = export(&source, &dir.path().join("before.json"));

    // Someone is in the middle of a change while the backup is taken: the
    // backup holds the state before it, whole.
    let app = app_on(&source).await;
    let mut writing = app.store.write().await.unwrap();
    let project = writing.list_projects(None, Page::ALL).await.unwrap()[0].clone();
    writing
        .update_project(&keel_domain::work::Project { name: "写到一半 half written".into(), ..project.clone() })
        .await
        .unwrap();
    let file = dir.path().join("keel.backup");
    let out = ok(keel(&source, &["backup", file.to_str().unwrap()]));
    assert!(out.contains("SQLite file"), "{out}");
    writing.commit().await.unwrap();
    // An existing file is never overwritten.
    assert!(!keel(&source, &["backup", file.to_str().unwrap()]).status.success());

    let pg = create_pg_database().await;
    let back = format!("sqlite://{}", dir.path().join("back.db").display());
    for target in [&pg.url, &back] {
        ok(keel(target, &["restore", file.to_str().unwrap()]));
        let restored = export(target, &dir.path().join("restored.json"));
        assert!(restored == before, "{target}: the restored instance is not the one backed up");
        assert!(!restored.contains("写到一半"));
    }
    // A PostgreSQL backup is the export document, and restores the same way.
    let pg_file = dir.path().join("pg.backup");
    assert!(ok(keel(&pg.url, &["backup", pg_file.to_str().unwrap()])).contains("export document"));
    let again = format!("sqlite://{}", dir.path().join("again.db").display());
    ok(keel(&again, &["restore", pg_file.to_str().unwrap()]));
    assert!(export(&again, &dir.path().join("again.json")) == before);
    // A file that is neither is refused, naming it.
    let junk = dir.path().join("junk.bin");
    std::fs::write(&junk, b"\x00\x01 not a backup").unwrap();
    let out = keel(&format!("sqlite://{}", dir.path().join("junk.db").display()), &["restore", junk.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("neither an SQLite backup nor a Keel export"), "{err}");
}
