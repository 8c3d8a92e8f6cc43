//! What the proposal pages show, translated: labels for the vocabulary, dates in 和暦,
//! the timeline in words. Shared by the desk's, the departments' and the proponent's views.

use crate::i18n::Tr;
use crate::view::{display_date, display_time};
use renkei_store::proposals::{AttachmentMeta, Event, Hearing, Message, Proposal, Routing};

/// A choice in a form: value, label, chosen.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

pub fn choices<T: Copy>(
    tr: &Tr,
    all: &[T],
    code: fn(T) -> &'static str,
    label_key: fn(T) -> String,
    chosen: &[String],
) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice {
            value: code(*v).to_string(),
            label: tr.t(&label_key(*v)),
            checked: chosen.iter().any(|c| c == code(*v)),
        })
        .collect()
}

pub struct ProposalView {
    pub p: Proposal,
    pub kind: String,
    pub route: String,
    pub status: String,
    pub partner_type: String,
    pub fields: String,
    pub offers: String,
    pub received_on: String,
    pub due_on: String,
    pub overdue: bool,
    pub decline_reason: Option<String>,
    pub closed: bool,
}

impl ProposalView {
    pub fn assigned_to(&self, id: &i64) -> bool {
        self.p.assignee_user_id == Some(*id)
    }

    pub fn new(tr: &Tr, p: Proposal, today: chrono::NaiveDate) -> Self {
        let list = |prefix: &str, items: &[String]| {
            items
                .iter()
                .map(|i| tr.t(&format!("{prefix}-{i}")))
                .collect::<Vec<_>>()
                .join("、")
        };
        Self {
            kind: tr.t(&format!("kind-{}", p.kind)),
            route: tr.t(&format!("route-{}", p.route)),
            status: tr.t(&format!("status-{}", p.status)),
            partner_type: tr.t(&format!("partner_type-{}", p.partner_type)),
            fields: list("field", &p.fields),
            offers: list("offer", &p.offers),
            received_on: renkei_domain::time::parse_db_date(&p.received_on)
                .map(renkei_domain::time::wareki)
                .unwrap_or_else(|| display_date(&p.created_at)),
            due_on: chrono::NaiveDate::parse_from_str(&p.first_response_due, "%Y-%m-%d")
                .map(renkei_domain::time::wareki)
                .unwrap_or_else(|_| p.first_response_due.clone()),
            overdue: p.is_response_overdue(today),
            decline_reason: p
                .decline_reason
                .as_ref()
                .map(|r| tr.t(&format!("decline_reason-{r}"))),
            closed: p.status().is_closed(),
            p,
        }
    }
}

pub struct EventView {
    pub at: String,
    pub text: String,
    pub actor: String,
    /// The desk's note on why (internal; the proponent's timeline never shows it).
    pub note: Option<String>,
}

pub fn events(tr: &Tr, list: Vec<Event>) -> Vec<EventView> {
    list.into_iter()
        .map(|e| {
            let text = match (e.kind.as_str(), &e.to_status) {
                ("status", Some(to)) => {
                    tr.t1("event-status", "status", &tr.t(&format!("status-{to}")))
                }
                ("submitted", _) => tr.t("event-submitted"),
                ("referred_in", _) => tr.t("event-referred-in"),
                ("message", _) => tr.t("event-message"),
                ("hearing", _) => tr.t("event-hearing"),
                ("routing", _) => tr.t("event-routing"),
                ("answer", _) => tr.t("event-answer"),
                ("assignment", _) => tr.t("event-assignment"),
                ("consent", _) => tr.t("event-consent"),
                ("claimed", _) => tr.t("event-claimed"),
                (other, _) => other.to_string(),
            };
            // The desk's note; a stored note that cannot be read as fields is shown as it
            // is rather than dropped.
            let note = match renkei_store::proposals::event_note(&e.note) {
                Some(serde_json::Value::Object(fields)) => fields
                    .get("note")
                    .and_then(|n| n.as_str())
                    .map(str::to_string),
                Some(serde_json::Value::String(raw)) => Some(raw),
                _ => None,
            }
            .filter(|n| !n.trim().is_empty());
            EventView {
                at: display_time(&e.at),
                text,
                actor: e.actor,
                note,
            }
        })
        .collect()
}

pub struct MessageView {
    pub at: String,
    pub from_desk: bool,
    pub author: String,
    pub body: String,
}

pub fn messages(list: Vec<Message>) -> Vec<MessageView> {
    list.into_iter()
        .map(|m| MessageView {
            at: display_time(&m.at),
            from_desk: m.from_desk,
            author: m.author,
            body: m.body,
        })
        .collect()
}

pub struct HearingView {
    pub held_on: String,
    pub channel: String,
    pub h: Hearing,
}

pub fn hearings(tr: &Tr, list: Vec<Hearing>) -> Vec<HearingView> {
    list.into_iter()
        .map(|h| HearingView {
            held_on: chrono::NaiveDate::parse_from_str(&h.held_on, "%Y-%m-%d")
                .map(renkei_domain::time::wareki)
                .unwrap_or_else(|_| h.held_on.clone()),
            channel: tr.t(&format!("channel-{}", h.channel)),
            h,
        })
        .collect()
}

pub struct RoutingView {
    pub r: Routing,
    pub due: String,
    pub answer: Option<String>,
    pub answered_at: Option<String>,
    pub overdue: bool,
}

pub fn routings(tr: &Tr, list: Vec<Routing>, today: chrono::NaiveDate) -> Vec<RoutingView> {
    list.into_iter()
        .map(|r| RoutingView {
            due: chrono::NaiveDate::parse_from_str(&r.due_on, "%Y-%m-%d")
                .map(renkei_domain::time::wareki)
                .unwrap_or_else(|_| r.due_on.clone()),
            answer: r.answer.as_ref().map(|a| tr.t(&format!("answer-{a}"))),
            answered_at: r.answered_at.as_deref().map(display_time),
            overdue: r.is_overdue(today),
            r,
        })
        .collect()
}

pub struct AttachmentView {
    pub a: AttachmentMeta,
    pub size: String,
}

pub fn attachments(list: Vec<AttachmentMeta>) -> Vec<AttachmentView> {
    list.into_iter()
        .map(|a| AttachmentView {
            size: if a.size >= 1024 * 1024 {
                format!("{:.1} MB", a.size as f64 / 1024.0 / 1024.0)
            } else {
                format!("{} KB", (a.size + 1023) / 1024)
            },
            a,
        })
        .collect()
}
