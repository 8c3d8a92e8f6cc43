//! Proposals: intake, the desk's inbox, the lifecycle, hearings, routings, messages,
//! attachments, referral to another desk, and the partner registry they feed.
//!
//! Confidentiality is enforced above (the policies decide who may call what); every method
//! here takes the tenant first and never returns another tenant's rows.

use crate::events::{DomainEvent, Mailer};
use crate::rows;
use crate::sessions::{random_token, token_hash};
use crate::{Result, Store, StoreError, Who, WriteTx};
use chrono::{DateTime, NaiveDate, Utc};
use renkei_domain::TenantCode;
use renkei_domain::proposal::{
    Answer, Channel, DeclineReason, Field, Intake, Kind, Offer, PartnerType, ReceiptNumber, Route,
    Status, Transition, normalise_org_name, rules, transition,
};
use sha2::{Digest, Sha256};
use sqlx::Row;

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
    pub contact_name: String,
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

pub(crate) const COLUMNS: &str = "p.id, p.tenant_code, p.receipt_number, p.kind, p.route, p.status, p.partner_id, \
    p.org_name, p.partner_type, p.corporate_number, p.contact_name, p.email, p.phone, p.title, p.summary, \
    p.details, p.fields, p.offers, p.expected_effects, p.fiscal_burden, p.fiscal_explanation, \
    p.publication_consent, p.referral_consent, p.proponent_user_id, p.assignee_user_id, \
    (SELECT u.display_name FROM users u WHERE u.id = p.assignee_user_id) AS assignee_name, \
    p.first_response_due, p.first_responded_at, p.decline_reason, p.decline_explanation, p.referred_to, \
    p.referred_from_id, p.created_at, p.updated_at, p.closed_at, p.received_on, p.fiscal_year, p.fiscal_justification";

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
        contact_name: r.try_get("contact_name")?,
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
    pub uploaded_by: String,
    pub created_at: String,
}

