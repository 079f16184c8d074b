//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use keel_import::{ImportBatch, ImportProject, ImportTask};

pub const TRELLO_FILES: &[&str] = &[
    "trello/deck-fixture-minimal-board.json",
    "trello/kanban-2016-small-board.json",
    "trello/clipkit-2015-japanese-board-minified.json",
    "trello/trello-api-cards-2025-fields-head7.json",
];

pub const JIRA_FILES: &[&str] = &[
    "jira/jira-cloud-all-fields-export-2024.csv",
    "jira/jira-cloud-export-spanish-358cols-head.csv",
    "jira/jira-plan-export-tsv-named-csv.csv",
    "jira/jira-rest-flattened-support-tickets.csv",
];

#[allow(dead_code)]
pub const GITHUB_FILES: &[&str] =
    &["github/octokit-fixture-paginate-issues.json", "github/octokit-fixture-search-issues.json"];

#[allow(dead_code)]
pub const ASANA_FILES: &[&str] = &["asana/asana-api-2013-legacy-ids-sections-as-tasks.json"];

/// The other real inputs the fuzz damages: CSV shapes, MS Project XML, Jira REST JSON.
#[allow(dead_code)]
pub const OTHER_FILES: &[&str] = &[
    "csv-other/plane-export-sample.csv",
    "csv-other/linear-generic-thai-multiline.csv",
    "msproject/mspdi-spanish-plan-trimmed.xml",
    "jira/jira-cli-search-response.json",
];

// Shared with keel-testkit without depending on it (testkit depends on this crate).
#[path = "../../../testkit/src/real_data.rs"]
mod real_data;

pub fn real_path(relative: &str) -> PathBuf {
    real_data::real_data(relative)
}

pub fn read_real(relative: &str) -> Vec<u8> {
    let path = real_path(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

pub fn file_name(relative: &str) -> &str {
    relative.rsplit('/').next().unwrap()
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh directory under the system temp dir for this test process.
pub fn temp_dir() -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("keel-import-test-{}-{}", std::process::id(), n));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `bytes` to a temp file named `name` and reads them back, as an
/// upload would arrive.
pub fn via_temp_file(name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let dir = temp_dir();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    let back = std::fs::read(&path).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    (name.to_string(), back)
}

pub fn all_tasks(batch: &ImportBatch) -> Vec<&ImportTask> {
    batch.projects.iter().flat_map(|p| p.tasks.iter()).collect()
}

/// Invariants every batch must satisfy, whatever the input.
pub fn assert_consistent(batch: &ImportBatch) {
    let mut people = std::collections::HashSet::new();
    for person in &batch.people {
        assert!(people.insert(person.external_id.as_str()), "person {} twice", person.external_id);
        assert!(!person.display_name.is_empty(), "person {} has no name", person.external_id);
    }
    let mut project_ids = std::collections::HashSet::new();
    for project in &batch.projects {
        assert!(project_ids.insert(project.external_id.as_str()), "project {} twice", project.external_id);
        assert_project_consistent(project, &people);
    }
}

fn assert_project_consistent(project: &ImportProject, people: &std::collections::HashSet<&str>) {
    let key = &project.key_hint;
    assert!(
        (2..=10).contains(&key.len()) && key.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()),
        "bad key hint {key}"
    );
    let mut names = std::collections::HashSet::new();
    for status in &project.statuses {
        assert!(names.insert(status.name.as_str()), "status {} twice in {}", status.name, project.name);
    }
    let mut ids = std::collections::HashSet::new();
    for task in &project.tasks {
        assert!(ids.insert(task.external_id.as_str()), "task {} twice", task.external_id);
    }
    for task in &project.tasks {
        let status = project
            .statuses
            .iter()
            .find(|s| s.name == task.status)
            .unwrap_or_else(|| panic!("task {} has status {} not in the project", task.external_id, task.status));
        assert_eq!(status.category, task.category, "task {} category differs from its status", task.external_id);
        for person in task.assignee.iter().chain(task.reporter.iter()) {
            assert!(people.contains(person.as_str()), "task {} names unknown person {person}", task.external_id);
        }
        for comment in &task.comments {
            if let Some(author) = &comment.author {
                assert!(people.contains(author.as_str()), "comment by unknown person {author}");
            }
        }
        if let Some(parent) = &task.parent_external_id {
            assert!(ids.contains(parent.as_str()), "task {} has parent {parent} not in the project", task.external_id);
        }
        let mut comment_ids = std::collections::HashSet::new();
        for comment in &task.comments {
            assert!(comment_ids.insert(comment.external_id.as_str()), "comment {} twice", comment.external_id);
        }
    }
}
