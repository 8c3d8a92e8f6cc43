//! Partnerships (連携事業) and what keeps them alive: the three forms, their parties, the
//! lifecycle 準備中 → 締結済・実施中 → 終了 | 解約, activities (取組実績), outcome indicators,
//! the annual review (年次評価), beneficiaries' voice (受益者の声) and the rules that flag an
//! agreement as dormant or ending without a decision. Pure: the caller passes `today`.

use crate::CorporateNumber;
use crate::error::ParseError;
use crate::proposal::{Field, MAX_LONG_TEXT, PartnerType, text};
use chrono::{Months, NaiveDate};

vocabulary!(
    /// 包括連携協定 (led by the desk) / 事業連携協定 / 個別の連携事業 (led by a department).
    Form { Comprehensive = "comprehensive", Business = "business", Project = "project" } field "form"
);

vocabulary!(
    /// 準備中 → 締結済・実施中 → 終了 | 解約
    PartnershipStatus {
        Preparing = "preparing",
        Active = "active",
        Ended = "ended",
        Cancelled = "cancelled",
    } field "partnership_status"
);

vocabulary!(
    /// The annual review's decision (年次評価): continue, revise, or end.
    ReviewDecision { Continue = "continue", Revise = "revise", End = "end" } field "review_decision"
);

vocabulary!(
    /// Who gave feedback (optional): 市民 / 利用者 / 参加者 / その他.
    FeedbackAttribute { Citizen = "citizen", User = "user", Participant = "participant", Other = "other" } field "feedback_attribute"
);

vocabulary!(
    /// Where a piece of feedback stands: held for moderation, shown, or not shown.
    FeedbackStatus { Pending = "pending", Approved = "approved", Rejected = "rejected" } field "feedback_status"
);

impl Form {
    /// 包括連携協定 are led by the desk; the other forms by a department (所管課).
    pub fn needs_department(self) -> bool {
        !matches!(self, Self::Comprehensive)
    }
}

impl PartnershipStatus {
    /// Whether activities, reviews and dormancy apply (締結済・実施中).
    pub fn is_active(self) -> bool {
        self == Self::Active
    }

    pub fn is_closed(self) -> bool {
        matches!(self, Self::Ended | Self::Cancelled)
    }

    /// Whether a published (公開) partnership in this status is a public *case* (連携事例: the
    /// case library and its search, the landing page's latest cases and figures, the case
    /// page `/t/{code}/cases/{id}`): signed or ended. One preparing is not yet a case, one
    /// cancelled (解約) no longer is. The store's SQL for it is `CASE_STATUS_SQL`.
    pub fn is_case(self) -> bool {
        matches!(self, Self::Active | Self::Ended)
    }

    /// Whether a published partnership in this status is on the public agreement register
    /// (`/t/{code}/agreements`) and in the open data: every status but 準備中, so a cancelled
    /// agreement stays listed, marked 解約. The store's SQL for it is `LISTED_STATUS_SQL`.
    pub fn is_listed(self) -> bool {
        self != Self::Preparing
    }
}

/// A change of a partnership's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// 締結: the agreement was signed on this day.
    Sign { signed_on: NaiveDate },
    /// 終了: it ran its course.
    End,
    /// 解約: it was cancelled before its end.
    Cancel,
    /// Back to 締結済・実施中 (an ending recorded by mistake, or a renewal).
    Reopen,
}

impl Move {
    pub fn code(self) -> &'static str {
        match self {
            Self::Sign { .. } => "sign",
            Self::End => "end",
            Self::Cancel => "cancel",
            Self::Reopen => "reopen",
        }
    }
}

/// The lifecycle as a pure function.
pub fn transition(
    from: PartnershipStatus,
    mv: Move,
    today: NaiveDate,
) -> Result<PartnershipStatus, ParseError> {
    use PartnershipStatus::*;
    let refused = Err(ParseError::new(
        "move",
        "error-partnership-move-not-allowed",
    ));
    match (from, mv) {
        (Preparing, Move::Sign { signed_on }) => {
            if signed_on > today {
                Err(ParseError::new("signed_on", "error-date-in-future"))
            } else {
                Ok(Active)
            }
        }
        (Active, Move::End) => Ok(Ended),
        (Preparing | Active, Move::Cancel) => Ok(Cancelled),
        (Ended | Cancelled, Move::Reopen) => Ok(Active),
        _ => refused,
    }
}

