//! Forecast of a key result at cycle end, by least squares over its check-ins.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Forecast {
    /// Progress expected at cycle end (unclamped fraction).
    pub progress_at_end: f64,
    /// Change in progress per day.
    pub slope_per_day: f64,
    /// Whether the expected progress reaches 0.7.
    pub reaches_target: bool,
}

/// Fits progress over time and reads the line at `end`. None with fewer than
/// two points or when all points share one instant.
pub fn forecast(points: &[(DateTime<Utc>, f64)], end: DateTime<Utc>) -> Option<Forecast> {
    unimplemented!()
}
