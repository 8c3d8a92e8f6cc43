//! Dates as officials write them: 和暦 (令和3年10月15日), with ISO 8601 in data; the day in
//! Japan (JST, UTC+9 all year: Japan has no summer time) and the fiscal year (年度, April to
//! March). Instants are stored in UTC; every "which day is it" question goes through [`jst_date`].

pub use chrono::Days;
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, SecondsFormat, Utc};

/// Japan Standard Time, UTC+9.
pub const JST: FixedOffset = match FixedOffset::east_opt(9 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+9 is a valid offset"),
};

/// The instant as Japanese local time.
pub fn to_jst(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&JST)
}

/// The day in Japan at this instant.
pub fn jst_date(t: DateTime<Utc>) -> NaiveDate {
    to_jst(t).date_naive()
}

/// The instant a Japanese day begins (00:00 JST), in UTC.
pub fn jst_day_start(date: NaiveDate) -> DateTime<Utc> {
    jst_at(date, NaiveTime::MIN)
}

/// The instant of a Japanese wall-clock time on a day, in UTC.
pub fn jst_at(date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    (date.and_time(time) - chrono::Duration::hours(9)).and_utc()
}

/// The fiscal year (年度) a day belongs to: 2026年度 runs from 2026-04-01 to 2027-03-31.
pub fn fiscal_year(date: NaiveDate) -> i32 {
    if date.month() >= 4 {
        date.year()
    } else {
        date.year() - 1
    }
}

/// The first day of a fiscal year.
pub fn fiscal_year_start(fy: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(fy, 4, 1).unwrap_or_default()
}

/// A fiscal year as officials write it: 令和8年度 (2026), 令和元年度 (2019), 平成30年度 (2018).
/// The era is the one in force on the year's first day, as 令和元年度 began on 平成31年4月1日
/// but is written in 令和 by convention: the era of the year's last day wins.
pub fn wareki_fiscal_year(fy: i32) -> String {
    let last = NaiveDate::from_ymd_opt(fy + 1, 3, 31).unwrap_or_default();
    for (name, y, m, d) in ERAS {
        let Some(start) = NaiveDate::from_ymd_opt(y, m, d) else {
            continue;
        };
        if last >= start {
            let year = fy - y + 1;
            if year < 1 {
                continue;
            }
            let year_text = if year == 1 {
                "元".to_string()
            } else {
                year.to_string()
            };
            return format!("{name}{year_text}年度");
        }
    }
    format!("{fy}年度")
}

/// Timestamps are stored as fixed-width ISO 8601 UTC text, so they sort as text on both
/// databases: `2026-11-22T02:23:34.123Z`.
pub fn to_db_timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub fn parse_db_timestamp(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Eras with their first day, newest first.
const ERAS: [(&str, i32, u32, u32); 5] = [
    ("令和", 2019, 5, 1),
    ("平成", 1989, 1, 8),
    ("昭和", 1926, 12, 25),
    ("大正", 1912, 7, 30),
    ("明治", 1868, 1, 25),
];

/// A date in the Japanese calendar: 令和3年10月15日, and 令和元年5月1日 for an era's first year.
/// Dates before 明治 fall back to the Gregorian year.
pub fn wareki(date: NaiveDate) -> String {
    for (name, y, m, d) in ERAS {
        let Some(start) = NaiveDate::from_ymd_opt(y, m, d) else {
            continue;
        };
        if date >= start {
            let year = date.year() - y + 1;
            let year_text = if year == 1 {
                "元".to_string()
            } else {
                year.to_string()
            };
            return format!("{name}{year_text}年{}月{}日", date.month(), date.day());
        }
    }
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

/// A timestamp shown to a person in Japan: 和暦 date and JST time.
pub fn wareki_datetime_jst(t: DateTime<Utc>) -> String {
    let local = to_jst(t);
    format!("{} {}", wareki(local.date_naive()), local.format("%H:%M"))
}

/// A date for a reader of English: 1 December 2026 (no era names).
pub fn english_date(date: NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

/// A timestamp for a reader of English in Japan: 1 December 2026, 09:30 JST.
pub fn english_datetime_jst(t: DateTime<Utc>) -> String {
    let local = to_jst(t);
    format!(
        "{}, {} JST",
        english_date(local.date_naive()),
        local.format("%H:%M")
    )
}

/// A stored date (`YYYY-MM-DD`).
pub fn to_db_date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub fn parse_db_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn wareki_dates() {
        assert_eq!(wareki(d(2021, 10, 15)), "令和3年10月15日");
        assert_eq!(english_date(d(2021, 10, 15)), "15 October 2021");
        assert_eq!(english_date(d(2026, 12, 1)), "1 December 2026");
        assert_eq!(wareki(d(2019, 5, 1)), "令和元年5月1日");
        assert_eq!(wareki(d(2019, 4, 30)), "平成31年4月30日");
        assert_eq!(wareki(d(1989, 1, 7)), "昭和64年1月7日");
        assert_eq!(wareki(d(1989, 1, 8)), "平成元年1月8日");
        assert_eq!(wareki(d(2026, 11, 22)), "令和8年11月22日");
    }

    #[test]
    fn timestamps_round_trip_and_sort() {
        let t = parse_db_timestamp("2026-11-22T02:23:34.123Z");
        assert_eq!(
            t.map(to_db_timestamp).as_deref(),
            Some("2026-11-22T02:23:34.123Z")
        );
        assert!("2026-11-22T02:23:34.123Z" < "2026-11-22T10:00:00.000Z");
    }

    #[test]
    fn fiscal_years_run_april_to_march() {
        assert_eq!(fiscal_year(d(2026, 4, 1)), 2026);
        assert_eq!(fiscal_year(d(2026, 3, 31)), 2025);
        assert_eq!(fiscal_year(d(2027, 1, 4)), 2026);
        assert_eq!(fiscal_year(d(2026, 12, 31)), 2026);
        assert_eq!(fiscal_year_start(2026), d(2026, 4, 1));
        assert_eq!(wareki_fiscal_year(2026), "令和8年度");
        assert_eq!(wareki_fiscal_year(2019), "令和元年度");
        assert_eq!(wareki_fiscal_year(2018), "平成30年度");
        assert_eq!(wareki_fiscal_year(1988), "昭和63年度");
    }

    #[test]
    fn the_day_in_japan() {
        // 14:59:59Z is 23:59:59 JST; one second later it is the next day in Japan.
        let before = parse_db_timestamp("2027-03-31T14:59:59.000Z").unwrap_or_default();
        let after = parse_db_timestamp("2027-03-31T15:00:00.000Z").unwrap_or_default();
        assert_eq!(jst_date(before), d(2027, 3, 31));
        assert_eq!(jst_date(after), d(2027, 4, 1));
        assert_eq!(fiscal_year(jst_date(before)), 2026);
        assert_eq!(fiscal_year(jst_date(after)), 2027);
        assert_eq!(jst_day_start(d(2027, 4, 1)), after);
        assert_eq!(to_db_date(d(2027, 4, 1)), "2027-04-01");
        assert_eq!(parse_db_date("2027-04-01"), Some(d(2027, 4, 1)));
    }

    #[test]
    fn jst_crosses_midnight() {
        let t = parse_db_timestamp("2026-11-21T16:30:00.000Z").unwrap_or_default();
        assert_eq!(wareki_datetime_jst(t), "令和8年11月22日 01:30");
        assert_eq!(english_datetime_jst(t), "22 November 2026, 01:30 JST");
    }
}
