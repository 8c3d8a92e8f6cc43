//! Open calls (行政課題・テーマ型提案募集): a department's challenge that the desk publishes and
//! proposals answer (route テーマ型). The call's validated content, its status as a pure state
//! machine, the evaluation criteria with their weights, and the weighted score of an answer.

use crate::error::ParseError;
use crate::proposal::Field;
use crate::text::TextRule;
use chrono::NaiveDate;
use std::fmt;

/// Free-text rules of a call.
pub mod rules {
    use crate::text::TextRule;

    pub const TITLE: TextRule = TextRule::one_line("title", 100);
    pub const BACKGROUND: TextRule = TextRule::many_lines("background", 4000);
    pub const PROBLEM: TextRule = TextRule::many_lines("problem", 4000);
    pub const CONSTRAINTS: TextRule = TextRule::many_lines("constraints", 4000);
    pub const OFFERS: TextRule = TextRule::many_lines("offers", 4000);
    pub const OUTCOMES: TextRule = TextRule::many_lines("outcomes", 4000);
    pub const ELIGIBILITY: TextRule = TextRule::many_lines("eligibility", 2000);
    pub const CRITERION_NAME: TextRule = TextRule::one_line("criteria", 100);
    /// The desk's comment when it sends a call back to its department.
    pub const RETURN_COMMENT: TextRule = TextRule::many_lines("comment", 2000);
    /// Why the desk selected what it selected (published with the result).
    pub const SELECTION_REASON: TextRule = TextRule::many_lines("reason", 4000);
    /// An evaluator's comment with a score sheet, and the reason of a declared conflict.
    pub const SCORE_COMMENT: TextRule = TextRule::many_lines("comment", 2000);
    pub const CONFLICT_REASON: TextRule = TextRule::many_lines("reason", 1000);
}

/// At most this many evaluation criteria per call.
pub const MAX_CRITERIA: usize = 10;
/// The weights of a call's criteria add up to this.
pub const WEIGHT_TOTAL: i64 = 100;
/// A score per criterion: 1 (poor) to 5 (excellent).
pub const SCORE_MIN: i64 = 1;
pub const SCORE_MAX: i64 = 5;
/// At most this many evaluators per call.
pub const MAX_EVALUATORS: usize = 20;

/// Where a call stands. `Closed` is stored when the desk closes early; a published call past
/// its closing date reads as closed too ([`effective_status`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallStatus {
    /// 下書き
    Draft,
    /// 承認待ち (sent to the desk)
    Submitted,
    /// 公開中
    Published,
    /// 締切
    Closed,
    /// 選定済
    Decided,
}

impl CallStatus {
    pub const ALL: &'static [CallStatus] = &[
        Self::Draft,
        Self::Submitted,
        Self::Published,
        Self::Closed,
        Self::Decided,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Published => "published",
            Self::Closed => "closed",
            Self::Decided => "decided",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ParseError> {
        Self::ALL
            .iter()
            .copied()
            .find(|c| c.code() == s.trim())
            .ok_or(ParseError::new("status", "error-call-status-invalid"))
    }

    /// The message key of its name: `call-status-<code>`.
    pub fn label_key(self) -> String {
        format!("call-status-{}", self.code())
    }

    /// Visible to the public: published, closed or decided.
    pub fn is_public(self) -> bool {
        matches!(self, Self::Published | Self::Closed | Self::Decided)
    }

    /// The department (or the desk) may still edit it.
    pub fn is_editable(self) -> bool {
        self == Self::Draft
    }
}

impl fmt::Display for CallStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The status as it stands today: a published call whose closing date has passed is closed.
pub fn effective_status(stored: CallStatus, closes_on: NaiveDate, today: NaiveDate) -> CallStatus {
    if stored == CallStatus::Published && today > closes_on {
        CallStatus::Closed
    } else {
        stored
    }
}

