//! The mail outbox. A message is written in the same transaction as the change it reports,
//! so it exists exactly when the change does; a worker sends it later and retries while the
//! mail server is unavailable.
//!
//! Several app servers may drain one outbox (PostgreSQL): a worker *claims* a message by
//! setting `claimed_until` (a lease) with a conditional `UPDATE … RETURNING`, so only one
//! server gets each row; a claim whose lease ran out (a server died mid-send) is taken again.
//! A sent message gets `sent_at`; a failed one `attempts + 1`, a short `last_error` and a
//! `next_attempt_at` with exponential back-off.

use crate::{Result, Store, WriteTx};
use renkei_domain::time::to_db_timestamp;
use sqlx::Row;

/// A mail to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    pub tenant_code: Option<String>,
    pub proposal_id: Option<i64>,
    /// What it is about: `receipt`, `status`, `message`, `routing`, `reminder`.
    pub kind: String,
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// The outbox's state (see [`Store::outbox_stats`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxStats {
    pub pending: i64,
    pub failing: i64,
    pub sent_24h: i64,
    /// When the oldest unsent message was queued (stored timestamp).
    pub oldest_pending: Option<String>,
}

/// A message that failed at least once and waits for its next try.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailingMail {
    pub id: i64,
    pub tenant_code: Option<String>,
    pub kind: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub next_attempt_at: String,
}

/// A message in the outbox, as the worker and the admin view see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedMail {
    pub id: i64,
    pub tenant_code: Option<String>,
    pub proposal_id: Option<i64>,
    pub kind: String,
    pub to: String,
    pub subject: String,
    pub body: String,
    /// Failed attempts so far.
    pub attempts: i64,
    pub last_error: Option<String>,
    pub sent_at: Option<String>,
}

/// The first retry waits this long; each further failure doubles it …
pub const RETRY_BASE_SECS: i64 = 30;
/// … up to this.
pub const RETRY_MAX_SECS: i64 = 3600;
/// `last_error` keeps at most this many characters.
pub const ERROR_MAX_CHARS: usize = 300;

/// The wait before the next attempt after `failed_before` earlier failures:
/// 30 s, 1 min, 2 min, … capped at 1 h.
pub fn retry_delay_secs(failed_before: i64) -> i64 {
    let exp = failed_before.clamp(0, 20) as u32;
    RETRY_BASE_SECS
        .saturating_mul(2_i64.saturating_pow(exp))
        .min(RETRY_MAX_SECS)
}

const COLUMNS: &str =
    "id, tenant_code, proposal_id, kind, to_addr, subject, body, attempts, last_error, sent_at";

fn mail_from_row(r: &sqlx::any::AnyRow) -> Result<QueuedMail> {
    Ok(QueuedMail {
        id: r.try_get("id")?,
        tenant_code: r.try_get("tenant_code")?,
        proposal_id: r.try_get("proposal_id")?,
        kind: r.try_get("kind")?,
        to: r.try_get("to_addr")?,
        subject: r.try_get("subject")?,
        body: r.try_get("body")?,
        attempts: r.try_get("attempts")?,
        last_error: r.try_get("last_error")?,
        sent_at: r.try_get("sent_at")?,
    })
}

/// One line, at most [`ERROR_MAX_CHARS`] characters.
fn short_error(error: &str) -> String {
    let one_line: String = error
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let trimmed = one_line.trim();
    if trimmed.chars().count() > ERROR_MAX_CHARS {
        let mut s: String = trimmed.chars().take(ERROR_MAX_CHARS - 1).collect();
        s.push('…');
        s
    } else {
        trimmed.to_string()
    }
}

impl WriteTx {
    /// Queues a mail inside this transaction.
    pub async fn enqueue_mail(&mut self, mail: &OutgoingMail) -> Result<()> {
        let now = self.now_ts();
        sqlx::query(
            "INSERT INTO outbox (tenant_code, proposal_id, kind, to_addr, subject, body, created_at, attempts, next_attempt_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $7)",
        )
        .bind(&mail.tenant_code)
        .bind(mail.proposal_id)
        .bind(&mail.kind)
        .bind(&mail.to)
        .bind(&mail.subject)
        .bind(&mail.body)
        .bind(&now)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }
}

