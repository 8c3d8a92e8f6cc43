//! The desk's partner registry (連携先の団体): a partner entered by hand, its reading
//! (フリガナ), where it sorts (五十音順, legal-form words such as 株式会社 or 一般社団法人 set
//! aside) and its contacts (担当者).
//!
//! Nothing here reads a database: the store keeps [`sort_key`]'s result in a column so that
//! the list sorts in SQL, the same on both databases (code-point order of the key).

use crate::error::ParseError;
use crate::proposal::{MAX_ADDRESS, MAX_NAME, PartnerType, parse_phone};
use crate::text::TextRule;
use crate::{CorporateNumber, Email};
use unicode_normalization::UnicodeNormalization;

/// The partner's own fields (the form on the registry page, the demo).
pub const NAME: TextRule = TextRule::one_line("name", MAX_NAME);
pub const NAME_KANA: TextRule = TextRule::one_line("name_kana", MAX_NAME);
pub const ADDRESS: TextRule = TextRule::one_line("address", MAX_ADDRESS);
pub const WEBSITE: TextRule = TextRule::one_line("website", 200);
pub const NOTE: TextRule = TextRule::many_lines("note", 4000);

/// A contact's fields (担当者).
pub const CONTACT_NAME: TextRule = TextRule::one_line("contact_name", MAX_NAME);
pub const CONTACT_DEPARTMENT: TextRule = TextRule::one_line("contact_department", MAX_NAME);
pub const CONTACT_TITLE: TextRule = TextRule::one_line("contact_title", MAX_NAME);
pub const CONTACT_NOTE: TextRule = TextRule::many_lines("contact_note", 2000);

/// Words that say what kind of legal person an organisation is, not what it is called. A
/// name sorts without them when they stand at its start or end. Written as NFKC gives them
/// (（株） and ㈱ are `(株)`, ＮＰＯ is `NPO`, ㍿ is 株式会社); longer words before the words
/// they contain (地方独立行政法人 before 独立行政法人).
pub const LEGAL_FORMS: &[&str] = &[
    "地方独立行政法人",
    "特定非営利活動法人",
    "一般社団法人",
    "公益社団法人",
    "一般財団法人",
    "公益財団法人",
    "独立行政法人",
    "国立大学法人",
    "公立大学法人",
    "社会福祉法人",
    "社会医療法人",
    "有限責任事業組合",
    "株式会社",
    "有限会社",
    "合同会社",
    "合資会社",
    "合名会社",
    "NPO法人",
    "学校法人",
    "医療法人",
    "宗教法人",
    "(一社)",
    "(一財)",
    "(公社)",
    "(公財)",
    "(特非)",
    "(社福)",
    "(株)",
    "(有)",
    "(同)",
    "(資)",
    "(名)",
    "(医)",
    "(学)",
];

/// The name without legal-form words at its start or end (and the spaces around them), in
/// NFKC: 「株式会社 あおぞら」 → 「あおぞら」, 「アオゾラ商事（株）」 → 「アオゾラ商事」,
/// 「一般社団法人　いろは」 → 「いろは」. A name that is nothing but such words stays whole.
pub fn strip_legal_forms(name: &str) -> String {
    let mut s: String = name.nfkc().collect::<String>().trim().to_string();
    loop {
        let lower = s.to_ascii_lowercase();
        let mut next = None;
        for form in LEGAL_FORMS {
            let form = form.to_ascii_lowercase();
            if lower.starts_with(&form) {
                next = Some(s[form.len()..].trim().to_string());
            } else if lower.ends_with(&form) {
                next = Some(s[..s.len() - form.len()].trim().to_string());
            }
            if next.is_some() {
                break;
            }
        }
        match next {
            Some(rest) if !rest.is_empty() => s = rest,
            _ => return s,
        }
    }
}

