//! Proposals: intake, the desk's inbox, the lifecycle, hearings, routings, messages,
//! attachments, referral to another desk, and the partner registry they feed.
//!
//! Confidentiality is enforced above (the policies decide who may call what); every method
//! here takes the tenant first and never returns another tenant's rows.
//!
//! This file holds the read models (typed: a stored value that does not parse is
//! [`StoreError::Corrupt`]), how a row becomes one, and the pieces of a write that several
//! changes share (`WriteTx::insert_proposal`, `add_event`, `touch`). The changes themselves:
//! [`intake`] (receiving), [`reads`] (one, many, the inbox), [`lifecycle`] (moves, consents),
//! [`work`] (assignment, hearings, routings, messages) and [`partners`] (the registry).

mod batch;
pub use batch::{BULK_MAX, BulkChange};
mod drafts;
pub use drafts::{DRAFT_HOURS, Draft};
mod intake;
mod lifecycle;
mod partners;
pub use partners::{PartnerContact, PartnerFilter, PartnerMerge};
pub(crate) use partners::{SORT_KEY_MIGRATION, fill_sort_keys};
mod questions;
pub use questions::{OPEN_QUESTIONS_LIST_MAX, OPEN_QUESTIONS_MAX, OpenQuestion, RoutingQuestion};
mod reads;
pub use reads::{DEPARTMENT_LIST_MAX, INBOX_EXPORT_MAX};
mod desk_work;
mod work;
pub use desk_work::{
    Correction, MAX_DESK_ATTACHMENTS, Memo, UPLOADED_BY_DESK, correctable, correction_basis,
};

use crate::events::{DomainEvent, Mailer, Recipient};
use crate::rows;
use crate::sessions::{random_token, token_hash};
use crate::{Backend, Result, Store, StoreError, Who, WriteTx};
use chrono::{DateTime, NaiveDate, Utc};
use renkei_domain::proposal::{
    Answer, Channel, DeclineReason, Field, Intake, Kind, Offer, PartnerType, ReceiptNumber, Route,
    Status, Transition, normalise_org_name, rules, transition,
};
use renkei_domain::{Lang, TenantCode};
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::sync::OnceLock;

/// A stored proposal, all of it (confidential: callers must have passed a policy check).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub id: i64,
    pub tenant_code: TenantCode,
    pub receipt_number: String,
    pub kind: Kind,
    pub route: Route,
    pub status: Status,
    pub partner_id: i64,
    pub org_name: String,
    pub partner_type: PartnerType,
    pub corporate_number: Option<String>,
    pub org_address: String,
    pub contact_name: String,
    pub contact_department: String,
    pub contact_title: String,
    pub email: String,
    pub phone: String,
    pub title: String,
    pub summary: String,
    pub details: String,
    pub fields: Vec<Field>,
    pub offers: Vec<Offer>,
    pub expected_effects: String,
    /// Whether the proponent declared a cost to the city (財政負担あり).
    pub fiscal_burden: bool,
    pub fiscal_explanation: String,
    pub publication_consent: bool,
    pub referral_consent: bool,
    pub proponent_user_id: Option<i64>,
    pub assignee_user_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub first_response_due: NaiveDate,
    pub first_responded_at: Option<DateTime<Utc>>,
    pub decline_reason: Option<DeclineReason>,
    pub decline_explanation: Option<String>,
    pub referred_to: Option<TenantCode>,
    pub referred_from_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// The day of receipt in Japan.
    pub received_on: NaiveDate,
    /// The fiscal year (年度) of receipt.
    pub fiscal_year: i64,
    /// Why the city decided despite a cost to it (財政負担あり), recorded at 実施決定.
    pub fiscal_justification: Option<String>,
    /// The language it was sent in: mail to the proponent is written in it.
    pub lang: Lang,
    /// Departments' answers the desk has not opened yet.
    pub unseen_answers: i64,
    /// Departments' questions (照会) waiting for the desk's reply.
    pub open_questions: i64,
    /// When the proponent agreed to the handling of personal information (None: entered by
    /// the desk, or received before the intake asked).
    pub privacy_consented_at: Option<DateTime<Utc>>,
}

