use super::html;
use crate::auth::{Ctx, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::Base;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use renkei_domain::Actor;
use renkei_store::tenants::Tenant;

#[derive(Template)]
#[template(path = "pages/admin_home.html")]
struct AdminHomeTemplate {
    base: Base,
    tenant: Tenant,
    lead: String,
    department_count: usize,
    user_count: usize,
}

pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<impl IntoResponse, WebError> {
    let access = tenant_access(&state, &ctx, &code, Actor::may_manage_users).await?;
    let departments = state.store.departments(access.code).await?;
    let users = state.store.users_in_tenant(&access.tenant.code).await?;
    html(&AdminHomeTemplate {
        base: Base::new(&ctx, ctx.tr.t("home-admin-title")),
        lead: ctx
            .tr
            .t1("home-admin-lead", "name", &access.tenant.full_name()),
        department_count: departments.len(),
        user_count: users.len(),
        tenant: access.tenant,
    })
}