/// A reading as stored: NFKC (half-width ｱｵｿﾞﾗ → アオゾラ), hiragana as katakana, white space
/// trimmed and runs of it as one space.
pub fn fold_kana(s: &str) -> String {
    let folded = crate::kana::hiragana_to_katakana(&s.nfkc().collect::<String>());
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether `c` may stand in a reading (after [`fold_kana`]): katakana, ー, ・, ヽ, ヾ, space.
fn is_reading_char(c: char) -> bool {
    matches!(c, '\u{30A1}'..='\u{30FA}' | '\u{30FB}'..='\u{30FE}' | ' ')
}

/// A フリガナ typed in katakana or hiragana (full or half width), folded as stored. Empty is
/// allowed (the reading is optional).
pub fn parse_kana(input: &str) -> Result<String, ParseError> {
    let text = NAME_KANA.parse(input)?;
    let folded = fold_kana(&text);
    if folded.chars().all(is_reading_char) {
        Ok(folded)
    } else {
        Err(ParseError::new(NAME_KANA.field, "error-name-kana-format"))
    }
}

/// A website: empty, or an `http://` / `https://` address without spaces.
pub fn parse_website(input: &str) -> Result<String, ParseError> {
    let text = WEBSITE.parse(input)?;
    if text.is_empty() {
        return Ok(text);
    }
    let lower = text.to_ascii_lowercase();
    let host = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    match host {
        Some(h) if !h.is_empty() && !h.starts_with('/') && !text.contains(char::is_whitespace) => {
            Ok(text)
        }
        _ => Err(ParseError::new(WEBSITE.field, "error-website-format")),
    }
}

/// The small kana and their full-size letters: ァ sorts as ア.
const SMALL_KANA: &[(char, char)] = &[
    ('ァ', 'ア'),
    ('ィ', 'イ'),
    ('ゥ', 'ウ'),
    ('ェ', 'エ'),
    ('ォ', 'オ'),
    ('ッ', 'ツ'),
    ('ャ', 'ヤ'),
    ('ュ', 'ユ'),
    ('ョ', 'ヨ'),
    ('ヮ', 'ワ'),
    ('ヵ', 'カ'),
    ('ヶ', 'ケ'),
];

/// The vowel of a plain (unvoiced, full-size) katakana letter, for the long-vowel mark ー.
fn vowel(c: char) -> Option<char> {
    const ROWS: [(&str, char); 5] = [
        ("アカサタナハマヤラワ", 'ア'),
        ("イキシチニヒミリヰ", 'イ'),
        ("ウクスツヌフムユルン", 'ウ'),
        ("エケセテネヘメレヱ", 'エ'),
        ("オコソトノホモヨロヲ", 'オ'),
    ];
    ROWS.iter()
        .find(|(row, _)| row.contains(c))
        .map(|(_, v)| *v)
        .filter(|_| c != 'ン')
}

/// Where a partner sorts in the registry (五十音順): its reading when it has one, else its
/// name without legal-form words ([`strip_legal_forms`]); in NFKC, lower case, hiragana as
/// katakana, without spaces or ・. The key is that text with voiced marks set aside (ガ sorts
/// with カ), small kana as full size (ッ with ツ) and ー as the vowel before it (コーヒー as
/// コオヒイ), then a space and the folded text itself, which orders names that only differ
/// there (カ before ガ). Compared by code point: Latin letters and digits, then kana, then kanji
/// (a name in kanji without a reading sorts after every reading).
pub fn sort_key(name: &str, kana: Option<&str>) -> String {
    let source = match kana.map(str::trim).filter(|k| !k.is_empty()) {
        Some(k) => k.to_string(),
        None => strip_legal_forms(name),
    };
    let folded: String =
        crate::kana::hiragana_to_katakana(&source.nfkc().collect::<String>().to_lowercase())
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '・')
            .collect();
    let mut primary = String::with_capacity(folded.len());
    let mut prev: Option<char> = None;
    for c in folded.nfd() {
        if matches!(c, '\u{3099}' | '\u{309A}') {
            continue;
        }
        let c = SMALL_KANA
            .iter()
            .find(|(small, _)| *small == c)
            .map_or(c, |(_, big)| *big);
        let c = match (c, prev.and_then(vowel)) {
            ('ー', Some(v)) => v,
            _ => c,
        };
        primary.push(c);
        prev = Some(c);
    }
    let primary: String = primary.nfc().collect();
    format!("{primary} {folded}")
}

/// A partner as typed into the registry's form.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct PartnerInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub name_kana: String,
    #[serde(default)]
    pub corporate_number: String,
    #[serde(default)]
    pub partner_type: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub website: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub note: String,
}

/// A partner entered by hand, every field checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPartner {
    pub name: String,
    /// Folded to katakana; empty when not given.
    pub name_kana: String,
    pub corporate_number: Option<CorporateNumber>,
    pub partner_type: PartnerType,
    pub details: PartnerDetails,
}

