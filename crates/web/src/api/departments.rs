use crate::api::openapi as oa;
use crate::api::proposals::{ApiPath, TenantPath};
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use renkei_domain::TenantCode;
use serde::Serialize;

/// The departments of a local government.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DepartmentsResponse {
    pub tenant: String,
    pub departments: Vec<DepartmentJson>,
}

/// A department (部署).
#[derive(Serialize, utoipa::ToSchema)]
pub struct DepartmentJson {
    pub id: i64,
    #[schema(examples("危機管理課"))]
    pub name: String,
    pub member_count: i64,
    #[schema(schema_with = oa::instant)]
    pub created_at: String,
}

/// `GET /api/v1/tenants/{code}/departments`: the departments of a local government, for its staff.
#[utoipa::path(
    get,
    path = "/api/v1/tenants/{code}/departments",
    summary = "部署の一覧 (departments of a local government)",
    description = "Staff of the local government.",
    security(("bearer" = [])),
    params(TenantPath),
    responses(
        (status = 200, description = "The departments", body = DepartmentsResponse),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not staff of this local government", body = ErrorBody),
        (status = 404, description = "No such local government", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    ApiPath(TenantPath { code }): ApiPath<TenantPath>,
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
