//! Proposals (提案・相談・寄附の申出): what a proponent submits, its lifecycle as a state
//! machine, and the vocabulary the desk uses about it.

use crate::error::ParseError;
use crate::{CorporateNumber, Email, TenantCode};
use std::fmt;

vocabulary!(
    /// 提案 / 相談 / 寄附の申出
    Kind { Proposal = "proposal", Consultation = "consultation", Donation = "donation" } field "kind"
);

vocabulary!(
    /// The proponent organisation's type (seed 004: each type has its own strengths and limits).
    PartnerType {
        Company = "company",
        University = "university",
        Npo = "npo",
        Neighborhood = "neighborhood",
        LocalGovernment = "local_government",
        SocialBusiness = "social_business",
        Intermediary = "intermediary",
        Other = "other",
    } field "partner_type"
);

vocabulary!(
    /// 分野
    Field {
        Disaster = "disaster",
        Childcare = "childcare",
        Health = "health",
        Environment = "environment",
        Tourism = "tourism",
        Industry = "industry",
        Town = "town",
        Digital = "digital",
        Culture = "culture",
        Community = "community",
        Other = "other",
    } field "field"
);

vocabulary!(
    /// What the proponent offers.
    Offer {
        People = "people",
        Goods = "goods",
        Funds = "funds",
        Knowhow = "knowhow",
        Place = "place",
        Other = "other",
    } field "offer"
);

vocabulary!(
    /// How the proposal reached the desk: フリー型, テーマ型, アプローチ (the city approached).
    Route { Free = "free", Theme = "theme", Outbound = "outbound" } field "route"
);

vocabulary!(
    /// Where a proposal stands.
    Status {
        Received = "received",
        Hearing = "hearing",
        Coordinating = "coordinating",
        Decided = "decided",
        Declined = "declined",
        Withdrawn = "withdrawn",
        Referred = "referred",
    } field "status"
);

vocabulary!(
    /// Why a proposal was declined.
    DeclineReason {
        SalesPitch = "sales_pitch",
        UnrelatedDonation = "unrelated_donation",
        FiscalBurden = "fiscal_burden",
        Duplicate = "duplicate",
        Infeasible = "infeasible",
        Other = "other",
    } field "decline_reason"
);

vocabulary!(
    /// How a hearing took place.
    Channel { Meeting = "meeting", Online = "online", Phone = "phone", Email = "email" } field "channel"
);

vocabulary!(
    /// A department's answer to a routing request (庁内照会).
    Answer { Interested = "interested", Conditional = "conditional", NotInterested = "not_interested" } field "answer"
);

impl Status {
    /// Closed: nothing more happens to the proposal itself.
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            Self::Decided | Self::Declined | Self::Withdrawn | Self::Referred
        )
    }

    /// Whether the proponent may still change the consents: while open, and after 実施決定
    /// (publication of a realised partnership); not after 不採択, 取下げ or 紹介.
    pub fn consents_open(self) -> bool {
        !self.is_closed() || self == Self::Decided
    }

    /// Open statuses, for the inbox's default view.
    pub const OPEN: [Status; 3] = [Status::Received, Status::Hearing, Status::Coordinating];
}

/// What someone asks to happen to a proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    /// 聞き取りを開始
    StartHearing,
    /// 庁内調整を開始
    StartCoordination,
    /// 実施決定; a proposal that would cost the city (財政負担あり) needs the desk's
    /// justification (empty otherwise).
    Decide { fiscal_justification: String },
    /// 不採択 (with the reason and an explanation to the proponent)
    Decline {
        reason: DeclineReason,
        explanation: String,
    },
    /// 取下げ (by the proponent)
    Withdraw,
    /// 紹介 (referred to another desk, e.g. the prefecture's)
    Refer { to: TenantCode },
}

