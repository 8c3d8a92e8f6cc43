//! Departments (事業担当課) of a local government and their members.

use crate::users::{User, user_from_row};
use crate::{Result, Store, StoreError, Who};
use renkei_domain::{DepartmentName, Role, TenantCode};
use serde::Serialize;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Department {
    pub id: i64,
    pub tenant_code: String,
    pub name: String,
    pub member_count: i64,
    pub created_at: String,
}

fn department_from_row(r: &sqlx::any::AnyRow) -> Result<Department> {
    Ok(Department {
        id: r.try_get("id")?,
        tenant_code: r.try_get("tenant_code")?,
        name: r.try_get("name")?,
        member_count: r.try_get("member_count")?,
        created_at: r.try_get("created_at")?,
    })
}

const SELECT: &str = "SELECT d.id, d.tenant_code, d.name, d.created_at, \
    (SELECT COUNT(*) FROM department_members m WHERE m.department_id = d.id) AS member_count \
    FROM departments d";

fn unique_name(e: sqlx::Error) -> StoreError {
    if StoreError::is_unique_violation(&e) {
        StoreError::conflict("name", "error-department-name-taken")
    } else {
        e.into()
    }
}

impl Store {
    pub async fn departments(&self, tenant: TenantCode) -> Result<Vec<Department>> {
        let rows = sqlx::query(&format!(
            "{SELECT} WHERE d.tenant_code = $1 ORDER BY d.name"
        ))
        .bind(tenant.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(department_from_row).collect()
    }

    /// One department, only if it belongs to `tenant` (another tenant's id is NotFound).
    pub async fn department(&self, tenant: TenantCode, id: i64) -> Result<Department> {
        let row = sqlx::query(&format!("{SELECT} WHERE d.tenant_code = $1 AND d.id = $2"))
            .bind(tenant.to_string())
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        department_from_row(&row)
    }

    pub async fn department_create(
        &self,
        who: &Who,
        tenant: TenantCode,
        name: &DepartmentName,
    ) -> Result<Department> {
        let mut tx = self.write().await?;
        let row = sqlx::query(
            "INSERT INTO departments (tenant_code, name, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id",
        )
        .bind(tenant.to_string())
        .bind(name.as_str())
        .bind(self.now_ts())
        .fetch_one(&mut *tx.tx)
        .await
        .map_err(unique_name)?;
        let id: i64 = row.try_get("id")?;
        tx.audit(who.event(
            Some(&tenant.to_string()),
            "department.create",
            format!("department:{id}"),
            serde_json::json!({ "name": name.as_str() }).to_string(),
        ))
        .await?;
        tx.commit().await?;
        self.department(tenant, id).await
    }

    pub async fn department_rename(
        &self,
        who: &Who,
        tenant: TenantCode,
        id: i64,
        name: &DepartmentName,
    ) -> Result<()> {
        let old = self.department(tenant, id).await?;
        let mut tx = self.write().await?;
        let n = sqlx::query(
            "UPDATE departments SET name = $3, updated_at = $4 WHERE tenant_code = $1 AND id = $2",
        )
        .bind(tenant.to_string())
        .bind(id)
        .bind(name.as_str())
        .bind(self.now_ts())
        .execute(&mut *tx.tx)
        .await
        .map_err(unique_name)?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        tx.audit(who.event(
            Some(&tenant.to_string()),
            "department.rename",
            format!("department:{id}"),
            serde_json::json!({ "from": old.name, "to": name.as_str() }).to_string(),
        ))
        .await?;
        tx.commit().await
    }

    /// Removes a department that has no members left.
    pub async fn department_delete(&self, who: &Who, tenant: TenantCode, id: i64) -> Result<()> {
        let dept = self.department(tenant, id).await?;
        if dept.member_count > 0 {
            return Err(StoreError::conflict(
                "department",
                "error-department-has-members",
            ));
        }
        let mut tx = self.write().await?;
        let n = sqlx::query("DELETE FROM departments WHERE tenant_code = $1 AND id = $2")
            .bind(tenant.to_string())
            .bind(id)
            .execute(&mut *tx.tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        tx.audit(who.event(
            Some(&tenant.to_string()),
            "department.delete",
            format!("department:{id}"),
            serde_json::json!({ "name": dept.name }).to_string(),
        ))
        .await?;
        tx.commit().await
    }

    pub async fn department_members(&self, tenant: TenantCode, id: i64) -> Result<Vec<User>> {
        let rows = sqlx::query(
            "SELECT u.id, u.tenant_code, u.role, u.email, u.display_name, u.disabled_at, u.created_at, u.lang \
             FROM department_members m JOIN users u ON u.id = m.user_id \
             JOIN departments d ON d.id = m.department_id \
             WHERE d.tenant_code = $1 AND d.id = $2 ORDER BY u.email",
        )
        .bind(tenant.to_string())
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(user_from_row).collect()
    }

    /// Adds a department-staff user of the same tenant to a department.
    pub async fn department_add_member(
        &self,
        who: &Who,
        tenant: TenantCode,
        id: i64,
        user_id: i64,
    ) -> Result<()> {
        self.department(tenant, id).await?;
        let user = self.user(user_id).await?;
        if user.tenant_code.as_deref() != Some(tenant.to_string().as_str()) {
            return Err(StoreError::NotFound);
        }
        if user.role != Role::Department {
            return Err(StoreError::conflict(
                "user_id",
                "error-member-not-department-staff",
            ));
        }
        let mut tx = self.write().await?;
        sqlx::query("INSERT INTO department_members (department_id, user_id, created_at) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(user_id)
            .bind(self.now_ts())
            .execute(&mut *tx.tx)
            .await
            .map_err(|e| {
                if StoreError::is_unique_violation(&e) {
                    StoreError::conflict("user_id", "error-member-already")
                } else {
                    e.into()
                }
            })?;
        tx.audit(who.event(
            Some(&tenant.to_string()),
            "department.member.add",
            format!("department:{id}"),
            serde_json::json!({ "user": user_id }).to_string(),
        ))
        .await?;
        tx.commit().await
    }

    pub async fn department_remove_member(
        &self,
        who: &Who,
        tenant: TenantCode,
        id: i64,
        user_id: i64,
    ) -> Result<()> {
        self.department(tenant, id).await?;
        let mut tx = self.write().await?;
        let n =
            sqlx::query("DELETE FROM department_members WHERE department_id = $1 AND user_id = $2")
                .bind(id)
                .bind(user_id)
                .execute(&mut *tx.tx)
                .await?
                .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        tx.audit(who.event(
            Some(&tenant.to_string()),
            "department.member.remove",
            format!("department:{id}"),
            serde_json::json!({ "user": user_id }).to_string(),
        ))
        .await?;
        tx.commit().await
    }

    /// The departments a user is a member of.
    pub async fn departments_of_user(&self, user_id: i64) -> Result<Vec<Department>> {
        let rows = sqlx::query(&format!(
            "{SELECT} JOIN department_members dm ON dm.department_id = d.id WHERE dm.user_id = $1 ORDER BY d.name"
        ))
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(department_from_row).collect()
    }
}
