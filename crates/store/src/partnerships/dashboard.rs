//! The desk's dashboard: a few aggregate queries (GROUP BY and conditional sums), never the
//! rows themselves. Each figure is counted with the same conditions as the list it links to
//! (the inbox's filters for proposals, [`crate::partnerships::PartnershipFilter`] for
//! partnerships), so a figure and its list agree.

use crate::{Result, Store};
use renkei_domain::TenantCode;
use renkei_domain::partnership::{ENDING_NOTICE_DAYS, dormancy_cutoff};
use renkei_domain::proposal::Status;
use renkei_domain::time::{to_db_date, to_db_timestamp};
use sqlx::Row;

/// The days since receipt the dashboard bands open proposals by (at least this many days):
/// 0–7, 8–30, 31–90, over 90.
pub const AGE_THRESHOLDS: [i64; 3] = [8, 31, 91];

/// Proposals in figures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProposalCounts {
    /// Every status with its count (status code, count).
    pub by_status: Vec<(String, i64)>,
    /// Open proposals in all.
    pub open: i64,
    /// Open proposals received at least 8, 31 and 91 days ago (as the inbox's `age=`).
    pub older_than: [i64; 3],
    /// Open proposals whose first response is overdue (the inbox's `status=overdue`).
    pub overdue_first_response: i64,
    /// Open proposals with a routing request past its deadline without an answer (the
    /// inbox's `status=routing-overdue`).
    pub overdue_routings: i64,
}

/// Partnerships in figures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeskDashboard {
    pub proposals: ProposalCounts,
    /// By status code.
    pub by_status: Vec<(String, i64)>,
    /// By form code.
    pub by_form: Vec<(String, i64)>,
    /// By field code (a partnership counts once under each of its fields).
    pub by_field: Vec<(String, i64)>,
    /// By partner type code (a partnership counts once under each type among its parties).
    pub by_partner_type: Vec<(String, i64)>,
    pub dormant: i64,
    pub ending_undecided: i64,
    /// Feedback waiting for moderation.
    pub feedback_pending: i64,
}

fn pairs(rows: &[sqlx::any::AnyRow], key: &str) -> Result<Vec<(String, i64)>> {
    rows.iter()
        .map(|r| Ok((r.try_get(key)?, r.try_get("n")?)))
        .collect()
}

impl Store {
    /// The tenant's proposals in figures (three aggregate queries).
    pub async fn proposal_counts(&self, tenant: TenantCode) -> Result<ProposalCounts> {
        let t = tenant.to_string();
        let by_status = self.desk_counts(tenant).await?;
        let open = Status::OPEN
            .iter()
            .map(|s| format!("'{}'", s.code()))
            .collect::<Vec<_>>()
            .join(", ");
        let now = self.now();
        let ago = |d: i64| to_db_timestamp(now - chrono::Duration::days(d));
        let today = to_db_date(self.today());
        let r = sqlx::query(&format!(
            "SELECT COUNT(*) AS n, \
             COALESCE(SUM(CASE WHEN created_at <= $2 THEN 1 ELSE 0 END), 0) AS a1, \
             COALESCE(SUM(CASE WHEN created_at <= $3 THEN 1 ELSE 0 END), 0) AS a2, \
             COALESCE(SUM(CASE WHEN created_at <= $4 THEN 1 ELSE 0 END), 0) AS a3, \
             COALESCE(SUM(CASE WHEN first_responded_at IS NULL AND first_response_due < $5 THEN 1 ELSE 0 END), 0) AS overdue \
             FROM proposals WHERE tenant_code = $1 AND status IN ({open})"
        ))
        .bind(&t)
        .bind(ago(AGE_THRESHOLDS[0]))
        .bind(ago(AGE_THRESHOLDS[1]))
        .bind(ago(AGE_THRESHOLDS[2]))
        .bind(&today)
        .fetch_one(self.pool())
        .await?;
        let overdue_routings: i64 = sqlx::query(&format!(
            "SELECT COUNT(*) AS n FROM proposals p WHERE p.tenant_code = $1 AND p.status IN ({open}) \
             AND EXISTS (SELECT 1 FROM routings r WHERE r.proposal_id = p.id AND r.answered_at IS NULL AND r.due_on < $2)"
        ))
        .bind(&t)
        .bind(&today)
        .fetch_one(self.pool())
        .await?
        .try_get("n")?;
        Ok(ProposalCounts {
            by_status,
            open: r.try_get("n")?,
            older_than: [r.try_get("a1")?, r.try_get("a2")?, r.try_get("a3")?],
            overdue_first_response: r.try_get("overdue")?,
            overdue_routings,
        })
    }

