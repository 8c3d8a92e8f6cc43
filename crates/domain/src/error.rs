use std::fmt;

/// A value from outside did not parse. `key` names a message in the catalogues; `field` names
/// the form field or CSV column it belongs to, so the UI can show it next to the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub field: &'static str,
    pub key: &'static str,
}

impl ParseError {
    pub const fn new(field: &'static str, key: &'static str) -> Self {
        Self { field, key }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.key)
    }
}

impl std::error::Error for ParseError {}
