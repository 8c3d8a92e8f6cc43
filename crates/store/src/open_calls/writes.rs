//! Changes to open calls: each one `WriteTx` with its audit entry (`call.*`) and the mails of
//! whoever must hear of it. The selection moves the answers' proposals through the lifecycle's
//! own write path (`Store::transition_in`) in the same transaction.

use super::*;
use crate::events::{DomainEvent, Mailer, Recipient};
use crate::{Who, WriteTx};
use renkei_domain::open_call::{CallMove, OpenCall, rules, transition};
use renkei_domain::proposal::{DeclineReason, Status, Transition};

/// One evaluator's scores for one answer: (criterion id, score 1–5) for every criterion.
#[derive(Debug, Clone)]
pub struct ScoreSheetInput {
    pub scores: Vec<(i64, i64)>,
    pub comment: String,
}

async fn locked_call(tx: &mut WriteTx, tenant: &str, id: i64) -> Result<(CallStatus, i64, String)> {
    tx.lock(&format!("open-call:{id}")).await?;
    let r = sqlx::query(
        "SELECT status, closes_on, department_id, title FROM open_calls WHERE tenant_code = $1 AND id = $2",
    )
    .bind(tenant)
    .bind(id)
    .fetch_optional(&mut *tx.tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    let stored = rows::code(&r, T, "status", CallStatus::parse)?;
    let closes_on = rows::date(&r, T, "closes_on")?;
    Ok((
        effective_status(stored, closes_on, tx.today()),
        r.try_get("department_id")?,
        r.try_get("title")?,
    ))
}

async fn department_recipients(tx: &mut WriteTx, department: i64) -> Result<Vec<Recipient>> {
    sqlx::query(
        "SELECT u.email, u.lang FROM department_members m JOIN users u ON u.id = m.user_id \
         WHERE m.department_id = $1 AND u.disabled_at IS NULL ORDER BY u.email",
    )
    .bind(department)
    .fetch_all(&mut *tx.tx)
    .await?
    .iter()
    .map(Recipient::from_user_row)
    .collect()
}

async fn write_content(tx: &mut WriteTx, id: i64, c: &OpenCall) -> Result<()> {
    sqlx::query("DELETE FROM open_call_fields WHERE call_id = $1")
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
    sqlx::query("DELETE FROM open_call_criteria WHERE call_id = $1")
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
    for (position, f) in (0_i64..).zip(&c.fields) {
        sqlx::query("INSERT INTO open_call_fields (call_id, position, field) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(position)
            .bind(f.code())
            .execute(&mut *tx.tx)
            .await?;
    }
    for (position, k) in (0_i64..).zip(&c.criteria) {
        sqlx::query(
            "INSERT INTO open_call_criteria (call_id, position, name, weight) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(position)
        .bind(&k.name)
        .bind(k.weight)
        .execute(&mut *tx.tx)
        .await?;
    }
    Ok(())
}

fn detail(c: &OpenCall) -> String {
    serde_json::json!({
        "title": c.title,
        "department_id": c.department_id,
        "opens_on": c.opens_on.to_string(),
        "closes_on": c.closes_on.to_string(),
        "criteria": c.criteria.iter().map(|k| serde_json::json!({"name": k.name, "weight": k.weight})).collect::<Vec<_>>(),
    })
    .to_string()
}

impl Store {
    async fn check_department(
        &self,
        tx: &mut WriteTx,
        tenant: &str,
        department: i64,
    ) -> Result<()> {
        let _ = self;
        sqlx::query("SELECT 1 AS one FROM departments WHERE tenant_code = $1 AND id = $2")
            .bind(tenant)
            .bind(department)
            .fetch_optional(&mut *tx.tx)
            .await?
            .ok_or(StoreError::conflict(
                "department_id",
                "error-department-unknown",
            ))?;
        Ok(())
    }

    /// A new call, in draft.
    pub async fn open_call_create(
        &self,
        who: &Who,
        tenant: TenantCode,
        c: &OpenCall,
    ) -> Result<i64> {
        let code = tenant.to_string();
        let mut tx = self.write().await?;
        self.check_department(&mut tx, &code, c.department_id)
            .await?;
        let now = tx.now_ts();
        let id: i64 = sqlx::query(
            "INSERT INTO open_calls (tenant_code, department_id, title, background, problem, constraints_text, offers, \
             outcomes, eligibility, opens_on, closes_on, status, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'draft', $12, $13, $13) RETURNING id",
        )
        .bind(&code)
        .bind(c.department_id)
        .bind(&c.title)
        .bind(&c.background)
        .bind(&c.problem)
        .bind(&c.constraints)
        .bind(&c.offers)
        .bind(&c.outcomes)
        .bind(&c.eligibility)
        .bind(c.opens_on.to_string())
        .bind(c.closes_on.to_string())
        .bind(who.user_id)
        .bind(&now)
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("id")?;
        write_content(&mut tx, id, c).await?;
        tx.audit(who.event(Some(&code), "call.create", format!("call:{id}"), detail(c)))
            .await?;
        tx.call_reindex(id).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Replaces a draft's content (a call that is no longer a draft: conflict).
    pub async fn open_call_update(
        &self,
        who: &Who,
        tenant: TenantCode,
        id: i64,
        c: &OpenCall,
    ) -> Result<()> {
        let code = tenant.to_string();
        let mut tx = self.write().await?;
        let (status, _, _) = locked_call(&mut tx, &code, id).await?;
        if !status.is_editable() {
            return Err(StoreError::conflict("form", "error-call-not-draft"));
        }
        self.check_department(&mut tx, &code, c.department_id)
            .await?;
        sqlx::query(
            "UPDATE open_calls SET department_id = $3, title = $4, background = $5, problem = $6, constraints_text = $7, \
             offers = $8, outcomes = $9, eligibility = $10, opens_on = $11, closes_on = $12, updated_at = $13 \
             WHERE tenant_code = $1 AND id = $2",
        )
        .bind(&code)
        .bind(id)
        .bind(c.department_id)
        .bind(&c.title)
        .bind(&c.background)
        .bind(&c.problem)
        .bind(&c.constraints)
        .bind(&c.offers)
        .bind(&c.outcomes)
        .bind(&c.eligibility)
        .bind(c.opens_on.to_string())
        .bind(c.closes_on.to_string())
        .bind(tx.now_ts())
        .execute(&mut *tx.tx)
        .await?;
        write_content(&mut tx, id, c).await?;
        tx.audit(who.event(Some(&code), "call.update", format!("call:{id}"), detail(c)))
            .await?;
        tx.call_reindex(id).await?;
        tx.commit().await
    }

    /// Submit (to the desk), return (to draft, with `comment`), publish or close early: the
    /// domain's state machine decides. Mails: submitted → the desk; returned and published →
    /// the department's members.
    pub async fn open_call_move(
        &self,
        who: &Who,
        tenant: TenantCode,
        id: i64,
        m: CallMove,
        comment: &str,
        mailer: &dyn Mailer,
    ) -> Result<CallStatus> {
        if m == CallMove::Decide {
            return Err(StoreError::conflict(
                "action",
                "error-call-transition-invalid",
            ));
        }
        let comment = rules::RETURN_COMMENT.parse(comment)?;
        if m == CallMove::Return && comment.is_empty() {
            return Err(StoreError::conflict("comment", "error-call-return-comment"));
        }
        let code = tenant.to_string();
        let tenant_row = self.tenant(&code).await?;
        let mut tx = self.write().await?;
        let (from, department, title) = locked_call(&mut tx, &code, id).await?;
        let to = transition(from, m).map_err(|key| StoreError::conflict("action", key))?;
        let now = tx.now_ts();
        let stamp = match m {
            CallMove::Submit => "submitted_at",
            CallMove::Publish => "published_at",
            CallMove::Close => "closed_at",
            _ => "updated_at",
        };
        sqlx::query(&format!(
            "UPDATE open_calls SET status = $3, updated_at = $4, {stamp} = $4, \
             return_comment = CASE WHEN $5 = '' THEN return_comment ELSE $5 END \
             WHERE tenant_code = $1 AND id = $2"
        ))
        .bind(&code)
        .bind(id)
        .bind(to.code())
        .bind(&now)
        .bind(if m == CallMove::Return {
            comment.clone()
        } else {
            String::new()
        })
        .execute(&mut *tx.tx)
        .await?;
        tx.audit(
            who.event(
                Some(&code),
                &format!("call.{}", m.code()),
                format!("call:{id}"),
                serde_json::json!({"from": from.code(), "to": to.code(), "comment": comment})
                    .to_string(),
            ),
        )
        .await?;
        let (notice, to_whom, path) = match m {
            CallMove::Submit => (
                "submitted",
                tx.desk_recipients(&code, None).await?,
                format!("/t/{code}/desk/calls/{id}"),
            ),
            CallMove::Return | CallMove::Publish => (
                if m == CallMove::Return {
                    "returned"
                } else {
                    "published"
                },
                department_recipients(&mut tx, department).await?,
                format!("/t/{code}/department/calls/{id}"),
            ),
            _ => ("", Vec::new(), String::new()),
        };
        if !to_whom.is_empty() {
            tx.emit(
                mailer,
                &DomainEvent::CallNotice {
                    tenant: &tenant_row,
                    title: &title,
                    notice,
                    comment: &comment,
                    path,
                    to: &to_whom,
                },
            )
            .await?;
        }
        tx.call_reindex(id).await?;
        tx.commit().await?;
        Ok(to)
    }

    /// Assigns an evaluator (active desk or department staff of this local government); the
    /// evaluator hears of it. Assigning someone already assigned changes nothing.
    pub async fn open_call_assign(
        &self,
        who: &Who,
        tenant: TenantCode,
        id: i64,
        user_id: i64,
        mailer: &dyn Mailer,
    ) -> Result<()> {
        let code = tenant.to_string();
        let tenant_row = self.tenant(&code).await?;
        let mut tx = self.write().await?;
        let (status, _, title) = locked_call(&mut tx, &code, id).await?;
        if status == CallStatus::Decided {
            return Err(StoreError::conflict("evaluator", "error-call-decided"));
        }
        let u = sqlx::query(
            "SELECT email, lang FROM users WHERE id = $1 AND tenant_code = $2 AND role IN ('desk', 'department') \
             AND disabled_at IS NULL",
        )
        .bind(user_id)
        .bind(&code)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or(StoreError::conflict("evaluator", "error-call-evaluator-not-staff"))?;
        let recipient = Recipient::from_user_row(&u)?;
        let n: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM open_call_evaluators WHERE call_id = $1")
                .bind(id)
                .fetch_one(&mut *tx.tx)
                .await?
                .try_get("n")?;
        let already = sqlx::query(
            "SELECT 1 AS one FROM open_call_evaluators WHERE call_id = $1 AND user_id = $2",
        )
        .bind(id)
        .bind(user_id)
        .fetch_optional(&mut *tx.tx)
        .await?
        .is_some();
        if already {
            return Ok(());
        }
        if n >= i64::try_from(renkei_domain::open_call::MAX_EVALUATORS).unwrap_or(20) {
            return Err(StoreError::conflict(
                "evaluator",
                "error-call-evaluators-too-many",
            ));
        }
        sqlx::query(
            "INSERT INTO open_call_evaluators (call_id, user_id, assigned_at) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(user_id)
        .bind(tx.now_ts())
        .execute(&mut *tx.tx)
        .await?;
        tx.audit(who.event(
            Some(&code),
            "call.evaluator_assign",
            format!("call:{id}"),
            serde_json::json!({"user_id": user_id}).to_string(),
        ))
        .await?;
        tx.emit(
            mailer,
            &DomainEvent::CallNotice {
                tenant: &tenant_row,
                title: &title,
                notice: "evaluator",
                comment: "",
                path: format!("/t/{code}/evaluations/{id}"),
                to: std::slice::from_ref(&recipient),
            },
        )
        .await?;
        tx.commit().await
    }

    /// Removes an evaluator who has not scored yet.
    pub async fn open_call_unassign(
        &self,
        who: &Who,
        tenant: TenantCode,
        id: i64,
        user_id: i64,
    ) -> Result<()> {
        let code = tenant.to_string();
        let mut tx = self.write().await?;
        let (status, _, _) = locked_call(&mut tx, &code, id).await?;
        if status == CallStatus::Decided {
            return Err(StoreError::conflict("evaluator", "error-call-decided"));
        }
        let scored = sqlx::query(
            "SELECT 1 AS one FROM open_call_scores WHERE call_id = $1 AND evaluator_id = $2 LIMIT 1",
        )
        .bind(id)
        .bind(user_id)
        .fetch_optional(&mut *tx.tx)
        .await?
        .is_some();
        if scored {
            return Err(StoreError::conflict(
                "evaluator",
                "error-call-evaluator-scored",
            ));
        }
        let n = sqlx::query("DELETE FROM open_call_evaluators WHERE call_id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .execute(&mut *tx.tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        tx.audit(who.event(
            Some(&code),
            "call.evaluator_unassign",
            format!("call:{id}"),
            serde_json::json!({"user_id": user_id}).to_string(),
        ))
        .await?;
        tx.commit().await
    }

    /// Checks, inside the transaction, that `evaluator` may act on `proposal` of call `id`
    /// now: the call closed and not decided, the evaluator assigned, the proposal an answer.
    async fn evaluation_open(
        tx: &mut WriteTx,
        code: &str,
        id: i64,
        proposal: i64,
        evaluator: i64,
    ) -> Result<String> {
        let (status, _, _) = locked_call(tx, code, id).await?;
        if status != CallStatus::Closed {
            return Err(StoreError::conflict("form", "error-call-not-closed"));
        }
        sqlx::query(
            "SELECT 1 AS one FROM open_call_evaluators WHERE call_id = $1 AND user_id = $2",
        )
        .bind(id)
        .bind(evaluator)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let r = sqlx::query(
            "SELECT receipt_number FROM proposals WHERE tenant_code = $1 AND id = $2 AND call_id = $3",
        )
        .bind(code)
        .bind(proposal)
        .bind(id)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok(r.try_get("receipt_number")?)
    }

    /// An evaluator declares a conflict of interest on an answer: they cannot score it
    /// (their scores on it, if any, are removed in the same write).
    pub async fn open_call_conflict(
        &self,
        who: &Who,
        tenant: TenantCode,
        id: i64,
        proposal: i64,
        evaluator: i64,
        reason: &str,
    ) -> Result<()> {
        let reason = rules::CONFLICT_REASON.parse_required(reason, "error-call-conflict-reason")?;
        let code = tenant.to_string();
        let mut tx = self.write().await?;
        let receipt = Self::evaluation_open(&mut tx, &code, id, proposal, evaluator).await?;
        let exists = sqlx::query(
            "SELECT 1 AS one FROM open_call_conflicts WHERE call_id = $1 AND proposal_id = $2 AND evaluator_id = $3",
        )
        .bind(id)
        .bind(proposal)
        .bind(evaluator)
        .fetch_optional(&mut *tx.tx)
        .await?
        .is_some();
        if exists {
            return Err(StoreError::conflict(
                "reason",
                "error-call-conflict-declared",
            ));
        }
        sqlx::query(
            "DELETE FROM open_call_scores WHERE call_id = $1 AND proposal_id = $2 AND evaluator_id = $3",
        )
        .bind(id)
        .bind(proposal)
        .bind(evaluator)
        .execute(&mut *tx.tx)
        .await?;
        sqlx::query(
            "INSERT INTO open_call_conflicts (call_id, proposal_id, evaluator_id, reason, at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(proposal)
        .bind(evaluator)
        .bind(&reason)
        .bind(tx.now_ts())
        .execute(&mut *tx.tx)
        .await?;
        tx.audit(
            who.event(
                Some(&code),
                "call.conflict",
                format!("call:{id}"),
                serde_json::json!({"proposal": receipt, "evaluator": evaluator, "reason": reason})
                    .to_string(),
            ),
        )
        .await?;
        tx.commit().await
    }

    /// Records one evaluator's scores for one answer (every criterion, 1–5), replacing what
    /// they recorded before. Refused when they declared a conflict on it — checked inside the
    /// transaction, after the call's lock, so a conflict declared at the same time wins.
    #[allow(clippy::too_many_arguments)]
    pub async fn open_call_score(
        &self,
        who: &Who,
        tenant: TenantCode,
        id: i64,
        proposal: i64,
        evaluator: i64,
        sheet: &ScoreSheetInput,
    ) -> Result<()> {
        let comment = rules::SCORE_COMMENT.parse(&sheet.comment)?;
        let code = tenant.to_string();
        let mut tx = self.write().await?;
        let receipt = Self::evaluation_open(&mut tx, &code, id, proposal, evaluator).await?;
        let conflicted = sqlx::query(
            "SELECT 1 AS one FROM open_call_conflicts WHERE call_id = $1 AND proposal_id = $2 AND evaluator_id = $3",
        )
        .bind(id)
        .bind(proposal)
        .bind(evaluator)
        .fetch_optional(&mut *tx.tx)
        .await?
        .is_some();
        if conflicted {
            return Err(StoreError::conflict("form", "error-call-conflicted"));
        }
        let criteria: Vec<i64> =
            sqlx::query("SELECT id FROM open_call_criteria WHERE call_id = $1 ORDER BY position")
                .bind(id)
                .fetch_all(&mut *tx.tx)
                .await?
                .iter()
                .map(|r| r.try_get::<i64, _>("id"))
                .collect::<Result<_, _>>()?;
        let complete = criteria.len() == sheet.scores.len()
            && criteria
                .iter()
                .all(|c| sheet.scores.iter().filter(|(k, _)| k == c).count() == 1);
        if !complete {
            return Err(StoreError::conflict("score", "error-call-score-missing"));
        }
        if sheet.scores.iter().any(|(_, s)| {
            !(renkei_domain::open_call::SCORE_MIN..=renkei_domain::open_call::SCORE_MAX).contains(s)
        }) {
            return Err(StoreError::conflict("score", "error-call-score-range"));
        }
        sqlx::query(
            "DELETE FROM open_call_scores WHERE call_id = $1 AND proposal_id = $2 AND evaluator_id = $3",
        )
        .bind(id)
        .bind(proposal)
        .bind(evaluator)
        .execute(&mut *tx.tx)
        .await?;
        let now = tx.now_ts();
        for (criterion, score) in &sheet.scores {
            sqlx::query(
                "INSERT INTO open_call_scores (call_id, proposal_id, evaluator_id, criterion_id, score, comment, at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(proposal)
            .bind(evaluator)
            .bind(criterion)
            .bind(score)
            .bind(&comment)
            .bind(&now)
            .execute(&mut *tx.tx)
            .await?;
        }
        tx.audit(who.event(
            Some(&code),
            "call.score",
            format!("call:{id}"),
            serde_json::json!({
                "proposal": receipt,
                "evaluator": evaluator,
                "scores": sheet.scores.iter().map(|(c, s)| serde_json::json!({"criterion": c, "score": s})).collect::<Vec<_>>(),
            })
            .to_string(),
        ))
        .await?;
        tx.commit().await
    }

    /// Records the selection and its reason and marks the call decided. In the same
    /// transaction, through the lifecycle's own write path, the selected answers move to
    /// 実施決定 (a 受付 one via 庁内調整) and the other open answers are declined (reason
    /// `other`, `explanation` told to their proponents), each with its timeline, audit entry
    /// and status mail.
    #[allow(clippy::too_many_arguments)]
    pub async fn open_call_select(
        &self,
        who: &Who,
        tenant: TenantCode,
        id: i64,
        selected: &[i64],
        reason: &str,
        explanation: &str,
        mailer: &dyn Mailer,
    ) -> Result<()> {
        let reason =
            rules::SELECTION_REASON.parse_required(reason, "error-call-selection-reason")?;
        if selected.is_empty() {
            return Err(StoreError::conflict(
                "selected",
                "error-call-selection-none",
            ));
        }
        let code = tenant.to_string();
        let tenant_row = self.tenant(&code).await?;
        let mut tx = self.write().await?;
        let (from, _, _) = locked_call(&mut tx, &code, id).await?;
        transition(from, CallMove::Decide).map_err(|key| StoreError::conflict("form", key))?;
        let answers: Vec<(i64, String, Status)> = sqlx::query(
            "SELECT id, receipt_number, status FROM proposals WHERE tenant_code = $1 AND call_id = $2 ORDER BY id",
        )
        .bind(&code)
        .bind(id)
        .fetch_all(&mut *tx.tx)
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get("id")?,
                r.try_get("receipt_number")?,
                rows::code(r, "proposals", "status", Status::parse)?,
            ))
        })
        .collect::<Result<_>>()?;
        if selected
            .iter()
            .any(|s| !answers.iter().any(|(a, _, st)| a == s && !st.is_closed()))
        {
            return Err(StoreError::conflict(
                "selected",
                "error-call-selection-invalid",
            ));
        }
        let now = tx.now_ts();
        let note = rules::SELECTION_REASON.parse(&reason)?;
        let mut chosen = Vec::new();
        for (pid, receipt, status) in &answers {
            if selected.contains(pid) {
                sqlx::query(
                    "INSERT INTO open_call_selections (call_id, proposal_id, reason, at) VALUES ($1, $2, $3, $4)",
                )
                .bind(id)
                .bind(pid)
                .bind(&reason)
                .bind(&now)
                .execute(&mut *tx.tx)
                .await?;
                if *status == Status::Received {
                    self.transition_in(
                        &mut tx,
                        tenant,
                        &tenant_row,
                        *pid,
                        &Transition::StartCoordination,
                        &note,
                        None,
                        who,
                        mailer,
                    )
                    .await?;
                }
                self.transition_in(
                    &mut tx,
                    tenant,
                    &tenant_row,
                    *pid,
                    &Transition::Decide {
                        fiscal_justification: reason.clone(),
                    },
                    &note,
                    None,
                    who,
                    mailer,
                )
                .await?;
                chosen.push(receipt.clone());
            } else if !status.is_closed() {
                self.transition_in(
                    &mut tx,
                    tenant,
                    &tenant_row,
                    *pid,
                    &Transition::Decline {
                        reason: DeclineReason::Other,
                        explanation: explanation.to_string(),
                    },
                    "",
                    None,
                    who,
                    mailer,
                )
                .await?;
            }
        }
        sqlx::query(
            "UPDATE open_calls SET status = 'decided', selection_reason = $3, decided_at = $4, updated_at = $4, \
             closed_at = COALESCE(closed_at, $4) WHERE tenant_code = $1 AND id = $2",
        )
        .bind(&code)
        .bind(id)
        .bind(&reason)
        .bind(&now)
        .execute(&mut *tx.tx)
        .await?;
        tx.audit(who.event(
            Some(&code),
            "call.decide",
            format!("call:{id}"),
            serde_json::json!({"selected": chosen, "reason": reason}).to_string(),
        ))
        .await?;
        tx.call_reindex(id).await?;
        tx.commit().await
    }
}
