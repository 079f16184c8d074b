//! Progress of key results and objectives, exactly as PRODUCT.md §2 defines it.
//! Progress is a fraction (0.5 = 50 %), stored unclamped; roll-ups cap each
//! part at 1.0.

use crate::DomainError;
use crate::okr::ThresholdDirection;
use crate::rollup::WorkIndex;
use crate::work::StatusCategory;

/// Absorbs binary float noise where a value that is exactly representable in
/// decimal (0.285, 0.35) lands a hair below a rounding boundary in f64.
pub(crate) const EPSILON: f64 = 1e-9;

/// Clamps to [0, 1], reading NaN as 0 (clamp alone would keep the NaN).
pub(crate) fn unit_interval(x: f64) -> f64 {
    if x.is_nan() { 0.0 } else { x.clamp(0.0, 1.0) }
}

/// Rejects a metric whose target equals its start (PRODUCT.md: use a threshold).
pub fn check_metric(start: f64, target: f64) -> Result<(), DomainError> {
    if !start.is_finite() {
        return Err(DomainError::invalid("start_value", "must be a finite number"));
    }
    if !target.is_finite() {
        return Err(DomainError::invalid("target_value", "must be a finite number"));
    }
    if target == start {
        return Err(DomainError::invalid(
            "target_value",
            "equals the start value, so progress cannot be measured; \
             to keep a value at or beyond a line, use a threshold key result",
        ));
    }
    Ok(())
}

/// metric: p = (c − s)/(t − s); works for decreasing targets.
///
/// Only t = s is refused, so a target of 0 (bugs 120 → 0) is fine. A current
/// value so far out that the fraction overflows is refused too, so callers
/// never store an infinite progress.
pub fn metric(start: f64, target: f64, current: f64) -> Result<f64, DomainError> {
    check_metric(start, target)?;
    let p = (current - start) / (target - start);
    if !p.is_finite() {
        return Err(DomainError::invalid("current_value", "must be a finite number within range"));
    }
    Ok(p)
}

/// Progress as a whole percent for display, rounded half up and never
/// truncated (5.9 of 10 is 59 %). 0.285 × 100 is 28.499999999999996 in f64,
/// so a small epsilon makes halves round up as a person would expect.
pub fn percent(p: f64) -> i64 {
    // floor(x + 0.5) rounds half up for negative values too; NaN casts to 0.
    (p * 100.0 + 0.5 + EPSILON).floor() as i64
}

/// threshold: 1 while the value holds the line, else 0.
pub fn threshold(direction: ThresholdDirection, line: f64, current: f64) -> f64 {
    let holds = match direction {
        ThresholdDirection::AtLeast => current >= line,
        ThresholdDirection::AtMost => current <= line,
    };
    if holds { 1.0 } else { 0.0 }
}

/// A weight that is negative or not a number must not pull a sum down or
/// poison it; it weighs nothing.
fn clean_weight(w: f64) -> f64 {
    if w.is_finite() && w > 0.0 { w } else { 0.0 }
}

/// Divides every weight by the largest one, so sums of huge weights cannot
/// overflow to ∞ (∞/∞ would make the share NaN). None when nothing weighs.
fn normalised(weights: impl Iterator<Item = f64>) -> Option<impl Fn(f64) -> f64> {
    let max = weights.map(clean_weight).fold(0.0, f64::max);
    (max > 0.0).then_some(move |w: f64| clean_weight(w) / max)
}

/// milestone: done weight / total weight (0 when there are no items or no weight).
pub fn milestones(items: &[(f64, bool)]) -> f64 {
    let Some(weight) = normalised(items.iter().map(|item| item.0)) else { return 0.0 };
    let (mut done, mut total, mut any_open) = (0.0, 0.0, false);
    for &(w, is_done) in items {
        total += weight(w);
        if is_done {
            done += weight(w);
        } else if clean_weight(w) > 0.0 {
            any_open = true;
        }
    }
    let p = done / total;
    // A tiny open item next to huge done ones rounds to 1.0 in f64; an open
    // milestone must still keep the KR short of complete.
    if any_open { p.min(1.0 - f64::EPSILON) } else { p }
}

