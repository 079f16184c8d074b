//! Work: projects in a tree, their workflow, tasks, comments and worklogs.

use crate::{CommentId, KeyResultId, MilestoneId, ProjectId, TaskId, UnitId, UserId, WorklogId};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ProjectStatus {
    Planned,
    Active,
    OnHold,
    Done,
    Cancelled,
}

impl ProjectStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::Active => "active",
            Self::OnHold => "on_hold",
            Self::Done => "done",
            Self::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "planned" => Some(Self::Planned),
            "active" => Some(Self::Active),
            "on_hold" => Some(Self::OnHold),
            "done" => Some(Self::Done),
            "cancelled" => Some(Self::Cancelled),
            _ => None,
        }
    }
}

/// Every workflow status belongs to one of three categories; the math only
/// ever looks at the category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum StatusCategory {
    Todo,
    Doing,
    Done,
}

impl StatusCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Todo => "todo",
            Self::Doing => "doing",
            Self::Done => "done",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "todo" => Some(Self::Todo),
            "doing" => Some(Self::Doing),
            "done" => Some(Self::Done),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkflowStatus {
    pub name: String,
    pub category: StatusCategory,
    /// Work-in-progress limit of the status's column on the board; none is
    /// no limit. Absent in workflows stored before limits existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wip_limit: Option<u32>,
}

/// The workflow a new project starts with.
pub fn default_workflow() -> Vec<WorkflowStatus> {
    [
        ("To do", StatusCategory::Todo),
        ("In progress", StatusCategory::Doing),
        ("In review", StatusCategory::Doing),
        ("Done", StatusCategory::Done),
    ]
    .into_iter()
    .map(|(name, category)| WorkflowStatus { name: name.to_string(), category, wip_limit: None })
    .collect()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Project {
    pub id: ProjectId,
    /// Short upper-case key such as RET; task keys are KEY-number.
    pub key: String,
    pub name: String,
    pub description: String,
    pub parent_id: Option<ProjectId>,
    pub owner_id: Option<UserId>,
    pub unit_id: Option<UnitId>,
    pub status: ProjectStatus,
    pub start_date: Option<NaiveDate>,
    pub target_date: Option<NaiveDate>,
    pub private: bool,
    pub workflow: Vec<WorkflowStatus>,
    pub key_result_ids: Vec<KeyResultId>,
    /// Where an imported project came from ("trello:<board id>", "jira:<project key>").
    pub source: Option<String>,
    pub archived: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

/// Project keys: 2–10 upper-case ASCII letters or digits, starting with a letter.
pub fn check_project_key(key: &str) -> Result<String, crate::DomainError> {
    let key = key.trim().to_ascii_uppercase();
    let ok = (2..=10).contains(&key.len())
        && key.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && key.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if ok {
        Ok(key)
    } else {
        Err(crate::DomainError::invalid("key", "must be 2–10 letters or digits, starting with a letter (e.g. RET)"))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectMilestone {
    pub id: MilestoneId,
    pub project_id: ProjectId,
    pub title: String,
    pub due_date: Option<NaiveDate>,
    pub done: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Priority {
    Lowest,
    Low,
    Medium,
    High,
    Highest,
}

impl Priority {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lowest => "lowest",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Highest => "highest",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "lowest" | "trivial" => Some(Self::Lowest),
            "low" | "minor" => Some(Self::Low),
            "medium" | "normal" | "major" => Some(Self::Medium),
            "high" | "critical" => Some(Self::High),
            "highest" | "blocker" | "urgent" => Some(Self::Highest),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Task {
    pub id: TaskId,
    pub project_id: ProjectId,
    /// Number inside the project: key RET-42 is project RET, number 42.
    pub number: i64,
    pub key: String,
    pub title: String,
    /// Markdown.
    pub description: String,
    pub status: String,
    pub category: StatusCategory,
    pub blocked: bool,
    pub blocked_reason: Option<String>,
    pub priority: Priority,
    pub assignee_id: Option<UserId>,
    pub reporter_id: Option<UserId>,
    pub start_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    /// Hours.
    pub estimate: Option<f64>,
    /// Fraction done (0.5 = 50 %), set by the assignee for long tasks; done means 1.
    pub progress: Option<f64>,
    pub parent_id: Option<TaskId>,
    pub labels: Vec<String>,
    /// Key results the task supports itself, beyond those of its project.
    pub key_result_ids: Vec<KeyResultId>,
    /// Tasks that must finish before this one starts.
    pub depends_on: Vec<TaskId>,
    pub cancelled: bool,
    /// Closed or archived in the tool it came from; kept and marked.
    pub archived: bool,
    pub source: Option<String>,
    pub external_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Comment {
    pub id: CommentId,
    pub task_id: TaskId,
    pub author_id: Option<UserId>,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Worklog {
    pub id: WorklogId,
    pub task_id: TaskId,
    pub user_id: UserId,
    pub day: NaiveDate,
    pub hours: f64,
    pub note: String,
}
