use super::EmptyForm;
use crate::auth::{CsrfForm, Ctx, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use renkei_domain::Actor;

pub async fn post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id, user_id)): Path<(String, i64, i64)>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<Response, WebError> {
    let access = tenant_access(&state, &ctx, &code, Actor::may_manage_departments).await?;
    state
        .store
        .department_remove_member(&ctx.who(), access.code, id, user_id)
        .await?;
    Ok(Redirect::to(&format!(
        "/t/{}/admin/departments/{id}?notice=department-member-removed",
        access.code
    ))
    .into_response())
}
