//! The neutral shape every importer produces. Ids are the source tool's own,
//! kept so that importing the same file again updates instead of duplicating.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// Status categories as the importers see them (mirrors Keel's domain enum,
/// kept separate so parsers stay free of the rest of Keel).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Todo,
    Doing,
    Done,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    Trello,
    JiraCsv,
    #[serde(rename = "github")]
    GitHub,
    Asana,
    Csv,
    MsProject,
    /// Jira's REST JSON: the same issues as its CSV, so the same ids.
    JiraJson,
}

impl SourceKind {
    /// Prefix of the `source` column of imported rows: ids are unique per source.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Trello => "trello",
            SourceKind::JiraCsv => "jira",
            SourceKind::GitHub => "github",
            SourceKind::Asana => "asana",
            SourceKind::Csv => "csv",
            SourceKind::MsProject => "msproject",
            SourceKind::JiraJson => "jira",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportBatch {
    pub source: SourceKind,
    pub file_name: String,
    pub people: Vec<ImportPerson>,
    pub projects: Vec<ImportProject>,
    /// Problems that did not stop the import (a date in an odd form, a parent
    /// missing from the file …).
    pub warnings: Vec<Notice>,
    /// Records left out, with the reason.
    pub skipped: Vec<Notice>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportPerson {
    /// The source's id for the person (Trello member id, Jira account id or name).
    pub external_id: String,
    pub display_name: String,
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportStatus {
    pub name: String,
    pub category: Category,
    /// An archived Trello list: kept, marked.
    pub archived: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportProject {
    /// Trello board id, Jira project key.
    pub external_id: String,
    /// Suggested Keel project key (2–10 upper-case letters/digits).
    pub key_hint: String,
    pub name: String,
    pub description: String,
    /// The workflow in board/list order; every task's status is one of these.
    pub statuses: Vec<ImportStatus>,
    pub tasks: Vec<ImportTask>,
    pub archived: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportTask {
    /// Trello card id (or checklist item id), Jira issue id (or key when there is none).
    pub external_id: String,
    /// Human key in the source: Jira "RET-42", Trello card short link.
    pub external_key: Option<String>,
    /// The parent's `external_id`: Jira sub-tasks, Trello checklist items.
    pub parent_external_id: Option<String>,
    pub title: String,
    /// Markdown.
    pub description: String,
    /// Name of one of the project's statuses.
    pub status: String,
    pub category: Category,
    pub labels: Vec<String>,
    /// `external_id` of an [`ImportPerson`].
    pub assignee: Option<String>,
    pub reporter: Option<String>,
    pub priority: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    /// The source's own due instant when it has one (Trello), kept exactly.
    pub due_at: Option<DateTime<Utc>>,
    /// Trello's dueComplete flag.
    pub due_complete: bool,
    /// Hours.
    pub estimate_hours: Option<f64>,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    /// Closed / archived in the source: kept and marked.
    pub archived: bool,
    /// Resolved as won't do / cancelled in the source.
    pub cancelled: bool,
    pub comments: Vec<ImportComment>,
    /// `external_id`s of tasks of the same project this one waits for (finish-to-start).
    pub depends_on: Vec<String>,
    /// Share done, 0.0–1.0, when the source says (MS Project's % complete).
    pub progress: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportComment {
    pub external_id: String,
    /// `external_id` of an [`ImportPerson`].
    pub author: Option<String>,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// A warning or a skipped record, located as precisely as the format allows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notice {
    /// "line 14", "card 5f1c…", "action 12" …
    pub record: Option<String>,
    pub field: Option<String>,
    pub message: String,
}

/// A fatal problem: the file cannot be imported, nothing is written.
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[error("{}", self.describe())]
pub struct ImportError {
    pub file: String,
    pub line: Option<u64>,
    pub record: Option<String>,
    pub field: Option<String>,
    pub message: String,
}

impl ImportError {
    pub fn describe(&self) -> String {
        let mut out = self.file.clone();
        if let Some(line) = self.line {
            out.push_str(&format!(", line {line}"));
        }
        if let Some(record) = &self.record {
            out.push_str(&format!(", {record}"));
        }
        if let Some(field) = &self.field {
            out.push_str(&format!(", field {field}"));
        }
        out.push_str(": ");
        out.push_str(&self.message);
        out
    }
}