#[derive(Debug, Clone)]
pub struct NewProposal {
    pub intake: Intake,
    pub route: Route,
    pub proponent_user_id: Option<i64>,
    pub attachments: Vec<NewAttachment>,
    /// The client address, for the intake rate limit (None: not rate limited, e.g. outbound).
    pub ip: Option<String>,
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
    pub actor: String,
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
    pub partner_type: PartnerType,
    pub corporate_number: Option<String>,
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

impl Default for DeskSettings {
    fn default() -> Self {
        Self {
            first_response_days: 5,
            routing_days: 10,
            desk_department_id: None,
        }
    }
}

/// Text folded for search: NFKC, lower case (so ｷｼﾜﾀﾞ finds キシワダ and ＡＢＣ finds abc).
pub fn search_fold(s: &str) -> String {
    renkei_domain::kana::to_full_width_kana(s).to_lowercase()
}

fn like_pattern(q: &str) -> String {
    format!(
        "%{}%",
        search_fold(q)
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
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
    async fn partner_for(
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
            "INSERT INTO partners (tenant_code, name, name_norm, partner_type, corporate_number, strengths, constraints, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, '', '', $6, $6) RETURNING id",
        )
        .bind(tenant)
        .bind(name)
        .bind(&key)
        .bind(partner_type)
        .bind(corporate_number)
        .bind(&now)
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
        let fields = i
            .fields
            .iter()
            .map(|f| f.code())
            .collect::<Vec<_>>()
            .join(",");
        let offers = i
            .offers
            .iter()
            .map(|f| f.code())
            .collect::<Vec<_>>()
            .join(",");
        let search = search_fold(&format!(
            "{receipt}\n{}\n{}\n{}\n{}\n{}\n{}\n{}",
            i.title, i.summary, i.details, i.org_name, i.contact_name, i.expected_effects, i.email
        ));
        let now = self.now_ts();
        let row = sqlx::query(
            "INSERT INTO proposals (tenant_code, receipt_number, kind, route, status, partner_id, org_name, partner_type, \
             corporate_number, contact_name, email, phone, title, summary, details, fields, offers, expected_effects, \
             fiscal_burden, fiscal_explanation, publication_consent, referral_consent, tracking_hash, proponent_user_id, \
             first_response_due, referred_from_id, search_text, created_at, updated_at, received_on, fiscal_year) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, \
             $23, $24, $25, $26, $27, $28, $28, $29, $30) RETURNING id",
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
        .bind(&fields)
        .bind(&offers)
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
        .fetch_one(&mut *self.tx)
        .await?;
        let id: i64 = row.try_get("id")?;
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
            "SELECT {COLUMNS} FROM proposals p WHERE p.tenant_code = $1 AND p.id = $2"
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

impl Store {
    pub async fn desk_settings(&self, tenant: TenantCode) -> Result<DeskSettings> {
        let row = sqlx::query(
            "SELECT first_response_days, routing_days, desk_department_id FROM tenant_settings WHERE tenant_code = $1",
        )
        .bind(tenant.to_string())
        .fetch_optional(self.pool())
        .await?;
        match row {
            Some(r) => Ok(DeskSettings {
                first_response_days: r.try_get("first_response_days")?,
                routing_days: r.try_get("routing_days")?,
                desk_department_id: r.try_get("desk_department_id")?,
            }),
            None => Ok(DeskSettings::default()),
        }
    }

    pub async fn desk_settings_save(
        &self,
        who: &Who,
        tenant: TenantCode,
        s: DeskSettings,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        if let Some(d) = s.desk_department_id {
            sqlx::query("SELECT 1 AS one FROM departments WHERE tenant_code = $1 AND id = $2")
                .bind(tenant.to_string())
                .bind(d)
                .fetch_optional(&mut *tx.tx)
                .await?
                .ok_or(StoreError::conflict(
                    "desk_department_id",
                    "error-department-unknown",
                ))?;
        }
        sqlx::query(
            "INSERT INTO tenant_settings (tenant_code, first_response_days, routing_days, desk_department_id, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (tenant_code) DO UPDATE SET first_response_days = $2, routing_days = $3, desk_department_id = $4, updated_at = $5",
        )
        .bind(tenant.to_string())
        .bind(s.first_response_days)
        .bind(s.routing_days)
        .bind(s.desk_department_id)
        .bind(tx.now_ts())
        .execute(&mut *tx.tx)
        .await?;
        tx.audit(
            who.event(
                Some(&tenant.to_string()),
                "settings.update",
                "settings:desk".into(),
                serde_json::json!({
                    "first_response_days": s.first_response_days,
                    "routing_days": s.routing_days,
                    "desk_department_id": s.desk_department_id,
                })
                .to_string(),
            ),
        )
        .await?;
        tx.commit().await
    }

    /// The first-response deadline of a proposal received today: the tenant's number of
    /// business days from today (weekends, holidays and 年末年始 excluded).
    pub async fn first_response_due(&self, tenant: TenantCode) -> Result<NaiveDate> {
        let settings = self.desk_settings(tenant).await?;
        Ok(renkei_domain::calendar::add_business_days(
            self.today(),
            u32::try_from(settings.first_response_days).unwrap_or(5),
        ))
    }

    /// Submissions from this address in the last hour.
    pub async fn intake_count_last_hour(&self, ip: &str) -> Result<i64> {
        let since = renkei_domain::time::to_db_timestamp(self.now() - chrono::Duration::hours(1));
        let row = sqlx::query("SELECT COUNT(*) AS n FROM intake_log WHERE ip = $1 AND at > $2")
            .bind(ip)
            .bind(&since)
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get("n")?)
    }

    /// Receives a proposal: receipt number, partner, attachments, timeline, audit entry and
    /// the mails, all in one transaction. The receipt goes back only after the commit.
    /// No rate limit (see [`Store::proposal_submit_limited`]).
    pub async fn proposal_submit(
        &self,
        tenant: TenantCode,
        new: NewProposal,
        who: &Who,
        mailer: &dyn Mailer,
    ) -> Result<Submitted> {
        self.proposal_submit_limited(tenant, new, who, mailer, 0)
            .await
    }

    /// [`Store::proposal_submit`] for the public intake: at most `per_hour` submissions from
    /// the proposal's address in an hour (0: no limit). The submission is logged and the log
    /// counted inside the submission's own transaction, with concurrent submissions from the
    /// same address taking turns, so parallel requests cannot exceed the limit; a refused one
    /// ([`StoreError::RateLimited`]) writes nothing.
    pub async fn proposal_submit_limited(
        &self,
        tenant: TenantCode,
        new: NewProposal,
        who: &Who,
        mailer: &dyn Mailer,
        per_hour: i64,
    ) -> Result<Submitted> {
        let due = self.first_response_due(tenant).await?;
        let tenant_row = self.tenant(&tenant.to_string()).await?;
        let mut tx = self.write().await?;
        tx.ensure_desk_open(tenant).await?;
        if let Some(ip) = &new.ip {
            tx.lock(&format!("intake-address:{ip}")).await?;
            let now = tx.now();
            sqlx::query("INSERT INTO intake_log (ip, at) VALUES ($1, $2)")
                .bind(ip)
                .bind(renkei_domain::time::to_db_timestamp(now))
                .execute(&mut *tx.tx)
                .await?;
            if per_hour > 0 {
                let since = renkei_domain::time::to_db_timestamp(now - chrono::Duration::hours(1));
                let n: i64 =
                    sqlx::query("SELECT COUNT(*) AS n FROM intake_log WHERE ip = $1 AND at > $2")
                        .bind(ip)
                        .bind(&since)
                        .fetch_one(&mut *tx.tx)
                        .await?
                        .try_get("n")?;
                if n > per_hour {
                    // Dropping the transaction rolls back the log entry too.
                    return Err(StoreError::RateLimited);
                }
            }
        }
        let submitted = tx
            .insert_proposal(tenant, &new, who, due, false, None, Status::Received)
            .await?;
        tx.emit(
            mailer,
            &DomainEvent::Submitted {
                tenant: &tenant_row,
                proposal: &submitted,
                to: new.intake.email.as_str(),
                org_name: &new.intake.org_name,
                contact_name: &new.intake.contact_name,
                title: &new.intake.title,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(submitted)
    }

    /// An outbound approach (アプローチ): the city contacted the organisation first. Starts
    /// the proposal in 聞き取り with the first hearing recorded.
    pub async fn outbound_create(
        &self,
        tenant: TenantCode,
        new: NewProposal,
        hearing: NewHearing,
        who: &Who,
    ) -> Result<Submitted> {
        let due = self.first_response_due(tenant).await?;
        let mut tx = self.write().await?;
        if hearing.held_on > tx.today() {
            return Err(StoreError::conflict("held_on", "error-hearing-future"));
        }
        let s = tx
            .insert_proposal(tenant, &new, who, due, false, None, Status::Hearing)
            .await?;
        insert_hearing(&mut tx, &tenant.to_string(), s.id, &hearing, who).await?;
        tx.touch(s.id, true).await?;
        tx.commit().await?;
        Ok(s)
    }

    /// How many proposals the tenant has, in any state.
    pub async fn proposal_count(&self, tenant: TenantCode) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM proposals WHERE tenant_code = $1")
            .bind(tenant.to_string())
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get("n")?)
    }

    pub async fn proposal(&self, tenant: TenantCode, receipt: &str) -> Result<Proposal> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM proposals p WHERE p.tenant_code = $1 AND p.receipt_number = $2"
        ))
        .bind(tenant.to_string())
        .bind(receipt)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        proposal_from_row(&row)
    }