impl Transition {
    pub fn target(&self) -> Status {
        match self {
            Self::StartHearing => Status::Hearing,
            Self::StartCoordination => Status::Coordinating,
            Self::Decide { .. } => Status::Decided,
            Self::Decline { .. } => Status::Declined,
            Self::Withdraw => Status::Withdrawn,
            Self::Refer { .. } => Status::Referred,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::StartHearing => "start_hearing",
            Self::StartCoordination => "start_coordination",
            Self::Decide { .. } => "decide",
            Self::Decline { .. } => "decline",
            Self::Withdraw => "withdraw",
            Self::Refer { .. } => "refer",
        }
    }

    /// Whether the proponent (rather than the desk) makes this move.
    pub fn by_proponent(&self) -> bool {
        matches!(self, Self::Withdraw)
    }
}

/// Why a transition was refused; `key` names the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionError {
    pub key: &'static str,
}

/// The lifecycle: 受付 → 聞き取り → 庁内調整 → 実施決定 | 不採択 | 取下げ | 紹介.
/// Hearing may resume from coordination (more questions for the proponent); a closed proposal
/// does not move again.
/// The lifecycle: which move is allowed from which status, and what each move needs.
/// `fiscal_burden`: the proposal declared a cost to the city (市の財政負担を伴わない is the rule;
/// an exception is decided only with a recorded justification).
pub fn transition(
    from: Status,
    t: &Transition,
    fiscal_burden: bool,
) -> Result<Status, TransitionError> {
    if from.is_closed() {
        return Err(TransitionError {
            key: "error-transition-closed",
        });
    }
    let to = t.target();
    if !allowed(from, to) {
        return Err(TransitionError {
            key: "error-transition-invalid",
        });
    }
    if let Transition::Decline { explanation, .. } = t
        && explanation.trim().is_empty()
    {
        return Err(TransitionError {
            key: "error-decline-explanation-required",
        });
    }
    if let Transition::Decide {
        fiscal_justification,
    } = t
        && fiscal_burden
        && fiscal_justification.trim().is_empty()
    {
        return Err(TransitionError {
            key: "error-fiscal-justification-required",
        });
    }
    Ok(to)
}

/// Which status may follow which: 受付 → 聞き取り → 庁内調整 (and back to 聞き取り) → 実施決定;
/// 不採択, 取下げ and 紹介 from any open status; 実施決定 only after a hearing.
fn allowed(from: Status, to: Status) -> bool {
    use Status::*;
    matches!(
        (from, to),
        (
            Received,
            Hearing | Coordinating | Declined | Withdrawn | Referred
        ) | (
            Hearing,
            Coordinating | Decided | Declined | Withdrawn | Referred
        ) | (
            Coordinating,
            Hearing | Decided | Declined | Withdrawn | Referred
        )
    )
}

impl Status {
    /// The desk's moves the lifecycle allows from this status (`Transition::code`s, in the
    /// order the proposal page offers them): what the page's side panel shows.
    pub fn desk_moves(self) -> Vec<&'static str> {
        [
            (Status::Hearing, "start_hearing"),
            (Status::Coordinating, "start_coordination"),
            (Status::Decided, "decide"),
            (Status::Declined, "decline"),
            (Status::Referred, "refer"),
        ]
        .into_iter()
        .filter(|(to, _)| !self.is_closed() && allowed(self, *to))
        .map(|(_, code)| code)
        .collect()
    }

    /// Whether the desk may make the move `code` from this status.
    pub fn desk_may(self, code: &str) -> bool {
        self.desk_moves().contains(&code)
    }
}

/// A receipt number a person can read out on the phone: `272027-2026-0042`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReceiptNumber {
    pub tenant: TenantCode,
    /// The fiscal year (年度, April to March) of receipt: the counter starts again each April.
    pub year: i32,
    pub seq: i64,
}

impl ReceiptNumber {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        const FIELD: &str = "receipt_number";
        let err = || ParseError::new(FIELD, "error-receipt-number-format");
        let mut parts = s.trim().split('-');
        let (Some(code), Some(year), Some(seq), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(err());
        };
        let tenant = TenantCode::parse(code).map_err(|_| err())?;
        if year.len() != 4 || seq.len() < 4 || !seq.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        let year: i32 = year.parse().map_err(|_| err())?;
        let seq: i64 = seq.parse().map_err(|_| err())?;
        if seq < 1 {
            return Err(err());
        }
        Ok(Self { tenant, year, seq })
    }
}

