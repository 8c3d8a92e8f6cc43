//! Local governments (自治体) identified by their 全国地方公共団体コード (JIS X 0402).

use crate::error::ParseError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A 6-digit 全国地方公共団体コード: 2 digits prefecture, 3 digits municipality, 1 check digit.
///
/// The check digit is `(11 - (d1*6 + d2*5 + d3*4 + d4*3 + d5*2) mod 11) mod 10`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TenantCode([u8; 6]);

/// Whether a local government is a prefecture (都道府県) or a municipality (市区町村).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TenantKind {
    Prefecture,
    Municipality,
}

impl TenantKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Prefecture => "prefecture",
            Self::Municipality => "municipality",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "prefecture" => Some(Self::Prefecture),
            "municipality" => Some(Self::Municipality),
            _ => None,
        }
    }
}

fn check_digit(first5: &[u8]) -> u8 {
    let weights = [6u32, 5, 4, 3, 2];
    let sum: u32 = first5
        .iter()
        .zip(weights)
        .map(|(d, w)| u32::from(*d) * w)
        .sum();
    ((11 - sum % 11) % 10) as u8
}

impl TenantCode {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        const FIELD: &str = "code";
        let s = input.trim();
        if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParseError::new(FIELD, "error-tenant-code-format"));
        }
        let mut digits = [0u8; 6];
        for (slot, b) in digits.iter_mut().zip(s.bytes()) {
            *slot = b - b'0';
        }
        let pref = digits[0] * 10 + digits[1];
        if !(1..=47).contains(&pref) {
            return Err(ParseError::new(FIELD, "error-tenant-code-prefecture"));
        }
        if check_digit(&digits[..5]) != digits[5] {
            return Err(ParseError::new(FIELD, "error-tenant-code-check-digit"));
        }
        Ok(Self(digits))
    }

    /// The prefecture number, 1 (北海道) to 47 (沖縄県).
    pub fn prefecture_number(self) -> u8 {
        self.0[0] * 10 + self.0[1]
    }

    pub fn kind(self) -> TenantKind {
        if self.0[2..5] == [0, 0, 0] {
            TenantKind::Prefecture
        } else {
            TenantKind::Municipality
        }
    }

    /// The code of the prefecture this local government belongs to (itself for a prefecture).
    pub fn prefecture_code(self) -> Self {
        let mut d = [self.0[0], self.0[1], 0, 0, 0, 0];
        d[5] = check_digit(&d[..5]);
        Self(d)
    }

    pub fn as_string(self) -> String {
        self.0.iter().map(|d| char::from(b'0' + d)).collect()
    }
}

impl fmt::Display for TenantCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_string())
    }
}

impl TryFrom<String> for TenantCode {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<TenantCode> for String {
    fn from(value: TenantCode) -> Self {
        value.as_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes_parse() {
        for code in [
            "010006", "011002", "272027", "270008", "141305", "131016", "474860",
        ] {
            let c = TenantCode::parse(code);
            assert!(c.is_ok(), "{code} should parse: {c:?}");
        }
    }

    #[test]
    fn check_digit_is_enforced() {
        let err = TenantCode::parse("272028").err();
        assert_eq!(err.map(|e| e.key), Some("error-tenant-code-check-digit"));
    }

    #[test]
    fn format_and_range_are_enforced() {
        assert_eq!(
            TenantCode::parse("27202").err().map(|e| e.key),
            Some("error-tenant-code-format")
        );
        assert_eq!(
            TenantCode::parse("27２027").err().map(|e| e.key),
            Some("error-tenant-code-format")
        );
        // 48 is not a prefecture; 480002 has a valid check digit.
        assert_eq!(
            TenantCode::parse("480002").err().map(|e| e.key),
            Some("error-tenant-code-prefecture")
        );
    }

    #[test]
    fn municipality_knows_its_prefecture() -> Result<(), ParseError> {
        let kishiwada = TenantCode::parse("272027")?;
        assert_eq!(kishiwada.kind(), TenantKind::Municipality);
        assert_eq!(kishiwada.prefecture_code().to_string(), "270008");
        let kawasaki = TenantCode::parse("141305")?;
        assert_eq!(kawasaki.prefecture_code().to_string(), "140007");
        let osaka = TenantCode::parse("270008")?;
        assert_eq!(osaka.kind(), TenantKind::Prefecture);
        assert_eq!(osaka.prefecture_code(), osaka);
        Ok(())
    }
}