    /// The desk's dashboard: proposals and partnerships in figures.
    pub async fn desk_dashboard(&self, tenant: TenantCode) -> Result<DeskDashboard> {
        let t = tenant.to_string();
        let proposals = self.proposal_counts(tenant).await?;
        let today = self.today();
        let months = self.dormancy_months(tenant).await?;
        let cutoff = to_db_date(dormancy_cutoff(today, months));
        let horizon = to_db_date(today + chrono::Days::new(ENDING_NOTICE_DAYS));
        let by_status = pairs(
            &sqlx::query(
                "SELECT status, COUNT(*) AS n FROM partnerships WHERE tenant_code = $1 GROUP BY status ORDER BY status",
            )
            .bind(&t)
            .fetch_all(self.pool())
            .await?,
            "status",
        )?;
        let by_form = pairs(
            &sqlx::query(
                "SELECT form, COUNT(*) AS n FROM partnerships WHERE tenant_code = $1 GROUP BY form ORDER BY form",
            )
            .bind(&t)
            .fetch_all(self.pool())
            .await?,
            "form",
        )?;
        let by_field = pairs(
            &sqlx::query(
                "SELECT f.field, COUNT(DISTINCT p.id) AS n FROM partnership_fields f \
                 JOIN partnerships p ON p.id = f.partnership_id WHERE p.tenant_code = $1 \
                 GROUP BY f.field ORDER BY f.field",
            )
            .bind(&t)
            .fetch_all(self.pool())
            .await?,
            "field",
        )?;
        let by_partner_type = pairs(
            &sqlx::query(
                "SELECT t.party_type, COUNT(DISTINCT p.id) AS n FROM partnership_parties t \
                 JOIN partnerships p ON p.id = t.partnership_id WHERE p.tenant_code = $1 \
                 GROUP BY t.party_type ORDER BY t.party_type",
            )
            .bind(&t)
            .fetch_all(self.pool())
            .await?,
            "party_type",
        )?;
        // The same conditions as the list's `dormant=1` and `ending=1`.
        let r = sqlx::query(
            "SELECT \
             COALESCE(SUM(CASE WHEN COALESCE(last_activity_on, signed_on, starts_on) <= $2 THEN 1 ELSE 0 END), 0) AS dormant, \
             COALESCE(SUM(CASE WHEN auto_renew = 0 AND ends_on <= $3 \
                AND (last_review_on IS NULL OR last_review_on < renewal_from) THEN 1 ELSE 0 END), 0) AS ending \
             FROM partnerships WHERE tenant_code = $1 AND status = 'active'",
        )
        .bind(&t)
        .bind(&cutoff)
        .bind(&horizon)
        .fetch_one(self.pool())
        .await?;
        let feedback_pending: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM partnership_feedback WHERE tenant_code = $1 AND status = 'pending'",
        )
        .bind(&t)
        .fetch_one(self.pool())
        .await?
        .try_get("n")?;
        Ok(DeskDashboard {
            proposals,
            by_status,
            by_form,
            by_field,
            by_partner_type,
            dormant: r.try_get("dormant")?,
            ending_undecided: r.try_get("ending")?,
            feedback_pending,
        })
    }
}
