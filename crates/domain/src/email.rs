use crate::error::ParseError;
use std::fmt;

/// An e-mail address, trimmed and lower-cased so that one person has one account.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

/// The longest address accepted, in bytes (RFC 5321's limit on a path).
pub const MAX_LEN: usize = 254;

impl Email {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        const FIELD: &str = "email";
        let s = input.trim().to_lowercase();
        if s.is_empty() {
            return Err(ParseError::new(FIELD, "error-email-required"));
        }
        let valid = s.len() <= MAX_LEN
            && !s.chars().any(|c| c.is_whitespace() || c.is_control())
            && match s.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && local.len() <= 64
                        && !domain.contains('@')
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                        && !domain.contains("..")
                }
                None => false,
            };
        if !valid {
            return Err(ParseError::new(FIELD, "error-email-format"));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse(" Desk@City.Kishiwada.Osaka.jp ").map(|e| e.to_string()),
            Ok("desk@city.kishiwada.osaka.jp".to_string())
        );
        for bad in [
            "",
            "no-at-sign",
            "a@b",
            "a@@b.jp",
            "a b@c.jp",
            "@c.jp",
            "a@.jp",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} must be refused");
        }
    }
}