/// Whether answers are accepted today: published and within the answer period.
pub fn accepts_answers(
    stored: CallStatus,
    opens_on: NaiveDate,
    closes_on: NaiveDate,
    today: NaiveDate,
) -> bool {
    effective_status(stored, closes_on, today) == CallStatus::Published && today >= opens_on
}

/// What someone asks to happen to a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallMove {
    /// The department sends its draft to the desk.
    Submit,
    /// The desk sends it back to draft (with a comment).
    Return,
    /// The desk approves and publishes it.
    Publish,
    /// The desk closes it before its closing date.
    Close,
    /// The desk records the selection.
    Decide,
}

impl CallMove {
    pub fn code(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Return => "return",
            Self::Publish => "publish",
            Self::Close => "close",
            Self::Decide => "decide",
        }
    }
}

/// The state machine: 下書き → 承認待ち → 公開中 (or back to 下書き) → 締切 → 選定済. The desk may
/// publish its own draft directly. `from` is the effective status ([`effective_status`]).
pub fn transition(from: CallStatus, m: CallMove) -> Result<CallStatus, &'static str> {
    use CallStatus::*;
    match (from, m) {
        (Draft, CallMove::Submit) => Ok(Submitted),
        (Submitted, CallMove::Return) => Ok(Draft),
        (Draft | Submitted, CallMove::Publish) => Ok(Published),
        (Published, CallMove::Close) => Ok(Closed),
        (Closed, CallMove::Decide) => Ok(Decided),
        _ => Err("error-call-transition-invalid"),
    }
}

/// One evaluation criterion: its name and weight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Criterion {
    pub name: String,
    pub weight: i64,
}

/// A call as typed (strings; criteria as name/weight pairs in order).
#[derive(Debug, Clone, Default)]
pub struct OpenCallInput {
    pub department_id: String,
    pub title: String,
    pub background: String,
    pub problem: String,
    pub constraints: String,
    pub offers: String,
    pub outcomes: String,
    pub opens_on: String,
    pub closes_on: String,
    pub eligibility: String,
    pub fields: Vec<String>,
    pub criteria: Vec<(String, String)>,
}

/// A valid call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenCall {
    pub department_id: i64,
    pub title: String,
    /// 背景
    pub background: String,
    /// 解決したい課題
    pub problem: String,
    /// 制約条件
    pub constraints: String,
    /// 提供できるもの (data, places, publicity…)
    pub offers: String,
    /// 期待する成果
    pub outcomes: String,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    /// 応募資格
    pub eligibility: String,
    pub fields: Vec<Field>,
    pub criteria: Vec<Criterion>,
}

fn text(errors: &mut Vec<ParseError>, rule: TextRule, value: &str, required: bool) -> String {
    let parsed = if required {
        rule.parse_required(value, "error-required")
    } else {
        rule.parse(value)
    };
    parsed.unwrap_or_else(|e| {
        errors.push(e);
        String::new()
    })
}

fn date(errors: &mut Vec<ParseError>, field: &'static str, v: &str) -> Option<NaiveDate> {
    if v.trim().is_empty() {
        errors.push(ParseError::new(field, "error-required"));
        return None;
    }
    NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
        .map_err(|_| errors.push(ParseError::new(field, "error-date-format")))
        .ok()
}

/// The criteria as typed: blank rows dropped; 1–10 of them, each named, each weight a whole
/// number 1–100, the weights adding up to 100.
pub fn parse_criteria(rows: &[(String, String)]) -> Result<Vec<Criterion>, ParseError> {
    const FIELD: &str = "criteria";
    let rows: Vec<&(String, String)> = rows
        .iter()
        .filter(|(n, w)| !n.trim().is_empty() || !w.trim().is_empty())
        .collect();
    if rows.is_empty() {
        return Err(ParseError::new(FIELD, "error-call-criteria-required"));
    }
    if rows.len() > MAX_CRITERIA {
        return Err(ParseError::new(FIELD, "error-call-criteria-too-many"));
    }
    let mut out = Vec::with_capacity(rows.len());
    for (name, weight) in rows {
        let name = rules::CRITERION_NAME.parse_required(name, "error-call-criterion-name")?;
        let weight: i64 = weight
            .trim()
            .parse()
            .ok()
            .filter(|w| (1..=WEIGHT_TOTAL).contains(w))
            .ok_or(ParseError::new(FIELD, "error-call-criterion-weight"))?;
        out.push(Criterion { name, weight });
    }
    if out.iter().map(|c| c.weight).sum::<i64>() != WEIGHT_TOTAL {
        return Err(ParseError::new(FIELD, "error-call-weights-sum"));
    }
    Ok(out)
}

