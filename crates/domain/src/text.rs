//! Free text typed by people: titles, names, notes, messages, records.
//!
//! What people write is kept as they wrote it: emoji with variation selectors (❤️) and ZWJ
//! sequences (👨‍👩‍👧), ideographic variation sequences (葛󠄀 = U+845B U+E0100), characters outside
//! the BMP (𠮷) and decomposed text (か + U+3099) come back byte for byte. Nothing is
//! normalised (no NFC, and never NFKC: that would change the proponent's words; search uses a
//! folded copy of its own).
//!
//! What is refused, with a message that names the field, is what is not text: control
//! characters (U+0000–U+001F, U+007F–U+009F). A multi-line field keeps line feeds (a CRLF
//! from a browser becomes LF) and tabs; a bare CR is refused. A single-line field (a title, a
//! name) refuses line breaks and tabs too, including U+2028/U+2029, so a name can never add lines to
//! a mail or a header built from it.

use crate::error::ParseError;

/// Whether a field may hold several lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    One,
    Many,
}

/// The message keys for text refused because of what it contains.
pub const KEY_CONTROL: &str = "error-control-character";
pub const KEY_LINE_BREAK: &str = "error-line-break";
pub const KEY_TOO_LONG: &str = "error-too-long";
pub const KEY_REQUIRED: &str = "error-required";

/// How one free-text field is checked: its name (for the error), lines, and length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextRule {
    pub field: &'static str,
    pub lines: Lines,
    /// The most characters (Unicode scalar values) after trimming.
    pub max: usize,
    /// The message when it is too long.
    pub too_long: &'static str,
}

/// Whether `c` breaks a line (for single-line fields).
fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

impl TextRule {
    pub const fn one_line(field: &'static str, max: usize) -> Self {
        Self {
            field,
            lines: Lines::One,
            max,
            too_long: KEY_TOO_LONG,
        }
    }

    pub const fn many_lines(field: &'static str, max: usize) -> Self {
        Self {
            field,
            lines: Lines::Many,
            max,
            too_long: KEY_TOO_LONG,
        }
    }

    /// The same rule with its own message for too long.
    pub const fn too_long_key(mut self, key: &'static str) -> Self {
        self.too_long = key;
        self
    }

    /// Checks and tidies the text: CRLF → LF (multi-line), surrounding white space trimmed.
    /// Empty is allowed (see [`TextRule::parse_required`]).
    pub fn parse(&self, input: &str) -> Result<String, ParseError> {
        let err = |key| ParseError::new(self.field, key);
        let text = match self.lines {
            Lines::Many => input.replace("\r\n", "\n"),
            Lines::One => input.to_string(),
        };
        for c in text.chars() {
            match self.lines {
                Lines::One if is_line_break(c) || c == '\t' => return Err(err(KEY_LINE_BREAK)),
                Lines::Many if c == '\n' || c == '\t' => {}
                _ if c.is_control() => return Err(err(KEY_CONTROL)),
                _ => {}
            }
        }
        let text = text.trim();
        if text.chars().count() > self.max {
            return Err(err(self.too_long));
        }
        Ok(text.to_string())
    }

    /// [`TextRule::parse`], and refused with `required_key` when nothing is left.
    pub fn parse_required(
        &self,
        input: &str,
        required_key: &'static str,
    ) -> Result<String, ParseError> {
        let text = self.parse(input)?;
        if text.is_empty() {
            return Err(ParseError::new(self.field, required_key));
        }
        Ok(text)
    }
}

/// A person's display name (accounts).
pub const DISPLAY_NAME: TextRule =
    TextRule::one_line("display_name", 100).too_long_key("error-name-too-long");

/// The label of an API token.
pub const TOKEN_LABEL: TextRule = TextRule::one_line("label", 100);

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: TextRule = TextRule::one_line("title", 10);
    const MANY: TextRule = TextRule::many_lines("notes", 20);

    #[test]
    fn unicode_is_kept_byte_for_byte() {
        for s in [
            "❤\u{FE0F}",
            "👨\u{200D}👩\u{200D}👧",
            "葛\u{E0100}",
            "𠮷野家",
            "か\u{3099}",
            "e\u{301}",
            "\u{FEFF}x",
        ] {
            assert_eq!(ONE.parse(s).as_deref(), Ok(s), "{s:?}");
            assert_eq!(MANY.parse(s).as_deref(), Ok(s), "{s:?}");
        }
    }

    #[test]
    fn control_characters_are_refused() {
        for c in [
            '\u{0}', '\u{7}', '\u{1B}', '\u{7F}', '\u{85}', '\u{9F}', '\r',
        ] {
            let s = format!("a{c}b");
            assert!(MANY.parse(&s).is_err(), "{s:?}");
            assert!(ONE.parse(&s).is_err(), "{s:?}");
        }
        // Even where trimming would have dropped them.
        assert_eq!(MANY.parse("ab\u{85}").map_err(|e| e.key), Err(KEY_CONTROL));
        assert_eq!(MANY.parse("ab\r").map_err(|e| e.key), Err(KEY_CONTROL));
        assert_eq!(
            ONE.parse("a\u{1B}[31m").map_err(|e| e.key),
            Err(KEY_CONTROL)
        );
        assert_eq!(ONE.parse("a\tb").map_err(|e| e.key), Err(KEY_LINE_BREAK));
    }

    #[test]
    fn lines() {
        assert_eq!(MANY.parse("a\r\nb\n\tc").as_deref(), Ok("a\nb\n\tc"));
        for s in ["a\nb", "a\r\nb", "a\u{2028}b", "a\u{2029}b", "ab\n"] {
            assert_eq!(
                ONE.parse(s).map_err(|e| e.key),
                Err(KEY_LINE_BREAK),
                "{s:?}"
            );
        }
        assert_eq!(MANY.parse("a\u{2028}b").as_deref(), Ok("a\u{2028}b"));
    }

    #[test]
    fn trimmed_and_bounded() {
        assert_eq!(ONE.parse("  題名　").as_deref(), Ok("題名"));
        assert_eq!(
            ONE.parse(&"𠮷".repeat(10)).map(|s| s.chars().count()),
            Ok(10)
        );
        assert_eq!(
            ONE.parse(&"𠮷".repeat(11)).map_err(|e| e.key),
            Err(KEY_TOO_LONG)
        );
        assert_eq!(
            DISPLAY_NAME.parse(&"名".repeat(101)).map_err(|e| e.key),
            Err("error-name-too-long")
        );
        assert_eq!(
            MANY.parse_required(" \n ", "error-message-required"),
            Err(ParseError::new("notes", "error-message-required"))
        );
        assert_eq!(ONE.parse(""), Ok(String::new()));
    }
}
