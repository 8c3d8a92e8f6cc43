//! Bulk loading (`renkei bench-data`): rows exactly as the store's own writes leave them
//! (same columns, formats, timeline notes, audit details and hash chains), written in big
//! transactions with multi-row `INSERT`s instead of one transaction per action.
//!
//! The caller composes the content and replays it here action by action (a department, an
//! account, a proposal, a move, a hearing, …), each at its own instant; [`BulkLoad::flush`]
//! writes what was buffered in one transaction: the rows, then each touched audit chain
//! continued from its head in `audit_heads` (entries in time order) and the head updated.
//! Proposals, accounts, departments, partners and routings get their ids here (the first free
//! ones); PostgreSQL's identity sequences are moved past them at [`BulkLoad::finish`].
//!
//! Only for a database without proposals (the caller checks [`Store::proposal_total`]): it
//! assumes nobody else writes while it runs.

use crate::proposals::{DeskSettings, NewHearing, event_note_json, search_text};
use crate::sessions::token_hash;
use crate::{AuditEvent, Backend, Result, Store, StoreError, Who};
use chrono::{DateTime, NaiveDate, Utc};
use renkei_domain::audit::GENESIS_HASH;
use renkei_domain::proposal::{
    Answer, Intake, ReceiptNumber, Route, Status, Transition, normalise_org_name, rules, transition,
};
use renkei_domain::time::{fiscal_year, jst_date, to_db_date, to_db_timestamp};
use renkei_domain::{Lang, Role, TenantCode};
use sqlx::Row;
use sqlx::pool::PoolConnection;
use std::collections::{BTreeSet, HashMap};
use tokio::sync::OwnedMutexGuard;

/// One bound value of a multi-row insert.
enum V {
    T(String),
    OT(Option<String>),
    I(i64),
    OI(Option<i64>),
}

/// Rows waiting for one table: its columns and the values, row after row.
struct Rows {
    table: &'static str,
    columns: &'static [&'static str],
    values: Vec<V>,
}

impl Rows {
    fn new(table: &'static str, columns: &'static [&'static str]) -> Self {
        Self {
            table,
            columns,
            values: Vec::new(),
        }
    }

    fn push(&mut self, row: Vec<V>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.values.extend(row);
    }

    fn len(&self) -> usize {
        self.values.len() / self.columns.len()
    }
}

/// A proposal as it will be inserted: its row after every action replayed on it.
struct PendingProposal {
    tenant: String,
    receipt: String,
    status: Status,
    fiscal_burden: bool,
    assignee: Option<i64>,
    updated_at: String,
    first_responded_at: Option<String>,
    closed_at: Option<String>,
    decline_reason: Option<String>,
    decline_explanation: Option<String>,
    fiscal_justification: Option<String>,
    /// The columns that no action changes, in [`PROPOSAL_FIXED`] order.
    fixed: Vec<V>,
}

const PROPOSAL_FIXED: &[&str] = &[
    "id",
    "tenant_code",
    "receipt_number",
    "kind",
    "route",
    "partner_id",
    "org_name",
    "partner_type",
    "corporate_number",
    "contact_name",
    "email",
    "phone",
    "title",
    "summary",
    "details",
    "expected_effects",
    "fiscal_burden",
    "fiscal_explanation",
    "publication_consent",
    "referral_consent",
    "tracking_hash",
    "first_response_due",
    "search_text",
    "created_at",
    "received_on",
    "fiscal_year",
    "lang",
];

const PROPOSAL_COLUMNS: &[&str] = &[
    "id",
    "tenant_code",
    "receipt_number",
    "kind",
    "route",
    "partner_id",
    "org_name",
    "partner_type",
    "corporate_number",
    "contact_name",
    "email",
    "phone",
    "title",
    "summary",
    "details",
    "expected_effects",
    "fiscal_burden",
    "fiscal_explanation",
    "publication_consent",
    "referral_consent",
    "tracking_hash",
    "first_response_due",
    "search_text",
    "created_at",
    "received_on",
    "fiscal_year",
    "lang",
    "status",
    "assignee_user_id",
    "updated_at",
    "first_responded_at",
    "closed_at",
    "decline_reason",
    "decline_explanation",
    "fiscal_justification",
];

/// A routing (庁内照会) as it will be inserted.
struct PendingRouting {
    id: i64,
    proposal_id: i64,
    tenant: String,
    department_id: i64,
    question: String,
    due_on: String,
    requested_by: Option<i64>,
    requested_at: String,
    answer: Option<(String, String, Option<i64>, String)>,
}

/// What one flush wrote.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct BulkCounts {
    pub departments: u64,
    pub users: u64,
    pub partners: u64,
    pub proposals: u64,
    pub events: u64,
    pub messages: u64,
    pub hearings: u64,
    pub routings: u64,
    pub partnerships: u64,
    pub activities: u64,
    pub audit_entries: u64,
}

impl std::ops::AddAssign for BulkCounts {
    fn add_assign(&mut self, o: Self) {
        self.departments += o.departments;
        self.users += o.users;
        self.partners += o.partners;
        self.proposals += o.proposals;
        self.events += o.events;
        self.messages += o.messages;
        self.hearings += o.hearings;
        self.routings += o.routings;
        self.partnerships += o.partnerships;
        self.activities += o.activities;
        self.audit_entries += o.audit_entries;
    }
}

/// A handle on a proposal being loaded.
#[derive(Debug, Clone)]
pub struct BulkProposalRef {
    pub id: i64,
    pub receipt_number: String,
}

