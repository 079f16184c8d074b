//! The GitHub issues parser: the real recorded API responses (expected
//! values read from the raw JSON here, never from the parser), the shapes
//! people save (a page, slurped pages, a search result), and bad input.

mod common;

use chrono::{DateTime, NaiveDate, Utc};
use common::*;
use keel_import::{Category, ImportBatch, ImportTask, github};
use serde_json::{Value, json};

/// Every issue object in a recorded exchange file: each response is a page
/// (array) or a search result (`items`).
fn raw_issues(raw: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    for exchange in raw.as_array().unwrap() {
        let response = &exchange["response"];
        let page = response.get("items").unwrap_or(response);
        out.extend(page.as_array().unwrap().iter());
    }
    out
}

fn parse_value(v: Value) -> ImportBatch {
    let batch = github::parse("issues.json", v.to_string().as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert_consistent(&batch);
    batch
}

fn task<'a>(batch: &'a ImportBatch, external_id: &str) -> &'a ImportTask {
    all_tasks(batch).into_iter().find(|t| t.external_id == external_id).unwrap_or_else(|| panic!("no {external_id}"))
}

#[test]
fn the_recorded_issue_pages_and_search_import_whole() {
    for relative in ["github/octokit-fixture-paginate-issues.json", "github/octokit-fixture-search-issues.json"] {
        let bytes = read_real(relative);
        let raw: Value = serde_json::from_slice(&bytes).unwrap();
        let batch = github::parse(file_name(relative), &bytes).unwrap_or_else(|e| panic!("{relative}: {e}"));
        assert_consistent(&batch);
        let issues = raw_issues(&raw);
        assert!(!issues.is_empty());
        // One project per repository named in the file.
        let mut repos: Vec<String> = issues
            .iter()
            .map(|i| {
                i["repository_url"].as_str().unwrap().trim_start_matches("https://api.github.com/repos/").to_string()
            })
            .collect();
        repos.sort();
        repos.dedup();
        assert_eq!(batch.projects.iter().map(|p| p.name.clone()).collect::<Vec<_>>(), repos, "{relative}");
        let tasks = all_tasks(&batch);
        assert_eq!(tasks.len(), issues.len(), "{relative}: every issue (none is a pull request)");
        for issue in issues {
            let repo = issue["repository_url"].as_str().unwrap().trim_start_matches("https://api.github.com/repos/");
            let number = issue["number"].as_u64().unwrap();
            let t = task(&batch, &format!("{repo}#{number}"));
            assert_eq!(t.external_key.as_deref(), Some(format!("#{number}").as_str()));
            assert_eq!(t.title, issue["title"].as_str().unwrap());
            assert_eq!(t.description, issue["body"].as_str().unwrap_or(""));
            let open = issue["state"] == "open";
            assert_eq!(
                (t.status.as_str(), t.category),
                if open { ("Open", Category::Todo) } else { ("Closed", Category::Done) }
            );
            assert_eq!(t.reporter.as_deref(), issue["user"]["login"].as_str());
            let created: DateTime<Utc> = issue["created_at"].as_str().unwrap().parse().unwrap();
            assert_eq!(t.created_at, Some(created));
        }
        // Issues come in number order within their project, whatever the page order.
        for project in &batch.projects {
            let numbers: Vec<u64> =
                project.tasks.iter().map(|t| t.external_key.as_ref().unwrap()[1..].parse().unwrap()).collect();
            assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{relative}: {numbers:?}");
        }
    }
    // The search result's first issue, read off the file by hand: its body has a curly apostrophe and an emoji.
    let bytes = read_real("github/octokit-fixture-search-issues.json");
    let batch = github::parse("search.json", &bytes).unwrap();
    let t = task(&batch, "octokit-fixture-org/search-issues#2");
    assert_eq!(t.title, "Sesame seeds split without a pop!");
    assert!(t.description.starts_with("I’ve waited all year long"), "{}", t.description);
    assert!(t.description.contains('😭'));
}

fn issue(number: u64, state: &str) -> Value {
    json!({
        "number": number,
        "title": format!("问题 {number} issue"),
        "state": state,
        "repository_url": "https://api.github.com/repos/acme/mobile-app",
        "user": {"login": "lina"},
        "created_at": "2024-03-01T08:00:00Z",
        "updated_at": "2024-03-02T09:30:00Z",
        "labels": [],
        "assignees": [],
    })
}