impl Proposal {
    pub fn status(&self) -> Status {
        self.status
    }

    /// `some` or `none`, as the intake form and the API say it.
    pub fn fiscal_burden_code(&self) -> &'static str {
        if self.fiscal_burden { "some" } else { "none" }
    }

    /// Open, not yet answered, and past its first-response date.
    pub fn is_response_overdue(&self, today: NaiveDate) -> bool {
        !self.status.is_closed()
            && self.first_responded_at.is_none()
            && self.first_response_due < today
    }
}

/// The columns of a [`Proposal`] (`p` is `proposals`), with its fields and offers from their
/// own tables.
pub(crate) fn columns(backend: Backend) -> &'static str {
    static SQLITE: OnceLock<String> = OnceLock::new();
    static POSTGRES: OnceLock<String> = OnceLock::new();
    let cell = match backend {
        Backend::Sqlite => &SQLITE,
        Backend::Postgres => &POSTGRES,
    };
    cell.get_or_init(|| {
        format!(
            "p.id, p.tenant_code, p.receipt_number, p.kind, p.route, p.status, p.partner_id, \
             p.org_name, p.partner_type, p.corporate_number, p.org_address, p.contact_name, p.contact_department, p.contact_title, \
             p.email, p.phone, p.title, p.summary, \
             p.details, \
             (SELECT {} FROM proposal_fields f WHERE f.proposal_id = p.id) AS fields, \
             (SELECT {} FROM proposal_offers o WHERE o.proposal_id = p.id) AS offers, \
             p.expected_effects, p.fiscal_burden, p.fiscal_explanation, \
             p.publication_consent, p.referral_consent, p.proponent_user_id, p.assignee_user_id, \
             (SELECT u.display_name FROM users u WHERE u.id = p.assignee_user_id) AS assignee_name, \
             p.first_response_due, p.first_responded_at, p.decline_reason, p.decline_explanation, p.referred_to, \
             p.referred_from_id, p.created_at, p.updated_at, p.closed_at, p.received_on, p.fiscal_year, p.fiscal_justification, p.lang, p.unseen_answers, p.privacy_consented_at, \
             (SELECT COUNT(*) FROM routing_questions q WHERE q.proposal_id = p.id AND q.replied_at IS NULL) AS open_questions",
            backend.joined("f.field", "f.position"),
            backend.joined("o.offer", "o.position"),
        )
    })
}

/// A comma-joined list of codes, each parsed.
fn split_list<T>(
    r: &sqlx::any::AnyRow,
    column: &'static str,
    parse: fn(&str) -> std::result::Result<T, renkei_domain::ParseError>,
) -> Result<Vec<T>> {
    let s: String = r.try_get(column)?;
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(|x| {
            parse(x).map_err(|_| StoreError::Corrupt {
                table: "proposals",
                column,
                value: x.to_string(),
            })
        })
        .collect()
}

