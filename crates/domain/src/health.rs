//! Project health: schedule gap, overdue and blocked work → green/yellow/red,
//! with the reasons that decided it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Health {
    Green,
    Yellow,
    Red,
}

/// What project health is computed from. Dates are civil dates in the zone of
/// the person looking; the caller works out `today` there.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HealthInput {
    pub start_date: Option<NaiveDate>,
    pub target_date: Option<NaiveDate>,
    pub today: NaiveDate,
    /// Actual share of the estimate done, from the work roll-up.
    pub done_share: f64,
    pub open_tasks: usize,
    pub overdue_tasks: usize,
    pub blocked_tasks: usize,
    /// The project is done or cancelled.
    pub finished: bool,
}

/// One condition that made a project less than green, shown beside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum HealthReason {
    Behind { expected: f64, actual: f64 },
    PastTarget { days: i64 },
    Overdue { count: usize },
    Blocked { count: usize },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HealthReport {
    pub health: Health,
    /// Share of the schedule elapsed; None without both start and target dates.
    pub expected: Option<f64>,
    pub actual: f64,
    pub reasons: Vec<HealthReason>,
}

/// Schedule gaps above these are yellow and red, as for key results.
const YELLOW_GAP: f64 = 0.10;
const RED_GAP: f64 = 0.25;

/// Green / yellow / red with every reason that contributed, in a fixed order
/// (behind, past target, overdue, blocked) so the page reads the same each time.
pub fn project_health(input: &HealthInput) -> HealthReport {
    let actual = if input.done_share.is_nan() { 0.0 } else { input.done_share };
    let expected = match (input.start_date, input.target_date) {
        (Some(start), Some(target)) => Some(crate::status::expected_share(start, target, input.today)),
        _ => None,
    };
    if input.finished {
        return HealthReport { health: Health::Green, expected, actual, reasons: vec![] };
    }

    let eps = crate::progress::EPSILON;
    let gap = expected.map_or(0.0, |e| e - actual);
    let past_target = input
        .target_date
        .filter(|&target| input.today > target && actual < 1.0 - eps)
        .map(|target| (input.today - target).num_days());
    // More than a fifth of the open tasks overdue means the plan no longer holds.
    let many_overdue = input.overdue_tasks > 0 && input.overdue_tasks * 5 > input.open_tasks;

    let mut reasons = Vec::new();
    if let Some(expected) = expected.filter(|_| gap > YELLOW_GAP + eps) {
        reasons.push(HealthReason::Behind { expected, actual });
    }
    if let Some(days) = past_target {
        reasons.push(HealthReason::PastTarget { days });
    }
    if input.overdue_tasks > 0 {
        reasons.push(HealthReason::Overdue { count: input.overdue_tasks });
    }
    if input.blocked_tasks > 0 {
        reasons.push(HealthReason::Blocked { count: input.blocked_tasks });
    }

    let health = if gap > RED_GAP + eps || past_target.is_some() || many_overdue {
        Health::Red
    } else if reasons.is_empty() {
        Health::Green
    } else {
        Health::Yellow
    };
    HealthReport { health, expected, actual, reasons }
}

/// Whole days a due date is behind `today` (0 when not overdue). Both are
/// civil dates: `today` is the date in the person's zone, so the count does
/// not jump at midnight UTC or on a DST change.
pub fn days_overdue(due: NaiveDate, today: NaiveDate) -> i64 {
    (today - due).num_days().max(0)
}