#[test]
fn labels_milestones_states_assignees_and_pull_requests() {
    let mut labelled = issue(7, "open");
    labelled["labels"] = json!([{"name": "bug", "color": "d73a4a"}, {"name": "性能"}, "bare-name"]);
    labelled["milestone"] = json!({"title": "v2.0", "due_on": "2024-06-30T07:00:00Z"});
    labelled["assignees"] = json!([{"login": "wangqiang"}, {"login": "yangfan"}]);
    labelled["body"] = json!("Steps:\n1. open\n2. \"tap\", then crash");
    let mut done = issue(3, "closed");
    done["state_reason"] = json!("completed");
    let mut dropped = issue(4, "closed");
    dropped["state_reason"] = json!("not_planned");
    dropped["assignee"] = json!({"login": "lina"});
    let mut pr = issue(5, "open");
    pr["pull_request"] = json!({"url": "https://api.github.com/repos/acme/mobile-app/pulls/5"});
    // Two pages saved together, the first repeating issue 3 on the second.
    let batch = parse_value(json!([[labelled, done.clone()], [dropped, pr, done]]));

    assert_eq!(batch.projects.len(), 1);
    let project = &batch.projects[0];
    assert_eq!((project.name.as_str(), project.external_id.as_str()), ("acme/mobile-app", "acme/mobile-app"));
    assert_eq!(
        project.tasks.iter().map(|t| t.external_id.as_str()).collect::<Vec<_>>(),
        ["acme/mobile-app#3", "acme/mobile-app#4", "acme/mobile-app#7"]
    );

    let t = task(&batch, "acme/mobile-app#7");
    assert_eq!(t.labels, ["bug", "性能", "bare-name", "milestone:v2.0"]);
    assert_eq!(t.due_date, NaiveDate::from_ymd_opt(2024, 6, 30));
    assert_eq!(t.assignee.as_deref(), Some("wangqiang"));
    assert_eq!(t.description, "Steps:\n1. open\n2. \"tap\", then crash");
    assert!(batch.warnings.iter().any(|w| w.field.as_deref() == Some("assignees") && w.message.contains("wangqiang")));

    let t = task(&batch, "acme/mobile-app#3");
    assert_eq!((t.category, t.cancelled), (Category::Done, false));
    let t = task(&batch, "acme/mobile-app#4");
    assert_eq!((t.category, t.cancelled, t.assignee.as_deref()), (Category::Done, true, Some("lina")));

    // The pull request and the repeat are reported, not imported.
    assert_eq!(batch.skipped.len(), 2, "{:?}", batch.skipped);
    assert!(
        batch
            .skipped
            .iter()
            .any(|n| n.field.as_deref() == Some("pull_request") && n.record.as_deref().unwrap().contains("#5"))
    );
    assert!(
        batch.skipped.iter().any(|n| n.field.as_deref() == Some("number") && n.message.contains("acme/mobile-app#3"))
    );
    let logins: Vec<&str> = batch.people.iter().map(|p| p.external_id.as_str()).collect();
    assert_eq!(logins, ["wangqiang", "lina"]);
}

#[test]
fn issues_of_several_repositories_and_a_search_result() {
    let mut other = issue(1, "open");
    other["repository_url"] = json!("https://api.github.com/repos/acme/server");
    let batch = parse_value(json!({"total_count": 2, "incomplete_results": false, "items": [issue(1, "open"), other]}));
    let names: Vec<&str> = batch.projects.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["acme/mobile-app", "acme/server"]);
    // Without repository_url the web address names the repository.
    let mut bare = issue(9, "open");
    bare.as_object_mut().unwrap().remove("repository_url");
    bare["html_url"] = json!("https://github.com/acme/docs/issues/9");
    let batch = parse_value(json!([bare]));
    assert_eq!(all_tasks(&batch)[0].external_id, "acme/docs#9");
}

#[test]
fn bad_input_is_named_and_refused() {
    let refuse = |bytes: &[u8]| github::parse("issues.json", bytes).expect_err("must fail");
    // Not issues at all: a Trello board.
    let err = refuse(br#"{"lists": [], "cards": []}"#);
    assert!(err.message.contains("no GitHub issues found"), "{err}");
    // An issue without a title where one is required.
    let mut broken = issue(2, "open");
    broken["title"] = json!(42);
    let err = refuse(json!([issue(1, "open"), broken]).to_string().as_bytes());
    assert_eq!(err.field.as_deref(), Some("title"), "{err}");
    assert!(err.record.as_deref().unwrap().contains("$[1]"), "{err}");
    let mut blank = issue(2, "open");
    blank["title"] = json!("  ");
    let err = refuse(json!([blank]).to_string().as_bytes());
    assert_eq!(err.field.as_deref(), Some("title"), "{err}");
    // Cut off mid-file: where, and that it looks cut off.
    let whole = json!([issue(1, "open"), issue(2, "open")]).to_string();
    let err = refuse(&whole.as_bytes()[..whole.len() - 20]);
    assert!(err.message.contains("cut off"), "{err}");
    // A CSV given to the JSON importer.
    let err = refuse(b"Summary,Issue key,Status\nCrash,APP-1,Open\n");
    assert!(err.message.contains("not JSON"), "{err}");
    // A time that is not ISO 8601 is a warning, not a failure.
    let mut odd = issue(1, "open");
    odd["created_at"] = json!("yesterday");
    let batch = parse_value(json!([odd]));
    assert_eq!(all_tasks(&batch)[0].created_at, None);
    assert_eq!(batch.warnings[0].field.as_deref(), Some("created_at"));
}
