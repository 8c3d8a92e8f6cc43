//! Bulk changes from the desk's inbox: one assignment or one lifecycle move applied to several
//! proposals in one transaction, all or nothing.

use super::*;

/// The most proposals one bulk change may touch (a page of the inbox is 25).
pub const BULK_MAX: usize = 100;

/// What a bulk change does to each chosen proposal.
#[derive(Debug, Clone)]
pub enum BulkChange {
    /// Assign a desk officer (`None`: nobody).
    Assign(Option<i64>),
    /// A lifecycle move that needs nothing per proposal (聞き取り, 庁内調整, 不採択 with one
    /// reason and explanation). 実施決定 (a fiscal check per proposal) and 紹介 (a copy at
    /// another desk) are decided one by one.
    Move(Transition),
}

impl Store {
    /// Applies one change to several proposals of one desk in one transaction. Each goes
    /// through the same steps as a single change (state machine, timeline, audit entry, mail);
    /// if any of them may not take it now — its state changed since the desk chose — nothing is
    /// written and the error names the conflict.
    pub async fn proposals_bulk(
        &self,
        tenant: TenantCode,
        ids: &[i64],
        change: &BulkChange,
        why: &str,
        who: &Who,
        mailer: &dyn Mailer,
    ) -> Result<Vec<Proposal>> {
        if ids.is_empty() {
            return Err(StoreError::conflict("receipts", "error-bulk-none"));
        }
        if ids.len() > BULK_MAX {
            return Err(StoreError::conflict("receipts", "error-bulk-too-many"));
        }
        let t = tenant.to_string();
        if let BulkChange::Assign(Some(uid)) = change {
            let u = self.user(*uid).await?;
            if u.tenant_code.as_deref() != Some(t.as_str()) || u.role != renkei_domain::Role::Desk {
                return Err(StoreError::conflict("assignee", "error-assignee-not-desk"));
            }
        }
        if let BulkChange::Move(
            Transition::Refer { .. } | Transition::Decide { .. } | Transition::Withdraw,
        ) = change
        {
            return Err(StoreError::conflict("action", "error-bulk-action-invalid"));
        }
        let why = rules::TRANSITION_NOTE.parse(why)?;
        let tenant_row = self.tenant(&t).await?;
        let mut tx = self.write().await?;
        let mut out = Vec::with_capacity(ids.len());
        for &id in ids {
            match change {
                BulkChange::Assign(a) => {
                    Self::assign_in(&mut tx, &t, id, *a, who).await?;
                    out.push(tx.load(&t, id).await?);
                }
                BulkChange::Move(m) => {
                    let p = self
                        .transition_in(
                            &mut tx,
                            tenant,
                            &tenant_row,
                            id,
                            m,
                            why.as_str(),
                            None,
                            who,
                            mailer,
                        )
                        .await
                        .map_err(|e| match e {
                            StoreError::Conflict { .. } => {
                                StoreError::conflict("receipts", "error-bulk-stale")
                            }
                            e => e,
                        })?;
                    out.push(p);
                }
            }
        }
        tx.commit().await?;
        Ok(out)
    }
}