/// The status of a partnership entered from a record (an import, a direct entry): not signed
/// → 準備中; signed and past its end without automatic renewal → 終了; else 締結済・実施中.
pub fn initial_status(
    signed_on: Option<NaiveDate>,
    ends_on: Option<NaiveDate>,
    auto_renew: bool,
    today: NaiveDate,
) -> PartnershipStatus {
    match (signed_on, ends_on) {
        (None, _) => PartnershipStatus::Preparing,
        (Some(_), Some(end)) if end < today && !auto_renew => PartnershipStatus::Ended,
        _ => PartnershipStatus::Active,
    }
}

/// Months without an activity after which a partnership is dormant, unless the tenant sets
/// another period (1–60).
pub const DEFAULT_DORMANCY_MONTHS: u32 = 12;
pub const MAX_DORMANCY_MONTHS: u32 = 60;

/// Days before its end within which an agreement without a renewal decision is flagged.
pub const ENDING_NOTICE_DAYS: u64 = 90;

/// The last day on which something must have happened for a partnership not to be dormant
/// today: an activity (or the signing, when there was none) on or before this day means dormant.
pub fn dormancy_cutoff(today: NaiveDate, months: u32) -> NaiveDate {
    today
        .checked_sub_months(Months::new(months))
        .unwrap_or(NaiveDate::MIN)
}

/// Dormant (休眠): 締結済・実施中 and nothing recorded for `months` — the last activity, or the
/// signing (else the start) when there has been none.
pub fn is_dormant(
    status: PartnershipStatus,
    last_activity_on: Option<NaiveDate>,
    signed_on: Option<NaiveDate>,
    starts_on: Option<NaiveDate>,
    today: NaiveDate,
    months: u32,
) -> bool {
    if !status.is_active() {
        return false;
    }
    match last_activity_on.or(signed_on).or(starts_on) {
        Some(since) => since <= dormancy_cutoff(today, months),
        None => false,
    }
}

/// The earliest review day that counts as a renewal decision for an agreement ending on
/// `ends_on`: a review within the half year before the end.
pub fn renewal_decision_from(ends_on: NaiveDate) -> NaiveDate {
    ends_on
        .checked_sub_months(Months::new(6))
        .unwrap_or(NaiveDate::MIN)
}

/// Ending without a decision: 締結済・実施中, not renewed automatically, ending within
/// [`ENDING_NOTICE_DAYS`] (or already past its end), and no annual review since
/// [`renewal_decision_from`].
pub fn is_ending_undecided(
    status: PartnershipStatus,
    ends_on: Option<NaiveDate>,
    auto_renew: bool,
    last_review_on: Option<NaiveDate>,
    today: NaiveDate,
) -> bool {
    let Some(end) = ends_on else { return false };
    if !status.is_active() || auto_renew {
        return false;
    }
    let horizon = today + chrono::Days::new(ENDING_NOTICE_DAYS);
    end <= horizon && last_review_on.is_none_or(|r| r < renewal_decision_from(end))
}

/// Text limits.
pub mod rules {
    use super::MAX_LONG_TEXT;
    use crate::text::TextRule;

    pub const TITLE: TextRule = TextRule::one_line("title", 200);
    pub const PURPOSE: TextRule = TextRule::many_lines("purpose", MAX_LONG_TEXT);
    pub const SUMMARY: TextRule = TextRule::many_lines("summary", MAX_LONG_TEXT);
    pub const CITY_ROLE: TextRule = TextRule::many_lines("city_role", MAX_LONG_TEXT);
    pub const FISCAL_JUSTIFICATION: TextRule =
        TextRule::many_lines("fiscal_justification", MAX_LONG_TEXT);
    pub const COMMERCIAL_NOTE: TextRule = TextRule::many_lines("commercial_note", MAX_LONG_TEXT);
    pub const PARTY_NAME: TextRule = TextRule::one_line("party_name", 200);
    pub const PARTY_ROLE: TextRule = TextRule::many_lines("party_role", 4000);
    pub const ACTIVITY_TITLE: TextRule = TextRule::one_line("activity_title", 200);
    pub const ACTIVITY_DESCRIPTION: TextRule =
        TextRule::many_lines("activity_description", MAX_LONG_TEXT);
    pub const ACTIVITY_OUTPUTS: TextRule = TextRule::many_lines("activity_outputs", 4000);
    pub const INDICATOR_NAME: TextRule = TextRule::one_line("indicator_name", 200);
    pub const INDICATOR_UNIT: TextRule = TextRule::one_line("indicator_unit", 20);
    pub const REVIEW_ASSESSMENT: TextRule = TextRule::many_lines("assessment", MAX_LONG_TEXT);
    pub const REVIEW_PARTNER_VIEW: TextRule = TextRule::many_lines("partner_view", MAX_LONG_TEXT);
    pub const FEEDBACK_COMMENT: TextRule = TextRule::many_lines("comment", 2000);
}