/// Σ wᵢ·min(pᵢ, 1) / Σ wᵢ; 0 when the weights sum to 0. Used for objectives
/// (over their KRs) and for children KRs (over the aligned objectives).
///
/// Each part is also floored at 0: a metric KR that went backwards shows its
/// negative progress on its own, but contributes 0 to its objective, never
/// less, so the objective stays in [0, 1] like its score. Negative or
/// non-finite weights weigh 0.
pub fn weighted_mean(parts: &[(f64, f64)]) -> f64 {
    let Some(weight) = normalised(parts.iter().map(|part| part.0)) else { return 0.0 };
    let (mut sum, mut total) = (0.0, 0.0);
    for &(w, p) in parts {
        sum += weight(w) * unit_interval(p);
        total += weight(w);
    }
    (sum / total).clamp(0.0, 1.0)
}

/// One task as the work roll-up sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkTask {
    pub id: i64,
    pub project_id: i64,
    pub parent_id: Option<i64>,
    /// Hours; None weighs 1, Some(0) weighs 0.
    pub estimate: Option<f64>,
    /// Fraction done (0.5 = 50 %) as set by the assignee; ignored when done.
    pub progress: Option<f64>,
    pub category: StatusCategory,
    pub cancelled: bool,
}

impl WorkTask {
    /// None weighs 1 (an unestimated task still matters); 0, negative or
    /// non-finite estimates weigh 0.
    pub(crate) fn weight(&self) -> f64 {
        self.estimate.map_or(1.0, clean_weight)
    }

