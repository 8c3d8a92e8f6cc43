//! The public pages of open calls: `/t/{code}/calls` lists the published ones (closing date,
//! how to answer), `/t/{code}/calls/{id}` shows one; once decided, who was chosen and why.
//! Nothing of the answers that were not chosen: only how many answers there were.

use super::html;
use super::open_calls::{CallView, call_view};
use crate::auth::{Ctx, known_tenant};
use crate::error::WebError;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use renkei_app::open_calls as cmd;
use renkei_domain::open_call::accepts_answers;
use renkei_store::tenants::Tenant;

use crate::view::Base;

/// A call on the public list, with whether it takes answers today.
pub struct PublicRow {
    pub v: CallView,
    pub open: bool,
}

#[derive(Template)]
#[template(path = "pages/calls_public.html")]
struct ListTemplate {
    base: Base,
    tenant: Tenant,
    calls: Vec<PublicRow>,
}

/// `GET /t/{code}/calls`
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let (tenant, tcode) = known_tenant(&state, &code).await?;
    let today = state.store.today();
    let calls = cmd::public_list(&state.app, tcode)
        .await?
        .into_iter()
        .map(|c| PublicRow {
            open: accepts_answers(c.stored_status, c.opens_on, c.closes_on, today),
            v: call_view(&ctx.tr, c),
        })
        .collect();
    Ok(html(&ListTemplate {
        base: Base::new(
            &ctx,
            ctx.tr
                .t1("calls-public-heading", "name", &tenant.full_name()),
        ),
        tenant,
        calls,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "pages/call_public.html")]
struct ShowTemplate {
    base: Base,
    tenant: Tenant,
    call: CallView,
    criteria: Vec<(String, i64)>,
    open: bool,
    decided: bool,
    selected_orgs: Vec<String>,
}

/// `GET /t/{code}/calls/{id}`
pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let (tenant, tcode) = known_tenant(&state, &code).await?;
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let p = cmd::public_get(&state.app, tcode, id).await?;
    let today = state.store.today();
    let c = p.call;
    Ok(html(&ShowTemplate {
        base: Base::new(&ctx, c.title.clone()),
        open: accepts_answers(c.stored_status, c.opens_on, c.closes_on, today),
        decided: c.status == renkei_domain::open_call::CallStatus::Decided,
        criteria: p
            .criteria
            .iter()
            .map(|k| (k.name.clone(), k.weight))
            .collect(),
        call: call_view(&ctx.tr, c),
        selected_orgs: p.selected_orgs,
        tenant,
    })?
    .into_response())
}
