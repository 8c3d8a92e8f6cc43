//! Alive or dormant (休眠): each tenant's period, and the sweep that reminds the desk and the
//! responsible department once when a partnership has had no activity for that long.
//!
//! The sweep selects over the whole country with one statement per distinct period in use
//! (usually one: the default), then claims each tenant's partnerships in batches with a
//! conditional update (`dormancy_notified_on IS NULL`), so several app servers remind each
//! partnership once; recording an activity clears the flag (see `changes.rs`), so a
//! partnership dormant again later is reminded again.

use crate::events::{DomainEvent, Mailer, Recipient};
use crate::{Result, Store, StoreError, Who};
use chrono::NaiveDate;
use renkei_domain::TenantCode;
use renkei_domain::partnership::{DEFAULT_DORMANCY_MONTHS, MAX_DORMANCY_MONTHS, dormancy_cutoff};
use renkei_domain::time::to_db_date;
use sqlx::Row;
use std::collections::BTreeMap;

/// A partnership found dormant by the sweep, with who hears about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DormantItem {
    pub partnership_id: i64,
    pub title: String,
    /// The last sign of life: the last activity, else the signing, else the start.
    pub since: Option<NaiveDate>,
    pub months: u32,
    /// The desk's active staff and the responsible department's active members.
    pub recipients: Vec<Recipient>,
}

/// What one sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Partnerships newly flagged dormant.
    pub flagged: usize,
    /// Tenants they belong to.
    pub tenants: usize,
    /// Mails queued.
    pub mails: usize,
}

/// Partnerships claimed per transaction.
const BATCH: usize = 2000;

struct Candidate {
    id: i64,
    title: String,
    department_id: Option<i64>,
    since: Option<NaiveDate>,
}

impl Store {
    /// Sets the tenant's dormancy period (1–60 months), audited.
    pub async fn dormancy_months_set(
        &self,
        tenant: TenantCode,
        months: u32,
        who: &Who,
    ) -> Result<()> {
        if !(1..=MAX_DORMANCY_MONTHS).contains(&months) {
            return Err(StoreError::conflict(
                "dormancy_months",
                "error-dormancy-months-range",
            ));
        }
        let code = tenant.to_string();
        let mut tx = self.write().await?;
        let now = tx.now_ts();
        let defaults = crate::proposals::DeskSettings::default();
        let before: Option<i64> =
            sqlx::query("SELECT dormancy_months FROM tenant_settings WHERE tenant_code = $1")
                .bind(&code)
                .fetch_optional(&mut *tx.tx)
                .await?
                .map(|r| r.try_get("dormancy_months"))
                .transpose()?;
        sqlx::query(
            "INSERT INTO tenant_settings (tenant_code, first_response_days, routing_days, updated_at, dormancy_months) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (tenant_code) DO UPDATE SET dormancy_months = $5, updated_at = $4",
        )
        .bind(&code)
        .bind(defaults.first_response_days)
        .bind(defaults.routing_days)
        .bind(&now)
        .bind(i64::from(months))
        .execute(&mut *tx.tx)
        .await?;
        tx.audit(who.event(
            Some(&code),
            "settings.dormancy",
            "settings:dormancy".into(),
            serde_json::json!({ "from": before, "to": months }).to_string(),
        ))
        .await?;
        tx.commit().await
    }

    /// Flags every active partnership of the country that is dormant today and not yet
    /// flagged, with a timeline event, an audit entry per tenant batch and a reminder to the
    /// desk's active staff and the department's active members (through `mailer`).
    pub async fn dormancy_sweep(&self, mailer: &dyn Mailer) -> Result<SweepReport> {
        let today = self.today();
        // The periods in use: the default for tenants without a setting, and each set one.
        let mut periods: Vec<u32> = vec![DEFAULT_DORMANCY_MONTHS];
        for r in sqlx::query("SELECT DISTINCT dormancy_months FROM tenant_settings")
            .fetch_all(self.pool())
            .await?
        {
            let m: i64 = r.try_get("dormancy_months")?;
            if let Ok(m) = u32::try_from(m)
                && !periods.contains(&m)
            {
                periods.push(m);
            }
        }
        let mut by_tenant: BTreeMap<String, Vec<Candidate>> = BTreeMap::new();
        for months in periods {
            let cutoff = to_db_date(dormancy_cutoff(today, months));
            // Uses partnerships_alive (status, last_activity_on) for the usual case.
            let rows = sqlx::query(
                "SELECT p.id, p.tenant_code, p.title, p.department_id, \
                 COALESCE(p.last_activity_on, p.signed_on, p.starts_on) AS since \
                 FROM partnerships p LEFT JOIN tenant_settings s ON s.tenant_code = p.tenant_code \
                 WHERE p.status = 'active' AND p.dormancy_notified_on IS NULL \
                 AND (p.last_activity_on <= $1 OR (p.last_activity_on IS NULL \
                      AND COALESCE(p.signed_on, p.starts_on) <= $1)) \
                 AND COALESCE(s.dormancy_months, $2) = $3 \
                 ORDER BY p.tenant_code, p.id",
            )
            .bind(&cutoff)
            .bind(i64::from(DEFAULT_DORMANCY_MONTHS))
            .bind(i64::from(months))
            .fetch_all(self.pool())
            .await?;
            for r in rows {
                let tenant: String = r.try_get("tenant_code")?;
                by_tenant.entry(tenant).or_default().push(Candidate {
                    id: r.try_get("id")?,
                    title: r.try_get("title")?,
                    department_id: r.try_get("department_id")?,
                    since: crate::rows::opt_date(&r, "partnerships", "since")?,
                });
            }
        }
        let mut report = SweepReport::default();
        let who = Who {
            user_id: None,
            label: "system".into(),
            origin: "dormancy-sweep".into(),
        };
        for (tenant, candidates) in by_tenant {
            let flagged = self
                .dormancy_notify_tenant(&tenant, candidates, &who, mailer, &mut report)
                .await?;
            if flagged > 0 {
                report.tenants += 1;
                report.flagged += flagged;
            }
        }
        Ok(report)
    }

