//! Password reset by a mailed single-use link (「パスワードをお忘れの方」), for every kind of
//! account.
//!
//! - [`Store::password_reset_request`]: someone types an address. Whether or not an active
//!   account has it, the request is recorded (the SHA-256 of the address and the client
//!   address, `password_reset_requests`) and counted inside its own write transaction, after
//!   taking the address's and the client's locks ([`WriteTx::lock`]), so parallel requests
//!   cannot slip past the limits ([`MAX_REQUESTS_PER_EMAIL`], [`MAX_REQUESTS_PER_IP`] per
//!   [`REQUEST_WINDOW_MINUTES`]). For an active account a random 256-bit token is made (only
//!   its SHA-256 is stored, [`RESET_TOKEN_MINUTES`] to live, older unused ones ended) and the
//!   mail that carries it is queued in the same transaction ([`DomainEvent::PasswordReset`]).
//!   The caller learns what happened ([`ResetRequest`]) but must answer every case alike.
//! - [`Store::password_reset_send`]: the same mail, sent by the tenant's administrator
//!   (audited with the administrator as actor; not throttled, never shows a password).
//! - [`Store::password_reset_complete`]: the token is claimed with one conditional
//!   `UPDATE … RETURNING` (so it works once, even under concurrent use, and only before it
//!   expires by the store's clock), the new Argon2id hash is set, every session of the account
//!   ends, its sign-in failures are cleared, the change is audited and the account is told by
//!   mail, all in one transaction. A used, expired or unknown token writes nothing.

use crate::events::{DomainEvent, Mailer, Recipient};
use crate::sessions::{random_token, token_hash};
use crate::tenants::Tenant;
use crate::users::{User, hash_password, user_from_row};
use crate::{Result, Store, StoreError, Who, WriteTx};
use chrono::{DateTime, Duration, Utc};
use renkei_domain::Password;
use renkei_domain::time::to_db_timestamp;
use sqlx::Row;

/// A mailed reset link works for this long.
pub const RESET_TOKEN_MINUTES: i64 = 60;
/// Requests let through per address (known or not) within the window …
pub const MAX_REQUESTS_PER_EMAIL: i64 = 3;
/// … and per client address.
pub const MAX_REQUESTS_PER_IP: i64 = 10;
pub const REQUEST_WINDOW_MINUTES: i64 = 60;

/// What a reset request did. Pages answer every case with the same words and status (no
/// one learns whether an address has an account); tests and logs may tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetRequest {
    /// An active account has the address: the link was mailed.
    Mailed,
    /// No active account has the address: recorded for the throttle, nothing mailed.
    NoAccount,
    /// Over a limit: nothing recorded, nothing mailed.
    Throttled,
}

/// A reset link, once made: what its mail needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetLink {
    /// The token for the link (in the mail only; only its hash is kept).
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// Why a reset link cannot be used (message keys).
pub const ERROR_INVALID: &str = "error-reset-invalid";
pub const ERROR_USED: &str = "error-reset-used";
pub const ERROR_EXPIRED: &str = "error-reset-expired";

/// The SHA-256 of a normalised address, as the throttle keeps it.
fn email_key(email: &str) -> String {
    token_hash(&email.trim().to_lowercase())
}

const USER_COLUMNS: &str =
    "u.id, u.tenant_code, u.role, u.email, u.display_name, u.disabled_at, u.created_at, u.lang";

