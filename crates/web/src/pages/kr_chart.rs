//! A key result's history as a chart, drawn on the server as inline SVG (the
//! CSP allows no scripts or styles in the page, and SVG coordinates are
//! markup): the values of its check-ins, the line the schedule expects, and
//! the least-squares forecast from the last check-in to the cycle's end.
//!
//! Metric and threshold key results are drawn in their own unit; the kinds
//! whose progress is computed are drawn in percent. [`layout`] turns times
//! and values into pixels and nothing else, so it is tested on its own; the
//! words around it (title, description, axes) come from [`chart`].
//!
//! Geometry: a `VIEW_W × VIEW_H` view box whose plot area starts at
//! (`PLOT_X`, `PLOT_Y`) and is `PLOT_W × PLOT_H`. Time runs left to right
//! from the cycle's first instant to its last (in the viewer's zone), widened
//! to any check-in outside it. Values run bottom to top over a range rounded
//! out to a "nice" step (1, 2, 2.5 or 5 × 10ⁿ, about four steps) that holds
//! every value drawn.

use super::view;
use crate::i18n::{self, Msg, tf};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use keel_app::compute::KeyResultView;
use keel_domain::okr::{CheckIn, Cycle, KrKind};
use keel_domain::org::Lang;

pub const VIEW_W: f64 = 640.0;
pub const VIEW_H: f64 = 260.0;
pub const PLOT_X: f64 = 64.0;
pub const PLOT_Y: f64 = 20.0;
pub const PLOT_W: f64 = 560.0;
pub const PLOT_H: f64 = 196.0;

/// A point in the view box.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pt {
    pub x: f64,
    pub y: f64,
}

/// What is drawn, in time and value.
pub struct Input<'a> {
    /// The cycle's first and last instant.
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub actual: &'a [(DateTime<Utc>, f64)],
    pub expected: &'a [(DateTime<Utc>, f64)],
    pub forecast: &'a [(DateTime<Utc>, f64)],
}

/// The same, in pixels, with the ranges that placed them.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub y_min: f64,
    pub y_max: f64,
    pub y_step: f64,
    pub actual: Vec<Pt>,
    pub expected: Vec<Pt>,
    pub forecast: Vec<Pt>,
}

impl Layout {
    /// The x of an instant.
    pub fn x(&self, at: DateTime<Utc>) -> f64 {
        let span = (self.to - self.from).num_milliseconds() as f64;
        PLOT_X + (at - self.from).num_milliseconds() as f64 / span * PLOT_W
    }

    /// The y of a value (larger values higher up).
    pub fn y(&self, v: f64) -> f64 {
        PLOT_Y + (self.y_max - v) / (self.y_max - self.y_min) * PLOT_H
    }

    /// The values the horizontal grid lines mark, bottom to top.
    pub fn y_ticks(&self) -> Vec<f64> {
        let steps = ((self.y_max - self.y_min) / self.y_step).round() as usize;
        (0..=steps).map(|i| self.y_min + i as f64 * self.y_step).collect()
    }
}