/// The most parties one partnership may have.
pub const MAX_PARTIES: usize = 20;
/// The largest fiscal burden recorded (yen): 1 兆円.
pub const MAX_AMOUNT_YEN: i64 = 1_000_000_000_000;
/// The most people an activity may report.
pub const MAX_PEOPLE: i64 = 100_000_000;
/// Indicator values: ± 1 兆.
pub const MAX_INDICATOR_VALUE: i64 = 1_000_000_000_000;
/// Fiscal years an indicator or review may name.
pub const FISCAL_YEARS: std::ops::RangeInclusive<i32> = 1989..=2100;

/// One party as typed: an organisation (or another local government) and its role.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartyInput {
    pub name: String,
    pub party_type: String,
    pub corporate_number: String,
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    pub name: String,
    pub party_type: PartnerType,
    pub corporate_number: Option<CorporateNumber>,
    pub role: String,
}

/// A partnership as typed (a form, an API body, a spreadsheet row).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartnershipInput {
    pub form: String,
    pub title: String,
    pub purpose: String,
    pub summary: String,
    /// 所管課: a department id of the tenant (checked by the store), empty for none.
    pub department_id: String,
    pub city_role: String,
    pub parties: Vec<PartyInput>,
    pub fields: Vec<String>,
    pub signed_on: String,
    pub starts_on: String,
    pub ends_on: String,
    pub auto_renew: bool,
    /// `none` or `some`.
    pub fiscal_burden: String,
    pub fiscal_amount: String,
    pub fiscal_justification: String,
    pub published: bool,
    pub commercial_benefit: bool,
    pub commercial_note: String,
}

/// A valid partnership record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partnership {
    pub form: Form,
    pub title: String,
    pub purpose: String,
    pub summary: String,
    pub department_id: Option<i64>,
    pub city_role: String,
    pub parties: Vec<Party>,
    pub fields: Vec<Field>,
    pub signed_on: Option<NaiveDate>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub auto_renew: bool,
    /// `None`: no cost to the city; `Some((yen, justification))`.
    pub fiscal_burden: Option<(i64, String)>,
    pub published: bool,
    /// Where the partner gains commercially, the line between its business and its social
    /// contribution (required then).
    pub commercial_note: Option<String>,
}

/// A date field: empty → `None`; ISO or 和暦 (see [`crate::date_input`]).
pub fn optional_date(
    errors: &mut Vec<ParseError>,
    field: &'static str,
    value: &str,
) -> Option<NaiveDate> {
    if value.trim().is_empty() {
        return None;
    }
    match crate::date_input::parse(value) {
        Some(d) => Some(d),
        None => {
            errors.push(ParseError::new(field, "error-date-invalid"));
            None
        }
    }
}

/// A bounded whole number typed by a person (full-width digits and thousands commas accepted).
pub fn parse_integer(value: &str, min: i64, max: i64) -> Option<i64> {
    let s: String = value
        .trim()
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | '円' | ' '))
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '－' | '−' => '-',
            _ => c,
        })
        .collect();
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    let n: i64 = s.parse().ok()?;
    (min..=max).contains(&n).then_some(n)
}

