//! The link in the confirmation mail (`/t/{code}/mypage/link/{token}`): signed in as the
//! proponent account that asked for it, the page lists the proposals sent from the account's
//! address that it would add, and asks first; the POST adds them (once, before the link
//! expires). A wrong, used, expired or another account's link is refused with a message.

use super::html;
use super::proposal_view::ProposalView;
use crate::auth::{CsrfForm, Ctx, TenantAccess, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::{Base, display_time};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use renkei_domain::Actor;
use renkei_store::StoreError;
use renkei_store::tenants::Tenant;

#[derive(Template)]
#[template(path = "pages/proposal_link.html")]
struct LinkTemplate {
    base: Base,
    tenant: Tenant,
    /// Why the link cannot be used, if it cannot.
    refusal: Option<String>,
    question: String,
    expires: String,
    proposals: Vec<ProposalView>,
}

fn status_of(key: &str) -> StatusCode {
    match key {
        "error-link-expired" | "error-link-used" => StatusCode::GONE,
        _ => StatusCode::BAD_REQUEST,
    }
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    access: TenantAccess,
    token: &str,
    refusal: Option<&'static str>,
) -> Result<Response, WebError> {
    let user = ctx.require_user()?;
    let tr = &ctx.tr;
    let offer = match refusal {
        Some(key) => Err(key),
        None => match state
            .store
            .proposal_link_check(access.code, token, user.id)
            .await
        {
            Ok(offer) => Ok(offer),
            Err(StoreError::Conflict { key, .. }) => Err(key),
            Err(e) => return Err(e.into()),
        },
    };
    let (status, refusal, expires, proposals) = match offer {
        Ok(offer) => {
            if !offer.proposals.is_empty() {
                // Their titles are shown: a read of confidential content, by its proponent.
                state
                    .store
                    .audit_proposal_read(access.code, "link-offer", "mypage", &ctx.who())
                    .await?;
            }
            let today = state.store.today();
            (
                StatusCode::OK,
                None,
                display_time(tr.lang, &offer.expires_at),
                offer
                    .proposals
                    .into_iter()
                    .map(|p| ProposalView::new(tr, p, today))
                    .collect(),
            )
        }
        Err(key) => (status_of(key), Some(tr.t(key)), String::new(), Vec::new()),
    };
    let page = html(&LinkTemplate {
        base: Base::new(ctx, tr.t("link-title")),
        question: tr.t2(
            "link-question",
            ("name", &user.display_name),
            ("email", &user.email),
        ),
        tenant: access.tenant,
        refusal,
        expires,
        proposals,
    })?;
    Ok((status, page).into_response())
}

pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, token)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let access = tenant_access(&state, &ctx, &code, Actor::may_enter_proponent_area).await?;
    render(&state, &ctx, access, &token, None).await
}

pub async fn post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, token)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<super::EmptyForm>,
) -> Result<Response, WebError> {
    let access = tenant_access(&state, &ctx, &code, Actor::may_enter_proponent_area).await?;
    let user = ctx.require_user()?;
    match state
        .store
        .proposal_link_confirm(access.code, &token, user.id, &ctx.who())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/t/{}/mypage?notice=proposals-linked",
            access.code
        ))
        .into_response()),
        Err(StoreError::Conflict { key, .. }) => {
            render(&state, &ctx, access, &token, Some(key)).await
        }
        Err(e) => Err(e.into()),
    }
}
