//! Which proponent account a proposal belongs to.
//!
//! Whoever holds a proposal's private tracking link (mailed to the proposal's address at
//! intake) is its proponent, and so is the account that sent it while signed in
//! (`proponent_user_id` from the start). Any other proponent account gets a proposal only
//! after proving that it owns it, never because its e-mail address matches:
//!
//! - from the tracking link, signed in: [`Store::proposal_claim`] (「このアカウントに追加」);
//! - by a confirmation mailed to the address: [`Store::proposal_link_request`] mails a
//!   one-time token (only its SHA-256 is stored; it expires after [`LINK_TOKEN_HOURS`] hours
//!   and a newer request replaces it) to the account's address, and
//!   [`Store::proposal_link_confirm`], called by that same account, links the proposals sent
//!   from that address that no account owns yet.
//!
//! Every step is audited and every proposal linked gets a timeline entry.

use crate::events::{DomainEvent, Mailer};
use crate::proposals::{Proposal, columns, event_note_json, proposal_from_row};
use crate::sessions::{random_token, token_hash};
use crate::{Result, Store, StoreError, Who, WriteTx};
use chrono::{DateTime, Duration, Utc};
use renkei_domain::TenantCode;
use renkei_domain::time::to_db_timestamp;
use sqlx::Row;

/// A mailed confirmation link works for this long.
pub const LINK_TOKEN_HOURS: i64 = 24;
/// An account may ask for a confirmation mail at most once in this many minutes.
pub const LINK_REQUEST_INTERVAL_MINUTES: i64 = 10;

/// What a claim from the tracking link did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    Claimed,
    AlreadyYours,
}

/// A mailed confirmation, once asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRequest {
    /// The token for the link (shown once, in the mail; only its hash is kept).
    pub token: String,
    pub email: String,
    pub expires_at: DateTime<Utc>,
}

/// A usable confirmation link and what it would link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkOffer {
    pub email: String,
    pub expires_at: String,
    /// Proposals sent from the address that no account owns yet (possibly none).
    pub proposals: Vec<Proposal>,
}

struct TokenRow {
    id: i64,
    email: String,
    expires_at: String,
}

impl WriteTx {
    /// The e-mail address of an active proponent account of this tenant; `NotFound` for any
    /// other account (staff, another tenant's, disabled).
    async fn proponent_email(&mut self, tenant: &str, user_id: i64) -> Result<String> {
        let row = sqlx::query(
            "SELECT email FROM users WHERE id = $1 AND tenant_code = $2 AND role = 'proponent' \
             AND disabled_at IS NULL",
        )
        .bind(user_id)
        .bind(tenant)
        .fetch_optional(&mut *self.tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok(row.try_get("email")?)
    }

    /// The token row if this account may use it now; otherwise the message key why not.
    /// A token of another account or tenant is simply invalid (and stays usable by its owner).
    async fn usable_token(
        &mut self,
        tenant: &str,
        token: &str,
        user_id: i64,
        email: &str,
    ) -> Result<TokenRow> {
        let row = sqlx::query(
            "SELECT id, tenant_code, user_id, email, expires_at, used_at FROM proposal_link_tokens \
             WHERE token_hash = $1",
        )
        .bind(token_hash(token.trim()))
        .fetch_optional(&mut *self.tx)
        .await?;
        let invalid = || StoreError::conflict("link", "error-link-invalid");
        let row = row.ok_or_else(invalid)?;
        let owner: i64 = row.try_get("user_id")?;
        let row_tenant: String = row.try_get("tenant_code")?;
        let row_email: String = row.try_get("email")?;
        if owner != user_id || row_tenant != tenant || row_email != email {
            return Err(invalid());
        }
        if row.try_get::<Option<String>, _>("used_at")?.is_some() {
            return Err(StoreError::conflict("link", "error-link-used"));
        }
        let expires: String = row.try_get("expires_at")?;
        if expires <= self.now_ts() {
            return Err(StoreError::conflict("link", "error-link-expired"));
        }
        Ok(TokenRow {
            id: row.try_get("id")?,
            email: row_email,
            expires_at: expires,
        })
    }

    /// Links one proposal to the account, with its timeline entry and audit entry. False if
    /// an account already owns it.
    async fn link_proposal(
        &mut self,
        tenant: &str,
        proposal: &Proposal,
        user_id: i64,
        via: &str,
        who: &Who,
    ) -> Result<bool> {
        let now = self.now_ts();
        let n = sqlx::query(
            "UPDATE proposals SET proponent_user_id = $1, updated_at = $2 \
             WHERE id = $3 AND tenant_code = $4 AND proponent_user_id IS NULL",
        )
        .bind(user_id)
        .bind(&now)
        .bind(proposal.id)
        .bind(tenant)
        .execute(&mut *self.tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Ok(false);
        }
        self.add_event(
            proposal.id,
            tenant,
            who,
            "claimed",
            None,
            None,
            &event_note_json(&[("via", via)]),
            true,
        )
        .await?;
        self.audit(who.event(
            Some(tenant),
            "proposal.claim",
            format!("proposal:{}", proposal.receipt_number),
            event_note_json(&[("via", via), ("user", &user_id.to_string())]),
        ))
        .await?;
        Ok(true)
    }

    async fn unowned_from(&mut self, tenant: &str, email: &str) -> Result<Vec<Proposal>> {
        let rows = sqlx::query(&format!(
            "SELECT {} FROM proposals p WHERE p.tenant_code = $1 AND p.email = $2 \
             AND p.proponent_user_id IS NULL ORDER BY p.created_at, p.id",
            columns(self.backend)
        ))
        .bind(tenant)
        .bind(email)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter().map(proposal_from_row).collect()
    }
}

impl Store {
    /// Claims a proposal for a signed-in proponent account of its tenant, from its private
    /// tracking link (holding the link is the proof). A proposal another account owns is
    /// refused (`error-claim-other-account`).
    pub async fn proposal_claim(
        &self,
        tenant: TenantCode,
        proposal_id: i64,
        user_id: i64,
        who: &Who,
    ) -> Result<Claim> {
        let t = tenant.to_string();
        let mut tx = self.write().await?;
        tx.proponent_email(&t, user_id).await?;
        let p = tx.load(&t, proposal_id).await?;
        match p.proponent_user_id {
            Some(owner) if owner == user_id => return Ok(Claim::AlreadyYours),
            Some(_) => return Err(StoreError::conflict("claim", "error-claim-other-account")),
            None => {}
        }
        if !tx
            .link_proposal(&t, &p, user_id, "tracking-link", who)
            .await?
        {
            return Err(StoreError::conflict("claim", "error-claim-other-account"));
        }
        tx.commit().await?;
        Ok(Claim::Claimed)
    }