impl fmt::Display for ReceiptNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}-{:04}", self.tenant, self.year, self.seq)
    }
}

/// The intake form as typed (strings; lists as submitted). Serialisable: the 確認画面 keeps
/// it as a draft between the form and the submission.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct IntakeInput {
    pub kind: String,
    pub org_name: String,
    pub partner_type: String,
    pub corporate_number: String,
    /// 所在地 (required at the public intake: `renkei_app::proposals::submit`).
    pub org_address: String,
    pub contact_name: String,
    /// The contact's department (部署) and title (役職), both optional.
    pub contact_department: String,
    pub contact_title: String,
    pub email: String,
    pub phone: String,
    pub title: String,
    pub summary: String,
    pub details: String,
    pub fields: Vec<String>,
    pub offers: Vec<String>,
    pub expected_effects: String,
    pub fiscal_burden: String,
    pub fiscal_explanation: String,
    pub publication_consent: bool,
    /// Agreement to the handling of personal information (個人情報の取扱い): required at the
    /// public intake (`renkei_app::proposals::submit`), not asked when the desk enters one.
    pub privacy_consent: bool,
}

/// A valid submission: every field parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intake {
    pub kind: Kind,
    pub org_name: String,
    pub partner_type: PartnerType,
    pub corporate_number: Option<CorporateNumber>,
    pub org_address: String,
    pub contact_name: String,
    pub contact_department: String,
    pub contact_title: String,
    pub email: Email,
    pub phone: String,
    pub title: String,
    pub summary: String,
    pub details: String,
    pub fields: Vec<Field>,
    pub offers: Vec<Offer>,
    pub expected_effects: String,
    /// `None`: no fiscal burden on the city; `Some(explanation)`: some, with why.
    pub fiscal_burden: Option<String>,
    pub publication_consent: bool,
}

/// Text limits (characters).
pub const MAX_NAME: usize = 100;
pub const MAX_ADDRESS: usize = 200;
pub const MAX_TITLE: usize = 100;
pub const MAX_SUMMARY: usize = 400;
pub const MAX_LONG_TEXT: usize = 8000;

/// Free-text fields of a proposal and of the desk's work on it.
pub mod rules {
    use super::{MAX_ADDRESS, MAX_LONG_TEXT, MAX_NAME, MAX_SUMMARY, MAX_TITLE};
    use crate::text::TextRule;

