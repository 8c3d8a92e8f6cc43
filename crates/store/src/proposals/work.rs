//! The desk's work on a proposal: assignment, hearing records, routing to departments (庁内照会)
//! and their answers, messages both ways, and the audit entry of every read.

use super::*;

impl Store {
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
        Self::assign_in(&mut tx, &t, id, assignee, who).await?;
        tx.commit().await
    }

    /// Assignment inside the caller's transaction (the assignee already checked): the row,
    /// the timeline and the audit entry. A single assignment and a bulk change both come here.
    pub(crate) async fn assign_in(
        tx: &mut WriteTx,
        t: &str,
        id: i64,
        assignee: Option<i64>,
        who: &Who,
    ) -> Result<()> {
        let p = tx.load(t, id).await?;
        sqlx::query("UPDATE proposals SET assignee_user_id = $3, updated_at = $4 WHERE tenant_code = $1 AND id = $2")
            .bind(t)
            .bind(id)
            .bind(assignee)
            .bind(tx.now_ts())
            .execute(&mut *tx.tx)
            .await?;
        let a = assignee.map(|x| x.to_string()).unwrap_or_default();
        tx.add_event(
            id,
            t,
            who,
            "assignment",
            None,
            None,
            &event_note_json(&[("assignee", &a)]),
            false,
        )
        .await?;
        tx.audit(who.event(
            Some(t),
            "proposal.assign",
            format!("proposal:{}", p.receipt_number),
            event_note_json(&[("assignee", &a)]),
        ))
        .await?;
        Ok(())
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
        let mut recipients: Vec<(String, Vec<Recipient>)> = Vec::new();
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
                "SELECT u.email, u.lang FROM department_members m JOIN users u ON u.id = m.user_id \
                 WHERE m.department_id = $1 AND u.disabled_at IS NULL ORDER BY u.email",
            )
            .bind(dept)
            .fetch_all(&mut *tx.tx)
            .await?
            .iter()
            .map(Recipient::from_user_row)
            .collect::<Result<Vec<_>>>()?;
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

    /// A department's answer to a routing request. The proposal counts one more answer the
    /// desk has not seen, and the desk is mailed (in the same commit).
    #[allow(clippy::too_many_arguments)]
    pub async fn routing_answer(
        &self,
        tenant: TenantCode,
        routing_id: i64,
        answer: Answer,
        comment: &str,
        who: &Who,
        mailer: &dyn Mailer,
    ) -> Result<Routing> {
        let t = tenant.to_string();
        let comment = rules::ANSWER_COMMENT.parse(comment)?;
        let tenant_row = self.tenant(&t).await?;
        let mut tx = self.write().await?;
        let r = sqlx::query(
            "SELECT r.proposal_id, r.department_id, d.name AS department_name \
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
        sqlx::query(
            "UPDATE proposals SET unseen_answers = unseen_answers + 1 WHERE tenant_code = $1 AND id = $2",
        )
        .bind(&t)
        .bind(proposal_id)
        .execute(&mut *tx.tx)
        .await?;
        let desk = tx.desk_recipients(&t, p.assignee_user_id).await?;
        tx.emit(
            mailer,
            &DomainEvent::Answered {
                tenant: &tenant_row,
                proposal: &p,
                department: &department,
                answer,
                desk: &desk,
            },
        )
        .await?;
        tx.commit().await?;
        self.routings(proposal_id)
            .await?
            .into_iter()
            .find(|x| x.id == routing_id)
            .ok_or(StoreError::NotFound)
    }

    /// The desk has opened the proposal: its departments' answers are no longer new. Writes
    /// only when there was something to clear.
    pub async fn answers_seen(&self, tenant: TenantCode, proposal_id: i64) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE proposals SET unseen_answers = 0 WHERE tenant_code = $1 AND id = $2 AND unseen_answers <> 0",
        )
        .bind(tenant.to_string())
        .bind(proposal_id)
        .execute(&mut *tx.tx)
        .await?;
        tx.commit().await
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
            let desk = tx.desk_recipients(&t, p.assignee_user_id).await?;
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

    /// Records an export of the inbox (a read of every proposal in it) in the audit trail:
    /// the format, how many proposals, and the filter as the query string.
    pub async fn audit_inbox_export(
        &self,
        tenant: TenantCode,
        format: &str,
        count: usize,
        filter: &str,
        who: &Who,
    ) -> Result<()> {
        self.audit(who.event(
            Some(&tenant.to_string()),
            "proposal.export",
            "inbox".to_string(),
            event_note_json(&[
                ("format", format),
                ("count", &count.to_string()),
                ("filter", filter),
            ]),
        ))
        .await
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
}

pub(super) async fn insert_hearing(
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
