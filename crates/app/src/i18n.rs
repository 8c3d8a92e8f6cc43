//! Message catalogues (`locales/*.txt`, embedded): Japanese first, English second.
//! Every user-visible text is a key here; the same key reads in both languages.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The languages, defined in the domain (an account's and a proposal's language are stored).
pub use renkei_domain::lang::Lang;

const JA: &str = include_str!("../locales/ja.txt");
const EN: &str = include_str!("../locales/en.txt");

/// Parses `key = text` lines; `#` starts a comment line.
pub fn parse_catalogue(src: &str) -> HashMap<&str, &str> {
    src.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect()
}

fn catalogue(lang: Lang) -> &'static HashMap<&'static str, &'static str> {
    static JA_CAT: OnceLock<HashMap<&str, &str>> = OnceLock::new();
    static EN_CAT: OnceLock<HashMap<&str, &str>> = OnceLock::new();
    match lang {
        Lang::Ja => JA_CAT.get_or_init(|| parse_catalogue(JA)),
        Lang::En => EN_CAT.get_or_init(|| parse_catalogue(EN)),
    }
}

/// Translator for one request.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Self {
        Self { lang }
    }

    /// The text of `key`; a missing key shows the key itself (and a test keeps that from shipping).
    /// `\n` in a catalogue line is a line break (mail bodies).
    pub fn t(&self, key: &str) -> String {
        catalogue(self.lang)
            .get(key)
            .or_else(|| catalogue(Lang::Ja).get(key))
            .map(|s| s.replace("\\n", "\n"))
            .unwrap_or_else(|| key.to_string())
    }

    /// The text of `key` with every `{name}` filled in from `args` in one pass: a value that
    /// itself contains `{…}` (a title typed by anyone) is never filled in again.
    pub fn fill(&self, key: &str, args: &[(&str, &str)]) -> String {
        let template = self.t(key);
        let mut out = String::with_capacity(template.len() + 64);
        let mut rest = template.as_str();
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after.find('}').map(|close| (&after[..close], close)) {
                Some((name, close)) if args.iter().any(|(n, _)| *n == name) => {
                    if let Some((_, v)) = args.iter().find(|(n, _)| *n == name) {
                        out.push_str(v);
                    }
                    rest = &after[close + 1..];
                }
                _ => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// The text of `key` with `{name}` replaced by `value`.
    pub fn t1(&self, key: &str, name: &str, value: &dyn std::fmt::Display) -> String {
        self.t(key)
            .replace(&format!("{{{name}}}"), &value.to_string())
    }

    /// With two substitutions.
    pub fn t2(
        &self,
        key: &str,
        (n1, v1): (&str, &dyn std::fmt::Display),
        (n2, v2): (&str, &dyn std::fmt::Display),
    ) -> String {
        self.t1(key, n1, v1)
            .replace(&format!("{{{n2}}}"), &v2.to_string())
    }

    pub fn has(&self, key: &str) -> bool {
        catalogue(self.lang).contains_key(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_catalogues_have_the_same_keys() {
        let ja = parse_catalogue(JA);
        let en = parse_catalogue(EN);
        let mut missing_en: Vec<_> = ja.keys().filter(|k| !en.contains_key(*k)).collect();
        let mut missing_ja: Vec<_> = en.keys().filter(|k| !ja.contains_key(*k)).collect();
        missing_en.sort();
        missing_ja.sort();
        assert!(missing_en.is_empty(), "missing in en.txt: {missing_en:?}");
        assert!(missing_ja.is_empty(), "missing in ja.txt: {missing_ja:?}");
        assert!(ja.len() > 100);
    }

    #[test]
    fn every_vocabulary_value_is_translated() {
        use renkei_domain::proposal::*;
        let ja = parse_catalogue(JA);
        let mut keys: Vec<String> = Vec::new();
        keys.extend(Kind::ALL.iter().map(|v| v.label_key()));
        keys.extend(PartnerType::ALL.iter().map(|v| v.label_key()));
        keys.extend(Field::ALL.iter().map(|v| v.label_key()));
        keys.extend(Offer::ALL.iter().map(|v| v.label_key()));
        keys.extend(Route::ALL.iter().map(|v| v.label_key()));
        keys.extend(Status::ALL.iter().map(|v| v.label_key()));
        keys.extend(DeclineReason::ALL.iter().map(|v| v.label_key()));
        keys.extend(Channel::ALL.iter().map(|v| v.label_key()));
        keys.extend(Answer::ALL.iter().map(|v| v.label_key()));
        for field in [
            "kind",
            "partner_type",
            "field",
            "offer",
            "route",
            "status",
            "decline_reason",
            "channel",
            "answer",
        ] {
            keys.push(format!("error-{field}-invalid"));
        }
        {
            use renkei_domain::partnership::*;
            keys.extend(Form::ALL.iter().map(|v| v.label_key()));
            keys.extend(PartnershipStatus::ALL.iter().map(|v| v.label_key()));
            keys.extend(ReviewDecision::ALL.iter().map(|v| v.label_key()));
            keys.extend(FeedbackAttribute::ALL.iter().map(|v| v.label_key()));
            keys.extend(FeedbackStatus::ALL.iter().map(|v| v.label_key()));
            for field in [
                "form",
                "partnership_status",
                "review_decision",
                "feedback_attribute",
                "feedback_status",
            ] {
                keys.push(format!("error-{field}-invalid"));
            }
        }
        for k in keys {
            assert!(ja.contains_key(k.as_str()), "no message for {k}");
        }
    }

    #[test]
    fn fill_is_one_pass() {
        let tr = Tr::new(Lang::Ja);
        let s = tr.fill(
            "mail-routing-subject",
            &[("receipt", "{due}"), ("due", "令和8年12月1日")],
        );
        assert_eq!(s, "【Renkei 庁内照会】{due}（回答期限 令和8年12月1日）");
        assert!(tr.t("mail-footer").starts_with("\n\n--\n"));
    }

    #[test]
    fn substitution() {
        let tr = Tr::new(Lang::Ja);
        assert_eq!(tr.t1("top-count", "count", &1788), "登録自治体数：1788");
        assert_eq!(Tr::new(Lang::En).t("nav-login"), "Sign in");
    }

    #[test]
    fn every_domain_error_key_is_translated() {
        // Keys produced by the domain and store layers, found by reading their sources.
        let sources = [
            include_str!("../../domain/src/tenant.rs"),
            include_str!("../../domain/src/email.rs"),
            include_str!("../../domain/src/password.rs"),
            include_str!("../../domain/src/role.rs"),
            include_str!("../../domain/src/corporate_number.rs"),
            include_str!("../../domain/src/department.rs"),
            include_str!("../../store/src/users.rs"),
            include_str!("../../store/src/departments.rs"),
            include_str!("../../store/src/tenants.rs"),
            include_str!("../../store/src/proposals/mod.rs"),
            include_str!("../../store/src/proposals/intake.rs"),
            include_str!("../../store/src/proposals/reads.rs"),
            include_str!("../../store/src/proposals/lifecycle.rs"),
            include_str!("../../store/src/proposals/work.rs"),
            include_str!("../../store/src/proposals/partners.rs"),
            include_str!("../../domain/src/proposal.rs"),
            include_str!("../../domain/src/attachment.rs"),
            include_str!("../../domain/src/text.rs"),
            include_str!("../../store/src/tokens.rs"),
            include_str!("proposals.rs"),
            include_str!("partnerships.rs"),
            include_str!("../../domain/src/partnership.rs"),
            include_str!("../../store/src/partnerships/mod.rs"),
            include_str!("../../store/src/partnerships/changes.rs"),
        ];
        let ja = parse_catalogue(JA);
        for src in sources {
            for piece in src.split('"').skip(1).step_by(2) {
                if piece.starts_with("error-") && !piece.ends_with('-') {
                    assert!(ja.contains_key(piece), "no message for {piece}");
                }
            }
        }
    }
}
