//! What the accountability record (説明責任の記録) reads beside the partnership and its
//! proposal: the annual reviews' partner view, and, once open calls exist, the call a
//! proposal answered.

use crate::{Result, Store, rows};
use chrono::NaiveDate;
use renkei_domain::TenantCode;
use renkei_domain::partnership::ReviewDecision;
use sqlx::Row;

/// An annual review, as the record cites it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewBrief {
    pub fiscal_year: i64,
    pub decision: ReviewDecision,
    pub partner_view: String,
    pub reviewed_on: NaiveDate,
}

/// An open call a proposal answered: how many answered it, and why this one was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenCallFacts {
    pub title: String,
    pub answers: i64,
    pub decision_reason: String,
}

impl Store {
    /// A partnership's annual reviews, oldest first.
    pub async fn partnership_review_briefs(
        &self,
        tenant: TenantCode,
        partnership_id: i64,
    ) -> Result<Vec<ReviewBrief>> {
        sqlx::query(
            "SELECT r.fiscal_year, r.decision, r.partner_view, r.reviewed_on FROM partnership_reviews r \
             JOIN partnerships p ON p.id = r.partnership_id \
             WHERE p.tenant_code = $1 AND r.partnership_id = $2 ORDER BY r.fiscal_year",
        )
        .bind(tenant.to_string())
        .bind(partnership_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(ReviewBrief {
                fiscal_year: r.try_get("fiscal_year")?,
                decision: rows::code(r, "partnership_reviews", "decision", ReviewDecision::parse)?,
                partner_view: r.try_get("partner_view")?,
                reviewed_on: rows::date(r, "partnership_reviews", "reviewed_on")?,
            })
        })
        .collect()
    }

    /// The open call a proposal answered (migration 0021: `proposals.call_id`), with the
    /// number of answers it received and the reason recorded with the selection; `None` for a
    /// proposal that answered no call. The record and the public page show it.
    pub async fn open_call_of_proposal(
        &self,
        tenant: TenantCode,
        proposal_id: i64,
    ) -> Result<Option<OpenCallFacts>> {
        let r = sqlx::query(
            "SELECT c.title, c.selection_reason, \
             (SELECT COUNT(*) FROM proposals a WHERE a.call_id = c.id) AS answers \
             FROM proposals p JOIN open_calls c ON c.id = p.call_id AND c.tenant_code = p.tenant_code \
             WHERE p.tenant_code = $1 AND p.id = $2",
        )
        .bind(tenant.to_string())
        .bind(proposal_id)
        .fetch_optional(self.pool())
        .await?;
        let Some(r) = r else { return Ok(None) };
        Ok(Some(OpenCallFacts {
            title: r.try_get("title")?,
            answers: r.try_get("answers")?,
            decision_reason: r
                .try_get::<Option<String>, _>("selection_reason")?
                .unwrap_or_default(),
        }))
    }
}
