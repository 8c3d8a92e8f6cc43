//! Housekeeping for throttling records and expired sessions.

use crate::{Result, Store};

impl Store {
    /// Deletes login failures older than the window and expired sessions.
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
        let c = sqlx::query("DELETE FROM intake_drafts WHERE expires_at <= $1")
            .bind(&now)
            .execute(&mut *tx.tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(a + b + c)
    }
}
