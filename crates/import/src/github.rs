//! GitHub issues JSON → ImportBatch.
//!
//! Takes what people save from the REST API: one page of `GET
//! /repos/{owner}/{repo}/issues` (an array), a search result (`{"items":
//! […]}`), pages saved together (`gh api --paginate --slurp`: an array of
//! arrays), or recorded exchanges whose `response` holds any of those. Each
//! repository becomes a project with the statuses Open and Closed; issues
//! keep their number (`#13`), labels, assignee, author, milestone (as a
//! label, its due date as the issue's when it has none) and dates. Pull
//! requests, which the issues API lists too, are skipped and reported.
//! An issue is known by repository and number, so importing the same
//! issues again updates them.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use crate::model::*;
use crate::text::{self, error, key_from_name};

const OPEN: &str = "Open";
const CLOSED: &str = "Closed";

#[derive(Debug, Deserialize)]
struct Issue {
    number: u64,
    title: String,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    state: String,
    #[serde(default)]
    state_reason: Option<String>,
    #[serde(default)]
    html_url: Option<String>,
    #[serde(default)]
    repository_url: Option<String>,
    #[serde(default)]
    user: Option<User>,
    #[serde(default)]
    assignee: Option<User>,
    #[serde(default)]
    assignees: Vec<User>,
    #[serde(default)]
    labels: Vec<LabelRef>,
    #[serde(default)]
    milestone: Option<Milestone>,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    updated_at: Option<String>,
    #[serde(default)]
    pull_request: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct User {
    login: String,
}

/// Labels come as objects, or as bare names in hand-made files.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum LabelRef {
    Named { name: String },
    Bare(String),
}

#[derive(Debug, Deserialize)]
struct Milestone {
    title: String,
    #[serde(default)]
    due_on: Option<String>,
}

/// Parses GitHub issues JSON. `file_name` names the file in messages, and
/// the project when an issue does not say its repository.
pub fn parse(file_name: &str, bytes: &[u8]) -> Result<ImportBatch, ImportError> {
    let value = text::json_document(file_name, bytes, "GitHub issues")?;
    let mut found = Vec::new();
    collect(&value, "$", &mut found);
    if found.is_empty() {
        return Err(error(
            file_name,
            Some(1),
            "no GitHub issues found: expected an array of issues (GET /repos/{owner}/{repo}/issues), \
             a search result with \"items\", or pages of those",
        ));
    }
    let mut builder = Builder { file: file_name, ..Default::default() };
    for (path, raw) in found {
        check_required(file_name, &path, raw)?;
        let issue: Issue = serde_json::from_value(raw.clone()).map_err(|e| ImportError {
            file: file_name.to_string(),
            line: None,
            record: Some(format!("issue at {path}")),
            field: field_of(&e),
            message: format!("not a GitHub issue: {e}"),
        })?;
        builder.issue(&path, issue)?;
    }
    Ok(builder.finish())
}

/// Gathers issue objects (with their JSON path) from any of the accepted shapes.
fn collect<'a>(value: &'a Value, path: &str, out: &mut Vec<(String, &'a Value)>) {
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect(item, &format!("{path}[{i}]"), out);
            }
        }
        Value::Object(map) => {
            if map.contains_key("number") && map.contains_key("title") && map.contains_key("state") {
                out.push((path.to_string(), value));
            } else if let Some(items) = map.get("items") {
                collect(items, &format!("{path}.items"), out);
            } else if let Some(response) = map.get("response") {
                collect(response, &format!("{path}.response"), out);
            }
        }
        _ => {}
    }
}

/// The fields every issue has, each of the type GitHub gives it, named when not.
fn check_required(file: &str, path: &str, raw: &Value) -> Result<(), ImportError> {
    let wrong = |field: &str, expected: &str| ImportError {
        file: file.to_string(),
        line: None,
        record: Some(format!("issue at {path}")),
        field: Some(field.to_string()),
        message: format!("expected {expected}, found {}", text::quote(&raw[field].to_string())),
    };
    if !raw["number"].is_u64() {
        return Err(wrong("number", "a whole number"));
    }
    for field in ["title", "state"] {
        if !raw[field].is_string() {
            return Err(wrong(field, "text"));
        }
    }
    Ok(())
}

/// The field serde names in "missing field `title`".
fn field_of(e: &serde_json::Error) -> Option<String> {
    let message = e.to_string();
    if !message.starts_with("missing field") {
        return None;
    }
    let start = message.find('`')? + 1;
    let end = start + message[start..].find('`')?;
    Some(message[start..end].to_string())
}

#[derive(Default)]
struct Builder<'f> {
    file: &'f str,
    people: Vec<ImportPerson>,
    person_index: HashMap<String, usize>,
    /// Repository "owner/name" → its tasks, in file order.
    repos: BTreeMap<String, Vec<ImportTask>>,
    /// Repository and number of each issue seen, to report repeats.
    seen: HashMap<(String, u64), String>,
    warnings: Vec<Notice>,
    skipped: Vec<Notice>,
}