impl Store {
    /// Claims up to `limit` unsent messages that are due and not leased to another worker
    /// (never claimed, or the lease ran out), leasing them for `lease_secs` seconds.
    ///
    /// Each row is taken with its own conditional `UPDATE … RETURNING`; when another app
    /// server got there first the update touches nothing and the row is skipped, so no two
    /// workers hold the same message at once. Send within the lease, then call
    /// [`Store::outbox_mark_sent`] or [`Store::outbox_mark_failed`].
    pub async fn outbox_claim(&self, limit: i64, lease_secs: i64) -> Result<Vec<QueuedMail>> {
        if limit <= 0 {
            return Ok(Vec::new());
        }
        let now_t = self.now();
        let now = to_db_timestamp(now_t);
        let until = to_db_timestamp(now_t + chrono::Duration::seconds(lease_secs.max(1)));
        // Look at a few more candidates than wanted: other servers may take some of them.
        let candidates = sqlx::query(
            "SELECT id FROM outbox \
             WHERE sent_at IS NULL AND next_attempt_at <= $1 \
               AND (claimed_until IS NULL OR claimed_until < $1) \
             ORDER BY next_attempt_at, id LIMIT $2",
        )
        .bind(&now)
        .bind(limit.saturating_mul(4))
        .fetch_all(self.pool())
        .await?;
        let claim_sql = format!(
            "UPDATE outbox SET claimed_until = $2 \
             WHERE id = $1 AND sent_at IS NULL AND next_attempt_at <= $3 \
               AND (claimed_until IS NULL OR claimed_until < $3) \
             RETURNING {COLUMNS}"
        );
        let mut claimed = Vec::new();
        for row in candidates {
            if claimed.len() as i64 >= limit {
                break;
            }
            let id: i64 = row.try_get("id")?;
            let mut tx = self.write().await?;
            let got = sqlx::query(&claim_sql)
                .bind(id)
                .bind(&until)
                .bind(&now)
                .fetch_optional(&mut *tx.tx)
                .await?;
            tx.commit().await?;
            if let Some(r) = got {
                claimed.push(mail_from_row(&r)?);
            }
        }
        Ok(claimed)
    }

