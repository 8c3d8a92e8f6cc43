//! The intake's 確認画面: a checked submission kept as a draft until the proponent confirms
//! it. The token is random and only its SHA-256 is stored; confirming deletes the draft inside
//! the proposal's own transaction (`submit_in`), so a draft becomes at most one proposal, and
//! a draft is readable only for [`DRAFT_HOURS`] hours.

use super::*;

/// How long a draft waits for its confirmation.
pub const DRAFT_HOURS: i64 = 2;

/// A draft as stored: the form as typed (JSON written by the application layer) and the
/// attachments already checked.
#[derive(Debug, Clone)]
pub struct Draft {
    pub input: String,
    pub files: Vec<NewAttachment>,
    pub expires_at: DateTime<Utc>,
}

impl Store {
    /// Keeps a checked submission until it is confirmed and returns its token. `replaces`: the
    /// token of the draft being corrected, deleted in the same transaction. At most
    /// `per_hour` drafts from one address in an hour (0: no limit), counted inside this
    /// transaction with concurrent ones taking turns; over it, [`StoreError::RateLimited`] and
    /// nothing written.
    pub async fn intake_draft_save(
        &self,
        tenant: TenantCode,
        input: &str,
        files: &[NewAttachment],
        replaces: Option<&str>,
        ip: &str,
        per_hour: i64,
    ) -> Result<String> {
        let mut tx = self.write().await?;
        let now = tx.now();
        if per_hour > 0 {
            tx.lock(&format!("intake-draft-address:{ip}")).await?;
            let since = renkei_domain::time::to_db_timestamp(now - chrono::Duration::hours(1));
            let n: i64 = sqlx::query(
                "SELECT COUNT(*) AS n FROM intake_drafts WHERE ip = $1 AND created_at > $2",
            )
            .bind(ip)
            .bind(&since)
            .fetch_one(&mut *tx.tx)
            .await?
            .try_get("n")?;
            if n >= per_hour {
                return Err(StoreError::RateLimited);
            }
        }
        if let Some(old) = replaces {
            sqlx::query("DELETE FROM intake_drafts WHERE token_hash = $1 AND tenant_code = $2")
                .bind(token_hash(old))
                .bind(tenant.to_string())
                .execute(&mut *tx.tx)
                .await?;
        }
        let token = random_token();
        let id: i64 = sqlx::query(
            "INSERT INTO intake_drafts (token_hash, tenant_code, input, ip, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(token_hash(&token))
        .bind(tenant.to_string())
        .bind(input)
        .bind(ip)
        .bind(tx.now_ts())
        .bind(renkei_domain::time::to_db_timestamp(
            now + chrono::Duration::hours(DRAFT_HOURS),
        ))
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("id")?;
        for (position, f) in (0_i64..).zip(files) {
            sqlx::query(
                "INSERT INTO intake_draft_files (draft_id, position, filename, content_type, data) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(position)
            .bind(&f.filename)
            .bind(&f.content_type)
            .bind(&f.data)
            .execute(&mut *tx.tx)
            .await?;
        }
        tx.commit().await?;
        Ok(token)
    }

    /// The draft under this token at this local government, unless it expired or was
    /// confirmed already.
    pub async fn intake_draft(&self, tenant: TenantCode, token: &str) -> Result<Option<Draft>> {
        let Some(row) = sqlx::query(
            "SELECT id, input, expires_at FROM intake_drafts \
             WHERE token_hash = $1 AND tenant_code = $2 AND expires_at > $3",
        )
        .bind(token_hash(token))
        .bind(tenant.to_string())
        .bind(self.now_ts())
        .fetch_optional(self.pool())
        .await?
        else {
            return Ok(None);
        };
        let id: i64 = row.try_get("id")?;
        let files = sqlx::query(
            "SELECT filename, content_type, data FROM intake_draft_files WHERE draft_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(NewAttachment {
                filename: r.try_get("filename")?,
                content_type: r.try_get("content_type")?,
                data: r.try_get("data")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        Ok(Some(Draft {
            input: row.try_get("input")?,
            files,
            expires_at: rows::instant(&row, "intake_drafts", "expires_at")?,
        }))
    }
}

impl WriteTx {
    /// Claims a draft for the submission being written in this transaction: deleted here, or
    /// refused (`error-draft-gone`) when it was confirmed already or expired.
    pub(crate) async fn claim_draft(&mut self, tenant: TenantCode, token: &str) -> Result<()> {
        let claimed = sqlx::query(
            "DELETE FROM intake_drafts WHERE token_hash = $1 AND tenant_code = $2 AND expires_at > $3",
        )
        .bind(token_hash(token))
        .bind(tenant.to_string())
        .bind(self.now_ts())
        .execute(&mut *self.tx)
        .await?
        .rows_affected();
        if claimed == 1 {
            Ok(())
        } else {
            Err(StoreError::conflict("form", "error-draft-gone"))
        }
    }
}