impl Partnership {
    /// Checks every field and reports every problem at once.
    pub fn parse(input: &PartnershipInput) -> Result<Self, Vec<ParseError>> {
        let mut errors = Vec::new();
        let form = Form::parse(&input.form).map_err(|e| errors.push(e)).ok();
        let title = text(&mut errors, rules::TITLE, &input.title, true);
        let purpose = text(&mut errors, rules::PURPOSE, &input.purpose, false);
        let summary = text(&mut errors, rules::SUMMARY, &input.summary, false);
        let city_role = text(&mut errors, rules::CITY_ROLE, &input.city_role, false);
        let department_id = if input.department_id.trim().is_empty() {
            None
        } else {
            match parse_integer(&input.department_id, 1, i64::MAX) {
                Some(id) => Some(id),
                None => {
                    errors.push(ParseError::new("department_id", "error-department-invalid"));
                    None
                }
            }
        };
        if form.is_some_and(Form::needs_department)
            && department_id.is_none()
            && !errors.iter().any(|e| e.field == "department_id")
        {
            errors.push(ParseError::new(
                "department_id",
                "error-partnership-department-required",
            ));
        }
        let mut parties = Vec::new();
        let typed: Vec<&PartyInput> = input
            .parties
            .iter()
            .filter(|p| {
                !(p.name.trim().is_empty()
                    && p.corporate_number.trim().is_empty()
                    && p.role.trim().is_empty())
            })
            .collect();
        if typed.is_empty() {
            errors.push(ParseError::new("party_name", "error-party-required"));
        } else if typed.len() > MAX_PARTIES {
            errors.push(ParseError::new("party_name", "error-too-many-parties"));
        }
        for p in typed.into_iter().take(MAX_PARTIES) {
            let name = text(&mut errors, rules::PARTY_NAME, &p.name, true);
            let party_type = PartnerType::parse(&p.party_type)
                .map_err(|_| errors.push(ParseError::new("party_type", "error-party-type-invalid")))
                .ok();
            let corporate_number = if p.corporate_number.trim().is_empty() {
                None
            } else {
                CorporateNumber::parse(&p.corporate_number)
                    .map_err(|_| {
                        errors.push(ParseError::new(
                            "party_corporate_number",
                            "error-corporate-number-invalid",
                        ))
                    })
                    .ok()
            };
            let role = text(&mut errors, rules::PARTY_ROLE, &p.role, false);
            if let Some(party_type) = party_type {
                parties.push(Party {
                    name,
                    party_type,
                    corporate_number,
                    role,
                });
            }
        }
        let mut fields = Vec::new();
        for f in &input.fields {
            if f.trim().is_empty() {
                continue;
            }
            match Field::parse(f) {
                Ok(v) if !fields.contains(&v) => fields.push(v),
                Ok(_) => {}
                Err(e) => errors.push(e),
            }
        }
        let signed_on = optional_date(&mut errors, "signed_on", &input.signed_on);
        let starts_on = optional_date(&mut errors, "starts_on", &input.starts_on);
        let ends_on = optional_date(&mut errors, "ends_on", &input.ends_on);
        if let (Some(s), Some(e)) = (starts_on.or(signed_on), ends_on)
            && e < s
        {
            errors.push(ParseError::new("ends_on", "error-ends-before-start"));
        }
        let fiscal_burden = match input.fiscal_burden.trim() {
            "" | "none" => None,
            "some" => {
                let amount = match parse_integer(&input.fiscal_amount, 1, MAX_AMOUNT_YEN) {
                    Some(a) => a,
                    None => {
                        errors.push(ParseError::new("fiscal_amount", "error-amount-invalid"));
                        0
                    }
                };
                let why = text(
                    &mut errors,
                    rules::FISCAL_JUSTIFICATION,
                    &input.fiscal_justification,
                    true,
                );
                Some((amount, why))
            }
            _ => {
                errors.push(ParseError::new(
                    "fiscal_burden",
                    "error-fiscal-burden-invalid",
                ));
                None
            }
        };
        let commercial_note = if input.commercial_benefit {
            let note = text(
                &mut errors,
                rules::COMMERCIAL_NOTE,
                &input.commercial_note,
                false,
            );
            if note.is_empty() {
                errors.push(ParseError::new(
                    "commercial_note",
                    "error-commercial-note-required",
                ));
            }
            Some(note)
        } else {
            None
        };
        match (form, errors.is_empty()) {
            (Some(form), true) => Ok(Self {
                form,
                title,
                purpose,
                summary,
                department_id,
                city_role,
                parties,
                fields,
                signed_on,
                starts_on,
                ends_on,
                auto_renew: input.auto_renew,
                fiscal_burden,
                published: input.published,
                commercial_note,
            }),
            _ => Err(errors),
        }
    }
}

/// An activity (取組実績) as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivityInput {
    pub done_on: String,
    pub title: String,
    pub description: String,
    pub people: String,
    pub outputs: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    pub done_on: NaiveDate,
    pub title: String,
    pub description: String,
    /// People involved or reached.
    pub people: Option<i64>,
    pub outputs: String,
}

