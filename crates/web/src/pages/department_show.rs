use super::{NoticeQuery, html};
use crate::auth::{Ctx, TenantAccess, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::{Base, FieldErrors};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use renkei_domain::{Actor, Role};
use renkei_store::departments::Department;
use renkei_store::tenants::Tenant;
use renkei_store::users::User;

#[derive(Template)]
#[template(path = "pages/department_show.html")]
struct DepartmentShowTemplate {
    base: Base,
    tenant: Tenant,
    department: Department,
    members: Vec<User>,
    candidates: Vec<User>,
    name: String,
    errors: FieldErrors,
}

/// Renders one department; on a failed action, with what was typed and why.
pub(crate) async fn render(
    state: &AppState,
    ctx: &Ctx,
    access: TenantAccess,
    id: i64,
    notice: Option<&str>,
    name: Option<String>,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let department = state.store.department(access.code, id).await?;
    let members = state.store.department_members(access.code, id).await?;
    let candidates = state
        .store
        .users_in_tenant(&access.tenant.code)
        .await?
        .into_iter()
        .filter(|u| u.role == Role::Department && !members.iter().any(|m| m.id == u.id))
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = html(&DepartmentShowTemplate {
        base: Base::new(ctx, department.name.clone()).with_notice(notice),
        tenant: access.tenant,
        name: name.unwrap_or_else(|| department.name.clone()),
        department,
        members,
        candidates,
        errors,
    })?;
    Ok((status, page).into_response())
}

pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id)): Path<(String, i64)>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let access = tenant_access(&state, &ctx, &code, Actor::may_manage_departments).await?;
    render(
        &state,
        &ctx,
        access,
        id,
        q.notice.as_deref(),
        None,
        FieldErrors::default(),
    )
    .await
}
