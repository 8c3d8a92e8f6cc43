use crate::error::ParseError;
use crate::text::TextRule;
use std::fmt;

/// A department's name (事業担当課), e.g. 危機管理課. 1 to 60 characters after trimming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartmentName(String);

impl DepartmentName {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        const RULE: TextRule =
            TextRule::one_line("name", 60).too_long_key("error-department-name-too-long");
        RULE.parse_required(input, "error-department-name-required")
            .map(Self)
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
        assert_eq!(
            DepartmentName::parse("危機\n管理課").map_err(|e| e.key),
            Err("error-line-break")
        );
    }
}
