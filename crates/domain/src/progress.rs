//! Progress of key results and objectives, exactly as PRODUCT.md §2 defines it.
//! Progress is a fraction (0.5 = 50 %), stored unclamped; roll-ups cap each
//! part at 1.0.

use crate::okr::ThresholdDirection;
use crate::work::StatusCategory;
use crate::DomainError;

/// Rejects a metric whose target equals its start (PRODUCT.md: use a threshold).
pub fn check_metric(start: f64, target: f64) -> Result<(), DomainError> {
    unimplemented!()
}

/// metric: p = (c − s)/(t − s); works for decreasing targets.
pub fn metric(start: f64, target: f64, current: f64) -> Result<f64, DomainError> {
    unimplemented!()
}

/// threshold: 1 while the value holds the line, else 0.
pub fn threshold(direction: ThresholdDirection, line: f64, current: f64) -> f64 {
    unimplemented!()
}

/// milestone: done weight / total weight (0 when there are no items or no weight).
pub fn milestones(items: &[(f64, bool)]) -> f64 {
    unimplemented!()
}

/// Σ wᵢ·min(pᵢ, 1) / Σ wᵢ; 0 when the weights sum to 0. Used for objectives
/// (over their KRs) and for children KRs (over the aligned objectives).
pub fn weighted_mean(parts: &[(f64, f64)]) -> f64 {
    unimplemented!()
}

/// One task as the work roll-up sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkTask {
    pub id: i64,
    pub project_id: i64,
    pub parent_id: Option<i64>,
    /// Hours; None weighs 1, Some(0) weighs 0.
    pub estimate: Option<f64>,
    /// 0–100 as set by the assignee; ignored when done.
    pub progress: Option<f64>,
    pub category: StatusCategory,
    pub cancelled: bool,
}

/// A project as the work roll-up sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WorkProject {
    pub id: i64,
    pub parent_id: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct WorkProgress {
    /// Σ weight × task progress / Σ weight, in [0, 1]; 0 when nothing counts.
    pub progress: f64,
    pub done_weight: f64,
    pub total_weight: f64,
    /// Leaf tasks counted (cancelled ones excluded).
    pub counted_tasks: usize,
}

/// work: the leaf tasks linked to a KR directly (`linked_tasks`, and their
/// sub-tasks) or through `linked_projects` and all their sub-projects.
pub fn work(
    projects: &[WorkProject],
    tasks: &[WorkTask],
    linked_projects: &[i64],
    linked_tasks: &[i64],
) -> WorkProgress {
    unimplemented!()
}
