//! The desk's own work on a proposal, kept from the proponent: internal memos (内部メモ),
//! corrections of the record (訂正) and the desk's own attachments.
//!
//! - Memos are desk staff's notes: no timeline event (departments read the timeline through
//!   the API), no mail, an audit entry naming the memo (never its text).
//! - A correction changes the proposal's columns in place; each changed field leaves an
//!   internal timeline event with its old and new value and the reason, and the audit entry
//!   holds them all. The search text and index follow in the same transaction. Allowed in
//!   every state but 取下げ (the proponent took the proposal back: its record stays as it was).
//! - The desk's files are `attachments` rows with `uploaded_by = 'desk'` and the account
//!   that attached them; the proponent never sees them and a referral does not copy them.

use super::*;
use renkei_domain::proposal::CorrectionField;

/// `attachments.uploaded_by` of the desk's own files.
pub const UPLOADED_BY_DESK: &str = "desk";

/// The most files the desk may attach to one proposal.
pub const MAX_DESK_ATTACHMENTS: i64 = 20;

/// An internal memo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Memo {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// Who, as the audit trail names them.
    pub author: String,
    /// The account's display name.
    pub author_name: Option<String>,
    pub body: String,
}

/// One corrected field: what it was and what it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    pub field: CorrectionField,
    pub old: String,
    pub new: String,
}

/// The stored value of a correctable field.
pub fn correctable(p: &Proposal, f: CorrectionField) -> &str {
    match f {
        CorrectionField::Title => &p.title,
        CorrectionField::Summary => &p.summary,
        CorrectionField::Details => &p.details,
        CorrectionField::ExpectedEffects => &p.expected_effects,
        CorrectionField::FiscalExplanation => &p.fiscal_explanation,
        CorrectionField::OrgName => &p.org_name,
        CorrectionField::OrgAddress => &p.org_address,
        CorrectionField::ContactName => &p.contact_name,
        CorrectionField::ContactDepartment => &p.contact_department,
        CorrectionField::ContactTitle => &p.contact_title,
        CorrectionField::Email => &p.email,
        CorrectionField::Phone => &p.phone,
    }
}

/// A fingerprint of the correctable fields as a form showed them: a correction posted from a
/// form whose record has changed since (another officer's correction) is refused rather than
/// writing the form's stale values back.
pub fn correction_basis(p: &Proposal) -> String {
    let mut h = Sha256::new();
    for f in CorrectionField::ALL {
        h.update(correctable(p, *f).as_bytes());
        h.update([0u8]);
    }
    hex::encode(&h.finalize()[..16])
}

