//! The desk's templates (定型文): named texts of two kinds — a message to the proponent and
//! the explanation of a 不採択 — that the desk picks on the proposal page instead of typing the
//! same words again. A template may hold placeholders ({提案者名}, {件名}, {受付番号}, {窓口名})
//! that [`fill`] replaces with the proposal's values.

use crate::ParseError;
use crate::text::TextRule;
use std::fmt;

pub const NAME: TextRule = TextRule::one_line("name", 100);
pub const BODY: TextRule = TextRule::many_lines("body", 4000);
/// At most this many templates per local government (a list to choose from, not a library).
pub const MAX_TEMPLATES: i64 = 200;

/// What a template is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TemplateKind {
    /// A message to the proponent.
    Message,
    /// The explanation of a 不採択 (told to the proponent).
    Decline,
}

impl TemplateKind {
    pub const ALL: &'static [TemplateKind] = &[TemplateKind::Message, TemplateKind::Decline];

    pub fn code(self) -> &'static str {
        match self {
            TemplateKind::Message => "message",
            TemplateKind::Decline => "decline",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ParseError> {
        match s.trim() {
            "message" => Ok(TemplateKind::Message),
            "decline" => Ok(TemplateKind::Decline),
            _ => Err(ParseError::new("kind", "error-template-kind-invalid")),
        }
    }

    /// The message key of its name: `template-kind-<code>`.
    pub fn label_key(self) -> String {
        format!("template-kind-{}", self.code())
    }
}

impl fmt::Display for TemplateKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A template as typed.
#[derive(Debug, Clone, Default)]
pub struct TemplateInput {
    pub kind: String,
    pub name: String,
    pub body: String,
}

/// A valid template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub kind: TemplateKind,
    pub name: String,
    pub body: String,
}

impl Template {
    /// Parses every field, reporting every one that does not parse.
    pub fn parse(input: &TemplateInput) -> Result<Self, Vec<ParseError>> {
        let mut errors = Vec::new();
        let kind = TemplateKind::parse(&input.kind)
            .map_err(|e| errors.push(e))
            .ok();
        let name = NAME
            .parse_required(&input.name, "error-required")
            .map_err(|e| errors.push(e))
            .ok();
        let body = BODY
            .parse_required(&input.body, "error-required")
            .map_err(|e| errors.push(e))
            .ok();
        match (kind, name, body) {
            (Some(kind), Some(name), Some(body)) if errors.is_empty() => {
                Ok(Self { kind, name, body })
            }
            _ => Err(errors),
        }
    }
}

/// The values a template's placeholders stand for.
#[derive(Debug, Clone, Default)]
pub struct Placeholders<'a> {
    /// {提案者名}: the proposing organisation.
    pub proponent: &'a str,
    /// {件名}: the proposal's title.
    pub title: &'a str,
    /// {受付番号}: its receipt number.
    pub receipt: &'a str,
    /// {窓口名}: the desk's name.
    pub desk: &'a str,
}

/// The placeholders a template may hold, as written in it.
pub const PLACEHOLDERS: &[&str] = &["{提案者名}", "{件名}", "{受付番号}", "{窓口名}"];

/// The template's text with each placeholder replaced by its value. One pass from left to
/// right: a value that itself looks like a placeholder is left as it is, and anything in
/// braces that is not a placeholder stays as written.
pub fn fill(body: &str, values: &Placeholders<'_>) -> String {
    let pairs = [
        ("{提案者名}", values.proponent),
        ("{件名}", values.title),
        ("{受付番号}", values.receipt),
        ("{窓口名}", values.desk),
    ];
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    'scan: while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let tail = &rest[open..];
        for (token, value) in pairs {
            if let Some(after) = tail.strip_prefix(token) {
                out.push_str(value);
                rest = after;
                continue 'scan;
            }
        }
        out.push('{');
        rest = &tail[1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> Placeholders<'static> {
        Placeholders {
            proponent: "株式会社だんじり",
            title: "防災訓練",
            receipt: "272027-2026-0001",
            desk: "岸和田市 公民戦略連携デスク",
        }
    }

    #[test]
    fn every_placeholder_is_replaced() {
        let t = "{提案者名} 様\n「{件名}」（{受付番号}）について、{窓口名}です。{件名}";
        assert_eq!(
            fill(t, &values()),
            "株式会社だんじり 様\n「防災訓練」（272027-2026-0001）について、岸和田市 公民戦略連携デスクです。防災訓練"
        );
    }

    #[test]
    fn other_braces_stay_and_values_are_not_filled_again() {
        assert_eq!(fill("{不明} {件名 {", &values()), "{不明} {件名 {");
        let tricky = Placeholders {
            title: "{受付番号}",
            ..values()
        };
        assert_eq!(
            fill("{件名}/{受付番号}", &tricky),
            "{受付番号}/272027-2026-0001"
        );
        assert_eq!(fill("", &values()), "");
        assert_eq!(fill("定型文", &values()), "定型文");
    }

    #[test]
    fn parse_reports_every_field() {
        let e = Template::parse(&TemplateInput {
            kind: "other".into(),
            name: "a".repeat(101),
            body: " ".into(),
        })
        .expect_err("invalid");
        let fields: Vec<_> = e.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["kind", "name", "body"]);
        assert!(
            Template::parse(&TemplateInput {
                kind: "decline".into(),
                name: "予算".into(),
                body: "x".repeat(4001),
            })
            .is_err()
        );
        let ok = Template::parse(&TemplateInput {
            kind: "message".into(),
            name: " 受付のお礼 ".into(),
            body: "x".repeat(4000),
        })
        .expect("valid");
        assert_eq!(ok.name, "受付のお礼");
        assert_eq!(ok.kind, TemplateKind::Message);
    }
}