impl OpenCall {
    /// Checks every field and reports every problem at once.
    pub fn parse(input: &OpenCallInput) -> Result<Self, Vec<ParseError>> {
        let mut errors = Vec::new();
        let department_id = input
            .department_id
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|d| *d > 0);
        if department_id.is_none() {
            errors.push(ParseError::new("department_id", "error-department-unknown"));
        }
        let title = text(&mut errors, rules::TITLE, &input.title, true);
        let background = text(&mut errors, rules::BACKGROUND, &input.background, true);
        let problem = text(&mut errors, rules::PROBLEM, &input.problem, true);
        let constraints = text(&mut errors, rules::CONSTRAINTS, &input.constraints, false);
        let offers = text(&mut errors, rules::OFFERS, &input.offers, false);
        let outcomes = text(&mut errors, rules::OUTCOMES, &input.outcomes, true);
        let eligibility = text(&mut errors, rules::ELIGIBILITY, &input.eligibility, false);
        let opens_on = date(&mut errors, "opens_on", &input.opens_on);
        let closes_on = date(&mut errors, "closes_on", &input.closes_on);
        if let (Some(o), Some(c)) = (opens_on, closes_on)
            && c < o
        {
            errors.push(ParseError::new("closes_on", "error-call-period"));
        }
        let mut fields = Vec::new();
        for f in &input.fields {
            match Field::parse(f) {
                Ok(f) if !fields.contains(&f) => fields.push(f),
                Ok(_) => {}
                Err(e) => {
                    errors.push(e);
                    break;
                }
            }
        }
        let criteria = parse_criteria(&input.criteria)
            .map_err(|e| errors.push(e))
            .ok();
        match (department_id, opens_on, closes_on, criteria) {
            (Some(department_id), Some(opens_on), Some(closes_on), Some(criteria))
                if errors.is_empty() =>
            {
                Ok(Self {
                    department_id,
                    title,
                    background,
                    problem,
                    constraints,
                    offers,
                    outcomes,
                    opens_on,
                    closes_on,
                    eligibility,
                    fields,
                    criteria,
                })
            }
            _ => Err(errors),
        }
    }
}

/// A score as typed: a whole number 1–5.
pub fn parse_score(s: &str) -> Result<i64, ParseError> {
    s.trim()
        .parse::<i64>()
        .ok()
        .filter(|v| (SCORE_MIN..=SCORE_MAX).contains(v))
        .ok_or(ParseError::new("score", "error-call-score-range"))
}

/// The weighted total of one evaluator's scores for one answer: Σ score × weight / 5, so
/// 0–100 when the weights add up to 100. Pairs are (weight, score).
pub fn weighted_total(scores: &[(i64, i64)]) -> f64 {
    let sum: i64 = scores.iter().map(|(w, s)| w * s).sum();
    sum as f64 / SCORE_MAX as f64
}

