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
    counts: Vec<(String, i64)>,
    overdue: i64,
    can_handle: bool,
}

/// The desk's workspace.
pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<impl IntoResponse, WebError> {
    let access = tenant_access(&state, &ctx, &code, Actor::may_work_desk).await?;
    let departments = state.store.departments(access.code).await?;
    let can_handle = access.actor.may_handle_proposals(access.code);
    let (counts, overdue) = if can_handle {
        let counts = state
            .store
            .desk_counts(access.code)
            .await?
            .into_iter()
            .map(|(s, n)| (ctx.tr.t(&format!("status-{s}")), n))
            .collect();
        let filter = renkei_store::proposals::InboxFilter {
            overdue_only: true,
            per_page: 1,
            ..Default::default()
        };
        (counts, state.store.inbox(access.code, &filter).await?.1)
    } else {
        (Vec::new(), 0)
    };
    html(&DeskHomeTemplate {
        base: Base::new(&ctx, ctx.tr.t("home-desk-title")),
        lead: ctx
            .tr
            .t1("home-desk-lead", "name", &access.tenant.full_name()),
        departments,
        counts,
        overdue,
        can_handle,
        tenant: access.tenant,
    })
}