/// The loader. Holds one connection (and, on SQLite, the store's write gate) until
/// [`BulkLoad::finish`].
pub struct BulkLoad {
    backend: Backend,
    conn: PoolConnection<sqlx::Any>,
    _gate: Option<OwnedMutexGuard<()>>,
    password_hash: String,
    next_user: i64,
    next_department: i64,
    next_partner: i64,
    next_proposal: i64,
    next_routing: i64,
    /// Receipt counters (tenant, fiscal year) → last number given.
    receipts: HashMap<(String, i32), i64>,
    receipts_dirty: BTreeSet<(String, i32)>,
    /// Partners made so far: (tenant, normalised name) → id.
    partner_ids: HashMap<(String, String), i64>,
    /// Active desk accounts per tenant (for the desk-staff notice's count).
    desk_accounts: HashMap<String, i64>,
    departments: Rows,
    users: Rows,
    members: Rows,
    settings: Rows,
    staff_changes: Rows,
    partners: Rows,
    proposals: Vec<PendingProposal>,
    proposal_index: HashMap<i64, usize>,
    fields: Rows,
    offers: Rows,
    events: Rows,
    messages: Rows,
    hearings: Rows,
    routings: Vec<PendingRouting>,
    routing_index: HashMap<i64, usize>,
    next_partnership: i64,
    next_activity: i64,
    partnerships: Rows,
    parties: Rows,
    partnership_fields: Rows,
    partnership_events: Rows,
    activities: Rows,
    audit: Vec<(String, AuditEvent)>,
    restored: bool,
}

fn ts(at: DateTime<Utc>) -> String {
    to_db_timestamp(at)
}

fn invalid(e: renkei_domain::ParseError) -> StoreError {
    StoreError::Invalid(e)
}

impl Store {
    /// Proposals in the whole database (every tenant).
    pub async fn proposal_total(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM proposals")
            .fetch_one(self.pool())
            .await?
            .try_get("n")?)
    }

    /// Starts a bulk load; every account it creates gets `password_hash` (an Argon2 PHC string
    /// from [`crate::users::hash_password`]).
    pub async fn bulk_load(&self, password_hash: String) -> Result<BulkLoad> {
        let gate = match &self.write_gate {
            Some(m) => Some(std::sync::Arc::clone(m).lock_owned().await),
            None => None,
        };
        let mut conn = self.pool().acquire().await?;
        self.backend.bulk_session(&mut conn, true).await?;
        let mut ids = Vec::new();
        for table in [
            "users",
            "departments",
            "partners",
            "proposals",
            "routings",
            "partnerships",
            "activities",
        ] {
            let n: i64 = sqlx::query(&format!(
                "SELECT COALESCE(MAX(id), 0) + 1 AS n FROM {table}"
            ))
            .fetch_one(&mut *conn)
            .await?
            .try_get("n")?;
            ids.push(n);
        }
        let mut desk_accounts = HashMap::new();
        for r in sqlx::query(
            "SELECT tenant_code, COUNT(*) AS n FROM users WHERE role = 'desk' AND disabled_at IS NULL \
             AND tenant_code IS NOT NULL GROUP BY tenant_code",
        )
        .fetch_all(&mut *conn)
        .await?
        {
            desk_accounts.insert(r.try_get::<String, _>("tenant_code")?, r.try_get("n")?);
        }
        Ok(BulkLoad {
            backend: self.backend,
            conn,
            _gate: gate,
            password_hash,
            next_user: ids[0],
            next_department: ids[1],
            next_partner: ids[2],
            next_proposal: ids[3],
            next_routing: ids[4],
            receipts: HashMap::new(),
            receipts_dirty: BTreeSet::new(),
            partner_ids: HashMap::new(),
            desk_accounts,
            departments: Rows::new(
                "departments",
                &["id", "tenant_code", "name", "created_at", "updated_at"],
            ),
            users: Rows::new(
                "users",
                &[
                    "id",
                    "tenant_code",
                    "role",
                    "email",
                    "display_name",
                    "password_hash",
                    "created_at",
                    "updated_at",
                ],
            ),
            members: Rows::new(
                "department_members",
                &["department_id", "user_id", "created_at"],
            ),
            settings: Rows::new(
                "tenant_settings",
                &[
                    "tenant_code",
                    "first_response_days",
                    "routing_days",
                    "desk_department_id",
                    "desk_opened_at",
                    "updated_at",
                ],
            ),
            staff_changes: Rows::new(
                "desk_staff_changes",
                &[
                    "tenant_code",
                    "user_id",
                    "previous_role",
                    "by_user_id",
                    "by_label",
                    "at",
                ],
            ),
            partners: Rows::new(
                "partners",
                &[
                    "id",
                    "tenant_code",
                    "name",
                    "name_norm",
                    "partner_type",
                    "corporate_number",
                    "strengths",
                    "constraints",
                    "created_at",
                    "updated_at",
                    "sort_key",
                ],
            ),
            proposals: Vec::new(),
            proposal_index: HashMap::new(),
            fields: Rows::new("proposal_fields", &["proposal_id", "position", "field"]),
            offers: Rows::new("proposal_offers", &["proposal_id", "position", "offer"]),
            events: Rows::new(
                "proposal_events",
                &[
                    "proposal_id",
                    "tenant_code",
                    "at",
                    "actor_user_id",
                    "actor",
                    "kind",
                    "from_status",
                    "to_status",
                    "note",
                    "for_proponent",
                ],
            ),
            messages: Rows::new(
                "proposal_messages",
                &[
                    "proposal_id",
                    "tenant_code",
                    "at",
                    "from_desk",
                    "author_user_id",
                    "author",
                    "body",
                ],
            ),
            hearings: Rows::new(
                "hearings",
                &[
                    "proposal_id",
                    "tenant_code",
                    "held_on",
                    "channel",
                    "participants",
                    "notes",
                    "next_steps",
                    "recorded_by",
                    "created_at",
                ],
            ),
            routings: Vec::new(),
            routing_index: HashMap::new(),
            next_partnership: ids[5],
            next_activity: ids[6],
            partnerships: Rows::new("partnerships", PARTNERSHIP_COLUMNS),
            parties: Rows::new(
                "partnership_parties",
                &[
                    "partnership_id",
                    "position",
                    "partner_id",
                    "name",
                    "party_type",
                    "corporate_number",
                    "role",
                ],
            ),
            partnership_fields: Rows::new(
                "partnership_fields",
                &["partnership_id", "position", "field"],
            ),
            partnership_events: Rows::new(
                "partnership_events",
                &["partnership_id", "at", "actor", "kind", "note"],
            ),
            activities: Rows::new(
                "activities",
                &[
                    "id",
                    "tenant_code",
                    "partnership_id",
                    "done_on",
                    "title",
                    "description",
                    "people",
                    "outputs",
                    "created_by",
                    "created_at",
                ],
            ),
            audit: Vec::new(),
            restored: false,
        })
    }
}

