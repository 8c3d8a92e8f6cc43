//! 法人番号 (corporate number, 13 digits; the first is a check digit).

use crate::error::ParseError;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CorporateNumber(String);

impl CorporateNumber {
    /// Check digit = 9 - (Σ Pn×Qn mod 9), n = 1..12 counted from the right of the 12 base
    /// digits, Qn = 1 for odd n and 2 for even n (国税庁「法人番号の指定」).
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        const FIELD: &str = "corporate_number";
        let s: String = input
            .trim()
            .chars()
            .filter(|c| *c != '-' && *c != ' ')
            .collect();
        if s.len() != 13 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParseError::new(FIELD, "error-corporate-number-format"));
        }
        let digits: Vec<u32> = s.bytes().map(|b| u32::from(b - b'0')).collect();
        let sum: u32 = digits[1..]
            .iter()
            .rev()
            .enumerate()
            .map(|(i, d)| d * if i % 2 == 0 { 1 } else { 2 })
            .sum();
        if 9 - sum % 9 != digits[0] {
            return Err(ParseError::new(FIELD, "error-corporate-number-check-digit"));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CorporateNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_numbers_parse() {
        // 国税庁 (National Tax Agency) and 岸和田市 as published on the 法人番号公表サイト.
        for n in ["7000012050002", "6000020272027"] {
            assert!(CorporateNumber::parse(n).is_ok(), "{n}");
        }
    }

    #[test]
    fn wrong_check_digit_is_refused() {
        assert_eq!(
            CorporateNumber::parse("8000012050002").err().map(|e| e.key),
            Some("error-corporate-number-check-digit")
        );
        assert_eq!(
            CorporateNumber::parse("12345").err().map(|e| e.key),
            Some("error-corporate-number-format")
        );
    }
}