    /// Records a successful delivery and releases the lease. A message already marked sent
    /// keeps its first `sent_at`.
    pub async fn outbox_mark_sent(&self, id: i64) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE outbox SET sent_at = $2, claimed_until = NULL, last_error = NULL \
             WHERE id = $1 AND sent_at IS NULL",
        )
        .bind(id)
        .bind(self.now_ts())
        .execute(&mut *tx.tx)
        .await?;
        tx.commit().await
    }

    /// Records a failed attempt: `attempts + 1`, the error (one line, shortened — pass no
    /// secrets), the lease released and the next attempt after an exponential back-off
    /// (30 s · 2^earlier failures, at most 1 h).
    pub async fn outbox_mark_failed(&self, id: i64, error: &str) -> Result<()> {
        let now_t = self.now();
        let mut tx = self.write().await?;
        let row = sqlx::query(
            "UPDATE outbox SET attempts = attempts + 1, last_error = $2, claimed_until = NULL \
             WHERE id = $1 AND sent_at IS NULL RETURNING attempts",
        )
        .bind(id)
        .bind(short_error(error))
        .fetch_optional(&mut *tx.tx)
        .await?;
        if let Some(row) = row {
            let attempts: i64 = row.try_get("attempts")?;
            let next = now_t + chrono::Duration::seconds(retry_delay_secs(attempts - 1));
            sqlx::query("UPDATE outbox SET next_attempt_at = $2 WHERE id = $1")
                .bind(id)
                .bind(to_db_timestamp(next))
                .execute(&mut *tx.tx)
                .await?;
        }
        tx.commit().await
    }

    /// Gives a claimed message back unsent (the worker ran out of time), so any worker may
    /// take it at once.
    pub async fn outbox_release(&self, id: i64) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("UPDATE outbox SET claimed_until = NULL WHERE id = $1 AND sent_at IS NULL")
            .bind(id)
            .execute(&mut *tx.tx)
            .await?;
        tx.commit().await
    }

    /// Makes every unsent message due now and drops leases: for operators after a mail
    /// outage ("retry now"), and for tests. Returns how many messages it touched.
    pub async fn outbox_make_due_now(&self) -> Result<u64> {
        let mut tx = self.write().await?;
        let done = sqlx::query(
            "UPDATE outbox SET next_attempt_at = $1, claimed_until = NULL WHERE sent_at IS NULL",
        )
        .bind(self.now_ts())
        .execute(&mut *tx.tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }

    /// How many messages are not sent yet (due or waiting for a retry).
    pub async fn outbox_pending(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL")
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get("n")?)
    }

    /// The outbox at a glance for the operator: waiting, failing (tried and not yet sent),
    /// sent in the last 24 hours, and when the oldest waiting message was queued.
    pub async fn outbox_stats(&self) -> Result<OutboxStats> {
        let since = renkei_domain::time::to_db_timestamp(self.now() - chrono::Duration::hours(24));
        let row = sqlx::query(
            "SELECT \
             (SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL) AS pending, \
             (SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND attempts > 0) AS failing, \
             (SELECT COUNT(*) FROM outbox WHERE sent_at >= $1) AS sent_24h, \
             (SELECT MIN(created_at) FROM outbox WHERE sent_at IS NULL) AS oldest_pending",
        )
        .bind(since)
        .fetch_one(self.pool())
        .await?;
        Ok(OutboxStats {
            pending: row.try_get("pending")?,
            failing: row.try_get("failing")?,
            sent_24h: row.try_get("sent_24h")?,
            oldest_pending: row.try_get("oldest_pending")?,
        })
    }

    /// Messages tried and not yet sent, most attempts first: what, for which local government,
    /// how often tried, the last error and the next try. No address, subject or body (the
    /// operator sees that mail is stuck, not what it says or to whom).
    pub async fn outbox_failing(&self, limit: i64) -> Result<Vec<FailingMail>> {
        let rows = sqlx::query(
            "SELECT id, tenant_code, kind, attempts, last_error, next_attempt_at FROM outbox \
             WHERE sent_at IS NULL AND attempts > 0 ORDER BY attempts DESC, id LIMIT $1",
        )
        .bind(limit.clamp(1, 200))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(FailingMail {
                    id: r.try_get("id")?,
                    tenant_code: r.try_get("tenant_code")?,
                    kind: r.try_get("kind")?,
                    attempts: r.try_get("attempts")?,
                    last_error: r.try_get("last_error")?,
                    next_attempt_at: r.try_get("next_attempt_at")?,
                })
            })
            .collect()
    }

    /// The newest `limit` messages, sent or not (tests and an admin view).
    pub async fn outbox_list(&self, limit: i64) -> Result<Vec<QueuedMail>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM outbox ORDER BY id DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(mail_from_row).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_and_caps() {
        assert_eq!(retry_delay_secs(0), 30);
        assert_eq!(retry_delay_secs(1), 60);
        assert_eq!(retry_delay_secs(5), 960);
        assert_eq!(retry_delay_secs(7), 3600);
        assert_eq!(retry_delay_secs(1000), 3600);
    }

    #[test]
    fn errors_are_one_short_line() {
        assert_eq!(short_error(" a\r\nb "), "a  b");
        let long = "あ".repeat(1000);
        let s = short_error(&long);
        assert_eq!(s.chars().count(), ERROR_MAX_CHARS);
        assert!(s.ends_with('…'));
    }
}