impl BulkLoad {
    fn audit(&mut self, at: DateTime<Utc>, event: AuditEvent) {
        self.audit.push((ts(at), event));
    }

    /// Proposals buffered and not yet written.
    pub fn pending_proposals(&self) -> usize {
        self.proposals.len()
    }

    /// A department, as `Store::department_create` makes it.
    pub fn department(
        &mut self,
        tenant: TenantCode,
        name: &str,
        who: &Who,
        at: DateTime<Utc>,
    ) -> Result<i64> {
        let name = renkei_domain::DepartmentName::parse(name).map_err(invalid)?;
        let id = self.next_department;
        self.next_department += 1;
        let t = tenant.to_string();
        self.departments.push(vec![
            V::I(id),
            V::T(t.clone()),
            V::T(name.as_str().to_string()),
            V::T(ts(at)),
            V::T(ts(at)),
        ]);
        self.audit(
            at,
            who.event(
                Some(&t),
                "department.create",
                format!("department:{id}"),
                serde_json::json!({ "name": name.as_str() }).to_string(),
            ),
        );
        Ok(id)
    }

    /// An account, as `Store::create_user` makes it (with the loader's password hash); a desk
    /// account is announced as `WriteTx::announce_desk_account` does (its mail is not queued:
    /// it would long have been sent).
    #[allow(clippy::too_many_arguments)]
    pub fn user(
        &mut self,
        tenant: TenantCode,
        role: Role,
        email: &str,
        display_name: &str,
        departments: &[(i64, String)],
        who: &Who,
        at: DateTime<Utc>,
    ) -> Result<i64> {
        let email = renkei_domain::Email::parse(email).map_err(invalid)?;
        let display_name = renkei_domain::text::DISPLAY_NAME
            .parse_required(display_name, "error-name-required")
            .map_err(invalid)?;
        let id = self.next_user;
        self.next_user += 1;
        let t = tenant.to_string();
        let now = ts(at);
        self.users.push(vec![
            V::I(id),
            V::OT(Some(t.clone())),
            V::T(role.as_str().to_string()),
            V::T(email.as_str().to_string()),
            V::T(display_name),
            V::T(self.password_hash.clone()),
            V::T(now.clone()),
            V::T(now.clone()),
        ]);
        for (dept, _) in departments {
            self.members
                .push(vec![V::I(*dept), V::I(id), V::T(now.clone())]);
        }
        let names: Vec<&str> = departments.iter().map(|(_, n)| n.as_str()).collect();
        self.audit(
            at,
            who.event(
                Some(&t),
                "user.create",
                format!("user:{id}"),
                serde_json::json!({
                    "role": role.as_str(),
                    "email": email.as_str(),
                    "departments": names,
                })
                .to_string(),
            ),
        );
        if role == Role::Desk {
            let others = self.desk_accounts.entry(t.clone()).or_insert(0);
            let notified = *others;
            *others += 1;
            self.staff_changes.push(vec![
                V::T(t.clone()),
                V::I(id),
                V::OT(None),
                V::OI(who.user_id),
                V::T(who.label.clone()),
                V::T(now),
            ]);
            self.audit(
                at,
                who.event(
                    Some(&t),
                    "desk.staff.added",
                    format!("user:{id}"),
                    serde_json::json!({
                        "email": email.as_str(),
                        "previous_role": Option::<&str>::None,
                        "notified": notified,
                    })
                    .to_string(),
                ),
            );
        }
        Ok(id)
    }

    /// The desk's own department saved (`Store::desk_settings_save`) and the desk opened
    /// (`Store::desk_open`), both at `at`, with the default periods.
    pub fn open_desk(
        &mut self,
        tenant: TenantCode,
        desk_department_id: Option<i64>,
        who: &Who,
        at: DateTime<Utc>,
    ) {
        let t = tenant.to_string();
        let s = DeskSettings::default();
        self.settings.push(vec![
            V::T(t.clone()),
            V::I(s.first_response_days),
            V::I(s.routing_days),
            V::OI(desk_department_id),
            V::OT(Some(ts(at))),
            V::T(ts(at)),
        ]);
        self.audit(
            at,
            who.event(
                Some(&t),
                "settings.update",
                "settings:desk".into(),
                serde_json::json!({
                    "first_response_days": s.first_response_days,
                    "routing_days": s.routing_days,
                    "desk_department_id": desk_department_id,
                })
                .to_string(),
            ),
        );
        let accounts = self.desk_accounts.get(&t).copied().unwrap_or(0);
        self.audit(
            at,
            who.event(
                Some(&t),
                "desk.open",
                "settings:desk".into(),
                serde_json::json!({ "desk_accounts": accounts }).to_string(),
            ),
        );
    }

    /// The partner of a proposal, found by normalised name (as `partner_for` does without a
    /// 法人番号) or created.
    fn partner_for(
        &mut self,
        tenant: &str,
        name: &str,
        partner_type: &str,
        corporate_number: Option<&str>,
        at: DateTime<Utc>,
    ) -> i64 {
        let norm = normalise_org_name(name);
        let key = (tenant.to_string(), norm.clone());
        if let Some(id) = self.partner_ids.get(&key) {
            return *id;
        }
        let id = self.next_partner;
        self.next_partner += 1;
        self.partners.push(vec![
            V::I(id),
            V::T(tenant.to_string()),
            V::T(name.to_string()),
            V::T(norm),
            V::T(partner_type.to_string()),
            V::OT(corporate_number.map(str::to_string)),
            V::T(String::new()),
            V::T(String::new()),
            V::T(ts(at)),
            V::T(ts(at)),
            V::T(renkei_domain::partner::sort_key(name, None)),
        ]);
        self.partner_ids.insert(key, id);
        id
    }