    /// A proponent account asks to link the proposals sent from its e-mail address: a
    /// one-time token is created (replacing any earlier unused one) and `mailer` writes the
    /// mail that carries it to that address, queued in the same transaction. The mail goes
    /// whether or not such proposals exist, so the answer tells the account nothing.
    pub async fn proposal_link_request(
        &self,
        tenant: TenantCode,
        user_id: i64,
        who: &Who,
        mailer: &dyn Mailer,
    ) -> Result<LinkRequest> {
        let t = tenant.to_string();
        let tenant_row = self.tenant(&t).await?;
        let account = self.user(user_id).await?;
        let mut tx = self.write().await?;
        let email = tx.proponent_email(&t, user_id).await?;
        let now = tx.now();
        let recent = sqlx::query(
            "SELECT COUNT(*) AS n FROM proposal_link_tokens WHERE user_id = $1 AND created_at > $2",
        )
        .bind(user_id)
        .bind(to_db_timestamp(
            now - Duration::minutes(LINK_REQUEST_INTERVAL_MINUTES),
        ))
        .fetch_one(&mut *tx.tx)
        .await?;
        if recent.try_get::<i64, _>("n")? > 0 {
            return Err(StoreError::conflict("link", "error-link-too-soon"));
        }
        let now_ts = to_db_timestamp(now);
        // An older link stops working when a newer one is sent.
        sqlx::query(
            "UPDATE proposal_link_tokens SET expires_at = $2 \
             WHERE user_id = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(user_id)
        .bind(&now_ts)
        .execute(&mut *tx.tx)
        .await?;
        let request = LinkRequest {
            token: random_token(),
            email,
            expires_at: now + Duration::hours(LINK_TOKEN_HOURS),
        };
        let row = sqlx::query(
            "INSERT INTO proposal_link_tokens (tenant_code, user_id, email, token_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(&t)
        .bind(user_id)
        .bind(&request.email)
        .bind(token_hash(&request.token))
        .bind(&now_ts)
        .bind(to_db_timestamp(request.expires_at))
        .fetch_one(&mut *tx.tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        tx.emit(
            mailer,
            &DomainEvent::LinkRequested {
                tenant: &tenant_row,
                account_name: &account.display_name,
                request: &request,
                lang: account.lang,
            },
        )
        .await?;
        tx.audit(who.event(
            Some(&t),
            "proponent.link.request",
            format!("user:{user_id}"),
            event_note_json(&[
                ("link", &id.to_string()),
                ("expires_at", &to_db_timestamp(request.expires_at)),
            ]),
        ))
        .await?;
        tx.commit().await?;
        Ok(request)
    }

    /// What a confirmation link would link for this account, without using it. Refused with
    /// `error-link-invalid` (unknown, another account's or tenant's), `error-link-used` or
    /// `error-link-expired`.
    pub async fn proposal_link_check(
        &self,
        tenant: TenantCode,
        token: &str,
        user_id: i64,
    ) -> Result<LinkOffer> {
        let t = tenant.to_string();
        // Reads only (the transaction is never committed), with the very checks the
        // confirmation makes.
        let mut tx = self.write().await?;
        let email = tx.proponent_email(&t, user_id).await?;
        let row = tx.usable_token(&t, token, user_id, &email).await?;
        let proposals = tx.unowned_from(&t, &row.email).await?;
        Ok(LinkOffer {
            email: row.email,
            expires_at: row.expires_at,
            proposals,
        })
    }

    /// Uses a confirmation link: once, before it expires, by the account that asked for it.
    /// Links every proposal of the tenant sent from the confirmed address that no account owns
    /// yet; returns their receipt numbers.
    pub async fn proposal_link_confirm(
        &self,
        tenant: TenantCode,
        token: &str,
        user_id: i64,
        who: &Who,
    ) -> Result<Vec<String>> {
        let t = tenant.to_string();
        let mut tx = self.write().await?;
        let email = tx.proponent_email(&t, user_id).await?;
        let row = tx.usable_token(&t, token, user_id, &email).await?;
        let now = tx.now_ts();
        let used = sqlx::query(
            "UPDATE proposal_link_tokens SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(row.id)
        .bind(&now)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if used != 1 {
            return Err(StoreError::conflict("link", "error-link-used"));
        }
        let mut linked = Vec::new();
        for p in tx.unowned_from(&t, &row.email).await? {
            if tx.link_proposal(&t, &p, user_id, "mail", who).await? {
                linked.push(p.receipt_number);
            }
        }
        tx.audit(who.event(
            Some(&t),
            "proponent.link.confirm",
            format!("user:{user_id}"),
            event_note_json(&[("link", &row.id.to_string()), ("linked", &linked.join(" "))]),
        ))
        .await?;
        tx.commit().await?;
        Ok(linked)
    }
}
