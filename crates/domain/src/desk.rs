//! The desk's own profile, as its administrator writes it for the public page: the desk's
//! name (岸和田市 calls its desk 「公民戦略連携デスク」), what it does, what it takes and does not
//! take, how a proposal proceeds, contact and opening hours. Each field is optional: an empty
//! one shows the platform's standard wording.

use crate::ParseError;
use crate::text::TextRule;

pub const DESK_NAME: TextRule = TextRule::one_line("desk_name", 40);
pub const DESCRIPTION: TextRule = TextRule::many_lines("description", 2_000);
pub const SCOPE: TextRule = TextRule::many_lines("scope", 2_000);
pub const NOT_TAKEN: TextRule = TextRule::many_lines("not_taken", 2_000);
pub const PROCESS: TextRule = TextRule::many_lines("process", 2_000);
pub const CONTACT: TextRule = TextRule::many_lines("contact", 1_000);
pub const HOURS: TextRule = TextRule::one_line("hours", 200);

/// A desk's profile; empty strings where the admin wrote nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeskProfile {
    pub desk_name: String,
    pub description: String,
    pub scope: String,
    pub not_taken: String,
    pub process: String,
    pub contact: String,
    pub hours: String,
}

impl DeskProfile {
    /// Parses every field, reporting every one that does not parse.
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        desk_name: &str,
        description: &str,
        scope: &str,
        not_taken: &str,
        process: &str,
        contact: &str,
        hours: &str,
    ) -> Result<Self, Vec<ParseError>> {
        let mut errors = Vec::new();
        let mut take = |rule: &TextRule, v: &str| {
            rule.parse(v).unwrap_or_else(|e| {
                errors.push(e);
                String::new()
            })
        };
        let p = Self {
            desk_name: take(&DESK_NAME, desk_name),
            description: take(&DESCRIPTION, description),
            scope: take(&SCOPE, scope),
            not_taken: take(&NOT_TAKEN, not_taken),
            process: take(&PROCESS, process),
            contact: take(&CONTACT, contact),
            hours: take(&HOURS, hours),
        };
        if errors.is_empty() {
            Ok(p)
        } else {
            Err(errors)
        }
    }
}

/// The message key of how a local government's own kind is written in running text
/// (「市の財政負担」, 「県の財政負担」; "the city", "the prefecture"), from the last character of its
/// name: 都, 道, 府, 県, 市, 区, 町 or 村; else the general word (自治体).
pub fn kind_word_key(name: &str) -> &'static str {
    match name.trim().chars().last() {
        Some('都') => "kind-word-to",
        Some('道') => "kind-word-do",
        Some('府') => "kind-word-fu",
        Some('県') => "kind-word-ken",
        Some('市') => "kind-word-shi",
        Some('区') => "kind-word-ku",
        Some('町') => "kind-word-cho",
        Some('村') => "kind-word-son",
        _ => "kind-word-other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_local_government_is_named_by_its_own_word() {
        for (name, word) in [
            ("北海道", "do"),
            ("東京都", "to"),
            ("大阪府", "fu"),
            ("神奈川県", "ken"),
            ("岸和田市", "shi"),
            ("千代田区", "ku"),
            ("森町", "cho"),
            ("檜原村", "son"),
            ("", "other"),
        ] {
            assert_eq!(kind_word_key(name), format!("kind-word-{word}"), "{name}");
        }
    }

    #[test]
    fn every_bad_field_is_reported_and_good_ones_kept() {
        let long = "あ".repeat(41);
        let errors = DeskProfile::parse(&long, "説明", "", "", "", "", "9時\n17時")
            .expect_err("two bad fields");
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["desk_name", "hours"]);
        let ok = DeskProfile::parse(" 公民戦略連携デスク ", "説明\n二行目", "", "", "", "", "")
            .expect("valid");
        assert_eq!(ok.desk_name, "公民戦略連携デスク");
        assert_eq!(ok.description, "説明\n二行目");
    }
}