    pub async fn proposal_by_id(&self, tenant: TenantCode, id: i64) -> Result<Proposal> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM proposals p WHERE p.tenant_code = $1 AND p.id = $2"
        ))
        .bind(tenant.to_string())
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        proposal_from_row(&row)
    }

    /// The proposal behind a private tracking link.
    pub async fn proposal_by_tracking(&self, tenant: TenantCode, token: &str) -> Result<Proposal> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM proposals p WHERE p.tenant_code = $1 AND p.tracking_hash = $2"
        ))
        .bind(tenant.to_string())
        .bind(token_hash(token))
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        proposal_from_row(&row)
    }

    /// A proponent account's proposals: those linked to the account (sent while signed in,
    /// or claimed with proof of ownership, see [`crate::ownership`]). Never by e-mail alone.
    pub async fn proposals_of_proponent(
        &self,
        tenant: TenantCode,
        user_id: i64,
    ) -> Result<Vec<Proposal>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM proposals p WHERE p.tenant_code = $1 AND p.proponent_user_id = $2 \
             ORDER BY p.created_at DESC"
        ))
        .bind(tenant.to_string())
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(proposal_from_row).collect()
    }

    /// The desk's inbox: filtered, sorted, paginated; with the total count.
    pub async fn inbox(&self, tenant: TenantCode, f: &InboxFilter) -> Result<(Vec<Proposal>, i64)> {
        let mut conds = vec!["p.tenant_code = $1".to_string()];
        let mut args: Vec<String> = vec![tenant.to_string()];
        let arg = |v: String, args: &mut Vec<String>| {
            args.push(v);
            format!("${}", args.len())
        };
        if !f.statuses.is_empty() {
            let ph: Vec<String> = f
                .statuses
                .iter()
                .map(|s| arg(s.clone(), &mut args))
                .collect();
            conds.push(format!("p.status IN ({})", ph.join(", ")));
        }
        if let Some(k) = &f.kind {
            conds.push(format!("p.kind = {}", arg(k.clone(), &mut args)));
        }
        if let Some(v) = &f.partner_type {
            conds.push(format!("p.partner_type = {}", arg(v.clone(), &mut args)));
        }
        if let Some(v) = &f.route {
            conds.push(format!("p.route = {}", arg(v.clone(), &mut args)));
        }
        if let Some(v) = &f.field {
            conds.push(format!(
                "(',' || p.fields || ',') LIKE {}",
                arg(format!("%,{v},%"), &mut args)
            ));
        }
        if let Some(days) = f.older_than_days {
            // Bounded here too: a huge count would overflow the date arithmetic.
            let days = days.clamp(0, 36_500);
            let before =
                renkei_domain::time::to_db_timestamp(self.now() - chrono::Duration::days(days));
            conds.push(format!("p.created_at <= {}", arg(before, &mut args)));
        }
        match f.assignee {
            Some(0) => conds.push("p.assignee_user_id IS NULL".into()),
            Some(id) => conds.push(format!(
                "p.assignee_user_id = CAST({} AS BIGINT)",
                arg(id.to_string(), &mut args)
            )),
            None => {}
        }
        if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            for word in q.split_whitespace().take(5) {
                conds.push(format!(
                    "p.search_text LIKE {} ESCAPE '\\'",
                    arg(like_pattern(word), &mut args)
                ));
            }
        }
        if f.overdue_only {
            let today = self.today().format("%Y-%m-%d").to_string();
            conds.push(format!(
                "p.first_responded_at IS NULL AND p.status IN ('received', 'hearing', 'coordinating') AND p.first_response_due < {}",
                arg(today, &mut args)
            ));
        }
        let where_sql = conds.join(" AND ");
        let per_page = f.per_page.clamp(1, 200);
        let offset = f.page.clamp(0, 1_000_000) * per_page;
        let count_sql = format!("SELECT COUNT(*) AS n FROM proposals p WHERE {where_sql}");
        let mut count_q = sqlx::query(&count_sql);
        for a in &args {
            count_q = count_q.bind(a);
        }
        let total: i64 = count_q.fetch_one(self.pool()).await?.try_get("n")?;
        let sql = format!(
            "SELECT {COLUMNS} FROM proposals p WHERE {where_sql} ORDER BY {} LIMIT {per_page} OFFSET {offset}",
            f.sort.order_by()
        );
        let mut q = sqlx::query(&sql);
        for a in &args {
            q = q.bind(a);
        }
        let rows = q.fetch_all(self.pool()).await?;
        let list = rows.iter().map(proposal_from_row).collect::<Result<_>>()?;
        Ok((list, total))
    }

    pub async fn proposal_events(
        &self,
        proposal_id: i64,
        proponent_view: bool,
    ) -> Result<Vec<Event>> {
        let sql = if proponent_view {
            "SELECT id, at, actor, kind, from_status, to_status, note, for_proponent FROM proposal_events \
             WHERE proposal_id = $1 AND for_proponent = 1 ORDER BY id"
        } else {
            "SELECT id, at, actor, kind, from_status, to_status, note, for_proponent FROM proposal_events \
             WHERE proposal_id = $1 ORDER BY id"
        };
        let rows = sqlx::query(sql)
            .bind(proposal_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                const T: &str = "proposal_events";
                Ok(Event {
                    id: r.try_get("id")?,
                    at: rows::instant(r, T, "at")?,
                    actor: r.try_get("actor")?,
                    kind: r.try_get("kind")?,
                    from_status: rows::opt_code(r, T, "from_status", Status::parse)?,
                    to_status: rows::opt_code(r, T, "to_status", Status::parse)?,
                    note: r.try_get("note")?,
                    for_proponent: r.try_get::<i64, _>("for_proponent")? != 0,
                })
            })
            .collect()
    }

    pub async fn proposal_messages(&self, proposal_id: i64) -> Result<Vec<Message>> {
        let rows = sqlx::query(
            "SELECT id, at, from_desk, author, body FROM proposal_messages WHERE proposal_id = $1 ORDER BY id",
        )
        .bind(proposal_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Message {
                    id: r.try_get("id")?,
                    at: rows::instant(r, "proposal_messages", "at")?,
                    from_desk: r.try_get::<i64, _>("from_desk")? != 0,
                    author: r.try_get("author")?,
                    body: r.try_get("body")?,
                })
            })
            .collect()
    }

    pub async fn attachments(&self, proposal_id: i64) -> Result<Vec<AttachmentMeta>> {
        let rows = sqlx::query(
            "SELECT id, filename, content_type, size, sha256, uploaded_by, created_at FROM attachments \
             WHERE proposal_id = $1 ORDER BY id",
        )
        .bind(proposal_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(attachment_from_row).collect()
    }

    /// One attachment's bytes, only through its proposal and tenant.
    pub async fn attachment_data(
        &self,
        tenant: TenantCode,
        proposal_id: i64,
        id: i64,
    ) -> Result<(AttachmentMeta, Vec<u8>)> {
        let r = sqlx::query(
            "SELECT id, filename, content_type, size, sha256, uploaded_by, created_at, data FROM attachments \
             WHERE tenant_code = $1 AND proposal_id = $2 AND id = $3",
        )
        .bind(tenant.to_string())
        .bind(proposal_id)
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok((attachment_from_row(&r)?, r.try_get("data")?))
    }

    pub async fn hearings(&self, proposal_id: i64) -> Result<Vec<Hearing>> {
        let rows = sqlx::query(
            "SELECT h.id, h.held_on, h.channel, h.participants, h.notes, h.next_steps, h.created_at, \
             (SELECT u.display_name FROM users u WHERE u.id = h.recorded_by) AS recorded_by \
             FROM hearings h WHERE h.proposal_id = $1 ORDER BY h.held_on, h.id",
        )
        .bind(proposal_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Hearing {
                    id: r.try_get("id")?,
                    held_on: rows::date(r, "hearings", "held_on")?,
                    channel: rows::code(r, "hearings", "channel", Channel::parse)?,
                    participants: r.try_get("participants")?,
                    notes: r.try_get("notes")?,
                    next_steps: r.try_get("next_steps")?,
                    recorded_by: r.try_get("recorded_by")?,
                    created_at: rows::instant(r, "hearings", "created_at")?,
                })
            })
            .collect()
    }

    pub async fn routings(&self, proposal_id: i64) -> Result<Vec<Routing>> {
        self.routings_where("r.proposal_id = $1", proposal_id).await
    }

    /// Routings addressed to one department (its inbox).
    pub async fn routings_for_department(&self, department_id: i64) -> Result<Vec<Routing>> {
        self.routings_where("r.department_id = $1", department_id)
            .await
    }

    async fn routings_where(&self, cond: &str, value: i64) -> Result<Vec<Routing>> {
        let rows = sqlx::query(&format!(
            "SELECT r.id, r.proposal_id, p.receipt_number, p.title, r.department_id, d.name AS department_name, \
             r.question, r.due_on, r.requested_at, r.answer, r.answer_comment, r.answered_at, \
             (SELECT u.display_name FROM users u WHERE u.id = r.answered_by) AS answered_by \
             FROM routings r JOIN departments d ON d.id = r.department_id JOIN proposals p ON p.id = r.proposal_id \
             WHERE {cond} ORDER BY r.requested_at DESC, r.id"
        ))
        .bind(value)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Routing {
                    id: r.try_get("id")?,
                    proposal_id: r.try_get("proposal_id")?,
                    receipt_number: r.try_get("receipt_number")?,
                    title: r.try_get("title")?,
                    department_id: r.try_get("department_id")?,
                    department_name: r.try_get("department_name")?,
                    question: r.try_get("question")?,
                    due_on: rows::date(r, "routings", "due_on")?,
                    requested_at: rows::instant(r, "routings", "requested_at")?,
                    answer: rows::opt_code(r, "routings", "answer", Answer::parse)?,
                    answer_comment: r.try_get("answer_comment")?,
                    answered_by: r.try_get("answered_by")?,
                    answered_at: rows::opt_instant(r, "routings", "answered_at")?,
                })
            })
            .collect()
    }

    /// The other end of a referral: for a referred proposal, its copy at the other desk; for a
    /// copy, the original. Returns (tenant code, receipt number, status). Only the desks at the
    /// two ends call this (both already hold the proposal's content).
    pub async fn referral_link(&self, p: &Proposal) -> Result<Option<(String, String, String)>> {
        let row = if let Some(from) = p.referred_from_id {
            sqlx::query("SELECT tenant_code, receipt_number, status FROM proposals WHERE id = $1")
                .bind(from)
                .fetch_optional(self.pool())
                .await?
        } else if p.referred_to.is_some() {
            sqlx::query(
                "SELECT tenant_code, receipt_number, status FROM proposals WHERE referred_from_id = $1 ORDER BY id LIMIT 1",
            )
            .bind(p.id)
            .fetch_optional(self.pool())
            .await?
        } else {
            None
        };
        row.map(|r| {
            Ok((
                r.try_get("tenant_code")?,
                r.try_get("receipt_number")?,
                r.try_get("status")?,
            ))
        })
        .transpose()
    }

    /// The departments a proposal was routed to (for the confidentiality policy).
    pub async fn routed_department_ids(&self, proposal_id: i64) -> Result<Vec<i64>> {
        let rows = sqlx::query("SELECT department_id FROM routings WHERE proposal_id = $1")
            .bind(proposal_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<i64, _>("department_id")?))
            .collect()
    }

    /// Applies a lifecycle move checked by the domain's state machine; records who, when and
    /// why; queues the mails. A referral creates a linked copy at the other desk.
    pub async fn proposal_transition(
        &self,
        tenant: TenantCode,
        id: i64,
        t: &Transition,
        who: &Who,
        mailer: &dyn Mailer,
    ) -> Result<Proposal> {
        self.proposal_transition_noted(tenant, id, t, "", who, mailer)
            .await
    }

    /// The same, with the desk's own note on why (kept in the timeline and the audit trail,
    /// shown to city-hall staff only).
    #[allow(clippy::too_many_arguments)]
    pub async fn proposal_transition_noted(
        &self,
        tenant: TenantCode,
        id: i64,
        t: &Transition,
        why: &str,
        who: &Who,
        mailer: &dyn Mailer,
    ) -> Result<Proposal> {
        // Free text is checked here too (control characters, length), whoever calls.
        let why = rules::TRANSITION_NOTE.parse(why)?;
        let why = why.as_str();
        let t_code = tenant.to_string();
        // The referral copy's deadline follows the receiving desk's setting.
        let copy_due = match t {
            Transition::Refer { to } => Some(self.first_response_due(*to).await?),
            _ => None,
        };
        let tenant_row = self.tenant(&t_code).await?;
        let mut tx = self.write().await?;
        let p = tx.load(&t_code, id).await?;
        let from = p.status();
        let to = check_transition(&mut tx.tx, tenant, &p, t, why).await?;
        let now = tx.now_ts();
        let justification = match t {
            Transition::Decide {
                fiscal_justification,
            } if p.fiscal_burden => Some(rules::FISCAL_JUSTIFICATION.parse(fiscal_justification)?),
            _ => None,
        };
        let (reason, explanation) = match t {
            Transition::Decline {
                reason,
                explanation,
            } => (
                Some(reason.code()),
                Some(rules::DECLINE_EXPLANATION.parse(explanation)?),
            ),
            _ => (None, None),
        };
        let referred_to = match t {
            Transition::Refer { to } => Some(to.to_string()),
            _ => None,
        };
        sqlx::query(
            "UPDATE proposals SET status = $3, updated_at = $4, closed_at = $5, \
             decline_reason = COALESCE($6, decline_reason), decline_explanation = COALESCE($7, decline_explanation), \
             referred_to = COALESCE($8, referred_to), \
             first_responded_at = CASE WHEN $9 = 1 THEN COALESCE(first_responded_at, $4) ELSE first_responded_at END, \
             fiscal_justification = COALESCE($10, fiscal_justification) \
             WHERE tenant_code = $1 AND id = $2",
        )
        .bind(&t_code)
        .bind(id)
        .bind(to.code())
        .bind(&now)
        .bind(if to.is_closed() { Some(now.clone()) } else { None })
        .bind(reason)
        .bind(explanation.clone())
        .bind(referred_to.clone())
        .bind(i64::from(!t.by_proponent()))
        .bind(justification.clone())
        .execute(&mut *tx.tx)
        .await?;
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        if let Some(j) = &justification {
            pairs.push(("fiscal_justification", j));
        }
        if let (Some(r), Some(e)) = (&reason, &explanation) {
            pairs.push(("reason", r));
            pairs.push(("explanation", e));
        }
        if let Some(dest) = &referred_to {
            pairs.push(("to", dest));
        }
        if !why.is_empty() {
            pairs.push(("note", why));
        }
        let note = if pairs.is_empty() {
            String::new()
        } else {
            event_note_json(&pairs)
        };
        tx.add_event(
            id,
            &t_code,
            who,
            "status",
            Some(from.code()),
            Some(to.code()),
            &note,
            true,
        )
        .await?;
        tx.audit(who.event(
            Some(&t_code),
            &format!("proposal.{}", t.code()),
            format!("proposal:{}", p.receipt_number),
            event_note_json(&[("from", from.code()), ("to", to.code()), ("note", why)]),
        ))
        .await?;
        let copy = match (t, copy_due) {
            (Transition::Refer { to: dest }, Some(due)) => {
                let intake = intake_of(&p)?;
                let new = NewProposal {
                    intake,
                    route: p.route,
                    proponent_user_id: None,
                    attachments: Vec::new(),
                    ip: None,
                };
                let s = tx
                    .insert_proposal(*dest, &new, who, due, true, Some(p.id), Status::Received)
                    .await?;
                // The attachments travel with the copy.
                sqlx::query(
                    "INSERT INTO attachments (proposal_id, tenant_code, filename, content_type, size, sha256, data, uploaded_by, created_at) \
                     SELECT $1, $2, filename, content_type, size, sha256, data, uploaded_by, created_at FROM attachments WHERE proposal_id = $3",
                )
                .bind(s.id)
                .bind(dest.to_string())
                .bind(p.id)
                .execute(&mut *tx.tx)
                .await?;
                Some(s)
            }
            _ => None,
        };
        let updated = tx.load(&t_code, id).await?;
        let dest_row = match t {
            Transition::Refer { to } => Some(self.tenant(&to.to_string()).await?),
            _ => None,
        };
        tx.emit(
            mailer,
            &DomainEvent::StatusChanged {
                tenant: &tenant_row,
                proposal: &updated,
                dest: dest_row.as_ref(),
            },
        )
        .await?;
        if let (Some(dest_row), Some(copy)) = (&dest_row, &copy) {
            let desk = tx.desk_addresses(&dest_row.code, None).await?;
            tx.emit(
                mailer,
                &DomainEvent::Referred {
                    tenant: &tenant_row,
                    proposal: &updated,
                    copy,
                    dest: dest_row,
                    desk: &desk,
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(updated)
    }

    /// Whether this move would be accepted now (for a confirmation step shown before it);
    /// writes nothing. The move itself checks again.
    pub async fn transition_allowed(
        &self,
        tenant: TenantCode,
        id: i64,
        t: &Transition,
        why: &str,
    ) -> Result<Status> {
        let p = self.proposal_by_id(tenant, id).await?;
        let mut conn = self.pool().acquire().await?;
        check_transition(&mut conn, tenant, &p, t, why).await
    }

    /// Assigns a desk officer (or nobody).
    pub async fn proposal_assign(
        &self,
        tenant: TenantCode,
        id: i64,
        assignee: Option<i64>,
        who: &Who,
    ) -> Result<()> {
        let t = tenant.to_string();
        if let Some(uid) = assignee {
            let u = self.user(uid).await?;
            if u.tenant_code.as_deref() != Some(t.as_str()) || u.role != renkei_domain::Role::Desk {
                return Err(StoreError::conflict("assignee", "error-assignee-not-desk"));
            }
        }
        let mut tx = self.write().await?;
        let p = tx.load(&t, id).await?;
        sqlx::query("UPDATE proposals SET assignee_user_id = $3, updated_at = $4 WHERE tenant_code = $1 AND id = $2")
            .bind(&t)
            .bind(id)
            .bind(assignee)
            .bind(self.now_ts())
            .execute(&mut *tx.tx)
            .await?;
        let a = assignee.map(|x| x.to_string()).unwrap_or_default();
        tx.add_event(
            id,
            &t,
            who,
            "assignment",
            None,
            None,
            &event_note_json(&[("assignee", &a)]),
            false,
        )
        .await?;
        tx.audit(who.event(
            Some(&t),
            "proposal.assign",
            format!("proposal:{}", p.receipt_number),
            event_note_json(&[("assignee", &a)]),
        ))
        .await?;
        tx.commit().await
    }

    pub async fn hearing_add(
        &self,
        tenant: TenantCode,
        id: i64,
        h: &NewHearing,
        who: &Who,
    ) -> Result<()> {
        let t = tenant.to_string();
        let mut tx = self.write().await?;
        let p = tx.load(&t, id).await?;
        if h.held_on > tx.today() {
            return Err(StoreError::conflict("held_on", "error-hearing-future"));
        }
        insert_hearing(&mut tx, &t, id, h, who).await?;
        tx.touch(id, true).await?;
        tx.audit(who.event(
            Some(&t),
            "proposal.hearing",
            format!("proposal:{}", p.receipt_number),
            String::new(),
        ))
        .await?;
        tx.commit().await
    }

    /// Routes a proposal to departments of the same tenant, each with the question and due date.
    #[allow(clippy::too_many_arguments)]
    pub async fn routing_add(
        &self,
        tenant: TenantCode,
        id: i64,
        department_ids: &[i64],
        question: &str,
        due_on: NaiveDate,
        who: &Who,
        mailer: &dyn Mailer,
    ) -> Result<()> {
        let t = tenant.to_string();
        let tenant_row = self.tenant(&t).await?;
        let question = rules::ROUTING_QUESTION.parse_required(question, "error-required")?;
        if department_ids.is_empty() {
            return Err(StoreError::conflict(
                "department_ids",
                "error-routing-department-required",
            ));
        }
        let desk_department = self.desk_settings(tenant).await?.desk_department_id;
        let mut tx = self.write().await?;
        let p = tx.load(&t, id).await?;
        if p.status().is_closed() {
            return Err(StoreError::conflict(
                "department_ids",
                "error-transition-closed",
            ));
        }
        // A deadline is a day still to come (today counts: "by the end of today").
        if due_on < tx.today() {
            return Err(StoreError::conflict("due_on", "error-routing-due-past"));
        }
        let now = tx.now_ts();
        let mut recipients: Vec<(String, Vec<String>)> = Vec::new();
        for dept in department_ids {
            let d = sqlx::query(
                "SELECT d.name, (SELECT COUNT(*) FROM department_members m JOIN users u ON u.id = m.user_id \
                 WHERE m.department_id = d.id AND u.disabled_at IS NULL) AS members \
                 FROM departments d WHERE d.tenant_code = $1 AND d.id = $2",
            )
            .bind(&t)
            .bind(dept)
            .fetch_optional(&mut *tx.tx)
            .await?
            .ok_or(StoreError::conflict(
                "department_ids",
                "error-department-unknown",
            ))?;
            let name: String = d.try_get("name")?;
            // Nobody would read it: a routing must reach people.
            if Some(*dept) == desk_department {
                return Err(StoreError::conflict(
                    "department_ids",
                    "error-routing-desk-itself",
                ));
            }
            if d.try_get::<i64, _>("members")? == 0 {
                return Err(StoreError::conflict(
                    "department_ids",
                    "error-routing-department-empty",
                ));
            }
            sqlx::query(
                "INSERT INTO routings (proposal_id, tenant_code, department_id, question, due_on, requested_by, requested_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(&t)
            .bind(dept)
            .bind(&question)
            .bind(due_on.format("%Y-%m-%d").to_string())
            .bind(who.user_id)
            .bind(&now)
            .execute(&mut *tx.tx)
            .await
            .map_err(|e| {
                if StoreError::is_unique_violation(&e) {
                    StoreError::conflict("department_ids", "error-routing-duplicate")
                } else {
                    e.into()
                }
            })?;
            let members = sqlx::query(
                "SELECT u.email FROM department_members m JOIN users u ON u.id = m.user_id \
                 WHERE m.department_id = $1 AND u.disabled_at IS NULL",
            )
            .bind(dept)
            .fetch_all(&mut *tx.tx)
            .await?;
            let members = members
                .iter()
                .map(|m| m.try_get::<String, _>("email"))
                .collect::<std::result::Result<Vec<_>, _>>()?;
            recipients.push((name.clone(), members));
            tx.add_event(
                id,
                &t,
                who,
                "routing",
                None,
                None,
                &event_note_json(&[("department", &name), ("due_on", &due_on.to_string())]),
                false,
            )
            .await?;
        }
        tx.touch(id, false).await?;
        tx.audit(who.event(
            Some(&t),
            "proposal.route",
            format!("proposal:{}", p.receipt_number),
            serde_json::json!({ "departments": department_ids }).to_string(),
        ))
        .await?;
        for (department, members) in &recipients {
            tx.emit(
                mailer,
                &DomainEvent::Routed {
                    tenant: &tenant_row,
                    proposal: &p,
                    department,
                    due_on,
                    members,
                },
            )
            .await?;
        }
        tx.commit().await
    }

    /// A department's answer to a routing request.
    pub async fn routing_answer(
        &self,
        tenant: TenantCode,
        routing_id: i64,
        answer: Answer,
        comment: &str,
        who: &Who,
    ) -> Result<Routing> {
        let t = tenant.to_string();
        let comment = rules::ANSWER_COMMENT.parse(comment)?;
        let mut tx = self.write().await?;
        let r = sqlx::query(
            "SELECT proposal_id, department_id FROM routings WHERE tenant_code = $1 AND id = $2",
        )
        .bind(&t)
        .bind(routing_id)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let proposal_id: i64 = r.try_get("proposal_id")?;
        let p = tx.load(&t, proposal_id).await?;
        sqlx::query(
            "UPDATE routings SET answer = $3, answer_comment = $4, answered_by = $5, answered_at = $6 \
             WHERE tenant_code = $1 AND id = $2",
        )
        .bind(&t)
        .bind(routing_id)
        .bind(answer.code())
        .bind(&comment)
        .bind(who.user_id)
        .bind(self.now_ts())
        .execute(&mut *tx.tx)
        .await?;
        tx.add_event(
            proposal_id,
            &t,
            who,
            "answer",
            None,
            None,
            &event_note_json(&[("answer", answer.code())]),
            false,
        )
        .await?;
        tx.touch(proposal_id, false).await?;
        tx.audit(who.event(
            Some(&t),
            "proposal.answer",
            format!("proposal:{}", p.receipt_number),
            event_note_json(&[
                ("routing", &routing_id.to_string()),
                ("answer", answer.code()),
            ]),
        ))
        .await?;
        tx.commit().await?;
        self.routings(proposal_id)
            .await?
            .into_iter()
            .find(|x| x.id == routing_id)
            .ok_or(StoreError::NotFound)
    }

    /// The department a routing is addressed to (for the policy check before answering).
    pub async fn routing_department(
        &self,
        tenant: TenantCode,
        routing_id: i64,
    ) -> Result<(i64, i64)> {
        let r = sqlx::query(
            "SELECT proposal_id, department_id FROM routings WHERE tenant_code = $1 AND id = $2",
        )
        .bind(tenant.to_string())
        .bind(routing_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok((r.try_get("proposal_id")?, r.try_get("department_id")?))
    }

    /// A message between the desk and the proponent (with optional attachments from the proponent).
    #[allow(clippy::too_many_arguments)]
    pub async fn message_add(
        &self,
        tenant: TenantCode,
        id: i64,
        from_desk: bool,
        body: &str,
        attachments: &[NewAttachment],
        who: &Who,
        mailer: &dyn Mailer,
    ) -> Result<()> {
        let t = tenant.to_string();
        let tenant_row = self.tenant(&t).await?;
        let body = rules::MESSAGE_BODY.parse_required(body, "error-message-required")?;
        let mut tx = self.write().await?;
        let p = tx.load(&t, id).await?;
        sqlx::query(
            "INSERT INTO proposal_messages (proposal_id, tenant_code, at, from_desk, author_user_id, author, body) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(&t)
        .bind(self.now_ts())
        .bind(i64::from(from_desk))
        .bind(who.user_id)
        .bind(&who.label)
        .bind(&body)
        .execute(&mut *tx.tx)
        .await?;
        for a in attachments {
            tx.insert_attachment(id, &t, a, if from_desk { "desk" } else { "proponent" })
                .await?;
        }
        tx.add_event(id, &t, who, "message", None, None, "", true)
            .await?;
        tx.touch(id, from_desk).await?;
        tx.audit(who.event(
            Some(&t),
            "proposal.message",
            format!("proposal:{}", p.receipt_number),
            event_note_json(&[("from_desk", &from_desk.to_string())]),
        ))
        .await?;
        if from_desk {
            tx.emit(
                mailer,
                &DomainEvent::MessageToProponent {
                    tenant: &tenant_row,
                    proposal: &p,
                    body: &body,
                },
            )
            .await?;
        } else {
            let desk = tx.desk_addresses(&t, p.assignee_user_id).await?;
            tx.emit(
                mailer,
                &DomainEvent::MessageToDesk {
                    tenant: &tenant_row,
                    proposal: &p,
                    desk: &desk,
                },
            )
            .await?;
        }
        tx.commit().await
    }

    /// The proponent's consents (publication if realised; referral to another desk).
    pub async fn consent_set(
        &self,
        tenant: TenantCode,
        id: i64,
        publication: bool,
        referral: bool,
        who: &Who,
    ) -> Result<()> {
        let t = tenant.to_string();
        let mut tx = self.write().await?;
        let p = tx.load(&t, id).await?;
        sqlx::query(
            "UPDATE proposals SET publication_consent = $3, referral_consent = $4, updated_at = $5 WHERE tenant_code = $1 AND id = $2",
        )
        .bind(&t)
        .bind(id)
        .bind(i64::from(publication))
        .bind(i64::from(referral))
        .bind(self.now_ts())
        .execute(&mut *tx.tx)
        .await?;
        let note = event_note_json(&[
            ("publication", &publication.to_string()),
            ("referral", &referral.to_string()),
        ]);
        tx.add_event(id, &t, who, "consent", None, None, &note, true)
            .await?;
        tx.audit(who.event(
            Some(&t),
            "proposal.consent",
            format!("proposal:{}", p.receipt_number),
            note,
        ))
        .await?;
        tx.commit().await
    }

    /// Records a read of confidential proposal content in the audit trail.
    pub async fn audit_proposal_read(
        &self,
        tenant: TenantCode,
        receipt: &str,
        what: &str,
        who: &Who,
    ) -> Result<()> {
        self.audit(who.event(
            Some(&tenant.to_string()),
            "proposal.read",
            format!("proposal:{receipt}"),
            event_note_json(&[("view", what)]),
        ))
        .await
    }

    pub async fn partners(&self, tenant: TenantCode, q: Option<&str>) -> Result<Vec<Partner>> {
        let pattern = q
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(|q| format!("%{}%", normalise_org_name(q)));
        let rows = sqlx::query(
            &format!(
                "{PARTNER_SELECT} WHERE pa.tenant_code = $1 AND ($2 = '' OR pa.name_norm LIKE $2) ORDER BY pa.name LIMIT 500"
            ),
        )
        .bind(tenant.to_string())
        .bind(pattern.unwrap_or_default())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(partner_from_row).collect()
    }

    pub async fn partner(&self, tenant: TenantCode, id: i64) -> Result<Partner> {
        let r = sqlx::query(&format!(
            "{PARTNER_SELECT} WHERE pa.tenant_code = $1 AND pa.id = $2"
        ))
        .bind(tenant.to_string())
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        partner_from_row(&r)
    }

    pub async fn partner_proposals(
        &self,
        tenant: TenantCode,
        partner_id: i64,
    ) -> Result<Vec<Proposal>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM proposals p WHERE p.tenant_code = $1 AND p.partner_id = $2 ORDER BY p.created_at DESC"
        ))
        .bind(tenant.to_string())
        .bind(partner_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(proposal_from_row).collect()
    }

    pub async fn partner_update(
        &self,
        tenant: TenantCode,
        id: i64,
        strengths: &str,
        constraints: &str,
        who: &Who,
    ) -> Result<()> {
        let t = tenant.to_string();
        let strengths = rules::PARTNER_STRENGTHS.parse(strengths)?;
        let constraints = rules::PARTNER_CONSTRAINTS.parse(constraints)?;
        let mut tx = self.write().await?;
        let n = sqlx::query(
            "UPDATE partners SET strengths = $3, constraints = $4, updated_at = $5 WHERE tenant_code = $1 AND id = $2",
        )
        .bind(&t)
        .bind(id)
        .bind(&strengths)
        .bind(&constraints)
        .bind(self.now_ts())
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        tx.audit(who.event(
            Some(&t),
            "partner.update",
            format!("partner:{id}"),
            String::new(),
        ))
        .await?;
        tx.commit().await
    }

    /// Counts for the desk's home.
    pub async fn desk_counts(&self, tenant: TenantCode) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query(
            "SELECT status, COUNT(*) AS n FROM proposals WHERE tenant_code = $1 GROUP BY status ORDER BY status",
        )
        .bind(tenant.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("status")?, r.try_get("n")?)))
            .collect()
    }
}

