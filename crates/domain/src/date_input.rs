//! Dates typed by people or read from spreadsheets: ISO (`2024-04-01`), slashes
//! (`2024/4/1`), kanji (`2024年4月1日`) and 和暦 (`令和6年4月1日`, `令和元年5月1日`, `R6.4.1`,
//! `H31/4/30`), with full-width digits and separators accepted. An era year that runs past
//! the era's end (平成32年) or a date before the era began is refused: officials copy dates
//! from documents, and a wrong era is a typo to report, not a date to guess.

use chrono::NaiveDate;

/// The eras a date may be written in: name, Latin initial, first day.
const ERAS: [(&str, char, i32, u32, u32); 5] = [
    ("令和", 'R', 2019, 5, 1),
    ("平成", 'H', 1989, 1, 8),
    ("昭和", 'S', 1926, 12, 25),
    ("大正", 'T', 1912, 7, 30),
    ("明治", 'M', 1868, 1, 25),
];

/// Reads a date; `None` when it is not one of the accepted forms or not a real day.
pub fn parse(input: &str) -> Option<NaiveDate> {
    let s: String = input
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            'Ｒ' | 'ｒ' | 'r' => 'R',
            'Ｈ' | 'ｈ' | 'h' => 'H',
            'Ｓ' | 'ｓ' | 's' => 'S',
            'Ｔ' | 'ｔ' | 't' => 'T',
            'Ｍ' | 'ｍ' | 'm' => 'M',
            '／' => '/',
            '－' | '‐' | '−' => '-',
            '．' => '.',
            _ => c,
        })
        .collect();
    if s.is_empty() {
        return None;
    }
    // An era, by name or initial.
    for (i, (name, initial, y, m, d)) in ERAS.iter().enumerate() {
        let rest = if let Some(rest) = s.strip_prefix(name) {
            rest
        } else if let Some(rest) = s.strip_prefix(*initial) {
            rest
        } else {
            continue;
        };
        let rest = rest.replacen('元', "1", 1);
        let (year, month, day) = numbers(&rest)?;
        if year == 0 {
            return None;
        }
        let date = NaiveDate::from_ymd_opt(y + year - 1, month, day)?;
        let start = NaiveDate::from_ymd_opt(*y, *m, *d)?;
        if date < start {
            return None;
        }
        // The next newer era's first day ends this one.
        if i > 0 {
            let (_, _, ny, nm, nd) = ERAS[i - 1];
            if date >= NaiveDate::from_ymd_opt(ny, nm, nd)? {
                return None;
            }
        }
        return Some(date);
    }
    let (year, month, day) = numbers(&s)?;
    if !(1000..=9999).contains(&year) {
        return None;
    }
    NaiveDate::from_ymd_opt(year, month, day)
}

/// Three numbers separated by `-`, `/`, `.` or 年/月 and an optional closing 日.
fn numbers(s: &str) -> Option<(i32, u32, u32)> {
    let s = s.strip_suffix('日').unwrap_or(s);
    let parts: Vec<&str> = s
        .split(['-', '/', '.', '年', '月'])
        .map(str::trim)
        .collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty() || p.len() > 4) {
        return None;
    }
    if !parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    Some((
        parts[0].parse().ok()?,
        parts[1].parse().ok()?,
        parts[2].parse().ok()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn reads_the_usual_forms() {
        for (s, want) in [
            ("2024-04-01", d(2024, 4, 1)),
            ("2024/4/1", d(2024, 4, 1)),
            ("２０２４／０４／０１", d(2024, 4, 1)),
            ("2024年4月1日", d(2024, 4, 1)),
            ("令和6年4月1日", d(2024, 4, 1)),
            ("令和元年5月1日", d(2019, 5, 1)),
            ("R6.4.1", d(2024, 4, 1)),
            ("r6/4/1", d(2024, 4, 1)),
            ("H31/4/30", d(2019, 4, 30)),
            ("平成元年1月8日", d(1989, 1, 8)),
            ("昭和64年1月7日", d(1989, 1, 7)),
            (" 令和８年１２月１日 ", d(2026, 12, 1)),
        ] {
            assert_eq!(parse(s), want, "{s}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_day() {
        for s in [
            "",
            "2024-02-30",
            "2024-13-01",
            "平成32年1月1日",
            "令和元年4月30日",
            "平成元年1月7日",
            "令和0年5月1日",
            "24-4-1",
            "2024-04",
            "2024-04-01-02",
            "tomorrow",
            "令和6年4月",
            "１２３４５-1-1",
        ] {
            assert_eq!(parse(s), None, "{s}");
        }
    }

    #[test]
    fn every_day_round_trips_through_wareki() {
        let mut day = NaiveDate::from_ymd_opt(1989, 1, 8).expect("valid");
        let end = NaiveDate::from_ymd_opt(2031, 1, 1).expect("valid");
        while day < end {
            assert_eq!(parse(&crate::time::wareki(day)), Some(day), "{day}");
            day = day.succ_opt().expect("valid");
        }
    }
}
