//! Jira's REST JSON: the jira-cli search and issue responses and 442 Apache
//! issues with comments (expected values read from the raw JSON here), ADF
//! turned into Markdown, and bad input.

mod common;

use common::*;
use keel_import::{Category, ImportBatch, ImportTask, jira_json};
use serde_json::{Value, json};

fn load(relative: &str) -> (ImportBatch, Value) {
    let bytes = read_real(relative);
    let raw: Value = serde_json::from_slice(&bytes).unwrap();
    let batch = jira_json::parse(file_name(relative), &bytes).unwrap_or_else(|e| panic!("{relative}: {e}"));
    assert_consistent(&batch);
    (batch, raw)
}

fn by_key<'a>(batch: &'a ImportBatch, key: &str) -> &'a ImportTask {
    all_tasks(batch).into_iter().find(|t| t.external_key.as_deref() == Some(key)).unwrap_or_else(|| panic!("no {key}"))
}

#[test]
fn every_issue_of_the_real_responses_with_its_fields() {
    for relative in [
        "jira/jira-cli-search-response.json",
        "jira/jira-cli-issue-adf-description.json",
        "jira-history/apache-issues-with-changelog.json",
    ] {
        let (batch, raw) = load(relative);
        let issues: Vec<&Value> = match raw.get("issues") {
            Some(list) => list.as_array().unwrap().iter().collect(),
            None => vec![&raw],
        };
        assert_eq!(all_tasks(&batch).len(), issues.len(), "{relative}");
        let mut projects: Vec<&str> =
            issues.iter().map(|i| i["key"].as_str().unwrap().rsplit_once('-').unwrap().0).collect();
        projects.sort();
        projects.dedup();
        assert_eq!(batch.projects.iter().map(|p| p.external_id.as_str()).collect::<Vec<_>>(), projects, "{relative}");
        for issue in issues {
            let key = issue["key"].as_str().unwrap();
            let f = &issue["fields"];
            let t = by_key(&batch, key);
            assert_eq!(t.title, f["summary"].as_str().unwrap().trim(), "{key}");
            assert_eq!(t.status, f["status"]["name"].as_str().unwrap(), "{key}");
            assert_eq!(t.priority.as_deref(), f["priority"]["name"].as_str(), "{key}");
            let labels: Vec<&str> = f["labels"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
            assert_eq!(t.labels, labels, "{key}");
            let comments = f["comment"]["comments"]
                .as_array()
                .map(|c| c.iter().filter(|c| c["body"].as_str().is_some_and(|b| !b.trim().is_empty())).count());
            assert_eq!(t.comments.len(), comments.unwrap_or(0), "{key}");
            assert_eq!(t.due_date.map(|d| d.to_string()).as_deref(), f["duedate"].as_str(), "{key}");
            if let Some(id) = issue["id"].as_str() {
                assert_eq!(t.external_id, id);
            }
        }
    }
    // By hand from the files: TEST-1's ADF description, TEST-3 done and assigned.
    let (batch, _) = load("jira/jira-cli-issue-adf-description.json");
    assert_eq!(by_key(&batch, "TEST-1").description, "Test description");
    let (batch, _) = load("jira/jira-cli-search-response.json");
    let t = by_key(&batch, "TEST-3");
    assert_eq!((t.category, t.assignee.as_deref()), (Category::Done, Some("Person A")));
}

#[test]
fn atlassian_documents_become_markdown() {
    let adf = json!({"type": "doc", "version": 1, "content": [
        {"type": "heading", "attrs": {"level": 2}, "content": [{"type": "text", "text": "复现步骤"}]},
        {"type": "paragraph", "content": [
            {"type": "text", "text": "Open "},
            {"type": "text", "text": "settings", "marks": [{"type": "strong"}]},
            {"type": "text", "text": ", see "},
            {"type": "text", "text": "docs", "marks": [{"type": "link", "attrs": {"href": "https://example.com/d"}}]},
            {"type": "hardBreak"},
            {"type": "mention", "attrs": {"text": "@李娜"}}
        ]},
        {"type": "orderedList", "content": [
            {"type": "listItem", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "one"}]}]},
            {"type": "listItem", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "two"}]}]}
        ]},
        {"type": "codeBlock", "attrs": {"language": "sql"}, "content": [{"type": "text", "text": "SELECT 1;"}]}
    ]});
    let issue = json!({"key": "APP-7", "id": "10007", "fields": {"summary": "Crash", "status": {"name": "Open"},
        "description": adf, "issuelinks": [{"type": {"inward": "is blocked by"}, "inwardIssue": {"key": "APP-6", "id": "10006"}}]}});
    let blocker = json!({"key": "APP-6", "id": "10006", "fields": {"summary": "Fix API", "status": {"name": "Done",
        "statusCategory": {"key": "done"}}, "resolution": {"name": "Won't Do"}}});
    let batch = jira_json::parse("search.json", json!({"issues": [issue, blocker]}).to_string().as_bytes()).unwrap();
    assert_consistent(&batch);
    let t = by_key(&batch, "APP-7");
    assert_eq!(
        t.description,
        "## 复现步骤\n\nOpen **settings**, see [docs](https://example.com/d)\n@李娜\n\n1. one\n2. two\n\n```sql\nSELECT 1;\n```"
    );
    assert_eq!(t.depends_on, ["10006"]);
    let b = by_key(&batch, "APP-6");
    assert_eq!((b.category, b.cancelled), (Category::Done, true));
}

#[test]
fn bad_jira_json_is_named() {
    let err = jira_json::parse("x.json", br#"{"lists": []}"#).unwrap_err();
    assert!(err.message.contains("no Jira issues found"), "{err}");
    let err = jira_json::parse("x.json", br#"{"issues": [{"key": "NOKEY", "fields": {"summary": "x"}}]}"#).unwrap_err();
    assert_eq!(err.field.as_deref(), Some("key"), "{err}");
    let whole = read_real("jira/jira-cli-search-response.json");
    let err = jira_json::parse("x.json", &whole[..whole.len() / 2]).unwrap_err();
    assert!(err.message.contains("cut off"), "{err}");
}