impl Store {
    /// Adds an internal memo (desk staff only: the caller checked the policy).
    pub async fn memo_add(
        &self,
        tenant: TenantCode,
        id: i64,
        body: &str,
        who: &Who,
    ) -> Result<Memo> {
        let t = tenant.to_string();
        let body = rules::MEMO_BODY.parse_required(body, "error-memo-required")?;
        let mut tx = self.write().await?;
        let p = tx.load(&t, id).await?;
        let now = tx.now_ts();
        let row = sqlx::query(
            "INSERT INTO proposal_memos (proposal_id, tenant_code, author_user_id, author, body, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(id)
        .bind(&t)
        .bind(who.user_id)
        .bind(&who.label)
        .bind(&body)
        .bind(&now)
        .fetch_one(&mut *tx.tx)
        .await?;
        let memo_id: i64 = row.try_get("id")?;
        tx.audit(who.event(
            Some(&t),
            "proposal.memo",
            format!("proposal:{}", p.receipt_number),
            event_note_json(&[("memo", &memo_id.to_string())]),
        ))
        .await?;
        let at = tx.now();
        tx.commit().await?;
        Ok(Memo {
            id: memo_id,
            at,
            author: who.label.clone(),
            author_name: None,
            body,
        })
    }

    /// A proposal's internal memos, newest first (desk staff only).
    pub async fn memos(&self, tenant: TenantCode, proposal_id: i64) -> Result<Vec<Memo>> {
        let rows = sqlx::query(
            "SELECT m.id, m.created_at, m.author, m.body, \
             (SELECT u.display_name FROM users u WHERE u.id = m.author_user_id) AS author_name \
             FROM proposal_memos m WHERE m.tenant_code = $1 AND m.proposal_id = $2 ORDER BY m.id DESC",
        )
        .bind(tenant.to_string())
        .bind(proposal_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Memo {
                    id: r.try_get("id")?,
                    at: rows::instant(r, "proposal_memos", "created_at")?,
                    author: r.try_get("author")?,
                    author_name: r.try_get("author_name")?,
                    body: r.try_get("body")?,
                })
            })
            .collect()
    }

    /// Corrects the record: `values` are the fields as the form posted them (each checked by
    /// its intake rule again here), `basis` the [`correction_basis`] the form was built on.
    /// Only fields whose value differs are written; nothing differing is refused. Returns
    /// the corrections made.
    #[allow(clippy::too_many_arguments)]
    pub async fn proposal_correct(
        &self,
        tenant: TenantCode,
        id: i64,
        values: &[(CorrectionField, String)],
        reason: &str,
        basis: &str,
        who: &Who,
    ) -> Result<Vec<Correction>> {
        let t = tenant.to_string();
        let reason =
            rules::CORRECTION_REASON.parse_required(reason, "error-correction-reason-required")?;
        let mut checked = Vec::with_capacity(values.len());
        for (f, v) in values {
            checked.push((*f, f.parse_value(v)?));
        }
        let mut tx = self.write().await?;
        let p = tx.load(&t, id).await?;
        if p.status == Status::Withdrawn {
            return Err(StoreError::conflict("form", "error-correction-withdrawn"));
        }
        if correction_basis(&p) != basis {
            return Err(StoreError::conflict("form", "error-correction-stale"));
        }
        let mut changes: Vec<Correction> = Vec::new();
        for (field, new) in checked {
            if changes.iter().any(|c| c.field == field) || correctable(&p, field) == new {
                continue;
            }
            if field == CorrectionField::FiscalExplanation {
                if !p.fiscal_burden {
                    return Err(StoreError::conflict(
                        "fiscal_explanation",
                        "error-correction-fiscal-none",
                    ));
                }
                if new.is_empty() {
                    return Err(StoreError::conflict(
                        "fiscal_explanation",
                        "error-fiscal-explanation-required",
                    ));
                }
            }
            changes.push(Correction {
                field,
                old: correctable(&p, field).to_string(),
                new,
            });
        }
        if changes.is_empty() {
            return Err(StoreError::conflict("form", "error-correction-unchanged"));
        }
        for c in &changes {
            // The column is the vocabulary's own code, never text from the request.
            sqlx::query(&format!(
                "UPDATE proposals SET {} = $3 WHERE tenant_code = $1 AND id = $2",
                c.field.code()
            ))
            .bind(&t)
            .bind(id)
            .bind(&c.new)
            .execute(&mut *tx.tx)
            .await?;
            tx.add_event(
                id,
                &t,
                who,
                "correction",
                None,
                None,
                &event_note_json(&[
                    ("field", c.field.code()),
                    ("old", &c.old),
                    ("new", &c.new),
                    ("reason", &reason),
                ]),
                false,
            )
            .await?;
        }
        tx.touch(id, false).await?;
        // The search text (and its index) follow the corrected words.
        let old_search: String =
            sqlx::query("SELECT search_text FROM proposals WHERE tenant_code = $1 AND id = $2")
                .bind(&t)
                .bind(id)
                .fetch_one(&mut *tx.tx)
                .await?
                .try_get("search_text")?;
        let new_search = stored_search_text(&tx.load(&t, id).await?);
        if new_search != old_search {
            sqlx::query("UPDATE proposals SET search_text = $3 WHERE tenant_code = $1 AND id = $2")
                .bind(&t)
                .bind(id)
                .bind(&new_search)
                .execute(&mut *tx.tx)
                .await?;
            tx.search_replace(&t, id, &old_search, &new_search).await?;
        }
        let detail = serde_json::json!({
            "reason": reason,
            "changes": changes
                .iter()
                .map(|c| serde_json::json!({ "field": c.field.code(), "old": c.old, "new": c.new }))
                .collect::<Vec<_>>(),
        });
        tx.audit(who.event(
            Some(&t),
            "proposal.correct",
            format!("proposal:{}", p.receipt_number),
            detail.to_string(),
        ))
        .await?;
        tx.commit().await?;
        Ok(changes)
    }

    /// The desk attaches its own files (internal: city-hall staff only), each with a timeline
    /// event and an audit entry; at most [`MAX_DESK_ATTACHMENTS`] per proposal.
    pub async fn desk_attachments_add(
        &self,
        tenant: TenantCode,
        id: i64,
        files: &[NewAttachment],
        who: &Who,
    ) -> Result<Vec<i64>> {
        let t = tenant.to_string();
        if files.is_empty() {
            return Err(StoreError::conflict(
                "attachments",
                "error-attachment-required",
            ));
        }
        let mut tx = self.write().await?;
        let p = tx.load(&t, id).await?;
        let held: i64 = sqlx::query(&format!(
            "SELECT COUNT(*) AS n FROM attachments WHERE proposal_id = $1 AND uploaded_by = '{UPLOADED_BY_DESK}'"
        ))
        .bind(id)
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("n")?;
        if held + files.len() as i64 > MAX_DESK_ATTACHMENTS {
            return Err(StoreError::conflict(
                "attachments",
                "error-desk-attachment-limit",
            ));
        }
        let mut ids = Vec::with_capacity(files.len());
        for a in files {
            let sha = hex::encode(Sha256::digest(&a.data));
            let row = sqlx::query(
                "INSERT INTO attachments (proposal_id, tenant_code, filename, content_type, size, sha256, data, uploaded_by, uploaded_by_user_id, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(id)
            .bind(&t)
            .bind(&a.filename)
            .bind(&a.content_type)
            .bind(a.data.len() as i64)
            .bind(&sha)
            .bind(a.data.clone())
            .bind(UPLOADED_BY_DESK)
            .bind(who.user_id)
            .bind(tx.now_ts())
            .fetch_one(&mut *tx.tx)
            .await?;
            let attachment_id: i64 = row.try_get("id")?;
            tx.add_event(
                id,
                &t,
                who,
                "attachment",
                None,
                None,
                &event_note_json(&[("filename", &a.filename)]),
                false,
            )
            .await?;
            tx.audit(who.event(
                Some(&t),
                "proposal.attachment",
                format!("proposal:{}", p.receipt_number),
                event_note_json(&[
                    ("attachment", &attachment_id.to_string()),
                    ("filename", &a.filename),
                    ("size", &a.data.len().to_string()),
                    ("sha256", &sha),
                ]),
            ))
            .await?;
            ids.push(attachment_id);
        }
        tx.touch(id, false).await?;
        tx.commit().await?;
        Ok(ids)
    }

    /// One attachment's bytes for the proponent: theirs only, never the desk's own files.
    pub async fn proponent_attachment_data(
        &self,
        tenant: TenantCode,
        proposal_id: i64,
        id: i64,
    ) -> Result<(AttachmentMeta, Vec<u8>)> {
        let (meta, data) = self.attachment_data(tenant, proposal_id, id).await?;
        if meta.from_desk() {
            return Err(StoreError::NotFound);
        }
        Ok((meta, data))
    }
}

impl WriteTx {
    /// Replaces a proposal's search document (see [`crate::search`]). A contentless FTS5
    /// table forgets a row only when told the tokens it was given, so SQLite is handed the
    /// old document to delete; PostgreSQL deletes the row.
    async fn search_replace(
        &mut self,
        tenant: &str,
        id: i64,
        old_search: &str,
        new_search: &str,
    ) -> Result<()> {
        match self.backend {
            Backend::Sqlite => {
                sqlx::query(
                    "INSERT INTO proposal_search (proposal_search, rowid, grams) VALUES ('delete', $1, $2)",
                )
                .bind(id)
                .bind(crate::search::document(tenant, old_search))
                .execute(&mut *self.tx)
                .await?;
            }
            Backend::Postgres => {
                sqlx::query("DELETE FROM proposal_search WHERE proposal_id = $1")
                    .bind(id)
                    .execute(&mut *self.tx)
                    .await?;
            }
        }
        sqlx::query(&self.backend.search_insert_sql(1))
            .bind(id)
            .bind(crate::search::document(tenant, new_search))
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}
