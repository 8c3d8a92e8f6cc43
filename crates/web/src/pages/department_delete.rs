use super::EmptyForm;
use crate::auth::{CsrfForm, Ctx, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::FieldErrors;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use renkei_domain::Actor;
use renkei_store::StoreError;

pub async fn post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id)): Path<(String, i64)>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<Response, WebError> {
    let access = tenant_access(&state, &ctx, &code, Actor::may_manage_departments).await?;
    match state
        .store
        .department_delete(&ctx.who(), access.code, id)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!(
            "/t/{}/admin/departments?notice=department-deleted",
            access.code
        ))
        .into_response()),
        Err(StoreError::Conflict { field, key }) => {
            let mut errors = FieldErrors::default();
            errors.add(&ctx.tr, field, key);
            super::department_show::render(&state, &ctx, access, id, None, None, errors).await
        }
        Err(e) => Err(e.into()),
    }
}
