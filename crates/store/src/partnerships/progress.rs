//! Outcome indicators (成果指標) updated in bulk from a spreadsheet: each row names a
//! partnership, an indicator (created when new) and one fiscal year's target and actual. All
//! rows in one transaction, one audit entry, one timeline entry per partnership touched.

use crate::{Result, Store, StoreError, Who};
use renkei_domain::TenantCode;
use sqlx::Row;
use std::collections::BTreeMap;

/// One row of a progress sheet, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressUpdate {
    pub partnership_id: i64,
    pub name: String,
    /// Empty keeps an existing indicator's unit.
    pub unit: String,
    pub fiscal_year: i32,
    /// As given: an empty cell clears the value.
    pub target: Option<i64>,
    pub actual: Option<i64>,
}

/// A partnership with one of its indicators and that indicator's values for a fiscal year
/// (the template of the progress sheet); `name` is empty for a partnership without any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressLine {
    pub partnership_id: i64,
    pub title: String,
    pub department_id: Option<i64>,
    pub name: String,
    pub unit: String,
    pub target: Option<i64>,
    pub actual: Option<i64>,
}

/// A partnership's id with its responsible department (for the permission of each row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Managed {
    pub id: i64,
    pub department_id: Option<i64>,
}

impl Store {
    /// Every partnership of the tenant that is not cancelled, with its department.
    pub async fn partnerships_managed(&self, tenant: TenantCode) -> Result<Vec<Managed>> {
        sqlx::query(
            "SELECT id, department_id FROM partnerships WHERE tenant_code = $1 AND status <> 'cancelled' ORDER BY id",
        )
        .bind(tenant.to_string())
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(Managed {
                id: r.try_get("id")?,
                department_id: r.try_get("department_id")?,
            })
        })
        .collect()
    }

    /// The tenant's partnerships (not cancelled) with their indicators and the values of
    /// `fiscal_year`, by partnership and indicator position.
    pub async fn progress_lines(
        &self,
        tenant: TenantCode,
        fiscal_year: i32,
    ) -> Result<Vec<ProgressLine>> {
        sqlx::query(
            "SELECT p.id, p.title, p.department_id, i.name, i.unit, v.target, v.actual \
             FROM partnerships p \
             LEFT JOIN partnership_indicators i ON i.partnership_id = p.id \
             LEFT JOIN indicator_values v ON v.indicator_id = i.id AND v.fiscal_year = $2 \
             WHERE p.tenant_code = $1 AND p.status <> 'cancelled' \
             ORDER BY p.id, i.position, i.id",
        )
        .bind(tenant.to_string())
        .bind(i64::from(fiscal_year))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(ProgressLine {
                partnership_id: r.try_get("id")?,
                title: r.try_get("title")?,
                department_id: r.try_get("department_id")?,
                name: r.try_get::<Option<String>, _>("name")?.unwrap_or_default(),
                unit: r.try_get::<Option<String>, _>("unit")?.unwrap_or_default(),
                target: r.try_get("target")?,
                actual: r.try_get("actual")?,
            })
        })
        .collect()
    }

    /// Writes every row in one transaction: the indicator is created when the partnership has
    /// none of that name, the fiscal year's values set as given. Returns the rows written.
    pub async fn progress_update(
        &self,
        tenant: TenantCode,
        rows: &[ProgressUpdate],
        filename: &str,
        sha256: &str,
        who: &Who,
    ) -> Result<usize> {
        let t = tenant.to_string();
        let mut tx = self.write().await?;
        let now = tx.now_ts();
        let mut touched: BTreeMap<i64, usize> = BTreeMap::new();
        for row in rows {
            if sqlx::query("SELECT 1 AS one FROM partnerships WHERE tenant_code = $1 AND id = $2")
                .bind(&t)
                .bind(row.partnership_id)
                .fetch_optional(&mut *tx.tx)
                .await?
                .is_none()
            {
                return Err(StoreError::NotFound);
            }
            let found = sqlx::query(
                "SELECT id FROM partnership_indicators WHERE partnership_id = $1 AND name = $2",
            )
            .bind(row.partnership_id)
            .bind(&row.name)
            .fetch_optional(&mut *tx.tx)
            .await?;
            let indicator_id: i64 = match found {
                Some(r) => {
                    let id: i64 = r.try_get("id")?;
                    if !row.unit.is_empty() {
                        sqlx::query("UPDATE partnership_indicators SET unit = $2 WHERE id = $1")
                            .bind(id)
                            .bind(&row.unit)
                            .execute(&mut *tx.tx)
                            .await?;
                    }
                    id
                }
                None => {
                    let position: i64 = sqlx::query(
                        "SELECT COALESCE(MAX(position), -1) + 1 AS n FROM partnership_indicators WHERE partnership_id = $1",
                    )
                    .bind(row.partnership_id)
                    .fetch_one(&mut *tx.tx)
                    .await?
                    .try_get("n")?;
                    sqlx::query(
                        "INSERT INTO partnership_indicators (partnership_id, position, name, unit) \
                         VALUES ($1, $2, $3, $4) RETURNING id",
                    )
                    .bind(row.partnership_id)
                    .bind(position)
                    .bind(&row.name)
                    .bind(&row.unit)
                    .fetch_one(&mut *tx.tx)
                    .await?
                    .try_get("id")?
                }
            };
            let updated = sqlx::query(
                "UPDATE indicator_values SET target = $3, actual = $4, updated_at = $5 \
                 WHERE indicator_id = $1 AND fiscal_year = $2",
            )
            .bind(indicator_id)
            .bind(i64::from(row.fiscal_year))
            .bind(row.target)
            .bind(row.actual)
            .bind(&now)
            .execute(&mut *tx.tx)
            .await?
            .rows_affected();
            if updated == 0 {
                sqlx::query(
                    "INSERT INTO indicator_values (indicator_id, fiscal_year, target, actual, updated_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(indicator_id)
                .bind(i64::from(row.fiscal_year))
                .bind(row.target)
                .bind(row.actual)
                .bind(&now)
                .execute(&mut *tx.tx)
                .await?;
            }
            *touched.entry(row.partnership_id).or_default() += 1;
        }
        for (pid, n) in &touched {
            let note = serde_json::json!({ "rows": n, "filename": filename }).to_string();
            tx.partnership_event(*pid, who, "indicators", &note).await?;
        }
        let detail = serde_json::json!({
            "count": rows.len(),
            "partnerships": touched.len(),
            "filename": filename,
            "sha256": sha256,
        })
        .to_string();
        tx.audit(who.event(
            Some(&t),
            "partnership.progress",
            "partnerships".into(),
            detail,
        ))
        .await?;
        tx.commit().await?;
        Ok(rows.len())
    }
}