pub(crate) fn proposal_from_row(r: &sqlx::any::AnyRow) -> Result<Proposal> {
    const T: &str = "proposals";
    Ok(Proposal {
        id: r.try_get("id")?,
        tenant_code: rows::code(r, T, "tenant_code", TenantCode::parse)?,
        receipt_number: r.try_get("receipt_number")?,
        kind: rows::code(r, T, "kind", Kind::parse)?,
        route: rows::code(r, T, "route", Route::parse)?,
        status: rows::code(r, T, "status", Status::parse)?,
        partner_id: r.try_get("partner_id")?,
        org_name: r.try_get("org_name")?,
        partner_type: rows::code(r, T, "partner_type", PartnerType::parse)?,
        corporate_number: r.try_get("corporate_number")?,
        org_address: r.try_get("org_address")?,
        contact_name: r.try_get("contact_name")?,
        contact_department: r.try_get("contact_department")?,
        contact_title: r.try_get("contact_title")?,
        email: r.try_get("email")?,
        phone: r.try_get("phone")?,
        title: r.try_get("title")?,
        summary: r.try_get("summary")?,
        details: r.try_get("details")?,
        fields: split_list(r, "fields", Field::parse)?,
        offers: split_list(r, "offers", Offer::parse)?,
        expected_effects: r.try_get("expected_effects")?,
        fiscal_burden: rows::code(r, T, "fiscal_burden", |s| match s {
            "some" => Ok(true),
            "none" => Ok(false),
            _ => Err(renkei_domain::ParseError::new(
                "fiscal_burden",
                "error-fiscal-burden-invalid",
            )),
        })?,
        fiscal_explanation: r.try_get("fiscal_explanation")?,
        publication_consent: r.try_get::<i64, _>("publication_consent")? != 0,
        referral_consent: r.try_get::<i64, _>("referral_consent")? != 0,
        proponent_user_id: r.try_get("proponent_user_id")?,
        assignee_user_id: r.try_get("assignee_user_id")?,
        assignee_name: r.try_get("assignee_name")?,
        first_response_due: rows::date(r, T, "first_response_due")?,
        first_responded_at: rows::opt_instant(r, T, "first_responded_at")?,
        decline_reason: rows::opt_code(r, T, "decline_reason", DeclineReason::parse)?,
        decline_explanation: r.try_get("decline_explanation")?,
        referred_to: rows::opt_code(r, T, "referred_to", TenantCode::parse)?,
        referred_from_id: r.try_get("referred_from_id")?,
        created_at: rows::instant(r, T, "created_at")?,
        updated_at: rows::instant(r, T, "updated_at")?,
        closed_at: rows::opt_instant(r, T, "closed_at")?,
        received_on: rows::date(r, T, "received_on")?,
        fiscal_year: r.try_get("fiscal_year")?,
        fiscal_justification: r.try_get("fiscal_justification")?,
        lang: rows::lang(r, T, "lang")?,
        unseen_answers: r.try_get("unseen_answers")?,
        open_questions: r.try_get("open_questions")?,
        privacy_consented_at: rows::opt_instant(r, T, "privacy_consented_at")?,
    })
}

/// An attachment as uploaded (its type already checked by content).
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub filename: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentMeta {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    /// `proponent` (sent with the proposal or a message) or `desk` (the desk's own file,
    /// [`UPLOADED_BY_DESK`]: city-hall staff only, never the proponent).
    pub uploaded_by: String,
    /// The desk officer who attached it (the desk's files).
    pub uploader_name: Option<String>,
    pub created_at: String,
}

impl AttachmentMeta {
    /// The desk's own file (internal: the proponent never sees it).
    pub fn from_desk(&self) -> bool {
        self.uploaded_by == UPLOADED_BY_DESK
    }
}

#[derive(Debug, Clone)]
pub struct NewProposal {
    pub intake: Intake,
    pub route: Route,
    pub proponent_user_id: Option<i64>,
    pub attachments: Vec<NewAttachment>,
    /// The client address, for the intake rate limit (None: not rate limited, e.g. outbound).
    pub ip: Option<String>,
    /// The proponent's language (the intake page's, the API's `Accept-Language`): mail to the
    /// proponent is written in it.
    pub lang: Lang,
    /// The proponent agreed to the handling of personal information (個人情報の取扱い).
    pub privacy_consented: bool,
    /// The confirmed draft (the 確認画面's token): deleted in the proposal's own transaction,
    /// so one draft becomes at most one proposal.
    pub draft_token: Option<String>,
}