    pub const ORG_NAME: TextRule = TextRule::one_line("org_name", MAX_NAME);
    pub const CONTACT_NAME: TextRule = TextRule::one_line("contact_name", MAX_NAME);
    pub const ORG_ADDRESS: TextRule = TextRule::one_line("org_address", MAX_ADDRESS);
    pub const CONTACT_DEPARTMENT: TextRule = TextRule::one_line("contact_department", MAX_NAME);
    pub const CONTACT_TITLE: TextRule = TextRule::one_line("contact_title", MAX_NAME);
    pub const TITLE: TextRule = TextRule::one_line("title", MAX_TITLE);
    pub const SUMMARY: TextRule = TextRule::many_lines("summary", MAX_SUMMARY);
    pub const DETAILS: TextRule = TextRule::many_lines("details", MAX_LONG_TEXT);
    pub const EXPECTED_EFFECTS: TextRule = TextRule::many_lines("expected_effects", MAX_LONG_TEXT);
    pub const FISCAL_EXPLANATION: TextRule =
        TextRule::many_lines("fiscal_explanation", MAX_LONG_TEXT);
    /// 不採択 の説明 (told to the proponent).
    pub const DECLINE_EXPLANATION: TextRule = TextRule::many_lines("explanation", MAX_LONG_TEXT);
    /// Why the city decides despite a cost to it (財政負担あり).
    pub const FISCAL_JUSTIFICATION: TextRule =
        TextRule::many_lines("fiscal_justification", MAX_LONG_TEXT);
    /// The desk's own note on a status change.
    pub const TRANSITION_NOTE: TextRule = TextRule::many_lines("note", MAX_LONG_TEXT);
    /// A message between the desk and the proponent.
    pub const MESSAGE_BODY: TextRule = TextRule::many_lines("body", MAX_LONG_TEXT);
    pub const HEARING_PARTICIPANTS: TextRule = TextRule::one_line("participants", MAX_LONG_TEXT);
    pub const HEARING_NOTES: TextRule = TextRule::many_lines("notes", MAX_LONG_TEXT);
    pub const HEARING_NEXT_STEPS: TextRule = TextRule::many_lines("next_steps", MAX_LONG_TEXT);
    /// 庁内照会 の質問 and a department's comment with its answer.
    pub const ROUTING_QUESTION: TextRule = TextRule::many_lines("question", MAX_LONG_TEXT);
    pub const ANSWER_COMMENT: TextRule = TextRule::many_lines("comment", MAX_LONG_TEXT);
    /// A department's question back to the desk on a routing (照会), and the desk's reply.
    pub const DESK_QUESTION: TextRule = TextRule::many_lines("desk_question", 2000);
    pub const QUESTION_REPLY: TextRule = TextRule::many_lines("reply", 2000);
    /// The partner registry's notes.
    pub const PARTNER_STRENGTHS: TextRule = TextRule::many_lines("strengths", 4000);
    pub const PARTNER_CONSTRAINTS: TextRule = TextRule::many_lines("constraints", 4000);
    /// The desk's internal memo (内部メモ): desk staff only.
    pub const MEMO_BODY: TextRule = TextRule::many_lines("memo", super::MAX_MEMO);
    /// Why the desk corrected the record (訂正の理由).
    pub const CORRECTION_REASON: TextRule =
        TextRule::many_lines("correction_reason", super::MAX_CORRECTION_REASON);
}

/// The longest internal memo (characters).
pub const MAX_MEMO: usize = 2000;
/// The longest reason for a correction (characters).
pub const MAX_CORRECTION_REASON: usize = 400;

vocabulary!(
    /// What of a proposal's record the desk may correct (訂正): the proponent's words and
    /// contact details, each checked by the intake's own rule. The code is the form field
    /// and the `proposals` column.
    CorrectionField {
        Title = "title",
        Summary = "summary",
        Details = "details",
        ExpectedEffects = "expected_effects",
        FiscalExplanation = "fiscal_explanation",
        OrgName = "org_name",
        OrgAddress = "org_address",
        ContactName = "contact_name",
        ContactDepartment = "contact_department",
        ContactTitle = "contact_title",
        Email = "email",
        Phone = "phone",
    } field "correction_field"
);

impl CorrectionField {
    /// The intake form's label of the field (the same words the proponent saw).
    pub fn form_label_key(self) -> &'static str {
        match self {
            Self::Title => "propose-title-field",
            Self::Summary => "propose-summary",
            Self::Details => "propose-details",
            Self::ExpectedEffects => "propose-effects",
            Self::FiscalExplanation => "propose-fiscal-explanation",
            Self::OrgName => "propose-org-name",
            Self::OrgAddress => "propose-org-address",
            Self::ContactName => "propose-contact-name",
            Self::ContactDepartment => "propose-contact-department",
            Self::ContactTitle => "propose-contact-title",
            Self::Email => "col-email",
            Self::Phone => "propose-phone",
        }
    }

    /// Whether the field holds several lines (a text area in the form).
    pub fn many_lines(self) -> bool {
        matches!(
            self,
            Self::Summary | Self::Details | Self::ExpectedEffects | Self::FiscalExplanation
        )
    }

    /// A corrected value, checked as the intake checks it: required where the intake requires
    /// it, the same length and character rules, a real e-mail address, a Japanese phone
    /// number. (Whether 財政負担の内容 may be empty depends on the proposal: the caller.)
    pub fn parse_value(self, input: &str) -> Result<String, ParseError> {
        let required = |rule: crate::text::TextRule| rule.parse_required(input, "error-required");
        match self {
            Self::Title => required(rules::TITLE),
            Self::Summary => required(rules::SUMMARY),
            Self::Details => rules::DETAILS.parse(input),
            Self::ExpectedEffects => rules::EXPECTED_EFFECTS.parse(input),
            Self::FiscalExplanation => rules::FISCAL_EXPLANATION.parse(input),
            Self::OrgName => required(rules::ORG_NAME),
            Self::OrgAddress => rules::ORG_ADDRESS.parse(input),
            Self::ContactName => required(rules::CONTACT_NAME),
            Self::ContactDepartment => rules::CONTACT_DEPARTMENT.parse(input),
            Self::ContactTitle => rules::CONTACT_TITLE.parse(input),
            Self::Email => Email::parse(input).map(|e| e.as_str().to_string()),
            Self::Phone if input.trim().is_empty() => Ok(String::new()),
            Self::Phone => parse_phone(input),
        }
    }
}