/// What the desk records about a partner besides its name and type (editable later).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartnerDetails {
    pub address: String,
    pub website: String,
    pub phone: String,
    pub note: String,
}

fn collect<T>(errors: &mut Vec<ParseError>, r: Result<T, ParseError>) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

impl PartnerDetails {
    fn parse(
        errors: &mut Vec<ParseError>,
        address: &str,
        website: &str,
        phone: &str,
        note: &str,
    ) -> Self {
        Self {
            address: collect(errors, ADDRESS.parse(address)).unwrap_or_default(),
            website: collect(errors, parse_website(website)).unwrap_or_default(),
            phone: if phone.trim().is_empty() {
                String::new()
            } else {
                collect(errors, parse_phone(phone)).unwrap_or_default()
            },
            note: collect(errors, NOTE.parse(note)).unwrap_or_default(),
        }
    }
}

impl NewPartner {
    /// Checks every field and reports every problem at once.
    pub fn parse(input: &PartnerInput) -> Result<Self, Vec<ParseError>> {
        let mut errors = Vec::new();
        let name = collect(
            &mut errors,
            NAME.parse_required(&input.name, "error-partner-name-required"),
        );
        let name_kana = collect(&mut errors, parse_kana(&input.name_kana));
        let corporate_number = if input.corporate_number.trim().is_empty() {
            Some(None)
        } else {
            collect(
                &mut errors,
                CorporateNumber::parse(&input.corporate_number).map(Some),
            )
        };
        let partner_type = collect(&mut errors, PartnerType::parse(&input.partner_type));
        let details = PartnerDetails::parse(
            &mut errors,
            &input.address,
            &input.website,
            &input.phone,
            &input.note,
        );
        match (name, name_kana, corporate_number, partner_type) {
            (Some(name), Some(name_kana), Some(corporate_number), Some(partner_type))
                if errors.is_empty() =>
            {
                Ok(Self {
                    name,
                    name_kana,
                    corporate_number,
                    partner_type,
                    details,
                })
            }
            _ => Err(errors),
        }
    }

    pub fn sort_key(&self) -> String {
        sort_key(&self.name, Some(&self.name_kana))
    }
}

/// The editable part of a partner as typed on its page: reading, details and the desk's
/// notes on its strengths and constraints.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct PartnerEditInput {
    #[serde(default)]
    pub name_kana: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub website: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub strengths: String,
    #[serde(default)]
    pub constraints: String,
}

/// [`PartnerEditInput`], every field checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerEdit {
    pub name_kana: String,
    pub details: PartnerDetails,
    pub strengths: String,
    pub constraints: String,
}

impl PartnerEdit {
    pub fn parse(input: &PartnerEditInput) -> Result<Self, Vec<ParseError>> {
        use crate::proposal::rules::{PARTNER_CONSTRAINTS, PARTNER_STRENGTHS};
        let mut errors = Vec::new();
        let name_kana = collect(&mut errors, parse_kana(&input.name_kana)).unwrap_or_default();
        let details = PartnerDetails::parse(
            &mut errors,
            &input.address,
            &input.website,
            &input.phone,
            &input.note,
        );
        let strengths = collect(&mut errors, PARTNER_STRENGTHS.parse(&input.strengths));
        let constraints = collect(&mut errors, PARTNER_CONSTRAINTS.parse(&input.constraints));
        match (strengths, constraints) {
            (Some(strengths), Some(constraints)) if errors.is_empty() => Ok(Self {
                name_kana,
                details,
                strengths,
                constraints,
            }),
            _ => Err(errors),
        }
    }
}

/// A contact (担当者) as typed on the partner's page.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct ContactInput {
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub contact_department: String,
    #[serde(default)]
    pub contact_title: String,
    #[serde(default)]
    pub contact_email: String,
    #[serde(default)]
    pub contact_phone: String,
    #[serde(default)]
    pub contact_note: String,
}

/// A contact, every field checked: a name, the rest optional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewContact {
    pub name: String,
    pub department: String,
    pub title: String,
    /// Empty when not given.
    pub email: String,
    pub phone: String,
    pub note: String,
}