impl WriteTx {
    /// Makes a reset link for `user` (ending its older unused ones), queues its mail and
    /// appends the audit entry, inside this transaction.
    async fn issue_reset(
        &mut self,
        user: &User,
        ip: &str,
        who: &Who,
        mailer: &dyn Mailer,
    ) -> Result<ResetLink> {
        let now = self.now();
        let now_ts = to_db_timestamp(now);
        // Only the newest link works.
        sqlx::query(
            "UPDATE password_resets SET expires_at = $2 \
             WHERE user_id = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(user.id)
        .bind(&now_ts)
        .execute(&mut *self.tx)
        .await?;
        let link = ResetLink {
            token: random_token(),
            expires_at: now + Duration::minutes(RESET_TOKEN_MINUTES),
        };
        let id: i64 = sqlx::query(
            "INSERT INTO password_resets (user_id, token_hash, created_at, expires_at, ip) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(user.id)
        .bind(token_hash(&link.token))
        .bind(&now_ts)
        .bind(to_db_timestamp(link.expires_at))
        .bind(ip)
        .fetch_one(&mut *self.tx)
        .await?
        .try_get("id")?;
        let tenant = self.tenant_of(user).await?;
        self.emit(
            mailer,
            &DomainEvent::PasswordReset {
                tenant: tenant.as_ref(),
                account_name: &user.display_name,
                to: &Recipient::new(user.email.clone(), user.lang),
                link: &link,
            },
        )
        .await?;
        self.audit(who.event(
            user.tenant_code.as_deref(),
            "user.password_reset_request",
            format!("user:{}", user.id),
            serde_json::json!({
                "reset": id,
                "expires_at": to_db_timestamp(link.expires_at),
                "by": if who.user_id.is_some_and(|id| id != user.id) { "admin" } else { "self" },
            })
            .to_string(),
        ))
        .await?;
        Ok(link)
    }

    /// The local government of an account (none for the operator).
    async fn tenant_of(&mut self, user: &User) -> Result<Option<Tenant>> {
        match &user.tenant_code {
            Some(code) => Ok(Some(crate::tenants::tenant_in(&mut self.tx, code).await?)),
            None => Ok(None),
        }
    }

    /// Why a token that could not be claimed cannot be used.
    async fn reset_refusal(&mut self, hash: &str) -> Result<StoreError> {
        let row = sqlx::query(
            "SELECT r.used_at, r.expires_at, u.disabled_at FROM password_resets r \
             JOIN users u ON u.id = r.user_id WHERE r.token_hash = $1",
        )
        .bind(hash)
        .fetch_optional(&mut *self.tx)
        .await?;
        let key = match row {
            None => ERROR_INVALID,
            Some(r) if r.try_get::<Option<String>, _>("disabled_at")?.is_some() => ERROR_INVALID,
            Some(r) if r.try_get::<Option<String>, _>("used_at")?.is_some() => ERROR_USED,
            Some(r) if r.try_get::<String, _>("expires_at")? <= self.now_ts() => ERROR_EXPIRED,
            Some(_) => ERROR_INVALID,
        };
        Ok(StoreError::conflict("token", key))
    }
}

impl Store {
    /// Someone asks for a reset link for `email` from `ip`. See the module's description: the
    /// request is recorded and counted whatever the address, a link is mailed only to an
    /// active account, and over a limit nothing is written at all.
    pub async fn password_reset_request(
        &self,
        email: &str,
        ip: &str,
        mailer: &dyn Mailer,
    ) -> Result<ResetRequest> {
        let email = email.trim().to_lowercase();
        let key = email_key(&email);
        let mut tx = self.write().await?;
        // Always the address first, then the client: no two requests wait on each other.
        tx.lock(&format!("reset-email:{key}")).await?;
        tx.lock(&format!("reset-ip:{ip}")).await?;
        let now = tx.now_ts();
        let since = to_db_timestamp(tx.now() - Duration::minutes(REQUEST_WINDOW_MINUTES));
        // The insert comes first: on SQLite it takes the write lock before anything is read.
        sqlx::query("INSERT INTO password_reset_requests (email_hash, ip, at) VALUES ($1, $2, $3)")
            .bind(&key)
            .bind(ip)
            .bind(&now)
            .execute(&mut *tx.tx)
            .await?;
        let counts = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM password_reset_requests WHERE email_hash = $1 AND at > $3) AS by_email, \
                    (SELECT COUNT(*) FROM password_reset_requests WHERE ip = $2 AND at > $3) AS by_ip",
        )
        .bind(&key)
        .bind(ip)
        .bind(&since)
        .fetch_one(&mut *tx.tx)
        .await?;
        if counts.try_get::<i64, _>("by_email")? > MAX_REQUESTS_PER_EMAIL
            || counts.try_get::<i64, _>("by_ip")? > MAX_REQUESTS_PER_IP
        {
            // Dropping the transaction rolls the request back: a refusal records nothing.
            return Ok(ResetRequest::Throttled);
        }
        let found = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.email = $1 AND u.disabled_at IS NULL"
        ))
        .bind(&email)
        .fetch_optional(&mut *tx.tx)
        .await?;
        let outcome = match found {
            Some(row) => {
                let user = user_from_row(&row)?;
                let who = Who {
                    user_id: None,
                    label: "anonymous".into(),
                    origin: ip.to_string(),
                };
                tx.issue_reset(&user, ip, &who, mailer).await?;
                ResetRequest::Mailed
            }
            None => ResetRequest::NoAccount,
        };
        tx.commit().await?;
        Ok(outcome)
    }

    /// The tenant's administrator (or the operator) has the reset mail sent to an active
    /// account of `tenant`: the same link and mail as a request, audited with `who` as actor.
    /// `NotFound` for an account of another tenant; a deactivated account is refused.
    pub async fn password_reset_send(
        &self,
        who: &Who,
        tenant: &Tenant,
        user_id: i64,
        mailer: &dyn Mailer,
    ) -> Result<User> {
        let mut tx = self.write().await?;
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1 AND u.tenant_code = $2"
        ))
        .bind(user_id)
        .bind(&tenant.code)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let user = user_from_row(&row)?;
        if user.disabled {
            return Err(StoreError::conflict("user", "error-reset-disabled"));
        }
        tx.issue_reset(&user, &who.origin, who, mailer).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Whether a reset link can be used now (reads only): the account it is for, or the
    /// refusal (`Conflict` with [`ERROR_INVALID`], [`ERROR_USED`] or [`ERROR_EXPIRED`]).
    pub async fn password_reset_check(&self, token: &str) -> Result<User> {
        let hash = token_hash(token.trim());
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, r.used_at AS reset_used_at, r.expires_at AS reset_expires_at \
             FROM password_resets r JOIN users u ON u.id = r.user_id WHERE r.token_hash = $1"
        ))
        .bind(&hash)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::conflict("token", ERROR_INVALID))?;
        let user = user_from_row(&row)?;
        if user.disabled {
            return Err(StoreError::conflict("token", ERROR_INVALID));
        }
        if row.try_get::<Option<String>, _>("reset_used_at")?.is_some() {
            return Err(StoreError::conflict("token", ERROR_USED));
        }
        if row.try_get::<String, _>("reset_expires_at")? <= self.now_ts() {
            return Err(StoreError::conflict("token", ERROR_EXPIRED));
        }
        Ok(user)
    }

    /// Uses a reset link: once, before it expires, for an active account. Sets the new
    /// password, ends every session of the account, clears its sign-in failures, ends its other
    /// links, audits `user.password_reset` and mails the account that its password changed,
    /// in one transaction. A link that cannot be used is refused (see
    /// [`Store::password_reset_check`]) and nothing is written.
    pub async fn password_reset_complete(
        &self,
        token: &str,
        password: &Password,
        ip: &str,
        mailer: &dyn Mailer,
    ) -> Result<User> {
        // Refuse a dead link before paying for a hash; the claim below decides.
        self.password_reset_check(token).await?;
        let hash = hash_password(password).await?;
        let token_h = token_hash(token.trim());
        let mut tx = self.write().await?;
        let now = tx.now_ts();
        let claimed = sqlx::query(
            "UPDATE password_resets SET used_at = $2 \
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING user_id",
        )
        .bind(&token_h)
        .bind(&now)
        .fetch_optional(&mut *tx.tx)
        .await?;
        let Some(claimed) = claimed else {
            return Err(tx.reset_refusal(&token_h).await?);
        };
        let user_id: i64 = claimed.try_get("user_id")?;
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1 AND u.disabled_at IS NULL"
        ))
        .bind(user_id)
        .fetch_optional(&mut *tx.tx)
        .await?;
        let Some(row) = row else {
            // Deactivated since the link was sent: the claim rolls back with the rest.
            return Err(StoreError::conflict("token", ERROR_INVALID));
        };
        let user = user_from_row(&row)?;
        sqlx::query("UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1")
            .bind(user_id)
            .bind(&hash)
            .bind(&now)
            .execute(&mut *tx.tx)
            .await?;
        sqlx::query(
            "UPDATE password_resets SET expires_at = $2 \
             WHERE user_id = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(user_id)
        .bind(&now)
        .execute(&mut *tx.tx)
        .await?;
        let sessions = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx.tx)
            .await?
            .rows_affected();
        sqlx::query("DELETE FROM login_failures WHERE email = $1")
            .bind(&user.email)
            .execute(&mut *tx.tx)
            .await?;
        let who = Who {
            user_id: Some(user.id),
            label: user.email.clone(),
            origin: ip.to_string(),
        };
        tx.audit(who.event(
            user.tenant_code.as_deref(),
            "user.password_reset",
            format!("user:{}", user.id),
            serde_json::json!({ "sessions_ended": sessions }).to_string(),
        ))
        .await?;
        let tenant = tx.tenant_of(&user).await?;
        let at = tx.now();
        tx.emit(
            mailer,
            &DomainEvent::PasswordChanged {
                tenant: tenant.as_ref(),
                account_name: &user.display_name,
                to: &Recipient::new(user.email.clone(), user.lang),
                at,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(user)
    }
}
