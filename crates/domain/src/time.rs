//! Dates as officials write them: 和暦 (令和3年10月15日), with ISO 8601 in data.

pub use chrono::Days;
use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, Utc};

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
    let jst = t + chrono::Duration::hours(9);
    format!("{} {}", wareki(jst.date_naive()), jst.format("%H:%M"))
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
    fn jst_crosses_midnight() {
        let t = parse_db_timestamp("2026-11-21T16:30:00.000Z").unwrap_or_default();
        assert_eq!(wareki_datetime_jst(t), "令和8年11月22日 01:30");
    }
}
