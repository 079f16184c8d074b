//! Jira REST JSON → ImportBatch: a search response (`{"issues": […]}`,
//! Cloud's `isLast` pages or Server's `startAt`/`total`), several of them
//! in an array, or one issue. Descriptions and comments in Atlassian
//! Document Format become Markdown; wiki-text strings are kept as they are.
//! Each project key becomes a project; keys keep their numbers.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use crate::model::*;
use crate::text::{self, category_from_name, error, quote};

pub fn parse(file_name: &str, bytes: &[u8]) -> Result<ImportBatch, ImportError> {
    let value = text::json_document(file_name, bytes, "a Jira REST response")?;
    let mut issues = Vec::new();
    collect(&value, &mut issues);
    if issues.is_empty() {
        return Err(error(
            file_name,
            Some(1),
            "no Jira issues found: expected a search response ({\"issues\": […]}), pages of them, or one issue \
             with \"key\" and \"fields\"",
        ));
    }
    let mut b = Builder { file: file_name, ..Default::default() };
    for issue in issues {
        b.issue(issue)?;
    }
    Ok(b.finish())
}

fn collect<'a>(value: &'a Value, out: &mut Vec<&'a Value>) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| collect(v, out)),
        Value::Object(map) if map.contains_key("key") && map.get("fields").is_some_and(Value::is_object) => {
            out.push(value)
        }
        Value::Object(map) => {
            if let Some(issues) = map.get("issues") {
                collect(issues, out);
            }
        }
        _ => {}
    }
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut at = v;
    for p in path {
        at = at.get(p)?;
    }
    at.as_str().map(str::trim).filter(|s| !s.is_empty())
}

/// A Jira time: "2020-12-03T14:05:20.974+0100" (no colon in the offset) or RFC 3339.
fn instant(raw: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S%.f%z")
        .or_else(|_| DateTime::parse_from_rfc3339(raw))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Resolutions that mean the work will not be done.
const NOT_DONE: [&str; 6] = ["won't do", "won't fix", "duplicate", "cannot reproduce", "declined", "incomplete"];

#[derive(Default)]
struct Builder<'f> {
    file: &'f str,
    people: Vec<ImportPerson>,
    person_index: HashMap<String, usize>,
    /// Project key → (name, statuses, tasks).
    projects: BTreeMap<String, (String, Vec<ImportStatus>, Vec<ImportTask>)>,
    seen: HashMap<String, String>,
    warnings: Vec<Notice>,
    skipped: Vec<Notice>,
}