impl Activity {
    /// An activity happened: not after `today`.
    pub fn parse(input: &ActivityInput, today: NaiveDate) -> Result<Self, Vec<ParseError>> {
        let mut errors = Vec::new();
        let done_on = if input.done_on.trim().is_empty() {
            errors.push(ParseError::new("done_on", "error-required"));
            None
        } else {
            optional_date(&mut errors, "done_on", &input.done_on)
        };
        if done_on.is_some_and(|d| d > today) {
            errors.push(ParseError::new("done_on", "error-date-in-future"));
        }
        let title = text(&mut errors, rules::ACTIVITY_TITLE, &input.title, true);
        let description = text(
            &mut errors,
            rules::ACTIVITY_DESCRIPTION,
            &input.description,
            false,
        );
        let people = if input.people.trim().is_empty() {
            None
        } else {
            match parse_integer(&input.people, 0, MAX_PEOPLE) {
                Some(n) => Some(n),
                None => {
                    errors.push(ParseError::new("people", "error-people-invalid"));
                    None
                }
            }
        };
        let outputs = text(&mut errors, rules::ACTIVITY_OUTPUTS, &input.outputs, false);
        match (done_on, errors.is_empty()) {
            (Some(done_on), true) => Ok(Self {
                done_on,
                title,
                description,
                people,
                outputs,
            }),
            _ => Err(errors),
        }
    }
}

/// An outcome indicator (成果指標) as typed: its name and unit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndicatorInput {
    pub name: String,
    pub unit: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indicator {
    pub name: String,
    pub unit: String,
}

impl Indicator {
    pub fn parse(input: &IndicatorInput) -> Result<Self, Vec<ParseError>> {
        let mut errors = Vec::new();
        let name = text(&mut errors, rules::INDICATOR_NAME, &input.name, true);
        let unit = text(&mut errors, rules::INDICATOR_UNIT, &input.unit, false);
        if errors.is_empty() {
            Ok(Self { name, unit })
        } else {
            Err(errors)
        }
    }
}

/// A fiscal year typed as `2026`, `令和8` or `R8` (年度 optional).
pub fn parse_fiscal_year(value: &str) -> Option<i32> {
    let s = value.trim().trim_end_matches("年度").trim_end_matches('年');
    let s: String = s
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            _ => c,
        })
        .collect();
    let year = if let Some(r) = s.strip_prefix("令和").or_else(|| s.strip_prefix('R')) {
        let n: i32 = if r == "元" { 1 } else { r.parse().ok()? };
        (n >= 1).then_some(2018 + n)?
    } else if let Some(h) = s.strip_prefix("平成").or_else(|| s.strip_prefix('H')) {
        let n: i32 = if h == "元" { 1 } else { h.parse().ok()? };
        (1..=31).contains(&n).then_some(1988 + n)?
    } else {
        s.parse().ok()?
    };
    FISCAL_YEARS.contains(&year).then_some(year)
}

/// One fiscal year's target and actual for an indicator, as typed (either may be empty).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndicatorValueInput {
    pub fiscal_year: String,
    pub target: String,
    pub actual: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndicatorValue {
    pub fiscal_year: i32,
    pub target: Option<i64>,
    pub actual: Option<i64>,
}

impl IndicatorValue {
    pub fn parse(input: &IndicatorValueInput) -> Result<Self, Vec<ParseError>> {
        let mut errors = Vec::new();
        let fiscal_year = parse_fiscal_year(&input.fiscal_year);
        if fiscal_year.is_none() {
            errors.push(ParseError::new("fiscal_year", "error-fiscal-year-invalid"));
        }
        let mut number = |field: &'static str, v: &str| {
            if v.trim().is_empty() {
                return None;
            }
            let n = parse_integer(v, -MAX_INDICATOR_VALUE, MAX_INDICATOR_VALUE);
            if n.is_none() {
                errors.push(ParseError::new(field, "error-number-invalid"));
            }
            n
        };
        let target = number("target", &input.target);
        let actual = number("actual", &input.actual);
        match (fiscal_year, errors.is_empty()) {
            (Some(fiscal_year), true) => Ok(Self {
                fiscal_year,
                target,
                actual,
            }),
            _ => Err(errors),
        }
    }
}

/// The annual review (年次評価) as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewInput {
    pub fiscal_year: String,
    pub decision: String,
    pub assessment: String,
    pub partner_view: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub fiscal_year: i32,
    pub decision: ReviewDecision,
    pub assessment: String,
    /// The partner's own view of the year.
    pub partner_view: String,
}