    #[allow(clippy::too_many_arguments)]
    fn event(
        &mut self,
        proposal_id: i64,
        tenant: &str,
        who: &Who,
        kind: &str,
        from: Option<Status>,
        to: Option<Status>,
        note: String,
        for_proponent: bool,
        at: DateTime<Utc>,
    ) {
        self.events.push(vec![
            V::I(proposal_id),
            V::T(tenant.to_string()),
            V::T(ts(at)),
            V::OI(who.user_id),
            V::T(who.label.clone()),
            V::T(kind.to_string()),
            V::OT(from.map(|s| s.code().to_string())),
            V::OT(to.map(|s| s.code().to_string())),
            V::T(note),
            V::I(i64::from(for_proponent)),
        ]);
    }

    fn proposal_mut(&mut self, id: i64) -> Result<&mut PendingProposal> {
        let i = *self.proposal_index.get(&id).ok_or(StoreError::NotFound)?;
        Ok(&mut self.proposals[i])
    }

    /// `WriteTx::touch`.
    fn touch(&mut self, id: i64, responded: bool, at: DateTime<Utc>) -> Result<()> {
        let p = self.proposal_mut(id)?;
        p.updated_at = ts(at);
        if responded && p.first_responded_at.is_none() {
            p.first_responded_at = Some(ts(at));
        }
        Ok(())
    }

    /// A proposal received at `at` (`Store::proposal_submit`: status 受付), or an outbound
    /// approach with its first hearing (`Store::outbound_create`: status 聞き取り). The receipt
    /// number, fiscal year and day of receipt follow from `at` as the store's would;
    /// `first_response_due` is the caller's (the tenant's business days from that day).
    #[allow(clippy::too_many_arguments)]
    pub fn submit(
        &mut self,
        tenant: TenantCode,
        intake: &Intake,
        route: Route,
        lang: Lang,
        tracking_token: &str,
        first_response_due: NaiveDate,
        outbound_hearing: Option<&NewHearing>,
        who: &Who,
        at: DateTime<Utc>,
    ) -> Result<BulkProposalRef> {
        let t = tenant.to_string();
        let received_on = jst_date(at);
        let fy = fiscal_year(received_on);
        let seq = {
            self.receipts_dirty.insert((t.clone(), fy));
            let c = self.receipts.entry((t.clone(), fy)).or_insert(0);
            *c += 1;
            *c
        };
        let receipt = ReceiptNumber {
            tenant,
            year: fy,
            seq,
        }
        .to_string();
        let partner_id = self.partner_for(
            &t,
            &intake.org_name,
            intake.partner_type.code(),
            intake.corporate_number.as_ref().map(|c| c.as_str()),
            at,
        );
        let id = self.next_proposal;
        self.next_proposal += 1;
        let status = if outbound_hearing.is_some() {
            Status::Hearing
        } else {
            Status::Received
        };
        let now = ts(at);
        let fixed = vec![
            V::I(id),
            V::T(t.clone()),
            V::T(receipt.clone()),
            V::T(intake.kind.code().to_string()),
            V::T(route.code().to_string()),
            V::I(partner_id),
            V::T(intake.org_name.clone()),
            V::T(intake.partner_type.code().to_string()),
            V::OT(
                intake
                    .corporate_number
                    .as_ref()
                    .map(|c| c.as_str().to_string()),
            ),
            V::T(intake.contact_name.clone()),
            V::T(intake.email.as_str().to_string()),
            V::T(intake.phone.clone()),
            V::T(intake.title.clone()),
            V::T(intake.summary.clone()),
            V::T(intake.details.clone()),
            V::T(intake.expected_effects.clone()),
            V::T(
                if intake.fiscal_burden.is_some() {
                    "some"
                } else {
                    "none"
                }
                .to_string(),
            ),
            V::T(intake.fiscal_burden.clone().unwrap_or_default()),
            V::I(i64::from(intake.publication_consent)),
            V::I(0),
            V::T(token_hash(tracking_token)),
            V::T(first_response_due.format("%Y-%m-%d").to_string()),
            V::T(search_text(&receipt, intake)),
            V::T(now.clone()),
            V::T(to_db_date(received_on)),
            V::I(i64::from(fy)),
            V::T(lang.code().to_string()),
        ];
        debug_assert_eq!(fixed.len(), PROPOSAL_FIXED.len());
        self.proposal_index.insert(id, self.proposals.len());
        self.proposals.push(PendingProposal {
            tenant: t.clone(),
            receipt: receipt.clone(),
            status,
            fiscal_burden: intake.fiscal_burden.is_some(),
            assignee: None,
            updated_at: now,
            first_responded_at: None,
            closed_at: None,
            decline_reason: None,
            decline_explanation: None,
            fiscal_justification: None,
            fixed,
        });
        for (position, field) in (0_i64..).zip(&intake.fields) {
            self.fields
                .push(vec![V::I(id), V::I(position), V::T(field.code().into())]);
        }
        for (position, offer) in (0_i64..).zip(&intake.offers) {
            self.offers
                .push(vec![V::I(id), V::I(position), V::T(offer.code().into())]);
        }
        self.event(
            id,
            &t,
            who,
            "submitted",
            None,
            Some(status),
            String::new(),
            true,
            at,
        );
        self.audit(
            at,
            who.event(
                Some(&t),
                "proposal.create",
                format!("proposal:{receipt}"),
                event_note_json(&[("route", route.code()), ("attachments", "0")]),
            ),
        );
        if let Some(h) = outbound_hearing {
            self.insert_hearing(&t, id, h, who, at)?;
            self.touch(id, true, at)?;
        }
        Ok(BulkProposalRef {
            id,
            receipt_number: receipt,
        })
    }

    /// A read of confidential content (`Store::audit_proposal_read`): `receipt` may also be
    /// a list's name (`inbox`, `routed-list`).
    pub fn read(
        &mut self,
        tenant: TenantCode,
        receipt: &str,
        view: &str,
        who: &Who,
        at: DateTime<Utc>,
    ) {
        self.audit(
            at,
            who.event(
                Some(&tenant.to_string()),
                "proposal.read",
                format!("proposal:{receipt}"),
                event_note_json(&[("view", view)]),
            ),
        );
    }

