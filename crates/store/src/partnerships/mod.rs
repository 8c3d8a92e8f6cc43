//! Partnerships (連携事業): the record (form, parties, fields, dates, fiscal burden,
//! publication), its timeline, and the activities that keep it alive.
//!
//! Permissions are decided above (`Actor::may_*_partnership`); every method takes the tenant
//! first and never returns another tenant's rows. This file holds the read models and how a
//! row becomes one; [`changes`] holds the writes.

mod accountability;
mod changes;
mod records;
pub use changes::NewPartnership;
pub use records::{IndicatorRow, MAX_DOCUMENTS, PhotoRow, ReviewRow};
mod import;
mod progress;
pub use import::{ExportRow, HeldUpload, ImportPartnership, UPLOAD_HOLD_MINUTES};
pub use progress::{Managed, ProgressLine, ProgressUpdate};
mod dashboard;
mod dormancy;
mod feedback;
pub use accountability::{OpenCallFacts, ReviewBrief};
pub use dashboard::{AGE_THRESHOLDS, DeskDashboard, ProposalCounts};
pub use dormancy::{DormantItem, SweepReport};
pub use feedback::{FeedbackCounts, FeedbackRow, FeedbackSummary, NewFeedback, client_key};

use crate::rows;
use crate::{Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use renkei_domain::TenantCode;
use renkei_domain::partnership::{
    Form, PartnershipStatus, dormancy_cutoff, is_dormant, is_ending_undecided,
};
use renkei_domain::proposal::{Field, PartnerType, Route};
use sqlx::Row;
use sqlx::any::AnyRow;

/// The condition on `partnerships p` for [`PartnershipStatus::is_case`] (a published one in
/// it is a public case: the case library, the landing page, the case page). The publication
/// condition (`p.published = 1`) is the caller's, so a query can shape it for its index.
pub const CASE_STATUS_SQL: &str = "p.status IN ('active', 'ended')";

/// The condition on `partnerships p` for [`PartnershipStatus::is_listed`] (a published one in
/// it is on the public register and in the open data).
pub const LISTED_STATUS_SQL: &str = "p.status <> 'preparing'";

/// One partnership as a list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnershipSummary {
    pub id: i64,
    pub form: Form,
    pub status: PartnershipStatus,
    pub title: String,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    /// The first party's name (the partner most lists need), and how many there are.
    pub partner_name: String,
    pub party_count: i64,
    pub fields: Vec<Field>,
    pub signed_on: Option<NaiveDate>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub auto_renew: bool,
    pub published: bool,
    pub last_activity_on: Option<NaiveDate>,
    pub last_review_on: Option<NaiveDate>,
    /// No activity for the tenant's period (see `renkei_domain::partnership::is_dormant`).
    pub dormant: bool,
    /// Ending within the notice period without a renewal decision.
    pub ending_undecided: bool,
}

/// A party to a partnership.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyRow {
    pub position: i64,
    /// The partner registry's entry (organisations; not other local governments).
    pub partner_id: Option<i64>,
    pub name: String,
    pub party_type: PartnerType,
    pub corporate_number: Option<String>,
    pub role: String,
}

/// A partnership, all of it (staff only: fiscal burden and documents are internal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnershipDetail {
    pub summary: PartnershipSummary,
    pub tenant_code: TenantCode,
    pub purpose: String,
    pub summary_text: String,
    pub city_role: String,
    pub parties: Vec<PartyRow>,
    /// The decided proposal it came from, with its receipt number.
    pub proposal_id: Option<i64>,
    pub receipt_number: Option<String>,
    /// How it came about: the proposal's route, or `None` when entered directly.
    pub route: Option<Route>,
    pub fiscal_amount: Option<i64>,
    pub fiscal_justification: String,
    pub commercial_note: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An entry of a partnership's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnershipEvent {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub kind: String,
    pub note: String,
}

/// An activity (取組実績).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityRow {
    pub id: i64,
    pub partnership_id: i64,
    pub done_on: NaiveDate,
    pub title: String,
    pub description: String,
    pub people: Option<i64>,
    pub outputs: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// What a partnership list asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PartnershipFilter {
    pub status: Option<PartnershipStatus>,
    pub form: Option<Form>,
    pub department_id: Option<i64>,
    pub field: Option<Field>,
    pub partner_type: Option<PartnerType>,
    /// Only dormant ones.
    pub dormant: bool,
    /// Only ones ending without a renewal decision.
    pub ending: bool,
    /// Only published (公開) ones.
    pub published: Option<bool>,
    /// Only what the public register lists: published and [`PartnershipStatus::is_listed`]
    /// (not 準備中), whatever `status` asks for.
    pub public_only: bool,
    /// Words in the title or a party's name.
    pub q: String,
    /// From 0.
    pub page: i64,
    pub per_page: i64,
}

