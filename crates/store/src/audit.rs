//! The append-only, hash-chained audit trail.

use crate::{AuditEvent, Result, Store};
use renkei_domain::audit::{AuditEntry, ChainFault, ChainVerifier, StoredAuditEntry};
use sqlx::Row;

/// Appends inside the caller's transaction. The first statement takes the head row's lock
/// (PostgreSQL) so concurrent appends from several app servers form one chain.
pub(crate) async fn append(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    event: AuditEvent,
    at: String,
) -> Result<()> {
    let head = sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut **tx)
        .await?;
    let seq: i64 = head.try_get("seq")?;
    let prev_hash: String = head.try_get("hash")?;
    let entry = event.into_entry(seq, at);
    let hash = entry.chain_hash(&prev_hash);
    sqlx::query(
        "INSERT INTO audit_log (seq, at, tenant_code, actor_user_id, actor, action, target, detail, origin, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(entry.seq)
    .bind(&entry.at)
    .bind(&entry.tenant_code)
    .bind(entry.actor_user_id)
    .bind(&entry.actor)
    .bind(&entry.action)
    .bind(&entry.target)
    .bind(&entry.detail)
    .bind(&entry.origin)
    .bind(&prev_hash)
    .bind(&hash)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&hash)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The result of `renkei audit verify`.
#[derive(Debug)]
pub struct VerifyReport {
    pub checked: u64,
    pub faults: Vec<ChainFault>,
}

fn entry_from_row(r: &sqlx::any::AnyRow) -> Result<StoredAuditEntry> {
    Ok(StoredAuditEntry {
        entry: AuditEntry {
            seq: r.try_get("seq")?,
            at: r.try_get("at")?,
            tenant_code: r.try_get("tenant_code")?,
            actor_user_id: r.try_get("actor_user_id")?,
            actor: r.try_get("actor")?,
            action: r.try_get("action")?,
            target: r.try_get("target")?,
            detail: r.try_get("detail")?,
            origin: r.try_get("origin")?,
        },
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

const COLUMNS: &str =
    "seq, at, tenant_code, actor_user_id, actor, action, target, detail, origin, prev_hash, hash";

impl Store {
    /// Appends one entry in a transaction of its own (reads of confidential data, sign-ins).
    pub async fn audit(&self, event: AuditEvent) -> Result<()> {
        let mut tx = self.write().await?;
        tx.audit(event).await?;
        tx.commit().await
    }

    /// Walks the whole chain in pages, checking every link, then the head.
    pub async fn audit_verify(&self) -> Result<VerifyReport> {
        const PAGE: i64 = 5000;
        let mut verifier = ChainVerifier::default();
        let mut after = 0i64;
        loop {
            let rows = sqlx::query(&format!(
                "SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"
            ))
            .bind(after)
            .bind(PAGE)
            .fetch_all(self.pool())
            .await?;
            for r in &rows {
                let e = entry_from_row(r)?;
                after = e.entry.seq;
                verifier.push(&e);
            }
            if (rows.len() as i64) < PAGE {
                break;
            }
        }
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(self.pool())
            .await?;
        let checked = verifier.checked;
        let faults = verifier.finish(head.try_get("seq")?, &head.try_get::<String, _>("hash")?);
        Ok(VerifyReport { checked, faults })
    }

    /// The newest entries of one local government, newest first.
    pub async fn audit_recent(&self, tenant: &str, limit: i64) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM audit_log WHERE tenant_code = $1 ORDER BY seq DESC LIMIT $2"
        ))
        .bind(tenant)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| entry_from_row(r).map(|e| e.entry))
            .collect()
    }

    /// How many entries the chain holds (the head's sequence number).
    pub async fn audit_total(&self) -> Result<i64> {
        let row = sqlx::query("SELECT seq FROM audit_head WHERE id = 1")
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get("seq")?)
    }

    /// Entries with a given action on a given target (tests and accountability views).
    pub async fn audit_count(&self, action: &str, target: &str) -> Result<i64> {
        let row =
            sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE action = $1 AND target = $2")
                .bind(action)
                .bind(target)
                .fetch_one(self.pool())
                .await?;
        Ok(row.try_get("n")?)
    }
}