    /// `Store::proposal_assign`.
    pub fn assign(
        &mut self,
        id: i64,
        assignee: Option<i64>,
        who: &Who,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let p = self.proposal_mut(id)?;
        p.assignee = assignee;
        p.updated_at = ts(at);
        let (t, receipt) = (p.tenant.clone(), p.receipt.clone());
        let a = assignee.map(|x| x.to_string()).unwrap_or_default();
        let note = event_note_json(&[("assignee", &a)]);
        self.event(
            id,
            &t,
            who,
            "assignment",
            None,
            None,
            note.clone(),
            false,
            at,
        );
        self.audit(
            at,
            who.event(
                Some(&t),
                "proposal.assign",
                format!("proposal:{receipt}"),
                note,
            ),
        );
        Ok(())
    }

    /// `Store::proposal_transition_noted` (not referrals: the copy at the other desk is not
    /// made here). The move is checked by the domain's state machine.
    pub fn transition(
        &mut self,
        id: i64,
        t: &Transition,
        why: &str,
        who: &Who,
        at: DateTime<Utc>,
    ) -> Result<Status> {
        if matches!(t, Transition::Refer { .. }) {
            return Err(StoreError::Internal(
                "bulk load: referrals are not supported".into(),
            ));
        }
        let why = rules::TRANSITION_NOTE.parse(why).map_err(invalid)?;
        let p = self.proposal_mut(id)?;
        let from = p.status;
        let to = transition(from, t, p.fiscal_burden)
            .map_err(|e| StoreError::conflict("status", e.key))?;
        let justification = match t {
            Transition::Decide {
                fiscal_justification,
            } if p.fiscal_burden => Some(
                rules::FISCAL_JUSTIFICATION
                    .parse(fiscal_justification)
                    .map_err(invalid)?,
            ),
            _ => None,
        };
        let (reason, explanation) = match t {
            Transition::Decline {
                reason,
                explanation,
            } => (
                Some(reason.code().to_string()),
                Some(
                    rules::DECLINE_EXPLANATION
                        .parse(explanation)
                        .map_err(invalid)?,
                ),
            ),
            _ => (None, None),
        };
        let now = ts(at);
        p.status = to;
        p.updated_at = now.clone();
        p.closed_at = if to.is_closed() {
            Some(now.clone())
        } else {
            None
        };
        if reason.is_some() {
            p.decline_reason = reason.clone();
            p.decline_explanation = explanation.clone();
        }
        if !t.by_proponent() && p.first_responded_at.is_none() {
            p.first_responded_at = Some(now);
        }
        if justification.is_some() {
            p.fiscal_justification = justification.clone();
        }
        let (tenant, receipt) = (p.tenant.clone(), p.receipt.clone());
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        if let Some(j) = &justification {
            pairs.push(("fiscal_justification", j));
        }
        if let (Some(r), Some(e)) = (&reason, &explanation) {
            pairs.push(("reason", r));
            pairs.push(("explanation", e));
        }
        if !why.is_empty() {
            pairs.push(("note", &why));
        }
        let note = if pairs.is_empty() {
            String::new()
        } else {
            event_note_json(&pairs)
        };
        self.event(
            id,
            &tenant,
            who,
            "status",
            Some(from),
            Some(to),
            note,
            true,
            at,
        );
        self.audit(
            at,
            who.event(
                Some(&tenant),
                &format!("proposal.{}", t.code()),
                format!("proposal:{receipt}"),
                event_note_json(&[("from", from.code()), ("to", to.code()), ("note", &why)]),
            ),
        );
        Ok(to)
    }

    fn insert_hearing(
        &mut self,
        tenant: &str,
        id: i64,
        h: &NewHearing,
        who: &Who,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let participants = rules::HEARING_PARTICIPANTS
            .parse(&h.participants)
            .map_err(invalid)?;
        let notes = rules::HEARING_NOTES.parse(&h.notes).map_err(invalid)?;
        let next_steps = rules::HEARING_NEXT_STEPS
            .parse(&h.next_steps)
            .map_err(invalid)?;
        self.hearings.push(vec![
            V::I(id),
            V::T(tenant.to_string()),
            V::T(h.held_on.format("%Y-%m-%d").to_string()),
            V::T(h.channel.code().to_string()),
            V::T(participants),
            V::T(notes),
            V::T(next_steps),
            V::OI(who.user_id),
            V::T(ts(at)),
        ]);
        self.event(
            id,
            tenant,
            who,
            "hearing",
            None,
            None,
            event_note_json(&[("channel", h.channel.code())]),
            false,
            at,
        );
        Ok(())
    }

    /// `Store::hearing_add`.
    pub fn hearing(&mut self, id: i64, h: &NewHearing, who: &Who, at: DateTime<Utc>) -> Result<()> {
        if h.held_on > jst_date(at) {
            return Err(StoreError::conflict("held_on", "error-hearing-future"));
        }
        let p = self.proposal_mut(id)?;
        let (t, receipt) = (p.tenant.clone(), p.receipt.clone());
        self.insert_hearing(&t, id, h, who, at)?;
        self.touch(id, true, at)?;
        self.audit(
            at,
            who.event(
                Some(&t),
                "proposal.hearing",
                format!("proposal:{receipt}"),
                String::new(),
            ),
        );
        Ok(())
    }