/// The most partnerships one page lists, and the furthest page.
pub const PER_PAGE_MAX: i64 = 500;
pub const PAGE_MAX: i64 = 100_000;
/// The most rows an export writes.
pub const EXPORT_MAX: i64 = 100_000;

const T: &str = "partnerships";

pub(crate) const SUMMARY_COLUMNS: &str = "p.id, p.form, p.status, p.title, p.department_id, \
    d.name AS department_name, p.signed_on, p.starts_on, p.ends_on, p.auto_renew, p.published, \
    p.last_activity_on, p.last_review_on, \
    (SELECT pp.name FROM partnership_parties pp WHERE pp.partnership_id = p.id ORDER BY pp.position LIMIT 1) AS partner_name, \
    (SELECT COUNT(*) FROM partnership_parties pp WHERE pp.partnership_id = p.id) AS party_count";

/// Reads a summary row; the dormancy and ending flags are computed for `today` and the
/// tenant's period by the domain's rules.
pub(crate) fn summary_from_row(
    r: &AnyRow,
    fields: &str,
    today: NaiveDate,
    months: u32,
) -> Result<PartnershipSummary> {
    let status = rows::code(r, T, "status", PartnershipStatus::parse)?;
    let signed_on = rows::opt_date(r, T, "signed_on")?;
    let starts_on = rows::opt_date(r, T, "starts_on")?;
    let ends_on = rows::opt_date(r, T, "ends_on")?;
    let last_activity_on = rows::opt_date(r, T, "last_activity_on")?;
    let last_review_on = rows::opt_date(r, T, "last_review_on")?;
    let auto_renew = r.try_get::<i64, _>("auto_renew")? != 0;
    let fields = fields
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| {
            Field::parse(s).map_err(|_| StoreError::Corrupt {
                table: "partnership_fields",
                column: "field",
                value: s.chars().take(40).collect(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(PartnershipSummary {
        id: r.try_get("id")?,
        form: rows::code(r, T, "form", Form::parse)?,
        status,
        title: r.try_get("title")?,
        department_id: r.try_get("department_id")?,
        department_name: r.try_get("department_name")?,
        partner_name: r
            .try_get::<Option<String>, _>("partner_name")?
            .unwrap_or_default(),
        party_count: r.try_get("party_count")?,
        fields,
        signed_on,
        starts_on,
        ends_on,
        auto_renew,
        published: r.try_get::<i64, _>("published")? != 0,
        last_activity_on,
        last_review_on,
        dormant: is_dormant(
            status,
            last_activity_on,
            signed_on,
            starts_on,
            today,
            months,
        ),
        ending_undecided: is_ending_undecided(status, ends_on, auto_renew, last_review_on, today),
    })
}

impl Store {
    /// The tenant's dormancy period in months (default 12).
    pub async fn dormancy_months(&self, tenant: TenantCode) -> Result<u32> {
        let r = sqlx::query("SELECT dormancy_months FROM tenant_settings WHERE tenant_code = $1")
            .bind(tenant.to_string())
            .fetch_optional(self.pool())
            .await?;
        let months = match r {
            Some(r) => r.try_get::<i64, _>("dormancy_months")?,
            None => i64::from(renkei_domain::partnership::DEFAULT_DORMANCY_MONTHS),
        };
        u32::try_from(months).map_err(|_| StoreError::Corrupt {
            table: "tenant_settings",
            column: "dormancy_months",
            value: months.to_string(),
        })
    }

    /// A page of the tenant's partnerships, newest first, and how many match in all.
    pub async fn partnerships(
        &self,
        tenant: TenantCode,
        filter: &PartnershipFilter,
    ) -> Result<(Vec<PartnershipSummary>, i64)> {
        let today = self.today();
        let months = self.dormancy_months(tenant).await?;
        let cutoff = renkei_domain::time::to_db_date(dormancy_cutoff(today, months));
        let horizon = renkei_domain::time::to_db_date(
            today + chrono::Days::new(renkei_domain::partnership::ENDING_NOTICE_DAYS),
        );
        let q = filter.q.trim();
        let like = if q.is_empty() {
            String::new()
        } else {
            format!("%{}%", q.replace(['%', '_'], ""))
        };
        // $1 tenant, $2 status, $3 form, $4 department, $5 field, $6 partner type,
        // $7 dormant (cut-off day or ''), $8 ending (horizon or ''), $9 published (-1 any), $10 like.
        let where_ = format!(
            "WHERE p.tenant_code = $1 \
            AND ($2 = '' OR p.status = $2) \
            AND ($3 = '' OR p.form = $3) \
            AND ($4 = 0 OR p.department_id = $4) \
            AND ($5 = '' OR EXISTS (SELECT 1 FROM partnership_fields f WHERE f.partnership_id = p.id AND f.field = $5)) \
            AND ($6 = '' OR EXISTS (SELECT 1 FROM partnership_parties t WHERE t.partnership_id = p.id AND t.party_type = $6)) \
            AND ($7 = '' OR (p.status = 'active' AND COALESCE(p.last_activity_on, p.signed_on, p.starts_on) <= $7)) \
            AND ($8 = '' OR (p.status = 'active' AND p.auto_renew = 0 AND p.ends_on <= $8 \
                AND (p.last_review_on IS NULL OR p.last_review_on < p.renewal_from))) \
            AND ($9 < 0 OR (p.published = CASE WHEN $9 = 0 THEN 0 ELSE 1 END AND ($9 < 2 OR {LISTED_STATUS_SQL}))) \
            AND ($10 = '' OR p.title LIKE $10 OR EXISTS (SELECT 1 FROM partnership_parties n WHERE n.partnership_id = p.id AND n.name LIKE $10))"
        );
        let status = filter.status.map(|s| s.code()).unwrap_or_default();
        let form = filter.form.map(|s| s.code()).unwrap_or_default();
        let field = filter.field.map(|s| s.code()).unwrap_or_default();
        let ptype = filter.partner_type.map(|s| s.code()).unwrap_or_default();
        let dormant = if filter.dormant { cutoff.as_str() } else { "" };
        let ending = if filter.ending { horizon.as_str() } else { "" };
        let published = if filter.public_only {
            2
        } else {
            filter.published.map(i64::from).unwrap_or(-1)
        };
        let department = filter.department_id.unwrap_or(0);
        let count_sql = format!("SELECT COUNT(*) AS n FROM partnerships p {where_}");
        let total: i64 = sqlx::query(&count_sql)
            .bind(tenant.to_string())
            .bind(status)
            .bind(form)
            .bind(department)
            .bind(field)
            .bind(ptype)
            .bind(dormant)
            .bind(ending)
            .bind(published)
            .bind(&like)
            .fetch_one(self.pool())
            .await?
            .try_get("n")?;
        let per_page = filter.per_page.clamp(1, EXPORT_MAX);
        let offset = filter.page.clamp(0, PAGE_MAX) * per_page;
        let sql = format!(
            // The page's ids first, then their columns: the correlated reads (first party,
            // parties, fields) run for the rows shown, not for every match before the sort.
            "SELECT {SUMMARY_COLUMNS} \
             FROM (SELECT p.id FROM partnerships p {where_} ORDER BY p.id DESC LIMIT $11 OFFSET $12) page \
             JOIN partnerships p ON p.id = page.id \
             LEFT JOIN departments d ON d.id = p.department_id \
             ORDER BY p.id DESC"
        );
        let rows = sqlx::query(&sql)
            .bind(tenant.to_string())
            .bind(status)
            .bind(form)
            .bind(department)
            .bind(field)
            .bind(ptype)
            .bind(dormant)
            .bind(ending)
            .bind(published)
            .bind(&like)
            .bind(per_page)
            .bind(offset)
            .fetch_all(self.pool())
            .await?;
        let ids: Vec<i64> = rows
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<std::result::Result<_, _>>()?;
        let fields = self.fields_of(&ids).await?;
        let list = rows
            .iter()
            .zip(&ids)
            .map(|(r, id)| {
                let f = fields.get(id).map(String::as_str).unwrap_or_default();
                summary_from_row(r, f, today, months)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((list, total))
    }

    /// The fields of these partnerships, each as `code,code` in their order: one statement per
    /// 500 ids, not a correlated aggregate per row (which SQLite ran at ~0.15 ms a row).
    async fn fields_of(&self, ids: &[i64]) -> Result<std::collections::HashMap<i64, String>> {
        let mut map: std::collections::HashMap<i64, String> = std::collections::HashMap::new();
        for chunk in ids.chunks(500) {
            let marks = (1..=chunk.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "SELECT partnership_id, field FROM partnership_fields \
                 WHERE partnership_id IN ({marks}) ORDER BY partnership_id, position"
            );
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            for r in q.fetch_all(self.pool()).await? {
                let id: i64 = r.try_get("partnership_id")?;
                let field: String = r.try_get("field")?;
                let entry = map.entry(id).or_default();
                if !entry.is_empty() {
                    entry.push(',');
                }
                entry.push_str(&field);
            }
        }
        Ok(map)
    }

    /// One partnership of the tenant, all of it.
    pub async fn partnership(&self, tenant: TenantCode, id: i64) -> Result<PartnershipDetail> {
        let today = self.today();
        let months = self.dormancy_months(tenant).await?;
        let fields = self.backend().joined("pf.field", "pf.position");
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS}, p.tenant_code, p.purpose, p.summary, p.city_role, \
             p.proposal_id, pr.receipt_number, p.route, p.fiscal_amount, p.fiscal_justification, \
             p.commercial_note, p.created_by, p.created_at, p.updated_at, \
             (SELECT {fields} FROM partnership_fields pf WHERE pf.partnership_id = p.id) AS fields \
             FROM partnerships p LEFT JOIN departments d ON d.id = p.department_id \
             LEFT JOIN proposals pr ON pr.id = p.proposal_id \
             WHERE p.tenant_code = $1 AND p.id = $2"
        );
        let r = sqlx::query(&sql)
            .bind(tenant.to_string())
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        let fields_text: String = r.try_get("fields")?;
        let summary = summary_from_row(&r, &fields_text, today, months)?;
        let route: String = r.try_get("route")?;
        let route = if route.is_empty() {
            None
        } else {
            Some(Route::parse(&route).map_err(|_| StoreError::Corrupt {
                table: T,
                column: "route",
                value: route.clone(),
            })?)
        };
        let parties = sqlx::query(
            "SELECT position, partner_id, name, party_type, corporate_number, role \
             FROM partnership_parties WHERE partnership_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|p| {
            Ok(PartyRow {
                position: p.try_get("position")?,
                partner_id: p.try_get("partner_id")?,
                name: p.try_get("name")?,
                party_type: rows::code(p, "partnership_parties", "party_type", PartnerType::parse)?,
                corporate_number: p.try_get("corporate_number")?,
                role: p.try_get("role")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let tenant_code: String = r.try_get("tenant_code")?;
        Ok(PartnershipDetail {
            summary,
            tenant_code: TenantCode::parse(&tenant_code).map_err(|_| StoreError::Corrupt {
                table: T,
                column: "tenant_code",
                value: tenant_code.clone(),
            })?,
            purpose: r.try_get("purpose")?,
            summary_text: r.try_get("summary")?,
            city_role: r.try_get("city_role")?,
            parties,
            proposal_id: r.try_get("proposal_id")?,
            receipt_number: r.try_get("receipt_number")?,
            route,
            fiscal_amount: r.try_get("fiscal_amount")?,
            fiscal_justification: r.try_get("fiscal_justification")?,
            commercial_note: r.try_get("commercial_note")?,
            created_by: r.try_get("created_by")?,
            created_at: rows::instant(&r, T, "created_at")?,
            updated_at: rows::instant(&r, T, "updated_at")?,
        })
    }

    /// A partnership's timeline, oldest first.
    pub async fn partnership_events(
        &self,
        tenant: TenantCode,
        id: i64,
    ) -> Result<Vec<PartnershipEvent>> {
        sqlx::query(
            "SELECT e.id, e.at, e.actor, e.kind, e.note FROM partnership_events e \
             JOIN partnerships p ON p.id = e.partnership_id \
             WHERE p.tenant_code = $1 AND e.partnership_id = $2 ORDER BY e.id",
        )
        .bind(tenant.to_string())
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(PartnershipEvent {
                id: r.try_get("id")?,
                at: rows::instant(r, "partnership_events", "at")?,
                actor: r.try_get("actor")?,
                kind: r.try_get("kind")?,
                note: r.try_get("note")?,
            })
        })
        .collect()
    }

    /// A partnership's activities, latest first (at most `limit`).
    pub async fn activities(
        &self,
        tenant: TenantCode,
        partnership_id: i64,
        limit: i64,
    ) -> Result<Vec<ActivityRow>> {
        sqlx::query(
            "SELECT id, partnership_id, done_on, title, description, people, outputs, created_by, created_at \
             FROM activities WHERE tenant_code = $1 AND partnership_id = $2 \
             ORDER BY done_on DESC, id DESC LIMIT $3",
        )
        .bind(tenant.to_string())
        .bind(partnership_id)
        .bind(limit.clamp(1, 10_000))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(activity_from_row)
        .collect()
    }

    /// The partnership made from a proposal, if any.
    pub async fn partnership_of_proposal(
        &self,
        tenant: TenantCode,
        proposal_id: i64,
    ) -> Result<Option<i64>> {
        let r = sqlx::query(
            "SELECT id FROM partnerships WHERE tenant_code = $1 AND proposal_id = $2 ORDER BY id LIMIT 1",
        )
        .bind(tenant.to_string())
        .bind(proposal_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(r.map(|r| r.try_get("id")).transpose()?)
    }
}

pub(crate) fn activity_from_row(r: &AnyRow) -> Result<ActivityRow> {
    Ok(ActivityRow {
        id: r.try_get("id")?,
        partnership_id: r.try_get("partnership_id")?,
        done_on: rows::date(r, "activities", "done_on")?,
        title: r.try_get("title")?,
        description: r.try_get("description")?,
        people: r.try_get("people")?,
        outputs: r.try_get("outputs")?,
        created_by: r.try_get("created_by")?,
        created_at: rows::instant(r, "activities", "created_at")?,
    })
}
