//! The generic CSV importer on Plane's and Linear's real exports (expected
//! values read from the raw files with the csv crate here), a mapping given
//! by hand, and bad input.

mod common;

use chrono::NaiveDate;
use common::*;
use keel_import::{Category, ImportBatch, ImportTask, csv_generic};
use serde_json::Value;

fn raw(relative: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let bytes = read_real(relative);
    let mut reader = csv::ReaderBuilder::new().from_reader(bytes.as_slice());
    let header = reader.headers().unwrap().iter().map(str::to_string).collect();
    let rows = reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
    (header, rows)
}

fn load(relative: &str, map: &[(&str, &str)]) -> ImportBatch {
    let map: Vec<(String, String)> = map.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    let batch = csv_generic::parse(file_name(relative), &read_real(relative), &map).unwrap_or_else(|e| panic!("{e}"));
    assert_consistent(&batch);
    batch
}

fn task<'a>(batch: &'a ImportBatch, id: &str) -> &'a ImportTask {
    all_tasks(batch).into_iter().find(|t| t.external_id == id).unwrap_or_else(|| panic!("no {id}"))
}

#[test]
fn plane_exports_keep_ids_states_json_lists_and_comments() {
    let file = "csv-other/plane-export-sample.csv";
    let (header, rows) = raw(file);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let batch = load(file, &[]);
    assert_eq!(all_tasks(&batch).len(), rows.len());
    // One project per Plane project, its key the identifiers' prefix.
    let mut projects: Vec<&str> = Vec::new();
    for r in &rows {
        if !projects.contains(&r[col("Project Name")].as_str()) {
            projects.push(&r[col("Project Name")]);
        }
    }
    assert_eq!(batch.projects.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), projects);
    assert_eq!(batch.projects[0].key_hint, rows[0][col("Project Identifier")]);
    for r in &rows {
        let t = task(&batch, &r[col("Identifier")]);
        assert_eq!(t.title, r[col("Name")]);
        assert_eq!(t.status, r[col("State Name")]);
        let labels: Vec<String> = serde_json::from_str(&r[col("Labels")]).unwrap();
        assert_eq!(t.labels, labels);
        let assignees: Vec<String> = serde_json::from_str(&r[col("Assignees")]).unwrap();
        assert_eq!(t.assignee, assignees.first().cloned(), "{}", t.external_id);
        let comments: Vec<Value> = serde_json::from_str(&r[col("Comments")]).unwrap();
        assert_eq!(t.comments.len(), comments.len(), "{}", t.external_id);
        for (c, raw) in t.comments.iter().zip(&comments) {
            assert_eq!(c.body, raw["comment"].as_str().unwrap());
            assert_eq!(c.author.as_deref(), raw["created_by"].as_str());
        }
        let due = &r[col("Target Date")];
        assert_eq!(t.due_date, (!due.is_empty()).then(|| NaiveDate::parse_from_str(due, "%Y-%m-%d").unwrap()));
        assert_eq!(t.archived, !r[col("Archived At")].is_empty());
        let parent = &r[col("Parent")];
        assert_eq!(t.parent_external_id.as_deref(), (!parent.is_empty()).then_some(parent.as_str()));
    }
    // Done is a done status; In Progress a doing one.
    let done = rows.iter().find(|r| r[col("State Name")] == "Done").unwrap();
    assert_eq!(task(&batch, &done[col("Identifier")]).category, Category::Done);
}

#[test]
fn linear_lists_keep_multi_line_thai_descriptions_and_title_keys() {
    let file = "csv-other/linear-generic-thai-multiline.csv";
    let (header, rows) = raw(file);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let batch = load(file, &[]);
    assert_eq!(all_tasks(&batch).len(), rows.len());
    for r in &rows {
        // "JKO-5: Notion Setup …": the key is the id, the rest the title.
        let (key, title) = r[col("Title")].split_once(": ").unwrap();
        let t = task(&batch, key);
        assert_eq!((t.external_key.as_deref(), t.title.as_str()), (Some(key), title));
        assert_eq!(t.description, r[col("Description")], "{key}: multi-line text kept byte for byte");
        let labels: Vec<&str> = r[col("Labels")].split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
        let milestone = format!("milestone:{}", r[col("Milestone")]);
        let mut expected: Vec<String> = labels.iter().map(|s| s.to_string()).collect();
        if !r[col("Milestone")].is_empty() {
            expected.push(milestone);
        }
        assert_eq!(t.labels, expected, "{key}");
        // Linear's numeric priorities: 1 urgent, 2 high, 3 medium, 4 low.
        let word = match r[col("Priority")].as_str() {
            "1" => Some("highest"),
            "2" => Some("high"),
            "3" => Some("medium"),
            "4" => Some("low"),
            _ => None,
        };
        assert_eq!(t.priority.as_deref(), word, "{key}");
    }
    assert_eq!(batch.projects[0].key_hint, "JKO");
}

#[test]
fn a_mapping_given_by_hand_and_bad_input() {
    let sheet = "任务,负责人,到期,进展\n写周报,李娜,2026-12-04,进行中\n发版,,2026-13-01,完成\n";
    // The header is guessed where it can be (任务 is a title, 负责人 an assignee) …
    let batch = csv_generic::parse("周计划.csv", sheet.as_bytes(), &[]).unwrap();
    let t = &batch.projects[0].tasks[0];
    assert_eq!((t.title.as_str(), t.assignee.as_deref(), t.status.as_str()), ("写周报", Some("李娜"), "To do"));
    // … and named where it cannot.
    let map = [("due".to_string(), "到期".to_string()), ("status".to_string(), "进展".to_string())];
    let batch = csv_generic::parse("周计划.csv", sheet.as_bytes(), &map).unwrap();
    assert_consistent(&batch);
    let tasks = &batch.projects[0].tasks;
    assert_eq!(tasks[0].due_date, NaiveDate::from_ymd_opt(2026, 12, 4));
    assert_eq!((tasks[0].status.as_str(), tasks[0].category), ("进行中", Category::Doing));
    assert_eq!((tasks[1].status.as_str(), tasks[1].category), ("完成", Category::Done));
    assert_eq!(tasks[1].due_date, None);
    assert!(batch.warnings.iter().any(|w| w.record.as_deref() == Some("line 3") && w.field.as_deref() == Some("due")));
    assert_eq!(batch.projects[0].name, "周计划");

    let refuse = |bytes: &[u8], map: &[(String, String)]| csv_generic::parse("x.csv", bytes, map).unwrap_err();
    let err = refuse(b"Foo,Bar\n1,2\n", &[]);
    assert_eq!(err.field.as_deref(), Some("title"), "{err}");
    assert!(err.message.contains("--map title="), "{err}");
    let err = refuse(sheet.as_bytes(), &[("title".into(), "Nope".into())]);
    assert!(err.message.contains("no column \"Nope\""), "{err}");
    let err = refuse(sheet.as_bytes(), &[("colour".into(), "任务".into())]);
    assert!(err.message.contains("not a field"), "{err}");
    let err = refuse(b"Title,Description\nA,\"a description cut off here", &[]);
    assert!(err.message.contains("cut off"), "{err}");
    let err = refuse(br#"[{"title": "x"}]"#, &[]);
    assert!(err.message.contains("JSON"), "{err}");
}