/// Overdue only once the due day has ended, and never when done.
pub fn is_overdue(due: NaiveDate, today: NaiveDate, done: bool) -> bool {
    !done && today > due
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// A 10-day project (Jan 1–10) seen on Jan 6: half the time gone.
    fn input(done_share: f64) -> HealthInput {
        HealthInput {
            start_date: Some(d("2026-01-01")),
            target_date: Some(d("2026-01-10")),
            today: d("2026-01-06"),
            done_share,
            open_tasks: 10,
            overdue_tasks: 0,
            blocked_tasks: 0,
            finished: false,
        }
    }

    #[test]
    fn schedule_gap_decides_colour() {
        let r = project_health(&input(0.45));
        assert_eq!((r.health, r.expected, r.actual), (Health::Green, Some(0.5), 0.45));
        assert!(r.reasons.is_empty());
        // Gap exactly 0.10 stays green.
        assert_eq!(project_health(&input(0.4)).health, Health::Green);
        let r = project_health(&input(0.3));
        assert_eq!(r.health, Health::Yellow);
        assert_eq!(r.reasons, vec![HealthReason::Behind { expected: 0.5, actual: 0.3 }]);
        // Gap exactly 0.25 is still yellow; 0.3 is red.
        assert_eq!(project_health(&input(0.25)).health, Health::Yellow);
        assert_eq!(project_health(&input(0.2)).health, Health::Red);
    }

    #[test]
    fn past_target_is_red_until_done() {
        let late = HealthInput { today: d("2026-01-13"), ..input(0.95) };
        let r = project_health(&late);
        assert_eq!(r.health, Health::Red);
        assert_eq!(r.expected, Some(1.0));
        // Jan 13 − Jan 10 = 3 days.
        assert_eq!(r.reasons, vec![HealthReason::PastTarget { days: 3 }]);
        let done = HealthInput { done_share: 1.0, ..late };
        assert_eq!(project_health(&done).health, Health::Green);
        // No start date: no expected share, but the target still counts.
        let no_start = HealthInput { start_date: None, ..late };
        let r = project_health(&no_start);
        assert_eq!((r.health, r.expected), (Health::Red, None));
    }

    #[test]
    fn overdue_and_blocked() {
        let some = HealthInput { overdue_tasks: 2, blocked_tasks: 1, ..input(0.5) };
        let r = project_health(&some);
        assert_eq!(r.health, Health::Yellow); // 2 of 10 is exactly 20 %: not more
        assert_eq!(r.reasons, vec![HealthReason::Overdue { count: 2 }, HealthReason::Blocked { count: 1 }]);
        let many = HealthInput { overdue_tasks: 3, ..input(0.5) };
        assert_eq!(project_health(&many).health, Health::Red);
        let blocked = HealthInput { blocked_tasks: 1, ..input(0.5) };
        assert_eq!(project_health(&blocked).health, Health::Yellow);
    }

    #[test]
    fn reasons_in_order_and_finished_is_green() {
        let bad = HealthInput { today: d("2026-01-12"), overdue_tasks: 1, blocked_tasks: 4, ..input(0.5) };
        let r = project_health(&bad);
        assert_eq!(r.health, Health::Red);
        assert_eq!(
            r.reasons,
            vec![
                HealthReason::Behind { expected: 1.0, actual: 0.5 },
                HealthReason::PastTarget { days: 2 },
                HealthReason::Overdue { count: 1 },
                HealthReason::Blocked { count: 4 },
            ]
        );
        let r = project_health(&HealthInput { finished: true, ..bad });
        assert_eq!(r.health, Health::Green);
        assert!(r.reasons.is_empty());
    }

    #[test]
    fn reasons_serialise_with_kind() {
        let json = serde_json::to_value(HealthReason::PastTarget { days: 3 }).unwrap();
        assert_eq!(json, serde_json::json!({ "kind": "past_target", "days": 3 }));
    }

    #[test]
    fn overdue_only_after_the_due_day() {
        let due = d("2026-03-29"); // the day European clocks go forward
        assert!(!is_overdue(due, d("2026-03-29"), false));
        assert!(is_overdue(due, d("2026-03-30"), false));
        assert!(!is_overdue(due, d("2026-03-30"), true));
        assert_eq!(days_overdue(due, d("2026-03-28")), 0);
        assert_eq!(days_overdue(due, due), 0);
        assert_eq!(days_overdue(due, d("2026-04-02")), 4);
    }
}