/// A round step near `range / 4`: 1, 2, 2.5 or 5 times a power of ten.
pub fn nice_step(range: f64) -> f64 {
    let raw = range / 4.0;
    let magnitude = 10f64.powi(raw.log10().floor() as i32);
    // A little slack, so 0.1 / 0.1 that comes out a hair over 1 is still 1.
    let norm = raw / magnitude - 1e-9;
    let nice = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 2.5 {
        2.5
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// Places every point. Pure: the same input gives the same pixels.
pub fn layout(input: &Input<'_>) -> Layout {
    let all = || input.actual.iter().chain(input.expected).chain(input.forecast);
    let from = all().map(|(at, _)| *at).chain([input.start]).min().unwrap_or(input.start);
    let mut to = all().map(|(at, _)| *at).chain([input.end]).max().unwrap_or(input.end);
    if to <= from {
        to = from + chrono::Duration::days(1);
    }
    let values: Vec<f64> = all().map(|(_, v)| *v).filter(|v| v.is_finite()).collect();
    // Nothing to draw at all: a percent scale.
    let lowest = values.iter().copied().reduce(f64::min);
    let (mut lo, mut hi) = lowest.zip(values.iter().copied().reduce(f64::max)).unwrap_or((0.0, 100.0));
    if hi - lo < 1e-9 {
        let pad = if hi.abs() > 1e-9 { hi.abs() * 0.1 } else { 1.0 };
        (lo, hi) = (lo - pad, hi + pad);
    }
    let step = nice_step(hi - lo);
    // A hair of tolerance, so 100.00000000001 does not add a whole step.
    let y_min = (lo / step + 1e-9).floor() * step;
    let y_max = (hi / step - 1e-9).ceil() * step;
    let mut out = Layout { from, to, y_min, y_max, y_step: step, actual: vec![], expected: vec![], forecast: vec![] };
    let place = |out: &Layout, points: &[(DateTime<Utc>, f64)]| -> Vec<Pt> {
        points.iter().filter(|(_, v)| v.is_finite()).map(|(at, v)| Pt { x: out.x(*at), y: out.y(*v) }).collect()
    };
    out.actual = place(&out, input.actual);
    out.expected = place(&out, input.expected);
    out.forecast = place(&out, input.forecast);
    out
}

/// "M64.0,216.0 L624.0,20.0": an SVG path through the points.
pub fn path(points: &[Pt]) -> String {
    let mut d = String::new();
    for (i, p) in points.iter().enumerate() {
        if i > 0 {
            d.push(' ');
        }
        d.push_str(&format!("{}{:.1},{:.1}", if i == 0 { 'M' } else { 'L' }, p.x, p.y));
    }
    d
}

/// A grid line or axis mark: where, and what it says.
pub struct Tick {
    pub at: String,
    pub label: String,
    /// "start", "middle" or "end": how the label sits on its mark.
    pub anchor: &'static str,
}

/// A check-in's dot, with what a pointer or screen reader is told about it.
pub struct Dot {
    pub x: String,
    pub y: String,
    pub label: String,
}

/// The chart as the template draws it; every number is already a string.
pub struct Chart {
    pub title: String,
    pub desc: String,
    pub y_axis: String,
    pub x_axis: String,
    pub y_ticks: Vec<Tick>,
    pub x_ticks: Vec<Tick>,
    pub actual: Option<String>,
    pub dots: Vec<Dot>,
    pub expected: Option<String>,
    pub expected_label: &'static str,
    pub forecast: Option<String>,
    /// The x of today, when it falls inside the chart.
    pub today: Option<String>,
}

impl Chart {
    pub fn plot(&self) -> [String; 4] {
        [PLOT_X, PLOT_Y, PLOT_W, PLOT_H].map(|v| format!("{v}"))
    }
    pub fn view_box(&self) -> String {
        format!("0 0 {VIEW_W} {VIEW_H}")
    }
    pub fn plot_left(&self) -> String {
        format!("{PLOT_X}")
    }
    pub fn plot_right(&self) -> String {
        format!("{}", PLOT_X + PLOT_W)
    }
    pub fn plot_bottom(&self) -> String {
        format!("{}", PLOT_Y + PLOT_H)
    }
    pub fn plot_top(&self) -> String {
        format!("{PLOT_Y}")
    }
    /// Where the date labels sit, under the plot.
    pub fn x_label_y(&self) -> String {
        format!("{}", PLOT_Y + PLOT_H + 18.0)
    }
    pub fn x_axis_y(&self) -> String {
        format!("{}", VIEW_H - 4.0)
    }
    pub fn x_axis_x(&self) -> String {
        format!("{}", PLOT_X + PLOT_W / 2.0)
    }
    pub fn y_label_x(&self) -> String {
        format!("{}", PLOT_X - 6.0)
    }
    /// Where "today" is written, just above the plot.
    pub fn today_label_y(&self) -> String {
        format!("{}", PLOT_Y - 6.0)
    }
    pub fn y_axis_transform(&self) -> String {
        format!("translate(14 {}) rotate(-90)", PLOT_Y + PLOT_H / 2.0)
    }
}

/// The first instant of a civil date in a zone.
fn start_of_day(date: NaiveDate, zone: &str) -> DateTime<Utc> {
    keel_app::clock::end_of_day(date.pred_opt().unwrap_or(date), zone)
}

/// Dates to mark under the plot: the cycle's first and last day, and the
/// first of the months between (every second or third month in a long
/// cycle), each at its midnight in the viewer's zone.
pub fn date_marks(start: NaiveDate, end: NaiveDate, zone: &str) -> Vec<(DateTime<Utc>, String)> {
    let mut months = Vec::new();
    let mut d = NaiveDate::from_ymd_opt(start.year(), start.month(), 1).unwrap_or(start);
    loop {
        d = if d.month() == 12 {
            NaiveDate::from_ymd_opt(d.year() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(d.year(), d.month() + 1, 1)
        }
        .unwrap_or(end);
        if d >= end || months.len() > 240 {
            break;
        }
        months.push(d);
    }
    let every = months.len().div_ceil(4).max(1);
    let mut marks = vec![(start_of_day(start, zone), view::date(start))];
    let span = (end - start).num_days().max(1) as f64;
    for (i, m) in months.iter().enumerate() {
        // Not so close to either end that the labels overlap.
        let share = (*m - start).num_days() as f64 / span;
        if (i + 1) % every == 0 && (0.12..=0.88).contains(&share) {
            marks.push((start_of_day(*m, zone), m.format("%m-%d").to_string()));
        }
    }
    marks.push((keel_app::clock::end_of_day(end, zone), view::date(end)));
    marks
}

/// The chart of a key result's check-ins over its cycle, for a viewer in
/// `zone` at `now`, in their language.
pub fn chart(
    lang: Lang,
    zone: &str,
    cycle: &Cycle,
    kr: &KeyResultView,
    history: &[CheckIn],
    now: DateTime<Utc>,
) -> Chart {
    let k = &kr.key_result;
    let t = |m| i18n::t(lang, m);
    let start = start_of_day(cycle.start_date, zone);
    let end = keel_app::clock::end_of_day(cycle.end_date, zone);
    let mut history: Vec<&CheckIn> = history.iter().collect();
    history.sort_by_key(|c| (c.at, c.id));
    let in_values = k.kind.takes_values();
    let unit = if in_values { k.unit_label.clone() } else { Some("%".to_string()) };
    let shown = |v: f64| view::with_unit(v, unit.as_deref());
    let actual: Vec<(DateTime<Utc>, f64)> = if in_values {
        history.iter().filter_map(|c| c.value.map(|v| (c.at, v))).collect()
    } else {
        history.iter().map(|c| (c.at, c.progress * 100.0)).collect()
    };
    let expected: Vec<(DateTime<Utc>, f64)> = match (k.kind, k.start_value, k.target_value) {
        (KrKind::Metric, Some(s), Some(target)) => vec![(start, s), (end, target)],
        (KrKind::Threshold, _, Some(line)) => vec![(start, line), (end, line)],
        (KrKind::Metric | KrKind::Threshold, _, _) => vec![],
        _ => vec![(start, 0.0), (end, 100.0)],
    };
    let forecast: Vec<(DateTime<Utc>, f64)> = match (kr.forecast, actual.last()) {
        (Some(f), Some(&(at, v))) if at < end => {
            let at_end = if in_values { f.value_at_end } else { Some(f.progress_at_end * 100.0) };
            at_end.map(|e| vec![(at, v), (end, e)]).unwrap_or_default()
        }
        _ => vec![],
    };
    let l = layout(&Input { start, end, actual: &actual, expected: &expected, forecast: &forecast });

    // Words: the description says what the picture shows.
    let day = |at: DateTime<Utc>| view::date(at.with_timezone(&keel_app::clock::zone(zone)).date_naive());
    let mut desc = Vec::new();
    match (actual.first(), actual.last()) {
        (Some(first), Some(last)) => desc.push(tf(
            lang,
            Msg::ChartDescActual,
            &[&actual.len(), &shown(first.1), &day(first.0), &shown(last.1), &day(last.0)],
        )),
        _ => desc.push(t(Msg::NoCheckIns).to_string()),
    }
    if k.kind == KrKind::Threshold {
        if let Some((_, line)) = expected.first() {
            desc.push(tf(lang, Msg::ChartDescLine, &[&shown(*line)]));
        }
    } else if let (Some(a), Some(b)) = (expected.first(), expected.last()) {
        let (from, to) = (view::date(cycle.start_date), view::date(cycle.end_date));
        desc.push(tf(lang, Msg::ChartDescExpected, &[&shown(a.1), &from, &shown(b.1), &to]));
    }
    if let Some((_, v)) = forecast.last() {
        desc.push(tf(lang, Msg::ChartDescForecast, &[&view::date(cycle.end_date), &shown(*v)]));
    }
    desc.push(t(Msg::ChartDescTable).to_string());
    let sep = if lang == Lang::Zh { "" } else { " " };

    let y_ticks =
        l.y_ticks().into_iter().map(|v| Tick { at: format!("{:.1}", l.y(v)), label: shown(v), anchor: "end" });
    let marks = date_marks(cycle.start_date, cycle.end_date, zone);
    let last = marks.len().saturating_sub(1);
    let x_ticks = marks.into_iter().enumerate().map(|(i, (at, label))| Tick {
        at: format!("{:.1}", l.x(at)),
        label,
        anchor: if i == 0 {
            "start"
        } else if i == last {
            "end"
        } else {
            "middle"
        },
    });
    let dots = actual
        .iter()
        .zip(&l.actual)
        .map(|((at, v), p)| Dot {
            x: format!("{:.1}", p.x),
            y: format!("{:.1}", p.y),
            label: format!("{} · {}", view::datetime(*at, zone), shown(*v)),
        })
        .collect();
    let nonempty = |points: &[Pt]| Some(path(points)).filter(|_| !points.is_empty());
    Chart {
        title: tf(lang, Msg::ChartSvgTitle, &[&k.title]),
        desc: desc.join(sep),
        y_axis: if in_values {
            tf(lang, Msg::ChartAxisValue, &[&unit.as_deref().filter(|u| !u.trim().is_empty()).unwrap_or("—")])
        } else {
            t(Msg::ProgressPercent).to_string()
        },
        x_axis: tf(lang, Msg::ChartAxisDate, &[&zone]),
        y_ticks: y_ticks.collect(),
        x_ticks: x_ticks.collect(),
        actual: Some(path(&l.actual)).filter(|_| l.actual.len() > 1),
        dots,
        expected: nonempty(&l.expected),
        expected_label: t(if k.kind == KrKind::Threshold { Msg::Line } else { Msg::ChartExpected }),
        forecast: nonempty(&l.forecast),
        today: (now >= l.from && now <= l.to).then(|| format!("{:.1}", l.x(now))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 4, day, hour, 0, 0).unwrap()
    }

    #[test]
    fn steps_are_round() {
        assert_eq!(nice_step(100.0), 25.0);
        assert_eq!(nice_step(8.0), 2.0);
        assert_eq!(nice_step(60.0), 20.0);
        assert!((nice_step(0.4) - 0.1).abs() < 1e-15);
        assert!((nice_step(7.0) - 2.0).abs() < 1e-12);
        assert_eq!(nice_step(3000.0), 1000.0);
    }

    #[test]
    fn points_land_where_the_geometry_says() {
        // A 30-day span (April 1 to May 1, 00:00 UTC), values 0 → 100.
        let (start, end) = (at(1, 0), Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).unwrap());
        let actual = [(at(7, 0), 20.0), (at(16, 0), 50.0)];
        let expected = [(start, 0.0), (end, 100.0)];
        let forecast = [(at(16, 0), 50.0), (end, 90.0)];
        let l = layout(&Input { start, end, actual: &actual, expected: &expected, forecast: &forecast });
        assert_eq!((l.y_min, l.y_max, l.y_step), (0.0, 100.0, 25.0));
        assert_eq!(l.y_ticks(), vec![0.0, 25.0, 50.0, 75.0, 100.0]);
        // x = 64 + days/30 · 560; y = 20 + (100 − v)/100 · 196.
        let pt = |x: f64, y: f64| Pt { x, y };
        assert_eq!(l.expected, vec![pt(64.0, 216.0), pt(624.0, 20.0)]);
        let close = |a: Pt, b: Pt| (a.x - b.x).abs() < 1e-9 && (a.y - b.y).abs() < 1e-9;
        assert!(close(l.actual[0], pt(64.0 + 6.0 / 30.0 * 560.0, 20.0 + 0.8 * 196.0)), "{:?}", l.actual[0]);
        assert!(close(l.actual[1], pt(64.0 + 15.0 / 30.0 * 560.0, 20.0 + 0.5 * 196.0)), "{:?}", l.actual[1]);
        assert!(close(l.forecast[1], pt(624.0, 20.0 + 0.1 * 196.0)), "{:?}", l.forecast[1]);
        // Half a day is half a day's width.
        assert!((l.x(at(1, 12)) - (64.0 + 0.5 / 30.0 * 560.0)).abs() < 1e-9);
        assert_eq!(path(&l.expected), "M64.0,216.0 L624.0,20.0");
        assert_eq!(path(&l.actual), "M176.0,176.8 L344.0,118.0");
    }

    #[test]
    fn decreasing_targets_and_values_beyond_them_stay_inside() {
        // Bugs 120 → 60, a value of 130 above the start and a forecast of 40 below the target.
        let (start, end) = (at(1, 0), at(11, 0));
        let actual = [(at(3, 0), 130.0), (at(6, 0), 95.0)];
        let expected = [(start, 120.0), (end, 60.0)];
        let forecast = [(at(6, 0), 95.0), (end, 40.0)];
        let l = layout(&Input { start, end, actual: &actual, expected: &expected, forecast: &forecast });
        // Range 40..130 = 90 → step 25 (90/4 = 22.5 → 2.5·10) → 25..150.
        assert_eq!((l.y_min, l.y_max, l.y_step), (25.0, 150.0, 25.0));
        assert!((l.expected[0].y - (20.0 + (150.0 - 120.0) / 125.0 * 196.0)).abs() < 1e-9);
        assert!((l.forecast[1].y - (20.0 + (150.0 - 40.0) / 125.0 * 196.0)).abs() < 1e-9);
        for p in l.actual.iter().chain(&l.expected).chain(&l.forecast) {
            assert!((PLOT_X..=PLOT_X + PLOT_W).contains(&p.x) && (PLOT_Y..=PLOT_Y + PLOT_H).contains(&p.y), "{p:?}");
        }
    }

    #[test]
    fn a_check_in_before_the_cycle_widens_the_time_axis() {
        let (start, end) = (at(11, 0), at(21, 0));
        let actual = [(at(1, 0), 5.0), (at(16, 0), 5.0)];
        let l = layout(&Input { start, end, actual: &actual, expected: &[], forecast: &[] });
        assert_eq!(l.from, at(1, 0));
        assert_eq!(l.actual[0].x, PLOT_X);
        assert!((l.actual[1].x - (PLOT_X + 0.75 * PLOT_W)).abs() < 1e-9);
        // One value only: padded by a tenth either side, so the line sits mid-height.
        assert!((l.actual[0].y - (PLOT_Y + PLOT_H / 2.0)).abs() < 1e-9, "{l:?}");
    }

    #[test]
    fn dates_are_marked_at_midnight_in_the_viewers_zone() {
        let start = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
        let end = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
        let marks = date_marks(start, end, "Asia/Shanghai");
        let labels: Vec<&str> = marks.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(labels, ["2026-04-01", "05-01", "06-01", "2026-06-30"]);
        // Shanghai is UTC+8: April 1 begins at 16:00 UTC on March 31; June 30 ends at 16:00 UTC that day.
        assert_eq!(marks[0].0, Utc.with_ymd_and_hms(2026, 3, 31, 16, 0, 0).unwrap());
        assert_eq!(marks[3].0, Utc.with_ymd_and_hms(2026, 6, 30, 16, 0, 0).unwrap());
        // A year marks every third month.
        let year = date_marks(
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
            "UTC",
        );
        let labels: Vec<&str> = year.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(labels, ["2026-01-01", "04-01", "07-01", "10-01", "2026-12-31"]);
    }
}
