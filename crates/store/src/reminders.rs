//! Overdue reminders: routing requests past their deadline without an answer, and proposals
//! past their first-response date without a response. Each is claimed with a conditional
//! update, so several app servers send one reminder per item per day.

use crate::events::{DomainEvent, Mailer, Recipient};
use crate::proposals::{Proposal, Routing};
use crate::{Result, Store};
use sqlx::Row;

/// What is overdue, with who should hear about it.
#[derive(Debug)]
pub enum Overdue {
    Routing {
        tenant_code: String,
        proposal: Box<Proposal>,
        routing: Box<Routing>,
        recipients: Vec<Recipient>,
    },
    FirstResponse {
        tenant_code: String,
        proposal: Box<Proposal>,
        recipients: Vec<Recipient>,
    },
}

impl Overdue {
    pub fn tenant_code(&self) -> &str {
        match self {
            Self::Routing { tenant_code, .. } | Self::FirstResponse { tenant_code, .. } => {
                tenant_code
            }
        }
    }
}

impl Store {
    /// Queues a reminder for every item overdue today and not yet reminded today; returns how
    /// many mails were queued. `mailer` writes them.
    pub async fn queue_overdue_reminders(&self, mailer: &dyn Mailer) -> Result<usize> {
        let today_date = self.today();
        let today = renkei_domain::time::to_db_date(today_date);
        // "Reminded today" in Japan: since 00:00 JST (15:00 UTC the day before).
        let day_start =
            renkei_domain::time::to_db_timestamp(renkei_domain::time::jst_day_start(today_date));
        let mut queued = 0;
        let routings = sqlx::query(
            "SELECT r.id, r.tenant_code, r.department_id, p.receipt_number FROM routings r JOIN proposals p ON p.id = r.proposal_id \
             WHERE r.answered_at IS NULL AND r.due_on < $1 AND p.status IN ('received', 'hearing', 'coordinating') \
             AND (r.reminded_at IS NULL OR r.reminded_at < $2) ORDER BY r.id LIMIT 500",
        )
        .bind(&today)
        .bind(&day_start)
        .fetch_all(self.pool())
        .await?;
        for row in routings {
            let id: i64 = row.try_get("id")?;
            let tenant: String = row.try_get("tenant_code")?;
            let dept: i64 = row.try_get("department_id")?;
            let receipt: String = row.try_get("receipt_number")?;
            let mut tx = self.write().await?;
            let claimed = sqlx::query(
                "UPDATE routings SET reminded_at = $2 WHERE id = $1 AND answered_at IS NULL \
                 AND (reminded_at IS NULL OR reminded_at < $3) RETURNING id",
            )
            .bind(id)
            .bind(self.now_ts())
            .bind(&day_start)
            .fetch_optional(&mut *tx.tx)
            .await?;
            if claimed.is_none() {
                continue;
            }
            let code = renkei_domain::TenantCode::parse(&tenant)?;
            let proposal = self.proposal(code, &receipt).await?;
            let Some(routing) = self
                .routings(proposal.id)
                .await?
                .into_iter()
                .find(|r| r.id == id)
            else {
                continue;
            };
            let recipients = sqlx::query(
                "SELECT u.email, u.lang FROM department_members m JOIN users u ON u.id = m.user_id \
                 WHERE m.department_id = $1 AND u.disabled_at IS NULL ORDER BY u.email",
            )
            .bind(dept)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(Recipient::from_user_row)
            .collect::<Result<Vec<_>>>()?;
            let item = Overdue::Routing {
                tenant_code: tenant,
                proposal: Box::new(proposal),
                routing: Box::new(routing),
                recipients,
            };
            let tenant_row = self.tenant(item.tenant_code()).await?;
            for m in mailer.mails(&DomainEvent::Overdue {
                tenant: &tenant_row,
                item: &item,
            }) {
                tx.enqueue_mail(&m).await?;
                queued += 1;
            }
            tx.commit().await?;
        }
        let proposals = sqlx::query(
            "SELECT id, tenant_code, receipt_number, assignee_user_id FROM proposals WHERE first_responded_at IS NULL \
             AND status IN ('received', 'hearing', 'coordinating') AND first_response_due < $1 \
             AND (reminded_at IS NULL OR reminded_at < $2) ORDER BY id LIMIT 500",
        )
        .bind(&today)
        .bind(&day_start)
        .fetch_all(self.pool())
        .await?;
        for row in proposals {
            let id: i64 = row.try_get("id")?;
            let tenant: String = row.try_get("tenant_code")?;
            let receipt: String = row.try_get("receipt_number")?;
            let assignee: Option<i64> = row.try_get("assignee_user_id")?;
            let mut tx = self.write().await?;
            let claimed = sqlx::query(
                "UPDATE proposals SET reminded_at = $2 WHERE id = $1 AND (reminded_at IS NULL OR reminded_at < $3) RETURNING id",
            )
            .bind(id)
            .bind(self.now_ts())
            .bind(&day_start)
            .fetch_optional(&mut *tx.tx)
            .await?;
            if claimed.is_none() {
                continue;
            }
            let code = renkei_domain::TenantCode::parse(&tenant)?;
            let proposal = self.proposal(code, &receipt).await?;
            let recipients = self
                .users_in_tenant(&tenant)
                .await?
                .into_iter()
                .filter(|u| u.role == renkei_domain::Role::Desk && !u.disabled)
                .filter(|u| assignee.is_none_or(|a| a == u.id))
                .map(|u| Recipient::new(u.email, u.lang))
                .collect();
            let item = Overdue::FirstResponse {
                tenant_code: tenant,
                proposal: Box::new(proposal),
                recipients,
            };
            let tenant_row = self.tenant(item.tenant_code()).await?;
            for m in mailer.mails(&DomainEvent::Overdue {
                tenant: &tenant_row,
                item: &item,
            }) {
                tx.enqueue_mail(&m).await?;
                queued += 1;
            }
            tx.commit().await?;
        }
        Ok(queued)
    }
}
