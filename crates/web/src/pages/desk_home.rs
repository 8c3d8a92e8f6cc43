use super::html;
use crate::auth::{Ctx, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::Base;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use renkei_domain::Actor;
use renkei_store::departments::Department;
use renkei_store::tenants::Tenant;

#[derive(Template)]
#[template(path = "pages/desk_home.html")]
struct DeskHomeTemplate {
    base: Base,
    tenant: Tenant,
    lead: String,
    departments: Vec<Department>,
}

/// The desk's workspace.
pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<impl IntoResponse, WebError> {
    let access = tenant_access(&state, &ctx, &code, Actor::may_work_desk).await?;
    let departments = state.store.departments(access.code).await?;
    html(&DeskHomeTemplate {
        base: Base::new(&ctx, ctx.tr.t("home-desk-title")),
        lead: ctx
            .tr
            .t1("home-desk-lead", "name", &access.tenant.full_name()),
        departments,
        tenant: access.tenant,
    })
}