    async fn dormancy_notify_tenant(
        &self,
        tenant: &str,
        candidates: Vec<Candidate>,
        who: &Who,
        mailer: &dyn Mailer,
        report: &mut SweepReport,
    ) -> Result<usize> {
        let tenant_row = self.tenant(tenant).await?;
        let code = TenantCode::parse(tenant)?;
        let months = self.dormancy_months(code).await?;
        let desk: Vec<Recipient> = sqlx::query(
            "SELECT email, lang FROM users WHERE tenant_code = $1 AND role = 'desk' \
             AND disabled_at IS NULL ORDER BY email",
        )
        .bind(tenant)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(Recipient::from_user_row)
        .collect::<Result<_>>()?;
        let mut members: BTreeMap<i64, Vec<Recipient>> = BTreeMap::new();
        for r in sqlx::query(
            "SELECT m.department_id, u.email, u.lang FROM department_members m \
             JOIN users u ON u.id = m.user_id JOIN departments d ON d.id = m.department_id \
             WHERE d.tenant_code = $1 AND u.disabled_at IS NULL ORDER BY u.email",
        )
        .bind(tenant)
        .fetch_all(self.pool())
        .await?
        {
            let d: i64 = r.try_get("department_id")?;
            members
                .entry(d)
                .or_default()
                .push(Recipient::from_user_row(&r)?);
        }
        let today = to_db_date(self.today());
        let mut flagged = 0;
        for batch in candidates.chunks(BATCH) {
            let mut tx = self.write().await?;
            let now = tx.now_ts();
            let list = (0..batch.len())
                .map(|i| format!("${}", i + 3))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "UPDATE partnerships SET dormancy_notified_on = $2 \
                 WHERE tenant_code = $1 AND dormancy_notified_on IS NULL AND status = 'active' \
                 AND id IN ({list}) RETURNING id"
            );
            let mut q = sqlx::query(&sql).bind(tenant).bind(&today);
            for c in batch {
                q = q.bind(c.id);
            }
            let claimed: Vec<i64> = q
                .fetch_all(&mut *tx.tx)
                .await?
                .iter()
                .map(|r| r.try_get::<i64, _>("id"))
                .collect::<std::result::Result<_, _>>()?;
            if claimed.is_empty() {
                continue;
            }
            let sql = format!(
                "INSERT INTO partnership_events (partnership_id, at, actor, kind, note) \
                 SELECT id, $2, $3, 'dormant', '' FROM partnerships \
                 WHERE tenant_code = $1 AND dormancy_notified_on = $4 AND id IN ({})",
                (0..claimed.len())
                    .map(|i| format!("${}", i + 5))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let mut q = sqlx::query(&sql)
                .bind(tenant)
                .bind(&now)
                .bind(&who.label)
                .bind(&today);
            for id in &claimed {
                q = q.bind(*id);
            }
            q.execute(&mut *tx.tx).await?;
            let claimed_set: std::collections::HashSet<i64> = claimed.iter().copied().collect();
            for c in batch.iter().filter(|c| claimed_set.contains(&c.id)) {
                let mut recipients = desk.clone();
                if let Some(d) = c.department_id.and_then(|d| members.get(&d)) {
                    for r in d {
                        if !recipients.iter().any(|x| x.email == r.email) {
                            recipients.push(r.clone());
                        }
                    }
                }
                let item = DormantItem {
                    partnership_id: c.id,
                    title: c.title.clone(),
                    since: c.since,
                    months,
                    recipients,
                };
                for m in mailer.mails(&DomainEvent::Dormant {
                    tenant: &tenant_row,
                    item: &item,
                }) {
                    tx.enqueue_mail(&m).await?;
                    report.mails += 1;
                }
            }
            tx.audit(who.event(
                Some(tenant),
                "partnership.dormant",
                "partnerships".into(),
                serde_json::json!({ "ids": claimed, "months": months }).to_string(),
            ))
            .await?;
            tx.commit().await?;
            flagged += claimed.len();
        }
        Ok(flagged)
    }
}
