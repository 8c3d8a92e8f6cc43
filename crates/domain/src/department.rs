use crate::error::ParseError;
use std::fmt;

/// A department's name (事業担当課), e.g. 危機管理課. 1 to 60 characters after trimming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartmentName(String);

impl DepartmentName {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        const FIELD: &str = "name";
        let s = input.trim();
        if s.is_empty() {
            return Err(ParseError::new(FIELD, "error-department-name-required"));
        }
        if s.chars().count() > 60 {
            return Err(ParseError::new(FIELD, "error-department-name-too-long"));
        }
        if s.chars().any(char::is_control) {
            return Err(ParseError::new(FIELD, "error-department-name-invalid"));
        }
        Ok(Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DepartmentName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            DepartmentName::parse("  危機管理課 ").map(|n| n.to_string()),
            Ok("危機管理課".to_string())
        );
        assert!(DepartmentName::parse("   ").is_err());
        assert!(DepartmentName::parse(&"課".repeat(61)).is_err());
        assert!(DepartmentName::parse("a\u{0}b").is_err());
    }
}
