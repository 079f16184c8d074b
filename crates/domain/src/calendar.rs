//! Month calendars: which days a month's grid shows (weeks start on
//! Monday), which dated items fall on each day, which day is today and which
//! items are overdue. "Today" is a civil date the caller works out in the
//! viewer's time zone; items carry civil dates (a due date is a date, not an
//! instant), so an item sits on its own date whatever the zone.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Month {
    pub year: i32,
    /// 1..=12.
    pub month: u32,
}

impl Month {
    /// `YYYY-MM` (years 1 to 9999); anything else is `None`.
    pub fn parse(s: &str) -> Option<Month> {
        let (y, m) = s.trim().split_once('-')?;
        if y.len() != 4 || m.len() != 2 || !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let (year, month): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
        (year >= 1 && (1..=12).contains(&month)).then_some(Month { year, month })
    }

    /// The month a date falls in.
    pub fn of(d: NaiveDate) -> Month {
        Month { year: d.year(), month: d.month() }
    }

    pub fn first(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("a valid month")
    }

    pub fn last(self) -> NaiveDate {
        self.next().first() - Duration::days(1)
    }

    pub fn next(self) -> Month {
        if self.month == 12 { Month { year: self.year + 1, month: 1 } } else { Month { month: self.month + 1, ..self } }
    }

    pub fn prev(self) -> Month {
        if self.month == 1 { Month { year: self.year - 1, month: 12 } } else { Month { month: self.month - 1, ..self } }
    }

    /// Whether a date falls in this month.
    pub fn contains(self, d: NaiveDate) -> bool {
        Month::of(d) == self
    }

    /// The days the grid shows: from the Monday on or before the 1st to the
    /// Sunday on or after the last day, week by week.
    pub fn weeks(self) -> Vec<[NaiveDate; 7]> {
        let start = self.first().week(Weekday::Mon).first_day();
        let end = self.last().week(Weekday::Mon).last_day();
        let mut out = Vec::new();
        let mut monday = start;
        while monday <= end {
            out.push(std::array::from_fn(|i| monday + Duration::days(i as i64)));
            monday += Duration::days(7);
        }
        out
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// Something dated to put on the calendar.
#[derive(Debug, Clone)]
pub struct Entry<T> {
    pub date: NaiveDate,
    /// Done (or cancelled) items are never overdue.
    pub done: bool,
    pub item: T,
}

/// An item as a day shows it.
#[derive(Debug, Clone)]
pub struct Placed<T> {
    pub item: T,
    /// Its date has ended in the viewer's zone and it is not done.
    pub overdue: bool,
}

/// One square of the grid.
#[derive(Debug, Clone)]
pub struct Day<T> {
    pub date: NaiveDate,
    /// False for the leading and trailing days of the neighbouring months.
    pub in_month: bool,
    pub today: bool,
    /// The first `per_day` items of the day, in the order given.
    pub shown: Vec<Placed<T>>,
    /// How many more the day holds beyond those shown.
    pub more: usize,
}

/// Overdue once the due day has ended where the viewer is.
pub fn is_overdue(due: NaiveDate, done: bool, today: NaiveDate) -> bool {
    !done && today > due
}

/// The month's grid with each entry on its date (entries outside the grid
/// are dropped), at most `per_day` shown per day and the rest counted.
pub fn month_grid<T>(month: Month, today: NaiveDate, entries: Vec<Entry<T>>, per_day: usize) -> Vec<Vec<Day<T>>> {
    let weeks = month.weeks();
    let first = weeks[0][0];
    let mut grid: Vec<Vec<Day<T>>> = weeks
        .iter()
        .map(|week| {
            week.iter()
                .map(|&date| Day {
                    date,
                    in_month: month.contains(date),
                    today: date == today,
                    shown: Vec::new(),
                    more: 0,
                })
                .collect()
        })
        .collect();
    for e in entries {
        let offset = (e.date - first).num_days();
        if offset < 0 || offset >= (grid.len() * 7) as i64 {
            continue;
        }
        let day = &mut grid[offset as usize / 7][offset as usize % 7];
        if day.shown.len() < per_day {
            day.shown.push(Placed { overdue: is_overdue(e.date, e.done, today), item: e.item });
        } else {
            day.more += 1;
        }
    }
    grid
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn months_parse_and_step() {
        assert_eq!(Month::parse("2026-12"), Some(Month { year: 2026, month: 12 }));
        assert_eq!(Month::parse("2026-13"), None);
        assert_eq!(Month::parse("2026-1"), None);
        assert_eq!(Month::parse("x"), None);
        assert_eq!(Month { year: 2026, month: 12 }.next(), Month { year: 2027, month: 1 });
        assert_eq!(Month { year: 2026, month: 1 }.prev(), Month { year: 2025, month: 12 });
        assert_eq!(Month { year: 2024, month: 2 }.last(), d(2024, 2, 29));
        assert_eq!(Month { year: 2026, month: 3 }.to_string(), "2026-03");
    }

    #[test]
    fn weeks_run_monday_to_sunday_around_the_month() {
        // February 2026 starts on a Sunday and ends on a Saturday.
        let weeks = Month { year: 2026, month: 2 }.weeks();
        assert_eq!(weeks.len(), 5);
        assert_eq!(weeks[0][0], d(2026, 1, 26));
        assert_eq!(weeks[4][6], d(2026, 3, 1));
        // June 2026 starts on a Monday.
        assert_eq!(Month { year: 2026, month: 6 }.weeks()[0][0], d(2026, 6, 1));
    }

    #[test]
    fn entries_land_on_their_day_and_overflow_is_counted() {
        let today = d(2026, 12, 4);
        let entries = (0..5)
            .map(|i| Entry { date: d(2026, 12, 3), done: i == 0, item: i })
            .chain([Entry { date: d(2027, 2, 1), done: false, item: 9 }])
            .collect();
        let grid = month_grid(Month { year: 2026, month: 12 }, today, entries, 3);
        let day = grid.iter().flatten().find(|x| x.date == d(2026, 12, 3)).unwrap();
        assert_eq!(day.shown.iter().map(|p| p.item).collect::<Vec<_>>(), vec![0, 1, 2]);
        assert_eq!(day.more, 2);
        assert!(!day.shown[0].overdue && day.shown[1].overdue);
        assert!(grid.iter().flatten().filter(|x| x.today).all(|x| x.date == today));
        assert_eq!(grid.iter().flatten().map(|x| x.shown.len() + x.more).sum::<usize>(), 5);
    }
}
