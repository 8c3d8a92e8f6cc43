//! Sign-in sessions, kept in the database so that every app server sees the same ones.
//! The cookie holds a random token; the table holds only its SHA-256.

use crate::tenants::{self, Tenant};
use crate::users::{User, user_from_row};
use crate::{Result, Store};
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::Row;

pub const SESSION_HOURS: i64 = 12;

/// A random URL-safe token with 256 bits of entropy.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf_token: String,
    /// The departments the user is a member of, by id, ascending.
    pub departments: Vec<i64>,
}

impl Store {
    /// Starts a session; returns the cookie token (shown once, never stored).
    pub async fn session_create(&self, user_id: i64, ip: &str, user_agent: &str) -> Result<String> {
        let token = random_token();
        let now = self.now();
        let expires = now + chrono::Duration::hours(SESSION_HOURS);
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, ip, user_agent) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(token_hash(&token))
        .bind(user_id)
        .bind(random_token())
        .bind(renkei_domain::time::to_db_timestamp(now))
        .bind(renkei_domain::time::to_db_timestamp(expires))
        .bind(ip)
        .bind(user_agent.chars().take(300).collect::<String>())
        .execute(&mut *tx.tx)
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The live session for a cookie token, if any (expired sessions and disabled users: none),
    /// with the user's departments.
    pub async fn session_get(&self, token: &str) -> Result<Option<Session>> {
        let rows = sqlx::query(
            "SELECT u.id, u.tenant_code, u.role, u.email, u.display_name, u.disabled_at, u.created_at, u.lang, s.csrf_token, \
             dm.department_id \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             LEFT JOIN department_members dm ON dm.user_id = u.id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled_at IS NULL \
             ORDER BY dm.department_id",
        )
        .bind(token_hash(token))
        .bind(self.now_ts())
        .fetch_all(self.pool())
        .await?;
        session_from_rows(&rows)
    }

    /// [`Store::session_get`] and [`Store::tenant_versioned`] for `code` in ONE statement:
    /// what a signed-in request to `/t/{code}/…` needs before its handler reads anything (the
    /// web layer's `Ctx` extractor keeps the tenant for `auth::tenant_access`). The tenant and
    /// its data version are read with the same columns and version expression as
    /// `tenant_versioned`, in the same statement (one snapshot) as the session. Each half is
    /// answered on its own: no live session still gives the tenant, an unknown code still gives
    /// the session.
    pub async fn session_get_with_tenant(
        &self,
        token: &str,
        code: &str,
    ) -> Result<(Option<Session>, Option<(Tenant, i64)>)> {
        let tenant_columns = tenants::COLUMNS
            .split(", ")
            .map(|c| format!("t.{c} AS {c}"))
            .collect::<Vec<_>>()
            .join(", ");
        // One row always (the one-row `q`), one per department when the user has several;
        // every outer join's condition names its parameter, so each half stays an index
        // lookup (`tenants`' and `sessions`' primary keys, `department_members_user`).
        let rows = sqlx::query(&format!(
            "SELECT {tenant_columns}, {version} AS version, \
             u.id, u.tenant_code, u.role, u.email, u.display_name, u.disabled_at, u.created_at, u.lang, s.csrf_token, \
             dm.department_id \
             FROM (SELECT 1 AS one) q \
             LEFT JOIN tenants t ON t.code = $3 \
             LEFT JOIN sessions s ON s.token_hash = $1 AND s.expires_at > $2 \
             LEFT JOIN users u ON u.id = s.user_id AND u.disabled_at IS NULL \
             LEFT JOIN department_members dm ON dm.user_id = u.id \
             ORDER BY dm.department_id",
            version = tenants::version_of("t.code"),
        ))
        .bind(token_hash(token))
        .bind(self.now_ts())
        .bind(code)
        .fetch_all(self.pool())
        .await?;
        let session = session_from_rows(&rows)?;
        let tenant = match rows.first() {
            Some(r) if r.try_get::<Option<String>, _>("code")?.is_some() => {
                Some((tenants::tenant_from_row(r)?, r.try_get("version")?))
            }
            _ => None,
        };
        Ok((session, tenant))
    }

    pub async fn session_delete(&self, token: &str) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash(token))
            .execute(&mut *tx.tx)
            .await?;
        tx.commit().await
    }
}

/// A session from the rows of [`Store::session_get`] or [`Store::session_get_with_tenant`]:
/// one row per department the user belongs to (one row with none when in none), so the
/// session and the departments the policy needs come in one statement, on every signed-in
/// page. No row, or a row without a user (`id` NULL, the outer join's), is no session.
fn session_from_rows(rows: &[sqlx::any::AnyRow]) -> Result<Option<Session>> {
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    if first.try_get::<Option<i64>, _>("id")?.is_none() {
        return Ok(None);
    }
    let mut departments = Vec::with_capacity(rows.len());
    for r in rows {
        if let Some(d) = r.try_get::<Option<i64>, _>("department_id")? {
            departments.push(d);
        }
    }
    Ok(Some(Session {
        user: user_from_row(first)?,
        csrf_token: first.try_get("csrf_token")?,
        departments,
    }))
}