/// The average of several evaluators' totals (`None` when nobody scored).
pub fn average(totals: &[f64]) -> Option<f64> {
    if totals.is_empty() {
        None
    } else {
        Some(totals.iter().sum::<f64>() / totals.len() as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    fn input() -> OpenCallInput {
        OpenCallInput {
            department_id: "3".into(),
            title: "公園の利活用".into(),
            background: "背景".into(),
            problem: "課題".into(),
            outcomes: "成果".into(),
            opens_on: "2026-12-01".into(),
            closes_on: "2026-12-31".into(),
            fields: vec!["town".into()],
            criteria: vec![("実現性".into(), "60".into()), ("効果".into(), "40".into())],
            ..OpenCallInput::default()
        }
    }

    #[test]
    fn a_complete_call_parses() {
        let c = OpenCall::parse(&input()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(c.criteria.len(), 2);
        assert_eq!(c.fields, vec![Field::Town]);
        assert_eq!(c.closes_on, d("2026-12-31"));
    }

    #[test]
    fn every_error_is_reported() {
        let mut i = input();
        i.title = String::new();
        i.closes_on = "2026-11-01".into();
        i.criteria = vec![("実現性".into(), "60".into()), ("効果".into(), "30".into())];
        let errors = OpenCall::parse(&i).err().unwrap_or_default();
        let fields: Vec<_> = errors.iter().map(|e| (e.field, e.key)).collect();
        assert!(fields.contains(&("title", "error-required")));
        assert!(fields.contains(&("closes_on", "error-call-period")));
        assert!(fields.contains(&("criteria", "error-call-weights-sum")));
    }

    #[test]
    fn criteria_rules() {
        let row = |n: &str, w: &str| (n.to_string(), w.to_string());
        assert!(parse_criteria(&[]).is_err());
        assert!(parse_criteria(&[row("a", "100")]).is_ok());
        assert!(parse_criteria(&[row("a", "0"), row("b", "100")]).is_err());
        assert!(parse_criteria(&[row("", "100")]).is_err());
        assert!(parse_criteria(&[row("a", "x")]).is_err());
        assert!(parse_criteria(&[row("a", "100"), row("", "")]).is_ok());
        let eleven: Vec<_> = (0..11).map(|i| row(&format!("c{i}"), "9")).collect();
        assert_eq!(
            parse_criteria(&eleven).err().map(|e| e.key),
            Some("error-call-criteria-too-many")
        );
    }

    #[test]
    fn scores_and_weighted_totals() {
        assert_eq!(parse_score("3"), Ok(3));
        assert!(parse_score("0").is_err());
        assert!(parse_score("6").is_err());
        assert!(parse_score("").is_err());
        assert_eq!(weighted_total(&[(60, 5), (40, 5)]), 100.0);
        assert_eq!(weighted_total(&[(60, 1), (40, 1)]), 20.0);
        assert_eq!(weighted_total(&[(60, 4), (40, 3)]), 72.0);
        assert_eq!(weighted_total(&[]), 0.0);
        assert_eq!(average(&[72.0, 80.0]), Some(76.0));
        assert_eq!(average(&[]), None);
    }

    #[test]
    fn the_state_machine() {
        use CallMove::*;
        use CallStatus::*;
        assert_eq!(transition(Draft, Submit), Ok(Submitted));
        assert_eq!(transition(Submitted, Return), Ok(Draft));
        assert_eq!(transition(Submitted, Publish), Ok(Published));
        assert_eq!(transition(Draft, Publish), Ok(Published));
        assert_eq!(transition(Published, Close), Ok(Closed));
        assert_eq!(transition(Closed, Decide), Ok(Decided));
        assert!(transition(Published, Decide).is_err());
        assert!(transition(Decided, Close).is_err());
        assert!(transition(Published, Submit).is_err());
        // Past its closing date a published call is closed.
        assert_eq!(
            effective_status(Published, d("2026-12-31"), d("2027-01-01")),
            Closed
        );
        assert_eq!(
            effective_status(Published, d("2026-12-31"), d("2026-12-31")),
            Published
        );
        assert!(accepts_answers(
            Published,
            d("2026-12-01"),
            d("2026-12-31"),
            d("2026-12-31")
        ));
        assert!(!accepts_answers(
            Published,
            d("2026-12-01"),
            d("2026-12-31"),
            d("2026-11-30")
        ));
        assert!(!accepts_answers(
            Closed,
            d("2026-12-01"),
            d("2026-12-31"),
            d("2026-12-10")
        ));
    }
}