impl Builder<'_> {
    fn person(&mut self, login: &str) -> String {
        if !self.person_index.contains_key(login) {
            self.person_index.insert(login.to_string(), self.people.len());
            self.people.push(ImportPerson { external_id: login.to_string(), display_name: login.into(), email: None });
        }
        login.to_string()
    }

    fn issue(&mut self, path: &str, issue: Issue) -> Result<(), ImportError> {
        let record = format!("issue #{} at {path}", issue.number);
        if issue.pull_request.is_some() {
            self.skipped.push(Notice {
                record: Some(record),
                field: Some("pull_request".into()),
                message: "a pull request, not an issue".into(),
            });
            return Ok(());
        }
        let repo = repository(&issue).unwrap_or_else(|| text::file_stem(self.file, "GitHub"));
        if let Some(first) = self.seen.get(&(repo.clone(), issue.number)) {
            self.skipped.push(Notice {
                record: Some(record),
                field: Some("number".into()),
                message: format!("{repo}#{} appears again (first at {first}); the first is kept", issue.number),
            });
            return Ok(());
        }
        self.seen.insert((repo.clone(), issue.number), path.to_string());
        if issue.title.trim().is_empty() {
            return Err(ImportError {
                file: self.file.to_string(),
                line: None,
                record: Some(record),
                field: Some("title".into()),
                message: "the issue has an empty title".into(),
            });
        }
        let instant = |field: &str, raw: &Option<String>, warnings: &mut Vec<Notice>| -> Option<DateTime<Utc>> {
            let raw = raw.as_deref().filter(|s| !s.is_empty())?;
            match DateTime::parse_from_rfc3339(raw) {
                Ok(t) => Some(t.with_timezone(&Utc)),
                Err(_) => {
                    warnings.push(Notice {
                        record: Some(record.clone()),
                        field: Some(field.into()),
                        message: format!("{} is not an ISO 8601 time; left out", text::quote(raw)),
                    });
                    None
                }
            }
        };
        let created_at = instant("created_at", &issue.created_at, &mut self.warnings);
        let updated_at = instant("updated_at", &issue.updated_at, &mut self.warnings);
        let mut labels: Vec<String> = issue
            .labels
            .iter()
            .map(|l| match l {
                LabelRef::Named { name } | LabelRef::Bare(name) => name.clone(),
            })
            .filter(|name| !name.trim().is_empty())
            .collect();
        let mut due_date = None;
        if let Some(milestone) = &issue.milestone {
            labels.push(format!("milestone:{}", milestone.title));
            let due_on = instant("milestone.due_on", &milestone.due_on, &mut self.warnings);
            due_date = due_on.map(|t| t.date_naive());
        }
        let closed = issue.state.eq_ignore_ascii_case("closed");
        if !closed && !issue.state.eq_ignore_ascii_case("open") {
            self.warnings.push(Notice {
                record: Some(record.clone()),
                field: Some("state".into()),
                message: format!("state {} is neither open nor closed; taken as open", text::quote(&issue.state)),
            });
        }
        // The first of several assignees; the others are named in a warning.
        let mut assignees: Vec<&str> = issue.assignees.iter().map(|u| u.login.as_str()).collect();
        if assignees.is_empty()
            && let Some(one) = &issue.assignee
        {
            assignees.push(&one.login);
        }
        if assignees.len() > 1 {
            self.warnings.push(Notice {
                record: Some(record.clone()),
                field: Some("assignees".into()),
                message: format!("{} assignees; Keel keeps the first ({})", assignees.len(), assignees[0]),
            });
        }
        let assignee_login = assignees.first().map(|s| s.to_string());
        let assignee = assignee_login.map(|login| self.person(&login));
        let reporter = issue.user.as_ref().map(|u| u.login.clone()).map(|login| self.person(&login));
        let task = ImportTask {
            external_id: format!("{repo}#{}", issue.number),
            external_key: Some(format!("#{}", issue.number)),
            parent_external_id: None,
            title: issue.title.clone(),
            description: issue.body.clone().unwrap_or_default(),
            status: if closed { CLOSED } else { OPEN }.into(),
            category: if closed { Category::Done } else { Category::Todo },
            labels,
            assignee,
            reporter,
            priority: None,
            start_date: None,
            due_date,
            due_at: None,
            due_complete: false,
            estimate_hours: None,
            created_at,
            updated_at,
            archived: false,
            cancelled: closed && issue.state_reason.as_deref() == Some("not_planned"),
            comments: Vec::new(),
            depends_on: Vec::new(),
            progress: None,
        };
        self.repos.entry(repo).or_default().push(task);
        Ok(())
    }

    fn finish(self) -> ImportBatch {
        let projects = self
            .repos
            .into_iter()
            .map(|(repo, mut tasks)| {
                tasks.sort_by_key(|t| issue_number(&t.external_id));
                let name_part = repo.rsplit('/').next().unwrap_or(&repo).to_string();
                ImportProject {
                    key_hint: key_from_name(&name_part, "GH"),
                    name: repo.clone(),
                    description: format!("GitHub: {repo}"),
                    external_id: repo,
                    statuses: vec![
                        ImportStatus { name: OPEN.into(), category: Category::Todo, archived: false },
                        ImportStatus { name: CLOSED.into(), category: Category::Done, archived: false },
                    ],
                    tasks,
                    archived: false,
                }
            })
            .collect();
        ImportBatch {
            source: SourceKind::GitHub,
            file_name: self.file.to_string(),
            people: self.people,
            projects,
            warnings: self.warnings,
            skipped: self.skipped,
        }
    }
}

/// "owner/name" from the issue's repository or web address.
fn repository(issue: &Issue) -> Option<String> {
    if let Some(url) = &issue.repository_url
        && let Some(rest) = url.split("/repos/").nth(1)
    {
        let parts: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
        if parts.len() >= 2 && !parts[0].is_empty() && !parts[1].is_empty() {
            return Some(format!("{}/{}", parts[0], parts[1]));
        }
    }
    let url = issue.html_url.as_deref()?;
    let rest = url.split("://").nth(1)?;
    let parts: Vec<&str> = rest.split('/').collect();
    (parts.len() >= 3 && !parts[1].is_empty() && !parts[2].is_empty()).then(|| format!("{}/{}", parts[1], parts[2]))
}

/// The number after '#' in an external id, for ordering.
fn issue_number(external_id: &str) -> u64 {
    external_id.rsplit('#').next().and_then(|n| n.parse().ok()).unwrap_or(0)
}