pub(crate) fn text(
    errors: &mut Vec<ParseError>,
    rule: crate::text::TextRule,
    value: &str,
    required: bool,
) -> String {
    match rule.parse(value) {
        Ok(v) if required && v.is_empty() => {
            errors.push(ParseError::new(rule.field, "error-required"));
            v
        }
        Ok(v) => v,
        Err(e) => {
            errors.push(e);
            value.trim().to_string()
        }
    }
}

/// A Japanese phone number: 10 or 11 digits (0 first), or +81…; hyphens, spaces and
/// parentheses allowed; full-width digits folded.
pub fn parse_phone(input: &str) -> Result<String, ParseError> {
    use unicode_normalization::UnicodeNormalization;
    let s: String = input.nfkc().collect::<String>().trim().to_string();
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let allowed = s
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | ' ' | '(' | ')' | '+'));
    let ok = allowed
        && ((digits.starts_with('0') && (10..=11).contains(&digits.len()))
            || (s.starts_with("+81") && (11..=12).contains(&digits.len())));
    if ok {
        Ok(s)
    } else {
        Err(ParseError::new("phone", "error-phone-format"))
    }
}

impl Intake {
    /// Checks every field and reports every problem at once (field by field).
    pub fn parse(input: &IntakeInput) -> Result<Self, Vec<ParseError>> {
        let mut errors = Vec::new();
        let kind = Kind::parse(&input.kind).map_err(|e| errors.push(e)).ok();
        let org_name = text(&mut errors, rules::ORG_NAME, &input.org_name, true);
        let partner_type = PartnerType::parse(&input.partner_type)
            .map_err(|e| errors.push(e))
            .ok();
        let corporate_number = if input.corporate_number.trim().is_empty() {
            None
        } else {
            CorporateNumber::parse(&input.corporate_number)
                .map_err(|e| errors.push(e))
                .ok()
        };
        let org_address = text(&mut errors, rules::ORG_ADDRESS, &input.org_address, false);
        let contact_name = text(&mut errors, rules::CONTACT_NAME, &input.contact_name, true);
        let contact_department = text(
            &mut errors,
            rules::CONTACT_DEPARTMENT,
            &input.contact_department,
            false,
        );
        let contact_title = text(
            &mut errors,
            rules::CONTACT_TITLE,
            &input.contact_title,
            false,
        );
        let email = Email::parse(&input.email).map_err(|e| errors.push(e)).ok();
        let phone = if input.phone.trim().is_empty() {
            String::new()
        } else {
            parse_phone(&input.phone)
                .map_err(|e| errors.push(e))
                .unwrap_or_default()
        };
        let title = text(&mut errors, rules::TITLE, &input.title, true);
        let summary = text(&mut errors, rules::SUMMARY, &input.summary, true);
        let details = text(&mut errors, rules::DETAILS, &input.details, false);
        let mut fields = Vec::new();
        for f in &input.fields {
            match Field::parse(f) {
                Ok(v) if !fields.contains(&v) => fields.push(v),
                Ok(_) => {}
                Err(e) => errors.push(e),
            }
        }
        if fields.is_empty() && !errors.iter().any(|e| e.field == "field") {
            errors.push(ParseError::new("field", "error-field-required"));
        }
        let mut offers = Vec::new();
        for o in &input.offers {
            match Offer::parse(o) {
                Ok(v) if !offers.contains(&v) => offers.push(v),
                Ok(_) => {}
                Err(e) => errors.push(e),
            }
        }
        let expected_effects = text(
            &mut errors,
            rules::EXPECTED_EFFECTS,
            &input.expected_effects,
            false,
        );
        let fiscal_burden = match input.fiscal_burden.trim() {
            "none" => None,
            "some" => {
                let why = text(
                    &mut errors,
                    rules::FISCAL_EXPLANATION,
                    &input.fiscal_explanation,
                    false,
                );
                if why.is_empty() && !errors.iter().any(|e| e.field == "fiscal_explanation") {
                    errors.push(ParseError::new(
                        "fiscal_explanation",
                        "error-fiscal-explanation-required",
                    ));
                }
                Some(why)
            }
            _ => {
                errors.push(ParseError::new(
                    "fiscal_burden",
                    "error-fiscal-burden-invalid",
                ));
                None
            }
        };
        match (kind, partner_type, email, errors.is_empty()) {
            (Some(kind), Some(partner_type), Some(email), true) => Ok(Self {
                kind,
                org_name,
                partner_type,
                corporate_number,
                org_address,
                contact_name,
                contact_department,
                contact_title,
                email,
                phone,
                title,
                summary,
                details,
                fields,
                offers,
                expected_effects,
                fiscal_burden,
                publication_consent: input.publication_consent,
            }),
            _ => Err(errors),
        }
    }
}