    pub(crate) fn fraction_done(&self) -> f64 {
        if self.category == StatusCategory::Done {
            return 1.0;
        }
        self.progress.map_or(0.0, unit_interval)
    }
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
///
/// Each task is counted at most once however many links reach it. A task
/// with sub-tasks counts only through them. A cancelled task counts for
/// nothing, and neither does anything under it: cancelling a parent task
/// cancels its work, even if a sub-task was not marked itself.
///
/// This builds a [`WorkIndex`] over all the rows for one answer; to roll up
/// many key results over the same rows, build the index once and ask it.
pub fn work(
    projects: &[WorkProject],
    tasks: &[WorkTask],
    linked_projects: &[i64],
    linked_tasks: &[i64],
) -> WorkProgress {
    WorkIndex::new(projects, tasks).progress(linked_projects, linked_tasks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn metric_increasing_and_decreasing() {
        assert!(close(metric(0.0, 10.0, 5.9).unwrap(), 0.59));
        // Bug count 120 → 60, now 90: half way.
        assert!(close(metric(120.0, 60.0, 90.0).unwrap(), 0.5));
        assert!(close(metric(200.0, 0.0, 100.0).unwrap(), 0.5));
        // 1 000 of the 10 000 to lose.
        assert!(close(metric(60_000.0, 50_000.0, 59_000.0).unwrap(), 0.1));
        // Stored unclamped: beyond target and backwards.
        assert!(close(metric(0.0, 10.0, 15.0).unwrap(), 1.5));
        assert!(close(metric(0.0, 10.0, -2.0).unwrap(), -0.2));
    }

    #[test]
    fn metric_rejects_equal_start_and_target() {
        let err = metric(5.0, 5.0, 5.0).unwrap_err();
        assert_eq!(err.field(), "target_value");
        assert!(err.to_string().contains("threshold"));
        assert_eq!(check_metric(f64::NAN, 1.0).unwrap_err().field(), "start_value");
        assert_eq!(check_metric(0.0, f64::INFINITY).unwrap_err().field(), "target_value");
        assert_eq!(metric(0.0, 1.0, f64::NAN).unwrap_err().field(), "current_value");
        assert!(check_metric(3.0, 0.0).is_ok());
    }

    #[test]
    fn percent_rounds_half_up_never_truncates() {
        assert_eq!(percent(0.59), 59);
        assert_eq!(percent(metric(0.0, 10.0, 5.9).unwrap()), 59);
        assert_eq!(percent(0.285), 29);
        assert_eq!(percent(0.284), 28);
        assert_eq!(percent(1.0), 100);
        assert_eq!(percent(-0.2), -20);
        assert_eq!(percent(0.0), 0);
    }

    #[test]
    fn threshold_holds_the_line() {
        use ThresholdDirection::*;
        assert_eq!(threshold(AtLeast, 99.9, 99.9), 1.0);
        assert_eq!(threshold(AtLeast, 99.9, 99.8), 0.0);
        assert_eq!(threshold(AtMost, 200.0, 200.0), 1.0);
        assert_eq!(threshold(AtMost, 200.0, 201.0), 0.0);
    }

    #[test]
    fn milestones_by_weight() {
        assert_eq!(milestones(&[]), 0.0);
        assert_eq!(milestones(&[(0.0, true)]), 0.0);
        assert!(close(milestones(&[(1.0, true), (3.0, false)]), 0.25));
        assert!(close(milestones(&[(2.0, true), (-5.0, false), (2.0, false)]), 0.5));
        assert_eq!(milestones(&[(1.0, true), (2.0, true)]), 1.0);
        assert!(milestones(&[(1e300, true), (1e-300, false)]) < 1.0);
        assert_eq!(milestones(&[(f64::MAX, true), (f64::MAX, false)]), 0.5);
    }

    #[test]
    fn weighted_mean_caps_each_part() {
        assert_eq!(weighted_mean(&[]), 0.0);
        assert_eq!(weighted_mean(&[(0.0, 0.5)]), 0.0);
        // (1·1 + 1·0.5) / 2: the 1.5 is capped at 1.
        assert!(close(weighted_mean(&[(1.0, 1.5), (1.0, 0.5)]), 0.75));
        // (2·0.5 + 1·0) / 3: the backwards KR contributes 0, not −0.4.
        assert!(close(weighted_mean(&[(2.0, 0.5), (1.0, -0.4)]), 1.0 / 3.0));
        assert_eq!(weighted_mean(&[(f64::MAX, 1.0), (f64::MAX, 0.0)]), 0.5);
    }

    fn task(id: i64, project_id: i64, parent_id: Option<i64>) -> WorkTask {
        WorkTask {
            id,
            project_id,
            parent_id,
            estimate: None,
            progress: None,
            category: StatusCategory::Todo,
            cancelled: false,
        }
    }

    #[test]
    fn work_counts_leaves_once() {
        let projects = [
            WorkProject { id: 1, parent_id: None },
            WorkProject { id: 2, parent_id: Some(1) },
            WorkProject { id: 3, parent_id: None },
        ];
        let tasks = [
            // Parent task 10 in project 1 with two sub-tasks: only they count.
            WorkTask { estimate: Some(100.0), ..task(10, 1, None) },
            WorkTask { estimate: Some(4.0), category: StatusCategory::Done, ..task(11, 1, Some(10)) },
            WorkTask { estimate: Some(4.0), progress: Some(0.5), ..task(12, 1, Some(10)) },
            // Sub-project task without estimate: weighs 1, progress 0.
            task(20, 2, None),
            // Estimated at 0: counted, weighs 0.
            WorkTask { estimate: Some(0.0), ..task(21, 2, None) },
            // Cancelled: nothing.
            WorkTask { estimate: Some(50.0), cancelled: true, ..task(22, 2, None) },
            // Project 3 is not linked, but task 30 is, with its sub-task.
            WorkTask { estimate: Some(2.0), ..task(30, 3, None) },
            WorkTask { estimate: Some(1.0), progress: Some(2.5), ..task(31, 3, Some(30)) },
            task(32, 3, None),
        ];
        // Project 2 and task 11 are also reached through project 1: no double count.
        let got = work(&projects, &tasks, &[1, 2], &[11, 30, 11]);
        // Leaves 11 (4, done), 12 (4, 0.5), 20 (1, 0), 21 (0), 31 (1, capped 1).
        assert_eq!(got.counted_tasks, 5);
        assert!(close(got.total_weight, 4.0 + 4.0 + 1.0 + 0.0 + 1.0));
        assert!(close(got.done_weight, 4.0 + 2.0 + 0.0 + 0.0 + 1.0));
        assert!(close(got.progress, 7.0 / 10.0));
    }

    #[test]
    fn work_cancelled_parent_cancels_sub_tasks() {
        let tasks = [
            WorkTask { cancelled: true, ..task(1, 1, None) },
            task(2, 1, Some(1)),
            WorkTask { category: StatusCategory::Done, ..task(3, 1, None) },
        ];
        let got = work(&[], &tasks, &[1], &[]);
        assert_eq!(got.counted_tasks, 1);
        assert_eq!(got.progress, 1.0);
    }

    #[test]
    fn work_survives_cycles_and_empty_input() {
        assert_eq!(work(&[], &[], &[], &[]), WorkProgress::default());
        let projects = [WorkProject { id: 1, parent_id: Some(2) }, WorkProject { id: 2, parent_id: Some(1) }];
        let tasks = [task(1, 2, Some(2)), task(2, 1, Some(1)), task(3, 1, Some(3))];
        // Tasks 1 and 2 are each other's parent: neither is a leaf. Task 3 is
        // its own parent, which is ignored, so it is a leaf.
        let got = work(&projects, &tasks, &[1], &[]);
        assert_eq!(got.counted_tasks, 1);
        assert_eq!(got.total_weight, 1.0);
    }
}
