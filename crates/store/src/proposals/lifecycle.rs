//! The lifecycle: moves checked by the domain's state machine (a referral makes a linked copy
//! at the other desk in the same transaction) and the proponent's consents.

use super::*;

impl Store {
    /// Applies a lifecycle move checked by the domain's state machine; records who, when and
    /// why; queues the mails. A referral creates a linked copy at the other desk.
    pub async fn proposal_transition(
        &self,
        tenant: TenantCode,
        id: i64,
        t: &Transition,
        who: &Who,
        mailer: &dyn Mailer,
    ) -> Result<Proposal> {
        self.proposal_transition_noted(tenant, id, t, "", who, mailer)
            .await
    }

    /// The same, with the desk's own note on why (kept in the timeline and the audit trail,
    /// shown to city-hall staff only).
    #[allow(clippy::too_many_arguments)]
    pub async fn proposal_transition_noted(
        &self,
        tenant: TenantCode,
        id: i64,
        t: &Transition,
        why: &str,
        who: &Who,
        mailer: &dyn Mailer,
    ) -> Result<Proposal> {
        // Free text is checked here too (control characters, length), whoever calls.
        let why = rules::TRANSITION_NOTE.parse(why)?;
        let why = why.as_str();
        let t_code = tenant.to_string();
        // The referral copy's deadline follows the receiving desk's setting.
        let copy_due = match t {
            Transition::Refer { to } => Some(self.first_response_due(*to).await?),
            _ => None,
        };
        let tenant_row = self.tenant(&t_code).await?;
        let mut tx = self.write().await?;
        let updated = self
            .transition_in(
                &mut tx,
                tenant,
                &tenant_row,
                id,
                t,
                why,
                copy_due,
                who,
                mailer,
            )
            .await?;
        tx.commit().await?;
        Ok(updated)
    }