impl Builder<'_> {
    /// A person from a Jira user object: accountId, else name, else display name.
    fn person(&mut self, user: Option<&Value>) -> Option<String> {
        let user = user.filter(|u| u.is_object())?;
        let name = str_at(user, &["displayName"]);
        let id = str_at(user, &["accountId"]).or(str_at(user, &["name"])).or(name)?.to_string();
        if !self.person_index.contains_key(&id) {
            self.person_index.insert(id.clone(), self.people.len());
            self.people.push(ImportPerson {
                external_id: id.clone(),
                display_name: name.unwrap_or(&id).to_string(),
                email: str_at(user, &["emailAddress"]).map(str::to_string),
            });
        }
        Some(id)
    }

    fn issue(&mut self, issue: &Value) -> Result<(), ImportError> {
        let key = str_at(issue, &["key"]).unwrap_or("").to_string();
        let record = format!("issue {key}");
        let fields = &issue["fields"];
        let Some((project_key, _)) = key.rsplit_once('-') else {
            return Err(ImportError {
                file: self.file.to_string(),
                line: None,
                record: Some(record),
                field: Some("key".into()),
                message: format!("{} is not a Jira key such as PROJ-12", quote(&key)),
            });
        };
        let project_key = project_key.to_string();
        let id =
            issue.get("id").and_then(|v| v.as_str().map(str::to_string).or_else(|| v.as_i64().map(|n| n.to_string())));
        let external_id = id.unwrap_or_else(|| key.clone());
        if let Some(first) = self.seen.get(&external_id) {
            self.skipped.push(Notice {
                record: Some(record),
                field: Some("id".into()),
                message: format!("issue {external_id} appears again (as {first}); the first is kept"),
            });
            return Ok(());
        }
        self.seen.insert(external_id.clone(), key.clone());
        let Some(summary) = str_at(fields, &["summary"]) else {
            self.skipped.push(Notice {
                record: Some(record),
                field: Some("summary".into()),
                message: "no summary".into(),
            });
            return Ok(());
        };
        let status = str_at(fields, &["status", "name"]).unwrap_or("To Do").to_string();
        let category = match str_at(fields, &["status", "statusCategory", "key"]) {
            Some("done") => Category::Done,
            Some("indeterminate") => Category::Doing,
            Some("new") => Category::Todo,
            _ => category_from_name(&status),
        };
        let resolution = str_at(fields, &["resolution", "name"]).map(str::to_lowercase);
        let cancelled = resolution.as_deref().is_some_and(|r| NOT_DONE.contains(&r));
        let mut warnings = Vec::new();
        let mut time = |field: &str| -> Option<DateTime<Utc>> {
            let raw = str_at(fields, &[field])?;
            let t = instant(raw);
            if t.is_none() {
                warnings.push(Notice {
                    record: Some(record.clone()),
                    field: Some(field.into()),
                    message: format!("{} is not a Jira time; left out", quote(raw)),
                });
            }
            t
        };
        let created_at = time("created");
        let updated_at = time("updated");
        let due_date = str_at(fields, &["duedate"]).and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        self.warnings.extend(warnings);
        let assignee = self.person(fields.get("assignee"));
        let reporter = self.person(fields.get("reporter"));
        let labels = fields["labels"]
            .as_array()
            .map(|l| l.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
            .unwrap_or_default();
        let mut comments = Vec::new();
        for (i, c) in fields["comment"]["comments"].as_array().into_iter().flatten().enumerate() {
            let body = body_text(&c["body"]);
            let Some(created_at) = str_at(c, &["created"]).and_then(instant) else { continue };
            if body.trim().is_empty() {
                continue;
            }
            let author = self.person(c.get("author"));
            let cid = str_at(c, &["id"]).map(str::to_string).unwrap_or_else(|| i.to_string());
            comments.push(ImportComment { external_id: cid, author, body, created_at });
        }
        // "is blocked by" links: this issue waits for the other one.
        let mut depends_on = Vec::new();
        for link in fields["issuelinks"].as_array().into_iter().flatten() {
            let inward = str_at(link, &["type", "inward"]).unwrap_or("").to_lowercase();
            if let Some(other) = link.get("inwardIssue")
                && inward.contains("blocked by")
                && let Some(other_key) = str_at(other, &["key"])
            {
                depends_on.push(other.get("id").and_then(Value::as_str).unwrap_or(other_key).to_string());
            }
        }
        let parent = fields
            .get("parent")
            .and_then(|p| p.get("id").and_then(Value::as_str).or(str_at(p, &["key"])))
            .map(str::to_string);
        let estimate_hours = fields["timeoriginalestimate"].as_f64().filter(|s| *s > 0.0).map(|s| s / 3600.0);
        let project_name = str_at(fields, &["project", "name"]).unwrap_or(&project_key).to_string();
        let entry = self.projects.entry(project_key).or_insert_with(|| (project_name, Vec::new(), Vec::new()));
        if !entry.1.iter().any(|s| s.name == status) {
            entry.1.push(ImportStatus { name: status.clone(), category, archived: false });
        }
        // A status keeps the category it was first seen with.
        let category = entry.1.iter().find(|s| s.name == status).map_or(category, |s| s.category);
        entry.2.push(ImportTask {
            external_id,
            external_key: Some(key),
            parent_external_id: parent,
            title: summary.to_string(),
            description: body_text(&fields["description"]),
            status,
            category,
            labels,
            assignee,
            reporter,
            priority: str_at(fields, &["priority", "name"]).map(str::to_string),
            start_date: None,
            due_date,
            due_at: None,
            due_complete: false,
            estimate_hours,
            created_at,
            updated_at,
            archived: false,
            cancelled,
            comments,
            depends_on,
            progress: None,
        });
        Ok(())
    }

    fn finish(mut self) -> ImportBatch {
        let mut projects = Vec::new();
        for (key, (name, statuses, mut tasks)) in std::mem::take(&mut self.projects) {
            let ids: std::collections::HashSet<String> = tasks.iter().map(|t| t.external_id.clone()).collect();
            let keys: HashMap<String, String> =
                tasks.iter().filter_map(|t| Some((t.external_key.clone()?, t.external_id.clone()))).collect();
            for t in &mut tasks {
                // Parents and links may be named by key; both resolve to ids.
                if let Some(p) = &t.parent_external_id
                    && let Some(id) = keys.get(p)
                {
                    t.parent_external_id = Some(id.clone());
                }
                t.depends_on = std::mem::take(&mut t.depends_on)
                    .into_iter()
                    .filter_map(|d| keys.get(&d).cloned().or_else(|| ids.contains(&d).then_some(d)))
                    .collect();
            }
            text::detach_missing_parents(&mut tasks, &mut self.warnings);
            projects.push(ImportProject {
                key_hint: text::sanitize_key(&key).unwrap_or_else(|| "JIRA".into()),
                external_id: key,
                name,
                description: String::new(),
                statuses,
                tasks,
                archived: false,
            });
        }
        ImportBatch {
            source: SourceKind::JiraJson,
            file_name: self.file.to_string(),
            people: self.people,
            projects,
            warnings: self.warnings,
            skipped: self.skipped,
        }
    }
}

