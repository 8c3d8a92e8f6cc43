use super::{NoticeQuery, html};
use crate::auth::{Ctx, TenantAccess, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::{Base, FieldErrors};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use renkei_domain::Actor;
use renkei_store::departments::Department;
use renkei_store::tenants::Tenant;

#[derive(Template)]
#[template(path = "pages/departments_list.html")]
struct DepartmentsTemplate {
    base: Base,
    tenant: Tenant,
    departments: Vec<Department>,
    name: String,
    errors: FieldErrors,
}

/// Renders the list with the create form; on a failed create, with what was typed and why.
pub(crate) async fn render(
    state: &AppState,
    ctx: &Ctx,
    access: TenantAccess,
    notice: Option<&str>,
    name: String,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let departments = state.store.departments(access.code).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = html(&DepartmentsTemplate {
        base: Base::new(ctx, ctx.tr.t("departments-title")).with_notice(notice),
        tenant: access.tenant,
        departments,
        name,
        errors,
    })?;
    Ok((status, page).into_response())
}

pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let access = tenant_access(&state, &ctx, &code, Actor::may_manage_departments).await?;
    render(
        &state,
        &ctx,
        access,
        q.notice.as_deref(),
        String::new(),
        FieldErrors::default(),
    )
    .await
}