/// A normalised organisation name for de-duplication: NFKC, no spaces, legal-form words
/// (株式会社, (株), 一般社団法人, 特定非営利活動法人, NPO法人…) removed, lower-case.
pub fn normalise_org_name(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut s: String = name.nfkc().collect::<String>().to_lowercase();
    for form in [
        "株式会社",
        "(株)",
        "有限会社",
        "(有)",
        "合同会社",
        "一般社団法人",
        "公益社団法人",
        "一般財団法人",
        "公益財団法人",
        "特定非営利活動法人",
        "npo法人",
        "社会福祉法人",
        "学校法人",
        "国立大学法人",
        "公立大学法人",
    ] {
        s = s.replace(form, "");
    }
    s.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '・' | '.' | ',' | '、' | '。'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corrections_follow_the_intake_rules() {
        use CorrectionField as F;
        assert_eq!(
            F::Title.parse_value("  正しい件名 "),
            Ok("正しい件名".into())
        );
        assert_eq!(
            F::Title.parse_value(" ").map_err(|e| e.key),
            Err("error-required")
        );
        assert_eq!(
            F::Title
                .parse_value("改行\nあり")
                .map_err(|e| (e.field, e.key)),
            Err(("title", "error-line-break"))
        );
        assert!(F::Title.parse_value(&"長".repeat(MAX_TITLE + 1)).is_err());
        assert_eq!(F::Details.parse_value(""), Ok(String::new()));
        assert_eq!(F::Summary.parse_value("一\r\n二"), Ok("一\n二".into()));
        assert_eq!(F::Phone.parse_value(""), Ok(String::new()));
        assert_eq!(
            F::Phone.parse_value("０７２－４２３－２１２１"),
            Ok("072-423-2121".into())
        );
        assert_eq!(
            F::Phone.parse_value("123").map_err(|e| e.key),
            Err("error-phone-format")
        );
        assert_eq!(
            F::Email.parse_value("bad").map_err(|e| e.field),
            Err("email")
        );
        assert!(F::Email.parse_value("taro@example.jp").is_ok());
        // Every field's error names its form field, and every field has the intake's label.
        for f in F::ALL {
            assert!(
                f.form_label_key().starts_with("propose-") || f.form_label_key() == "col-email"
            );
            if let Err(e) = f.parse_value("\u{7}") {
                assert_eq!(e.field, f.code(), "{f}");
            }
        }
        assert_eq!(
            rules::MEMO_BODY
                .parse(&"メ".repeat(MAX_MEMO))
                .map(|s| s.chars().count()),
            Ok(MAX_MEMO)
        );
        assert!(rules::MEMO_BODY.parse(&"メ".repeat(MAX_MEMO + 1)).is_err());
    }

    fn input() -> IntakeInput {
        IntakeInput {
            kind: "proposal".into(),
            org_name: "株式会社だんじり防災".into(),
            partner_type: "company".into(),
            corporate_number: "7000012050002".into(),
            contact_name: "岸和田 太郎".into(),
            email: "taro@example.co.jp".into(),
            phone: "072-423-2121".into(),
            title: "地域の防災訓練にドローンを".into(),
            summary: "ドローンを使った避難訓練の実施を提案します。".into(),
            details: "詳細".into(),
            fields: vec!["disaster".into(), "digital".into(), "disaster".into()],
            offers: vec!["knowhow".into(), "goods".into()],
            expected_effects: "避難の迅速化".into(),
            fiscal_burden: "none".into(),
            fiscal_explanation: String::new(),
            publication_consent: true,
            ..IntakeInput::default()
        }
    }

    #[test]
    fn the_page_offers_exactly_the_moves_the_lifecycle_allows() {
        assert_eq!(
            Status::Received.desk_moves(),
            ["start_hearing", "start_coordination", "decline", "refer"]
        );
        assert_eq!(
            Status::Hearing.desk_moves(),
            ["start_coordination", "decide", "decline", "refer"]
        );
        assert_eq!(
            Status::Coordinating.desk_moves(),
            ["start_hearing", "decide", "decline", "refer"]
        );
        for closed in [
            Status::Decided,
            Status::Declined,
            Status::Withdrawn,
            Status::Referred,
        ] {
            assert!(closed.desk_moves().is_empty());
        }
        // Every move offered is one `transition` accepts (given what it needs).
        for from in Status::ALL {
            for code in from.desk_moves() {
                let t = match code {
                    "start_hearing" => Transition::StartHearing,
                    "start_coordination" => Transition::StartCoordination,
                    "decide" => Transition::Decide {
                        fiscal_justification: String::new(),
                    },
                    "decline" => Transition::Decline {
                        reason: DeclineReason::Other,
                        explanation: "理由".into(),
                    },
                    _ => Transition::Refer {
                        to: TenantCode::parse("270008").expect("code"),
                    },
                };
                assert!(transition(*from, &t, false).is_ok(), "{from:?} {code}");
            }
        }
    }

    #[test]
    fn a_good_intake_parses() {
        let i = Intake::parse(&input()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(i.fields, vec![Field::Disaster, Field::Digital]);
        assert_eq!(i.fiscal_burden, None);
        assert_eq!(i.email.as_str(), "taro@example.co.jp");
    }

    #[test]
    fn every_problem_is_reported_by_field() {
        let bad = IntakeInput {
            kind: "spam".into(),
            org_name: " ".into(),
            corporate_number: "1234567890123".into(),
            email: "nope".into(),
            phone: "abc".into(),
            title: "あ".repeat(101),
            fields: vec![],
            fiscal_burden: "some".into(),
            ..input()
        };
        let errors = Intake::parse(&bad).err().unwrap_or_default();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        for f in [
            "kind",
            "org_name",
            "corporate_number",
            "email",
            "phone",
            "title",
            "field",
            "fiscal_explanation",
        ] {
            assert!(fields.contains(&f), "{f} not reported: {errors:?}");
        }
    }

    #[test]
    fn intake_text_keeps_unicode_and_refuses_control_characters() {
        let prose = "❤\u{FE0F} 👨\u{200D}👩\u{200D}👧 葛\u{E0100}城 𠮷 か\u{3099} e\u{301}";
        let i = Intake::parse(&IntakeInput {
            org_name: prose.into(),
            contact_name: prose.into(),
            title: prose.into(),
            summary: format!("{prose}\r\n二行目"),
            details: format!("{prose}\n\t字下げ"),
            ..input()
        })
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(i.org_name, prose);
        assert_eq!(i.title, prose);
        assert_eq!(i.summary, format!("{prose}\n二行目"));
        assert_eq!(i.details, format!("{prose}\n\t字下げ"));

        let bad = IntakeInput {
            org_name: "だんじり\u{0}".into(),
            contact_name: "岸和田\n太郎".into(),
            title: "題名\u{1B}[2J".into(),
            summary: "要約\r".into(),
            details: "詳細\u{85}".into(),
            expected_effects: "効果\u{7F}".into(),
            fiscal_burden: "some".into(),
            fiscal_explanation: "説明\u{7}".into(),
            ..input()
        };
        let errors = Intake::parse(&bad).err().unwrap_or_default();
        for (field, key) in [
            ("org_name", "error-control-character"),
            ("contact_name", "error-line-break"),
            ("title", "error-control-character"),
            ("summary", "error-control-character"),
            ("details", "error-control-character"),
            ("expected_effects", "error-control-character"),
            ("fiscal_explanation", "error-control-character"),
        ] {
            assert!(
                errors.contains(&ParseError::new(field, key)),
                "{field}: {errors:?}"
            );
        }
    }

    #[test]
    fn phones() {
        assert!(parse_phone("072-423-2121").is_ok());
        assert!(parse_phone("０９０－１２３４－５６７８").is_ok());
        assert!(parse_phone("+81 72 423 2121").is_ok());
        assert!(parse_phone("12345").is_err());
        assert!(parse_phone("072-423-2121 ext").is_err());
    }

    #[test]
    fn lifecycle() {
        use Status::*;
        let decide = |why: &str| Transition::Decide {
            fiscal_justification: why.into(),
        };
        let decline = Transition::Decline {
            reason: DeclineReason::SalesPitch,
            explanation: "単なる営業のため".into(),
        };
        assert_eq!(
            transition(Received, &Transition::StartHearing, false),
            Ok(Hearing)
        );
        assert_eq!(
            transition(Hearing, &Transition::StartCoordination, false),
            Ok(Coordinating)
        );
        assert_eq!(
            transition(Coordinating, &Transition::StartHearing, false),
            Ok(Hearing)
        );
        assert_eq!(transition(Coordinating, &decide(""), false), Ok(Decided));
        assert_eq!(transition(Received, &decline, false), Ok(Declined));
        assert_eq!(
            transition(Received, &decide(""), false).map_err(|e| e.key),
            Err("error-transition-invalid")
        );
        for closed in [Decided, Declined, Withdrawn, Referred] {
            assert_eq!(
                transition(closed, &Transition::StartHearing, false).map_err(|e| e.key),
                Err("error-transition-closed")
            );
            assert_eq!(
                transition(closed, &Transition::Withdraw, false).map_err(|e| e.key),
                Err("error-transition-closed")
            );
        }
        let empty = Transition::Decline {
            reason: DeclineReason::Other,
            explanation: "  ".into(),
        };
        assert_eq!(
            transition(Hearing, &empty, false).map_err(|e| e.key),
            Err("error-decline-explanation-required")
        );
        // 市の財政負担を伴わない: a cost to the city is decided only with a justification.
        assert_eq!(
            transition(Coordinating, &decide(" "), true).map_err(|e| e.key),
            Err("error-fiscal-justification-required")
        );
        assert_eq!(
            transition(
                Coordinating,
                &decide("国の補助金で全額まかなえるため"),
                true
            ),
            Ok(Decided)
        );
        assert_eq!(transition(Hearing, &decide(""), false), Ok(Decided));
    }

    #[test]
    fn receipt_numbers() {
        let r = ReceiptNumber::parse("272027-2026-0042").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.seq, 42);
        assert_eq!(r.to_string(), "272027-2026-0042");
        assert_eq!(
            ReceiptNumber {
                seq: 12345,
                ..r.clone()
            }
            .to_string(),
            "272027-2026-12345"
        );
        for bad in [
            "272028-2026-0042",
            "272027-26-0042",
            "272027-2026-42",
            "x",
            "272027-2026-0000",
        ] {
            assert!(ReceiptNumber::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn org_names_normalise() {
        assert_eq!(
            normalise_org_name("株式会社 だんじり防災"),
            normalise_org_name("だんじり防災（株）")
        );
        assert_eq!(normalise_org_name("ＮＰＯ法人 浜の会"), "浜の会");
    }
}
