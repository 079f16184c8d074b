//! Status of a key result from the schedule, and scoring at cycle close.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

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

/// Elapsed share of a cycle on `today`.
pub fn expected_share(cycle_start: NaiveDate, cycle_end: NaiveDate, today: NaiveDate) -> f64 {
    unimplemented!()
}

pub fn kr_status(progress: f64, recorded: bool, expected: f64, limits: StatusThresholds) -> KrStatus {
    unimplemented!()
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
    unimplemented!()
}

pub fn score_color(score: f64) -> ScoreColor {
    unimplemented!()
}