    /// One lifecycle move inside the caller's transaction: the row, the timeline, the audit
    /// entry, the referral copy and the mails. `copy_due` is the receiving desk's deadline of a
    /// referral. A single move and a bulk change both come here.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn transition_in(
        &self,
        tx: &mut WriteTx,
        tenant: TenantCode,
        tenant_row: &crate::tenants::Tenant,
        id: i64,
        t: &Transition,
        why: &str,
        copy_due: Option<NaiveDate>,
        who: &Who,
        mailer: &dyn Mailer,
    ) -> Result<Proposal> {
        let t_code = tenant.to_string();
        let p = tx.load(&t_code, id).await?;
        let from = p.status();
        let to = check_transition(&mut tx.tx, tenant, &p, t, why).await?;
        let now = tx.now_ts();
        let justification = match t {
            Transition::Decide {
                fiscal_justification,
            } if p.fiscal_burden => Some(rules::FISCAL_JUSTIFICATION.parse(fiscal_justification)?),
            _ => None,
        };
        let (reason, explanation) = match t {
            Transition::Decline {
                reason,
                explanation,
            } => (
                Some(reason.code()),
                Some(rules::DECLINE_EXPLANATION.parse(explanation)?),
            ),
            _ => (None, None),
        };
        let referred_to = match t {
            Transition::Refer { to } => Some(to.to_string()),
            _ => None,
        };
        sqlx::query(
            "UPDATE proposals SET status = $3, updated_at = $4, closed_at = $5, \
             decline_reason = COALESCE($6, decline_reason), decline_explanation = COALESCE($7, decline_explanation), \
             referred_to = COALESCE($8, referred_to), \
             first_responded_at = CASE WHEN $9 = 1 THEN COALESCE(first_responded_at, $4) ELSE first_responded_at END, \
             fiscal_justification = COALESCE($10, fiscal_justification) \
             WHERE tenant_code = $1 AND id = $2",
        )
        .bind(&t_code)
        .bind(id)
        .bind(to.code())
        .bind(&now)
        .bind(if to.is_closed() { Some(now.clone()) } else { None })
        .bind(reason)
        .bind(explanation.clone())
        .bind(referred_to.clone())
        .bind(i64::from(!t.by_proponent()))
        .bind(justification.clone())
        .execute(&mut *tx.tx)
        .await?;
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        if let Some(j) = &justification {
            pairs.push(("fiscal_justification", j));
        }
        if let (Some(r), Some(e)) = (&reason, &explanation) {
            pairs.push(("reason", r));
            pairs.push(("explanation", e));
        }
        if let Some(dest) = &referred_to {
            pairs.push(("to", dest));
        }
        if !why.is_empty() {
            pairs.push(("note", why));
        }
        let note = if pairs.is_empty() {
            String::new()
        } else {
            event_note_json(&pairs)
        };
        tx.add_event(
            id,
            &t_code,
            who,
            "status",
            Some(from.code()),
            Some(to.code()),
            &note,
            true,
        )
        .await?;
        tx.audit(who.event(
            Some(&t_code),
            &format!("proposal.{}", t.code()),
            format!("proposal:{}", p.receipt_number),
            event_note_json(&[("from", from.code()), ("to", to.code()), ("note", why)]),
        ))
        .await?;
        let copy = match (t, copy_due) {
            (Transition::Refer { to: dest }, Some(due)) => {
                let intake = intake_of(&p)?;
                let new = NewProposal {
                    intake,
                    route: p.route,
                    proponent_user_id: None,
                    attachments: Vec::new(),
                    ip: None,
                    // The proponent keeps their language at the receiving desk.
                    lang: p.lang,
                    privacy_consented: p.privacy_consented_at.is_some(),
                    draft_token: None,
                };
                let s = tx
                    .insert_proposal(*dest, &new, who, due, true, Some(p.id), Status::Received)
                    .await?;
                // The proponent's attachments travel with the copy; the desk's own files
                // (like its memos) stay with this desk.
                sqlx::query(&format!(
                    "INSERT INTO attachments (proposal_id, tenant_code, filename, content_type, size, sha256, data, uploaded_by, created_at) \
                     SELECT $1, $2, filename, content_type, size, sha256, data, uploaded_by, created_at FROM attachments \
                     WHERE proposal_id = $3 AND uploaded_by <> '{UPLOADED_BY_DESK}'"
                ))
                .bind(s.id)
                .bind(dest.to_string())
                .bind(p.id)
                .execute(&mut *tx.tx)
                .await?;
                Some(s)
            }
            _ => None,
        };
        let updated = tx.load(&t_code, id).await?;
        let dest_row = match t {
            Transition::Refer { to } => Some(self.tenant(&to.to_string()).await?),
            _ => None,
        };
        tx.emit(
            mailer,
            &DomainEvent::StatusChanged {
                tenant: tenant_row,
                proposal: &updated,
                dest: dest_row.as_ref(),
            },
        )
        .await?;
        if let (Some(dest_row), Some(copy)) = (&dest_row, &copy) {
            let desk = tx.desk_recipients(&dest_row.code, None).await?;
            tx.emit(
                mailer,
                &DomainEvent::Referred {
                    tenant: tenant_row,
                    proposal: &updated,
                    copy,
                    dest: dest_row,
                    desk: &desk,
                },
            )
            .await?;
        }
        Ok(updated)
    }

    /// Whether this move would be accepted now (for a confirmation step shown before it);
    /// writes nothing. The move itself checks again.
    pub async fn transition_allowed(
        &self,
        tenant: TenantCode,
        id: i64,
        t: &Transition,
        why: &str,
    ) -> Result<Status> {
        let p = self.proposal_by_id(tenant, id).await?;
        let mut conn = self.pool().acquire().await?;
        check_transition(&mut conn, tenant, &p, t, why).await
    }

    /// The proponent's consents (publication if realised; referral to another desk).
    pub async fn consent_set(
        &self,
        tenant: TenantCode,
        id: i64,
        publication: bool,
        referral: bool,
        who: &Who,
    ) -> Result<()> {
        let t = tenant.to_string();
        let mut tx = self.write().await?;
        let p = tx.load(&t, id).await?;
        if !p.status.consents_open() {
            return Err(StoreError::conflict("form", "error-consent-closed"));
        }
        // A referral is asked for only while the proposal is open; after 実施決定 it stays.
        let referral = if p.status.is_closed() {
            p.referral_consent
        } else {
            referral
        };
        sqlx::query(
            "UPDATE proposals SET publication_consent = $3, referral_consent = $4, updated_at = $5 WHERE tenant_code = $1 AND id = $2",
        )
        .bind(&t)
        .bind(id)
        .bind(i64::from(publication))
        .bind(i64::from(referral))
        .bind(self.now_ts())
        .execute(&mut *tx.tx)
        .await?;
        let note = event_note_json(&[
            ("publication", &publication.to_string()),
            ("referral", &referral.to_string()),
        ]);
        tx.add_event(id, &t, who, "consent", None, None, &note, true)
            .await?;
        tx.audit(who.event(
            Some(&t),
            "proposal.consent",
            format!("proposal:{}", p.receipt_number),
            note,
        ))
        .await?;
        tx.commit().await
    }
}

