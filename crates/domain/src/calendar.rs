//! Business days of a Japanese city hall: not Saturday or Sunday, not a national holiday
//! (国民の祝日, 振替休日, 国民の休日), not 年末年始 (12月29日〜1月3日, 行政機関の休日).
//! Deadlines such as "first response within N business days" count these.

use chrono::{Datelike, NaiveDate, Weekday};
use jpholiday::jpholiday::JPHoliday;

thread_local! {
    static CALENDAR: JPHoliday<'static> = JPHoliday::new();
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// The rule-based holiday crate does not know the one-off moves of 2020 and 2021 (Tokyo
/// Olympics: 海の日, スポーツの日 and 山の日 were moved by special law).
fn olympic_correction(date: NaiveDate) -> Option<bool> {
    const MOVED_TO: [(i32, u32, u32); 7] = [
        (2020, 7, 23),
        (2020, 7, 24),
        (2020, 8, 10),
        (2021, 7, 22),
        (2021, 7, 23),
        (2021, 8, 8),
        (2021, 8, 9),
    ];
    const MOVED_FROM: [(i32, u32, u32); 5] = [
        (2020, 7, 20),
        (2020, 8, 11),
        (2020, 10, 12),
        (2021, 7, 19),
        (2021, 10, 11),
    ];
    if MOVED_TO.iter().any(|&(y, m, d)| ymd(y, m, d) == date) {
        Some(true)
    } else if MOVED_FROM.iter().any(|&(y, m, d)| ymd(y, m, d) == date) {
        Some(false)
    } else {
        None
    }
}

/// A national holiday (祝日・振替休日・国民の休日).
pub fn is_national_holiday(date: NaiveDate) -> bool {
    olympic_correction(date).unwrap_or_else(|| CALENDAR.with(|c| c.is_holiday(&date)))
}

/// 年末年始: 12月29日から1月3日まで.
pub fn is_year_end_closure(date: NaiveDate) -> bool {
    matches!((date.month(), date.day()), (12, 29..=31) | (1, 1..=3))
}

pub fn is_business_day(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
        && !is_national_holiday(date)
        && !is_year_end_closure(date)
}

/// The date `n` business days after `from` (the day of receipt does not count).
pub fn add_business_days(from: NaiveDate, n: u32) -> NaiveDate {
    let mut date = from;
    let mut left = n;
    while left > 0 {
        date = date.succ_opt().unwrap_or(date);
        if is_business_day(date) {
            left -= 1;
        }
    }
    date
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holidays_including_the_odd_years() {
        assert!(is_national_holiday(ymd(2019, 5, 1)), "即位の日");
        assert!(is_national_holiday(ymd(2020, 7, 24)), "2020 スポーツの日");
        assert!(is_national_holiday(ymd(2021, 7, 23)), "2021 スポーツの日");
        assert!(
            !is_national_holiday(ymd(2021, 10, 11)),
            "not a holiday in 2021"
        );
        assert!(is_national_holiday(ymd(2026, 9, 22)), "2026 国民の休日");
        assert!(is_national_holiday(ymd(2027, 3, 22)), "2027 振替休日");
        assert!(is_national_holiday(ymd(2026, 11, 23)), "勤労感謝の日");
        assert!(!is_national_holiday(ymd(2026, 11, 24)));
    }

    #[test]
    fn business_days_skip_weekends_holidays_and_year_end() {
        // Fri 2026-11-20 + 1 → Mon 11-23 is 勤労感謝の日 → Tue 11-24.
        assert_eq!(add_business_days(ymd(2026, 11, 20), 1), ymd(2026, 11, 24));
        // Mon 2026-12-28 + 1 → 12-29..1-3 closed, 1-4 (Mon) open.
        assert_eq!(add_business_days(ymd(2026, 12, 28), 1), ymd(2027, 1, 4));
        // Silver Week 2026: 9-19 Sat … 9-23 Wed (秋分の日) all closed.
        assert_eq!(add_business_days(ymd(2026, 9, 18), 1), ymd(2026, 9, 24));
        assert_eq!(add_business_days(ymd(2026, 11, 24), 5), ymd(2026, 12, 1));
        assert_eq!(add_business_days(ymd(2026, 11, 24), 0), ymd(2026, 11, 24));
    }
}
