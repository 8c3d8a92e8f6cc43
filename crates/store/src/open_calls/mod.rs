//! Open calls (行政課題・テーマ型提案募集, tables `open_calls`, `open_call_*`): a department's
//! challenge, published by the desk, answered by proposals (`proposals.call_id`, route
//! `theme`), scored by assigned evaluators and decided by the desk.
//!
//! This file holds the read models and readers; [`writes`] the changes (each one `WriteTx`
//! with its audit entry and mails). Confidentiality is decided above (the policies): the
//! readers of answers, scores and conflicts are for the desk, the call's department and its
//! evaluators; [`Store::open_call_public`] returns what anyone may read, and nothing of an
//! answer that was not selected.

pub mod search;
mod writes;
pub use writes::ScoreSheetInput;

use crate::proposals::{Proposal, columns, proposal_from_row};
use crate::{Result, Store, StoreError, rows};
use chrono::{DateTime, NaiveDate, Utc};
use renkei_domain::TenantCode;
use renkei_domain::open_call::{CallStatus, effective_status, weighted_total};
use renkei_domain::proposal::Field;
use sqlx::Row;

const T: &str = "open_calls";

/// A stored call, its status as it stands today.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCall {
    pub id: i64,
    pub tenant_code: TenantCode,
    pub department_id: i64,
    pub department_name: String,
    pub title: String,
    pub background: String,
    pub problem: String,
    pub constraints: String,
    pub offers: String,
    pub outcomes: String,
    pub eligibility: String,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    /// As stored (a published call past its closing date is stored `published`).
    pub stored_status: CallStatus,
    /// As it stands today ([`effective_status`]).
    pub status: CallStatus,
    pub return_comment: Option<String>,
    pub selection_reason: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub fields: Vec<Field>,
    /// How many proposals answered it.
    pub answers: i64,
}

/// One evaluation criterion as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCriterion {
    pub id: i64,
    pub position: i64,
    pub name: String,
    pub weight: i64,
}

/// An assigned evaluator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluator {
    pub user_id: i64,
    pub name: String,
}

/// A call with its criteria, evaluators and selection.
#[derive(Debug, Clone, PartialEq)]
pub struct CallDetail {
    pub call: StoredCall,
    pub criteria: Vec<StoredCriterion>,
    pub evaluators: Vec<Evaluator>,
    /// The selected answers' proposal ids.
    pub selected: Vec<i64>,
}

impl CallDetail {
    pub fn evaluator_ids(&self) -> Vec<i64> {
        self.evaluators.iter().map(|e| e.user_id).collect()
    }
}

/// One recorded score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreRow {
    pub proposal_id: i64,
    pub evaluator_id: i64,
    pub evaluator_name: String,
    pub criterion_id: i64,
    pub score: i64,
    pub comment: String,
    pub at: DateTime<Utc>,
}

/// One declared conflict of interest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConflictRow {
    pub proposal_id: i64,
    pub evaluator_id: i64,
    pub evaluator_name: String,
    pub reason: String,
    pub at: DateTime<Utc>,
}

/// One evaluator's sheet for one answer.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluatorSheet {
    pub evaluator_id: i64,
    pub evaluator_name: String,
    /// Per criterion (in the call's order): the score, if given.
    pub scores: Vec<Option<i64>>,
    pub comment: String,
    /// Σ score × weight / 5 (0–100), when every criterion is scored.
    pub total: Option<f64>,
    /// The conflict declared instead of scoring, with its reason.
    pub conflict: Option<String>,
}

/// The score sheet of one answer.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerSheet {
    pub proposal_id: i64,
    pub sheets: Vec<EvaluatorSheet>,
    /// The average of the evaluators' totals.
    pub average: Option<f64>,
}

