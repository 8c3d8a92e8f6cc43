//! A department's question back to the desk on a routing it has not answered yet (照会), and
//! the desk's reply. Internal to the city: the proponent's timeline never shows them (the
//! events are internal), and the routing stays pending with its deadline unchanged.

use super::*;

/// Questions a routing may have waiting for the desk at once (a conversation, not a flood).
pub const OPEN_QUESTIONS_MAX: i64 = 20;
/// Proposals with questions waiting listed on the desk's home page.
pub const OPEN_QUESTIONS_LIST_MAX: i64 = 50;

/// A question and, once the desk has replied, the reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutingQuestion {
    pub id: i64,
    pub routing_id: i64,
    pub proposal_id: i64,
    pub department_id: i64,
    pub department_name: String,
    pub question: String,
    pub asked_by: Option<String>,
    pub asked_at: DateTime<Utc>,
    pub reply: Option<String>,
    pub replied_by: Option<String>,
    pub replied_at: Option<DateTime<Utc>>,
}

/// A proposal with questions waiting for the desk (the desk's home page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenQuestion {
    pub receipt_number: String,
    pub title: String,
    pub department_name: String,
    pub asked_at: DateTime<Utc>,
}

const T: &str = "routing_questions";

fn question_from_row(r: &sqlx::any::AnyRow) -> Result<RoutingQuestion> {
    Ok(RoutingQuestion {
        id: r.try_get("id")?,
        routing_id: r.try_get("routing_id")?,
        proposal_id: r.try_get("proposal_id")?,
        department_id: r.try_get("department_id")?,
        department_name: r.try_get("department_name")?,
        question: r.try_get("question")?,
        asked_by: r.try_get("asked_by_name")?,
        asked_at: rows::instant(r, T, "asked_at")?,
        reply: r.try_get("reply")?,
        replied_by: r.try_get("replied_by_name")?,
        replied_at: rows::opt_instant(r, T, "replied_at")?,
    })
}

