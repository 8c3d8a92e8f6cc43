//! The proponent's own page: the proposals this account owns (sent while signed in, or
//! added with proof of ownership; never by e-mail address alone), and the request for a
//! confirmation mail that adds the proposals sent from the account's address.

use super::proposal_view::ProposalView;
use super::{NoticeQuery, html};
use crate::auth::{CsrfForm, Ctx, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::Base;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use renkei_domain::Actor;
use renkei_store::StoreError;
use renkei_store::ownership::{LINK_REQUEST_INTERVAL_MINUTES, LINK_TOKEN_HOURS};
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
    link_hint: String,
    link_error: Option<String>,
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
    notice: Option<&str>,
    link_error: Option<&str>,
) -> Result<Response, WebError> {
    let access = tenant_access(state, ctx, code, Actor::may_enter_proponent_area).await?;
    let user = ctx.require_user()?.clone();
    let proposals = state
        .store
        .proposals_of_proponent(access.code, user.id)
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
    let status = if link_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = html(&MyPageTemplate {
        base: Base::new(ctx, ctx.tr.t("home-proponent-title")).with_notice(notice),
        lead: ctx
            .tr
            .t1("home-proponent-lead", "name", &access.tenant.full_name()),
        link_hint: ctx.tr.t2(
            "mypage-link-hint",
            ("email", &user.email),
            ("hours", &LINK_TOKEN_HOURS.to_string()),
        ),
        link_error: link_error.map(|k| {
            ctx.tr
                .t1(k, "minutes", &LINK_REQUEST_INTERVAL_MINUTES.to_string())
        }),
        tenant: access.tenant,
        user,
        proposals,
    })?;
    Ok((status, page).into_response())
}

/// The proponent's own page.
pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    render(&state, &ctx, &code, q.notice.as_deref(), None).await
}

/// Asks for the confirmation mail that adds the proposals sent from this account's address.
/// It goes to that address only; following it while signed in as this account adds them.
pub async fn link_request(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    CsrfForm(_): CsrfForm<super::EmptyForm>,
) -> Result<Response, WebError> {
    let access = tenant_access(&state, &ctx, &code, Actor::may_enter_proponent_area).await?;
    let user = ctx.require_user()?.clone();
    let result = state
        .store
        .proposal_link_request(access.code, user.id, &ctx.who(), &state.app.mails)
        .await;
    match result {
        Ok(_) => Ok(
            Redirect::to(&format!("/t/{}/mypage?notice=link-mail-sent", access.code))
                .into_response(),
        ),
        Err(StoreError::Conflict { key, .. }) => render(&state, &ctx, &code, None, Some(key)).await,
        Err(e) => Err(e.into()),
    }
}
