//! Housekeeping for throttling records, expired sessions and dead password reset links.

use crate::{Result, Store};

impl Store {
    /// Deletes login failures and password reset requests older than their windows, expired
    /// sessions, and password reset links that expired more than a day ago (the audit trail
    /// keeps what happened).
    pub async fn sweep(&self) -> Result<u64> {
        let since = renkei_domain::time::to_db_timestamp(
            self.now() - chrono::Duration::minutes(crate::users::FAILURE_WINDOW_MINUTES),
        );
        let now = self.now_ts();
        let mut tx = self.write().await?;
        let a = sqlx::query("DELETE FROM login_failures WHERE at <= $1")
            .bind(&since)
            .execute(&mut *tx.tx)
            .await?
            .rows_affected();
        let b = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(&now)
            .execute(&mut *tx.tx)
            .await?
            .rows_affected();
        // Unconfirmed intake drafts (their files go with them: ON DELETE CASCADE).
        let e = sqlx::query("DELETE FROM intake_drafts WHERE expires_at <= $1")
            .bind(&now)
            .execute(&mut *tx.tx)
            .await?
            .rows_affected();
        let requests_since = renkei_domain::time::to_db_timestamp(
            self.now() - chrono::Duration::minutes(crate::password_resets::REQUEST_WINDOW_MINUTES),
        );
        let c = sqlx::query("DELETE FROM password_reset_requests WHERE at <= $1")
            .bind(&requests_since)
            .execute(&mut *tx.tx)
            .await?
            .rows_affected();
        let links_before =
            renkei_domain::time::to_db_timestamp(self.now() - chrono::Duration::days(1));
        let d = sqlx::query("DELETE FROM password_resets WHERE expires_at <= $1")
            .bind(&links_before)
            .execute(&mut *tx.tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(a + b + c + d + e)
    }
}
