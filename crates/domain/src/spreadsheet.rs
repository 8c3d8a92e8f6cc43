//! Text in the cells of a file that people open in Excel: the formula guard against CSV
//! injection (OWASP "CSV Injection").
//!
//! Excel takes a CSV cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return for
//! a formula: a partnership titled `=HYPERLINK("http://evil.example","x")` would become a
//! live link on a desk officer's or a citizen's screen, and `+cmd|' /C calc'!A0` a command.
//! The full-width `＝ ＋ － ＠` are guarded as well (Japanese Excel turns them into a formula
//! when they are typed first in a cell; a `'` in front of them costs nothing). [`guard`] writes such text with a leading `'` (Excel's mark
//! for "this is text"); [`unguard`] drops it again on import, from CSV and from an .xlsx that
//! was saved from such a CSV.
//!
//! So that export → import gives back exactly what was exported, text that itself starts
//! with `'` is guarded too (`'abc` is written `''abc`): the
//! importer drops a leading `'` exactly when it is followed by a formula character or
//! another `'`, and [`unguard`]`(`[`guard`]`(s)) == s` for every `s`.
//!
//! Only text cells are guarded: numbers (a negative count stays `-1`), days and codes that
//! Renkei writes itself are written as they are.

use std::borrow::Cow;

/// The characters that make Excel read a cell as a formula when they come first.
pub const FORMULA_LEADS: [char; 10] = ['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠'];

/// Excel's text mark, and the guard's prefix.
pub const MARK: char = '\'';

/// Whether text starting with `c` is guarded: a formula character or the mark itself.
fn guarded_lead(c: char) -> bool {
    c == MARK || FORMULA_LEADS.contains(&c)
}

/// Whether Excel would take this text, written as it is, for a formula.
pub fn is_formula_like(s: &str) -> bool {
    s.chars().next().is_some_and(|c| FORMULA_LEADS.contains(&c))
}

/// A text cell as a CSV file writes it: with a leading `'` when it starts with a formula
/// character (or with `'`); any other text unchanged.
pub fn guard(s: &str) -> Cow<'_, str> {
    if s.chars().next().is_some_and(guarded_lead) {
        Cow::Owned(format!("{MARK}{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// A cell as read back: the `'` that [`guard`] put in front is dropped; any other text
/// (a `'` before ordinary text included) is left as it is.
pub fn unguard(s: &str) -> &str {
    match s.strip_prefix(MARK) {
        Some(rest) if rest.chars().next().is_some_and(guarded_lead) => rest,
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_formula_lead_gets_the_mark() {
        for lead in ["=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"] {
            let s = format!("{lead}1+1");
            assert!(is_formula_like(&s), "{lead:?}");
            assert_eq!(guard(&s), format!("'{s}"), "{lead:?}");
        }
        assert_eq!(
            guard("=HYPERLINK(\"http://evil.example\",\"x\")"),
            "'=HYPERLINK(\"http://evil.example\",\"x\")"
        );
        assert_eq!(guard("+cmd|' /C calc'!A0"), "'+cmd|' /C calc'!A0");
        assert_eq!(guard("-防災"), "'-防災");
    }

    #[test]
    fn ordinary_text_is_left_alone() {
        for s in ["", "防災", "1-2", "a=b", " =1", "R8-0001", "株式会社＝"] {
            assert!(!is_formula_like(s), "{s:?}");
            assert!(matches!(guard(s), Cow::Borrowed(_)), "{s:?}");
            assert_eq!(guard(s), s);
        }
    }

    #[test]
    fn the_mark_itself_is_guarded_so_that_nothing_is_lost() {
        assert_eq!(guard("'abc"), "''abc");
        assert_eq!(guard("'=1"), "''=1");
        assert_eq!(guard("'"), "''");
        assert!(!is_formula_like("'=1"));
    }

    #[test]
    fn unguard_drops_only_the_guards_mark() {
        assert_eq!(unguard("'=1+1"), "=1+1");
        assert_eq!(unguard("'-防災"), "-防災");
        assert_eq!(unguard("''abc"), "'abc");
        // A `'` the guard would not have written stays.
        assert_eq!(unguard("'abc"), "'abc");
        assert_eq!(unguard("'"), "'");
        assert_eq!(unguard("=1"), "=1");
        assert_eq!(unguard("防災"), "防災");
    }

    #[test]
    fn guard_then_unguard_gives_back_every_text() {
        let leads = [
            "", "'", "''", "=", "+", "-", "@", "\t", "\r", "＝", "－", "a", "防",
        ];
        for a in leads {
            for b in leads {
                for c in ["", "1+1", "x", "'"] {
                    let s = format!("{a}{b}{c}");
                    let g = guard(&s);
                    assert_eq!(unguard(&g), s, "{s:?}");
                    assert!(!is_formula_like(&g), "{s:?} → {g:?}");
                }
            }
        }
    }
}
