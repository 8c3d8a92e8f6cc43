use super::html;
use crate::auth::{Ctx, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::Base;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use renkei_domain::Actor;
use renkei_domain::audit::AuditEntry;

#[derive(Template)]
#[template(path = "pages/audit_list.html")]
struct AuditTemplate {
    base: Base,
    lead: String,
    code: String,
    entries: Vec<AuditEntry>,
}

/// The newest audit entries of one local government.
pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<impl IntoResponse, WebError> {
    let access = tenant_access(&state, &ctx, &code, Actor::may_read_audit).await?;
    let entries = state.store.audit_recent(&access.tenant.code, 200).await?;
    html(&AuditTemplate {
        base: Base::new(&ctx, ctx.tr.t("audit-title")),
        lead: ctx.tr.t1("audit-lead", "name", &access.tenant.full_name()),
        code: access.tenant.code,
        entries,
    })
}
