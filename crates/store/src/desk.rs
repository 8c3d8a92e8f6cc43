//! Whether a local government's desk takes proposals. Nothing a proponent sends may fall into
//! a void: a desk is open only when its admin (or the operator) opened it *and* at least one
//! active desk account exists to read what arrives. Intake and referrals check this inside
//! their own write transaction, so a proposal is never stored at a closed desk.

use crate::{Result, Store, StoreError, Who, WriteTx};
use renkei_domain::TenantCode;
use sqlx::Row;

/// A desk's state as the public pages and the admin see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeskOpenness {
    /// When the admin or the operator opened it (`None`: never opened, or closed again).
    pub opened_at: Option<String>,
    /// Active (not disabled) desk accounts of the local government.
    pub desk_accounts: i64,
}

impl DeskOpenness {
    /// Takes proposals: opened, and someone there to read them.
    pub fn is_open(&self) -> bool {
        self.opened_at.is_some() && self.desk_accounts > 0
    }
}

const OPENNESS_SQL: &str = "SELECT \
     (SELECT s.desk_opened_at FROM tenant_settings s WHERE s.tenant_code = $1) AS opened_at, \
     (SELECT COUNT(*) FROM users u WHERE u.tenant_code = $1 AND u.role = 'desk' AND u.disabled_at IS NULL) AS desk_accounts";

fn openness_from_row(r: &sqlx::any::AnyRow) -> Result<DeskOpenness> {
    Ok(DeskOpenness {
        opened_at: r.try_get("opened_at")?,
        desk_accounts: r.try_get("desk_accounts")?,
    })
}

/// The desk's state as seen on this connection (inside a transaction: as of that transaction).
pub(crate) async fn openness_on(
    conn: &mut sqlx::AnyConnection,
    tenant: TenantCode,
) -> Result<DeskOpenness> {
    let row = sqlx::query(OPENNESS_SQL)
        .bind(tenant.to_string())
        .fetch_one(conn)
        .await?;
    openness_from_row(&row)
}

impl WriteTx {
    /// Refuses (409-style conflict, nothing written) unless the desk takes proposals now.
    pub(crate) async fn ensure_desk_open(&mut self, tenant: TenantCode) -> Result<()> {
        if openness_on(&mut self.tx, tenant).await?.is_open() {
            Ok(())
        } else {
            Err(StoreError::conflict("desk", "error-desk-closed"))
        }
    }
}

impl Store {
    pub async fn desk_openness(&self, tenant: TenantCode) -> Result<DeskOpenness> {
        let row = sqlx::query(OPENNESS_SQL)
            .bind(tenant.to_string())
            .fetch_one(self.pool())
            .await?;
        openness_from_row(&row)
    }

    /// Opens the desk for proposals. Refused while it has no active desk account (whoever
    /// would read the proposals must exist first). Opening an open desk changes nothing.
    pub async fn desk_open(&self, who: &Who, tenant: TenantCode) -> Result<DeskOpenness> {
        let code = tenant.to_string();
        let mut tx = self.write().await?;
        let before = openness_from_row(
            &sqlx::query(OPENNESS_SQL)
                .bind(&code)
                .fetch_one(&mut *tx.tx)
                .await?,
        )?;
        if before.desk_accounts == 0 {
            return Err(StoreError::conflict("desk", "error-desk-no-staff"));
        }
        if before.opened_at.is_some() {
            return Ok(before);
        }
        let now = tx.now_ts();
        let defaults = crate::proposals::DeskSettings::default();
        sqlx::query(
            "INSERT INTO tenant_settings (tenant_code, first_response_days, routing_days, updated_at, desk_opened_at) \
             VALUES ($1, $2, $3, $4, $4) \
             ON CONFLICT (tenant_code) DO UPDATE SET desk_opened_at = $4, updated_at = $4",
        )
        .bind(&code)
        .bind(defaults.first_response_days)
        .bind(defaults.routing_days)
        .bind(&now)
        .execute(&mut *tx.tx)
        .await?;
        tx.audit(who.event(
            Some(&code),
            "desk.open",
            "settings:desk".into(),
            serde_json::json!({ "desk_accounts": before.desk_accounts }).to_string(),
        ))
        .await?;
        tx.commit().await?;
        Ok(DeskOpenness {
            opened_at: Some(now),
            desk_accounts: before.desk_accounts,
        })
    }

    /// Stops taking proposals (what has arrived stays and is handled as before).
    pub async fn desk_close(&self, who: &Who, tenant: TenantCode) -> Result<()> {
        let code = tenant.to_string();
        let mut tx = self.write().await?;
        let closed = sqlx::query(
            "UPDATE tenant_settings SET desk_opened_at = NULL, updated_at = $2 \
             WHERE tenant_code = $1 AND desk_opened_at IS NOT NULL",
        )
        .bind(&code)
        .bind(tx.now_ts())
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if closed > 0 {
            tx.audit(who.event(
                Some(&code),
                "desk.close",
                "settings:desk".into(),
                "{}".into(),
            ))
            .await?;
        }
        tx.commit().await
    }
}
