use super::html;
use crate::auth::{Ctx, known_tenant};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::Base;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use renkei_store::tenants::Tenant;

#[derive(Template)]
#[template(path = "pages/tenant.html")]
struct TenantTemplate {
    base: Base,
    tenant: Tenant,
    prefecture: Option<Tenant>,
    municipalities: Vec<Tenant>,
    municipalities_heading: String,
    prefecture_line: String,
}

/// The public page of a local government's partnership desk.
pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<impl IntoResponse, WebError> {
    let (tenant, _) = known_tenant(&state, &code).await?;
    let (prefecture, municipalities) = if tenant.is_prefecture() {
        (None, state.store.tenant_municipalities(&tenant.code).await?)
    } else {
        (
            Some(state.store.tenant(&tenant.prefecture_code).await?),
            Vec::new(),
        )
    };
    let tr = ctx.tr;
    html(&TenantTemplate {
        base: Base::new(
            &ctx,
            tr.t1("tenant-desk-title", "name", &tenant.full_name()),
        ),
        municipalities_heading: tr.t1("tenant-municipalities", "count", &municipalities.len()),
        prefecture_line: prefecture
            .as_ref()
            .map(|p| tr.t1("tenant-prefecture-desk", "name", &p.name))
            .unwrap_or_default(),
        tenant,
        prefecture,
        municipalities,
    })
}