impl Review {
    pub fn parse(input: &ReviewInput) -> Result<Self, Vec<ParseError>> {
        let mut errors = Vec::new();
        let fiscal_year = parse_fiscal_year(&input.fiscal_year);
        if fiscal_year.is_none() {
            errors.push(ParseError::new("fiscal_year", "error-fiscal-year-invalid"));
        }
        let decision = ReviewDecision::parse(&input.decision)
            .map_err(|e| errors.push(e))
            .ok();
        let assessment = text(
            &mut errors,
            rules::REVIEW_ASSESSMENT,
            &input.assessment,
            true,
        );
        let partner_view = text(
            &mut errors,
            rules::REVIEW_PARTNER_VIEW,
            &input.partner_view,
            false,
        );
        match (fiscal_year, decision, errors.is_empty()) {
            (Some(fiscal_year), Some(decision), true) => Ok(Self {
                fiscal_year,
                decision,
                assessment,
                partner_view,
            }),
            _ => Err(errors),
        }
    }
}

/// Beneficiaries' voice (受益者の声) as typed on the public form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedbackInput {
    pub rating: String,
    pub comment: String,
    pub attribute: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    /// 1–5.
    pub rating: i64,
    pub comment: String,
    pub attribute: Option<FeedbackAttribute>,
}

