//! The mail outbox. A message is written in the same transaction as the change it reports,
//! so it exists exactly when the change does; a worker sends it later and retries while the
//! mail server is unavailable.

use crate::{Result, WriteTx};

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

impl WriteTx {
    /// Queues a mail inside this transaction.
    pub async fn enqueue_mail(&mut self, mail: &OutgoingMail) -> Result<()> {
        let now = crate::now();
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