impl Store {
    /// A department asks the desk a question about a routing it has not answered (照会). The
    /// desk (the assignee, or every desk account) is mailed in the same commit; the routing
    /// stays as it was.
    pub async fn routing_question_ask(
        &self,
        tenant: TenantCode,
        routing_id: i64,
        question: &str,
        who: &Who,
        mailer: &dyn Mailer,
    ) -> Result<i64> {
        let t = tenant.to_string();
        let question =
            rules::DESK_QUESTION.parse_required(question, "error-desk-question-required")?;
        let tenant_row = self.tenant(&t).await?;
        let mut tx = self.write().await?;
        let r = sqlx::query(
            "SELECT r.proposal_id, r.due_on, r.answered_at, d.name AS department_name, \
             (SELECT COUNT(*) FROM routing_questions q WHERE q.routing_id = r.id AND q.replied_at IS NULL) AS open \
             FROM routings r JOIN departments d ON d.id = r.department_id \
             WHERE r.tenant_code = $1 AND r.id = $2",
        )
        .bind(&t)
        .bind(routing_id)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let proposal_id: i64 = r.try_get("proposal_id")?;
        let department: String = r.try_get("department_name")?;
        let due_on = rows::date(&r, "routings", "due_on")?;
        let p = tx.load(&t, proposal_id).await?;
        if r.try_get::<Option<String>, _>("answered_at")?.is_some() {
            return Err(StoreError::conflict(
                "desk_question",
                "error-desk-question-answered",
            ));
        }
        if p.status().is_closed() {
            return Err(StoreError::conflict(
                "desk_question",
                "error-desk-question-closed",
            ));
        }
        if r.try_get::<i64, _>("open")? >= OPEN_QUESTIONS_MAX {
            return Err(StoreError::conflict(
                "desk_question",
                "error-desk-question-too-many",
            ));
        }
        let now = tx.now_ts();
        let id: i64 = sqlx::query(
            "INSERT INTO routing_questions (routing_id, proposal_id, tenant_code, question, asked_by, asked_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(routing_id)
        .bind(proposal_id)
        .bind(&t)
        .bind(&question)
        .bind(who.user_id)
        .bind(&now)
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("id")?;
        tx.add_event(
            proposal_id,
            &t,
            who,
            "routing_question",
            None,
            None,
            &event_note_json(&[("department", &department)]),
            false,
        )
        .await?;
        tx.touch(proposal_id, false).await?;
        tx.audit(who.event(
            Some(&t),
            "proposal.routing_question",
            format!("proposal:{}", p.receipt_number),
            event_note_json(&[
                ("routing", &routing_id.to_string()),
                ("question", &id.to_string()),
            ]),
        ))
        .await?;
        let desk = tx.desk_recipients(&t, p.assignee_user_id).await?;
        tx.emit(
            mailer,
            &DomainEvent::QuestionAsked {
                tenant: &tenant_row,
                proposal: &p,
                department: &department,
                due_on,
                desk: &desk,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The desk replies to a department's question on `proposal_id`; the department's active
    /// members are mailed in the same commit. A question is replied to once.
    #[allow(clippy::too_many_arguments)]
    pub async fn routing_question_reply(
        &self,
        tenant: TenantCode,
        proposal_id: i64,
        question_id: i64,
        reply: &str,
        who: &Who,
        mailer: &dyn Mailer,
    ) -> Result<()> {
        let t = tenant.to_string();
        let reply = rules::QUESTION_REPLY.parse_required(reply, "error-reply-required")?;
        let tenant_row = self.tenant(&t).await?;
        let mut tx = self.write().await?;
        let p = tx.load(&t, proposal_id).await?;
        let now = tx.now_ts();
        let claimed = sqlx::query(
            "UPDATE routing_questions SET reply = $4, replied_by = $5, replied_at = $6 \
             WHERE tenant_code = $1 AND proposal_id = $2 AND id = $3 AND replied_at IS NULL \
             RETURNING routing_id",
        )
        .bind(&t)
        .bind(proposal_id)
        .bind(question_id)
        .bind(&reply)
        .bind(who.user_id)
        .bind(&now)
        .fetch_optional(&mut *tx.tx)
        .await?;
        let routing_id: i64 = match claimed {
            Some(r) => r.try_get("routing_id")?,
            None => {
                let exists = sqlx::query(
                    "SELECT id FROM routing_questions WHERE tenant_code = $1 AND proposal_id = $2 AND id = $3",
                )
                .bind(&t)
                .bind(proposal_id)
                .bind(question_id)
                .fetch_optional(&mut *tx.tx)
                .await?;
                return Err(match exists {
                    Some(_) => StoreError::conflict("reply", "error-reply-already"),
                    None => StoreError::NotFound,
                });
            }
        };
        let r = sqlx::query(
            "SELECT r.department_id, r.due_on, d.name AS department_name \
             FROM routings r JOIN departments d ON d.id = r.department_id \
             WHERE r.tenant_code = $1 AND r.id = $2",
        )
        .bind(&t)
        .bind(routing_id)
        .fetch_one(&mut *tx.tx)
        .await?;
        let department: String = r.try_get("department_name")?;
        let department_id: i64 = r.try_get("department_id")?;
        let due_on = rows::date(&r, "routings", "due_on")?;
        tx.add_event(
            proposal_id,
            &t,
            who,
            "question_reply",
            None,
            None,
            &event_note_json(&[("department", &department)]),
            false,
        )
        .await?;
        tx.touch(proposal_id, false).await?;
        tx.audit(who.event(
            Some(&t),
            "proposal.routing_question_reply",
            format!("proposal:{}", p.receipt_number),
            event_note_json(&[
                ("routing", &routing_id.to_string()),
                ("question", &question_id.to_string()),
            ]),
        ))
        .await?;
        let members = sqlx::query(
            "SELECT u.email, u.lang FROM department_members m JOIN users u ON u.id = m.user_id \
             WHERE m.department_id = $1 AND u.disabled_at IS NULL ORDER BY u.email",
        )
        .bind(department_id)
        .fetch_all(&mut *tx.tx)
        .await?
        .iter()
        .map(Recipient::from_user_row)
        .collect::<Result<Vec<_>>>()?;
        tx.emit(
            mailer,
            &DomainEvent::QuestionReplied {
                tenant: &tenant_row,
                proposal: &p,
                department: &department,
                due_on,
                members: &members,
            },
        )
        .await?;
        tx.commit().await
    }

    /// The questions on a proposal's routings, oldest first (callers filter by department
    /// for a department's view).
    pub async fn routing_questions(&self, proposal_id: i64) -> Result<Vec<RoutingQuestion>> {
        sqlx::query(
            "SELECT q.id, q.routing_id, q.proposal_id, r.department_id, d.name AS department_name, \
             q.question, q.asked_at, q.reply, q.replied_at, \
             (SELECT u.display_name FROM users u WHERE u.id = q.asked_by) AS asked_by_name, \
             (SELECT u.display_name FROM users u WHERE u.id = q.replied_by) AS replied_by_name \
             FROM routing_questions q JOIN routings r ON r.id = q.routing_id \
             JOIN departments d ON d.id = r.department_id \
             WHERE q.proposal_id = $1 ORDER BY q.asked_at, q.id",
        )
        .bind(proposal_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(question_from_row)
        .collect()
    }

    /// Questions waiting for the desk's reply, oldest first, at most
    /// [`OPEN_QUESTIONS_LIST_MAX`] (the desk's home page).
    pub async fn open_questions(&self, tenant: TenantCode) -> Result<Vec<OpenQuestion>> {
        sqlx::query(&format!(
            "SELECT p.receipt_number, p.title, d.name AS department_name, q.asked_at \
             FROM routing_questions q JOIN proposals p ON p.id = q.proposal_id \
             JOIN routings r ON r.id = q.routing_id JOIN departments d ON d.id = r.department_id \
             WHERE q.tenant_code = $1 AND q.replied_at IS NULL \
             ORDER BY q.asked_at, q.id LIMIT {OPEN_QUESTIONS_LIST_MAX}"
        ))
        .bind(tenant.to_string())
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(OpenQuestion {
                receipt_number: r.try_get("receipt_number")?,
                title: r.try_get("title")?,
                department_name: r.try_get("department_name")?,
                asked_at: rows::instant(r, T, "asked_at")?,
            })
        })
        .collect()
    }
}
