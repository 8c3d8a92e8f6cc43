//! The append-only, hash-chained audit trail: one chain per local government (and one, `''`,
//! for entries that belong to none), so that appends in one desk never wait for another's.
//!
//! Reads of confidential content are recorded through [`Store::audit`], which hands the entry
//! to a per-process writer that appends everything waiting in one transaction (group commit):
//! the caller still gets its answer only after its entry is durably committed, but a burst of
//! reads shares one commit and one fsync, and takes only the row locks of the chains it
//! touches. Changes record their entry inside their own transaction ([`crate::WriteTx::audit`]).

use crate::{AuditEvent, Result, Store, StoreError, like_escape};
use renkei_domain::audit::{AuditEntry, ChainFault, ChainVerifier, GENESIS_HASH, StoredAuditEntry};
use sqlx::Row;
use std::collections::BTreeMap;
use tokio::sync::{mpsc, oneshot};

/// The chain an entry belongs to.
fn chain_of(event: &AuditEvent) -> &str {
    event.tenant_code.as_deref().unwrap_or("")
}

/// Appends inside the caller's transaction. The upsert takes the chain head's row lock
/// (PostgreSQL) so concurrent appends to one chain from several app servers stay one chain;
/// appends to other chains do not wait.
pub(crate) async fn append(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    event: AuditEvent,
    at: String,
) -> Result<()> {
    let chain = chain_of(&event).to_string();
    let head = sqlx::query(
        "INSERT INTO audit_heads (chain, seq, hash) VALUES ($1, 1, $2) \
         ON CONFLICT (chain) DO UPDATE SET seq = audit_heads.seq + 1 \
         RETURNING seq, hash",
    )
    .bind(&chain)
    .bind(GENESIS_HASH)
    .fetch_one(&mut **tx)
    .await?;
    let seq: i64 = head.try_get("seq")?;
    // On the first entry the head row was just created holding the genesis hash; otherwise it
    // still holds the previous entry's hash.
    let prev_hash: String = head.try_get("hash")?;
    let entry = event.into_entry(seq, at);
    let hash = entry.chain_hash(&prev_hash);
    sqlx::query(
        "INSERT INTO audit_log (chain, seq, at, tenant_code, actor_user_id, actor, action, target, detail, origin, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&chain)
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
    sqlx::query("UPDATE audit_heads SET hash = $1 WHERE chain = $2")
        .bind(&hash)
        .bind(&chain)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// One entry waiting for the group writer, with the way to tell its caller it is committed.
pub(crate) struct Pending {
    event: AuditEvent,
    at: String,
    done: oneshot::Sender<std::result::Result<(), String>>,
}

/// Most entries one group commit takes.
const GROUP_MAX: usize = 512;

/// The per-process group writer. Runs until every `Store` handle is gone.
pub(crate) fn spawn_group_writer(store: Store) -> mpsc::Sender<Pending> {
    let (sender, mut receiver) = mpsc::channel::<Pending>(4 * GROUP_MAX);
    tokio::spawn(async move {
        while let Some(first) = receiver.recv().await {
            let mut group = vec![first];
            while group.len() < GROUP_MAX {
                match receiver.try_recv() {
                    Ok(p) => group.push(p),
                    Err(_) => break,
                }
            }
            // Chains in one fixed order (and each chain's entries in arrival order), so two
            // app servers' writers never wait for each other's head rows in a cycle.
            group.sort_by(|a, b| chain_of(&a.event).cmp(chain_of(&b.event)));
            let outcome = write_group(&store, &mut group).await;
            if let Err(e) = &outcome {
                tracing::error!(error = %e, entries = group.len(), "audit group commit failed");
            }
            let outcome = outcome.map_err(|e| e.to_string());
            for p in group {
                let _ = p.done.send(outcome.clone());
            }
        }
    });
    sender
}

async fn write_group(store: &Store, group: &mut [Pending]) -> Result<()> {
    let mut tx = store.write().await?;
    for p in group.iter_mut() {
        let event = std::mem::take(&mut p.event);
        let at = std::mem::take(&mut p.at);
        append(&mut tx.tx, event, at).await?;
    }
    tx.commit().await
}

/// A fault and the chain it is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFault {
    /// The tenant code, or `""` for the chain of entries without one.
    pub chain: String,
    pub fault: ChainFault,
}

/// The result of `renkei audit verify`.
#[derive(Debug)]
pub struct VerifyReport {
    pub checked: u64,
    pub chains: u64,
    pub faults: Vec<AuditFault>,
}

impl VerifyReport {
    /// The faults alone (tests that look at one chain).
    pub fn chain_faults(&self) -> Vec<ChainFault> {
        self.faults.iter().map(|f| f.fault.clone()).collect()
    }
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

const COLUMNS: &str = "id, chain, seq, at, tenant_code, actor_user_id, actor, action, target, detail, origin, prev_hash, hash";

/// One entry as the audit page lists it: its place across chains and the entry.
#[derive(Debug, Clone)]
pub struct ListedAuditEntry {
    pub id: i64,
    pub entry: AuditEntry,
}

/// What the audit page filters by. Empty strings mean "any".
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// An action or its first part: `proposal` matches `proposal.read` and `proposal.route`.
    pub action: String,
    /// Part of the actor's name (an e-mail address, `cli`, `system`).
    pub actor: String,
    /// The target exactly, e.g. `proposal:12`.
    pub target: String,
    /// Stored timestamps from (inclusive) and to (exclusive), `2026-11-30T15:00:00.000Z`.
    pub from: Option<String>,
    pub until: Option<String>,
}

/// A page of entries, newest first, and where the next (older) page starts.
#[derive(Debug, Clone)]
pub struct AuditPage {
    pub entries: Vec<ListedAuditEntry>,
    pub older: Option<i64>,
}

/// Rows read per round trip while verifying: memory stays bounded whatever the trail's size.
const VERIFY_PAGE: i64 = 5000;

impl Store {
    /// Records an entry in a transaction shared with whatever else is waiting (reads of
    /// confidential data, sign-ins). Returns once the entry is durably committed.
    pub async fn audit(&self, event: AuditEvent) -> Result<()> {
        let at = self.now_ts();
        let (done, committed) = oneshot::channel();
        let writer = self.audit_writer();
        writer
            .send(Pending { event, at, done })
            .await
            .map_err(|_| StoreError::Internal("the audit writer has stopped".into()))?;
        committed
            .await
            .map_err(|_| StoreError::Internal("the audit writer has stopped".into()))?
            .map_err(|e| StoreError::Internal(format!("audit group commit: {e}")))
    }

    /// Every chain's length, by chain (a local government's code, `''` for entries that
    /// belong to none). Every change appends to its chain in its own transaction, so these
    /// move with every commit: the public answer cache (`renkei_web::public_cache`) polls
    /// them to learn what changed on any app server. One statement; a chain's head row is
    /// updated under its row lock, so a committed change is never behind a later one here.
    pub async fn audit_chain_lengths(&self) -> Result<std::collections::HashMap<String, i64>> {
        let rows = sqlx::query("SELECT chain, seq FROM audit_heads")
            .fetch_all(self.pool())
            .await?;
        let mut out = std::collections::HashMap::with_capacity(rows.len());
        for r in &rows {
            out.insert(
                r.try_get::<String, _>("chain")?,
                r.try_get::<i64, _>("seq")?,
            );
        }
        Ok(out)
    }

    /// Walks every chain (or one local government's) in pages, checking every link, then
    /// each chain's head. Memory stays bounded: one page of rows and the heads.
    pub async fn audit_verify(&self) -> Result<VerifyReport> {
        self.audit_verify_chains(None).await
    }

    /// Verifies the chain of one local government only.
    pub async fn audit_verify_tenant(&self, tenant: &str) -> Result<VerifyReport> {
        self.audit_verify_chains(Some(tenant)).await
    }

    async fn audit_verify_chains(&self, only: Option<&str>) -> Result<VerifyReport> {
        let heads_rows = match only {
            Some(chain) => {
                sqlx::query("SELECT chain, seq, hash FROM audit_heads WHERE chain = $1")
                    .bind(chain)
                    .fetch_all(self.pool())
                    .await?
            }
            None => {
                sqlx::query("SELECT chain, seq, hash FROM audit_heads")
                    .fetch_all(self.pool())
                    .await?
            }
        };
        let mut heads = BTreeMap::new();
        for r in &heads_rows {
            let chain: String = r.try_get("chain")?;
            heads.insert(
                chain,
                (r.try_get::<i64, _>("seq")?, r.try_get::<String, _>("hash")?),
            );
        }
        let mut report = VerifyReport {
            checked: 0,
            chains: 0,
            faults: Vec::new(),
        };
        let mut current: Option<(String, ChainVerifier)> = None;
        let finish = |chain: String,
                      verifier: ChainVerifier,
                      report: &mut VerifyReport,
                      heads: &mut BTreeMap<String, (i64, String)>| {
            report.chains += 1;
            report.checked += verifier.checked;
            let (head_seq, head_hash) = heads
                .remove(&chain)
                .unwrap_or((0, GENESIS_HASH.to_string()));
            for fault in verifier.finish(head_seq, &head_hash) {
                report.faults.push(AuditFault {
                    chain: chain.clone(),
                    fault,
                });
            }
        };
        let (mut after_chain, mut after_seq) = (only.map(str::to_string).unwrap_or_default(), 0i64);
        let mut first_page = only.is_none();
        loop {
            let rows = match (only, first_page) {
                (None, true) => {
                    sqlx::query(&format!(
                        "SELECT {COLUMNS} FROM audit_log ORDER BY chain, seq LIMIT $1"
                    ))
                    .bind(VERIFY_PAGE)
                    .fetch_all(self.pool())
                    .await?
                }
                (None, false) => {
                    sqlx::query(&format!(
                        "SELECT {COLUMNS} FROM audit_log WHERE (chain, seq) > ($1, $2) ORDER BY chain, seq LIMIT $3"
                    ))
                    .bind(&after_chain)
                    .bind(after_seq)
                    .bind(VERIFY_PAGE)
                    .fetch_all(self.pool())
                    .await?
                }
                (Some(chain), _) => {
                    sqlx::query(&format!(
                        "SELECT {COLUMNS} FROM audit_log WHERE chain = $1 AND seq > $2 ORDER BY seq LIMIT $3"
                    ))
                    .bind(chain)
                    .bind(after_seq)
                    .bind(VERIFY_PAGE)
                    .fetch_all(self.pool())
                    .await?
                }
            };
            first_page = false;
            for r in &rows {
                let chain: String = r.try_get("chain")?;
                let e = entry_from_row(r)?;
                let same = matches!(&current, Some((c, _)) if *c == chain);
                if !same {
                    if let Some((c, v)) = current.take() {
                        finish(c, v, &mut report, &mut heads);
                    }
                    current = Some((chain.clone(), ChainVerifier::default()));
                }
                if let Some((_, v)) = current.as_mut() {
                    v.push(&e);
                }
                after_seq = e.entry.seq;
                after_chain = chain;
            }
            if (rows.len() as i64) < VERIFY_PAGE {
                break;
            }
        }
        if let Some((c, v)) = current.take() {
            finish(c, v, &mut report, &mut heads);
        }
        // Heads whose chain has no entries at all: every entry of that chain was deleted.
        for (chain, (seq, hash)) in std::mem::take(&mut heads) {
            if seq > 0 {
                let verifier = ChainVerifier::default();
                report.chains += 1;
                for fault in verifier.finish(seq, &hash) {
                    report.faults.push(AuditFault {
                        chain: chain.clone(),
                        fault,
                    });
                }
            }
        }
        Ok(report)
    }

    /// The newest entries of one local government, newest first.
    pub async fn audit_recent(&self, tenant: &str, limit: i64) -> Result<Vec<AuditEntry>> {
        Ok(self
            .audit_page(tenant, &AuditFilter::default(), None, limit)
            .await?
            .entries
            .into_iter()
            .map(|e| e.entry)
            .collect())
    }

    /// One page of a local government's entries, newest first, filtered; `before` is the
    /// `older` of the previous page. Keyset pagination: page 50 costs what page 1 costs.
    pub async fn audit_page(
        &self,
        tenant: &str,
        filter: &AuditFilter,
        before: Option<i64>,
        limit: i64,
    ) -> Result<AuditPage> {
        let limit = limit.clamp(1, 500);
        let mut sql = format!("SELECT {COLUMNS} FROM audit_log WHERE tenant_code = $1 AND id < $2");
        let mut n = 2;
        let mut binds: Vec<String> = Vec::new();
        let action = filter.action.trim();
        if !action.is_empty() {
            n += 2;
            sql.push_str(&format!(
                " AND (action = ${} OR action LIKE ${} ESCAPE '\\')",
                n - 1,
                n
            ));
            binds.push(action.to_string());
            binds.push(format!("{}.%", like_escape(action)));
        }
        let actor = filter.actor.trim();
        if !actor.is_empty() {
            n += 1;
            sql.push_str(&format!(" AND actor LIKE ${n} ESCAPE '\\'"));
            binds.push(format!("%{}%", like_escape(actor)));
        }
        let target = filter.target.trim();
        if !target.is_empty() {
            n += 1;
            sql.push_str(&format!(" AND target = ${n}"));
            binds.push(target.to_string());
        }
        if let Some(from) = &filter.from {
            n += 1;
            sql.push_str(&format!(" AND at >= ${n}"));
            binds.push(from.clone());
        }
        if let Some(until) = &filter.until {
            n += 1;
            sql.push_str(&format!(" AND at < ${n}"));
            binds.push(until.clone());
        }
        n += 1;
        sql.push_str(&format!(" ORDER BY id DESC LIMIT ${n}"));
        let mut query = sqlx::query(&sql)
            .bind(tenant)
            .bind(before.unwrap_or(i64::MAX));
        for b in &binds {
            query = query.bind(b);
        }
        let rows = query.bind(limit + 1).fetch_all(self.pool()).await?;
        let mut entries = Vec::with_capacity(rows.len());
        for r in rows.iter().take(limit as usize) {
            entries.push(ListedAuditEntry {
                id: r.try_get("id")?,
                entry: entry_from_row(r)?.entry,
            });
        }
        let older = if rows.len() as i64 > limit {
            entries.last().map(|e| e.id)
        } else {
            None
        };
        Ok(AuditPage { entries, older })
    }

    /// How many entries the trail holds (the sum of the chains' heads).
    pub async fn audit_total(&self) -> Result<i64> {
        let row = sqlx::query("SELECT CAST(COALESCE(SUM(seq), 0) AS BIGINT) AS n FROM audit_heads")
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get("n")?)
    }

    /// Entries with a given action on a given target (tests and accountability views).
    pub async fn audit_count(&self, action: &str, target: &str) -> Result<i64> {
        let row =
            sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE target = $1 AND action = $2")
                .bind(target)
                .bind(action)
                .fetch_one(self.pool())
                .await?;
        Ok(row.try_get("n")?)
    }
}
