//! The Asana parser: the real 2013 API data (sections as tasks named "…:",
//! numeric ids, archived projects; expected values read from the raw JSON
//! here), the API's current JSON and the project CSV export, and bad input.

mod common;

use chrono::NaiveDate;
use common::*;
use keel_import::{Category, ImportBatch, ImportTask, asana};
use serde_json::{Value, json};

fn task<'a>(batch: &'a ImportBatch, id: &str) -> &'a ImportTask {
    all_tasks(batch).into_iter().find(|t| t.external_id == id).unwrap_or_else(|| panic!("no task {id}"))
}

#[test]
fn the_2013_api_data_keeps_sections_as_columns_and_every_project() {
    let relative = "asana/asana-api-2013-legacy-ids-sections-as-tasks.json";
    let bytes = read_real(relative);
    let raw: Value = serde_json::from_slice(&bytes).unwrap();
    let batch = asana::parse(file_name(relative), &bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_consistent(&batch);

    // Every project of the file, archived ones kept and marked.
    let projects = raw["sample_asana_projects"].as_array().unwrap();
    for p in projects {
        let id = p["id"].as_u64().unwrap().to_string();
        let imported = batch.projects.iter().find(|x| x.external_id == id).expect("each project");
        assert_eq!(imported.name, p["name"].as_str().unwrap());
        assert_eq!(imported.archived, p["archived"].as_bool().unwrap(), "{id}");
    }
    // Two projects share the name Foo4 and stay two.
    assert_eq!(batch.projects.iter().filter(|p| p.name == "Foo4").count(), 2);

    // The tasks: a name ending in ':' is a section; each task sits in the section before it.
    let mut section = String::new();
    let mut sections = Vec::new();
    let mut expected = Vec::new();
    for t in raw["sample_asana_kanban_tasks"].as_array().unwrap() {
        let name = t["name"].as_str().unwrap();
        if let Some(head) = name.strip_suffix(':') {
            // "{10} Ready to demo" → "Ready to demo": the braces hold a WIP limit.
            section = head.split_once("} ").map_or(head, |(_, rest)| rest).to_string();
            sections.push(section.clone());
        } else {
            expected.push((t["id"].as_u64().unwrap().to_string(), name.to_string(), section.clone()));
        }
    }
    assert_eq!(expected.len(), 9);
    let holder = batch.projects.iter().find(|p| !p.tasks.is_empty()).unwrap();
    assert_eq!(holder.statuses.iter().map(|s| s.name.clone()).collect::<Vec<_>>(), sections);
    assert_eq!(all_tasks(&batch).len(), expected.len());
    for (id, name, section) in expected {
        let t = task(&batch, &id);
        assert_eq!((t.title.as_str(), t.status.as_str()), (name.as_str(), section.as_str()));
    }
}

#[test]
fn the_current_api_json_with_memberships_sub_tasks_and_completion() {
    let data = json!({"data": [
        {"gid": "1201", "name": "设计登录页 Design the login page", "completed": false,
         "assignee": {"gid": "77", "name": "李娜", "email": "lina@example.com"},
         "due_on": "2025-03-14", "start_on": "2025-03-01", "notes": "Figma: \"v2\", see notes",
         "tags": [{"gid": "9", "name": "design"}, {"gid": "10", "name": "Q1"}],
         "created_at": "2025-02-20T03:04:05.000Z", "modified_at": "2025-02-21T03:04:05.000Z",
         "memberships": [{"project": {"gid": "500", "name": "Mobile app"}, "section": {"gid": "s1", "name": "In progress"}}]},
        {"gid": "1202", "name": "Review copy:", "completed": true, "completed_at": "2025-03-02T10:00:00.000Z",
         "parent": {"gid": "1201"},
         "memberships": [{"project": {"gid": "500", "name": "Mobile app"}, "section": {"gid": "s1", "name": "In progress"}}]},
        {"gid": "1203", "name": "Orphan", "parent": {"gid": "999"},
         "memberships": [{"project": {"gid": "500", "name": "Mobile app"}, "section": {"gid": "s2", "name": "Backlog"}}]},
        {"gid": "1201", "name": "设计登录页 again"}
    ]});
    let batch = asana::parse("mobile.json", data.to_string().as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert_consistent(&batch);
    assert_eq!(batch.projects.len(), 1);
    let p = &batch.projects[0];
    assert_eq!((p.external_id.as_str(), p.name.as_str()), ("500", "Mobile app"));
    let t = task(&batch, "1201");
    assert_eq!((t.status.as_str(), t.category), ("In progress", Category::Doing));
    assert_eq!(t.due_date, NaiveDate::from_ymd_opt(2025, 3, 14));
    assert_eq!(t.start_date, NaiveDate::from_ymd_opt(2025, 3, 1));
    assert_eq!(t.labels, ["design", "Q1"]);
    assert_eq!(t.description, "Figma: \"v2\", see notes");
    assert_eq!(t.assignee.as_deref(), Some("77"));
    assert_eq!(batch.people[0].display_name, "李娜");
    // Completed in a section that is not a done one: Done; a name ending in ':' is no section here.
    let t = task(&batch, "1202");
    assert_eq!((t.title.as_str(), t.status.as_str(), t.category), ("Review copy:", "Done", Category::Done));
    assert_eq!(t.parent_external_id.as_deref(), Some("1201"));
    // A parent not in the file: top level, with a warning; the repeated id is skipped.
    assert_eq!(task(&batch, "1203").parent_external_id, None);
    assert!(batch.warnings.iter().any(|w| w.field.as_deref() == Some("parent")));
    assert_eq!(batch.skipped.len(), 1, "{:?}", batch.skipped);
}

const CSV: &str = "Task ID,Created At,Completed At,Last Modified,Name,Section/Column,Assignee,Assignee Email,Start Date,Due Date,Tags,Notes,Projects,Parent task\r\n\
1001,2025-01-02,,2025-01-05,Launch plan,To do,Wang Qiang,wq@example.com,,2025-02-01,\"launch,Q1\",\"Line one\r\nLine \"\"two\"\", with a comma\",Marketing,\r\n\
1002,2025-01-03,2025-01-10,2025-01-10,Write press release,Doing,Wang Qiang,wq@example.com,2025-01-04,2025-01-09,,,Marketing,Launch plan\r\n\
1003,2025-01-03,,2025-01-03,Book venue,Doing,,,,not a date,,,Marketing,Missing parent\r\n\
1002,2025-01-03,,2025-01-03,Duplicate row,Doing,,,,,,,Marketing,\r\n";

#[test]
fn the_project_csv_export() {
    let batch = asana::parse("marketing.csv", CSV.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert_consistent(&batch);
    assert_eq!(batch.projects.len(), 1);
    assert_eq!(batch.projects[0].name, "Marketing");
    let t = task(&batch, "1001");
    assert_eq!(t.labels, ["launch", "Q1"]);
    assert_eq!(t.description, "Line one\r\nLine \"two\", with a comma");
    assert_eq!(t.due_date, NaiveDate::from_ymd_opt(2025, 2, 1));
    assert_eq!(t.assignee.as_deref(), Some("wq@example.com"));
    let t = task(&batch, "1002");
    assert_eq!((t.status.as_str(), t.category), ("Done", Category::Done), "completed");
    assert_eq!(t.parent_external_id.as_deref(), Some("1001"), "the parent found by name");
    let t = task(&batch, "1003");
    assert_eq!((t.status.as_str(), t.parent_external_id.as_deref(), t.due_date), ("Doing", None, None));
    assert!(
        batch.warnings.iter().any(|w| w.record.as_deref() == Some("line 5") && w.field.as_deref() == Some("Due Date"))
    );
    assert!(batch.warnings.iter().any(|w| w.field.as_deref() == Some("Parent task")));
    assert_eq!(batch.skipped.len(), 1);
    assert_eq!(batch.skipped[0].record.as_deref(), Some("line 6"));
}

#[test]
fn bad_asana_files_are_named_and_refused() {
    let err = asana::parse("x.csv", b"Title,Status\nA,Open\n").unwrap_err();
    assert_eq!((err.line, err.field.as_deref()), (Some(1), Some("Task ID")), "{err}");
    let err = asana::parse("x.json", br#"{"lists": []}"#).unwrap_err();
    assert!(err.message.contains("no Asana tasks"), "{err}");
    let whole = json!({"data": [{"gid": "1", "name": "a"}, {"gid": "2", "name": "b"}]}).to_string();
    let err = asana::parse("x.json", &whole.as_bytes()[..whole.len() - 12]).unwrap_err();
    assert!(err.message.contains("cut off"), "{err}");
    let err = asana::parse("x.json", br#"{"data": [{"name": "no id"}]}"#).unwrap_err();
    assert_eq!(err.field.as_deref(), Some("gid"), "{err}");
    // Cut inside the quoted, two-line notes of the first task.
    let cut = &CSV[..CSV.find("Line \"\"two").unwrap()];
    let err = asana::parse("x.csv", cut.as_bytes()).unwrap_err();
    assert_eq!(err.line, Some(2), "{err}");
    assert!(err.message.contains("cut off"), "{err}");
    assert!(err.line.is_some(), "{err}");
}
