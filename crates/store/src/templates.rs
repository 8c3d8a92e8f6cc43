//! The desk's templates (定型文, table `desk_templates`): named texts for a message to the
//! proponent or a decline explanation, per local government. Each change is one write with its
//! audit entry (`template.create`, `template.update`, `template.delete`).

use crate::{Result, Store, StoreError, Who, rows};
use chrono::{DateTime, Utc};
use renkei_domain::TenantCode;
use renkei_domain::template::{MAX_TEMPLATES, Template, TemplateKind};
use sqlx::Row;

/// A stored template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTemplate {
    pub id: i64,
    pub kind: TemplateKind,
    pub name: String,
    pub body: String,
    pub updated_at: DateTime<Utc>,
}

const T: &str = "desk_templates";

fn from_row(r: &sqlx::any::AnyRow) -> Result<StoredTemplate> {
    Ok(StoredTemplate {
        id: r.try_get("id")?,
        kind: rows::code(r, T, "kind", TemplateKind::parse)?,
        name: r.try_get("name")?,
        body: r.try_get("body")?,
        updated_at: rows::instant(r, T, "updated_at")?,
    })
}

fn audit_detail(t: &Template) -> String {
    serde_json::json!({ "kind": t.kind.code(), "name": t.name }).to_string()
}

impl Store {
    /// A local government's templates, by kind then name.
    pub async fn templates(&self, tenant: TenantCode) -> Result<Vec<StoredTemplate>> {
        sqlx::query(
            "SELECT id, kind, name, body, updated_at FROM desk_templates WHERE tenant_code = $1 \
             ORDER BY kind DESC, name, id",
        )
        .bind(tenant.to_string())
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(from_row)
        .collect()
    }

    /// One template of this local government (another's is `NotFound`).
    pub async fn template(&self, tenant: TenantCode, id: i64) -> Result<StoredTemplate> {
        let r = sqlx::query(
            "SELECT id, kind, name, body, updated_at FROM desk_templates WHERE tenant_code = $1 AND id = $2",
        )
        .bind(tenant.to_string())
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        from_row(&r)
    }

    /// Adds a template (at most [`MAX_TEMPLATES`] per local government).
    pub async fn template_create(
        &self,
        who: &Who,
        tenant: TenantCode,
        t: &Template,
    ) -> Result<i64> {
        let code = tenant.to_string();
        let mut tx = self.write().await?;
        tx.lock(&format!("templates:{code}")).await?;
        let count: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM desk_templates WHERE tenant_code = $1")
                .bind(&code)
                .fetch_one(&mut *tx.tx)
                .await?
                .try_get("n")?;
        if count >= MAX_TEMPLATES {
            return Err(StoreError::conflict("name", "error-template-too-many"));
        }
        let now = tx.now_ts();
        let id: i64 = sqlx::query(
            "INSERT INTO desk_templates (tenant_code, kind, name, body, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
        )
        .bind(&code)
        .bind(t.kind.code())
        .bind(&t.name)
        .bind(&t.body)
        .bind(&now)
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("id")?;
        tx.audit(who.event(
            Some(&code),
            "template.create",
            format!("template:{id}"),
            audit_detail(t),
        ))
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Replaces a template's kind, name and text.
    pub async fn template_update(
        &self,
        who: &Who,
        tenant: TenantCode,
        id: i64,
        t: &Template,
    ) -> Result<()> {
        let code = tenant.to_string();
        let mut tx = self.write().await?;
        let n = sqlx::query(
            "UPDATE desk_templates SET kind = $3, name = $4, body = $5, updated_at = $6 \
             WHERE tenant_code = $1 AND id = $2",
        )
        .bind(&code)
        .bind(id)
        .bind(t.kind.code())
        .bind(&t.name)
        .bind(&t.body)
        .bind(tx.now_ts())
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        tx.audit(who.event(
            Some(&code),
            "template.update",
            format!("template:{id}"),
            audit_detail(t),
        ))
        .await?;
        tx.commit().await
    }

    /// Removes a template.
    pub async fn template_delete(&self, who: &Who, tenant: TenantCode, id: i64) -> Result<()> {
        let code = tenant.to_string();
        let mut tx = self.write().await?;
        let r = sqlx::query(
            "DELETE FROM desk_templates WHERE tenant_code = $1 AND id = $2 RETURNING kind, name",
        )
        .bind(&code)
        .bind(id)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let kind: String = r.try_get("kind")?;
        let name: String = r.try_get("name")?;
        tx.audit(who.event(
            Some(&code),
            "template.delete",
            format!("template:{id}"),
            serde_json::json!({ "kind": kind, "name": name }).to_string(),
        ))
        .await?;
        tx.commit().await
    }
}
