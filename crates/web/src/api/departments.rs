use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use renkei_domain::TenantCode;
use serde::Serialize;

#[derive(Serialize)]
pub struct DepartmentsResponse {
    pub tenant: String,
    pub departments: Vec<DepartmentJson>,
}

#[derive(Serialize)]
pub struct DepartmentJson {
    pub id: i64,
    pub name: String,
    pub member_count: i64,
    pub created_at: String,
}

/// `GET /api/v1/tenants/{code}/departments`: the departments of a local government, for its staff.
pub async fn list(
    State(state): State<AppState>,
    Path(code): Path<String>,
    api: Result<ApiUser, ApiError>,
) -> Result<Json<DepartmentsResponse>, ApiError> {
    let tenant = TenantCode::parse(&code).map_err(|_| ApiError::tenant_not_found())?;
    state
        .store
        .tenant(&tenant.to_string())
        .await
        .map_err(|e| match e {
            renkei_store::StoreError::NotFound => ApiError::tenant_not_found(),
            other => other.into(),
        })?;
    let api = api?;
    if !api.actor.may_list_departments(tenant) {
        return Err(ApiError::forbidden());
    }
    let departments = state
        .store
        .departments(tenant)
        .await?
        .into_iter()
        .map(|d| DepartmentJson {
            id: d.id,
            name: d.name,
            member_count: d.member_count,
            created_at: d.created_at,
        })
        .collect();
    Ok(Json(DepartmentsResponse {
        tenant: tenant.to_string(),
        departments,
    }))
}
