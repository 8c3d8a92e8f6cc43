//! What the proposal pages show, translated: labels for the vocabulary, dates in 和暦,
//! the timeline in words. Shared by the desk's, the departments' and the proponent's views.

use crate::i18n::Tr;
use renkei_app::mailer::{date_for, moment_for};
use renkei_domain::proposal::CorrectionField;
use renkei_store::proposals::{
    AttachmentMeta, Event, Hearing, Memo, Message, Proposal, Routing, RoutingQuestion,
};

/// How much of a corrected value the timeline shows (the audit trail holds all of it).
const CORRECTION_SHOWN: usize = 200;

/// The first `max` characters of `s`, with 「…」 when there was more.
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max).collect();
        out.push('…');
        out
    }
}

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
    /// The fields one by one (badges in the inbox).
    pub field_list: Vec<String>,
    pub offers: String,
    pub received_on: String,
    pub due_on: String,
    pub overdue: bool,
    pub decline_reason: Option<String>,
    pub closed: bool,
    /// The desk may correct the record (every state but 取下げ).
    pub correctable: bool,
    /// 「新しい回答 2件」 while departments' answers wait for the desk to open the proposal.
    pub new_answers: Option<String>,
    /// 「照会あり 1件」 while departments' questions wait for the desk's reply.
    pub open_questions: Option<String>,
}

impl ProposalView {
    pub fn assigned_to(&self, id: &i64) -> bool {
        self.p.assignee_user_id == Some(*id)
    }

    pub fn new(tr: &Tr, p: Proposal, today: chrono::NaiveDate) -> Self {
        let list = |keys: Vec<String>| keys.iter().map(|k| tr.t(k)).collect::<Vec<_>>().join("、");
        Self {
            kind: tr.t(&p.kind.label_key()),
            route: tr.t(&p.route.label_key()),
            status: tr.t(&p.status.label_key()),
            partner_type: tr.t(&p.partner_type.label_key()),
            fields: list(p.fields.iter().map(|f| f.label_key()).collect()),
            field_list: p.fields.iter().map(|f| tr.t(&f.label_key())).collect(),
            offers: list(p.offers.iter().map(|o| o.label_key()).collect()),
            received_on: date_for(tr.lang, p.received_on),
            due_on: date_for(tr.lang, p.first_response_due),
            overdue: p.is_response_overdue(today),
            decline_reason: p.decline_reason.map(|r| tr.t(&r.label_key())),
            closed: p.status().is_closed(),
            correctable: p.status() != renkei_domain::proposal::Status::Withdrawn,
            new_answers: (p.unseen_answers > 0)
                .then(|| tr.t1("inbox-new-answers", "count", &p.unseen_answers)),
            open_questions: (p.open_questions > 0)
                .then(|| tr.t1("inbox-open-questions", "count", &p.open_questions)),
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
                ("status", Some(to)) => tr.t1("event-status", "status", &tr.t(&to.label_key())),
                ("submitted", _) => tr.t("event-submitted"),
                ("referred_in", _) => tr.t("event-referred-in"),
                ("message", _) => tr.t("event-message"),
                ("hearing", _) => tr.t("event-hearing"),
                ("routing", _) => tr.t("event-routing"),
                ("answer", _) => tr.t("event-answer"),
                ("routing_question", _) => tr.t1(
                    "event-routing-question",
                    "department",
                    &note_field(&e.note, "department"),
                ),
                ("question_reply", _) => tr.t1(
                    "event-question-reply",
                    "department",
                    &note_field(&e.note, "department"),
                ),
                ("assignment", _) => tr.t("event-assignment"),
                ("consent", _) => tr.t("event-consent"),
                ("claimed", _) => tr.t("event-claimed"),
                (other, _) => other.to_string(),
            };
            let fields = match renkei_store::proposals::event_note(&e.note) {
                Some(serde_json::Value::Object(fields)) => fields,
                _ => serde_json::Map::new(),
            };
            let field = |k: &str| fields.get(k).and_then(|v| v.as_str()).unwrap_or_default();
            // The desk's own records say what they are about.
            let (text, own_note) = match e.kind.as_str() {
                "correction" => {
                    let label = CorrectionField::parse(field("field"))
                        .map(|f| tr.t(f.form_label_key()))
                        .unwrap_or_else(|_| field("field").to_string());
                    let shown = |v: &str| {
                        if v.is_empty() {
                            tr.t("event-correction-empty")
                        } else {
                            clip(v, CORRECTION_SHOWN)
                        }
                    };
                    let change = tr.fill(
                        "event-correction-change",
                        &[("old", &shown(field("old"))), ("new", &shown(field("new")))],
                    );
                    let reason = tr.fill("event-correction-reason", &[("reason", field("reason"))]);
                    (
                        tr.fill("event-correction", &[("field", &label)]),
                        Some(format!("{change}\n{reason}")),
                    )
                }
                "attachment" => (
                    tr.fill("event-attachment", &[("filename", field("filename"))]),
                    None,
                ),
                _ => (text, None),
            };
            // The desk's note; a stored note that cannot be read as fields is shown as it
            // is rather than dropped.
            let note = own_note
                .or_else(|| match renkei_store::proposals::event_note(&e.note) {
                    Some(serde_json::Value::Object(fields)) => fields
                        .get("note")
                        .and_then(|n| n.as_str())
                        .map(str::to_string),
                    Some(serde_json::Value::String(raw)) => Some(raw),
                    _ => None,
                })
                .filter(|n| !n.trim().is_empty());
            // A person by name, never by the address they signed in with.
            let actor = match (e.actor_name, e.actor.as_str()) {
                (Some(name), _) => name,
                (None, "proponent") => tr.t("event-actor-proponent"),
                (None, _) => tr.t("event-actor-system"),
            };
            EventView {
                at: moment_for(tr.lang, e.at),
                text,
                actor,
                note,
            }
        })
        .collect()
}