    /// `Store::routing_add` (the caller picks departments with members, not the desk's own).
    /// Returns the routings' ids in the order of `departments`.
    pub fn route(
        &mut self,
        id: i64,
        departments: &[(i64, String)],
        question: &str,
        due_on: NaiveDate,
        who: &Who,
        at: DateTime<Utc>,
    ) -> Result<Vec<i64>> {
        let question = rules::ROUTING_QUESTION
            .parse_required(question, "error-required")
            .map_err(invalid)?;
        let p = self.proposal_mut(id)?;
        if p.status.is_closed() {
            return Err(StoreError::conflict(
                "department_ids",
                "error-transition-closed",
            ));
        }
        let (t, receipt) = (p.tenant.clone(), p.receipt.clone());
        let mut ids = Vec::new();
        for (dept, name) in departments {
            let rid = self.next_routing;
            self.next_routing += 1;
            self.routing_index.insert(rid, self.routings.len());
            self.routings.push(PendingRouting {
                id: rid,
                proposal_id: id,
                tenant: t.clone(),
                department_id: *dept,
                question: question.clone(),
                due_on: due_on.format("%Y-%m-%d").to_string(),
                requested_by: who.user_id,
                requested_at: ts(at),
                answer: None,
            });
            ids.push(rid);
            self.event(
                id,
                &t,
                who,
                "routing",
                None,
                None,
                event_note_json(&[("department", name), ("due_on", &due_on.to_string())]),
                false,
                at,
            );
        }
        self.touch(id, false, at)?;
        let dept_ids: Vec<i64> = departments.iter().map(|(d, _)| *d).collect();
        self.audit(
            at,
            who.event(
                Some(&t),
                "proposal.route",
                format!("proposal:{receipt}"),
                serde_json::json!({ "departments": dept_ids }).to_string(),
            ),
        );
        Ok(ids)
    }

    /// `Store::routing_answer`.
    pub fn answer(
        &mut self,
        routing_id: i64,
        answer: Answer,
        comment: &str,
        who: &Who,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let comment = rules::ANSWER_COMMENT.parse(comment).map_err(invalid)?;
        let i = *self
            .routing_index
            .get(&routing_id)
            .ok_or(StoreError::NotFound)?;
        let r = &mut self.routings[i];
        r.answer = Some((answer.code().to_string(), comment, who.user_id, ts(at)));
        let proposal_id = r.proposal_id;
        let p = self.proposal_mut(proposal_id)?;
        let (t, receipt) = (p.tenant.clone(), p.receipt.clone());
        self.event(
            proposal_id,
            &t,
            who,
            "answer",
            None,
            None,
            event_note_json(&[("answer", answer.code())]),
            false,
            at,
        );
        self.touch(proposal_id, false, at)?;
        self.audit(
            at,
            who.event(
                Some(&t),
                "proposal.answer",
                format!("proposal:{receipt}"),
                event_note_json(&[
                    ("routing", &routing_id.to_string()),
                    ("answer", answer.code()),
                ]),
            ),
        );
        Ok(())
    }

    /// `Store::message_add` without attachments (the mail it queued is not written).
    pub fn message(
        &mut self,
        id: i64,
        from_desk: bool,
        body: &str,
        who: &Who,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let body = rules::MESSAGE_BODY
            .parse_required(body, "error-message-required")
            .map_err(invalid)?;
        let p = self.proposal_mut(id)?;
        let (t, receipt) = (p.tenant.clone(), p.receipt.clone());
        self.messages.push(vec![
            V::I(id),
            V::T(t.clone()),
            V::T(ts(at)),
            V::I(i64::from(from_desk)),
            V::OI(who.user_id),
            V::T(who.label.clone()),
            V::T(body),
        ]);
        self.event(id, &t, who, "message", None, None, String::new(), true, at);
        self.touch(id, from_desk, at)?;
        self.audit(
            at,
            who.event(
                Some(&t),
                "proposal.message",
                format!("proposal:{receipt}"),
                event_note_json(&[("from_desk", &from_desk.to_string())]),
            ),
        );
        Ok(())
    }