/// A description or comment body: ADF as Markdown, a string as it is.
fn body_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Object(_) => {
            let mut out = String::new();
            adf_blocks(v, &mut out, "");
            out.trim_end().to_string()
        }
        _ => String::new(),
    }
}

/// Block nodes of Atlassian Document Format, each ending with a blank line.
fn adf_blocks(node: &Value, out: &mut String, indent: &str) {
    let children = node["content"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    match node["type"].as_str().unwrap_or("") {
        "doc" => children.iter().for_each(|c| adf_blocks(c, out, indent)),
        "paragraph" => {
            out.push_str(indent);
            out.push_str(&adf_inline(children));
            out.push_str("\n\n");
        }
        "heading" => {
            let level = node["attrs"]["level"].as_u64().unwrap_or(1).clamp(1, 6) as usize;
            out.push_str(&format!("{} {}\n\n", "#".repeat(level), adf_inline(children)));
        }
        "bulletList" | "orderedList" => {
            let ordered = node["type"] == "orderedList";
            for (i, item) in children.iter().enumerate() {
                let marker = if ordered { format!("{}. ", i + 1) } else { "- ".to_string() };
                let mut inner = String::new();
                for block in item["content"].as_array().into_iter().flatten() {
                    adf_blocks(block, &mut inner, "");
                }
                let inner = inner.trim_end().replace("\n\n", "\n");
                let pad = " ".repeat(marker.len());
                for (j, line) in inner.lines().enumerate() {
                    out.push_str(indent);
                    out.push_str(if j == 0 { &marker } else { &pad });
                    out.push_str(line);
                    out.push('\n');
                }
            }
            out.push('\n');
        }
        "codeBlock" => {
            let language = node["attrs"]["language"].as_str().unwrap_or("");
            let code: String = children.iter().filter_map(|c| c["text"].as_str()).collect();
            out.push_str(&format!("```{language}\n{code}\n```\n\n"));
        }
        "blockquote" => {
            let mut inner = String::new();
            children.iter().for_each(|c| adf_blocks(c, &mut inner, ""));
            for line in inner.trim_end().lines() {
                out.push_str(&format!("> {line}\n"));
            }
            out.push('\n');
        }
        "rule" => out.push_str("---\n\n"),
        "mediaSingle" | "mediaGroup" | "media" => out.push_str("[attachment]\n\n"),
        "table" => {
            for (r, row) in children.iter().enumerate() {
                let cells: Vec<String> = row["content"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|cell| {
                        let mut inner = String::new();
                        cell["content"].as_array().into_iter().flatten().for_each(|b| adf_blocks(b, &mut inner, ""));
                        inner.trim().replace('\n', " ").replace('|', "\\|")
                    })
                    .collect();
                out.push_str(&format!("| {} |\n", cells.join(" | ")));
                if r == 0 {
                    out.push_str(&format!("|{}\n", " --- |".repeat(cells.len())));
                }
            }
            out.push('\n');
        }
        // Inline content where a block was expected, or a block Keel does not know: its text.
        _ => {
            let text = adf_inline(std::slice::from_ref(node));
            if !text.is_empty() {
                out.push_str(&format!("{indent}{text}\n\n"));
            }
        }
    }
}

/// Inline nodes: text with its marks, mentions, emoji, links, hard breaks.
fn adf_inline(nodes: &[Value]) -> String {
    let mut out = String::new();
    for n in nodes {
        match n["type"].as_str().unwrap_or("") {
            "text" => {
                let mut text = n["text"].as_str().unwrap_or("").to_string();
                for mark in n["marks"].as_array().into_iter().flatten() {
                    text = match mark["type"].as_str().unwrap_or("") {
                        "strong" => format!("**{text}**"),
                        "em" => format!("*{text}*"),
                        "code" => format!("`{text}`"),
                        "strike" => format!("~~{text}~~"),
                        "link" => format!("[{text}]({})", mark["attrs"]["href"].as_str().unwrap_or("")),
                        _ => text,
                    };
                }
                out.push_str(&text);
            }
            "hardBreak" => out.push('\n'),
            "mention" => out.push_str(n["attrs"]["text"].as_str().unwrap_or("@someone")),
            "emoji" => out.push_str(n["attrs"]["text"].as_str().or(n["attrs"]["shortName"].as_str()).unwrap_or("")),
            "inlineCard" => out.push_str(n["attrs"]["url"].as_str().unwrap_or("")),
            _ => out.push_str(&adf_inline(n["content"].as_array().map(Vec::as_slice).unwrap_or(&[]))),
        }
    }
    out
}
