//! API tokens (Bearer). Shown once at creation; stored as SHA-256; revocable.

use crate::sessions::{random_token, token_hash};
use crate::users::{User, user_from_row};
use crate::{Result, Store, StoreError, Who};
use sqlx::Row;

pub const TOKEN_PREFIX: &str = "rk_";

#[derive(Debug, Clone)]
pub struct TokenInfo {
    pub id: i64,
    pub label: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

impl Store {
    /// Creates a token for a user; returns its id and the secret (shown once).
    pub async fn token_create(
        &self,
        who: &Who,
        user_id: i64,
        label: &str,
    ) -> Result<(i64, String)> {
        let label = renkei_domain::text::TOKEN_LABEL.parse(label)?;
        let label = label.as_str();
        let user = self.user(user_id).await?;
        let secret = format!("{TOKEN_PREFIX}{}", random_token());
        let mut tx = self.write().await?;
        let row = sqlx::query(
            "INSERT INTO api_tokens (user_id, token_hash, label, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(user_id)
        .bind(token_hash(&secret))
        .bind(label)
        .bind(self.now_ts())
        .fetch_one(&mut *tx.tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        tx.audit(who.event(
            user.tenant_code.as_deref(),
            "token.create",
            format!("token:{id}"),
            serde_json::json!({ "user": user_id, "label": label }).to_string(),
        ))
        .await?;
        tx.commit().await?;
        Ok((id, secret))
    }

    pub async fn token_revoke(&self, who: &Who, token_id: i64) -> Result<()> {
        let mut tx = self.write().await?;
        let row = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING user_id",
        )
        .bind(token_id)
        .bind(self.now_ts())
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let user_id: i64 = row.try_get("user_id")?;
        let tenant = sqlx::query("SELECT tenant_code FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(&mut *tx.tx)
            .await?
            .try_get::<Option<String>, _>("tenant_code")?;
        tx.audit(who.event(
            tenant.as_deref(),
            "token.revoke",
            format!("token:{token_id}"),
            String::new(),
        ))
        .await?;
        tx.commit().await
    }

    pub async fn tokens_of(&self, user_id: i64) -> Result<Vec<TokenInfo>> {
        let rows = sqlx::query(
            "SELECT id, label, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id",
        )
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TokenInfo {
                    id: r.try_get("id")?,
                    label: r.try_get("label")?,
                    created_at: r.try_get("created_at")?,
                    last_used_at: r.try_get("last_used_at")?,
                    revoked_at: r.try_get("revoked_at")?,
                })
            })
            .collect()
    }

    /// The user behind a Bearer token, if it is live.
    pub async fn token_user(&self, secret: &str) -> Result<Option<User>> {
        if !secret.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        let row = sqlx::query(
            "SELECT u.id, u.tenant_code, u.role, u.email, u.display_name, u.disabled_at, u.created_at, u.lang \
             FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.disabled_at IS NULL",
        )
        .bind(token_hash(secret))
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(user_from_row).transpose()
    }
}