    /// Writes everything buffered in one transaction: the rows, then each audit chain's new
    /// entries (in time order) continued from its head, and the heads. Finish every action on
    /// a proposal before flushing: afterwards it can no longer be changed here.
    pub async fn flush(&mut self) -> Result<BulkCounts> {
        let backend = self.backend;
        let mut counts = BulkCounts {
            departments: self.departments.len() as u64,
            users: self.users.len() as u64,
            partners: self.partners.len() as u64,
            proposals: self.proposals.len() as u64,
            events: self.events.len() as u64,
            messages: self.messages.len() as u64,
            hearings: self.hearings.len() as u64,
            routings: self.routings.len() as u64,
            partnerships: self.partnerships.len() as u64,
            activities: self.activities.len() as u64,
            audit_entries: 0,
        };
        let mut proposals = Rows::new("proposals", PROPOSAL_COLUMNS);
        for p in std::mem::take(&mut self.proposals) {
            let mut row = p.fixed;
            row.extend([
                V::T(p.status.code().to_string()),
                V::OI(p.assignee),
                V::T(p.updated_at),
                V::OT(p.first_responded_at),
                V::OT(p.closed_at),
                V::OT(p.decline_reason),
                V::OT(p.decline_explanation),
                V::OT(p.fiscal_justification),
            ]);
            proposals.push(row);
        }
        self.proposal_index.clear();
        let mut routings = Rows::new(
            "routings",
            &[
                "id",
                "proposal_id",
                "tenant_code",
                "department_id",
                "question",
                "due_on",
                "requested_by",
                "requested_at",
                "answer",
                "answer_comment",
                "answered_by",
                "answered_at",
            ],
        );
        for r in std::mem::take(&mut self.routings) {
            let (answer, comment, by, at) = match r.answer {
                Some((a, c, b, at)) => (Some(a), Some(c), b, Some(at)),
                None => (None, None, None, None),
            };
            routings.push(vec![
                V::I(r.id),
                V::I(r.proposal_id),
                V::T(r.tenant),
                V::I(r.department_id),
                V::T(r.question),
                V::T(r.due_on),
                V::OI(r.requested_by),
                V::T(r.requested_at),
                V::OT(answer),
                V::OT(comment),
                V::OI(by),
                V::OT(at),
            ]);
        }
        self.routing_index.clear();
        let mut counters = Rows::new("receipt_counters", &["tenant_code", "year", "last_seq"]);
        for key in std::mem::take(&mut self.receipts_dirty) {
            let last = self.receipts.get(&key).copied().unwrap_or(0);
            counters.push(vec![V::T(key.0), V::I(i64::from(key.1)), V::I(last)]);
        }
        // Each chain's entries in time order (ties in the order they were made).
        let mut audit = std::mem::take(&mut self.audit);
        audit.sort_by(|a, b| {
            let ca = a.1.tenant_code.as_deref().unwrap_or("");
            let cb = b.1.tenant_code.as_deref().unwrap_or("");
            ca.cmp(cb).then_with(|| a.0.cmp(&b.0))
        });
        let mut tx = sqlx::Connection::begin(&mut *self.conn).await?;
        for rows in [
            &mut self.departments,
            &mut self.users,
            &mut self.members,
            &mut self.settings,
            &mut self.staff_changes,
            &mut self.partners,
            &mut proposals,
            &mut self.fields,
            &mut self.offers,
            &mut self.events,
            &mut self.messages,
            &mut self.hearings,
            &mut routings,
            &mut self.partnerships,
            &mut self.parties,
            &mut self.partnership_fields,
            &mut self.partnership_events,
            &mut self.activities,
        ] {
            insert_rows(&mut tx, backend, rows, &[]).await?;
            rows.values.clear();
        }
        // Counters: the last number given so far in each (tenant, year) touched.
        insert_rows(
            &mut tx,
            backend,
            &counters,
            &["ON CONFLICT (tenant_code, year) DO UPDATE SET last_seq = excluded.last_seq"],
        )
        .await?;
        let mut entries = Rows::new(
            "audit_log",
            &[
                "chain",
                "seq",
                "at",
                "tenant_code",
                "actor_user_id",
                "actor",
                "action",
                "target",
                "detail",
                "origin",
                "prev_hash",
                "hash",
            ],
        );
        let mut heads = Rows::new("audit_heads", &["chain", "seq", "hash"]);
        let mut current: Option<(String, i64, String)> = None;
        for (at, event) in audit {
            let chain = event.tenant_code.clone().unwrap_or_default();
            let (seq, prev) = match &current {
                Some((c, seq, hash)) if *c == chain => (*seq, hash.clone()),
                _ => {
                    if let Some((c, seq, hash)) = current.take() {
                        heads.push(vec![V::T(c), V::I(seq), V::T(hash)]);
                    }
                    let head = sqlx::query("SELECT seq, hash FROM audit_heads WHERE chain = $1")
                        .bind(&chain)
                        .fetch_optional(&mut *tx)
                        .await?;
                    match head {
                        Some(r) => (r.try_get("seq")?, r.try_get("hash")?),
                        None => (0, GENESIS_HASH.to_string()),
                    }
                }
            };
            let entry = event.into_entry(seq + 1, at);
            let hash = entry.chain_hash(&prev);
            entries.push(vec![
                V::T(chain.clone()),
                V::I(entry.seq),
                V::T(entry.at),
                V::OT(entry.tenant_code),
                V::OI(entry.actor_user_id),
                V::T(entry.actor),
                V::T(entry.action),
                V::T(entry.target),
                V::T(entry.detail),
                V::T(entry.origin),
                V::T(prev),
                V::T(hash.clone()),
            ]);
            current = Some((chain, entry.seq, hash));
            if entries.len() >= 20_000 {
                counts.audit_entries += entries.len() as u64;
                insert_rows(&mut tx, backend, &entries, &[]).await?;
                entries.values.clear();
            }
        }
        if let Some((c, seq, hash)) = current.take() {
            heads.push(vec![V::T(c), V::I(seq), V::T(hash)]);
        }
        counts.audit_entries += entries.len() as u64;
        insert_rows(&mut tx, backend, &entries, &[]).await?;
        insert_rows(
            &mut tx,
            backend,
            &heads,
            &["ON CONFLICT (chain) DO UPDATE SET seq = excluded.seq, hash = excluded.hash"],
        )
        .await?;
        tx.commit().await?;
        Ok(counts)
    }

    /// Writes what is left, moves PostgreSQL's id sequences past the ids given here and puts
    /// the connection's settings back.
    pub async fn finish(mut self) -> Result<BulkCounts> {
        let counts = self.flush().await?;
        for table in [
            "users",
            "departments",
            "partners",
            "proposals",
            "routings",
            "partnerships",
            "activities",
        ] {
            self.backend.sync_id_sequence(&mut self.conn, table).await?;
        }
        self.backend.bulk_session(&mut self.conn, false).await?;
        self.restored = true;
        Ok(counts)
    }
}

impl Drop for BulkLoad {
    fn drop(&mut self) {
        if !self.restored {
            // The connection's load-only settings must not go back to the pool.
            self.conn.close_on_drop();
        }
    }
}

/// Bound parameters per statement actually used (below both backends' limits): statements of
/// ~33,000 parameters took 2.5 s each for 3,276 audit rows on SQLite through sqlx (observed in
/// the first national run), far slower per row than smaller ones.
const PARAMS_PER_STATEMENT: usize = 1_000;

