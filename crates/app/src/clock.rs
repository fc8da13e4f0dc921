//! The office's calendar. Deadlines, lateness and "this week" are days in China Standard
//! Time (UTC+8, no daylight saving), whatever the server's own time zone is: a report
//! submitted at 07:00 in Beijing on the 4th is late even though it is still the 3rd in UTC.

use chrono::{Duration, NaiveDate, NaiveTime, Utc};

const OFFSET_HOURS: i64 = 8;

/// Today's date in the office.
pub fn today() -> NaiveDate {
    (Utc::now() + Duration::hours(OFFSET_HOURS)).date_naive()
}

/// The office's offset from UTC, for timestamps shown or exported.
pub fn office_offset() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt((OFFSET_HOURS * 3600) as i32).expect("a valid offset")
}

/// The instant (milliseconds since the epoch) at which an office day begins.
pub fn day_start_ms(d: NaiveDate) -> i64 {
    d.and_time(NaiveTime::MIN).and_utc().timestamp_millis() - OFFSET_HOURS * 3_600_000
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn an_office_day_starts_at_midnight_in_beijing() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 4).unwrap();
        // 2026-11-03T16:00:00Z is midnight of the 4th in Beijing.
        assert_eq!(day_start_ms(d), 1_793_721_600_000);
        let delta = (today() - Utc::now().date_naive()).num_days();
        assert!((0..=1).contains(&delta));
    }
}
