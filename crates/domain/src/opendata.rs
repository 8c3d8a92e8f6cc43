//! Open data (オープンデータ): the licence a local government publishes its data under.
//! CC BY 4.0 unless the tenant chooses another; "other" carries its own text (one line,
//! bounded), e.g. a local licence's name and address.

use crate::error::ParseError;
use crate::text::TextRule;

/// The licences a tenant may choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LicenseKind {
    #[default]
    CcBy40,
    Cc010,
    GovStandard20,
    Other,
}

impl LicenseKind {
    pub const ALL: &'static [LicenseKind] = &[
        LicenseKind::CcBy40,
        LicenseKind::Cc010,
        LicenseKind::GovStandard20,
        LicenseKind::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::CcBy40 => "cc-by-4.0",
            Self::Cc010 => "cc0-1.0",
            Self::GovStandard20 => "gov-standard-2.0",
            Self::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ParseError> {
        Self::ALL
            .iter()
            .copied()
            .find(|k| k.code() == s.trim())
            .ok_or(ParseError::new(
                "license_kind",
                "error-license-kind-invalid",
            ))
    }

    /// The message key of its name: `license-<code>`.
    pub fn label_key(self) -> String {
        format!("license-{}", self.code())
    }
}

/// The free text of an "other" licence: one line, at most 200 characters.
pub const LICENSE_TEXT: TextRule =
    TextRule::one_line("license_text", 200).too_long_key("error-license-text-invalid");

/// A tenant's licence.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct License {
    pub kind: LicenseKind,
    /// Only for [`LicenseKind::Other`]; empty otherwise.
    pub text: String,
}

impl License {
    /// Parses the form's choice and text: "other" needs its text; the others drop it.
    pub fn parse(kind: &str, text: &str) -> Result<Self, ParseError> {
        let kind = LicenseKind::parse(kind)?;
        if kind != LicenseKind::Other {
            return Ok(Self {
                kind,
                text: String::new(),
            });
        }
        let text = LICENSE_TEXT.parse_required(text, "error-license-text-required")?;
        Ok(Self { kind, text })
    }

    /// The licence's name as published (Japanese names are the official ones).
    pub fn name(&self) -> String {
        match self.kind {
            LicenseKind::CcBy40 => "クリエイティブ・コモンズ 表示 4.0 国際 (CC BY 4.0)".into(),
            LicenseKind::Cc010 => "CC0 1.0 全世界 パブリック・ドメイン提供".into(),
            LicenseKind::GovStandard20 => "政府標準利用規約（第2.0版）".into(),
            LicenseKind::Other => self.text.clone(),
        }
    }

    /// The licence's address, where it has a well-known one.
    pub fn url(&self) -> Option<&'static str> {
        match self.kind {
            LicenseKind::CcBy40 => Some("https://creativecommons.org/licenses/by/4.0/deed.ja"),
            LicenseKind::Cc010 => Some("https://creativecommons.org/publicdomain/zero/1.0/deed.ja"),
            LicenseKind::GovStandard20 | LicenseKind::Other => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_choices() {
        assert_eq!(License::parse("cc-by-4.0", "x").expect("valid").text, "");
        assert_eq!(
            License::parse("gov-standard-2.0", "").expect("valid").kind,
            LicenseKind::GovStandard20
        );
        assert_eq!(
            License::parse("other", " 岸和田市オープンデータ利用規約 ")
                .expect("valid")
                .text,
            "岸和田市オープンデータ利用規約"
        );
        assert!(License::parse("other", "").is_err());
        assert!(License::parse("other", "a\nb").is_err());
        assert!(License::parse("other", &"あ".repeat(201)).is_err());
        assert!(License::parse("mit", "").is_err());
        assert_eq!(License::default().kind, LicenseKind::CcBy40);
    }
}