/// What the proponent gets back: the receipt number and the private tracking token.
#[derive(Debug, Clone)]
pub struct Submitted {
    pub id: i64,
    pub receipt_number: String,
    pub tracking_token: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// Who, as the audit trail names them (an account's address, `proponent`, `demo`, `cli`).
    pub actor: String,
    /// The account's display name, when an account acted.
    pub actor_name: Option<String>,
    pub kind: String,
    pub from_status: Option<Status>,
    pub to_status: Option<Status>,
    pub note: String,
    pub for_proponent: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub from_desk: bool,
    pub author: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hearing {
    pub id: i64,
    pub held_on: NaiveDate,
    pub channel: Channel,
    pub participants: String,
    pub notes: String,
    pub next_steps: String,
    pub recorded_by: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewHearing {
    pub held_on: NaiveDate,
    pub channel: Channel,
    pub participants: String,
    pub notes: String,
    pub next_steps: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routing {
    pub id: i64,
    pub proposal_id: i64,
    pub receipt_number: String,
    pub title: String,
    pub department_id: i64,
    pub department_name: String,
    pub question: String,
    pub due_on: NaiveDate,
    pub requested_at: DateTime<Utc>,
    pub answer: Option<Answer>,
    pub answer_comment: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
}

impl Routing {
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.answered_at.is_none() && self.due_on < today
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partner {
    pub id: i64,
    pub name: String,
    /// フリガナ in katakana; empty when not known.
    pub name_kana: String,
    pub partner_type: PartnerType,
    pub corporate_number: Option<String>,
    pub address: String,
    pub website: String,
    pub phone: String,
    pub note: String,
    pub strengths: String,
    pub constraints: String,
    pub proposal_count: i64,
    pub created_at: DateTime<Utc>,
}

/// The desk's inbox query. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct InboxFilter {
    pub statuses: Vec<String>,
    pub kind: Option<String>,
    pub field: Option<String>,
    pub partner_type: Option<String>,
    pub route: Option<String>,
    /// Received at least this many days ago.
    pub older_than_days: Option<i64>,
    /// `Some(0)`: unassigned; `Some(id)`: that desk officer.
    pub assignee: Option<i64>,
    /// Free text over title, summary, details, organisation, contact and receipt number.
    pub q: Option<String>,
    /// Only open proposals whose first response is overdue.
    pub overdue_only: bool,
    /// Only proposals with a routing request past its deadline and not answered.
    pub routing_overdue_only: bool,
    pub sort: InboxSort,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum InboxSort {
    #[default]
    Newest,
    Oldest,
    DueSoonest,
    RecentlyUpdated,
}

impl InboxSort {
    pub const ALL: [Self; 4] = [
        Self::Newest,
        Self::Oldest,
        Self::DueSoonest,
        Self::RecentlyUpdated,
    ];

    /// The order a code names, if it names one.
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.code() == s)
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "oldest" => Self::Oldest,
            "due" => Self::DueSoonest,
            "updated" => Self::RecentlyUpdated,
            _ => Self::Newest,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Newest => "newest",
            Self::Oldest => "oldest",
            Self::DueSoonest => "due",
            Self::RecentlyUpdated => "updated",
        }
    }

    fn order_by(self) -> &'static str {
        match self {
            Self::Newest => "p.created_at DESC, p.id DESC",
            Self::Oldest => "p.created_at ASC, p.id ASC",
            Self::DueSoonest => "p.first_response_due ASC, p.id ASC",
            Self::RecentlyUpdated => "p.updated_at DESC, p.id DESC",
        }
    }
}

/// Tenant settings for the desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeskSettings {
    pub first_response_days: i64,
    pub routing_days: i64,
    /// The desk's own department (庁内照会 goes to other departments, never to it).
    pub desk_department_id: Option<i64>,
}

impl DeskSettings {
    /// The deadline of a routing asked today, when the desk names none: its routing period
    /// in business days (what the page suggests and what a command without a date uses).
    pub fn routing_due(&self, today: NaiveDate) -> NaiveDate {
        renkei_domain::calendar::add_business_days(
            today,
            u32::try_from(self.routing_days).unwrap_or(10),
        )
    }
}

impl Default for DeskSettings {
    fn default() -> Self {
        Self {
            first_response_days: 5,
            routing_days: 10,
            desk_department_id: None,
        }
    }
}

/// Text folded for search: NFKC, lower case, hiragana as katakana (so ｷｼﾜﾀﾞ finds キシワダ, ＡＢＣ
/// finds abc and だんじり finds ダンジリ). Folding folded text changes nothing.
pub fn search_fold(s: &str) -> String {
    renkei_domain::kana::hiragana_to_katakana(
        &renkei_domain::kana::to_full_width_kana(s).to_lowercase(),
    )
}