/// Everything a lifecycle move must satisfy: the state machine (with the fiscal-burden
/// rule), the lengths of what is recorded, and for a referral the other desk (another,
/// existing local government whose desk takes proposals) and the proponent's consent.
pub(super) async fn check_transition(
    conn: &mut sqlx::AnyConnection,
    tenant: TenantCode,
    p: &Proposal,
    t: &Transition,
    why: &str,
) -> Result<Status> {
    // What is written down must be fit to keep: no control characters, not too long.
    rules::TRANSITION_NOTE.parse(why)?;
    match t {
        Transition::Decide {
            fiscal_justification,
        } => {
            rules::FISCAL_JUSTIFICATION.parse(fiscal_justification)?;
        }
        Transition::Decline { explanation, .. } => {
            rules::DECLINE_EXPLANATION.parse(explanation)?;
        }
        _ => {}
    }
    let to = transition(p.status(), t, p.fiscal_burden).map_err(|e| {
        let field = match e.key {
            "error-fiscal-justification-required" => "fiscal_justification",
            "error-decline-explanation-required" => "explanation",
            _ => "transition",
        };
        StoreError::conflict(field, e.key)
    })?;
    if let Transition::Refer { to: dest } = t {
        if *dest == tenant {
            return Err(StoreError::conflict("to", "error-referral-self"));
        }
        let exists = sqlx::query("SELECT 1 AS one FROM tenants WHERE code = $1")
            .bind(dest.to_string())
            .fetch_optional(&mut *conn)
            .await?;
        if exists.is_none() {
            return Err(StoreError::conflict("to", "error-tenant-unknown"));
        }
        if !p.referral_consent {
            return Err(StoreError::conflict("to", "error-referral-needs-consent"));
        }
        // The receiving desk must be there to read it.
        if !crate::desk::openness_on(conn, *dest).await?.is_open() {
            return Err(StoreError::conflict("to", "error-referral-desk-closed"));
        }
    }
    Ok(to)
}

/// Rebuilds the validated intake from a stored proposal (for the referral copy).
pub(super) fn intake_of(p: &Proposal) -> Result<Intake> {
    use renkei_domain::proposal::IntakeInput;
    let input = IntakeInput {
        kind: p.kind.to_string(),
        org_name: p.org_name.clone(),
        partner_type: p.partner_type.to_string(),
        corporate_number: p.corporate_number.clone().unwrap_or_default(),
        org_address: p.org_address.clone(),
        contact_name: p.contact_name.clone(),
        contact_department: p.contact_department.clone(),
        contact_title: p.contact_title.clone(),
        email: p.email.clone(),
        phone: p.phone.clone(),
        title: p.title.clone(),
        summary: p.summary.clone(),
        details: p.details.clone(),
        fields: p.fields.iter().map(ToString::to_string).collect(),
        offers: p.offers.iter().map(ToString::to_string).collect(),
        expected_effects: p.expected_effects.clone(),
        fiscal_burden: p.fiscal_burden_code().to_string(),
        fiscal_explanation: p.fiscal_explanation.clone(),
        publication_consent: p.publication_consent,
        privacy_consent: p.privacy_consented_at.is_some(),
    };
    Intake::parse(&input)
        .map_err(|e| StoreError::Internal(format!("stored proposal no longer valid: {e:?}")))
}