/// One field of a timeline note written as JSON fields (empty when there is none).
fn note_field(note: &str, name: &str) -> String {
    match renkei_store::proposals::event_note(note) {
        Some(serde_json::Value::Object(fields)) => fields
            .get(name)
            .and_then(|n| n.as_str())
            .unwrap_or_default()
            .to_string(),
        _ => String::new(),
    }
}

/// A department's question to the desk (照会) and the desk's reply, internal to the city.
pub struct QuestionView {
    pub q: RoutingQuestion,
    pub asked_at: String,
    pub replied_at: Option<String>,
}

pub fn questions(tr: &Tr, list: Vec<RoutingQuestion>) -> Vec<QuestionView> {
    list.into_iter()
        .map(|q| QuestionView {
            asked_at: moment_for(tr.lang, q.asked_at),
            replied_at: q.replied_at.map(|t| moment_for(tr.lang, t)),
            q,
        })
        .collect()
}

/// The questions of a proposal's routings, for a template to show under each routing.
pub struct Questions(pub Vec<QuestionView>);

impl Questions {
    /// Whether the routing has questions.
    pub fn has(&self, routing_id: &i64) -> bool {
        self.0.iter().any(|q| q.q.routing_id == *routing_id)
    }

    /// The routing's questions, oldest first.
    pub fn of(&self, routing_id: &i64) -> Vec<&QuestionView> {
        self.0
            .iter()
            .filter(|q| q.q.routing_id == *routing_id)
            .collect()
    }
}

pub struct MessageView {
    pub at: String,
    pub from_desk: bool,
    pub author: String,
    pub body: String,
}

pub fn messages(tr: &Tr, list: Vec<Message>) -> Vec<MessageView> {
    list.into_iter()
        .map(|m| MessageView {
            at: moment_for(tr.lang, m.at),
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
            held_on: date_for(tr.lang, h.held_on),
            channel: tr.t(&h.channel.label_key()),
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
            due: date_for(tr.lang, r.due_on),
            answer: r.answer.map(|a| tr.t(&a.label_key())),
            answered_at: r.answered_at.map(|t| moment_for(tr.lang, t)),
            overdue: r.is_overdue(today),
            r,
        })
        .collect()
}

pub struct AttachmentView {
    pub a: AttachmentMeta,
    pub size: String,
    /// The desk's own file, with who attached it when known.
    pub desk: Option<String>,
}

pub struct MemoView {
    pub at: String,
    pub author: String,
    pub body: String,
}

/// Internal memos, newest first, with their authors by name (和暦 times in Japanese).
pub fn memos(tr: &Tr, list: Vec<Memo>) -> Vec<MemoView> {
    list.into_iter()
        .map(|m| MemoView {
            at: moment_for(tr.lang, m.at),
            author: m.author_name.unwrap_or_else(|| tr.t("event-actor-system")),
            body: m.body,
        })
        .collect()
}

/// A file's size as people read it: 「12 KB」, 「1.5 MB」.
pub fn size_label(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / 1024.0 / 1024.0)
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

pub fn attachments(tr: &Tr, list: Vec<AttachmentMeta>) -> Vec<AttachmentView> {
    list.into_iter()
        .map(|a| AttachmentView {
            size: size_label(a.size),
            desk: a.from_desk().then(|| match &a.uploader_name {
                Some(name) => format!(
                    "{}・{}",
                    tr.t("desk-attachment-mark"),
                    tr.fill("desk-attachment-by", &[("name", name)])
                ),
                None => tr.t("desk-attachment-mark"),
            }),
            a,
        })
        .collect()
}
