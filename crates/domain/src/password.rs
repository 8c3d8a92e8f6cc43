use crate::error::ParseError;
use std::fmt;

/// A new password that meets the policy. Its `Debug` never shows the secret.
#[derive(Clone)]
pub struct Password(String);

pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_BYTES: usize = 1024;

impl Password {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        const FIELD: &str = "password";
        if input.chars().count() < MIN_PASSWORD_CHARS {
            return Err(ParseError::new(FIELD, "error-password-too-short"));
        }
        if input.len() > MAX_PASSWORD_BYTES {
            return Err(ParseError::new(FIELD, "error-password-too-long"));
        }
        Ok(Self(input.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_and_redaction() {
        assert!(Password::parse("short").is_err());
        let p = Password::parse("correct horse battery");
        assert!(p.is_ok());
        assert_eq!(format!("{p:?}"), "Ok(Password(***))");
    }
}