/// The `search_text` column of a proposal: its receipt number and the proponent's text, folded
/// ([`search_fold`]). Every writer of proposals calls this (intake, referral copies, bulk load).
pub fn search_text(receipt: &str, i: &Intake) -> String {
    search_text_of(
        receipt,
        [
            &i.title,
            &i.summary,
            &i.details,
            &i.org_name,
            &i.contact_name,
            &i.expected_effects,
            i.email.as_str(),
        ],
    )
}

/// [`search_text`] of a stored proposal (after a correction changed its text).
pub(crate) fn stored_search_text(p: &Proposal) -> String {
    search_text_of(
        &p.receipt_number,
        [
            &p.title,
            &p.summary,
            &p.details,
            &p.org_name,
            &p.contact_name,
            &p.expected_effects,
            &p.email,
        ],
    )
}

/// Title, summary, details, organisation, contact, expected effects and e-mail, in that order.
fn search_text_of(receipt: &str, parts: [&str; 7]) -> String {
    search_fold(&format!("{receipt}\n{}", parts.join("\n")))
}

/// A timeline note or audit detail: a JSON object of strings, written by serde_json (so any
/// text, emoji and variation selectors included, comes out as valid JSON).
pub(crate) fn event_note_json(pairs: &[(&str, &str)]) -> String {
    let map: serde_json::Map<String, serde_json::Value> = pairs
        .iter()
        .map(|(k, v)| {
            (
                (*k).to_string(),
                serde_json::Value::String((*v).to_string()),
            )
        })
        .collect();
    serde_json::Value::Object(map).to_string()
}

/// Reads a timeline note: `None` when there is none; a JSON object as written; or, for a
/// note that is not JSON, the raw text as a string, so nothing the desk wrote is lost.
///
/// Notes (and audit details) written before the serialiser was used carry Rust's escaping
/// (`"\u{fe0f}"`), which is not JSON. Those rows are chained in the audit trail and cannot
/// be rewritten; they are decoded here with that escaping.
pub fn event_note(note: &str) -> Option<serde_json::Value> {
    if note.trim().is_empty() {
        return None;
    }
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(note) {
        return Some(v);
    }
    Some(
        legacy_note(note)
            .map(serde_json::Value::Object)
            .unwrap_or_else(|| serde_json::Value::String(note.to_string())),
    )
}

/// Decodes `{"k":"v",...}` as once written with `format!("{k:?}:{v:?}")`.
fn legacy_note(note: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    fn string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<String> {
        if chars.next()? != '"' {
            return None;
        }
        let mut out = String::new();
        loop {
            match chars.next()? {
                '"' => return Some(out),
                '\\' => match chars.next()? {
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    '0' => out.push('\0'),
                    c @ ('\\' | '"' | '\'') => out.push(c),
                    'u' => {
                        if chars.next()? != '{' {
                            return None;
                        }
                        let mut hex = String::new();
                        loop {
                            match chars.next()? {
                                '}' => break,
                                c if c.is_ascii_hexdigit() && hex.len() < 6 => hex.push(c),
                                _ => return None,
                            }
                        }
                        out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                    }
                    _ => return None,
                },
                c => out.push(c),
            }
        }
    }
    let mut chars = note.trim().chars().peekable();
    if chars.next()? != '{' {
        return None;
    }
    let mut map = serde_json::Map::new();
    if chars.peek() == Some(&'}') {
        chars.next();
    } else {
        loop {
            let key = string(&mut chars)?;
            if chars.next()? != ':' {
                return None;
            }
            let value = string(&mut chars)?;
            map.insert(key, serde_json::Value::String(value));
            match chars.next()? {
                ',' => continue,
                '}' => break,
                _ => return None,
            }
        }
    }
    chars.next().is_none().then_some(map)
}