/// Multi-row `INSERT`s of `rows`, as many rows per statement as the backend's bound-parameter
/// limit allows; `tail` is appended to each statement (e.g. `ON CONFLICT …`).
async fn insert_rows(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    rows: &Rows,
    tail: &[&str],
) -> Result<()> {
    let n = rows.columns.len();
    if n == 0 || rows.values.is_empty() {
        return Ok(());
    }
    let per_statement = (backend.max_bind_params().min(PARAMS_PER_STATEMENT) / n).max(1);
    let head = format!(
        "INSERT INTO {} ({}) VALUES ",
        rows.table,
        rows.columns.join(", ")
    );
    for chunk in rows.values.chunks(per_statement * n) {
        let count = chunk.len() / n;
        let mut sql = String::with_capacity(head.len() + count * n * 6);
        sql.push_str(&head);
        let mut p = 0;
        for r in 0..count {
            if r > 0 {
                sql.push(',');
            }
            sql.push('(');
            for c in 0..n {
                if c > 0 {
                    sql.push(',');
                }
                p += 1;
                sql.push('$');
                sql.push_str(&p.to_string());
            }
            sql.push(')');
        }
        for t in tail {
            sql.push(' ');
            sql.push_str(t);
        }
        let mut q = sqlx::query(&sql);
        for v in chunk {
            q = match v {
                V::T(s) => q.bind(s.as_str()),
                V::OT(s) => q.bind(s.as_deref()),
                V::I(i) => q.bind(*i),
                V::OI(i) => q.bind(*i),
            };
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

const PARTNERSHIP_COLUMNS: &[&str] = &[
    "id",
    "tenant_code",
    "form",
    "status",
    "title",
    "purpose",
    "summary",
    "city_role",
    "department_id",
    "proposal_id",
    "route",
    "signed_on",
    "starts_on",
    "ends_on",
    "renewal_from",
    "auto_renew",
    "fiscal_amount",
    "fiscal_justification",
    "published",
    "commercial_note",
    "last_activity_on",
    "created_by",
    "created_at",
    "updated_at",
];

/// A partnership to load with the activities recorded under it so far.
#[derive(Debug, Clone)]
pub struct BulkPartnership<'a> {
    pub record: &'a renkei_domain::partnership::Partnership,
    /// The decided proposal it realises, with that proposal's route.
    pub proposal: Option<(i64, Route)>,
    pub status: renkei_domain::partnership::PartnershipStatus,
    /// Each activity with the instant it was recorded, in the order recorded.
    pub activities: &'a [(renkei_domain::partnership::Activity, DateTime<Utc>)],
}

impl BulkLoad {
    /// A partnership as `Store::partnership_create` makes it at `at` (parties linked to the
    /// partner registry, fields, the timeline's first entry, the audit entry), then each
    /// activity as `Store::activity_add` records it. Returns its id.
    pub fn partnership(
        &mut self,
        tenant: TenantCode,
        p: &BulkPartnership<'_>,
        who: &Who,
        at: DateTime<Utc>,
    ) -> Result<i64> {
        let t = tenant.to_string();
        let r = p.record;
        let id = self.next_partnership;
        self.next_partnership += 1;
        let last_activity = p.activities.iter().map(|(a, _)| a.done_on).max();
        let updated = p
            .activities
            .iter()
            .map(|(_, at)| *at)
            .max()
            .unwrap_or(at)
            .max(at);
        let (amount, justification) = match &r.fiscal_burden {
            Some((a, j)) => (Some(*a), j.clone()),
            None => (None, String::new()),
        };
        let (proposal_id, route) = match p.proposal {
            Some((pid, route)) => (Some(pid), route.code().to_string()),
            None => (None, String::new()),
        };
        self.partnerships.push(vec![
            V::I(id),
            V::T(t.clone()),
            V::T(r.form.code().to_string()),
            V::T(p.status.code().to_string()),
            V::T(r.title.clone()),
            V::T(r.purpose.clone()),
            V::T(r.summary.clone()),
            V::T(r.city_role.clone()),
            V::OI(r.department_id),
            V::OI(proposal_id),
            V::T(route),
            V::OT(r.signed_on.map(to_db_date)),
            V::OT(r.starts_on.map(to_db_date)),
            V::OT(r.ends_on.map(to_db_date)),
            V::OT(
                r.ends_on
                    .map(|e| to_db_date(renkei_domain::partnership::renewal_decision_from(e))),
            ),
            V::I(i64::from(r.auto_renew)),
            V::OI(amount),
            V::T(justification),
            V::I(i64::from(r.published)),
            V::OT(r.commercial_note.clone()),
            V::OT(last_activity.map(to_db_date)),
            V::T(who.label.clone()),
            V::T(ts(at)),
            V::T(ts(updated)),
        ]);
        for (position, party) in (0_i64..).zip(&r.parties) {
            let cn = party
                .corporate_number
                .as_ref()
                .map(|c| c.as_str().to_string());
            let partner_id =
                self.partner_for(&t, &party.name, party.party_type.code(), cn.as_deref(), at);
            self.parties.push(vec![
                V::I(id),
                V::I(position),
                V::OI(Some(partner_id)),
                V::T(party.name.clone()),
                V::T(party.party_type.code().to_string()),
                V::OT(cn),
                V::T(party.role.clone()),
            ]);
        }
        for (position, f) in (0_i64..).zip(&r.fields) {
            self.partnership_fields.push(vec![
                V::I(id),
                V::I(position),
                V::T(f.code().to_string()),
            ]);
        }
        let (origin, note) = match proposal_id {
            Some(pid) => (
                "created-from-proposal",
                serde_json::json!({ "proposal_id": pid }).to_string(),
            ),
            None => ("created", String::new()),
        };
        self.partnership_events.push(vec![
            V::I(id),
            V::T(ts(at)),
            V::T(who.label.clone()),
            V::T(origin.to_string()),
            V::T(note),
        ]);
        self.audit(
            at,
            who.event(
                Some(&t),
                "partnership.create",
                format!("partnership:{id}"),
                serde_json::json!({
                    "form": r.form.code(),
                    "title": r.title,
                    "proposal_id": proposal_id,
                    "origin": origin,
                })
                .to_string(),
            ),
        );
        for (a, recorded) in p.activities {
            let aid = self.next_activity;
            self.next_activity += 1;
            let day = to_db_date(a.done_on);
            self.activities.push(vec![
                V::I(aid),
                V::T(t.clone()),
                V::I(id),
                V::T(day.clone()),
                V::T(a.title.clone()),
                V::T(a.description.clone()),
                V::OI(a.people),
                V::T(a.outputs.clone()),
                V::T(who.label.clone()),
                V::T(ts(*recorded)),
            ]);
            self.partnership_events.push(vec![
                V::I(id),
                V::T(ts(*recorded)),
                V::T(who.label.clone()),
                V::T("activity".to_string()),
                V::T(
                    serde_json::json!({ "activity_id": aid, "done_on": day, "title": a.title })
                        .to_string(),
                ),
            ]);
            self.audit(
                *recorded,
                who.event(
                    Some(&t),
                    "partnership.activity",
                    format!("partnership:{id}"),
                    serde_json::json!({ "activity_id": aid, "done_on": day, "photos": 0 })
                        .to_string(),
                ),
            );
        }
        Ok(id)
    }

    /// Partnerships buffered and not yet written.
    pub fn pending_partnerships(&self) -> usize {
        self.partnerships.len()
    }
}
