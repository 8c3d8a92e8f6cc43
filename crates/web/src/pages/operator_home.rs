use super::html;
use crate::auth::Ctx;
use crate::error::WebError;
use crate::state::AppState;
use crate::view::Base;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
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
}

/// The operator's console: every local government on this installation.
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
    html(&OperatorTemplate {
        base: Base::new(&ctx, ctx.tr.t("home-operator-title")),
        tenant_count: state.store.tenant_count().await?,
        user_count: state.store.user_count().await?,
        audit_total: state.store.audit_total().await?,
        q,
        tenants,
    })
}
