//! OKRs: cycles, objectives, key results of every kind, check-ins.

use crate::{CheckInId, CycleId, KeyResultId, KrItemId, ObjectiveId, UnitId, UserId};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CycleState {
    Planning,
    Active,
    Closed,
}

impl CycleState {
    pub fn as_str(self) -> &'static str {
        match self {
            CycleState::Planning => "planning",
            CycleState::Active => "active",
            CycleState::Closed => "closed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "planning" => Some(Self::Planning),
            "active" => Some(Self::Active),
            "closed" => Some(Self::Closed),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cycle {
    pub id: CycleId,
    pub name: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub state: CycleState,
    /// A quarter may sit inside a year.
    pub parent_id: Option<CycleId>,
    pub version: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ObjectiveLevel {
    Company,
    Unit,
    Individual,
}

impl ObjectiveLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Company => "company",
            Self::Unit => "unit",
            Self::Individual => "individual",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "company" => Some(Self::Company),
            "unit" => Some(Self::Unit),
            "individual" => Some(Self::Individual),
            _ => None,
        }
    }
    /// Alignment goes one level up: individual → unit or company, unit → company or a parent unit.
    pub fn may_align_to(self, parent: ObjectiveLevel) -> bool {
        matches!(
            (self, parent),
            (Self::Individual, Self::Unit | Self::Company) | (Self::Unit, Self::Company | Self::Unit)
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Objective {
    pub id: ObjectiveId,
    pub cycle_id: CycleId,
    pub title: String,
    pub description: String,
    pub level: ObjectiveLevel,
    pub unit_id: Option<UnitId>,
    pub owner_id: UserId,
    /// Aligned under a parent objective …
    pub parent_objective_id: Option<ObjectiveId>,
    /// … or under a parent key result (whose progress may then come from its children).
    pub parent_key_result_id: Option<KeyResultId>,
    pub private: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum KrKind {
    Metric,
    Threshold,
    Milestone,
    Work,
    Children,
}

impl KrKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Metric => "metric",
            Self::Threshold => "threshold",
            Self::Milestone => "milestone",
            Self::Work => "work",
            Self::Children => "children",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "metric" => Some(Self::Metric),
            "threshold" => Some(Self::Threshold),
            "milestone" => Some(Self::Milestone),
            "work" => Some(Self::Work),
            "children" => Some(Self::Children),
            _ => None,
        }
    }
    /// Kinds whose value the owner types in a check-in; the others are derived.
    pub fn takes_values(self) -> bool {
        matches!(self, Self::Metric | Self::Threshold)
    }
}

/// Which side of the line a threshold KR must stay on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ThresholdDirection {
    AtLeast,
    AtMost,
}

impl ThresholdDirection {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AtLeast => "at_least",
            Self::AtMost => "at_most",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "at_least" => Some(Self::AtLeast),
            "at_most" => Some(Self::AtMost),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyResult {
    pub id: KeyResultId,
    pub objective_id: ObjectiveId,
    pub title: String,
    pub owner_id: UserId,
    pub kind: KrKind,
    /// Relative weight inside the objective; equal by default.
    pub weight: f64,
    /// metric: start s; threshold: unused.
    pub start_value: Option<f64>,
    /// metric: target t; threshold: the line to hold.
    pub target_value: Option<f64>,
    /// Latest recorded value (metric, threshold).
    pub current_value: Option<f64>,
    pub unit_label: Option<String>,
    pub direction: Option<ThresholdDirection>,
    pub due_date: Option<NaiveDate>,
    pub status_override: Option<crate::status::KrStatus>,
    pub override_reason: Option<String>,
    pub position: i64,
    pub version: i64,
}

/// One item of a milestone KR's checklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KrItem {
    pub id: KrItemId,
    pub key_result_id: KeyResultId,
    pub title: String,
    pub weight: f64,
    pub done: bool,
    pub position: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckIn {
    pub id: CheckInId,
    pub key_result_id: KeyResultId,
    pub author_id: UserId,
    pub at: DateTime<Utc>,
    /// The value typed in (metric, threshold); none for derived kinds.
    pub value: Option<f64>,
    /// Progress at that moment, as a fraction, stored unclamped.
    pub progress: f64,
    /// 0–10.
    pub confidence: Option<u8>,
    pub note: String,
}

/// A comment on a key result: Markdown, shown sanitised like task comments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KrComment {
    pub id: crate::KrCommentId,
    pub key_result_id: KeyResultId,
    pub author_id: Option<UserId>,
    /// Markdown.
    pub body: String,
    pub created_at: DateTime<Utc>,
}
