//! Civil dates in a person's time zone. A due date is a date, not an
//! instant; "today" and "overdue" are decided where the person is.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

pub fn zone(name: &str) -> Tz {
    name.parse().unwrap_or(Tz::UTC)
}

pub fn is_valid_zone(name: &str) -> bool {
    name.parse::<Tz>().is_ok()
}

/// The civil date at `now` in `zone`.
pub fn today_in(zone_name: &str, now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&zone(zone_name)).date_naive()
}

/// The instant a civil date ends in a zone (the next day's first moment),
/// DST-safe: a day that starts in a gap begins at its first valid instant.
pub fn end_of_day(date: NaiveDate, zone_name: &str) -> DateTime<Utc> {
    let tz = zone(zone_name);
    let next = date.succ_opt().unwrap_or(date);
    let midnight = next.and_hms_opt(0, 0, 0).expect("midnight exists");
    match tz.from_local_datetime(&midnight) {
        chrono::LocalResult::Single(t) => t.with_timezone(&Utc),
        chrono::LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        chrono::LocalResult::None => {
            // Midnight skipped by a DST jump: the day starts an hour later.
            let later = midnight + chrono::Duration::hours(1);
            tz.from_local_datetime(&later)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_else(|| Utc.from_utc_datetime(&midnight))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_depends_on_the_zone() {
        // 2026-12-03 17:30 UTC is already 12-04 in Shanghai (UTC+8), still 12-03 in New York.
        let now = Utc.with_ymd_and_hms(2026, 12, 3, 17, 30, 0).unwrap();
        assert_eq!(today_in("Asia/Shanghai", now), NaiveDate::from_ymd_opt(2026, 12, 4).unwrap());
        assert_eq!(today_in("America/New_York", now), NaiveDate::from_ymd_opt(2026, 12, 3).unwrap());
    }

    #[test]
    fn a_day_ends_at_local_midnight_across_dst() {
        // São Paulo had no DST in 2026, but Santiago's clocks jump at midnight in September:
        // 2026-09-05 ends at 01:00 local on 09-06 (the gap), which is 04:00 UTC.
        let end = end_of_day(NaiveDate::from_ymd_opt(2026, 9, 5).unwrap(), "America/Santiago");
        assert_eq!(end, Utc.with_ymd_and_hms(2026, 9, 6, 4, 0, 0).unwrap());
        let berlin = end_of_day(NaiveDate::from_ymd_opt(2026, 3, 28).unwrap(), "Europe/Berlin");
        assert_eq!(berlin, Utc.with_ymd_and_hms(2026, 3, 28, 23, 0, 0).unwrap());
    }
}