fn attachment_from_row(r: &sqlx::any::AnyRow) -> Result<AttachmentMeta> {
    Ok(AttachmentMeta {
        id: r.try_get("id")?,
        filename: r.try_get("filename")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        uploaded_by: r.try_get("uploaded_by")?,
        created_at: r.try_get("created_at")?,
    })
}

/// The partner columns with the number of proposals each brought.
const PARTNER_SELECT: &str = "SELECT pa.id, pa.name, pa.partner_type, pa.corporate_number, pa.strengths, \
    pa.constraints, pa.created_at, \
    (SELECT COUNT(*) FROM proposals p WHERE p.partner_id = pa.id) AS proposal_count FROM partners pa";

fn partner_from_row(r: &sqlx::any::AnyRow) -> Result<Partner> {
    Ok(Partner {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        partner_type: rows::code(r, "partners", "partner_type", PartnerType::parse)?,
        corporate_number: r.try_get("corporate_number")?,
        strengths: r.try_get("strengths")?,
        constraints: r.try_get("constraints")?,
        proposal_count: r.try_get("proposal_count")?,
        created_at: rows::instant(r, "partners", "created_at")?,
    })
}

/// Everything a lifecycle move must satisfy: the state machine (with the fiscal-burden
/// rule), the lengths of what is recorded, and for a referral the other desk (another,
/// existing local government whose desk takes proposals) and the proponent's consent.
async fn check_transition(
    conn: &mut sqlx::AnyConnection,
    tenant: TenantCode,
    p: &Proposal,
    t: &Transition,
    why: &str,
) -> Result<Status> {
    // What is written down must be fit to keep: no control characters, not too long.
    rules::TRANSITION_NOTE.parse(why)?;
    match t {
        Transition::Decide {
            fiscal_justification,
        } => {
            rules::FISCAL_JUSTIFICATION.parse(fiscal_justification)?;
        }
        Transition::Decline { explanation, .. } => {
            rules::DECLINE_EXPLANATION.parse(explanation)?;
        }
        _ => {}
    }
    let to = transition(p.status(), t, p.fiscal_burden).map_err(|e| {
        let field = match e.key {
            "error-fiscal-justification-required" => "fiscal_justification",
            "error-decline-explanation-required" => "explanation",
            _ => "transition",
        };
        StoreError::conflict(field, e.key)
    })?;
    if let Transition::Refer { to: dest } = t {
        if *dest == tenant {
            return Err(StoreError::conflict("to", "error-referral-self"));
        }
        let exists = sqlx::query("SELECT 1 AS one FROM tenants WHERE code = $1")
            .bind(dest.to_string())
            .fetch_optional(&mut *conn)
            .await?;
        if exists.is_none() {
            return Err(StoreError::conflict("to", "error-tenant-unknown"));
        }
        if !p.referral_consent {
            return Err(StoreError::conflict("to", "error-referral-needs-consent"));
        }
        // The receiving desk must be there to read it.
        if !crate::desk::openness_on(conn, *dest).await?.is_open() {
            return Err(StoreError::conflict("to", "error-referral-desk-closed"));
        }
    }
    Ok(to)
}