impl Feedback {
    pub fn parse(input: &FeedbackInput) -> Result<Self, Vec<ParseError>> {
        let mut errors = Vec::new();
        let rating = parse_integer(&input.rating, 1, 5);
        if rating.is_none() {
            errors.push(ParseError::new("rating", "error-rating-invalid"));
        }
        let comment = text(&mut errors, rules::FEEDBACK_COMMENT, &input.comment, false);
        let attribute = if input.attribute.trim().is_empty() {
            None
        } else {
            FeedbackAttribute::parse(&input.attribute)
                .map_err(|e| errors.push(e))
                .ok()
        };
        match (rating, errors.is_empty()) {
            (Some(rating), true) => Ok(Self {
                rating,
                comment,
                attribute,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_public_sees_by_status() {
        use PartnershipStatus::*;
        let cases: Vec<_> = PartnershipStatus::ALL
            .iter()
            .filter(|s| s.is_case())
            .collect();
        assert_eq!(cases, vec![&Active, &Ended]);
        let listed: Vec<_> = PartnershipStatus::ALL
            .iter()
            .filter(|s| s.is_listed())
            .collect();
        assert_eq!(listed, vec![&Active, &Ended, &Cancelled]);
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid")
    }

    fn input() -> PartnershipInput {
        PartnershipInput {
            form: "business".into(),
            title: "防災備蓄の連携".into(),
            department_id: "3".into(),
            parties: vec![PartyInput {
                name: "株式会社サンプル".into(),
                party_type: "company".into(),
                corporate_number: String::new(),
                role: "備蓄品の提供".into(),
            }],
            fields: vec!["disaster".into()],
            signed_on: "令和6年4月1日".into(),
            ends_on: "2027-03-31".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_valid_record_parses() {
        let p = Partnership::parse(&input()).expect("valid");
        assert_eq!(p.form, Form::Business);
        assert_eq!(p.signed_on, Some(d(2024, 4, 1)));
        assert_eq!(p.department_id, Some(3));
        assert_eq!(p.parties.len(), 1);
        assert_eq!(p.fiscal_burden, None);
    }

    #[test]
    fn every_problem_is_reported() {
        let mut i = input();
        i.form = "treaty".into();
        i.title = String::new();
        i.parties[0].party_type = "alien".into();
        i.ends_on = "2020-01-01".into();
        i.fiscal_burden = "some".into();
        i.commercial_benefit = true;
        let errors = Partnership::parse(&i).expect_err("refused");
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        for f in [
            "form",
            "title",
            "party_type",
            "ends_on",
            "fiscal_amount",
            "fiscal_justification",
            "commercial_note",
        ] {
            assert!(fields.contains(&f), "{f} missing from {fields:?}");
        }
    }

    #[test]
    fn a_department_leads_all_but_comprehensive_agreements() {
        let mut i = input();
        i.department_id = String::new();
        let errors = Partnership::parse(&i).expect_err("refused");
        assert_eq!(errors[0].key, "error-partnership-department-required");
        i.form = "comprehensive".into();
        assert!(Partnership::parse(&i).is_ok());
    }

    #[test]
    fn lifecycle() {
        use PartnershipStatus::*;
        let today = d(2026, 12, 1);
        assert_eq!(
            transition(Preparing, Move::Sign { signed_on: today }, today),
            Ok(Active)
        );
        assert!(
            transition(
                Preparing,
                Move::Sign {
                    signed_on: d(2026, 12, 2)
                },
                today
            )
            .is_err()
        );
        assert_eq!(transition(Active, Move::End, today), Ok(Ended));
        assert_eq!(transition(Active, Move::Cancel, today), Ok(Cancelled));
        assert!(transition(Preparing, Move::End, today).is_err());
        assert!(transition(Ended, Move::Cancel, today).is_err());
        assert_eq!(transition(Ended, Move::Reopen, today), Ok(Active));
    }

    #[test]
    fn dormancy_counts_whole_months_from_the_last_sign_of_life() {
        let today = d(2026, 12, 1);
        let active = PartnershipStatus::Active;
        assert!(is_dormant(
            active,
            Some(d(2025, 12, 1)),
            None,
            None,
            today,
            12
        ));
        assert!(!is_dormant(
            active,
            Some(d(2025, 12, 2)),
            None,
            None,
            today,
            12
        ));
        // No activity yet: the signing counts.
        assert!(is_dormant(
            active,
            None,
            Some(d(2025, 11, 30)),
            None,
            today,
            12
        ));
        assert!(!is_dormant(
            active,
            None,
            Some(d(2026, 1, 1)),
            None,
            today,
            12
        ));
        // A recent activity clears it, whatever the signing date.
        assert!(!is_dormant(
            active,
            Some(d(2026, 11, 1)),
            Some(d(2020, 1, 1)),
            None,
            today,
            12
        ));
        // Only agreements in force are dormant.
        assert!(!is_dormant(
            PartnershipStatus::Ended,
            None,
            Some(d(2020, 1, 1)),
            None,
            today,
            12
        ));
        assert!(!is_dormant(
            PartnershipStatus::Preparing,
            None,
            None,
            Some(d(2020, 1, 1)),
            today,
            12
        ));
        // The period is the tenant's: 3 months.
        assert!(is_dormant(
            active,
            Some(d(2026, 9, 1)),
            None,
            None,
            today,
            3
        ));
        // Month ends: 31 May minus 3 months is 28/29 February.
        assert_eq!(dormancy_cutoff(d(2026, 5, 31), 3), d(2026, 2, 28));
    }

    #[test]
    fn an_agreement_ending_without_a_decision_is_flagged() {
        let today = d(2026, 12, 1);
        let a = PartnershipStatus::Active;
        let end = d(2027, 1, 31);
        assert!(is_ending_undecided(a, Some(end), false, None, today));
        assert!(!is_ending_undecided(a, Some(end), true, None, today));
        assert!(!is_ending_undecided(
            a,
            Some(d(2027, 6, 30)),
            false,
            None,
            today
        ));
        assert!(!is_ending_undecided(
            a,
            Some(end),
            false,
            Some(d(2026, 10, 1)),
            today
        ));
        assert!(is_ending_undecided(
            a,
            Some(end),
            false,
            Some(d(2026, 3, 1)),
            today
        ));
        assert!(!is_ending_undecided(a, None, false, None, today));
    }

    #[test]
    fn numbers_are_bounded() {
        assert_eq!(parse_integer("１,２００円", 0, 10_000), Some(1200));
        assert_eq!(parse_integer("99999999999999999999999", 0, i64::MAX), None);
        assert_eq!(parse_integer("-1", 0, 10), None);
        assert_eq!(parse_fiscal_year("令和8年度"), Some(2026));
        assert_eq!(parse_fiscal_year("R元"), Some(2019));
        assert_eq!(parse_fiscal_year("2026"), Some(2026));
        assert_eq!(parse_fiscal_year("3000"), None);
        let a = ActivityInput {
            done_on: "2026-12-02".into(),
            title: "x".into(),
            people: "1e9".into(),
            ..Default::default()
        };
        let errors = Activity::parse(&a, d(2026, 12, 1)).expect_err("refused");
        assert_eq!(errors.len(), 2);
        let f = FeedbackInput {
            rating: "6".into(),
            ..Default::default()
        };
        assert_eq!(Feedback::parse(&f).expect_err("refused")[0].field, "rating");
    }
}