/// Per answer, every evaluator's scores, conflicts and weighted total, and the average.
pub fn score_sheet(
    criteria: &[StoredCriterion],
    evaluators: &[Evaluator],
    answers: &[i64],
    scores: &[ScoreRow],
    conflicts: &[ConflictRow],
) -> Vec<AnswerSheet> {
    answers
        .iter()
        .map(|&pid| {
            let sheets: Vec<EvaluatorSheet> = evaluators
                .iter()
                .map(|e| {
                    let mine: Vec<&ScoreRow> = scores
                        .iter()
                        .filter(|s| s.proposal_id == pid && s.evaluator_id == e.user_id)
                        .collect();
                    let per: Vec<Option<i64>> = criteria
                        .iter()
                        .map(|c| {
                            mine.iter()
                                .find(|s| s.criterion_id == c.id)
                                .map(|s| s.score)
                        })
                        .collect();
                    let total = if !criteria.is_empty() && per.iter().all(Option::is_some) {
                        let pairs: Vec<(i64, i64)> = criteria
                            .iter()
                            .zip(&per)
                            .map(|(c, s)| (c.weight, s.unwrap_or(0)))
                            .collect();
                        Some(weighted_total(&pairs))
                    } else {
                        None
                    };
                    EvaluatorSheet {
                        evaluator_id: e.user_id,
                        evaluator_name: e.name.clone(),
                        scores: per,
                        comment: mine.first().map(|s| s.comment.clone()).unwrap_or_default(),
                        total,
                        conflict: conflicts
                            .iter()
                            .find(|c| c.proposal_id == pid && c.evaluator_id == e.user_id)
                            .map(|c| c.reason.clone()),
                    }
                })
                .collect();
            let totals: Vec<f64> = sheets.iter().filter_map(|s| s.total).collect();
            AnswerSheet {
                proposal_id: pid,
                average: renkei_domain::open_call::average(&totals),
                sheets,
            }
        })
        .collect()
}

/// What anyone may read of a call: its content, and once decided, who was chosen and why.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicCall {
    pub call: StoredCall,
    pub criteria: Vec<StoredCriterion>,
    /// The selected organisations' names (decided calls only).
    pub selected_orgs: Vec<String>,
}

pub(crate) fn call_columns(store_backend: crate::Backend) -> String {
    format!(
        "c.id, c.tenant_code, c.department_id, d.name AS department_name, c.title, c.background, c.problem, \
         c.constraints_text, c.offers, c.outcomes, c.eligibility, c.opens_on, c.closes_on, c.status, \
         c.return_comment, c.selection_reason, c.created_by, c.created_at, c.updated_at, c.submitted_at, \
         c.published_at, c.closed_at, c.decided_at, \
         (SELECT {} FROM open_call_fields f WHERE f.call_id = c.id) AS fields, \
         (SELECT COUNT(*) FROM proposals p WHERE p.call_id = c.id) AS answers \
         FROM open_calls c JOIN departments d ON d.id = c.department_id",
        store_backend.joined("f.field", "f.position")
    )
}