async fn insert_hearing(
    tx: &mut WriteTx,
    tenant: &str,
    id: i64,
    h: &NewHearing,
    who: &Who,
) -> Result<()> {
    let participants = rules::HEARING_PARTICIPANTS.parse(&h.participants)?;
    let notes = rules::HEARING_NOTES.parse(&h.notes)?;
    let next_steps = rules::HEARING_NEXT_STEPS.parse(&h.next_steps)?;
    sqlx::query(
        "INSERT INTO hearings (proposal_id, tenant_code, held_on, channel, participants, notes, next_steps, recorded_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(tenant)
    .bind(h.held_on.format("%Y-%m-%d").to_string())
    .bind(h.channel.code())
    .bind(participants)
    .bind(notes)
    .bind(next_steps)
    .bind(who.user_id)
    .bind(tx.now_ts())
    .execute(&mut *tx.tx)
    .await?;
    tx.add_event(
        id,
        tenant,
        who,
        "hearing",
        None,
        None,
        &event_note_json(&[("channel", h.channel.code())]),
        false,
    )
    .await
}

/// Rebuilds the validated intake from a stored proposal (for the referral copy).
fn intake_of(p: &Proposal) -> Result<Intake> {
    use renkei_domain::proposal::IntakeInput;
    let input = IntakeInput {
        kind: p.kind.to_string(),
        org_name: p.org_name.clone(),
        partner_type: p.partner_type.to_string(),
        corporate_number: p.corporate_number.clone().unwrap_or_default(),
        contact_name: p.contact_name.clone(),
        email: p.email.clone(),
        phone: p.phone.clone(),
        title: p.title.clone(),
        summary: p.summary.clone(),
        details: p.details.clone(),
        fields: p.fields.iter().map(ToString::to_string).collect(),
        offers: p.offers.iter().map(ToString::to_string).collect(),
        expected_effects: p.expected_effects.clone(),
        fiscal_burden: p.fiscal_burden_code().to_string(),
        fiscal_explanation: p.fiscal_explanation.clone(),
        publication_consent: p.publication_consent,
    };
    Intake::parse(&input)
        .map_err(|e| StoreError::Internal(format!("stored proposal no longer valid: {e:?}")))
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
