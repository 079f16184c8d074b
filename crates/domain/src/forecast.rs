//! Forecast of a key result at cycle end, by least squares over its check-ins.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Forecast {
    /// For KRs that take values: the value the line reaches at cycle end.
    pub value_at_end: Option<f64>,
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
    let (progress_at_end, slope_per_day) = fit_at(points, end)?;
    Some(Forecast { value_at_end: None, progress_at_end, slope_per_day, reaches_target: reaches(progress_at_end) })
}

/// Whether a forecast progress reaches the 0.7 that counts as success.
pub fn reaches(progress: f64) -> bool {
    progress >= 0.7 - crate::progress::EPSILON
}

/// Least-squares line through (time, y), read at `end`: (y at end, slope per day).
///
/// Time is measured in days from the earliest point, in any input order.
/// Points with a non-finite y are skipped rather than poisoning the fit.
pub fn fit_at(points: &[(DateTime<Utc>, f64)], end: DateTime<Utc>) -> Option<(f64, f64)> {
    let points: Vec<_> = points.iter().filter(|(_, y)| y.is_finite()).collect();
    let origin = points.iter().map(|(at, _)| *at).min()?;
    if points.len() < 2 || points.iter().all(|(at, _)| *at == origin) {
        return None;
    }
    let days = |at: DateTime<Utc>| (at - origin).num_milliseconds() as f64 / 86_400_000.0;
    let n = points.len() as f64;
    let mean_x = points.iter().map(|(at, _)| days(*at)).sum::<f64>() / n;
    let mean_y = points.iter().map(|(_, y)| y).sum::<f64>() / n;
    // Centred sums: steadier than Σx², Σxy when x is large (a year in days).
    let (mut sxx, mut sxy) = (0.0, 0.0);
    for (at, y) in &points {
        let dx = days(*at) - mean_x;
        sxx += dx * dx;
        sxy += dx * (y - mean_y);
    }
    if sxx <= 0.0 {
        return None;
    }
    let slope_per_day = sxy / sxx;
    Some((mean_y + slope_per_day * (days(end) - mean_x), slope_per_day))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn day(n: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap() + Duration::days(n)
    }

    #[test]
    fn too_few_points_or_one_instant() {
        assert_eq!(forecast(&[], day(10)), None);
        assert_eq!(forecast(&[(day(0), 0.1)], day(10)), None);
        assert_eq!(forecast(&[(day(1), 0.1), (day(1), 0.3)], day(10)), None);
        assert_eq!(forecast(&[(day(1), 0.1), (day(2), f64::NAN)], day(10)), None);
    }

    #[test]
    fn exact_line_is_extended() {
        // 0.1 at day 0, rising 0.02 a day: day 40 → 0.1 + 0.8 = 0.9.
        let points = [(day(20), 0.5), (day(0), 0.1), (day(10), 0.3)];
        let f = forecast(&points, day(40)).unwrap();
        assert!((f.slope_per_day - 0.02).abs() < 1e-12);
        assert!((f.progress_at_end - 0.9).abs() < 1e-12);
        assert!(f.reaches_target);
    }

    #[test]
    fn noisy_points_least_squares() {
        // x = 0,1,2,3, y = 0, 0.2, 0.1, 0.5: x̄ = 1.5, ȳ = 0.2,
        // Sxx = 2.25+0.25+0.25+2.25 = 5, Sxy = 0.3+0−0.05+0.45 = 0.7,
        // slope = 0.14, intercept = 0.2 − 0.14·1.5 = −0.01.
        let points = [(day(3), 0.5), (day(1), 0.2), (day(0), 0.0), (day(2), 0.1)];
        let f = forecast(&points, day(5)).unwrap();
        assert!((f.slope_per_day - 0.14).abs() < 1e-12);
        // −0.01 + 0.14·5 = 0.69: just short of 0.7.
        assert!((f.progress_at_end - 0.69).abs() < 1e-12);
        assert!(!f.reaches_target);
        let f = forecast(&points, day(10)).unwrap();
        assert!((f.progress_at_end - 1.39).abs() < 1e-12);
        assert!(f.reaches_target);
    }

    #[test]
    fn half_days_count() {
        // 0 at day 0, 0.1 twelve hours later: 0.2 a day.
        let points = [(day(0), 0.0), (day(0) + Duration::hours(12), 0.1)];
        let f = forecast(&points, day(3)).unwrap();
        assert!((f.slope_per_day - 0.2).abs() < 1e-12);
        assert!((f.progress_at_end - 0.6).abs() < 1e-12);
    }
}
