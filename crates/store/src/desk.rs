//! Whether a local government's desk takes proposals. Nothing a proponent sends may fall into
//! a void: a desk is open only when its admin (or the operator) opened it *and* at least one
//! active desk account exists to read what arrives. Intake and referrals check this inside
//! their own write transaction, so a proposal is never stored at a closed desk.

use crate::{Result, Store, StoreError, Who, WriteTx};
use renkei_domain::TenantCode;
use renkei_domain::desk::DeskProfile;
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

/// The desk's profile as seen on this connection (all empty when none was written).
async fn profile_on(conn: &mut sqlx::AnyConnection, tenant: TenantCode) -> Result<DeskProfile> {
    let row = sqlx::query(
        "SELECT desk_name, description, scope, not_taken, process, contact, hours \
         FROM desk_profiles WHERE tenant_code = $1",
    )
    .bind(tenant.to_string())
    .fetch_optional(conn)
    .await?;
    Ok(match row {
        Some(r) => DeskProfile {
            desk_name: r.try_get("desk_name")?,
            description: r.try_get("description")?,
            scope: r.try_get("scope")?,
            not_taken: r.try_get("not_taken")?,
            process: r.try_get("process")?,
            contact: r.try_get("contact")?,
            hours: r.try_get("hours")?,
        },
        None => DeskProfile::default(),
    })
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

/// One local government's desk as the operator sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeskOverview {
    pub code: String,
    pub name: String,
    pub prefecture_name: String,
    pub openness: DeskOpenness,
}

impl DeskOverview {
    /// Opened but nobody there to read: proposals are refused until someone is.
    pub fn unstaffed(&self) -> bool {
        self.openness.opened_at.is_some() && !self.openness.is_open()
    }
}

impl Store {
    /// Every desk that was opened or has desk staff, by code: whether it takes proposals and
    /// how many active desk accounts read them.
    pub async fn desks_overview(&self) -> Result<Vec<DeskOverview>> {
        let rows = sqlx::query(
            "SELECT t.code, t.name, t.prefecture_name, s.desk_opened_at AS opened_at, \
             (SELECT COUNT(*) FROM users u WHERE u.tenant_code = t.code AND u.role = 'desk' AND u.disabled_at IS NULL) AS desk_accounts \
             FROM tenants t LEFT JOIN tenant_settings s ON s.tenant_code = t.code \
             WHERE s.desk_opened_at IS NOT NULL \
             OR t.code IN (SELECT tenant_code FROM users WHERE role = 'desk' AND tenant_code IS NOT NULL) \
             ORDER BY t.code",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DeskOverview {
                    code: r.try_get("code")?,
                    name: r.try_get("name")?,
                    prefecture_name: r.try_get("prefecture_name")?,
                    openness: openness_from_row(r)?,
                })
            })
            .collect()
    }

    /// The desk's profile (all empty when its admin has written none).
    pub async fn desk_profile(&self, tenant: TenantCode) -> Result<DeskProfile> {
        profile_on(&mut *self.pool().acquire().await?, tenant).await
    }

    /// Replaces the desk's profile; the audit entry names the fields that changed.
    pub async fn desk_profile_save(
        &self,
        who: &Who,
        tenant: TenantCode,
        p: &DeskProfile,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let before = profile_on(&mut tx.tx, tenant).await?;
        let changed: Vec<&str> = [
            ("desk_name", before.desk_name != p.desk_name),
            ("description", before.description != p.description),
            ("scope", before.scope != p.scope),
            ("not_taken", before.not_taken != p.not_taken),
            ("process", before.process != p.process),
            ("contact", before.contact != p.contact),
            ("hours", before.hours != p.hours),
        ]
        .iter()
        .filter(|(_, c)| *c)
        .map(|(f, _)| *f)
        .collect();
        sqlx::query(
            "INSERT INTO desk_profiles (tenant_code, desk_name, description, scope, not_taken, process, contact, hours, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (tenant_code) DO UPDATE SET desk_name = $2, description = $3, scope = $4, \
             not_taken = $5, process = $6, contact = $7, hours = $8, updated_at = $9",
        )
        .bind(tenant.to_string())
        .bind(&p.desk_name)
        .bind(&p.description)
        .bind(&p.scope)
        .bind(&p.not_taken)
        .bind(&p.process)
        .bind(&p.contact)
        .bind(&p.hours)
        .bind(tx.now_ts())
        .execute(&mut *tx.tx)
        .await?;
        tx.audit(who.event(
            Some(&tenant.to_string()),
            "settings.profile",
            "settings:profile".into(),
            serde_json::json!({ "changed": changed }).to_string(),
        ))
        .await?;
        tx.commit().await
    }

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