impl WriteTx {
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn add_event(
        &mut self,
        proposal_id: i64,
        tenant: &str,
        who: &Who,
        kind: &str,
        from: Option<&str>,
        to: Option<&str>,
        note: &str,
        for_proponent: bool,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO proposal_events (proposal_id, tenant_code, at, actor_user_id, actor, kind, from_status, to_status, note, for_proponent) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(proposal_id)
        .bind(tenant)
        .bind(self.now_ts())
        .bind(who.user_id)
        .bind(&who.label)
        .bind(kind)
        .bind(from)
        .bind(to)
        .bind(note)
        .bind(i64::from(for_proponent))
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn next_receipt(&mut self, tenant: TenantCode, year: i32) -> Result<ReceiptNumber> {
        let row = sqlx::query(
            "INSERT INTO receipt_counters (tenant_code, year, last_seq) VALUES ($1, $2, 1) \
             ON CONFLICT (tenant_code, year) DO UPDATE SET last_seq = receipt_counters.last_seq + 1 \
             RETURNING last_seq",
        )
        .bind(tenant.to_string())
        .bind(i64::from(year))
        .fetch_one(&mut *self.tx)
        .await?;
        Ok(ReceiptNumber {
            tenant,
            year,
            seq: row.try_get("last_seq")?,
        })
    }

    /// Finds the partner by 法人番号, else by normalised name; creates it when new.
    pub(crate) async fn partner_for(
        &mut self,
        tenant: &str,
        name: &str,
        partner_type: &str,
        corporate_number: Option<&str>,
    ) -> Result<i64> {
        let norm = normalise_org_name(name);
        if let Some(cn) = corporate_number
            && let Some(r) = sqlx::query(
                "SELECT id FROM partners WHERE tenant_code = $1 AND corporate_number = $2",
            )
            .bind(tenant)
            .bind(cn)
            .fetch_optional(&mut *self.tx)
            .await?
        {
            return Ok(r.try_get("id")?);
        }
        if let Some(r) = sqlx::query(
            "SELECT id, corporate_number FROM partners WHERE tenant_code = $1 AND name_norm = $2",
        )
        .bind(tenant)
        .bind(&norm)
        .fetch_optional(&mut *self.tx)
        .await?
        {
            let id: i64 = r.try_get("id")?;
            let known: Option<String> = r.try_get("corporate_number")?;
            match (known, corporate_number) {
                // A different 法人番号 under the same name: a different organisation.
                (Some(k), Some(cn)) if k != cn => {}
                (None, Some(cn)) => {
                    sqlx::query(
                        "UPDATE partners SET corporate_number = $2, updated_at = $3 WHERE id = $1",
                    )
                    .bind(id)
                    .bind(cn)
                    .bind(self.now_ts())
                    .execute(&mut *self.tx)
                    .await?;
                    return Ok(id);
                }
                _ => return Ok(id),
            }
        }
        // A name left by merging two partners (see `Store::partner_merge`).
        if corporate_number.is_none()
            && let Some(r) = sqlx::query(
                "SELECT partner_id FROM partner_aliases WHERE tenant_code = $1 AND name_norm = $2",
            )
            .bind(tenant)
            .bind(&norm)
            .fetch_optional(&mut *self.tx)
            .await?
        {
            return Ok(r.try_get("partner_id")?);
        }
        let now = self.now_ts();
        // Same name, different 法人番号: keep both, the second with its number in the key.
        let key = match corporate_number {
            Some(cn) if !norm.is_empty() => {
                let taken = sqlx::query(
                    "SELECT 1 AS one FROM partners WHERE tenant_code = $1 AND name_norm = $2",
                )
                .bind(tenant)
                .bind(&norm)
                .fetch_optional(&mut *self.tx)
                .await?
                .is_some();
                if taken { format!("{norm}#{cn}") } else { norm }
            }
            _ => norm,
        };
        let row = sqlx::query(
            "INSERT INTO partners (tenant_code, name, name_norm, partner_type, corporate_number, strengths, constraints, created_at, updated_at, sort_key) \
             VALUES ($1, $2, $3, $4, $5, '', '', $6, $6, $7) RETURNING id",
        )
        .bind(tenant)
        .bind(name)
        .bind(&key)
        .bind(partner_type)
        .bind(corporate_number)
        .bind(&now)
        .bind(renkei_domain::partner::sort_key(name, None))
        .fetch_one(&mut *self.tx)
        .await?;
        Ok(row.try_get("id")?)
    }

    async fn insert_attachment(
        &mut self,
        proposal_id: i64,
        tenant: &str,
        a: &NewAttachment,
        uploaded_by: &str,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO attachments (proposal_id, tenant_code, filename, content_type, size, sha256, data, uploaded_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(proposal_id)
        .bind(tenant)
        .bind(&a.filename)
        .bind(&a.content_type)
        .bind(a.data.len() as i64)
        .bind(hex::encode(Sha256::digest(&a.data)))
        .bind(a.data.clone())
        .bind(uploaded_by)
        .bind(self.now_ts())
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Inserts a proposal with its partner, attachments, first event and audit entry.
    #[allow(clippy::too_many_arguments)]
    async fn insert_proposal(
        &mut self,
        tenant: TenantCode,
        new: &NewProposal,
        who: &Who,
        due: NaiveDate,
        referral_consent: bool,
        referred_from: Option<i64>,
        status: Status,
    ) -> Result<Submitted> {
        let i = &new.intake;
        let t = tenant.to_string();
        let received_on = self.today();
        let fiscal_year = renkei_domain::time::fiscal_year(received_on);
        let receipt = self.next_receipt(tenant, fiscal_year).await?.to_string();
        let partner_id = self
            .partner_for(
                &t,
                &i.org_name,
                i.partner_type.code(),
                i.corporate_number.as_ref().map(|c| c.as_str()),
            )
            .await?;
        let token = random_token();
        let search = search_text(&receipt, i);
        let now = self.now_ts();
        let row = sqlx::query(
            "INSERT INTO proposals (tenant_code, receipt_number, kind, route, status, partner_id, org_name, partner_type, \
             corporate_number, contact_name, email, phone, title, summary, details, expected_effects, \
             fiscal_burden, fiscal_explanation, publication_consent, referral_consent, tracking_hash, proponent_user_id, \
             first_response_due, referred_from_id, search_text, created_at, updated_at, received_on, fiscal_year, lang, \
             org_address, contact_department, contact_title, privacy_consented_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, \
             $21, $22, $23, $24, $25, $26, $26, $27, $28, $29, $30, $31, $32, $33) RETURNING id",
        )
        .bind(&t)
        .bind(&receipt)
        .bind(i.kind.code())
        .bind(new.route.code())
        .bind(status.code())
        .bind(partner_id)
        .bind(&i.org_name)
        .bind(i.partner_type.code())
        .bind(i.corporate_number.as_ref().map(|c| c.as_str().to_string()))
        .bind(&i.contact_name)
        .bind(i.email.as_str())
        .bind(&i.phone)
        .bind(&i.title)
        .bind(&i.summary)
        .bind(&i.details)
        .bind(&i.expected_effects)
        .bind(if i.fiscal_burden.is_some() { "some" } else { "none" })
        .bind(i.fiscal_burden.clone().unwrap_or_default())
        .bind(i64::from(i.publication_consent))
        .bind(i64::from(referral_consent))
        .bind(token_hash(&token))
        .bind(new.proponent_user_id)
        .bind(due.format("%Y-%m-%d").to_string())
        .bind(referred_from)
        .bind(&search)
        .bind(&now)
        .bind(renkei_domain::time::to_db_date(received_on))
        .bind(i64::from(fiscal_year))
        .bind(new.lang.code())
        .bind(&i.org_address)
        .bind(&i.contact_department)
        .bind(&i.contact_title)
        .bind(new.privacy_consented.then(|| now.clone()))
        .fetch_one(&mut *self.tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        sqlx::query(&self.backend.search_insert_sql(1))
            .bind(id)
            .bind(crate::search::document(&t, &search))
            .execute(&mut *self.tx)
            .await?;
        for (position, field) in (0_i64..).zip(&i.fields) {
            sqlx::query(
                "INSERT INTO proposal_fields (proposal_id, position, field) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(position)
            .bind(field.code())
            .execute(&mut *self.tx)
            .await?;
        }
        for (position, offer) in (0_i64..).zip(&i.offers) {
            sqlx::query(
                "INSERT INTO proposal_offers (proposal_id, position, offer) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(position)
            .bind(offer.code())
            .execute(&mut *self.tx)
            .await?;
        }
        for a in &new.attachments {
            self.insert_attachment(id, &t, a, "proponent").await?;
        }
        let kind = if referred_from.is_some() {
            "referred_in"
        } else {
            "submitted"
        };
        self.add_event(id, &t, who, kind, None, Some(status.code()), "", true)
            .await?;
        self.audit(who.event(
            Some(&t),
            "proposal.create",
            format!("proposal:{receipt}"),
            event_note_json(&[
                ("route", new.route.code()),
                ("attachments", &new.attachments.len().to_string()),
            ]),
        ))
        .await?;
        Ok(Submitted {
            id,
            receipt_number: receipt,
            tracking_token: token,
        })
    }

    pub(crate) async fn load(&mut self, tenant: &str, id: i64) -> Result<Proposal> {
        let row = sqlx::query(&format!(
            "SELECT {} FROM proposals p WHERE p.tenant_code = $1 AND p.id = $2",
            columns(self.backend)
        ))
        .bind(tenant)
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        proposal_from_row(&row)
    }

    async fn touch(&mut self, id: i64, responded: bool) -> Result<()> {
        let now = self.now_ts();
        let sql = if responded {
            "UPDATE proposals SET updated_at = $2, first_responded_at = COALESCE(first_responded_at, $2) WHERE id = $1"
        } else {
            "UPDATE proposals SET updated_at = $2 WHERE id = $1"
        };
        sqlx::query(sql)
            .bind(id)
            .bind(&now)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROSE: &str = "❤\u{FE0F} 👨\u{200D}👩\u{200D}👧 葛\u{E0100} 𠮷 か\u{3099} e\u{301} \"引用\" \\ 改行\nタブ\t";

    /// How notes were written before: Rust's Debug escaping, not JSON.
    fn legacy(pairs: &[(&str, &str)]) -> String {
        let body = pairs
            .iter()
            .map(|(k, v)| format!("{k:?}:{v:?}"))
            .collect::<Vec<_>>()
            .join(",");
        format!("{{{body}}}")
    }

    #[test]
    fn notes_are_json_whatever_the_text() {
        let note = event_note_json(&[("note", PROSE), ("to", "272027")]);
        let v: serde_json::Value = serde_json::from_str(&note).expect("valid JSON");
        assert_eq!(v["note"], PROSE);
        assert_eq!(v["to"], "272027");
        assert_eq!(event_note(&note), Some(v));
        assert_eq!(event_note_json(&[]), "{}");
    }

    #[test]
    fn legacy_notes_are_still_read() {
        let old = legacy(&[("reason", "other"), ("note", PROSE)]);
        assert!(
            serde_json::from_str::<serde_json::Value>(&old).is_err(),
            "the old escaping is not JSON: {old}"
        );
        let v = event_note(&old).expect("a note");
        assert_eq!(v["note"], PROSE);
        assert_eq!(v["reason"], "other");
        assert_eq!(
            event_note(&legacy(&[("x", "\u{0}\u{1B}'")])).map(|v| v["x"].clone()),
            Some(serde_json::Value::String("\u{0}\u{1B}'".into()))
        );
        // Not decodable at all: the raw text, never nothing.
        for raw in [
            "{\"note\":\"\\u{zz}\"}",
            "なにか",
            "{\"a\":\"b\"",
            "{\"a\":\"b\"}x",
        ] {
            assert_eq!(
                event_note(raw),
                Some(serde_json::Value::String(raw.into())),
                "{raw}"
            );
        }
        assert_eq!(event_note(""), None);
        assert_eq!(event_note(&legacy(&[])), Some(serde_json::json!({})));
    }
}