impl NewContact {
    pub fn parse(input: &ContactInput) -> Result<Self, Vec<ParseError>> {
        let mut errors = Vec::new();
        // The contact's fields carry their own names: the partner's page has other forms.
        let rename = |field: &'static str| move |e: ParseError| ParseError::new(field, e.key);
        let name = collect(
            &mut errors,
            CONTACT_NAME.parse_required(&input.contact_name, "error-contact-name-required"),
        );
        let department = collect(
            &mut errors,
            CONTACT_DEPARTMENT.parse(&input.contact_department),
        );
        let title = collect(&mut errors, CONTACT_TITLE.parse(&input.contact_title));
        let email = if input.contact_email.trim().is_empty() {
            Some(String::new())
        } else {
            collect(
                &mut errors,
                Email::parse(&input.contact_email)
                    .map(|e| e.as_str().to_string())
                    .map_err(rename("contact_email")),
            )
        };
        let phone = if input.contact_phone.trim().is_empty() {
            Some(String::new())
        } else {
            collect(
                &mut errors,
                parse_phone(&input.contact_phone).map_err(rename("contact_phone")),
            )
        };
        let note = collect(&mut errors, CONTACT_NOTE.parse(&input.contact_note));
        match (name, department, title, email, phone, note) {
            (Some(name), Some(department), Some(title), Some(email), Some(phone), Some(note))
                if errors.is_empty() =>
            {
                Ok(Self {
                    name,
                    department,
                    title,
                    email,
                    phone,
                    note,
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legal_forms_at_either_end_are_set_aside() {
        for (name, rest) in [
            ("株式会社あおぞら", "あおぞら"),
            ("株式会社　あおぞら", "あおぞら"),
            ("アオゾラ商事(株)", "アオゾラ商事"),
            ("アオゾラ商事（株）", "アオゾラ商事"),
            ("アオゾラ商事 ㈱", "アオゾラ商事"),
            ("㈲いろは屋", "いろは屋"),
            ("一般社団法人 いろは", "いろは"),
            ("ＮＰＯ法人 浜の会", "浜の会"),
            ("npo法人浜の会", "浜の会"),
            ("特定非営利活動法人 浜の会", "浜の会"),
            ("地方独立行政法人 大阪産業技術研究所", "大阪産業技術研究所"),
            ("国立大学法人 泉州大学", "泉州大学"),
            ("だんじり合同会社", "だんじり"),
            ("株式会社 だんじり 合同会社", "だんじり"),
            ("㍿ さくら", "さくら"),
        ] {
            assert_eq!(strip_legal_forms(name), rest, "{name}");
        }
        // Only at the ends, and never down to nothing.
        assert_eq!(
            strip_legal_forms("あおぞら株式会社商店"),
            "あおぞら株式会社商店"
        );
        assert_eq!(strip_legal_forms("株式会社"), "株式会社");
        assert_eq!(strip_legal_forms(" 一般社団法人 "), "一般社団法人");
    }

    #[test]
    fn readings_are_stored_as_katakana() {
        assert_eq!(
            parse_kana("あおぞら しょうじ"),
            Ok("アオゾラ ショウジ".into())
        );
        assert_eq!(parse_kana("ｱｵｿﾞﾗ"), Ok("アオゾラ".into()));
        assert_eq!(
            parse_kana("  コーヒー・ハウス　 "),
            Ok("コーヒー・ハウス".into())
        );
        assert_eq!(parse_kana(""), Ok(String::new()));
        for bad in ["青空", "aozora", "アオゾラ1"] {
            assert_eq!(
                parse_kana(bad).map_err(|e| e.key),
                Err("error-name-kana-format"),
                "{bad}"
            );
        }
        assert_eq!(
            parse_kana("ア\nオ").map_err(|e| e.key),
            Err("error-line-break")
        );
    }

    #[test]
    fn names_with_and_without_legal_forms_sort_together() {
        let a = sort_key("株式会社あおぞら", None);
        let b = sort_key("アオゾラ商事(株)", None);
        let i = sort_key("一般社団法人 いろは", None);
        assert!(a.starts_with('ア') && b.starts_with('ア'), "{a} {b}");
        assert!(i.starts_with('イ'), "{i}");
        // Without the legal form, 株式会社あおぞら would sort under 株 (after every kana).
        let k = sort_key("かきくけ株式会社", None);
        let mut keys = [k.clone(), i.clone(), b.clone(), a.clone()];
        keys.sort();
        assert_eq!(keys, [a, b, i, k]);
    }

    #[test]
    fn a_reading_decides_where_a_kanji_name_sorts() {
        let kanji = sort_key("泉州工業大学", None);
        let read = sort_key("泉州工業大学", Some("センシュウコウギョウダイガク"));
        let sakura = sort_key("さくら会", None);
        let tanpopo = sort_key("たんぽぽ", None);
        assert!(read.starts_with("センシユウコウキヨウタイカク "), "{read}");
        let mut keys = [kanji.clone(), tanpopo.clone(), read.clone(), sakura.clone()];
        keys.sort();
        assert_eq!(keys, [sakura, read, tanpopo, kanji]);
        // Hiragana, katakana and half-width katakana readings give the same key.
        assert_eq!(sort_key("x", Some("あおぞら")), sort_key("x", Some("ｱｵｿﾞﾗ")));
    }

    #[test]
    fn voiced_small_and_long_marks_sort_as_in_a_dictionary() {
        let sorted = |names: &[&str]| {
            let mut v: Vec<(String, String)> = names
                .iter()
                .map(|n| (sort_key(n, None), n.to_string()))
                .collect();
            v.sort();
            v.into_iter().map(|(_, n)| n).collect::<Vec<_>>()
        };
        // ガ sorts with カ (カ first when nothing else differs), ッ with ツ, ー as the vowel.
        assert_eq!(
            sorted(&["ガス", "カメ", "カス", "キツネ"]),
            ["カス", "ガス", "カメ", "キツネ"]
        );
        assert_eq!(
            sorted(&["コンビニ", "コーヒー", "コアラ"]),
            ["コアラ", "コーヒー", "コンビニ"]
        );
        assert_eq!(sorted(&["ショウ", "シヨア"]), ["シヨア", "ショウ"]);
        // Latin letters ignore case and width.
        assert_eq!(sort_key("ＡＢＣ", None), sort_key("abc", None));
    }

    #[test]
    fn a_partner_reports_every_field() {
        let errors = NewPartner::parse(&PartnerInput {
            name: " ".into(),
            name_kana: "漢字".into(),
            corporate_number: "1234567890123".into(),
            partner_type: "guild".into(),
            website: "javascript:alert(1)".into(),
            phone: "12".into(),
            ..PartnerInput::default()
        })
        .expect_err("invalid");
        let keys: Vec<_> = errors.iter().map(|e| (e.field, e.key)).collect();
        assert_eq!(
            keys,
            [
                ("name", "error-partner-name-required"),
                ("name_kana", "error-name-kana-format"),
                ("corporate_number", "error-corporate-number-check-digit"),
                ("partner_type", "error-partner_type-invalid"),
                ("website", "error-website-format"),
                ("phone", "error-phone-format"),
            ]
        );
        let ok = NewPartner::parse(&PartnerInput {
            name: "株式会社あおぞら".into(),
            name_kana: "あおぞら".into(),
            corporate_number: "7000012050002".into(),
            partner_type: "company".into(),
            website: "https://aozora.example.jp/".into(),
            phone: "072-423-2121".into(),
            ..PartnerInput::default()
        })
        .expect("valid");
        assert_eq!(ok.name_kana, "アオゾラ");
        assert!(ok.sort_key().starts_with("アオソラ "));
    }

    #[test]
    fn a_contact_needs_a_name_and_checks_its_address_and_phone() {
        let errors = NewContact::parse(&ContactInput {
            contact_email: "not an address".into(),
            contact_phone: "abc".into(),
            ..ContactInput::default()
        })
        .expect_err("invalid");
        let keys: Vec<_> = errors.iter().map(|e| (e.field, e.key)).collect();
        assert_eq!(
            keys,
            [
                ("contact_name", "error-contact-name-required"),
                ("contact_email", "error-email-format"),
                ("contact_phone", "error-phone-format"),
            ]
        );
        let c = NewContact::parse(&ContactInput {
            contact_name: "浜 花子".into(),
            contact_email: " Hanako@Example.JP ".into(),
            ..ContactInput::default()
        })
        .expect("valid");
        assert_eq!(c.email, "hanako@example.jp");
        assert_eq!(c.phone, "");
    }
}
