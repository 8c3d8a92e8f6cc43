use super::html;
use crate::auth::Ctx;
use crate::error::WebError;
use crate::state::AppState;
use crate::view::Base;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use renkei_store::desk::DeskOverview;
use renkei_store::outbox::{FailingMail, OutboxStats};
use renkei_store::tenants::Tenant;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct OperatorQuery {
    q: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/operator_home.html")]
struct OperatorTemplate {
    base: Base,
    tenant_count: i64,
    user_count: i64,
    audit_total: i64,
    q: String,
    tenants: Vec<Tenant>,
    outbox: OutboxStats,
    oldest_pending: String,
    failing: Vec<FailingMail>,
    desks: Vec<DeskOverview>,
    open_desks: usize,
    unstaffed: usize,
}

/// The operator's console: the desks (open, staffed), the outbox (waiting, failing, sent) and
/// every local government on this installation.
pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<OperatorQuery>,
) -> Result<impl IntoResponse, WebError> {
    let actor = ctx.actor()?;
    if !actor.may_operate() {
        return Err(WebError::Forbidden);
    }
    let q = query
        .q
        .unwrap_or_default()
        .trim()
        .chars()
        .take(50)
        .collect::<String>();
    let tenants = if q.is_empty() {
        state.store.tenants_with_accounts().await?
    } else {
        state.store.tenants_search(&q, 100, 0).await?
    };
    let outbox = state.store.outbox_stats().await?;
    let desks = state.store.desks_overview().await?;
    html(&OperatorTemplate {
        oldest_pending: outbox
            .oldest_pending
            .as_deref()
            .map(|ts| crate::view::display_time(ctx.tr.lang, ts))
            .unwrap_or_default(),
        outbox,
        failing: state.store.outbox_failing(20).await?,
        open_desks: desks.iter().filter(|d| d.openness.is_open()).count(),
        unstaffed: desks.iter().filter(|d| d.unstaffed()).count(),
        desks,
        base: Base::new(&ctx, ctx.tr.t("home-operator-title")),
        tenant_count: state.store.tenant_count().await?,
        user_count: state.store.user_count().await?,
        audit_total: state.store.audit_total().await?,
        q,
        tenants,
    })
}
