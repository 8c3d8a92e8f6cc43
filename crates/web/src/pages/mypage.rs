use super::html;
use super::proposal_view::ProposalView;
use crate::auth::{Ctx, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::Base;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use renkei_domain::Actor;
use renkei_store::tenants::Tenant;
use renkei_store::users::User;

#[derive(Template)]
#[template(path = "pages/mypage.html")]
struct MyPageTemplate {
    base: Base,
    lead: String,
    tenant: Tenant,
    user: User,
    proposals: Vec<ProposalView>,
}

/// The proponent's own page.
pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<impl IntoResponse, WebError> {
    let access = tenant_access(&state, &ctx, &code, Actor::may_enter_proponent_area).await?;
    let user = ctx.require_user()?.clone();
    let proposals = state
        .store
        .proposals_of_proponent(access.code, user.id, &user.email)
        .await?
        .into_iter()
        .map(|p| ProposalView::new(&ctx.tr, p, state.store.today()))
        .collect::<Vec<_>>();
    if !proposals.is_empty() {
        state
            .store
            .audit_proposal_read(access.code, "own-list", "mypage", &ctx.who())
            .await?;
    }
    html(&MyPageTemplate {
        base: Base::new(&ctx, ctx.tr.t("home-proponent-title")),
        lead: ctx
            .tr
            .t1("home-proponent-lead", "name", &access.tenant.full_name()),
        tenant: access.tenant,
        user,
        proposals,
    })
}
