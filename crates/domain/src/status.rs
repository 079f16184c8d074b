//! Status of a key result from the schedule, and scoring at cycle close.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::progress::{EPSILON, unit_interval};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum KrStatus {
    NotStarted,
    OnTrack,
    AtRisk,
    OffTrack,
    Done,
}

impl KrStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotStarted => "not_started",
            Self::OnTrack => "on_track",
            Self::AtRisk => "at_risk",
            Self::OffTrack => "off_track",
            Self::Done => "done",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "not_started" => Some(Self::NotStarted),
            "on_track" => Some(Self::OnTrack),
            "at_risk" => Some(Self::AtRisk),
            "off_track" => Some(Self::OffTrack),
            "done" => Some(Self::Done),
            _ => None,
        }
    }
}

/// The gap limits are settings; these are PRODUCT.md's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StatusThresholds {
    pub on_track: f64,
    pub at_risk: f64,
}

impl Default for StatusThresholds {
    fn default() -> Self {
        StatusThresholds { on_track: 0.10, at_risk: 0.25 }
    }
}

/// Elapsed share of a cycle on `today`, in [0, 1].
///
/// The cycle is the whole days start..=end, and only days that have ended
/// count as elapsed: 0 on the start day, 1 the day after the end. A cycle of
/// 2026-01-01..=2026-01-10 is 10 days, so on 01-06 it is 5/10 = 0.5.
pub fn expected_share(cycle_start: NaiveDate, cycle_end: NaiveDate, today: NaiveDate) -> f64 {
    if cycle_end < cycle_start {
        // Bad dates: say "all time used" once past the end, else nothing.
        return if today > cycle_end { 1.0 } else { 0.0 };
    }
    let total = (cycle_end - cycle_start).num_days() + 1;
    let elapsed = (today - cycle_start).num_days();
    (elapsed as f64 / total as f64).clamp(0.0, 1.0)
}

/// Status from the schedule (PRODUCT.md §2). Done wins over "not started" so a
/// KR completed by its work or milestones reads done even without a check-in.
pub fn kr_status(progress: f64, recorded: bool, expected: f64, limits: StatusThresholds) -> KrStatus {
    let progress = if progress.is_nan() { 0.0 } else { progress };
    if progress >= 1.0 {
        return KrStatus::Done;
    }
    if !recorded {
        return KrStatus::NotStarted;
    }
    let gap = expected - progress;
    // In f64, 0.8 − 0.7 is 0.10000000000000009: float noise must not push a
    // gap that is exactly on a limit over it.
    if gap <= limits.on_track + EPSILON {
        KrStatus::OnTrack
    } else if gap <= limits.at_risk + EPSILON {
        KrStatus::AtRisk
    } else {
        KrStatus::OffTrack
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ScoreColor {
    Red,
    Yellow,
    Green,
}

/// score = min(p, 1) rounded to 0.1, never below 0.
pub fn score(progress: f64) -> f64 {
    score_tenths(progress) as f64 / 10.0
}

/// The score in tenths, 0..=10. Halves round up: 0.35 is 0.34999999999999998
/// in f64 and must still score 0.4.
fn score_tenths(progress: f64) -> i64 {
    (unit_interval(progress) * 10.0 + EPSILON).round() as i64
}

/// 0.0–0.3 red, 0.4–0.6 yellow, 0.7–1.0 green. The score is rounded first,
/// so the colour always matches the number shown beside it.
pub fn score_color(score: f64) -> ScoreColor {
    match score_tenths(score) {
        0..=3 => ScoreColor::Red,
        4..=6 => ScoreColor::Yellow,
        _ => ScoreColor::Green,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn expected_share_counts_whole_days() {
        let (start, end) = (d("2026-01-01"), d("2026-01-10"));
        assert_eq!(expected_share(start, end, d("2025-12-31")), 0.0);
        assert_eq!(expected_share(start, end, start), 0.0);
        assert_eq!(expected_share(start, end, d("2026-01-06")), 0.5);
        assert_eq!(expected_share(start, end, end), 0.9);
        assert_eq!(expected_share(start, end, d("2026-01-11")), 1.0);
        // Q4 2026: 92 days; on Nov 16, 46 have ended.
        assert_eq!(expected_share(d("2026-10-01"), d("2026-12-31"), d("2026-11-16")), 0.5);
        // End (Jan 1) before start (Jan 10): only "past the end" matters.
        assert_eq!(expected_share(end, start, start), 0.0);
        assert_eq!(expected_share(end, start, d("2026-01-05")), 1.0);
    }

    #[test]
    fn kr_status_examples() {
        let l = StatusThresholds::default();
        assert_eq!(kr_status(0.45, true, 0.5, l), KrStatus::OnTrack);
        assert_eq!(kr_status(0.4, true, 0.5, l), KrStatus::OnTrack); // gap exactly 0.10
        assert_eq!(kr_status(0.7, true, 0.8, l), KrStatus::OnTrack); // 0.10000000000000009 in f64
        assert_eq!(kr_status(0.3, true, 0.5, l), KrStatus::AtRisk); // gap 0.20
        assert_eq!(kr_status(0.25, true, 0.5, l), KrStatus::AtRisk); // gap exactly 0.25
        assert_eq!(kr_status(0.2, true, 0.5, l), KrStatus::OffTrack); // gap 0.30
        assert_eq!(kr_status(1.0, true, 0.5, l), KrStatus::Done);
        assert_eq!(kr_status(1.0, false, 0.5, l), KrStatus::Done);
        assert_eq!(kr_status(0.0, false, 0.5, l), KrStatus::NotStarted);
        assert_eq!(kr_status(-0.5, true, 0.0, l), KrStatus::OffTrack);
        let strict = StatusThresholds { on_track: 0.0, at_risk: 0.05 };
        assert_eq!(kr_status(0.45, true, 0.5, strict), KrStatus::AtRisk);
    }

    #[test]
    fn scores_round_to_tenths_and_colour() {
        assert_eq!(score(0.65), 0.7);
        assert_eq!(score(0.35), 0.4);
        assert_eq!(score(0.34), 0.3);
        assert_eq!(score(1.7), 1.0);
        assert_eq!(score(-3.0), 0.0);
        assert_eq!(score(f64::NAN), 0.0);
        assert_eq!(score_color(0.0), ScoreColor::Red);
        assert_eq!(score_color(0.3), ScoreColor::Red);
        assert_eq!(score_color(0.4), ScoreColor::Yellow);
        assert_eq!(score_color(0.6), ScoreColor::Yellow);
        assert_eq!(score_color(0.7), ScoreColor::Green);
        assert_eq!(score_color(1.0), ScoreColor::Green);
        assert_eq!(score_color(score(0.35)), ScoreColor::Yellow);
        assert_eq!(score_color(0.35), ScoreColor::Yellow);
    }
}