pub(crate) fn call_from_row(r: &sqlx::any::AnyRow, today: NaiveDate) -> Result<StoredCall> {
    let stored_status = rows::code(r, T, "status", CallStatus::parse)?;
    let closes_on = rows::date(r, T, "closes_on")?;
    let fields: String = r.try_get("fields")?;
    let fields = fields
        .split(',')
        .filter(|x| !x.is_empty())
        .map(|x| {
            Field::parse(x).map_err(|_| StoreError::Corrupt {
                table: "open_call_fields",
                column: "field",
                value: x.to_string(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(StoredCall {
        id: r.try_get("id")?,
        tenant_code: rows::code(r, T, "tenant_code", TenantCode::parse)?,
        department_id: r.try_get("department_id")?,
        department_name: r.try_get("department_name")?,
        title: r.try_get("title")?,
        background: r.try_get("background")?,
        problem: r.try_get("problem")?,
        constraints: r.try_get("constraints_text")?,
        offers: r.try_get("offers")?,
        outcomes: r.try_get("outcomes")?,
        eligibility: r.try_get("eligibility")?,
        opens_on: rows::date(r, T, "opens_on")?,
        closes_on,
        stored_status,
        status: effective_status(stored_status, closes_on, today),
        return_comment: r.try_get("return_comment")?,
        selection_reason: r.try_get("selection_reason")?,
        created_by: r.try_get("created_by")?,
        created_at: rows::instant(r, T, "created_at")?,
        updated_at: rows::instant(r, T, "updated_at")?,
        submitted_at: rows::opt_instant(r, T, "submitted_at")?,
        published_at: rows::opt_instant(r, T, "published_at")?,
        closed_at: rows::opt_instant(r, T, "closed_at")?,
        decided_at: rows::opt_instant(r, T, "decided_at")?,
        fields,
        answers: r.try_get("answers")?,
    })
}

/// Which calls a list shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct CallFilter {
    /// Only calls in this status (as it stands today).
    pub status: Option<CallStatus>,
    /// Only this department's.
    pub department: Option<i64>,
}

/// The most calls a list shows.
pub const CALL_LIST_MAX: i64 = 500;

impl Store {
    /// A local government's calls, newest first (at most [`CALL_LIST_MAX`]).
    pub async fn open_calls(
        &self,
        tenant: TenantCode,
        filter: CallFilter,
    ) -> Result<Vec<StoredCall>> {
        let today = self.today();
        let list = sqlx::query(&format!(
            "SELECT {} WHERE c.tenant_code = $1 AND ($2 = 0 OR c.department_id = $2) \
             ORDER BY c.id DESC LIMIT {CALL_LIST_MAX}",
            call_columns(self.backend())
        ))
        .bind(tenant.to_string())
        .bind(filter.department.unwrap_or(0))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| call_from_row(r, today))
        .collect::<Result<Vec<_>>>()?;
        Ok(list
            .into_iter()
            .filter(|c| filter.status.is_none_or(|s| c.status == s))
            .collect())
    }

    /// The calls a user is assigned to evaluate.
    pub async fn open_calls_for_evaluator(
        &self,
        tenant: TenantCode,
        user_id: i64,
    ) -> Result<Vec<StoredCall>> {
        let today = self.today();
        sqlx::query(&format!(
            "SELECT {} WHERE c.tenant_code = $1 AND c.id IN (SELECT e.call_id FROM open_call_evaluators e WHERE e.user_id = $2) \
             ORDER BY c.id DESC LIMIT {CALL_LIST_MAX}",
            call_columns(self.backend())
        ))
        .bind(tenant.to_string())
        .bind(user_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| call_from_row(r, today))
        .collect()
    }

    /// One call of this local government (another's is `NotFound`).
    pub async fn open_call_row(&self, tenant: TenantCode, id: i64) -> Result<StoredCall> {
        let r = sqlx::query(&format!(
            "SELECT {} WHERE c.tenant_code = $1 AND c.id = $2",
            call_columns(self.backend())
        ))
        .bind(tenant.to_string())
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        call_from_row(&r, self.today())
    }

    /// A call's criteria in order.
    pub async fn open_call_criteria(&self, id: i64) -> Result<Vec<StoredCriterion>> {
        sqlx::query(
            "SELECT id, position, name, weight FROM open_call_criteria WHERE call_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(StoredCriterion {
                id: r.try_get("id")?,
                position: r.try_get("position")?,
                name: r.try_get("name")?,
                weight: r.try_get("weight")?,
            })
        })
        .collect()
    }

    /// One call with its criteria, evaluators and selection.
    pub async fn open_call(&self, tenant: TenantCode, id: i64) -> Result<CallDetail> {
        let call = self.open_call_row(tenant, id).await?;
        let criteria = self.open_call_criteria(id).await?;
        let evaluators = sqlx::query(
            "SELECT u.id, u.display_name FROM open_call_evaluators e JOIN users u ON u.id = e.user_id \
             WHERE e.call_id = $1 ORDER BY u.display_name, u.id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(Evaluator {
                user_id: r.try_get("id")?,
                name: r.try_get("display_name")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let selected = sqlx::query(
            "SELECT proposal_id FROM open_call_selections WHERE call_id = $1 ORDER BY proposal_id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Ok(r.try_get::<i64, _>("proposal_id")?))
        .collect::<Result<Vec<_>>>()?;
        Ok(CallDetail {
            call,
            criteria,
            evaluators,
            selected,
        })
    }

    /// The proposals answering a call (confidential), in order of receipt.
    pub async fn open_call_answers(&self, tenant: TenantCode, id: i64) -> Result<Vec<Proposal>> {
        sqlx::query(&format!(
            "SELECT {} FROM proposals p WHERE p.tenant_code = $1 AND p.call_id = $2 ORDER BY p.id",
            columns(self.backend())
        ))
        .bind(tenant.to_string())
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(proposal_from_row)
        .collect()
    }

    /// Every score recorded on a call.
    pub async fn open_call_scores(&self, tenant: TenantCode, id: i64) -> Result<Vec<ScoreRow>> {
        sqlx::query(
            "SELECT s.proposal_id, s.evaluator_id, u.display_name, s.criterion_id, s.score, s.comment, s.at \
             FROM open_call_scores s JOIN open_calls c ON c.id = s.call_id JOIN users u ON u.id = s.evaluator_id \
             WHERE c.tenant_code = $1 AND s.call_id = $2 ORDER BY s.proposal_id, s.evaluator_id, s.criterion_id",
        )
        .bind(tenant.to_string())
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(ScoreRow {
                proposal_id: r.try_get("proposal_id")?,
                evaluator_id: r.try_get("evaluator_id")?,
                evaluator_name: r.try_get("display_name")?,
                criterion_id: r.try_get("criterion_id")?,
                score: r.try_get("score")?,
                comment: r.try_get("comment")?,
                at: rows::instant(r, "open_call_scores", "at")?,
            })
        })
        .collect()
    }

    /// Every conflict of interest declared on a call.
    pub async fn open_call_conflicts(
        &self,
        tenant: TenantCode,
        id: i64,
    ) -> Result<Vec<ConflictRow>> {
        sqlx::query(
            "SELECT x.proposal_id, x.evaluator_id, u.display_name, x.reason, x.at \
             FROM open_call_conflicts x JOIN open_calls c ON c.id = x.call_id JOIN users u ON u.id = x.evaluator_id \
             WHERE c.tenant_code = $1 AND x.call_id = $2 ORDER BY x.proposal_id, x.evaluator_id",
        )
        .bind(tenant.to_string())
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(ConflictRow {
                proposal_id: r.try_get("proposal_id")?,
                evaluator_id: r.try_get("evaluator_id")?,
                evaluator_name: r.try_get("display_name")?,
                reason: r.try_get("reason")?,
                at: rows::instant(r, "open_call_conflicts", "at")?,
            })
        })
        .collect()
    }

    /// The calls anyone may read: published, closed or decided.
    pub async fn open_calls_public(&self, tenant: TenantCode) -> Result<Vec<StoredCall>> {
        Ok(self
            .open_calls(tenant, CallFilter::default())
            .await?
            .into_iter()
            .filter(|c| c.status.is_public())
            .collect())
    }

    /// One call as anyone may read it (not public: `NotFound`). Of the answers only their
    /// number and, once decided, the selected organisations' names: nothing of the others.
    pub async fn open_call_public(&self, tenant: TenantCode, id: i64) -> Result<PublicCall> {
        let call = self.open_call_row(tenant, id).await?;
        if !call.status.is_public() {
            return Err(StoreError::NotFound);
        }
        let criteria = self.open_call_criteria(id).await?;
        let selected_orgs = if call.status == CallStatus::Decided {
            sqlx::query(
                "SELECT p.org_name FROM open_call_selections s JOIN proposals p ON p.id = s.proposal_id \
                 WHERE s.call_id = $1 AND p.tenant_code = $2 ORDER BY p.id",
            )
            .bind(id)
            .bind(tenant.to_string())
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Ok(r.try_get::<String, _>("org_name")?))
            .collect::<Result<Vec<_>>>()?
        } else {
            Vec::new()
        };
        Ok(PublicCall {
            call,
            criteria,
            selected_orgs,
        })
    }
}
